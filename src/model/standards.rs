//! What a purpose corresponds to in the standard consent signals: TCF
//! purposes and special features, the US opt-outs of GPP and US Privacy
//! strings, Google Consent Mode types.
//!
//! The catalog declares the correspondence ([`PurposeDef::standards`]); the
//! ledger reads consent strings into events and writes a subject's state
//! back into them through it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::limits::{self, ListLimit};
use crate::model::basis::LegalBasis;
use crate::model::purpose::{Purpose, PurposeDef};

/// The highest TCF v2.2 purpose id (purposes 1 to 11, TCF Policies
/// Appendix A).
pub const TCF_MAX_PURPOSE: u8 = 11;
/// The highest TCF v2.2 special feature id (1 precise geolocation, 2 device
/// scanning).
pub const TCF_MAX_SPECIAL_FEATURE: u8 = 2;
/// The TCF purposes that TCF Policy 2.2 allows only on consent, never on
/// legitimate interest: 1 (store and/or access information on a device) and
/// 3 to 6 (advertising and content profiles).
pub const TCF_CONSENT_ONLY_PURPOSES: [u8; 5] = [1, 3, 4, 5, 6];

/// One of Google Consent Mode v2's seven consent types.
///
/// Sources: Google, "Consent mode reference" (support.google.com/analytics
/// /answer/13802165) and "Consent type" (answer 12334711).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentType {
    /// `ad_storage`: storage (such as cookies) related to advertising.
    AdStorage,
    /// `ad_user_data`: sending user data related to advertising to Google.
    AdUserData,
    /// `ad_personalization`: personalized advertising.
    AdPersonalization,
    /// `analytics_storage`: storage related to analytics.
    AnalyticsStorage,
    /// `functionality_storage`: storage that supports the site's or app's
    /// functionality (language settings).
    FunctionalityStorage,
    /// `personalization_storage`: storage related to personalization (video
    /// recommendations).
    PersonalizationStorage,
    /// `security_storage`: storage related to security (authentication, fraud
    /// prevention).
    SecurityStorage,
}

impl ConsentType {
    /// All seven, in the order they are written.
    pub const ALL: [Self; 7] = [
        Self::AdStorage,
        Self::AdUserData,
        Self::AdPersonalization,
        Self::AnalyticsStorage,
        Self::FunctionalityStorage,
        Self::PersonalizationStorage,
        Self::SecurityStorage,
    ];

    /// The key gtag uses.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AdStorage => "ad_storage",
            Self::AdUserData => "ad_user_data",
            Self::AdPersonalization => "ad_personalization",
            Self::AnalyticsStorage => "analytics_storage",
            Self::FunctionalityStorage => "functionality_storage",
            Self::PersonalizationStorage => "personalization_storage",
            Self::SecurityStorage => "security_storage",
        }
    }

    /// The position in [`ConsentType::ALL`].
    #[cfg_attr(not(feature = "consent_mode"), allow(dead_code))]
    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

/// One of the US opt-outs that GPP sections and the US Privacy string carry.
///
/// Which sections carry which: `usnat` all three; `usca` sale and sharing;
/// `usva`, `usco`, `usut` and `usct` sale and targeted advertising; `uspv1`
/// (the US Privacy string) sale only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsOptOut {
    /// `SaleOptOut` (and the US Privacy string's opt-out of sale).
    Sale,
    /// `SharingOptOut`: sharing for cross-context behavioral advertising
    /// (California).
    Sharing,
    /// `TargetedAdvertisingOptOut`.
    TargetedAdvertising,
}

impl UsOptOut {
    /// All three.
    pub const ALL: [Self; 3] = [Self::Sale, Self::Sharing, Self::TargetedAdvertising];

    /// Its index in [`UsOptOut::ALL`].
    #[cfg(any(feature = "gpp", feature = "usp"))]
    pub(crate) const fn index(self) -> usize {
        self as usize
    }

    /// The snake_case name used in JSON.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Sale => "sale",
            Self::Sharing => "sharing",
            Self::TargetedAdvertising => "targeted_advertising",
        }
    }
}

