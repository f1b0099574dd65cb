//! Evidence: what lets a controller demonstrate a choice (GDPR Art. 7(1)).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, EvidenceProblem, Result};
use crate::limits::MAX_EVIDENCE_LEN;

/// How a choice was collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CollectionMethod {
    /// A consent banner or pop-up (accept, reject or customise).
    Banner,
    /// A privacy or account settings page.
    SettingsPage,
    /// A web or paper form (sign-up, checkout, contest).
    Form,
    /// A link in an e-mail (e.g. unsubscribe).
    EmailLink,
    /// A phone call or call-centre tool, recorded by an agent.
    Phone,
    /// In person, recorded by staff.
    InPerson,
    /// A call to the host's API by another system.
    Api,
    /// Imported from an earlier system.
    Import,
    /// A browser or device signal such as Global Privacy Control.
    BrowserSignal,
    /// Anything else; say what in the channel.
    Other,
}

/// The JSON names of [`CollectionMethod::ALL`], for the error of
/// [`CollectionMethod::from_str`].
pub(crate) const METHOD_NAMES: &str =
    "banner, settings_page, form, email_link, phone, in_person, api, import, browser_signal, other";

impl CollectionMethod {
    /// Every method, in declaration order.
    pub const ALL: [CollectionMethod; 10] = [
        CollectionMethod::Banner,
        CollectionMethod::SettingsPage,
        CollectionMethod::Form,
        CollectionMethod::EmailLink,
        CollectionMethod::Phone,
        CollectionMethod::InPerson,
        CollectionMethod::Api,
        CollectionMethod::Import,
        CollectionMethod::BrowserSignal,
        CollectionMethod::Other,
    ];

    /// The snake_case name used in JSON.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CollectionMethod::Banner => "banner",
            CollectionMethod::SettingsPage => "settings_page",
            CollectionMethod::Form => "form",
            CollectionMethod::EmailLink => "email_link",
            CollectionMethod::Phone => "phone",
            CollectionMethod::InPerson => "in_person",
            CollectionMethod::Api => "api",
            CollectionMethod::Import => "import",
            CollectionMethod::BrowserSignal => "browser_signal",
            CollectionMethod::Other => "other",
        }
    }
}

/// Parses the snake_case name used in JSON (`"settings_page"`).
///
/// # Errors
///
/// [`Error::UnknownMethod`] naming the text and listing the valid names.
///
/// # Examples
///
/// ```
/// use consentry::CollectionMethod;
///
/// let method: CollectionMethod = "settings_page".parse()?;
/// assert_eq!(method, CollectionMethod::SettingsPage);
/// assert_eq!(
///     "popup".parse::<CollectionMethod>().unwrap_err().to_string(),
///     "unknown collection method `popup` (expected one of: banner, settings_page, form, \
///      email_link, phone, in_person, api, import, browser_signal, other)"
/// );
/// # Ok::<(), consentry::Error>(())
/// ```
impl FromStr for CollectionMethod {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        CollectionMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| Error::UnknownMethod(crate::error::shown(s)))
    }
}

impl fmt::Display for CollectionMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str().replace('_', " "))
    }
}

/// Who made a choice: the person the record is about, or a parent or
/// guardian on their behalf (GDPR Art. 8(1); COPPA, 16 CFR §312.5; Cal.
/// Civ. Code §1798.120(c); LGPD Art. 14 §1), or both together (France,
/// Loi 78-17 art. 45: under 15, jointly with a holder of parental
/// authority).
///
/// Serialized by snake_case name (`"parent_or_guardian"`).
///
/// # Examples
///
/// ```
/// use consentry::{CollectionMethod, Evidence, GivenBy};
/// let by_parent = Evidence::new(CollectionMethod::Form)
///     .with_notice_version(1)
///     .with_given_by(GivenBy::ParentOrGuardian)
///     .with_verification("signed consent form");
/// assert_eq!(by_parent.given_by(), GivenBy::ParentOrGuardian);
/// assert!(GivenBy::SubjectWithParent.is_parental());
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum GivenBy {
    /// The person the record is about (the default).
    #[default]
    Subject,
    /// A parent or guardian, for a child.
    ParentOrGuardian,
    /// The person together with a parent or guardian (joint consent).
    SubjectWithParent,
}

impl GivenBy {
    /// Whether a parent or guardian took part.
    #[must_use]
    pub const fn is_parental(self) -> bool {
        !matches!(self, GivenBy::Subject)
    }

