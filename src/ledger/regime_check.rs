//! The decision rules under a regime: what the law of the subject's
//! jurisdiction requires for the purpose's kind at the subject's age, and
//! what wins between an opt-out signal and a later consent.
//!
//! In the `Ledger` docs: the "Checks" group ([`Ledger::explain`]).

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use time::OffsetDateTime;

use crate::instant::Timestamp;
use crate::ledger::Ledger;
use crate::ledger::checks::Outcome;
use crate::ledger::decision::Decision;
use crate::ledger::facts::age_on;
use crate::ledger::store::{GIVEN, Row, RowFlags};
use crate::model::basis::LegalBasis;
use crate::model::category::Category;
use crate::model::evidence::GivenBy;
use crate::model::facts::Jurisdiction;
use crate::model::purpose::Purpose;
use crate::model::regimes::CatalogRegimes;
use crate::regime::{
    Condition, KindSet, MAX_TIER_AGE, Mechanism, PackedRule, Precedence, PurposeKind, Signal,
};
use crate::wire::timestamp::{LAST, MIN, Nanos};

/// What decided a check under a regime, for the decision and its
/// explanation.
#[derive(Debug, Clone, Copy)]
pub(super) struct Judgement {
    pub(super) outcome: Outcome,
    /// The regime's index in the catalog's regimes.
    pub(crate) regime: u16,
    /// The kind whose rule applied.
    pub(crate) kind: PurposeKind,
    /// Every kind of the purpose.
    kinds: KindSet,
    /// The rule that applied (after any override).
    pub(crate) rule: PackedRule,
    /// Whether the purpose overrode the regime's mechanism.
    pub(crate) overridden: bool,
    /// Whether the purpose's own legal basis decided (the regime lets it
    /// stand, subject to objection).
    pub(crate) basis_stood: bool,
    /// The age in years the rule was chosen for, if known.
    pub(crate) age: Option<u8>,
    /// When an opt-out signal that applies was set, and whether a later
    /// consent won over it.
    pub(crate) signal: Option<(Nanos, bool)>,
}

impl Ledger {
    /// The decision rules under regime `regime` (an index in `regimes`).
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn judge(
        &self,
        regimes: &Arc<CatalogRegimes>,
        regime: u16,
        p: &Purpose,
        purpose: u16,
        c: &Category,
        s: u32,
        at: Nanos,
        record: Option<Row>,
    ) -> Judgement {
        let word = self.store.facts(s);
        // A check outside the range answers as at its nearest end.
        let day = self.store.day_cache.day(at.clamp(MIN, LAST));
        let age = age_on(word, day);
        let rules = regimes.table.rules_on_day(regime, age, false, day.julian);
        let kinds = regimes
            .kinds
            .get(usize::from(purpose))
            .copied()
            .unwrap_or_else(|| p.kinds());
        // The strictest rule of the purpose's kinds.
        let mut kind = PurposeKind::Other;
        let mut rule = PackedRule::new(Mechanism::NoticeOnly, Condition::None);
        let mut first = true;
        for k in kinds.iter() {
            let r = rules.get(k);
            if first || (r.mechanism(), r.condition()) > (rule.mechanism(), rule.condition()) {
                rule = r;
                kind = k;
                first = false;
            }
        }
        let mut overridden = false;
        if !matches!(
            rule.mechanism(),
            Mechanism::Conditional | Mechanism::Prohibited
        ) && let Some(m) = regimes.override_for(purpose, regime)
        {
            rule = PackedRule::new(m, Condition::None);
            overridden = true;
        }
        let mut j = Judgement {
            outcome: Outcome::Prohibited,
            regime,
            kind,
            kinds,
            rule,
            overridden,
            basis_stood: false,
            age,
            signal: None,
        };
        if rule.mechanism() == Mechanism::Prohibited {
            return j;
        }
        // An opt-out signal reaches the kinds the regime's signal rule
        // covers, where it binds or the regime honours it, whatever the
        // mechanism: it opts out of an earlier opt-in too.
        let signal = self.signal_set(s, at).filter(|_| {
            regimes
                .signals
                .get(usize::from(regime))
                .is_some_and(|(covered, from)| {
                    kinds.iter().any(|k| covered.contains(k)) && day.julian >= *from
                })
        });
        let outcome = self.by_rule(regimes, &mut j, p, purpose, c, s, at, record, word);
        j.outcome = match signal {
            None => outcome,
            Some(set) => {
                let precedence = regimes
                    .precedence
                    .get(usize::from(regime))
                    .copied()
                    .unwrap_or(Precedence::SignalWins);
                let later = record.is_some_and(|r| {
                    r.kind() == GIVEN
                        && r.from > set
                        && match precedence {
                            Precedence::LaterConsentWins => true,
                            Precedence::ConfirmedAfterNotice => {
                                r.flags.contains(RowFlags::SIGNAL_SHOWN)
                            }
                            Precedence::SignalWins => false,
                        }
                });
                let won = later && matches!(outcome, Outcome::Granted { .. });
                j.signal = Some((set, won));
                if won { outcome } else { Outcome::OptedOut(set) }
            }
        };
        j
    }

