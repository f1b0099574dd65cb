//! Host-defined regimes and overrides: the builder, the JSON form, and the
//! validation both go through.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::eval::Regime;
use super::rules::{Cooldown, KindRule, MAX_TIER_AGE, MAX_TIERS, SignalRule, Step, Tier};
use super::types::{
    Binding, Condition, KindSet, Objection, Precedence, PurposeKind, UnboundSignal,
};
use crate::error::{Error, Result};

/// The longest code, name or source a regime accepts, in bytes.
pub const MAX_REGIME_TEXT: usize = 256;

/// The longest cooldown a regime accepts, in months.
pub const MAX_COOLDOWN_MONTHS: u8 = 120;

/// Builds a regime from scratch ([`Regime::builder`]) or by overriding rules
/// of an existing one ([`Regime::to_builder`]).
///
/// Setters keep going after a bad value; [`RegimeBuilder::build`] reports
/// the first problem, naming the kind of purpose or field.
///
/// # Examples
///
/// Override one rule of a preset:
///
/// ```
/// use consentry::regime::{Condition, Mechanism, PurposeKind, Regime, Signal, Step};
/// let mine = Regime::virginia()
///     .to_builder()
///     .code("US-VA-acme")
///     .rule(PurposeKind::Other, Step::new(Mechanism::OptIn, Condition::None, "Acme policy 4.2"))
///     .build()?;
/// let rule = mine.rule(PurposeKind::Other, Some(30), Signal::Absent);
/// assert_eq!(rule.mechanism(), Mechanism::OptIn);
/// assert_eq!(rule.source(), "Acme policy 4.2");
/// # Ok::<(), consentry::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidRegime`] from `build` when a kind has no rule, a
/// condition does not fit its mechanism, a source is empty, an age tier is
/// out of range or one too many, or a signal or cooldown rule is empty.
#[derive(Debug, Clone)]
pub struct RegimeBuilder {
    code: Cow<'static, str>,
    name: Cow<'static, str>,
    kinds: [Option<KindRule>; PurposeKind::COUNT],
    signal: SignalRule,
    unbound_signal: UnboundSignal,
    cooldown: Option<Cooldown>,
    first_error: Option<String>,
}

/// The signal rule of a regime that states none: not binding, over sale and
/// targeted advertising, so the host's [`UnboundSignal`] choice decides.
pub(crate) fn default_signal() -> SignalRule {
    SignalRule::fixed(
        Binding::NotBinding,
        KindSet::SALE_AND_ADS,
        Precedence::SignalWins,
        "no signal rule stated: the host's choice",
    )
}

impl Regime {
    /// A builder for a new regime: every kind needs a [`RegimeBuilder::rule`].
    #[must_use]
    pub fn builder(
        code: impl Into<Cow<'static, str>>,
        name: impl Into<Cow<'static, str>>,
    ) -> RegimeBuilder {
        RegimeBuilder {
            code: code.into(),
            name: name.into(),
            kinds: Default::default(),
            signal: default_signal(),
            unbound_signal: UnboundSignal::Honour,
            cooldown: None,
            first_error: None,
        }
    }

    /// A builder holding this regime's rules, to override some of them.
    #[must_use]
    pub fn to_builder(&self) -> RegimeBuilder {
        let [a, b, c, d, e, f, g] = self.kinds.clone();
        RegimeBuilder {
            code: self.code.clone(),
            name: self.name.clone(),
            kinds: [
                Some(a),
                Some(b),
                Some(c),
                Some(d),
                Some(e),
                Some(f),
                Some(g),
            ],
            signal: self.signal.clone(),
            unbound_signal: self.unbound_signal,
            cooldown: self.cooldown.clone(),
            first_error: None,
        }
    }
}

impl RegimeBuilder {
    /// Sets the code (a jurisdiction, or the host's own name for it).
    #[must_use]
    pub fn code(mut self, code: impl Into<Cow<'static, str>>) -> Self {
        self.code = code.into();
        self
    }