    /// Its serialized name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            GivenBy::Subject => "subject",
            GivenBy::ParentOrGuardian => "parent_or_guardian",
            GivenBy::SubjectWithParent => "subject_with_parent",
        }
    }

    /// The stored form (two bits).
    pub(crate) const fn index(self) -> u8 {
        self as u8
    }

    /// The value stored as `i`.
    pub(crate) const fn from_index(i: u8) -> GivenBy {
        match i {
            1 => GivenBy::ParentOrGuardian,
            2 => GivenBy::SubjectWithParent,
            _ => GivenBy::Subject,
        }
    }

    fn is_subject(&self) -> bool {
        matches!(self, GivenBy::Subject)
    }
}

impl fmt::Display for GivenBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GivenBy::Subject => "the person",
            GivenBy::ParentOrGuardian => "a parent or guardian",
            GivenBy::SubjectWithParent => "the person with a parent or guardian",
        })
    }
}

/// The evidence of a choice: the notice version shown, how and where it was
/// collected, and a proof reference the host can resolve (a receipt id, a
/// form submission id, a call recording id).
///
/// The notice version is required when consent is given or refused; the other
/// fields are optional. Strings are at most
/// [`MAX_EVIDENCE_LEN`](crate::limits::MAX_EVIDENCE_LEN) bytes and, when set,
/// not empty.
///
/// Like every value type of the crate, its getters are named after the
/// field (`notice_version()`, `channel()`); as it is also built by
/// chaining, its setters are `with_*`. (The pure builders, [`crate::PurposeDef`],
/// [`crate::CatalogBuilder`], [`crate::Grant`] and [`crate::ReceiptOptions`],
/// have no getters and name their setters after the field.)
///
/// # Examples
///
/// ```
/// use consentry::{CollectionMethod, Evidence};
/// let evidence = Evidence::new(CollectionMethod::Banner)
///     .with_notice_version(3)
///     .with_channel("web")
///     .with_proof("rcpt-7f3a")
///     .with_jurisdiction("EU")
///     .with_language("fr");
/// assert_eq!(evidence.notice_version(), Some(3));
/// assert_eq!(evidence.proof(), Some("rcpt-7f3a"));
/// ```
///
/// Who gave consent ([`GivenBy`], with the method that verified a parent
/// or guardian), whether it was expressly explicit (GDPR Art. 9(2)(a),
/// 22(2)(c)), and whether the person was told that the choice conflicts
/// with their opt-out preference signal (11 CCR §7025(c)(3)) are recorded
/// too; regimes read them (see [`crate::regime`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[must_use]
pub struct Evidence {
    method: CollectionMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notice_version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    proof: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    jurisdiction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(default, skip_serializing_if = "GivenBy::is_subject")]
    given_by: GivenBy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    verification: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    explicit: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    signal_conflict_shown: bool,
}

impl Evidence {
    /// Evidence of a choice collected by `method`.
    pub const fn new(method: CollectionMethod) -> Self {
        Evidence {
            method,
            notice_version: None,
            channel: None,
            proof: None,
            jurisdiction: None,
            language: None,
            given_by: GivenBy::Subject,
            verification: None,
            explicit: false,
            signal_conflict_shown: false,
        }
    }

    /// Sets the version of the purpose's notice the subject was shown.
    pub fn with_notice_version(mut self, version: u32) -> Self {
        self.notice_version = Some(version);
        self
    }