    /// The decision under the rule `j` holds, the signal aside.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn by_rule(
        &self,
        regimes: &Arc<CatalogRegimes>,
        j: &mut Judgement,
        p: &Purpose,
        purpose: u16,
        c: &Category,
        s: u32,
        at: Nanos,
        record: Option<Row>,
        word: u32,
    ) -> Outcome {
        let (rule, kind, kinds, regime, j_age) = (j.rule, j.kind, j.kinds, j.regime, j.age);
        let basis = p.basis();
        let explicit_ok =
            |r: &Row| basis == LegalBasis::ExplicitConsent || r.flags.contains(RowFlags::EXPLICIT);
        let sensitive = c.needs_explicit;
        // A valid grant, or why not: also, a grant the person gave alone
        // when the law asked for a parent's consent stays invalid after
        // they come of age (GDPR Art. 8(1), Art. 7(1)).
        let granted = |r: Row| match self.record_outcome(basis, purpose, c, s, at, r, true, true) {
            Outcome::Granted { .. }
                if r.kind() == GIVEN
                    && self.needed_a_parent(regimes, regime, kinds, word, &r, at, j_age) =>
            {
                if basis.is_consent() {
                    Outcome::NoConsent
                } else {
                    Outcome::ConsentRequired
                }
            }
            o => o,
        };
        // Sensitive data needs explicit consent under every regime (the
        // catalog declares it so).
        let condition = match rule.mechanism() {
            Mechanism::Conditional => rule.condition(),
            _ if sensitive => Condition::ExplicitConsent,
            _ => rule.condition(),
        };
        let basis_stands = !basis.is_consent()
            && !j.overridden
            && regimes
                .basis_stands
                .get(usize::from(regime))
                .and_then(|o| o.get(kind.index()))
                .copied()
                .unwrap_or(false);
        match (rule.mechanism(), condition) {
            (Mechanism::NoticeOnly | Mechanism::OptOut, Condition::None) => {
                let fallback = if basis.is_consent() {
                    Outcome::NotRequired(rule.mechanism())
                } else {
                    Outcome::NotConsentBased(basis)
                };
                // A refusal or withdrawal is an opt-out; under notice only,
                // as the basis honours it.
                let honours = rule.mechanism() == Mechanism::OptOut
                    || basis.is_consent()
                    || basis.honours_refusal();
                match record
                    .map(|r| self.record_outcome(basis, purpose, c, s, at, r, true, honours))
                {
                    Some(
                        o
                        @ (Outcome::Granted { .. } | Outcome::Refused(_) | Outcome::Withdrawn(..)),
                    ) => o,
                    _ => fallback,
                }
            }
            // The law lets the controller rely on another basis for this
            // kind, subject to objection: the purpose's basis stands, and a
            // child's consent rule (GDPR Art. 8(1): "where point (a) of
            // Article 6(1) applies") does not reach it.
            (
                Mechanism::OptIn | Mechanism::Conditional,
                Condition::None
                | Condition::MinorOptIn
                | Condition::ParentalConsent
                | Condition::JointConsent,
            ) if basis_stands => {
                j.basis_stood = true;
                self.basis_outcome(p, purpose, c, s, at, record)
            }
            (Mechanism::OptIn, Condition::None | Condition::MinorOptIn) => match record {
                Some(r) => granted(r),
                None if condition == Condition::MinorOptIn => Outcome::MinorOptInRequired,
                None if basis.is_consent() => Outcome::NoConsent,
                None => Outcome::ConsentRequired,
            },
            (_, condition) => {
                let met = |r: &Row| {
                    let by = r.flags.given_by();
                    let who = match condition {
                        Condition::ParentalConsent => by.is_parental(),
                        Condition::JointConsent => by == GivenBy::SubjectWithParent,
                        _ => true,
                    };
                    who && (!sensitive && condition != Condition::ExplicitConsent || explicit_ok(r))
                };
                let missing = match condition {
                    Condition::ParentalConsent => {
                        Outcome::ParentalConsentRequired { jointly: false }
                    }
                    Condition::JointConsent => Outcome::ParentalConsentRequired { jointly: true },
                    _ => Outcome::ExplicitConsentRequired,
                };
                match record {
                    Some(r) => match self.record_outcome(basis, purpose, c, s, at, r, true, true) {
                        Outcome::Granted { .. } if !met(&r) => missing,
                        Outcome::Granted { .. } => granted(r),
                        o => o,
                    },
                    None => missing,
                }
            }
        }
    }

    /// Whether a grant was given at an age when the regime asked for a
    /// parent's (or a joint) consent that it does not carry.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn needed_a_parent(
        &self,
        regimes: &Arc<CatalogRegimes>,
        regime: u16,
        kinds: KindSet,
        word: u32,
        r: &Row,
        at: Nanos,
        age_now: Option<u8>,
    ) -> bool {
        let by = r.flags.given_by();
        if word & super::facts::AGE_MASK == 0 || by == GivenBy::SubjectWithParent {
            return false;
        }
        // Cheap bound first: whole years since the grant, rounded up, and
        // an age now past every tier then (tiers stop below 22).
        const YEAR: i64 = 365 * 86_400_000_000_000;
        let since = (at.saturating_sub(r.from) / YEAR).saturating_add(1);
        if age_now.is_some_and(|a| i64::from(a) - since > i64::from(MAX_TIER_AGE)) {
            return false;
        }
        let then = super::facts::day_of(r.from);
        let age = age_on(word, then);
        let rules = regimes.table.rules_on_day(regime, age, false, then.julian);
        // The condition it had to meet when given, for any of the
        // purpose's kinds, and did not.
        kinds.iter().any(|k| {
            let rule = rules.get(k);
            rule.mechanism() == Mechanism::Conditional
                && match rule.condition() {
                    Condition::ParentalConsent => !by.is_parental(),
                    Condition::JointConsent => true,
                    _ => false,
                }
        })
    }
}

