//! The law that applies to a subject, for their report: which regime, for
//! which jurisdiction and age, and the rights it gives them over the
//! catalog's kinds of processing, each with its source.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ledger::Ledger;
use crate::regime::{Binding, KindSet, Mechanism, Objection, PurposeKind, Signal, UnboundSignal};

/// The law that applied in a [`crate::SubjectReport`]: the regime, the
/// jurisdiction and age it was chosen for, and the subject's rights under
/// it (see [`crate::regime`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LawReport {
    code: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    jurisdiction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    age: Option<u8>,
    rights: Vec<Right>,
}

/// One right the law gives the subject, in words for them, with the
/// article or section it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Right {
    /// What the subject may do, or what the controller must do.
    pub text: String,
    /// The article or section.
    pub source: String,
}

impl LawReport {
    /// The regime's code (`"US-CA"`).
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The regime's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The jurisdiction recorded for the subject (`None`: unknown, the
    /// catalog's default regime applied).
    #[must_use]
    pub fn jurisdiction(&self) -> Option<&str> {
        self.jurisdiction.as_deref()
    }

    /// The subject's age the rules were chosen for, if known.
    #[must_use]
    pub fn age(&self) -> Option<u8> {
        self.age
    }

    /// The rights, each with its source.
    #[must_use]
    pub fn rights(&self) -> &[Right] {
        &self.rights
    }
}

fn kind_words(kind: PurposeKind) -> &'static str {
    match kind {
        PurposeKind::Sale => "the sale of your data",
        PurposeKind::TargetedAdvertising => "targeted advertising",
        PurposeKind::Profiling => "profiling that has legal or similar effects on you",
        PurposeKind::DirectMarketing => "direct marketing",
        PurposeKind::SensitiveData => "the use of your sensitive data",
        PurposeKind::StrictlyNecessary => "what is strictly necessary for the service",
        PurposeKind::Other => "other uses of your data",
    }
}

fn list(kinds: impl Iterator<Item = PurposeKind>) -> String {
    let words: Vec<&str> = kinds.map(kind_words).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

impl Ledger {
    /// The law that applies to `subject` at `at`, for their report; `None`
    /// when the catalog enables no regime.
    pub(crate) fn law_report(&self, subject: &str, at: OffsetDateTime) -> Option<LawReport> {
        let regime = self.regime_of(subject)?;
        let day = at.date();
        let age = self.age_on(subject, day);
        // The kinds the catalog's purposes are.
        let used = self
            .catalog
            .purposes()
            .fold(KindSet::EMPTY, |used, p| used.union(p.kinds()));
        let mut rights = Vec::new();
        let mut push = |text: String, source: &str| {
            rights.push(Right {
                text,
                source: source.to_owned(),
            });
        };
        for kind in used.iter() {
            let rule = regime.rule_on(kind, age, Signal::Absent, day);
            match rule.mechanism() {
                Mechanism::OptOut => push(
                    format!("You may opt out of {} at any time.", kind_words(kind)),
                    rule.source(),
                ),
                Mechanism::OptIn | Mechanism::Conditional => push(
                    format!(
                        "For {}, we need your consent{}; you may withdraw it at any time.",
                        kind_words(kind),
                        match rule.condition() {
                            crate::regime::Condition::ParentalConsent => {
                                " (at your age, a parent's or guardian's)"
                            }
                            crate::regime::Condition::JointConsent => {
                                " (at your age, given with a parent or guardian)"
                            }
                            crate::regime::Condition::ExplicitConsent => " (explicit consent)",
                            _ => "",
                        }
                    ),
                    rule.source(),
                ),
                Mechanism::Prohibited => push(
                    format!("For {}: not allowed for you.", kind_words(kind)),
                    rule.source(),
                ),
                _ => {}
            }
            let (objection, source) = regime.objection(kind);
            match objection {
                Objection::Qualified => push(
                    format!(
                        "You may object to {} on grounds relating to your situation.",
                        kind_words(kind)
                    ),
                    source,
                ),
                Objection::Absolute => push(
                    format!(
                        "You may object to {} at any time, and it stops.",
                        kind_words(kind)
                    ),
                    source,
                ),
                _ => {}
            }
        }
        let signal = regime.signal_rule();
        let covered = list(used.iter().filter(|k| signal.kinds().contains(*k)));
        if !covered.is_empty() {
            let text = match (signal.binding(), regime.unbound_signal()) {
                (Binding::Binding, _) => format!(
                    "Your browser's opt-out preference signal (Global Privacy Control) is a valid request to opt out of {covered}."
                ),
                (_, UnboundSignal::Honour) => format!(
                    "The law does not require it, but we honour your browser's opt-out preference signal (Global Privacy Control) as a request to opt out of {covered}."
                ),
                _ => "The law does not make your browser's opt-out preference signal binding, and we do not treat it as an opt-out; use the settings instead.".to_owned(),
            };
            push(text, signal.source());
        }
        if let Some(c) = regime.cooldown() {
            let covered = list(used.iter().filter(|k| c.kinds().contains(*k)));
            if !covered.is_empty() {
                push(
                    format!(
                        "After you opt out of {covered}, we wait at least {} months before asking you again.",
                        c.months()
                    ),
                    c.source(),
                );
            }
        }
        Some(LawReport {
            code: regime.code().to_owned(),
            name: regime.name().to_owned(),
            jurisdiction: self.jurisdiction(subject).map(|j| j.to_string()),
            age,
            rights,
        })
    }
}

impl fmt::Display for LawReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "The law that applies to you: {}", self.name)?;
        match &self.jurisdiction {
            Some(j) => write!(f, " (you are in {j})")?,
            None if self.code == crate::MOST_PROTECTIVE_CODE => f.write_str(
                " (we do not know where you are, so we apply the strictest rules we follow)",
            )?,
            None => {
                f.write_str(" (we do not know where you are, so we apply our default rules)")?
            }
        }
        writeln!(f, ".")?;
        for r in &self.rights {
            writeln!(f, "  - {} ({})", r.text, r.source)?;
        }
        Ok(())
    }
}
