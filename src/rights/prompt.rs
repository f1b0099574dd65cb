//! Re-prompting: whether to ask a subject (again) for consent, which grants
//! expire soon, and pruning records that no longer matter.
//!
//! In the `Ledger` docs: the "Subject rights: re-prompting and pruning" group.

use std::fmt;

use serde::Serialize;
use time::{Date, Duration, Month, OffsetDateTime};

use crate::ledger::Ledger;
use crate::ledger::decision::Decision;
use crate::ledger::records::{Answer, ConsentRecord, SubjectRecords};
use crate::model::basis::LegalBasis;
use crate::model::catalog::Catalog;
use crate::model::purpose::Purpose;
use crate::rights::report::{rfc3339, utc};

/// How the subject said no: what starts a purpose's cooldown.
///
/// Serializes (with serde) as its snake_case name.
///
/// # Examples
///
/// ```
/// use consentry::Refusal;
/// assert_eq!(serde_json::to_string(&Refusal::GlobalOptOut)?, r#""global_opt_out""#);
/// assert_eq!(Refusal::Withdrawn.to_string(), "withdrew");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Consent refused.
    Refused,
    /// Consent withdrawn (for the purpose, or all at once).
    Withdrawn,
    /// An objection (or a CCPA opt-out recorded as one).
    Objected,
    /// The global opt-out signal (GPC), for a sale/sharing purpose.
    GlobalOptOut,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::Refused => "refused",
            Refusal::Withdrawn => "withdrew",
            Refusal::Objected => "objected",
            Refusal::GlobalOptOut => "opted out (global signal)",
        })
    }
}

/// Whether to ask a subject for consent to a purpose now, and why (see
/// [`Ledger::should_ask`]). [`Ask::should_ask`] gives the yes or no.
///
/// # JSON
///
/// Serializes (with serde) as an object whose `ask` field names the variant
/// in snake_case, next to the variant's fields; instants are RFC 3339 text
/// in UTC, an absent expiry is left out.
///
/// ```
/// use consentry::{Ask, Refusal};
/// use time::macros::datetime;
///
/// let ask = Ask::CooldownRunning {
///     refusal: Refusal::Refused,
///     at: datetime!(2026-03-01 10:00 UTC),
///     until: datetime!(2026-09-01 10:00 UTC),
/// };
/// assert_eq!(
///     serde_json::to_string(&ask)?,
///     r#"{"ask":"cooldown_running","refusal":"refused","at":"2026-03-01T10:00:00Z","until":"2026-09-01T10:00:00Z"}"#
/// );
/// assert_eq!(serde_json::to_string(&Ask::NeverAsked)?, r#"{"ask":"never_asked"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "ask", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Ask {
    /// Ask: the subject never answered (or is unknown, or was erased).
    NeverAsked,
    /// Ask: the consent expired at or before the instant asked about.
    Expired {
        /// When it expired.
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        expired_at: OffsetDateTime,
    },
    /// Ask (renew): the consent is valid but expires within the window.
    ExpiringSoon {
        /// When it expires.
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        expires_at: OffsetDateTime,
    },
    /// Ask: the consent was given under a notice version no longer accepted.
    NoticeOutdated {
        /// The version the subject saw.
        version: u32,
        /// The oldest version accepted.
        min_version: u32,
    },
    /// Ask: the subject said no longer ago than the purpose's cooldown.
    CooldownOver {
        /// How they said no.
        refusal: Refusal,
        /// When.
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        at: OffsetDateTime,
        /// When the cooldown ended.
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        ended: OffsetDateTime,
    },
    /// Do not ask: the consent is valid beyond the window.
    ValidConsent {
        /// When it expires; `None` for no expiry.
        #[serde(
            default,
            with = "crate::wire::timestamp::rfc3339_opt",
            skip_serializing_if = "Option::is_none"
        )]
        expires_at: Option<OffsetDateTime>,
    },
    /// Do not ask: the subject said no less than the purpose's cooldown ago.
    CooldownRunning {
        /// How they said no.
        refusal: Refusal,
        /// When.
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        at: OffsetDateTime,
        /// When the cooldown ends (asking is allowed from then on).
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        until: OffsetDateTime,
    },
    /// Do not ask: the subject objected to direct marketing, which is
    /// absolute (GDPR Art. 21(3)); only the subject can come back.
    Objected {
        /// When.
        #[serde(with = "crate::wire::timestamp::rfc3339")]
        at: OffsetDateTime,
    },
    /// Do not ask: the purpose does not rest on consent and touches no
    /// sensitive data; there is nothing to ask for.
    NotConsentBased {
        /// Its legal basis.
        basis: LegalBasis,
    },
    /// Do not ask: under the law that applies to the subject (see
    /// [`crate::regime`]), the use is not allowed for them whatever they
    /// say (e.g. ads profiling a minor).
    NotAllowed,
    /// Do not prompt: under the law that applies, the use needs no opt-in
    /// (`mechanism` is opt-out or notice only); offer the opt-out instead.
    NotRequired {
        /// What the law requires.
        mechanism: crate::regime::Mechanism,
    },
    /// Ask a parent or guardian (with the person, when `jointly`): the law
    /// that applies needs their consent at the subject's age.
    AskParent {
        /// Whether the person consents together with the parent.
        jointly: bool,
    },
    /// Do not ask: the purpose is not declared.
    UnknownPurpose,
}

