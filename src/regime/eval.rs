//! A regime and its pure evaluation: kind, age and signal in, the rule that
//! applies out, with its source. No allocation, no clock.

use std::borrow::Cow;

use time::Date;

use super::rules::{Cooldown, KindRule, MAX_TIERS, SignalRule};
use super::types::{
    Condition, Mechanism, Objection, PurposeKind, Signal, SignalStatus, UnboundSignal,
};

/// The rules of one law (or one host's policy) for every kind of purpose.
///
/// Built from a preset ([`Regime::for_jurisdiction`], [`Regime::california`],
/// ...), from a [`RegimeBuilder`](crate::regime::RegimeBuilder), or from
/// JSON (`serde`; validated on the way in). Asked with [`Regime::rule`].
///
/// # Examples
///
/// ```
/// use consentry::regime::{Condition, Mechanism, PurposeKind, Regime, Signal};
/// let ca = Regime::california();
/// // An adult: sale is permitted until an opt-out (Civ. Code §1798.120(a)).
/// let adult = ca.rule(PurposeKind::Sale, Some(30), Signal::Absent);
/// assert_eq!(adult.mechanism(), Mechanism::OptOut);
/// // 14 years old: the consumer's own opt-in (§1798.120(c)).
/// let teen = ca.rule(PurposeKind::Sale, Some(14), Signal::Absent);
/// assert_eq!(teen.mechanism(), Mechanism::OptIn);
/// assert_eq!(teen.condition(), Condition::MinorOptIn);
/// assert!(teen.source().contains("1798.120(c)"));
/// // Global Privacy Control is a binding opt-out (11 CCR §7025).
/// let gpc = ca.rule(PurposeKind::Sale, Some(30), Signal::Present);
/// assert_eq!(gpc.condition(), Condition::OptedOutBySignal);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Regime {
    pub(crate) code: Cow<'static, str>,
    pub(crate) name: Cow<'static, str>,
    pub(crate) kinds: [KindRule; PurposeKind::COUNT],
    pub(crate) signal: SignalRule,
    pub(crate) unbound_signal: UnboundSignal,
    pub(crate) cooldown: Option<Cooldown>,
}

/// The rule that applies to one kind of purpose for one person, as
/// [`Regime::rule`] answers it. Borrows its source from the regime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RegimeRule<'a> {
    mechanism: Mechanism,
    condition: Condition,
    signal: SignalStatus,
    since: Option<Date>,
    source: &'a str,
}

impl<'a> RegimeRule<'a> {
    /// How the law lets processing of this kind happen for this person.
    #[must_use]
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// What must hold besides the mechanism, or why it differs from the
    /// adult rule ([`Condition::OptedOutBySignal`] when a signal opts out).
    #[must_use]
    pub fn condition(&self) -> Condition {
        self.condition
    }

    /// What the opt-out signal did.
    #[must_use]
    pub fn signal(&self) -> SignalStatus {
        self.signal
    }

    /// The date the rule applies from, if recorded.
    #[must_use]
    pub fn since(&self) -> Option<Date> {
        self.since
    }

    /// The article or section the rule comes from.
    #[must_use]
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// Whether processing may go on while the person has said nothing:
    /// [`Mechanism::NoticeOnly`] or [`Mechanism::OptOut`], not opted out by
    /// a signal.
    #[must_use]
    pub fn permits_silence(&self) -> bool {
        self.mechanism.permits_silence() && self.condition != Condition::OptedOutBySignal
    }
}

/// Which of a regime's age bands a person falls in: people in one band get
/// the same rules for every kind.
///
/// A band is an index (at most `MAX_TIERS * 7`); with a regime index it is
/// what a ledger can keep per subject instead of the age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgeBand(u8);

impl AgeBand {
    /// The band of index `index`, as kept by a ledger (an index past the
    /// regime's last band means the adult band).
    #[must_use]
    pub const fn from_index(index: u8) -> AgeBand {
        AgeBand(index)
    }

    /// Its index: 0 is the youngest band; the last is adults and people of
    /// unknown age.
    #[must_use]
    pub fn index(self) -> u8 {
        self.0
    }
}

/// The distinct age thresholds of a regime, ascending, without allocating.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Thresholds {
    ages: [u8; MAX_TIERS * PurposeKind::COUNT],
    len: usize,
}

impl Thresholds {
    pub(crate) fn as_slice(&self) -> &[u8] {
        self.ages.get(..self.len).unwrap_or(&[])
    }
}