    /// Sets the channel or source: `web`, `ios-app`, `call-centre`, a
    /// partner name.
    pub fn with_channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }

    /// Sets a reference the host can resolve to the proof (receipt id, form
    /// id...).
    pub fn with_proof(mut self, reference: impl Into<String>) -> Self {
        self.proof = Some(reference.into());
        self
    }

    /// Sets the jurisdiction whose rules applied (e.g. `EU`, `US-CA`).
    pub fn with_jurisdiction(mut self, jurisdiction: impl Into<String>) -> Self {
        self.jurisdiction = Some(jurisdiction.into());
        self
    }

    /// Sets the language the notice was shown in (e.g. `fr`, `en-GB`).
    pub fn with_language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Sets who made the choice (default: the subject).
    pub fn with_given_by(mut self, given_by: GivenBy) -> Self {
        self.given_by = given_by;
        self
    }

    /// Sets how a parent's or guardian's identity and authority were
    /// verified (e.g. `signed consent form`, `card transaction`,
    /// `government id`; COPPA 16 CFR §312.5(b)). Required when a parent or
    /// guardian gave the consent.
    pub fn with_verification(mut self, method: impl Into<String>) -> Self {
        self.verification = Some(method.into());
        self
    }

    /// Sets whether consent was expressly explicit: a statement the person
    /// confirmed for this purpose, not a general action (GDPR Art. 9(2)(a),
    /// Art. 22(2)(c); EDPB Guidelines 05/2020 §93).
    pub fn with_explicit(mut self, explicit: bool) -> Self {
        self.explicit = explicit;
        self
    }

    /// Sets whether the person was told that this choice conflicts with
    /// their opt-out preference signal and made it anyway (11 CCR
    /// §7025(c)(3)): under a regime where the signal is honoured first,
    /// only such a consent wins over it.
    pub fn with_signal_conflict_shown(mut self, shown: bool) -> Self {
        self.signal_conflict_shown = shown;
        self
    }

    /// Who made the choice.
    #[must_use]
    pub fn given_by(&self) -> GivenBy {
        self.given_by
    }

    /// How a parent or guardian was verified.
    #[must_use]
    pub fn verification(&self) -> Option<&str> {
        self.verification.as_deref()
    }

    /// Whether consent was expressly explicit.
    #[must_use]
    pub fn explicit(&self) -> bool {
        self.explicit
    }

    /// Whether the person was told of the conflict with their opt-out
    /// preference signal.
    #[must_use]
    pub fn signal_conflict_shown(&self) -> bool {
        self.signal_conflict_shown
    }

    /// How the choice was collected.
    #[must_use]
    pub fn method(&self) -> CollectionMethod {
        self.method
    }

    /// The notice version shown, if recorded.
    #[must_use]
    pub fn notice_version(&self) -> Option<u32> {
        self.notice_version
    }

    /// The channel or source.
    #[must_use]
    pub fn channel(&self) -> Option<&str> {
        self.channel.as_deref()
    }

    /// The proof reference.
    #[must_use]
    pub fn proof(&self) -> Option<&str> {
        self.proof.as_deref()
    }

    /// The jurisdiction.
    #[must_use]
    pub fn jurisdiction(&self) -> Option<&str> {
        self.jurisdiction.as_deref()
    }

    /// The language.
    #[must_use]
    pub fn language(&self) -> Option<&str> {
        self.language.as_deref()
    }

    /// The notice version shown, if recorded.
    #[deprecated(note = "renamed to `notice_version` (the setter is now `with_notice_version`)")]
    #[must_use]
    pub fn notice(&self) -> Option<u32> {
        self.notice_version
    }

    /// The channel or source.
    #[deprecated(note = "renamed to `channel` (the setter is now `with_channel`)")]
    #[must_use]
    pub fn channel_name(&self) -> Option<&str> {
        self.channel.as_deref()
    }

    /// The proof reference.
    #[deprecated(note = "renamed to `proof` (the setter is now `with_proof`)")]
    #[must_use]
    pub fn proof_ref(&self) -> Option<&str> {
        self.proof.as_deref()
    }

    /// The jurisdiction.
    #[deprecated(note = "renamed to `jurisdiction` (the setter is now `with_jurisdiction`)")]
    #[must_use]
    pub fn jurisdiction_code(&self) -> Option<&str> {
        self.jurisdiction.as_deref()
    }

    /// The language.
    #[deprecated(note = "renamed to `language` (the setter is now `with_language`)")]
    #[must_use]
    pub fn language_tag(&self) -> Option<&str> {
        self.language.as_deref()
    }

    /// Checks lengths and emptiness of the strings.
    pub(crate) fn check(&self) -> Result<()> {
        check_view(&EvidenceView::from(self))
    }
}

/// Checks lengths and emptiness of evidence strings, and the notice version.
pub(crate) fn check_view(e: &EvidenceView<'_>) -> Result<()> {
    for (field, value) in [
        ("channel", e.channel),
        ("proof", e.proof),
        ("jurisdiction", e.jurisdiction),
        ("language", e.language),
        ("verification", e.verification),
    ] {
        let Some(v) = value else { continue };
        // Unicode white space (`char::is_whitespace`: U+2003, U+3000, NBSP...)
        // counts as nothing, like ASCII spaces.
        if v.trim().is_empty() {
            return Err(Error::InvalidEvidence {
                field,
                problem: EvidenceProblem::Empty,
            });
        }
        if v.len() > MAX_EVIDENCE_LEN {
            return Err(Error::InvalidEvidence {
                field,
                problem: EvidenceProblem::TooLong {
                    len: v.len(),
                    limit: MAX_EVIDENCE_LEN,
                },
            });
        }
        if crate::limits::has_control(v) {
            return Err(Error::InvalidEvidence {
                field,
                problem: EvidenceProblem::ControlCharacter,
            });
        }
    }
    if e.notice_version == Some(0) {
        return Err(Error::InvalidEvidence {
            field: "notice_version",
            problem: EvidenceProblem::ZeroNoticeVersion,
        });
    }
    match (e.given_by.is_parental(), e.verification.is_some()) {
        (true, false) => Err(Error::InvalidEvidence {
            field: "verification",
            problem: EvidenceProblem::VerificationMissing,
        }),
        (false, true) => Err(Error::InvalidEvidence {
            field: "verification",
            problem: EvidenceProblem::VerificationWithoutParent,
        }),
        _ => Ok(()),
    }
}

