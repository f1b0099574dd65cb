//! Legal bases: what makes processing lawful, and so what the engine
//! decides when the subject has said nothing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The legal basis of a purpose: what makes processing lawful, and so what
/// the engine decides when the subject has said nothing.
///
/// | basis | subject said nothing | refused / withdrawn | objected |
/// |---|---|---|---|
/// | `Consent`, `ExplicitConsent` | denied | denied | denied |
/// | `LegitimateInterest` | permitted | denied | denied |
/// | `PublicTask` | permitted | permitted | denied |
/// | `Contract`, `LegalObligation`, `VitalInterests` | permitted | permitted | not accepted |
///
/// An objection is accepted for legitimate interest and public task, and for
/// any purpose marked direct marketing ([`PurposeDef::direct_marketing`](crate::PurposeDef::direct_marketing)).
///
/// Whatever the basis, sensitive categories need a valid consent record and
/// sale/sharing purposes are denied under a global opt-out.
///
/// # Examples
///
/// ```
/// use consentry::LegalBasis;
/// let basis: LegalBasis = "legitimate_interest".parse()?;
/// assert!(!basis.is_consent());
/// assert_eq!(basis.to_string(), "legitimate interest");
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// Consent (GDPR Art. 6(1)(a)): denied until the subject says yes.
    Consent,
    /// Explicit consent (GDPR Art. 9(2)(a)), required for sensitive data.
    ExplicitConsent,
    /// Legitimate interest (Art. 6(1)(f)) and opt-out regimes: permitted until
    /// the subject objects, refuses or opts out.
    LegitimateInterest,
    /// Performance of a contract with the subject (Art. 6(1)(b)).
    Contract,
    /// A legal obligation of the controller (Art. 6(1)(c)).
    LegalObligation,
    /// Vital interests of the subject or another person (Art. 6(1)(d)).
    VitalInterests,
    /// A task in the public interest (Art. 6(1)(e)); open to objection.
    PublicTask,
}

impl LegalBasis {
    /// All bases, in declaration order.
    pub const ALL: [LegalBasis; 7] = [
        LegalBasis::Consent,
        LegalBasis::ExplicitConsent,
        LegalBasis::LegitimateInterest,
        LegalBasis::Contract,
        LegalBasis::LegalObligation,
        LegalBasis::VitalInterests,
        LegalBasis::PublicTask,
    ];

    /// Whether processing needs the subject's consent (consent or explicit consent).
    #[must_use]
    pub const fn is_consent(self) -> bool {
        matches!(self, LegalBasis::Consent | LegalBasis::ExplicitConsent)
    }

    /// Whether a refusal or withdrawal denies the purpose: true for the consent
    /// bases and legitimate interest.
    #[must_use]
    pub const fn honours_refusal(self) -> bool {
        matches!(
            self,
            LegalBasis::Consent | LegalBasis::ExplicitConsent | LegalBasis::LegitimateInterest
        )
    }

    /// Whether the subject may object (GDPR Art. 21): legitimate interest and public task.
    #[must_use]
    pub const fn allows_objection(self) -> bool {
        matches!(
            self,
            LegalBasis::LegitimateInterest | LegalBasis::PublicTask
        )
    }

    /// The snake_case name used in JSON and by [`FromStr`].
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LegalBasis::Consent => "consent",
            LegalBasis::ExplicitConsent => "explicit_consent",
            LegalBasis::LegitimateInterest => "legitimate_interest",
            LegalBasis::Contract => "contract",
            LegalBasis::LegalObligation => "legal_obligation",
            LegalBasis::VitalInterests => "vital_interests",
            LegalBasis::PublicTask => "public_task",
        }
    }
}

impl fmt::Display for LegalBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LegalBasis::Consent => "consent",
            LegalBasis::ExplicitConsent => "explicit consent",
            LegalBasis::LegitimateInterest => "legitimate interest",
            LegalBasis::Contract => "contract",
            LegalBasis::LegalObligation => "legal obligation",
            LegalBasis::VitalInterests => "vital interests",
            LegalBasis::PublicTask => "public task",
        })
    }
}

impl FromStr for LegalBasis {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        LegalBasis::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| Error::UnknownBasis(crate::error::shown(s)))
    }
}