/// What won when an opt-out preference signal met a later consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct SignalContest {
    /// When the signal that applies was set.
    #[serde(with = "crate::wire::timestamp::rfc3339")]
    pub set_at: OffsetDateTime,
    /// Whether a consent given after it won (by the regime's precedence).
    pub consent_won: bool,
    /// The regime's rule for a consent after the signal.
    pub precedence: Precedence,
}

/// Why a check was decided as it was: the [`Decision`], and, when the
/// catalog enables regimes, the regime that applied, the rule with its
/// source, the age it was chosen for, and what won between an opt-out
/// signal and a later consent. From [`Ledger::explain`].
///
/// Displays as one sentence; serializes (serde) as an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Explanation<'a> {
    decision: Decision,
    #[serde(skip_serializing_if = "Option::is_none")]
    regime: Option<RegimeNames<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jurisdiction: Option<Jurisdiction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<RuleView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    age: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signal: Option<SignalContest>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
struct RegimeNames<'a> {
    code: &'a str,
    name: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
struct RuleView<'a> {
    kind: PurposeKind,
    mechanism: Mechanism,
    condition: Condition,
    source: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    overridden: bool,
}

impl<'a> Explanation<'a> {
    /// The decision.
    #[must_use]
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// The code of the regime that decided (`None` without regimes).
    #[must_use]
    pub fn regime(&self) -> Option<&'a str> {
        self.regime.map(|r| r.code)
    }

    /// The regime's name (`"California (CCPA/CPRA)"`).
    #[must_use]
    pub fn regime_name(&self) -> Option<&'a str> {
        self.regime.map(|r| r.name)
    }

    /// The jurisdiction the regime was chosen for (`None`: unknown, the
    /// default regime applied).
    #[must_use]
    pub fn jurisdiction(&self) -> Option<Jurisdiction> {
        self.jurisdiction
    }

    /// The kind of purpose whose rule applied.
    #[must_use]
    pub fn kind(&self) -> Option<PurposeKind> {
        self.rule.map(|r| r.kind)
    }

    /// The mechanism the rule requires.
    #[must_use]
    pub fn mechanism(&self) -> Option<Mechanism> {
        self.rule.map(|r| r.mechanism)
    }

    /// The rule's condition.
    #[must_use]
    pub fn condition(&self) -> Option<Condition> {
        self.rule.map(|r| r.condition)
    }

    /// The article or section the rule comes from.
    #[must_use]
    pub fn source(&self) -> Option<&'a str> {
        self.rule.map(|r| r.source)
    }

    /// Whether the catalog overrode the regime's mechanism for the purpose.
    #[must_use]
    pub fn overridden(&self) -> bool {
        self.rule.is_some_and(|r| r.overridden)
    }

    /// The subject's age the rule was chosen for, if known.
    #[must_use]
    pub fn age(&self) -> Option<u8> {
        self.age
    }

    /// What won between an opt-out signal and a later consent, when a
    /// signal applied.
    #[must_use]
    pub fn signal(&self) -> Option<SignalContest> {
        self.signal
    }
}