    /// Sets the human name.
    #[must_use]
    pub fn name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.name = name.into();
        self
    }

    fn slot(&mut self, kind: PurposeKind) -> Option<&mut Option<KindRule>> {
        self.kinds.get_mut(kind.index())
    }

    /// Sets the base rule of `kind` (adults and unknown ages), keeping its
    /// age tiers and objection.
    #[must_use]
    pub fn rule(mut self, kind: PurposeKind, step: Step) -> Self {
        if let Some(slot) = self.slot(kind) {
            match slot {
                Some(rule) => rule.base = step,
                None => *slot = Some(KindRule::fixed(step)),
            }
        }
        self
    }

    /// Adds an age tier to `kind`, tried after its existing tiers: for a
    /// known age below `below`, `step` applies (the first matching tier in
    /// force wins). Needs a [`RegimeBuilder::rule`] for `kind` first.
    #[must_use]
    pub fn minor(mut self, kind: PurposeKind, below: u8, step: Step) -> Self {
        let problem = match self.slot(kind) {
            Some(Some(rule)) => match rule.tiers.iter_mut().find(|t| t.is_none()) {
                Some(free) => {
                    *free = Some(Tier::new(below, step));
                    None
                }
                None => Some(format!("kind `{kind}` has more than {MAX_TIERS} age tiers")),
            },
            _ => Some(format!(
                "kind `{kind}` has an age tier before its base rule"
            )),
        };
        if self.first_error.is_none() {
            self.first_error = problem;
        }
        self
    }

    /// Removes the age tiers of `kind`.
    #[must_use]
    pub fn clear_minors(mut self, kind: PurposeKind) -> Self {
        if let Some(Some(rule)) = self.slot(kind) {
            rule.tiers = Default::default();
        }
        self
    }

    /// Sets the right to object to `kind` and its source.
    #[must_use]
    pub fn objection(
        mut self,
        kind: PurposeKind,
        objection: Objection,
        source: impl Into<Cow<'static, str>>,
    ) -> Self {
        if let Some(Some(rule)) = self.slot(kind) {
            rule.objection = objection;
            rule.objection_source = source.into();
        }
        self
    }

    /// Sets what an opt-out preference signal means.
    #[must_use]
    pub fn signal(mut self, rule: SignalRule) -> Self {
        self.signal = rule;
        self
    }

    /// Sets what to do with a signal the law does not make binding.
    #[must_use]
    pub fn unbound_signal(mut self, choice: UnboundSignal) -> Self {
        self.unbound_signal = choice;
        self
    }

    /// Sets the wait after a "no" before asking again.
    #[must_use]
    pub fn cooldown(mut self, cooldown: Cooldown) -> Self {
        self.cooldown = Some(cooldown);
        self
    }

    /// Removes the cooldown.
    #[must_use]
    pub fn no_cooldown(mut self) -> Self {
        self.cooldown = None;
        self
    }

    /// The regime, validated.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRegime`] naming the first problem (see
    /// [`RegimeBuilder`]).
    pub fn build(self) -> Result<Regime> {
        let bad = |problem: String| Error::InvalidRegime {
            regime: self.code.to_string(),
            problem,
        };
        if let Some(problem) = &self.first_error {
            return Err(bad(problem.clone()));
        }
        let mut kinds = Vec::with_capacity(PurposeKind::COUNT);
        for (kind, rule) in PurposeKind::ALL.into_iter().zip(self.kinds.iter()) {
            match rule {
                Some(rule) => kinds.push(rule.clone()),
                None => return Err(bad(format!("no rule for kind `{kind}`"))),
            }
        }
        let Ok(kinds) = <[KindRule; PurposeKind::COUNT]>::try_from(kinds) else {
            return Err(bad("wrong number of kinds".to_owned()));
        };
        let regime = Regime {
            code: self.code.clone(),
            name: self.name.clone(),
            kinds,
            signal: self.signal.clone(),
            unbound_signal: self.unbound_signal,
            cooldown: self.cooldown.clone(),
        };
        validate(&regime)?;
        Ok(regime)
    }
}

