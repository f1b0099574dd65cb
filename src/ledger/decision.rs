//! Decisions and their reasons; consent statuses.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::model::basis::LegalBasis;
use crate::wire::id::EventId;

/// The answer to "may this data be used for this purpose now?", with the
/// reason.
///
/// Two variants permit ([`Decision::is_permitted`]); every other one denies and
/// says why. The enum is exhaustive on purpose: a `match` that handles every
/// reason breaks at compile time when a reason is added.
///
/// # Examples
///
/// ```
/// use consentry::Decision;
/// assert!(!Decision::NoConsent.is_permitted());
/// assert_eq!(Decision::NoConsent.to_string(), "denied: the subject has not consented");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Permitted by a consent record valid at the instant asked about.
    Granted {
        /// The event that recorded the consent.
        record: EventId,
        /// When it was given (start of validity, inclusive).
        given_at: OffsetDateTime,
        /// When it expires (end of validity, exclusive); `None` for no expiry.
        expires_at: Option<OffsetDateTime>,
    },
    /// Permitted because the purpose's legal basis is not consent and nothing
    /// the subject said stops it.
    NotConsentBased {
        /// The basis that makes it lawful.
        basis: LegalBasis,
    },
    /// Denied: a consent purpose the subject has not answered.
    NoConsent,
    /// Denied: the subject refused.
    Refused {
        /// When.
        at: OffsetDateTime,
    },
    /// Denied: the subject withdrew consent, for this purpose or for all.
    Withdrawn {
        /// When.
        at: OffsetDateTime,
        /// Whether by withdrawing everything at once.
        all: bool,
    },
    /// Denied: the consent expired at or before the instant asked about.
    Expired {
        /// When it was given.
        given_at: OffsetDateTime,
        /// When it expired.
        expired_at: OffsetDateTime,
    },
    /// Denied: the consent record is later than the instant asked about; the
    /// ledger does not know what held before it.
    NotYetValid {
        /// When it was given.
        given_at: OffsetDateTime,
    },
    /// Denied: the consent does not cover this category.
    CategoryNotCovered,
    /// Denied: the consent was given under a notice version no longer accepted;
    /// re-consent is needed.
    NoticeOutdated {
        /// The version the subject saw.
        version: u32,
        /// The oldest version still accepted.
        min_version: u32,
    },
    /// Denied: the subject objected to the purpose.
    Objected {
        /// When.
        at: OffsetDateTime,
    },
    /// Denied: a global opt-out signal (GPC) covers this sale/sharing purpose.
    OptedOut {
        /// When the signal was last set or cleared.
        at: OffsetDateTime,
    },
    /// Denied: the category is sensitive and there is no valid explicit
    /// consent for it.
    ExplicitConsentRequired,
    /// Denied: the purpose does not declare this category.
    CategoryNotInPurpose,
    /// Denied: the subject was erased, and no registration or grant since
    /// has started a new relationship (a refusal, withdrawal, objection or
    /// opt-out after the erasure keeps it denied).
    Erased {
        /// When the subject was erased.
        at: OffsetDateTime,
    },
    /// Denied: a handle from another ledger, or from a catalog with other
    /// names (see [`crate::SubjectHandle`], [`crate::PurposeHandle`]).
    ForeignHandle,
    /// Denied: the purpose is not declared.
    UnknownPurpose,
    /// Denied: the category is not declared.
    UnknownCategory,
}

