//! The rows a regime is made of: a rule per kind of purpose (an adult step
//! and up to [`MAX_TIERS`] age tiers), the signal rule and the cooldown.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use super::types::{Binding, Condition, KindSet, Mechanism, Objection, Precedence};

/// The most age tiers a kind's rule holds.
pub const MAX_TIERS: usize = 4;

/// The source of the ban a preset rule with too many tiers falls back to.
pub(crate) const TOO_MANY_TIERS: &str = "preset error: more than 4 age tiers";

/// The highest age a tier may name (`below` is at most this).
pub const MAX_TIER_AGE: u8 = 21;

/// A calendar date in a `const` context (presets); an impossible date is a
/// bug in a preset, caught by the preset tests, and yields `Date::MIN`.
pub(crate) const fn ymd(year: i32, month: Month, day: u8) -> Date {
    match Date::from_calendar_date(year, month, day) {
        Ok(d) => d,
        Err(_) => Date::MIN,
    }
}

/// Whether a rule applying from `since` is in force on `on` (`None`: with
/// every rule in force, as the law stands).
fn in_force(since: Option<Date>, on: Option<Date>) -> bool {
    match (since, on) {
        (Some(since), Some(on)) => on >= since,
        _ => true,
    }
}

/// One rule: a mechanism, its condition, when it applies from, and the
/// article or section it comes from.
///
/// # Examples
///
/// ```
/// use consentry::regime::{Condition, Mechanism, Step};
/// let step = Step::new(Mechanism::OptIn, Condition::None, "GDPR Art. 6(1)(a)");
/// assert_eq!(step.mechanism(), Mechanism::OptIn);
/// assert_eq!(step.source(), "GDPR Art. 6(1)(a)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub(crate) mechanism: Mechanism,
    #[serde(default = "no_condition", skip_serializing_if = "is_no_condition")]
    pub(crate) condition: Condition,
    #[serde(default, with = "date_opt", skip_serializing_if = "Option::is_none")]
    pub(crate) since: Option<Date>,
    pub(crate) source: Cow<'static, str>,
}

fn no_condition() -> Condition {
    Condition::None
}

fn is_no_condition(c: &Condition) -> bool {
    *c == Condition::None
}

impl Step {
    /// A rule with its mechanism, condition and source. Whether the pair is
    /// allowed is checked when the regime is built.
    #[must_use]
    pub fn new(
        mechanism: Mechanism,
        condition: Condition,
        source: impl Into<Cow<'static, str>>,
    ) -> Step {
        Step {
            mechanism,
            condition,
            since: None,
            source: source.into(),
        }
    }

    /// The same rule, applying from `date` (inclusive): before it,
    /// [`Regime::rule_on`](crate::regime::Regime::rule_on) skips an age tier
    /// holding it.
    #[must_use]
    pub fn with_since(mut self, date: Date) -> Step {
        self.since = Some(date);
        self
    }

    pub(crate) fn fixed(mechanism: Mechanism, condition: Condition, source: &'static str) -> Step {
        Step {
            mechanism,
            condition,
            since: None,
            source: Cow::Borrowed(source),
        }
    }

    pub(crate) fn from(mut self, date: Date) -> Step {
        self.since = Some(date);
        self
    }

    /// The mechanism.
    #[must_use]
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// The condition.
    #[must_use]
    pub fn condition(&self) -> Condition {
        self.condition
    }

    /// The date it applies from, if the rule records one.
    #[must_use]
    pub fn since(&self) -> Option<Date> {
        self.since
    }

    /// The article or section it comes from.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    pub(crate) fn in_force(&self, on: Option<Date>) -> bool {
        in_force(self.since, on)
    }

    /// How protective it is, for the combinator: the mechanism first, then
    /// the condition.
    pub(crate) fn strictness(&self) -> (Mechanism, Condition) {
        (self.mechanism, self.condition)
    }
}

/// An age tier: the step that applies to a person whose age is known and
/// below `below`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tier {
    pub(crate) below: u8,
    pub(crate) step: Step,
}

impl Tier {
    /// A tier for ages `0..below`.
    #[must_use]
    pub(crate) fn new(below: u8, step: Step) -> Tier {
        Tier { below, step }
    }

    pub(crate) fn fixed(below: u8, step: Step) -> Tier {
        Tier { below, step }
    }

    /// The age it applies below.
    #[must_use]
    pub fn below(&self) -> u8 {
        self.below
    }

    /// Its step.
    #[must_use]
    pub fn step(&self) -> &Step {
        &self.step
    }
}

/// What a regime says about one kind of purpose.
///
/// The tiers are tried in order and the first one whose age bound holds and
/// which is in force wins; when none does (adult, or age unknown), the base
/// step applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KindRule {
    pub(crate) base: Step,
    pub(crate) tiers: [Option<Tier>; MAX_TIERS],
    pub(crate) objection: Objection,
    pub(crate) objection_source: Cow<'static, str>,
}

impl KindRule {
    pub(crate) fn fixed(base: Step) -> KindRule {
        KindRule {
            base,
            tiers: [None, None, None, None],
            objection: Objection::None,
            objection_source: Cow::Borrowed(""),
        }
    }

    /// Adds an age tier after the existing ones, for presets. A fifth tier
    /// has no room: the rule then fails closed (every age tier and the base
    /// become [`TOO_MANY_TIERS`] bans), which the preset tests look for.
    pub(crate) fn tier(mut self, below: u8, step: Step) -> KindRule {
        match self.tiers.iter_mut().find(|t| t.is_none()) {
            Some(slot) => *slot = Some(Tier::fixed(below, step)),
            None => {
                let ban = Step::fixed(Mechanism::Prohibited, Condition::None, TOO_MANY_TIERS);
                self.base = ban.clone();
                for tier in self.tiers.iter_mut().flatten() {
                    tier.step = ban.clone();
                }
            }
        }
        self
    }