fn check_text(what: &str, text: &str) -> std::result::Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("{what} is empty"));
    }
    if text.len() > MAX_REGIME_TEXT {
        return Err(format!(
            "{what} is {} bytes, above the limit of {MAX_REGIME_TEXT}",
            text.len()
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(format!("{what} holds a control character"));
    }
    Ok(())
}

fn check_step(what: &str, step: &Step) -> std::result::Result<(), String> {
    if !step.condition.fits(step.mechanism) {
        return Err(format!(
            "{what}: mechanism `{}` cannot carry condition `{}`",
            step.mechanism, step.condition
        ));
    }
    check_text(&format!("{what} source"), &step.source)
}

/// Checks everything a regime must hold; used by the builder and by JSON
/// loading, so both name problems the same way.
pub(crate) fn validate(regime: &Regime) -> Result<()> {
    let bad = |problem: String| Error::InvalidRegime {
        regime: regime.code.to_string(),
        problem,
    };
    check_text("code", &regime.code).map_err(bad)?;
    if !regime
        .code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(bad(
            "code may hold only ASCII letters, digits, `-` and `_`".to_owned()
        ));
    }
    check_text("name", &regime.name).map_err(bad)?;
    for kind in PurposeKind::ALL {
        let rule = regime.kind_rule(kind);
        check_step(&format!("kind `{kind}`"), &rule.base).map_err(bad)?;
        for (i, tier) in rule.tiers().enumerate() {
            let what = format!("kind `{kind}` age tier {i} (below {})", tier.below);
            if tier.below == 0 || tier.below > MAX_TIER_AGE {
                return Err(bad(format!("{what}: the age must be 1 to {MAX_TIER_AGE}")));
            }
            check_step(&what, &tier.step).map_err(bad)?;
        }
        if rule.objection != Objection::None {
            check_text(
                &format!("kind `{kind}` objection source"),
                &rule.objection_source,
            )
            .map_err(bad)?;
        }
    }
    check_text("signal source", &regime.signal.source).map_err(bad)?;
    if regime.signal.kinds.is_empty() && regime.signal.binding == Binding::Binding {
        return Err(bad("a binding signal rule covers no kind".to_owned()));
    }
    if let Some(c) = &regime.cooldown {
        if c.months == 0 || c.months > MAX_COOLDOWN_MONTHS {
            return Err(bad(format!(
                "cooldown of {} months: it must be 1 to {MAX_COOLDOWN_MONTHS}",
                c.months
            )));
        }
        if c.kinds.is_empty() {
            return Err(bad("cooldown covers no kind".to_owned()));
        }
        check_text("cooldown source", &c.source).map_err(bad)?;
    }
    Ok(())
}

/// The JSON form of a regime: its rules as a list, one entry per kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegimeRepr {
    code: Cow<'static, str>,
    name: Cow<'static, str>,
    rules: Vec<KindRuleRepr>,
    signal: SignalRule,
    #[serde(default)]
    unbound_signal: UnboundSignal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cooldown: Option<Cooldown>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindRuleRepr {
    kind: PurposeKind,
    base: Step,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    minors: Vec<TierRepr>,
    #[serde(default, skip_serializing_if = "is_no_objection")]
    objection: Objection,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    objection_source: Cow<'static, str>,
}

fn is_no_objection(o: &Objection) -> bool {
    *o == Objection::None
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TierRepr {
    below: u8,
    #[serde(flatten)]
    step: StepFields,
}

/// The fields of a [`Step`] inside a tier (`flatten` cannot be combined
/// with `deny_unknown_fields` on the inner type, so the outer one denies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StepFields {
    mechanism: super::types::Mechanism,
    #[serde(default = "none_condition")]
    condition: Condition,
    #[serde(
        default,
        with = "super::rules::date_opt",
        skip_serializing_if = "Option::is_none"
    )]
    since: Option<time::Date>,
    source: Cow<'static, str>,
}