impl Ask {
    /// Whether to ask.
    #[must_use]
    pub const fn should_ask(&self) -> bool {
        matches!(
            self,
            Ask::NeverAsked
                | Ask::Expired { .. }
                | Ask::ExpiringSoon { .. }
                | Ask::NoticeOutdated { .. }
                | Ask::CooldownOver { .. }
                | Ask::AskParent { .. }
        )
    }
}

impl fmt::Display for Ask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ask::NeverAsked => f.write_str("ask: never asked"),
            Ask::Expired { expired_at } => {
                write!(f, "ask: consent expired at {}", rfc3339(*expired_at))
            }
            Ask::ExpiringSoon { expires_at } => {
                write!(f, "ask: consent expires at {}", rfc3339(*expires_at))
            }
            Ask::NoticeOutdated {
                version,
                min_version,
            } => write!(
                f,
                "ask: consent given under notice version {version}; version {min_version} or later is needed"
            ),
            Ask::CooldownOver { refusal, at, ended } => write!(
                f,
                "ask: {refusal} at {}, cooldown ended at {}",
                rfc3339(*at),
                rfc3339(*ended)
            ),
            Ask::ValidConsent { expires_at } => match expires_at {
                Some(t) => write!(f, "do not ask: consent valid until {}", rfc3339(*t)),
                None => f.write_str("do not ask: consent valid, no expiry"),
            },
            Ask::CooldownRunning { refusal, at, until } => write!(
                f,
                "do not ask: {refusal} at {}, cooldown until {}",
                rfc3339(*at),
                rfc3339(*until)
            ),
            Ask::Objected { at } => write!(
                f,
                "do not ask: objected to direct marketing at {}",
                rfc3339(*at)
            ),
            Ask::NotConsentBased { basis } => {
                write!(f, "do not ask: lawful on the basis of {basis}, not consent")
            }
            Ask::UnknownPurpose => f.write_str("do not ask: unknown purpose"),
            Ask::NotAllowed => {
                f.write_str("do not ask: the law that applies does not allow this for the subject")
            }
            Ask::NotRequired { mechanism } => write!(
                f,
                "do not ask: the law that applies requires {} only",
                mechanism.name().replace('_', " ")
            ),
            Ask::AskParent { jointly: false } => f.write_str("ask a parent or guardian"),
            Ask::AskParent { jointly: true } => {
                f.write_str("ask the subject together with a parent or guardian")
            }
        }
    }
}

/// A grant that expires within a window (see [`Ledger::expiring`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiringGrant<'a> {
    subject: &'a str,
    record: ConsentRecord,
}

impl ExpiringGrant<'_> {
    /// The subject.
    #[must_use]
    pub fn subject(&self) -> &str {
        self.subject
    }

    /// The grant.
    #[must_use]
    pub fn record(&self) -> &ConsentRecord {
        &self.record
    }

    /// When it expires.
    #[must_use]
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.record.expires_at()
    }
}

/// A record dropped by [`Ledger::prune`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrunedRecord {
    subject: String,
    record: ConsentRecord,
}

