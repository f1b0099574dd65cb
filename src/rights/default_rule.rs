//! What the engine decides for a purpose when the subject has said nothing,
//! as a report shows it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::purpose::Purpose;

/// What the engine decides for a purpose when the subject has said nothing,
/// by its legal basis (see the README's "What each legal basis decides").
///
/// Whatever the rule, sensitive categories need explicit consent and a
/// global opt-out signal denies sale/sharing purposes; the per-category
/// decisions of a [`PurposeReport`](crate::PurposeReport) say what applies to this subject.
///
/// # Examples
///
/// ```
/// use consentry::DefaultRule;
/// assert_eq!(
///     DefaultRule::DeniedUntilConsent.to_string(),
///     "not used unless you agree"
/// );
/// // In JSON, its snake_case name.
/// assert_eq!(
///     serde_json::to_string(&DefaultRule::PermittedUntilOptOut)?,
///     r#""permitted_until_opt_out""#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultRule {
    /// Consent and explicit consent: denied until the subject agrees.
    DeniedUntilConsent,
    /// Legitimate interest, public task and direct marketing: permitted until
    /// the subject objects (under legitimate interest, also refuses or
    /// withdraws).
    PermittedUntilOptOut,
    /// Contract, legal obligation and vital interests: permitted; consent is
    /// not what makes it lawful.
    Permitted,
    /// As [`DefaultRule::PermittedUntilOptOut`] for the purpose's other
    /// categories, but its sensitive data is used only with explicit consent.
    PermittedUntilOptOutExceptSensitive,
    /// As [`DefaultRule::Permitted`] for the purpose's other categories, but
    /// its sensitive data is used only with explicit consent.
    PermittedExceptSensitive,
    /// Under the law that applies to the subject (see [`crate::regime`]):
    /// not used unless a parent or guardian agrees.
    DeniedUntilParentConsents,
    /// Under the law that applies to the subject: not used, whatever the
    /// answer.
    NotAllowed,
}

impl DefaultRule {
    /// The rule for purpose `p` of `catalog`. It follows the categories: a
    /// purpose whose every category touches sensitive data needs explicit
    /// consent whatever its basis (GDPR Art. 9(2)(a)), so it is
    /// [`DefaultRule::DeniedUntilConsent`]; one with some such categories
    /// says so.
    #[must_use]
    pub fn of(catalog: &crate::Catalog, p: &Purpose) -> DefaultRule {
        let sensitive = |c: &str| {
            catalog
                .category(c)
                .is_some_and(crate::Category::needs_explicit_consent)
        };
        let all = p.categories().all(sensitive);
        let some = p.categories().any(sensitive);
        let opt_out = p.allows_objection() || p.basis().honours_refusal();
        match (p.basis().is_consent() || all, some, opt_out) {
            (true, _, _) => DefaultRule::DeniedUntilConsent,
            (false, true, true) => DefaultRule::PermittedUntilOptOutExceptSensitive,
            (false, true, false) => DefaultRule::PermittedExceptSensitive,
            (false, false, true) => DefaultRule::PermittedUntilOptOut,
            (false, false, false) => DefaultRule::Permitted,
        }
    }
}

impl fmt::Display for DefaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DefaultRule::DeniedUntilConsent => "not used unless you agree",
            DefaultRule::PermittedUntilOptOut => "used unless you object",
            DefaultRule::Permitted => "used: needed whatever you answer",
            DefaultRule::PermittedUntilOptOutExceptSensitive => {
                "used unless you object; sensitive data only if you agree"
            }
            DefaultRule::PermittedExceptSensitive => {
                "used: needed whatever you answer; sensitive data only if you agree"
            }
            DefaultRule::DeniedUntilParentConsents => "not used unless a parent or guardian agrees",
            DefaultRule::NotAllowed => "not used: the law does not allow it for you",
        })
    }
}
