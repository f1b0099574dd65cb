//! Decisions and their reasons; consent statuses.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::model::basis::LegalBasis;
use crate::regime::Mechanism;
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
///
/// # JSON
///
/// A decision serializes (with serde) as an object whose `decision` field
/// names the variant in snake_case, next to the variant's fields; instants
/// are RFC 3339 text in UTC, an absent expiry is left out. It reads back
/// from the same shape.
///
/// ```
/// use consentry::Decision;
/// use time::macros::datetime;
///
/// let refused = Decision::Refused { at: datetime!(2026-03-01 10:00 UTC) };
/// let json = serde_json::to_string(&refused)?;
/// assert_eq!(json, r#"{"decision":"refused","at":"2026-03-01T10:00:00Z"}"#);
/// assert_eq!(serde_json::from_str::<Decision>(&json)?, refused);
///
/// let json = serde_json::to_string(&Decision::NoticeOutdated { version: 1, min_version: 2 })?;
/// assert_eq!(json, r#"{"decision":"notice_outdated","version":1,"min_version":2}"#);
/// assert_eq!(serde_json::to_string(&Decision::NoConsent)?, r#"{"decision":"no_consent"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Permitted by a consent record valid at the instant asked about.
    Granted {
        /// The event that recorded the consent.
        record: EventId,
        /// When it was given (start of validity, inclusive).
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        given_at: OffsetDateTime,
        /// When it expires (end of validity, exclusive); `None` for no expiry.
        #[serde(
            default,
            with = "crate::wire::timestamp::rfc3339_opt",
            skip_serializing_if = "Option::is_none"
        )]
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
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        at: OffsetDateTime,
    },
    /// Denied: the subject withdrew consent, for this purpose or for all.
    Withdrawn {
        /// When.
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        at: OffsetDateTime,
        /// Whether by withdrawing everything at once.
        all: bool,
    },
    /// Denied: the consent expired at or before the instant asked about.
    Expired {
        /// When it was given.
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        given_at: OffsetDateTime,
        /// When it expired.
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        expired_at: OffsetDateTime,
    },
    /// Denied: the consent record is later than the instant asked about; the
    /// ledger does not know what held before it.
    NotYetValid {
        /// When it was given.
        #[serde(with = "crate::wire::timestamp::rfc3339")]
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
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        at: OffsetDateTime,
    },
    /// Denied: a global opt-out signal (GPC) covers this sale/sharing purpose.
    OptedOut {
        /// When the signal was last set or cleared.
        #[serde(with = "crate::wire::timestamp::rfc3339")]
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
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        at: OffsetDateTime,
    },
    /// Denied: a handle from another ledger, or from a catalog with other
    /// names (see [`crate::SubjectHandle`], [`crate::PurposeHandle`]).
    ForeignHandle,
    /// Denied: the purpose is not declared.
    UnknownPurpose,
    /// Denied: the category is not declared.
    UnknownCategory,
    /// Permitted: under the regime that applies to the subject
    /// (see [`crate::regime`]), this use needs no opt-in (`mechanism` is
    /// opt-out or notice only) and the subject has not opted out.
    NotRequired {
        /// What the regime requires.
        mechanism: Mechanism,
    },
    /// Denied: the regime that applies forbids this use for this person
    /// whatever they say (e.g. ads profiling a minor on an online platform,
    /// Digital Services Act Art. 28(2)).
    Prohibited,
    /// Denied: under the regime that applies, a person of this age needs
    /// the consent of a parent or guardian (given by them, with how they
    /// were verified), `jointly` with the person where the law says so.
    ParentalConsentRequired {
        /// Whether the person and a parent or guardian consent together
        /// (France, Loi 78-17 art. 45).
        jointly: bool,
    },
    /// Denied: the regime that applies requires the minor's own opt-in
    /// (e.g. Cal. Civ. Code §1798.120(c), 13 to 15), which is missing.
    MinorOptInRequired,
    /// Denied: the purpose's legal basis does not need consent, but the
    /// regime that applies allows this use only with consent, which is
    /// missing (e.g. Maine's broadband privacy law, 35-A M.R.S. §9301).
    ConsentRequired,
}

impl Decision {
    /// Whether the processing is permitted.
    #[must_use]
    #[inline]
    pub const fn is_permitted(&self) -> bool {
        matches!(
            self,
            Decision::Granted { .. }
                | Decision::NotConsentBased { .. }
                | Decision::NotRequired { .. }
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
            Decision::NotRequired { mechanism } => match mechanism {
                Mechanism::NoticeOnly => {
                    f.write_str("permitted: the law that applies requires notice only")
                }
                _ => f.write_str(
                    "permitted: the law that applies allows it until the subject opts out",
                ),
            },
            Decision::Prohibited => {
                f.write_str("denied: the law that applies does not allow this for this person")
            }
            Decision::ParentalConsentRequired { jointly: false } => {
                f.write_str("denied: a parent's or guardian's consent is required")
            }
            Decision::ParentalConsentRequired { jointly: true } => {
                f.write_str("denied: consent given jointly with a parent or guardian is required")
            }
            Decision::MinorOptInRequired => {
                f.write_str("denied: a minor must opt in first, and has not")
            }
            Decision::ConsentRequired => {
                f.write_str("denied: the law that applies does not allow this without consent")
            }
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