impl PrunedRecord {
    /// The subject.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The record as it was held.
    #[must_use]
    pub fn record(&self) -> &ConsentRecord {
        &self.record
    }
}

/// # Subject rights: re-prompting and pruning
///
/// Whether to ask again, which grants expire soon, and pruning what no longer matters.
impl Ledger {
    /// Whether to ask `subject` for consent to `purpose` at `at`, and why.
    /// `window` is how long before expiry a grant is due for renewal.
    ///
    /// In order, the first that applies:
    ///
    /// 1. An undeclared purpose: [`Ask::UnknownPurpose`] (do not ask).
    /// 2. An objection to a direct-marketing purpose: [`Ask::Objected`] (do
    ///    not ask: the objection is absolute, and a later refusal or
    ///    withdrawal does not end it; only the subject's later grant does).
    /// 3. The subject said no, by refusing, withdrawing (for the purpose or
    ///    all at once), objecting or, for a sale/sharing purpose, with the
    ///    global opt-out signal, counted from when it was last set even once
    ///    cleared (a signal going away is not an opt-in; the latest of these
    ///    counts): before
    ///    `at + cooldown` ([`Purpose::cooldown_months`] calendar months,
    ///    `[said no, said no + cooldown)`), [`Ask::CooldownRunning`] (do not
    ///    ask); from then on, [`Ask::CooldownOver`] (ask). Only answers that
    ///    deny count: a refusal of a contract purpose, which changes
    ///    nothing, does not.
    /// 4. A purpose that rests on neither consent nor sensitive data:
    ///    [`Ask::NotConsentBased`] (do not ask).
    /// 5. No answer: [`Ask::NeverAsked`] (ask).
    /// 6. A grant: expired (`expires_at <= at`) [`Ask::Expired`]; under an
    ///    outdated notice [`Ask::NoticeOutdated`]; expiring within the window
    ///    (`expires_at <= at + window`) [`Ask::ExpiringSoon`] (all three:
    ///    ask); otherwise [`Ask::ValidConsent`] (do not ask). A grant given
    ///    after `at` counts as an answer.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Ask, Catalog, CollectionMethod, Evidence, Ledger, LegalBasis, PurposeDef};
    /// use time::{Duration, macros::datetime};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("contact")
    ///     .purpose(
    ///         PurposeDef::new("newsletter", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["contact"]),
    ///     )
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let refused = datetime!(2026-03-01 10:00 UTC);
    /// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// ledger.refuse("user-1", "newsletter", refused, banner)?;
    ///
    /// let window = Duration::days(30);
    /// let soon = ledger.should_ask("user-1", "newsletter", datetime!(2026-06-01 10:00 UTC), window);
    /// assert!(!soon.should_ask());
    /// let later = ledger.should_ask("user-1", "newsletter", datetime!(2026-09-01 10:00 UTC), window);
    /// assert!(matches!(later, Ask::CooldownOver { .. }));
    /// assert!(ledger.should_ask("user-2", "newsletter", refused, window).should_ask());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn should_ask(
        &self,
        subject: &str,
        purpose: &str,
        at: OffsetDateTime,
        window: Duration,
    ) -> Ask {
        let Some(p) = self.catalog().purpose(purpose) else {
            return Ask::UnknownPurpose;
        };
        let held = self.subject_records(subject);
        let record = held.as_ref().and_then(|h| h.record(purpose));
        if p.is_direct_marketing() {
            // Absolute: only a later grant ends it, not a later refusal or
            // withdrawal (an old unsubscribe link).
            let objected = record
                .filter(|r| r.answer() == Answer::Objected)
                .map(ConsentRecord::at)
                .or_else(|| self.kept_objection(subject, purpose));
            if let Some(at) = objected {
                return Ask::Objected { at };
            }
        }
        // Under a regime, what the law of the subject requires decides
        // whether consent is needed, and the regime's wait may be longer.
        let regime = self.regime_of(subject);
        let ruling = regime.map(|_| {
            let category = p.categories().next().unwrap_or_default();
            self.decide(subject, purpose, category, at)
        });
        if ruling == Some(Decision::Prohibited) {
            return Ask::NotAllowed;
        }
        let needs_consent = match ruling {
            Some(Decision::NotRequired { .. } | Decision::NotConsentBased { .. }) => false,
            Some(_) => true,
            None => needs_consent(self.catalog(), p),
        };
        let cooldown = regime
            .and_then(|r| r.cooldown())
            .filter(|c| p.kinds().iter().any(|k| c.kinds().contains(k)))
            .map_or(p.cooldown_months(), |c| {
                p.cooldown_months().max(u32::from(c.months()))
            });
        // A cleared signal still counts from when it was set.
        let set_before_clear = p
            .is_sale_or_sharing()
            .then(|| self.opt_out_set_before_clear(subject))
            .flatten();
        if let Some((refusal, said_no)) = held
            .as_ref()
            .and_then(|h| latest_no(h, p, record, needs_consent, set_before_clear))
        {
            let end = add_months(said_no, cooldown);
            return if at < end {
                Ask::CooldownRunning {
                    refusal,
                    at: said_no,
                    until: end,
                }
            } else {
                Ask::CooldownOver {
                    refusal,
                    at: said_no,
                    ended: end,
                }
            };
        }
        match ruling {
            Some(Decision::NotRequired { mechanism }) => return Ask::NotRequired { mechanism },
            Some(Decision::ParentalConsentRequired { jointly }) => {
                return Ask::AskParent { jointly };
            }
            // Consent is needed and none held is valid (e.g. a child's own
            // "yes" where a parent's was needed): ask.
            Some(
                Decision::NoConsent | Decision::ConsentRequired | Decision::MinorOptInRequired,
            ) => return Ask::NeverAsked,
            _ => {}
        }
        if !needs_consent {
            return Ask::NotConsentBased { basis: p.basis() };
        }
        let Some(r) = record.filter(|r| r.answer() == Answer::Given) else {
            // No record, or a refusal that does not deny (covered above).
            return Ask::NeverAsked;
        };
        let expires_at = r.expires_at();
        match (expires_at, r.evidence().notice_version()) {
            (Some(e), _) if e <= at => Ask::Expired { expired_at: e },
            (_, v) if v.unwrap_or(0) < p.min_notice_version() => Ask::NoticeOutdated {
                version: v.unwrap_or(0),
                min_version: p.min_notice_version(),
            },
            (Some(e), _) if e <= at.saturating_add(window) => Ask::ExpiringSoon { expires_at: e },
            _ => Ask::ValidConsent { expires_at },
        }
    }

    /// Every grant valid at `at` ([`crate::ConsentStatus::is_valid`]) that expires
    /// within `window`: `at < expires_at <= at + window`, and that
    /// [`Ledger::should_ask`] says to renew ([`Ask::ExpiringSoon`]) with the
    /// same `at` and `window`: nothing it says not to ask (a cooldown after
    /// the global opt-out signal, say) is listed. Subjects in the order first
    /// seen, purposes in catalog order; for renewal campaigns.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef};
    /// use time::{Duration, macros::datetime};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("contact")
    ///     .purpose(
    ///         PurposeDef::new("newsletter", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["contact"])
    ///             .default_validity(Duration::days(365)),
    ///     )
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// ledger.give(Grant::new("early", "newsletter", datetime!(2026-01-01 0:00 UTC), banner.clone()))?;
    /// ledger.give(Grant::new("late", "newsletter", datetime!(2026-06-01 0:00 UTC), banner))?;
    ///
    /// let at = datetime!(2026-12-15 0:00 UTC);
    /// let due: Vec<_> = ledger.expiring(at, Duration::days(30)).map(|g| g.subject().to_owned()).collect();
    /// assert_eq!(due, ["early"]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn expiring(
        &self,
        at: OffsetDateTime,
        window: Duration,
    ) -> impl Iterator<Item = ExpiringGrant<'_>> + '_ {
        let until = at.saturating_add(window);
        self.subjects().flat_map(move |subject| {
            let records = self
                .subject_records(subject)
                .map(|h| h.records)
                .unwrap_or_default();
            records.into_iter().filter_map(move |record| {
                let e = record.expires_at()?;
                let due = at < e
                    && e <= until
                    && self.status(subject, record.purpose(), at).is_valid()
                    && matches!(
                        self.should_ask(subject, record.purpose(), at, window),
                        Ask::ExpiringSoon { .. }
                    );
                due.then_some(ExpiringGrant { subject, record })
            })
        })
    }

    /// Drops the records that no longer matter at `at` and returns them (for
    /// the host's log): grants expired at or before `at`, and refusals and
    /// withdrawals (of the purpose, or a grant withdrawn all at once) whose
    /// cooldown ended at or before `at`.
    ///
    /// No permission changes, at `at` or later, now or after any event
    /// arrives: a record is kept if dropping it could turn a deny into a
    /// permit. So objections are always kept, and so is every record of a
    /// legitimate-interest purpose (a refusal or withdrawal is what denies
    /// it, and a withdraw-all arriving later would deny a grant) and every
    /// grant of a direct-marketing purpose (it ends any older objection
    /// that may still arrive). For
    /// each record dropped the ledger keeps a small trace (its time, kind
    /// and event id) so that an older event that arrives late is still
    /// superseded, exactly as the record would have superseded it, and a
    /// dropped grant still counts as the new relationship of a subject
    /// erased before it: instances that prune at different times and receive
    /// the same events in any order agree on every decision at or after the
    /// latest prune. Reasons can change (`Expired` becomes `NoConsent`);
    /// checks before `at` are not preserved (the as-of audit answers for the
    /// past); [`Ledger::should_ask`] still says to ask.
    ///
    /// Pruning changes only this ledger: it is not an event. The traces are
    /// kept in its snapshots but not in [`Ledger::events`]: compact a log
    /// with the events of a ledger that has not pruned, or keep the returned
    /// records.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef};
    /// use time::{Duration, macros::datetime};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("contact")
    ///     .purpose(
    ///         PurposeDef::new("newsletter", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["contact"])
    ///             .default_validity(Duration::days(30)),
    ///     )
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// ledger.give(Grant::new("user-1", "newsletter", datetime!(2026-01-01 0:00 UTC), banner))?;
    ///
    /// let at = datetime!(2026-03-01 0:00 UTC);
    /// let dropped = ledger.prune(at);
    /// assert_eq!(dropped.len(), 1);
    /// assert!(!ledger.is_permitted("user-1", "newsletter", "contact", at));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn prune(&mut self, at: OffsetDateTime) -> Vec<PrunedRecord> {
        let mut dropped = Vec::new();
        for subject in self.subjects() {
            let Some(held) = self.subject_records(subject) else {
                continue;
            };
            let prunable: Vec<&ConsentRecord> = held
                .records()
                .iter()
                .filter(|r| prunable(self.catalog(), r, at))
                .collect();
            dropped.extend(prunable.into_iter().map(|r| PrunedRecord {
                subject: subject.to_owned(),
                record: r.clone(),
            }));
        }
        for d in &dropped {
            self.remove_record(&d.subject, d.record.purpose());
        }
        dropped
    }
}