impl Regime {
    /// The rule for `kind`, for a person of `age` (`None`: not known, which
    /// gets the adult rule, as the laws apply their children's rules to
    /// known or wilfully disregarded ages), with or without an opt-out
    /// `signal`, as the law stands with every dated rule in force.
    ///
    /// A signal changes only a rule that permits silence (notice only or
    /// opt-out) of a kind the signal rule covers: it becomes an opt-out with
    /// [`Condition::OptedOutBySignal`] when the signal binds, or when it does
    /// not and the host honours it ([`UnboundSignal::Honour`], the default).
    /// Stricter rules are left as they are.
    #[must_use]
    pub fn rule(&self, kind: PurposeKind, age: Option<u8>, signal: Signal) -> RegimeRule<'_> {
        self.evaluate(kind, age, signal, None)
    }

    /// [`Regime::rule`] as the law stood on `date`: an age tier or a signal
    /// duty that applies from a later date is skipped (the base rule of a
    /// kind always applies).
    #[must_use]
    pub fn rule_on(
        &self,
        kind: PurposeKind,
        age: Option<u8>,
        signal: Signal,
        date: Date,
    ) -> RegimeRule<'_> {
        self.evaluate(kind, age, signal, Some(date))
    }

    pub(crate) fn evaluate(
        &self,
        kind: PurposeKind,
        age: Option<u8>,
        signal: Signal,
        on: Option<Date>,
    ) -> RegimeRule<'_> {
        let step = self.kind_rule(kind).step_for(age, on);
        let mut rule = RegimeRule {
            mechanism: step.mechanism,
            condition: step.condition,
            signal: SignalStatus::Absent,
            since: step.since,
            source: &step.source,
        };
        if signal == Signal::Absent {
            return rule;
        }
        rule.signal = SignalStatus::NotApplicable;
        if !self.signal.kinds.contains(kind) || !step.mechanism.permits_silence() {
            return rule;
        }
        rule.signal = if self.signal.binds_on(on) {
            SignalStatus::Binding
        } else {
            match self.unbound_signal {
                UnboundSignal::Honour => SignalStatus::HonouredByChoice,
                UnboundSignal::Ignore => {
                    return RegimeRule {
                        signal: SignalStatus::IgnoredByChoice,
                        ..rule
                    };
                }
            }
        };
        rule.mechanism = Mechanism::OptOut;
        rule.condition = Condition::OptedOutBySignal;
        // The duty's date only when the duty is what applies.
        rule.since = match rule.signal {
            SignalStatus::Binding => self.signal.since,
            _ => None,
        };
        rule.source = &self.signal.source;
        rule
    }

    /// The regime's rule for `kind`: its base step, age tiers and objection.
    #[must_use]
    pub fn kind_rule(&self, kind: PurposeKind) -> &KindRule {
        // INVARIANT: `kinds` has one entry per `PurposeKind::index`.
        match self.kinds.get(kind.index()) {
            Some(rule) => rule,
            None => &self.kinds[0],
        }
    }

    /// The right to object to `kind` and its source.
    #[must_use]
    pub fn objection(&self, kind: PurposeKind) -> (Objection, &str) {
        self.kind_rule(kind).objection()
    }

    /// The regime's code: a jurisdiction (`"FR"`, `"US-CA"`) or the host's own.
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Its human name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What an opt-out preference signal means.
    #[must_use]
    pub fn signal_rule(&self) -> &SignalRule {
        &self.signal
    }

    /// What the host does with a signal the law does not make binding.
    #[must_use]
    pub fn unbound_signal(&self) -> UnboundSignal {
        self.unbound_signal
    }

    /// The wait after a "no" before asking again, if the regime sets one.
    #[must_use]
    pub fn cooldown(&self) -> Option<&Cooldown> {
        self.cooldown.as_ref()
    }

    pub(crate) fn thresholds(&self) -> Thresholds {
        let mut t = Thresholds {
            ages: [0; MAX_TIERS * PurposeKind::COUNT],
            len: 0,
        };
        for rule in &self.kinds {
            for tier in rule.tiers() {
                let seen = t.as_slice();
                if seen.contains(&tier.below) {
                    continue;
                }
                let at = seen.partition_point(|a| *a < tier.below);
                let len = t.len;
                // Shift right by one to keep the list sorted; `len` is at most
                // 7 * MAX_TIERS - 1 here since each tier adds at most one age.
                if let Some(window) = t.ages.get_mut(at..=len) {
                    window.rotate_right(1);
                    if let Some(first) = window.first_mut() {
                        *first = tier.below;
                        t.len += 1;
                    }
                }
            }
        }
        t
    }

    /// The age band of a person of `age` (`None`: not known). People in the
    /// same band get the same answer from [`Regime::rule_in_band`] as from
    /// [`Regime::rule`] with their age.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::regime::{PurposeKind, Regime, Signal};
    /// let ca = Regime::california();
    /// // California's thresholds are 13 and 16: three bands.
    /// assert_eq!(ca.age_band(Some(12)).index(), 0);
    /// assert_eq!(ca.age_band(Some(15)).index(), 1);
    /// assert_eq!(ca.age_band(Some(40)), ca.age_band(None));
    /// let band = ca.age_band(Some(14));
    /// assert_eq!(
    ///     ca.rule_in_band(PurposeKind::Sale, band, Signal::Absent),
    ///     ca.rule(PurposeKind::Sale, Some(14), Signal::Absent),
    /// );
    /// ```
    #[must_use]
    pub fn age_band(&self, age: Option<u8>) -> AgeBand {
        let t = self.thresholds();
        let ages = t.as_slice();
        let band = match age {
            Some(age) => ages.partition_point(|a| *a <= age),
            None => ages.len(),
        };
        AgeBand(u8::try_from(band).unwrap_or(u8::MAX))
    }

    /// [`Regime::rule`] for anyone in `band` (from [`Regime::age_band`] of
    /// this regime). A band past the last is treated as the adult band.
    #[must_use]
    pub fn rule_in_band(&self, kind: PurposeKind, band: AgeBand, signal: Signal) -> RegimeRule<'_> {
        self.evaluate(kind, self.band_age(band), signal, None)
    }

    /// [`Regime::rule_in_band`] as the law stood on `date`.
    #[must_use]
    pub fn rule_in_band_on(
        &self,
        kind: PurposeKind,
        band: AgeBand,
        signal: Signal,
        date: Date,
    ) -> RegimeRule<'_> {
        self.evaluate(kind, self.band_age(band), signal, Some(date))
    }

    /// A representative age of `band`: its lowest age, or `None` for the
    /// adult band.
    pub(crate) fn band_age(&self, band: AgeBand) -> Option<u8> {
        let t = self.thresholds();
        let ages = t.as_slice();
        let i = usize::from(band.0);
        if i >= ages.len() {
            return None;
        }
        match i.checked_sub(1) {
            None => Some(0),
            Some(prev) => ages.get(prev).copied(),
        }
    }
}