/// The ids of one list of a mapping, from untrusted input.
enum Ids {}

impl ListLimit for Ids {
    const WHAT: &'static str = "standard signal ids";
    const LIMIT: usize = 32;
}

/// What a catalog purpose corresponds to in the standard consent signals.
///
/// - **TCF purposes and special features**: a TC string's consent (or, for
///   a legitimate-interest purpose, legitimate-interest) bits for these
///   purposes, and its special feature opt-ins, answer for the catalog
///   purpose. When several are mapped, the purpose is accepted only if every
///   one of them is set.
/// - **US opt-outs**: a GPP string's (or US Privacy string's) opt-outs of
///   sale, sharing or targeted advertising answer for it: opted out of any
///   of them is a refusal; not opting out accepts a purpose that needs no
///   opt-in for the subject (its regime's rule is an opt-out, or, without
///   regimes, it is not based on consent) and answers nothing for one that
///   does. The purpose must be marked
///   [`PurposeDef::sale_or_sharing`].
/// - **Consent Mode types**: written as `granted` when every catalog
///   purpose mapped to the type is permitted (export only; gtag's flags are
///   not read back).
///
/// A TCF purpose (per signal, consent or legitimate interest), a special
/// feature and a US opt-out each map from at most one catalog purpose, so
/// that an exported string says exactly what the ledger holds. Checked when
/// the catalog is built.
///
/// Serialized (serde) as the catalog JSON's `"standards"` object, each list
/// optional: `{"tcf_purposes": [2, 3, 4, 7], "us_opt_outs": ["sale"],
/// "consent_mode": ["ad_storage"]}`.
///
/// # Examples
///
/// ```
/// use consentry::{Catalog, ConsentType, LegalBasis, PurposeDef, Standards, UsOptOut};
///
/// let catalog = Catalog::builder()
///     .category("browsing")
///     .purpose(
///         PurposeDef::new("ads", LegalBasis::Consent)
///             .title("Personalised ads")
///             .description("Ads based on what you browse.")
///             .categories(["browsing"])
///             .sale_or_sharing()
///             .standards(Standards::advertising()),
///     )
///     .purpose(
///         PurposeDef::new("stats", LegalBasis::Consent)
///             .title("Statistics")
///             .description("Counting visits.")
///             .categories(["browsing"])
///             .standards(
///                 Standards::new()
///                     .with_tcf_purposes([1, 8, 9])
///                     .with_consent_mode([ConsentType::AnalyticsStorage]),
///             ),
///     )
///     .build()?;
/// let ads = catalog.purpose("ads").expect("declared").standards();
/// assert_eq!(ads.tcf_purposes(), [2, 3, 4, 7]);
/// assert!(ads.us_opt_outs().contains(&UsOptOut::Sale));
///
/// // A TCF purpose maps from one catalog purpose at most.
/// let clash = Catalog::builder()
///     .category("browsing")
///     .purpose(
///         PurposeDef::new("a", LegalBasis::Consent).title("A").description("A.")
///             .categories(["browsing"]).standards(Standards::new().with_tcf_purposes([2])),
///     )
///     .purpose(
///         PurposeDef::new("b", LegalBasis::Consent).title("B").description("B.")
///             .categories(["browsing"]).standards(Standards::new().with_tcf_purposes([2])),
///     )
///     .build();
/// assert_eq!(
///     clash.unwrap_err().to_string(),
///     "purpose `b`: TCF purpose 2 (consent) is already mapped from purpose `a`; \
///      each maps from at most one catalog purpose"
/// );
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[must_use]
pub struct Standards {
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "limits::bounded::<_, _, Ids>"
    )]
    tcf_purposes: Vec<u8>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "limits::bounded::<_, _, Ids>"
    )]
    tcf_special_features: Vec<u8>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "limits::bounded::<_, _, Ids>"
    )]
    us_opt_outs: Vec<UsOptOut>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "limits::bounded::<_, _, Ids>"
    )]
    consent_mode: Vec<ConsentType>,
}