/// Whether dropping `r` changes no permission at `at` or later.
fn prunable(catalog: &Catalog, r: &ConsentRecord, at: OffsetDateTime) -> bool {
    let Some(p) = catalog.purpose(r.purpose()) else {
        return false;
    };
    // A legitimate-interest purpose is permitted without a record but denied
    // by a refusal, a withdrawal, or a withdraw-all over a grant (even one
    // arriving later, with an earlier time): none of its records can go.
    if !p.basis().is_consent() && p.basis().honours_refusal() {
        return false;
    }
    let cooled = |t: OffsetDateTime| add_months(t, p.cooldown_months()) <= at;
    match (r.answer(), r.withdrawn_by_all()) {
        (Answer::Objected, _) => false,
        // The latest grant of a direct-marketing purpose ends an older
        // objection that may still arrive: it stays.
        (Answer::Given, _) if p.is_direct_marketing() => false,
        (Answer::Given, Some(w)) => cooled(w),
        (Answer::Given, None) => r.expires_at().is_some_and(|e| e <= at),
        (Answer::Refused | Answer::Withdrawn, _) => cooled(r.at()),
    }
}

/// Whether the purpose needs consent for some category: a consent basis, or
/// a category that touches sensitive data (which needs explicit consent
/// whatever the basis).
fn needs_consent(catalog: &Catalog, p: &Purpose) -> bool {
    p.basis().is_consent()
        || p.categories().any(|c| {
            catalog
                .category(c)
                .is_some_and(|c| c.needs_explicit_consent())
        })
}