    pub(crate) fn object(mut self, objection: Objection, source: &'static str) -> KindRule {
        self.objection = objection;
        self.objection_source = Cow::Borrowed(source);
        self
    }

    /// The step for adults and for people whose age is not known.
    #[must_use]
    pub fn base(&self) -> &Step {
        &self.base
    }

    /// The age tiers, in the order they are tried.
    pub fn tiers(&self) -> impl Iterator<Item = &Tier> {
        self.tiers.iter().flatten()
    }

    /// The right to object to this kind, and its source.
    #[must_use]
    pub fn objection(&self) -> (Objection, &str) {
        (self.objection, &self.objection_source)
    }

    pub(crate) fn step_for(&self, age: Option<u8>, on: Option<Date>) -> &Step {
        if let Some(age) = age {
            for tier in self.tiers.iter().flatten() {
                if age < tier.below && tier.step.in_force(on) {
                    return &tier.step;
                }
            }
        }
        &self.base
    }
}

/// What an opt-out preference signal (Global Privacy Control) means under a
/// regime.
///
/// # Examples
///
/// ```
/// use consentry::regime::{Binding, KindSet, Precedence, SignalRule};
/// let rule = SignalRule::new(
///     Binding::Binding,
///     KindSet::SALE_AND_ADS,
///     Precedence::ConfirmedAfterNotice,
///     "11 CCR §7025(b), (c)(1), (c)(3)",
/// );
/// assert_eq!(rule.binding(), Binding::Binding);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalRule {
    pub(crate) binding: Binding,
    pub(crate) kinds: KindSet,
    pub(crate) precedence: Precedence,
    #[serde(default, with = "date_opt", skip_serializing_if = "Option::is_none")]
    pub(crate) since: Option<Date>,
    pub(crate) source: Cow<'static, str>,
}

impl SignalRule {
    /// A signal rule: whether it binds, which kinds it opts out of, what wins
    /// over it later, and its source.
    #[must_use]
    pub fn new(
        binding: Binding,
        kinds: KindSet,
        precedence: Precedence,
        source: impl Into<Cow<'static, str>>,
    ) -> SignalRule {
        SignalRule {
            binding,
            kinds,
            precedence,
            since: None,
            source: source.into(),
        }
    }

    /// The same rule, binding only from `date` (inclusive).
    #[must_use]
    pub fn with_since(mut self, date: Date) -> SignalRule {
        self.since = Some(date);
        self
    }

    pub(crate) fn fixed(
        binding: Binding,
        kinds: KindSet,
        precedence: Precedence,
        source: &'static str,
    ) -> SignalRule {
        SignalRule {
            binding,
            kinds,
            precedence,
            since: None,
            source: Cow::Borrowed(source),
        }
    }

    pub(crate) fn from(mut self, date: Date) -> SignalRule {
        self.since = Some(date);
        self
    }

    /// Whether the law makes the signal binding (from [`SignalRule::since`]).
    #[must_use]
    pub fn binding(&self) -> Binding {
        self.binding
    }

    /// The kinds a signal opts out of.
    #[must_use]
    pub fn kinds(&self) -> KindSet {
        self.kinds
    }

    /// What wins when the person later opts in on the site.
    #[must_use]
    pub fn precedence(&self) -> Precedence {
        self.precedence
    }

    /// The date the duty applies from, if recorded.
    #[must_use]
    pub fn since(&self) -> Option<Date> {
        self.since
    }

    /// The article or section it comes from.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    pub(crate) fn binds_on(&self, on: Option<Date>) -> bool {
        self.binding == Binding::Binding && in_force(self.since, on)
    }
}

/// How long to wait after a "no" before asking again.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cooldown {
    pub(crate) months: u8,
    pub(crate) kinds: KindSet,
    pub(crate) source: Cow<'static, str>,
}

impl Cooldown {
    /// A wait of `months` calendar months after an opt-out of one of
    /// `kinds`.
    #[must_use]
    pub fn new(months: u8, kinds: KindSet, source: impl Into<Cow<'static, str>>) -> Cooldown {
        Cooldown {
            months,
            kinds,
            source: source.into(),
        }
    }

    pub(crate) fn fixed(months: u8, kinds: KindSet, source: &'static str) -> Cooldown {
        Cooldown {
            months,
            kinds,
            source: Cow::Borrowed(source),
        }
    }

    /// The wait, in calendar months.
    #[must_use]
    pub fn months(&self) -> u8 {
        self.months
    }

    /// The kinds it applies to.
    #[must_use]
    pub fn kinds(&self) -> KindSet {
        self.kinds
    }

    /// The article or section it comes from.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// `Option<Date>` as `"YYYY-MM-DD"` (the `time` crate's serde support is not
/// enabled by this library).
pub(crate) mod date_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::{Date, Month};

    pub(crate) fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => s.serialize_str(&format!(
                "{:04}-{:02}-{:02}",
                d.year(),
                u8::from(d.month()),
                d.day()
            )),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| parse(&t).map_err(serde::de::Error::custom))
            .transpose()
    }

    pub(crate) fn parse(text: &str) -> Result<Date, String> {
        let bad = || format!("date `{}` is not YYYY-MM-DD", crate::error::shown(text));
        let mut parts = text.split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|c| c.is_ascii_digit());
        if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        let day: u8 = d.parse().map_err(|_| bad())?;
        let month = Month::try_from(month).map_err(|_| bad())?;
        Date::from_calendar_date(year, month, day).map_err(|_| bad())
    }
}