impl Decision {
    /// Whether the processing is permitted.
    #[must_use]
    #[inline]
    pub const fn is_permitted(&self) -> bool {
        matches!(
            self,
            Decision::Granted { .. } | Decision::NotConsentBased { .. }
        )
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = |t: &OffsetDateTime| {
            crate::wire::timestamp::format(crate::wire::timestamp::check_nanos(*t))
        };
        match self {
            Decision::Granted {
                record,
                given_at,
                expires_at,
            } => {
                write!(f, "permitted: consent given at {}", t(given_at))?;
                match expires_at {
                    Some(e) => write!(f, ", valid until {}", t(e))?,
                    None => f.write_str(", no expiry")?,
                }
                write!(f, " (record {record})")
            }
            Decision::NotConsentBased { basis } => {
                write!(f, "permitted: lawful on the basis of {basis}, not consent")
            }
            Decision::NoConsent => f.write_str("denied: the subject has not consented"),
            Decision::Refused { at } => write!(f, "denied: consent refused at {}", t(at)),
            Decision::Withdrawn { at, all } => write!(
                f,
                "denied: consent withdrawn at {}{}",
                t(at),
                if *all { " (all purposes)" } else { "" }
            ),
            Decision::Expired {
                given_at,
                expired_at,
            } => write!(
                f,
                "denied: consent given at {} expired at {}",
                t(given_at),
                t(expired_at)
            ),
            Decision::NotYetValid { given_at } => write!(
                f,
                "denied: consent was only given at {}, after the instant asked about",
                t(given_at)
            ),
            Decision::CategoryNotCovered => {
                f.write_str("denied: the consent does not cover this category")
            }
            Decision::NoticeOutdated {
                version,
                min_version,
            } => write!(
                f,
                "denied: consent was given under notice version {version}; version {min_version} or later is needed (re-consent)"
            ),
            Decision::Objected { at } => write!(f, "denied: the subject objected at {}", t(at)),
            Decision::OptedOut { at } => write!(
                f,
                "denied: global opt-out signal (as of {}) covers sale and sharing",
                t(at)
            ),
            Decision::ExplicitConsentRequired => {
                f.write_str("denied: sensitive data needs explicit consent")
            }
            Decision::CategoryNotInPurpose => {
                f.write_str("denied: the purpose does not declare this category")
            }
            Decision::Erased { at } => write!(
                f,
                "denied: the subject was erased at {} and has not come back since",
                t(at)
            ),
            Decision::ForeignHandle => {
                f.write_str("denied: a handle from another ledger or catalog")
            }
            Decision::UnknownPurpose => f.write_str("denied: unknown purpose"),
            Decision::UnknownCategory => f.write_str("denied: unknown category"),
        }
    }
}

/// The state of a subject's consent to one purpose at an instant, following
/// the W3C Data Privacy Vocabulary's consent lifecycle where it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    /// Never asked, or nothing known at that instant (`dpv:ConsentUnknown`).
    Unknown,
    /// Given and valid (`dpv:ConsentGiven`).
    Given,
    /// Given again while a previous grant was valid, and valid (`dpv:RenewedConsentGiven`).
    Renewed,
    /// Refused (`dpv:ConsentRefused`).
    Refused,
    /// Withdrawn (`dpv:ConsentWithdrawn`).
    Withdrawn,
    /// Expired (`dpv:ConsentExpired`).
    Expired,
    /// Given under a notice version no longer accepted (`dpv:ConsentInvalidated`).
    Invalidated,
    /// Objected to (GDPR Art. 21; not a DPV consent status).
    Objected,
    /// Given and unexpired, but denied while the subject's global opt-out
    /// signal is on, for a sale/sharing purpose: the signal is a valid
    /// request to opt out of sale and sharing and is honoured over the
    /// earlier consent (11 CCR 7025(c)(3): the business may then tell the
    /// consumer of the conflict and offer to consent again). Not valid, so
    /// not listed for renewal. Not a DPV consent status.
    OptedOut,
}

impl ConsentStatus {
    /// Whether consent is in force (given or renewed).
    #[must_use]
    pub const fn is_valid(self) -> bool {
        matches!(self, ConsentStatus::Given | ConsentStatus::Renewed)
    }
}

impl fmt::Display for ConsentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConsentStatus::Unknown => "unknown",
            ConsentStatus::Given => "given",
            ConsentStatus::Renewed => "renewed",
            ConsentStatus::Refused => "refused",
            ConsentStatus::Withdrawn => "withdrawn",
            ConsentStatus::Expired => "expired",
            ConsentStatus::Invalidated => "invalidated",
            ConsentStatus::Objected => "objected",
            ConsentStatus::OptedOut => "opted out (global signal)",
        })
    }
}