impl fmt::Display for Explanation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.decision)?;
        if let (Some(regime), Some(rule)) = (self.regime, self.rule) {
            write!(
                f,
                ", under {} ({}): {}",
                regime.name, regime.code, rule.source
            )?;
            if rule.overridden {
                f.write_str(" (mechanism set by the catalog)")?;
            }
        }
        if let Some(s) = self.signal {
            let when =
                crate::wire::timestamp::format(crate::wire::timestamp::check_nanos(s.set_at));
            let why = match s.precedence {
                Precedence::LaterConsentWins => "a consent given after the signal wins",
                Precedence::ConfirmedAfterNotice => {
                    "only a consent given after being told of the conflict with the signal wins"
                }
                Precedence::SignalWins => "nothing on the site overrides the signal",
            };
            let winner = if s.consent_won {
                "the later consent"
            } else {
                "the signal"
            };
            write!(f, "; opt-out signal set at {when}: {winner} won ({why})")?;
        }
        Ok(())
    }
}

impl Ledger {
    /// [`Ledger::decide`] with its reasons: the regime that applied, the
    /// rule and its source, the age read, and what won between an opt-out
    /// signal and a later consent.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::regime::Regime;
    /// use consentry::*;
    /// use time::macros::datetime;
    /// let catalog = Catalog::builder()
    ///     .category("browsing")
    ///     .purpose(
    ///         PurposeDef::new("ads", LegalBasis::Consent)
    ///             .title("Personalised ads")
    ///             .description("Ads chosen from what you browse.")
    ///             .categories(["browsing"])
    ///             .sale_or_sharing(),
    ///     )
    ///     .regime(Regime::california())
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// ledger.set_jurisdiction("ann", "US-CA", t, Evidence::new(CollectionMethod::Form))?;
    /// ledger.set_age("ann", Age::Years(12), t, Evidence::new(CollectionMethod::Form))?;
    /// let why = ledger.explain("ann", "ads", "browsing", t);
    /// assert_eq!(why.decision(), Decision::ParentalConsentRequired { jointly: false });
    /// assert_eq!(why.regime(), Some("US-CA"));
    /// assert!(why.source().is_some_and(|s| s.contains("1798.120(c)")));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn explain(
        &self,
        subject: &str,
        purpose: &str,
        category: &str,
        at: impl Into<Timestamp>,
    ) -> Explanation<'_> {
        self.explain_at(subject, purpose, category, at.into(), None)
    }

    /// [`Ledger::explain`] for a request from `jurisdiction` (the host's
    /// geolocation of the request): see [`Ledger::decide_in`].
    #[must_use]
    pub fn explain_in(
        &self,
        subject: &str,
        purpose: &str,
        category: &str,
        at: impl Into<Timestamp>,
        jurisdiction: Jurisdiction,
    ) -> Explanation<'_> {
        self.explain_at(subject, purpose, category, at.into(), Some(jurisdiction))
    }

    /// [`Ledger::decide`] for a request the host located in `jurisdiction`
    /// (e.g. by IP geolocation). A subject with no recorded jurisdiction is
    /// decided under the request's; a subject recorded elsewhere is decided
    /// under both, and the use is permitted only if both permit it (the
    /// denial is returned otherwise). Without regimes in the catalog, the
    /// same as [`Ledger::decide`].
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::regime::Regime;
    /// use consentry::*;
    /// use time::macros::datetime;
    /// let catalog = Catalog::builder()
    ///     .category("browsing")
    ///     .purpose(
    ///         PurposeDef::new("ads", LegalBasis::Consent)
    ///             .title("Personalised ads")
    ///             .description("Ads chosen from what you browse.")
    ///             .categories(["browsing"])
    ///             .sale_or_sharing(),
    ///     )
    ///     .regime(Regime::for_jurisdiction("FR").expect("a preset"))
    ///     .regime(Regime::california())
    ///     .default_regime(Regime::california())
    ///     .build()?;
    /// let ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let fr: Jurisdiction = "FR".parse()?;
    /// assert_eq!(ledger.decide_in("visitor", "ads", "browsing", t, fr), Decision::NoConsent);
    /// assert!(ledger.is_permitted("visitor", "ads", "browsing", t));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn decide_in(
        &self,
        subject: &str,
        purpose: &str,
        category: &str,
        at: impl Into<Timestamp>,
        jurisdiction: Jurisdiction,
    ) -> Decision {
        self.explain_in(subject, purpose, category, at, jurisdiction)
            .decision()
    }

    fn explain_at(
        &self,
        subject: &str,
        purpose: &str,
        category: &str,
        at: Timestamp,
        request: Option<Jurisdiction>,
    ) -> Explanation<'_> {
        let at = at.unix_nanos();
        let plain = |decision| Explanation {
            decision,
            regime: None,
            jurisdiction: None,
            rule: None,
            age: None,
            signal: None,
        };
        let (Some(ph), Some(ch)) = (
            self.catalog.purpose_index(purpose),
            self.catalog.category_index(category),
        ) else {
            return plain(self.decide(subject, purpose, category, Timestamp::from_unix_nanos(at)));
        };
        let s = self.store.names.find(subject);
        let base = self.outcome(s, ph, ch, at);
        let (Some(regimes), Some(p), Some(c)) = (
            self.catalog.regimes.as_ref(),
            self.catalog.purpose_by_index(ph),
            self.catalog.category_by_index(ch),
        ) else {
            return plain(self.decision(base));
        };
        // The rules that come before regimes (erasure, objection) decide
        // alone.
        if !is_regime_rule(base) {
            return plain(self.decision(base));
        }
        let idx = s.unwrap_or(u32::MAX);
        let record = s.and_then(|s| {
            self.store
                .row(s, crate::ledger::store::Slot::Purpose(ph))
                .copied()
        });
        // Under the subject's own jurisdiction (else the request's, else
        // the default), and under the request's too where it names another
        // regime: the first that denies decides.
        let own = s.and_then(|s| self.store.jurisdiction(s));
        let under = |j: Option<Jurisdiction>| {
            let r = j.map_or(regimes.default, |j| regimes.index_for(Some(j)));
            (j, self.judge(regimes, r, p, ph, c, idx, at, record))
        };
        let first = under(own.or(request));
        let second = match (own, request) {
            (Some(_), Some(r)) if regimes.index_for(Some(r)) != first.1.regime => {
                Some(under(Some(r)))
            }
            _ => None,
        };
        let (jurisdiction, j) = match second {
            Some(second) if first.1.outcome.is_permitted() && !second.1.outcome.is_permitted() => {
                second
            }
            _ => first,
        };
        let outcome = if request.is_none() { base } else { j.outcome };
        let regime = regimes.regime(j.regime);
        let day = crate::wire::timestamp::from_nanos(at).date();
        let source = regime.map_or("", |r| {
            if j.signal.is_some() {
                // The signal and its precedence decided.
                r.signal_rule().source()
            } else if j.overridden {
                "the catalog sets this purpose's mechanism under this regime"
            } else if j.basis_stood {
                r.objection(j.kind).1
            } else {
                r.rule_on(j.kind, j.age, Signal::Absent, day).source()
            }
        });
        Explanation {
            decision: self.decision(outcome),
            regime: regime.map(|r| RegimeNames {
                code: r.code(),
                name: r.name(),
            }),
            jurisdiction,
            rule: Some(RuleView {
                kind: j.kind,
                mechanism: j.rule.mechanism(),
                condition: j.rule.condition(),
                source,
                overridden: j.overridden,
            }),
            age: j.age,
            signal: j.signal.map(|(set, consent_won)| SignalContest {
                set_at: crate::wire::timestamp::from_nanos(set),
                consent_won,
                precedence: regimes
                    .precedence
                    .get(usize::from(j.regime))
                    .copied()
                    .unwrap_or(Precedence::SignalWins),
            }),
        }
    }
}

