//! Read-only views of what the ledger holds about a subject, for reports,
//! exports and audits.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::model::evidence::Evidence;
use crate::wire::id::EventId;

/// What a subject answered for a purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Consent given.
    Given,
    /// Consent refused.
    Refused,
    /// Consent withdrawn.
    Withdrawn,
    /// Objected to.
    Objected,
}

/// A subject's current record for one purpose, as the ledger holds it.
///
/// This is the raw record: [`ConsentRecord::withdrawn_by_all`] says whether a
/// later withdraw-all overrides a grant, and [`crate::Ledger::status`] and
/// [`crate::Ledger::decide`] interpret it at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub(crate) purpose: String,
    pub(crate) answer: Answer,
    pub(crate) at: OffsetDateTime,
    pub(crate) expires_at: Option<OffsetDateTime>,
    pub(crate) categories: Vec<String>,
    pub(crate) renewal: bool,
    pub(crate) event: EventId,
    pub(crate) evidence: Evidence,
    pub(crate) withdrawn_by_all: Option<OffsetDateTime>,
}

impl ConsentRecord {
    /// The purpose.
    #[must_use]
    pub fn purpose(&self) -> &str {
        &self.purpose
    }

    /// What the subject answered.
    #[must_use]
    pub fn answer(&self) -> Answer {
        self.answer
    }

    /// When (for a grant: the start of validity, inclusive).
    #[must_use]
    pub fn at(&self) -> OffsetDateTime {
        self.at
    }

    /// For a grant, the end of validity (exclusive); `None` for no expiry or
    /// for other answers.
    #[must_use]
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.expires_at
    }

    /// For a grant, the categories covered as named (descendants covered too).
    #[must_use]
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// Whether the grant renewed one still valid when it was given.
    #[must_use]
    pub fn is_renewal(&self) -> bool {
        self.renewal
    }

    /// The id of the event that recorded it.
    #[must_use]
    pub fn event(&self) -> EventId {
        self.event
    }

    /// The evidence.
    pub fn evidence(&self) -> &Evidence {
        &self.evidence
    }

    /// For a grant, the time of a withdraw-all that overrides it.
    #[must_use]
    pub fn withdrawn_by_all(&self) -> Option<OffsetDateTime> {
        self.withdrawn_by_all
    }
}

/// A subject-wide mark: registration, withdraw-all, opt-out signal or erasure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectMark {
    pub(crate) at: OffsetDateTime,
    pub(crate) event: EventId,
    pub(crate) evidence: Option<Evidence>,
}

impl SubjectMark {
    /// When.
    #[must_use]
    pub fn at(&self) -> OffsetDateTime {
        self.at
    }

    /// The id of the event that set it.
    #[must_use]
    pub fn event(&self) -> EventId {
        self.event
    }

    /// The evidence, where the event carries one.
    #[must_use]
    pub fn evidence(&self) -> Option<&Evidence> {
        self.evidence.as_ref()
    }
}

/// Everything the ledger holds about one subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRecords {
    pub(crate) subject: String,
    pub(crate) registered: Option<SubjectMark>,
    pub(crate) withdrawn_all: Option<SubjectMark>,
    pub(crate) global_opt_out: Option<(bool, SubjectMark)>,
    pub(crate) erased: Option<SubjectMark>,
    pub(crate) records: Vec<ConsentRecord>,
}

impl SubjectRecords {
    /// The subject id.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// When the subject was registered, if it was.
    #[must_use]
    pub fn registered(&self) -> Option<&SubjectMark> {
        self.registered.as_ref()
    }

    /// The latest withdraw-all.
    #[must_use]
    pub fn withdrawn_all(&self) -> Option<&SubjectMark> {
        self.withdrawn_all.as_ref()
    }

    /// The global opt-out signal: on (`true`) or cleared, and when.
    #[must_use]
    pub fn global_opt_out(&self) -> Option<(bool, &SubjectMark)> {
        self.global_opt_out.as_ref().map(|(on, m)| (*on, m))
    }

    /// The latest erasure (what erasure keeps: its time and event id).
    #[must_use]
    pub fn erased(&self) -> Option<&SubjectMark> {
        self.erased.as_ref()
    }

    /// One record per purpose answered, in catalog order.
    #[must_use]
    pub fn records(&self) -> &[ConsentRecord] {
        &self.records
    }

    /// The record for `purpose`.
    #[must_use]
    pub fn record(&self, purpose: &str) -> Option<&ConsentRecord> {
        self.records.iter().find(|r| r.purpose == purpose)
    }
}