fn none_condition() -> Condition {
    Condition::None
}

impl From<Regime> for RegimeRepr {
    fn from(r: Regime) -> Self {
        let rules = PurposeKind::ALL
            .into_iter()
            .zip(r.kinds)
            .map(|(kind, rule)| KindRuleRepr {
                kind,
                base: rule.base,
                minors: rule
                    .tiers
                    .into_iter()
                    .flatten()
                    .map(|t| TierRepr {
                        below: t.below,
                        step: StepFields {
                            mechanism: t.step.mechanism,
                            condition: t.step.condition,
                            since: t.step.since,
                            source: t.step.source,
                        },
                    })
                    .collect(),
                objection: rule.objection,
                objection_source: rule.objection_source,
            })
            .collect();
        RegimeRepr {
            code: r.code,
            name: r.name,
            rules,
            signal: r.signal,
            unbound_signal: r.unbound_signal,
            cooldown: r.cooldown,
        }
    }
}

impl TryFrom<RegimeRepr> for Regime {
    type Error = Error;

    fn try_from(repr: RegimeRepr) -> Result<Regime> {
        let code = repr.code.to_string();
        let bad = |problem: String| Error::InvalidRegime {
            regime: code.clone(),
            problem,
        };
        let mut b = Regime::builder(repr.code, repr.name)
            .signal(repr.signal)
            .unbound_signal(repr.unbound_signal);
        if let Some(c) = repr.cooldown {
            b = b.cooldown(c);
        }
        let mut seen = KindSet::EMPTY;
        for rule in repr.rules {
            if seen.contains(rule.kind) {
                return Err(bad(format!(
                    "kind `{}` appears twice in `rules`",
                    rule.kind
                )));
            }
            seen = seen.union(KindSet::of(&[rule.kind]));
            if rule.minors.len() > MAX_TIERS {
                return Err(bad(format!(
                    "kind `{}` has {} age tiers, above the limit of {MAX_TIERS}",
                    rule.kind,
                    rule.minors.len()
                )));
            }
            b = b.rule(rule.kind, rule.base);
            for t in rule.minors {
                let s = t.step;
                let step = Step {
                    mechanism: s.mechanism,
                    condition: s.condition,
                    since: s.since,
                    source: s.source,
                };
                b = b.minor(rule.kind, t.below, step);
            }
            b = b.objection(rule.kind, rule.objection, rule.objection_source);
        }
        b.build()
    }
}

impl Serialize for Regime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        RegimeRepr::from(self.clone()).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Regime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let repr = RegimeRepr::deserialize(d)?;
        Regime::try_from(repr).map_err(serde::de::Error::custom)
    }
}

impl Regime {
    /// Reads a regime from its JSON form, validated.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::regime::Regime;
    /// let json = Regime::utah().to_json();
    /// assert_eq!(Regime::from_json(&json)?, Regime::utah());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRegime`] naming the problem: malformed JSON, an
    /// unknown field, a kind missing or given twice, or any problem
    /// [`RegimeBuilder::build`] reports.
    pub fn from_json(json: &str) -> Result<Regime> {
        let repr: RegimeRepr = serde_json::from_str(json).map_err(|e| Error::InvalidRegime {
            regime: code_hint(json),
            problem: e.to_string(),
        })?;
        Regime::try_from(repr)
    }

    /// The regime's JSON form (what [`Regime::from_json`] reads).
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(&RegimeRepr::from(self.clone())).unwrap_or_default()
    }
}

/// The `code` of a regime whose JSON failed to load, if it can be read,
/// for the error message.
fn code_hint(json: &str) -> String {
    #[derive(Deserialize)]
    struct Code {
        code: String,
    }
    serde_json::from_str::<Code>(json)
        .map(|c| c.code)
        .unwrap_or_else(|_| "?".to_owned())
}
