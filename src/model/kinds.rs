//! What kind of processing a purpose is, for regimes: the kinds a purpose
//! declares (or the default its marks imply) and the mechanisms a host
//! overrides for one regime.

use crate::model::purpose::{Purpose, PurposeDef};
use crate::regime::{KindSet, MAX_REGIME_TEXT, Mechanism, PurposeKind};

/// Most mechanism overrides one purpose declares.
pub(crate) const MAX_MECHANISM_OVERRIDES: usize = 64;

impl PurposeDef {
    /// Declares a kind of processing the purpose is (see
    /// [`PurposeKind`]); call again to add more. A purpose of several
    /// kinds gets, under each regime, the most protective of their rules.
    ///
    /// Without it the kind follows the purpose's marks: direct marketing
    /// ([`PurposeDef::direct_marketing`]) is
    /// [`PurposeKind::DirectMarketing`]; sale or sharing
    /// ([`PurposeDef::sale_or_sharing`]) is both [`PurposeKind::Sale`] and
    /// [`PurposeKind::TargetedAdvertising`]; anything else is
    /// [`PurposeKind::Other`].
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::regime::PurposeKind;
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    /// let catalog = Catalog::builder()
    ///     .category("history")
    ///     .purpose(
    ///         PurposeDef::new("credit", LegalBasis::Consent)
    ///             .title("Credit scoring")
    ///             .description("An automated credit decision.")
    ///             .categories(["history"])
    ///             .kind(PurposeKind::Profiling),
    ///     )
    ///     .build()?;
    /// let credit = catalog.purpose("credit").expect("declared");
    /// assert!(credit.kinds().contains(PurposeKind::Profiling));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn kind(mut self, kind: PurposeKind) -> Self {
        self.kinds = self.kinds.union(KindSet::of(&[kind]));
        self
    }

    /// Marks the purpose as targeted (cross-context behavioural)
    /// advertising: `.kind(PurposeKind::TargetedAdvertising)`.
    pub fn targeted_advertising(self) -> Self {
        self.kind(PurposeKind::TargetedAdvertising)
    }

    /// Marks the purpose as profiling with legal or similarly significant
    /// effects: `.kind(PurposeKind::Profiling)`.
    pub fn profiling(self) -> Self {
        self.kind(PurposeKind::Profiling)
    }

    /// Marks the purpose as strictly necessary for the service the person
    /// asked for: `.kind(PurposeKind::StrictlyNecessary)`.
    pub fn strictly_necessary(self) -> Self {
        self.kind(PurposeKind::StrictlyNecessary)
    }

    /// Overrides, for the regime with code `regime`, the mechanism its rule
    /// gives this purpose's kind: e.g. to ask for opt-in consent where the
    /// law would allow an opt-out, or to declare a use the host has
    /// assessed as needing notice only. The override replaces the rule for
    /// adults; where the regime requires a condition (a parent's or
    /// explicit consent) or forbids the use, that rule still applies. The
    /// catalog refuses an override for a regime it does not enable.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::regime::{Mechanism, Regime};
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    /// let catalog = Catalog::builder()
    ///     .category("browsing")
    ///     .purpose(
    ///         PurposeDef::new("ads", LegalBasis::Consent)
    ///             .title("Personalised ads")
    ///             .description("Ads chosen from what you browse.")
    ///             .categories(["browsing"])
    ///             .sale_or_sharing()
    ///             .mechanism_in("US-CA", Mechanism::OptIn),
    ///     )
    ///     .regime(Regime::california())
    ///     .build()?;
    /// let ads = catalog.purpose("ads").expect("declared");
    /// assert_eq!(ads.mechanism_in("US-CA"), Some(Mechanism::OptIn));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn mechanism_in(mut self, regime: impl Into<String>, mechanism: Mechanism) -> Self {
        self.mechanisms.push((regime.into(), mechanism));
        self
    }
}

impl Purpose {
    /// The kinds of processing the purpose is: as declared with
    /// [`PurposeDef::kind`], or the default its marks imply.
    #[must_use]
    pub fn kinds(&self) -> KindSet {
        if !self.kinds.is_empty() {
            return self.kinds;
        }
        let mut kinds = KindSet::EMPTY;
        if self.direct_marketing {
            kinds = kinds.union(KindSet::of(&[PurposeKind::DirectMarketing]));
        }
        if self.sale_or_sharing {
            kinds = kinds.union(KindSet::SALE_AND_ADS);
        }
        if kinds.is_empty() {
            kinds = KindSet::of(&[PurposeKind::Other]);
        }
        kinds
    }

    /// The mechanism overridden for the regime with code `regime`.
    #[must_use]
    pub fn mechanism_in(&self, regime: &str) -> Option<Mechanism> {
        self.mechanisms
            .iter()
            .find(|(code, _)| code == regime)
            .map(|(_, m)| *m)
    }

    /// Every override: regime code and mechanism, sorted by code.
    pub fn mechanisms(&self) -> impl Iterator<Item = (&str, Mechanism)> {
        self.mechanisms.iter().map(|(c, m)| (c.as_str(), *m))
    }
}

/// Checks and sorts a purpose's overrides: codes not empty, not too long,
/// each regime at most once.
pub(crate) fn check_mechanisms(
    mut list: Vec<(String, Mechanism)>,
) -> std::result::Result<Vec<(String, Mechanism)>, String> {
    if list.len() > MAX_MECHANISM_OVERRIDES {
        return Err(format!(
            "declares {} mechanism overrides (limit {MAX_MECHANISM_OVERRIDES})",
            list.len()
        ));
    }
    for (code, _) in &list {
        if code.trim().is_empty() {
            return Err("overrides a mechanism for a blank regime code".to_owned());
        }
        if code.len() > MAX_REGIME_TEXT {
            return Err(format!(
                "overrides a mechanism for a regime code of {} bytes (1 to {MAX_REGIME_TEXT})",
                code.len()
            ));
        }
    }
    list.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = list
        .windows(2)
        .find(|w| w.first().map(|x| &x.0) == w.get(1).map(|x| &x.0))
    {
        let code = w.first().map_or("", |x| x.0.as_str());
        return Err(format!(
            "overrides the mechanism for regime {} twice",
            crate::error::quoted(code)
        ));
    }
    Ok(list)
}