impl Standards {
    /// No correspondence: the purpose is in no standard signal.
    pub const fn new() -> Self {
        Standards {
            tcf_purposes: Vec::new(),
            tcf_special_features: Vec::new(),
            us_opt_outs: Vec::new(),
            consent_mode: Vec::new(),
        }
    }

    /// Advertising: TCF purposes 2 (limited data to select advertising),
    /// 3 and 4 (create and use profiles for personalised advertising) and
    /// 7 (measure advertising performance); Consent Mode `ad_storage`,
    /// `ad_user_data` and `ad_personalization`; the US opt-outs of sale,
    /// sharing and targeted advertising. The purpose must be marked
    /// [`PurposeDef::sale_or_sharing`] and rest on consent (TCF purposes 3
    /// and 4 cannot rest on legitimate interest).
    pub fn advertising() -> Self {
        Standards::new()
            .with_tcf_purposes([2, 3, 4, 7])
            .with_consent_mode([
                ConsentType::AdStorage,
                ConsentType::AdUserData,
                ConsentType::AdPersonalization,
            ])
            .with_us_opt_outs(UsOptOut::ALL)
    }

    /// Analytics: TCF purposes 1 (store and/or access information on a
    /// device), 8 (measure content performance) and 9 (understand audiences
    /// through statistics); Consent Mode `analytics_storage`. TCF purpose 1
    /// is consent only, so the purpose must rest on consent.
    pub fn analytics() -> Self {
        Standards::new()
            .with_tcf_purposes([1, 8, 9])
            .with_consent_mode([ConsentType::AnalyticsStorage])
    }

    /// Personalised content: TCF purposes 5 and 6 (create and use profiles
    /// to personalise content) and 11 (limited data to select content);
    /// Consent Mode `personalization_storage`.
    pub fn personalised_content() -> Self {
        Standards::new()
            .with_tcf_purposes([5, 6, 11])
            .with_consent_mode([ConsentType::PersonalizationStorage])
    }

    /// Product development: TCF purpose 10 (develop and improve services).
    pub fn product_development() -> Self {
        Standards::new().with_tcf_purposes([10])
    }

    /// Adds TCF purposes (1 to [`TCF_MAX_PURPOSE`]).
    pub fn with_tcf_purposes(mut self, ids: impl IntoIterator<Item = u8>) -> Self {
        self.tcf_purposes.extend(ids);
        self
    }

    /// Adds TCF special features (1 to [`TCF_MAX_SPECIAL_FEATURE`]); they
    /// are opt-in only, so the purpose must rest on consent.
    pub fn with_tcf_special_features(mut self, ids: impl IntoIterator<Item = u8>) -> Self {
        self.tcf_special_features.extend(ids);
        self
    }

    /// Adds US opt-outs (GPP and US Privacy strings).
    pub fn with_us_opt_outs(mut self, opt_outs: impl IntoIterator<Item = UsOptOut>) -> Self {
        self.us_opt_outs.extend(opt_outs);
        self
    }

    /// Adds Google Consent Mode types.
    pub fn with_consent_mode(mut self, types: impl IntoIterator<Item = ConsentType>) -> Self {
        self.consent_mode.extend(types);
        self
    }

    /// The TCF purposes, as declared.
    #[must_use]
    pub fn tcf_purposes(&self) -> &[u8] {
        &self.tcf_purposes
    }

    /// The TCF special features, as declared.
    #[must_use]
    pub fn tcf_special_features(&self) -> &[u8] {
        &self.tcf_special_features
    }

    /// The US opt-outs, as declared.
    #[must_use]
    pub fn us_opt_outs(&self) -> &[UsOptOut] {
        &self.us_opt_outs
    }

    /// The Consent Mode types, as declared.
    #[must_use]
    pub fn consent_mode(&self) -> &[ConsentType] {
        &self.consent_mode
    }