/// Evidence as an event writes it, borrowed.
#[derive(Clone, Copy, Serialize)]
pub(crate) struct EvidenceView<'a> {
    pub(crate) method: CollectionMethod,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) notice_version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) channel: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) proof: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) jurisdiction: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) language: Option<&'a str>,
    #[serde(skip_serializing_if = "GivenBy::is_subject")]
    pub(crate) given_by: GivenBy,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) verification: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) explicit: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) signal_conflict_shown: bool,
}

impl EvidenceView<'_> {
    /// An owned copy.
    pub(crate) fn to_owned(self) -> Evidence {
        let mut e = Evidence::new(self.method);
        if let Some(n) = self.notice_version {
            e = e.with_notice_version(n);
        }
        if let Some(x) = self.channel {
            e = e.with_channel(x);
        }
        if let Some(x) = self.proof {
            e = e.with_proof(x);
        }
        if let Some(x) = self.jurisdiction {
            e = e.with_jurisdiction(x);
        }
        if let Some(x) = self.language {
            e = e.with_language(x);
        }
        if let Some(x) = self.verification {
            e = e.with_verification(x);
        }
        e.with_given_by(self.given_by)
            .with_explicit(self.explicit)
            .with_signal_conflict_shown(self.signal_conflict_shown)
    }

    /// The flags a purpose's row carries from this evidence: who gave it
    /// (two bits), explicit, signal conflict shown.
    pub(crate) fn regime_bits(&self) -> u8 {
        self.given_by.index()
            | if self.explicit { BIT_EXPLICIT } else { 0 }
            | if self.signal_conflict_shown {
                BIT_SIGNAL_SHOWN
            } else {
                0
            }
    }
}

/// The layout of [`EvidenceView::regime_bits`]: who gave it in the low two
/// bits ([`GivenBy::index`]), then whether it was explicit and whether the
/// signal conflict was shown.
pub(crate) const GIVEN_BY_BITS: u8 = 0b11;
pub(crate) const BIT_EXPLICIT: u8 = 1 << 2;
pub(crate) const BIT_SIGNAL_SHOWN: u8 = 1 << 3;

impl<'a> From<&'a Evidence> for EvidenceView<'a> {
    fn from(e: &'a Evidence) -> Self {
        EvidenceView {
            method: e.method(),
            notice_version: e.notice_version(),
            channel: e.channel(),
            proof: e.proof(),
            jurisdiction: e.jurisdiction(),
            language: e.language(),
            given_by: e.given_by,
            verification: e.verification(),
            explicit: e.explicit,
            signal_conflict_shown: e.signal_conflict_shown,
        }
    }
}

/// The position of a method in [`CollectionMethod::ALL`], as stored.
pub(crate) fn method_index(m: CollectionMethod) -> u8 {
    CollectionMethod::ALL
        .iter()
        .position(|x| *x == m)
        .unwrap_or(0) as u8
}

/// The method stored as `i`.
pub(crate) fn method_of(i: u8) -> CollectionMethod {
    CollectionMethod::ALL
        .get(usize::from(i))
        .copied()
        .unwrap_or(CollectionMethod::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_list_every_method_and_parse_back() {
        let names: Vec<&str> = CollectionMethod::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(names.join(", "), METHOD_NAMES);
        for m in CollectionMethod::ALL {
            assert_eq!(m.as_str().parse::<CollectionMethod>(), Ok(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.as_str()));
        }
        assert_eq!(
            "Banner".parse::<CollectionMethod>(),
            Err(Error::UnknownMethod("Banner".into()))
        );
        assert_eq!(
            "a\nb".parse::<CollectionMethod>().unwrap_err().to_string(),
            format!("unknown collection method `a\\nb` (expected one of: {METHOD_NAMES})")
        );
    }
}
