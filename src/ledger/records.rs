//! Read-only views of what the ledger holds about a subject, for reports,
//! exports and audits.
//!
//! In the `Ledger` docs: the "Subject rights: what is held" group.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ledger::Ledger;
use crate::ledger::store::{Floor, GIVEN, OBJECTED, REFUSED, RowFlags, Slot, WITHDRAWN};
use crate::model::evidence::Evidence;
use crate::wire::id::EventId;
use crate::wire::timestamp::{self, NEVER};

/// What a subject answered for a purpose.
///
/// Serializes as its snake_case name, which is also its `Display`.
///
/// # Examples
///
/// ```
/// use consentry::Answer;
/// assert_eq!(Answer::Withdrawn.to_string(), "withdrawn");
/// assert_eq!(serde_json::to_string(&Answer::Given)?, r#""given""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
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

impl Answer {
    /// The snake_case name used in JSON.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Answer::Given => "given",
            Answer::Refused => "refused",
            Answer::Withdrawn => "withdrawn",
            Answer::Objected => "objected",
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A subject's current record for one purpose, as the ledger holds it.
///
/// This is the raw record: [`ConsentRecord::withdrawn_by_all`] says whether a
/// later withdraw-all overrides a grant, and [`crate::Ledger::status`] and
/// [`crate::Ledger::decide`] interpret it at an instant.
///
/// # JSON
///
/// Serializes (with serde) as an object named like its getters (`renewal`
/// for [`ConsentRecord::is_renewal`]); instants are RFC 3339 text in UTC;
/// `expires_at`, `withdrawn_by_all`, an empty `categories` and a `false`
/// `renewal` are left out. It reads back from the same shape.
///
/// ```
/// # use consentry::*;
/// # use time::macros::datetime;
/// # let catalog = Catalog::builder()
/// #     .category("email")
/// #     .purpose(
/// #         PurposeDef::new("news", LegalBasis::Consent)
/// #             .title("Newsletter")
/// #             .description("A monthly e-mail.")
/// #             .categories(["email"]),
/// #     )
/// #     .build()?;
/// # let mut ledger = Ledger::new(catalog);
/// let t = datetime!(2026-03-01 10:00 UTC);
/// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
/// let event = ledger.refuse("ann", "news", t, banner)?.into_event();
/// let held = ledger.subject_records("ann").expect("ann is known");
/// let record = held.record("news").expect("ann answered");
/// let json = serde_json::to_string(record).expect("serializable");
/// assert_eq!(
///     json,
///     format!(
///         r#"{{"purpose":"news","answer":"refused","at":"2026-03-01T10:00:00Z","event":"{}","evidence":{{"method":"banner","notice_version":1}}}}"#,
///         event.id()
///     )
/// );
/// assert_eq!(&serde_json::from_str::<ConsentRecord>(&json).expect("readable"), record);
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentRecord {
    pub(crate) purpose: String,
    pub(crate) answer: Answer,
    #[serde(with = "crate::wire::timestamp::rfc3339")]
    pub(crate) at: OffsetDateTime,
    #[serde(
        default,
        with = "crate::wire::timestamp::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) expires_at: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) categories: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) renewal: bool,
    pub(crate) event: EventId,
    pub(crate) evidence: Evidence,
    #[serde(
        default,
        with = "crate::wire::timestamp::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
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
///
/// Serializes (with serde) as `{"at": "<RFC 3339>", "event": "<id>"}`, with
/// `"evidence"` when the event carries one; it reads back from the same shape.
///
/// # Examples
///
/// ```
/// # use consentry::*;
/// # use time::macros::datetime;
/// # let catalog = Catalog::builder()
/// #     .category("email")
/// #     .purpose(
/// #         PurposeDef::new("news", LegalBasis::Consent)
/// #             .title("Newsletter")
/// #             .description("A monthly e-mail.")
/// #             .categories(["email"]),
/// #     )
/// #     .build()?;
/// # let mut ledger = Ledger::new(catalog);
/// let t = datetime!(2026-03-01 10:00 UTC);
/// let settings = Evidence::new(CollectionMethod::SettingsPage);
/// let event = ledger.withdraw_all("ann", t, settings)?.into_event();
/// let held = ledger.subject_records("ann").expect("ann is known");
/// let mark = held.withdrawn_all().expect("ann withdrew everything");
/// let json = serde_json::to_string(mark).expect("serializable");
/// assert_eq!(
///     json,
///     format!(
///         r#"{{"at":"2026-03-01T10:00:00Z","event":"{}","evidence":{{"method":"settings_page"}}}}"#,
///         event.id()
///     )
/// );
/// assert_eq!(&serde_json::from_str::<SubjectMark>(&json).expect("readable"), mark);
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectMark {
    #[serde(with = "crate::wire::timestamp::rfc3339")]
    pub(crate) at: OffsetDateTime,
    pub(crate) event: EventId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) evidence: Option<Evidence>,
}

/// The state of the global opt-out signal (GPC): on or cleared, and since
/// when ([`SubjectRecords::global_opt_out`],
/// [`SubjectReport::global_opt_out`](crate::SubjectReport::global_opt_out)).
///
/// # Examples
///
/// ```
/// # use consentry::*;
/// # use time::macros::datetime;
/// # let catalog = Catalog::builder()
/// #     .category("email")
/// #     .purpose(
/// #         PurposeDef::new("news", LegalBasis::Consent)
/// #             .title("Newsletter")
/// #             .description("A monthly e-mail.")
/// #             .categories(["email"]),
/// #     )
/// #     .build()?;
/// # let mut ledger = Ledger::new(catalog);
/// let t = datetime!(2026-03-01 10:00 UTC);
/// ledger.set_global_opt_out("ann", t, Evidence::new(CollectionMethod::BrowserSignal))?;
/// let signal = ledger
///     .subject_records("ann")
///     .and_then(|held| held.global_opt_out())
///     .expect("the signal was set");
/// assert!(signal.is_on());
/// assert_eq!(signal.since(), t);
/// assert_eq!(
///     serde_json::to_string(&signal).expect("serializable"),
///     r#"{"on":true,"since":"2026-03-01T10:00:00Z"}"#
/// );
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptOutSignal {
    pub(crate) on: bool,
    #[serde(with = "crate::wire::timestamp::rfc3339")]
    pub(crate) since: OffsetDateTime,
}

impl OptOutSignal {
    /// Whether the signal is on (it denies every sale/sharing purpose).
    #[must_use]
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// When it was last set or cleared.
    #[must_use]
    pub fn since(&self) -> OffsetDateTime {
        self.since
    }
}

/// The opt-out mark as [`SubjectRecords`] holds and serializes it: the mark
/// with the signal's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OptOutMark {
    pub(crate) on: bool,
    #[serde(flatten)]
    pub(crate) mark: SubjectMark,
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
///
/// # JSON
///
/// Serializes (with serde) as `{"subject": .., "records": [..]}` with each
/// mark that is set (`registered`, `withdrawn_all`, `global_opt_out` with
/// its `on` state, `erased`) as a [`SubjectMark`] object, and each record as
/// a [`ConsentRecord`] object. It reads back from the same shape.
///
/// ```
/// # use consentry::*;
/// # use time::macros::datetime;
/// # let catalog = Catalog::builder()
/// #     .category("email")
/// #     .purpose(
/// #         PurposeDef::new("news", LegalBasis::Consent)
/// #             .title("Newsletter")
/// #             .description("A monthly e-mail.")
/// #             .categories(["email"]),
/// #     )
/// #     .build()?;
/// # let mut ledger = Ledger::new(catalog);
/// let t = datetime!(2026-03-01 10:00 UTC);
/// let event = ledger.register("ann", t)?.into_event();
/// let held = ledger.subject_records("ann").expect("ann is known");
/// let json = serde_json::to_string(&held).expect("serializable");
/// assert_eq!(
///     json,
///     format!(
///         r#"{{"subject":"ann","registered":{{"at":"2026-03-01T10:00:00Z","event":"{}"}},"records":[]}}"#,
///         event.id()
///     )
/// );
/// assert_eq!(serde_json::from_str::<SubjectRecords>(&json).expect("readable"), held);
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectRecords {
    pub(crate) subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) registered: Option<SubjectMark>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) withdrawn_all: Option<SubjectMark>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) global_opt_out: Option<OptOutMark>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

    /// The global opt-out signal: on or cleared, and since when.
    #[must_use]
    pub fn global_opt_out(&self) -> Option<OptOutSignal> {
        self.global_opt_out.as_ref().map(|o| OptOutSignal {
            on: o.on,
            since: o.mark.at,
        })
    }

    /// The mark of the global opt-out signal's last change: its time, event
    /// and evidence ([`SubjectRecords::global_opt_out`] says whether it is
    /// on).
    #[must_use]
    pub fn global_opt_out_mark(&self) -> Option<&SubjectMark> {
        self.global_opt_out.as_ref().map(|o| &o.mark)
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

/// # Subject rights: what is held
///
/// Everything the ledger holds about one subject, record by record.
impl Ledger {
    /// Everything the ledger holds about `subject`: its records (one per
    /// purpose answered, in catalog order) and marks. `None` if the ledger has
    /// never seen the subject; an erased subject has only its erasure mark.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// ledger.give(Grant::new("ann", "news", t, ev()))?;
    /// let held = ledger.subject_records("ann").expect("ann is known");
    /// assert_eq!(held.record("news").map(|r| r.answer()), Some(Answer::Given));
    /// assert!(ledger.subject_records("ben").is_none());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn subject_records(&self, subject: &str) -> Option<SubjectRecords> {
        let s = self.store.names.find(subject)?;
        let st = &self.store;
        let mark = |slot: Slot| -> Option<(bool, SubjectMark)> {
            let (r, c) = (st.row(s, slot)?, st.cold(s, slot)?);
            Some((
                r.flags.contains(RowFlags::ON),
                SubjectMark {
                    at: timestamp::from_nanos(r.from),
                    event: self.row_id(s, slot, r, c),
                    evidence: (c.profile != 0 || c.proof != 0).then(|| self.evidence(c)),
                },
            ))
        };
        let wa = st.row(s, Slot::WithdrawnAll).map(|w| w.from);
        let mut records = Vec::new();
        for slot in st.slots(s) {
            let Slot::Purpose(p) = slot else { continue };
            let (Some(r), Some(c), Some(purpose)) = (
                st.row(s, slot),
                st.cold(s, slot),
                self.catalog.purpose_by_index(p),
            ) else {
                continue;
            };
            let given = r.kind() == GIVEN;
            records.push(ConsentRecord {
                purpose: purpose.name().to_owned(),
                answer: match r.kind() {
                    GIVEN => Answer::Given,
                    REFUSED => Answer::Refused,
                    WITHDRAWN => Answer::Withdrawn,
                    _ => Answer::Objected,
                },
                at: timestamp::from_nanos(r.from),
                expires_at: (given && r.until != NEVER).then(|| timestamp::from_nanos(r.until)),
                categories: if given {
                    self.catalog.category_names(st.set(r.set()))
                } else {
                    Vec::new()
                },
                renewal: r.flags.contains(RowFlags::RENEWAL),
                event: self.row_id(s, slot, r, c),
                evidence: self.evidence(c),
                withdrawn_by_all: wa
                    .filter(|w| given && r.from <= *w)
                    .map(timestamp::from_nanos),
            });
        }
        Some(SubjectRecords {
            subject: subject.to_owned(),
            registered: mark(Slot::Registered).map(|(_, m)| m),
            withdrawn_all: mark(Slot::WithdrawnAll).map(|(_, m)| m),
            global_opt_out: mark(Slot::OptOut).map(|(on, mark)| OptOutMark { on, mark }),
            erased: mark(Slot::Erased).map(|(_, m)| m),
            records,
        })
    }

    /// Drops the record of `subject` for `purpose` (for pruning), keeping
    /// its trace ([`crate::ledger::store::Floor`]). Returns whether there was one.
    pub(crate) fn remove_record(&mut self, subject: &str, purpose: &str) -> bool {
        let (Some(s), Some(p)) = (
            self.store.names.find(subject),
            self.catalog.purpose_index(purpose),
        ) else {
            return false;
        };
        let slot = Slot::Purpose(p);
        let Some((r, c)) = self.store.row(s, slot).zip(self.store.cold(s, slot)) else {
            return false;
        };
        let floor = Floor {
            at: r.from,
            kind: r.kind(),
            id: self.row_id(s, slot, r, c),
        };
        self.store.set_floor(s, p, floor);
        self.store.remove(s, slot).is_some()
    }
}

impl Ledger {
    /// The direct-marketing objection kept beside a later refusal or
    /// withdrawal of `purpose` (see `traces.rs`), as a record: what an audit
    /// of an `Objected` decision rests on.
    pub(crate) fn kept_objection_record(
        &self,
        subject: &str,
        purpose: &str,
    ) -> Option<ConsentRecord> {
        let s = self.store.names.find(subject)?;
        let p = self.catalog.purpose_index(purpose)?;
        let (r, c) = self.store.kept(s, p)?;
        (r.kind() == OBJECTED).then(|| ConsentRecord {
            purpose: purpose.to_owned(),
            answer: Answer::Objected,
            at: timestamp::from_nanos(r.from),
            expires_at: None,
            categories: Vec::new(),
            renewal: false,
            event: self.row_id(s, Slot::Purpose(p), r, c),
            evidence: self.evidence(c),
            withdrawn_by_all: None,
        })
    }
}