    /// Whether the purpose is in no standard signal.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tcf_purposes.is_empty()
            && self.tcf_special_features.is_empty()
            && self.us_opt_outs.is_empty()
            && self.consent_mode.is_empty()
    }

    /// Whether a TC string answers for the purpose.
    pub(crate) fn in_tcf(&self) -> bool {
        !self.tcf_purposes.is_empty() || !self.tcf_special_features.is_empty()
    }

    /// The problem with this mapping on a purpose of `basis`, if any.
    pub(crate) fn problem(&self, basis: LegalBasis, sale_or_sharing: bool) -> Option<String> {
        if let Some(p) = first_bad(&self.tcf_purposes, TCF_MAX_PURPOSE) {
            return Some(format!(
                "maps TCF purpose {p}; TCF v2.2 purposes are 1 to {TCF_MAX_PURPOSE}"
            ));
        }
        if let Some(f) = first_bad(&self.tcf_special_features, TCF_MAX_SPECIAL_FEATURE) {
            return Some(format!(
                "maps TCF special feature {f}; TCF v2.2 special features are 1 to {TCF_MAX_SPECIAL_FEATURE}"
            ));
        }
        if let Some(p) = first_repeat(&self.tcf_purposes) {
            return Some(format!("maps TCF purpose {p} twice"));
        }
        if let Some(f) = first_repeat(&self.tcf_special_features) {
            return Some(format!("maps TCF special feature {f} twice"));
        }
        if let Some(o) = first_repeat(&self.us_opt_outs) {
            return Some(format!("maps the US opt-out `{}` twice", o.as_str()));
        }
        if let Some(t) = first_repeat(&self.consent_mode) {
            return Some(format!("maps Consent Mode type `{}` twice", t.as_str()));
        }
        if self.in_tcf() && !basis.honours_refusal() {
            return Some(format!(
                "maps TCF purposes or special features under legal basis `{}`; the TCF signals only consent and legitimate interest",
                basis.as_str()
            ));
        }
        if basis == LegalBasis::LegitimateInterest {
            if let Some(p) = self
                .tcf_purposes
                .iter()
                .find(|p| TCF_CONSENT_ONLY_PURPOSES.contains(p))
            {
                return Some(format!(
                    "maps TCF purpose {p} under legitimate interest; TCF Policy 2.2 allows only consent for purposes 1, 3, 4, 5 and 6"
                ));
            }
            if !self.tcf_special_features.is_empty() {
                return Some(
                    "maps TCF special features under legitimate interest; special features need an opt-in (consent)"
                        .into(),
                );
            }
        }
        if !self.us_opt_outs.is_empty() && !sale_or_sharing {
            return Some(
                "maps US opt-outs of sale, sharing or targeted advertising but is not marked sale_or_sharing"
                    .into(),
            );
        }
        None
    }
}

/// The first id outside `1..=max`.
fn first_bad(ids: &[u8], max: u8) -> Option<u8> {
    ids.iter().copied().find(|&i| i == 0 || i > max)
}

/// The first value listed twice.
fn first_repeat<T: PartialEq + Copy>(items: &[T]) -> Option<T> {
    items
        .iter()
        .enumerate()
        .find(|(i, x)| items.iter().take(*i).any(|y| y == *x))
        .map(|(_, x)| *x)
}

/// Each TCF purpose (per signal), special feature and US opt-out maps from
/// at most one catalog purpose: the first purpose that repeats one is the
/// error.
pub(crate) fn check_unique(purposes: &[Purpose]) -> Result<()> {
    // (what, signal, id) -> the purpose that mapped it first.
    let mut seen: Vec<(String, &str)> = Vec::new();
    for p in purposes {
        let s = &p.standards;
        let signal = if p.basis == LegalBasis::LegitimateInterest {
            "legitimate interest"
        } else {
            "consent"
        };
        let keys = s
            .tcf_purposes
            .iter()
            .map(|id| format!("TCF purpose {id} ({signal})"))
            .chain(
                s.tcf_special_features
                    .iter()
                    .map(|id| format!("TCF special feature {id}")),
            )
            .chain(
                s.us_opt_outs
                    .iter()
                    .map(|o| format!("the US opt-out `{}`", o.as_str())),
            );
        for key in keys {
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                return Err(Error::InvalidPurpose {
                    purpose: p.name.clone(),
                    problem: format!(
                        "{key} is already mapped from purpose {}; each maps from at most one catalog purpose",
                        crate::error::quoted(first)
                    ),
                });
            }
            seen.push((key, p.name.as_str()));
        }
    }
    Ok(())
}