/// The latest way the subject said no to `p`, if it denies the purpose:
/// refusals and withdrawals deny consent and legitimate-interest purposes,
/// and sensitive data under any basis (`needs_consent`).
fn latest_no(
    held: &SubjectRecords,
    p: &Purpose,
    record: Option<&ConsentRecord>,
    needs_consent: bool,
    set_before_clear: Option<OffsetDateTime>,
) -> Option<(Refusal, OffsetDateTime)> {
    let denies = needs_consent || p.basis().honours_refusal();
    let from_record = record.and_then(|r| match (r.answer(), r.withdrawn_by_all()) {
        (Answer::Given, Some(w)) if denies => Some((Refusal::Withdrawn, w)),
        (Answer::Given, _) => None,
        (Answer::Objected, _) => Some((Refusal::Objected, r.at())),
        (Answer::Refused | Answer::Withdrawn, _) if !denies => None,
        (Answer::Refused, _) => Some((Refusal::Refused, r.at())),
        (Answer::Withdrawn, _) => Some((Refusal::Withdrawn, r.at())),
    });
    let from_signal = held
        .global_opt_out()
        .filter(|signal| signal.is_on() && p.is_sale_or_sharing())
        .map(|signal| (Refusal::GlobalOptOut, signal.since()))
        .or(set_before_clear
            // A grant given after it is the later answer.
            .filter(|set| !record.is_some_and(|r| r.answer() == Answer::Given && r.at() > *set))
            .map(|at| (Refusal::GlobalOptOut, at)));
    match (from_record, from_signal) {
        (Some(a), Some(b)) => Some(if b.1 > a.1 { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// `t` plus `months` calendar months, in UTC, at the same time of day; a day
/// past the end of the target month is clamped to its last day (31 August +
/// 6 months = 28 or 29 February). Saturates at the end of the representable
/// range.
pub(crate) fn add_months(t: OffsetDateTime, months: u32) -> OffsetDateTime {
    // `utc` clamps to the stored range and converts without panicking
    // (never `to_offset`, which panics past the `time` crate's range).
    let t = utc(t);
    let index = i64::from(t.year()) * 12 + i64::from(u8::from(t.month())) - 1 + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).unwrap_or(i32::MAX);
    let month = u8::try_from(index.rem_euclid(12) + 1)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .unwrap_or(Month::December);
    let day = t.day().min(time::util::days_in_month(month, year));
    match Date::from_calendar_date(year, month, day) {
        Ok(d) => d.with_time(t.time()).assume_utc(),
        Err(_) => Date::MAX.midnight().assume_utc(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[track_caller]
    fn check(t: OffsetDateTime, months: u32, expected: OffsetDateTime) {
        assert_eq!(add_months(t, months), expected, "{t} + {months} months");
    }

    #[test]
    fn calendar_months() {
        check(
            datetime!(2026-03-01 10:00 UTC),
            6,
            datetime!(2026-09-01 10:00 UTC),
        );
        check(
            datetime!(2026-03-01 10:00 UTC),
            12,
            datetime!(2027-03-01 10:00 UTC),
        );
        check(
            datetime!(2026-08-31 23:59:59.5 UTC),
            6,
            datetime!(2027-02-28 23:59:59.5 UTC),
        );
        check(
            datetime!(2027-08-31 0:00 UTC),
            6,
            datetime!(2028-02-29 0:00 UTC),
        );
        check(
            datetime!(2026-11-15 0:00 UTC),
            2,
            datetime!(2027-01-15 0:00 UTC),
        );
        check(
            datetime!(2026-01-31 0:00 UTC),
            0,
            datetime!(2026-01-31 0:00 UTC),
        );
        check(
            datetime!(2026-01-01 3:00 +03:00),
            1,
            datetime!(2026-01-01 0:00 UTC) + Duration::days(31),
        );
        check(
            datetime!(2261-12-31 0:00 UTC),
            1200,
            datetime!(2361-12-31 0:00 UTC),
        );
    }
}
