//! The most protective of several regimes, for a person whose jurisdiction
//! is unknown.

use std::borrow::Cow;

use super::build::validate;
use super::eval::Regime;
use super::rules::{Cooldown, KindRule, MAX_TIER_AGE, MAX_TIERS, SignalRule, Step, Tier};
use super::types::{Binding, KindSet, Objection, PurposeKind, UnboundSignal};
use crate::error::{Error, Result};

impl Regime {
    /// The most protective of `regimes`, as the laws stand with every dated
    /// rule in force.
    ///
    /// How it is computed:
    ///
    /// - per kind and per age band (the union of every regime's age
    ///   thresholds for the kind; adults and unknown ages are one band), the
    ///   strictest step of any regime: the highest [`Mechanism`] (notice only
    ///   < opt-out < opt-in < conditional < prohibited), then the highest
    ///   [`Condition`] (explicit < parental < joint consent); on a tie the
    ///   first regime given wins and its source is kept. Adjacent bands with
    ///   the same step merge; if more than [`MAX_TIERS`] remain, neighbours
    ///   merge into the stricter of the two, so a band may get a stricter
    ///   rule than any regime gives it, never a weaker one;
    /// - the strongest objection per kind;
    /// - the signal binds if it binds in any regime, covers every kind any
    ///   regime covers, with the strictest [`Precedence`](super::Precedence);
    ///   a signal that binds nowhere is honoured if any regime's host
    ///   choice honours it;
    /// - the longest cooldown, over every kind any cooldown covers.
    ///
    /// Dates are dropped: the result holds today's strictest rules.
    ///
    /// [`Mechanism`]: super::Mechanism
    /// [`Condition`]: super::Condition
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::regime::{Mechanism, PurposeKind, Regime, Signal};
    /// let strict = Regime::most_protective("XX", "unknown jurisdiction", &Regime::presets())?;
    /// // Opt-in somewhere (the EU) beats opt-out elsewhere (California).
    /// let sale = strict.rule(PurposeKind::Sale, Some(30), Signal::Absent);
    /// assert_eq!(sale.mechanism(), Mechanism::OptIn);
    /// // California's 12-month wait is the longest.
    /// assert_eq!(strict.cooldown().map(|c| c.months()), Some(12));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRegime`] if `regimes` is empty or `code` or `name`
    /// is not a valid regime code or name.
    pub fn most_protective(
        code: impl Into<Cow<'static, str>>,
        name: impl Into<Cow<'static, str>>,
        regimes: &[Regime],
    ) -> Result<Regime> {
        let code = code.into();
        let Some(first) = regimes.first() else {
            return Err(Error::InvalidRegime {
                regime: code.to_string(),
                problem: "the most protective of no regime is undefined".to_owned(),
            });
        };
        let [ka, kb, kc, kd, ke, kf, kg] = PurposeKind::ALL;
        let kinds = [
            combine_kind(ka, regimes),
            combine_kind(kb, regimes),
            combine_kind(kc, regimes),
            combine_kind(kd, regimes),
            combine_kind(ke, regimes),
            combine_kind(kf, regimes),
            combine_kind(kg, regimes),
        ];
        let regime = Regime {
            code,
            name: name.into(),
            kinds,
            signal: combine_signal(first, regimes),
            unbound_signal: if regimes
                .iter()
                .any(|r| r.unbound_signal == UnboundSignal::Honour)
            {
                UnboundSignal::Honour
            } else {
                UnboundSignal::Ignore
            },
            cooldown: combine_cooldown(regimes),
        };
        validate(&regime)?;
        Ok(regime)
    }
}

/// The strictest of the steps `regimes` give `kind` at `age`; the first
/// regime wins ties.
fn strictest(kind: PurposeKind, age: Option<u8>, regimes: &[Regime]) -> Step {
    let mut best: Option<&Step> = None;
    for r in regimes {
        let step = r.kind_rule(kind).step_for(age, None);
        if best.is_none_or(|b| step.strictness() > b.strictness()) {
            best = Some(step);
        }
    }
    let mut step = best.cloned().unwrap_or_else(|| {
        Step::new(
            super::Mechanism::Prohibited,
            super::Condition::None,
            "no regime",
        )
    });
    step.since = None;
    step
}

fn combine_kind(kind: PurposeKind, regimes: &[Regime]) -> KindRule {
    // The union of the age thresholds, ascending.
    let mut used = [false; MAX_TIER_AGE as usize + 1];
    for r in regimes {
        for tier in r.kind_rule(kind).tiers() {
            if let Some(slot) = used.get_mut(usize::from(tier.below)) {
                *slot = true;
            }
        }
    }
    let thresholds: Vec<u8> = (1..=MAX_TIER_AGE)
        .filter(|a| used.get(usize::from(*a)) == Some(&true))
        .collect();
    let adult = strictest(kind, None, regimes);
    // One (below, step) per band below the last threshold.
    let mut bands: Vec<(u8, Step)> = Vec::with_capacity(thresholds.len());
    let mut low = 0u8;
    for &below in &thresholds {
        bands.push((below, strictest(kind, Some(low), regimes)));
        low = below;
    }
    // Bands equal to the adult rule at the old end need no tier.
    while bands.last().is_some_and(|(_, s)| *s == adult) {
        bands.pop();
    }
    // Adjacent equal bands merge into the later (wider) one.
    let mut merged: Vec<(u8, Step)> = Vec::with_capacity(bands.len());
    for (below, step) in bands {
        match merged.last_mut() {
            Some(last) if last.1 == step => last.0 = below,
            _ => merged.push((below, step)),
        }
    }
    // Too many: merge the neighbours into the stricter, youngest first.
    while merged.len() > MAX_TIERS {
        let young = merged.remove(0);
        if let Some(next) = merged.first_mut()
            && young.1.strictness() > next.1.strictness()
        {
            next.1 = young.1;
        }
    }
    let mut objection = Objection::None;
    let mut objection_source: Cow<'static, str> = Cow::Borrowed("");
    for r in regimes {
        let rule = r.kind_rule(kind);
        if rule.objection > objection {
            objection = rule.objection;
            objection_source = rule.objection_source.clone();
        }
    }
    let mut tiers: [Option<Tier>; MAX_TIERS] = Default::default();
    for (slot, (below, step)) in tiers.iter_mut().zip(merged) {
        *slot = Some(Tier { below, step });
    }
    KindRule {
        base: adult,
        tiers,
        objection,
        objection_source,
    }
}

fn combine_signal(first: &Regime, regimes: &[Regime]) -> SignalRule {
    let mut kinds = KindSet::EMPTY;
    let mut best = &first.signal;
    for r in regimes {
        kinds = kinds.union(r.signal.kinds);
        if (r.signal.binding, r.signal.precedence) > (best.binding, best.precedence) {
            best = &r.signal;
        }
    }
    let binding = if regimes.iter().any(|r| r.signal.binding == Binding::Binding) {
        Binding::Binding
    } else {
        Binding::NotBinding
    };
    SignalRule {
        binding,
        kinds,
        precedence: best.precedence,
        since: None,
        source: best.source.clone(),
    }
}

fn combine_cooldown(regimes: &[Regime]) -> Option<Cooldown> {
    let mut kinds = KindSet::EMPTY;
    let mut best: Option<&Cooldown> = None;
    for c in regimes.iter().filter_map(|r| r.cooldown.as_ref()) {
        kinds = kinds.union(c.kinds);
        if best.is_none_or(|b| c.months > b.months) {
            best = Some(c);
        }
    }
    best.map(|b| Cooldown {
        months: b.months,
        kinds,
        source: b.source.clone(),
    })
}