/// Whether an outcome comes from the regime rules (not from the rules
/// that decide before them: erasure, objection, unknown names).
fn is_regime_rule(o: Outcome) -> bool {
    !matches!(
        o,
        Outcome::Erased(_)
            | Outcome::Objected(_)
            | Outcome::CategoryNotInPurpose
            | Outcome::UnknownCategory
            | Outcome::UnknownPurpose
            | Outcome::ForeignHandle
    )
}

impl Ledger {
    /// What happens to `p` for `subject` if they say nothing, under the
    /// regime that applies to them; `None` without regimes.
    pub(crate) fn default_rule_for(
        &self,
        subject: &str,
        p: &Purpose,
        at: OffsetDateTime,
    ) -> Option<crate::rights::default_rule::DefaultRule> {
        use crate::rights::default_rule::DefaultRule;
        let regimes = self.catalog.regimes.as_ref()?;
        let ph = self.catalog.purpose_index(p.name())?;
        let category = p.categories().next()?;
        let c = self
            .catalog
            .category_index(category)
            .and_then(|i| self.catalog.category_by_index(i))?;
        let s = self.store.names.find(subject).unwrap_or(u32::MAX);
        let regime = self.store.places.regime(self.store.facts(s), regimes);
        let at = crate::wire::timestamp::check_nanos(at);
        Some(
            match self.judge(regimes, regime, p, ph, c, s, at, None).outcome {
                Outcome::Prohibited => DefaultRule::NotAllowed,
                Outcome::ParentalConsentRequired { .. } => DefaultRule::DeniedUntilParentConsents,
                Outcome::NotRequired(Mechanism::NoticeOnly) => DefaultRule::Permitted,
                Outcome::NotRequired(_) | Outcome::OptedOut(_) => DefaultRule::PermittedUntilOptOut,
                Outcome::NotConsentBased(_) => DefaultRule::of(&self.catalog, p),
                _ => DefaultRule::DeniedUntilConsent,
            },
        )
    }
}
