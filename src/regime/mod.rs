//! Regimes: the rules of each law as data, with a pure evaluation.
//!
//! One catalog serves many laws. A [`Regime`] says, per [`PurposeKind`],
//! which [`Mechanism`] the law requires (opt-in, opt-out, notice only, a
//! condition such as a parent's consent, or a ban), how age changes it,
//! what an opt-out preference signal (Global Privacy Control) does, how long
//! to wait before asking again after a "no", and which objections apply;
//! every rule carries the article or section it comes from.
//!
//! Presets cover the EU/EEA (per country, for the age of digital consent),
//! the UK, Brazil, California, Virginia, Colorado, Connecticut, Utah, Texas,
//! Oregon, Maine's broadband law and COPPA ([`Regime::for_jurisdiction`]).
//! Hosts define their own, or override a preset's rules, with
//! [`Regime::builder`] / [`Regime::to_builder`] or in JSON.
//!
//! [`RegimeTable`] resolves regimes ahead of time, so that a subject's rules
//! are a 4-byte [`RegimeKey`] computed when its marks change and read per
//! check by date.
//!
//! A catalog enables regimes ([`CatalogBuilder::regime`]); the ledger then
//! decides each check under the regime of the subject's jurisdiction (see
//! the README's "Regimes").
//!
//! [`CatalogBuilder::regime`]: crate::CatalogBuilder::regime
//!
//! # Examples
//!
//! ```
//! use consentry::regime::{Condition, Mechanism, PurposeKind, Regime, Signal};
//! let de = Regime::for_jurisdiction("DE").unwrap();
//! let rule = de.rule(PurposeKind::TargetedAdvertising, Some(30), Signal::Absent);
//! assert_eq!(rule.mechanism(), Mechanism::OptIn);
//! // Under 18 on an online platform: banned by the Digital Services Act.
//! let minor = de.rule(PurposeKind::TargetedAdvertising, Some(15), Signal::Absent);
//! assert_eq!(minor.mechanism(), Mechanism::Prohibited);
//! assert!(minor.source().contains("Art. 28(2)"));
//! ```

mod build;
mod combine;
mod eval;
mod presets_intl;
mod presets_us;
mod resolved;
mod rules;
mod table;
mod types;

pub(crate) use build::RegimeRepr;
pub use build::{MAX_COOLDOWN_MONTHS, MAX_REGIME_TEXT, RegimeBuilder};
pub use eval::{AgeBand, Regime, RegimeRule};
pub use presets_intl::DIGITAL_CONSENT_AGES;
pub(crate) use presets_intl::is_eea_country;
pub use resolved::{PackedRule, RuleSet};
pub(crate) use rules::date_opt;
pub use rules::{Cooldown, KindRule, MAX_TIER_AGE, MAX_TIERS, SignalRule, Step, Tier};
pub use table::{RegimeId, RegimeKey, RegimeTable};
pub use types::{
    Binding, Condition, KindSet, Mechanism, Objection, Precedence, PurposeKind, Signal,
    SignalStatus, UnboundSignal,
};

#[cfg(test)]
mod tests;