impl PurposeDef {
    /// What the purpose corresponds to in the standard consent signals (TCF,
    /// GPP, US Privacy, Consent Mode): see [`Standards`]. Checked by
    /// [`CatalogBuilder::build`](crate::CatalogBuilder::build).
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef, Standards};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("browsing")
    ///     .purpose(
    ///         PurposeDef::new("stats", LegalBasis::Consent)
    ///             .title("Statistics")
    ///             .description("Counting visits.")
    ///             .categories(["browsing"])
    ///             .standards(Standards::analytics()),
    ///     )
    ///     .build()?;
    /// let stats = catalog.purpose("stats").expect("declared");
    /// assert_eq!(stats.standards().tcf_purposes(), [1, 8, 9]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn standards(mut self, standards: Standards) -> Self {
        self.standards = standards;
        self
    }
}

impl Purpose {
    /// What the purpose corresponds to in the standard consent signals
    /// (empty when the catalog declares no correspondence).
    pub fn standards(&self) -> &Standards {
        &self.standards
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn problem(s: Standards, basis: LegalBasis, sale: bool) -> Option<String> {
        s.problem(basis, sale)
    }

    #[test]
    fn problems_name_what_is_wrong() {
        let consent = LegalBasis::Consent;
        let li = LegalBasis::LegitimateInterest;
        let cases: [(Standards, LegalBasis, bool, Option<&str>); 9] = [
            (Standards::advertising(), consent, true, None),
            (Standards::analytics(), consent, false, None),
            (
                Standards::new().with_tcf_purposes([12]),
                consent,
                false,
                Some("maps TCF purpose 12; TCF v2.2 purposes are 1 to 11"),
            ),
            (
                Standards::new().with_tcf_purposes([0]),
                consent,
                false,
                Some("maps TCF purpose 0; TCF v2.2 purposes are 1 to 11"),
            ),
            (
                Standards::new().with_tcf_special_features([3]),
                consent,
                false,
                Some("maps TCF special feature 3; TCF v2.2 special features are 1 to 2"),
            ),
            (
                Standards::new().with_tcf_purposes([2, 2]),
                consent,
                false,
                Some("maps TCF purpose 2 twice"),
            ),
            (
                Standards::new().with_tcf_purposes([2, 4]),
                li,
                false,
                Some(
                    "maps TCF purpose 4 under legitimate interest; TCF Policy 2.2 allows only consent for purposes 1, 3, 4, 5 and 6",
                ),
            ),
            (
                Standards::new().with_tcf_purposes([7]),
                LegalBasis::Contract,
                false,
                Some(
                    "maps TCF purposes or special features under legal basis `contract`; the TCF signals only consent and legitimate interest",
                ),
            ),
            (
                Standards::new().with_us_opt_outs([UsOptOut::Sale]),
                li,
                false,
                Some(
                    "maps US opt-outs of sale, sharing or targeted advertising but is not marked sale_or_sharing",
                ),
            ),
        ];
        for (s, basis, sale, want) in cases {
            assert_eq!(problem(s, basis, sale).as_deref(), want);
        }
    }

    #[test]
    fn json_lists_are_optional_and_named() {
        let s: Standards =
            serde_json::from_str(r#"{"tcf_purposes":[2],"us_opt_outs":["sale"]}"#).unwrap();
        assert_eq!(
            s,
            Standards::new()
                .with_tcf_purposes([2])
                .with_us_opt_outs([UsOptOut::Sale])
        );
        assert_eq!(
            serde_json::to_string(&Standards::analytics()).unwrap(),
            r#"{"tcf_purposes":[1,8,9],"consent_mode":["analytics_storage"]}"#
        );
        assert!(serde_json::from_str::<Standards>(r#"{"tcf":[2]}"#).is_err());
        let many = format!("{{\"tcf_purposes\":[{}]}}", vec!["1"; 33].join(","));
        assert!(serde_json::from_str::<Standards>(&many).is_err());
    }
}
