//! Model-based test: the ledger against a deliberately naive reference.
//!
//! The reference ([`Model`]) is written straight from the README's rules and
//! shares no code with the crate: it keeps every accepted change in a `Vec`
//! (the host's log, in its own types) and answers each question by scanning
//! that log: the latest erasure, the winning record per subject and purpose,
//! the latest withdraw-all and opt-out signal. It uses `consentry` types only
//! at the edge: to build the real catalog from its own description, to label
//! its records with the real event ids, and to turn its own reasons into a
//! [`Decision`] for comparison.
//!
//! A proptest state machine drives random sequences of operations (gives
//! with random category subsets and expiries, refusals, withdrawals,
//! withdraw-all, objections, the opt-out signal, registration, erasure,
//! snapshot-and-reload through JSON, a replay of the log in a shuffled order
//! into a fresh ledger, a catalog evolution, invalid arguments) on both, and
//! after every step compares every `decide` (decision and reason) and
//! `status` for all subjects × purposes × categories at instants that
//! include the exact interval boundaries (`given_at`, `expires_at`, ±1 ns).
//!
//! The number of cases defaults to a CI-friendly 64; set
//! `CONSENTRY_PROPTEST_CASES` (e.g. to 100000, in release) for a long run.

use std::fmt;

use consentry::{
    Applied, Catalog, CollectionMethod, ConsentStatus, Decision, Error, Event, EventId, EventKind,
    Evidence, Grant, Ledger, LegalBasis, Purpose, PurposeDef, Snapshot, Timestamp,
};
use proptest::prelude::*;
use proptest::sample::select;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

// ===========================================================================
// The model's own catalog description
// ===========================================================================

/// A legal basis, as the model knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Basis {
    Consent,
    ExplicitConsent,
    LegitimateInterest,
    Contract,
    LegalObligation,
    VitalInterests,
    PublicTask,
}

impl Basis {
    fn is_consent(self) -> bool {
        matches!(self, Basis::Consent | Basis::ExplicitConsent)
    }

    /// Only for the comparison with the crate.
    fn real(self) -> LegalBasis {
        match self {
            Basis::Consent => LegalBasis::Consent,
            Basis::ExplicitConsent => LegalBasis::ExplicitConsent,
            Basis::LegitimateInterest => LegalBasis::LegitimateInterest,
            Basis::Contract => LegalBasis::Contract,
            Basis::LegalObligation => LegalBasis::LegalObligation,
            Basis::VitalInterests => LegalBasis::VitalInterests,
            Basis::PublicTask => LegalBasis::PublicTask,
        }
    }
}

#[derive(Debug)]
struct MPurpose {
    name: &'static str,
    basis: Basis,
    categories: &'static [&'static str],
    notice: u32,
    min_notice: u32,
    default_minutes: Option<i64>,
    max_minutes: Option<i64>,
    sale_or_sharing: bool,
    direct_marketing: bool,
}

#[derive(Debug)]
struct MCatalog {
    /// Name and whether declared sensitive, in declaration order.
    categories: &'static [(&'static str, bool)],
    purposes: &'static [MPurpose],
}

const fn purpose(
    name: &'static str,
    basis: Basis,
    categories: &'static [&'static str],
) -> MPurpose {
    MPurpose {
        name,
        basis,
        categories,
        notice: 1,
        min_notice: 1,
        default_minutes: None,
        max_minutes: None,
        sale_or_sharing: false,
        direct_marketing: false,
    }
}

/// Every legal basis; a sensitive category with a child and one under a
/// non-sensitive parent; sale/sharing and direct-marketing marks; default
/// and maximum validity; a notice history; and a dotted purpose name next to
/// its "group".
static V1: MCatalog = MCatalog {
    categories: &[
        ("contact", false),
        ("contact.email", false),
        ("contact.phone", false),
        ("health", true),
        ("health.genetic", false), // sensitive by inheritance
        ("profile", false),        // has a sensitive descendant
        ("profile.beliefs", true), // sensitive under a non-sensitive parent
        ("browsing", false),
        ("location", false),
    ],
    purposes: &[
        MPurpose {
            notice: 3,
            min_notice: 2,
            default_minutes: Some(10),
            max_minutes: Some(20),
            direct_marketing: true,
            ..purpose("marketing.email", Basis::Consent, &["contact"])
        },
        purpose("marketing", Basis::Consent, &["contact", "browsing"]),
        MPurpose {
            max_minutes: Some(30),
            sale_or_sharing: true,
            ..purpose("ads", Basis::Consent, &["browsing", "location", "profile"])
        },
        MPurpose {
            default_minutes: Some(15),
            ..purpose("research", Basis::ExplicitConsent, &["health", "profile"])
        },
        MPurpose {
            sale_or_sharing: true,
            ..purpose(
                "analytics",
                Basis::LegitimateInterest,
                &["browsing", "profile"],
            )
        },
        MPurpose {
            sale_or_sharing: true,
            direct_marketing: true,
            ..purpose("partners", Basis::LegitimateInterest, &["contact.email"])
        },
        purpose("orders", Basis::Contract, &["contact", "health.genetic"]),
        MPurpose {
            direct_marketing: true,
            max_minutes: Some(25),
            ..purpose("mailshot", Basis::Contract, &["contact.phone"])
        },
        purpose("tax", Basis::LegalObligation, &["contact"]),
        purpose(
            "emergency",
            Basis::VitalInterests,
            &["health", "contact.phone"],
        ),
        MPurpose {
            notice: 2,
            min_notice: 1,
            ..purpose("census", Basis::PublicTask, &["location", "profile"])
        },
    ],
};

/// The catalog after an evolution: categories declared in another order
/// plus a new one, a new purpose, and two raised notice minimums (every
/// older grant for those purposes needs re-consent).
static V2: MCatalog = MCatalog {
    categories: &[
        ("device", false),
        ("location", false),
        ("browsing", false),
        ("health", true),
        ("health.genetic", false),
        ("contact", false),
        ("contact.phone", false),
        ("contact.email", false),
        ("profile", false),
        ("profile.beliefs", true),
    ],
    purposes: &[
        MPurpose {
            max_minutes: Some(5),
            ..purpose("surveys", Basis::Consent, &["device", "contact.email"])
        },
        MPurpose {
            notice: 2,
            min_notice: 2,
            ..purpose("census", Basis::PublicTask, &["location", "profile"])
        },
        purpose(
            "emergency",
            Basis::VitalInterests,
            &["health", "contact.phone"],
        ),
        purpose("tax", Basis::LegalObligation, &["contact"]),
        MPurpose {
            direct_marketing: true,
            max_minutes: Some(25),
            ..purpose("mailshot", Basis::Contract, &["contact.phone"])
        },
        purpose("orders", Basis::Contract, &["contact", "health.genetic"]),
        MPurpose {
            sale_or_sharing: true,
            direct_marketing: true,
            ..purpose("partners", Basis::LegitimateInterest, &["contact.email"])
        },
        MPurpose {
            sale_or_sharing: true,
            ..purpose(
                "analytics",
                Basis::LegitimateInterest,
                &["browsing", "profile"],
            )
        },
        MPurpose {
            default_minutes: Some(15),
            ..purpose("research", Basis::ExplicitConsent, &["health", "profile"])
        },
        MPurpose {
            max_minutes: Some(30),
            sale_or_sharing: true,
            ..purpose("ads", Basis::Consent, &["browsing", "location", "profile"])
        },
        purpose("marketing", Basis::Consent, &["contact", "browsing"]),
        MPurpose {
            notice: 4,
            min_notice: 4,
            default_minutes: Some(10),
            max_minutes: Some(20),
            direct_marketing: true,
            ..purpose("marketing.email", Basis::Consent, &["contact"])
        },
    ],
};

/// `ancestor` is `c` or an ancestor of it in the dotted hierarchy.
fn covers(ancestor: &str, c: &str) -> bool {
    c == ancestor
        || (c.len() > ancestor.len()
            && c.starts_with(ancestor)
            && c[ancestor.len()..].starts_with('.'))
}

impl MCatalog {
    fn purpose(&self, name: &str) -> Option<&MPurpose> {
        self.purposes.iter().find(|p| p.name == name)
    }

    fn has_category(&self, name: &str) -> bool {
        self.categories.iter().any(|(c, _)| *c == name)
    }

    /// Sensitive data: the category is sensitive, under a sensitive parent,
    /// or has a sensitive descendant.
    fn touches_sensitive(&self, c: &str) -> bool {
        self.categories
            .iter()
            .any(|(d, sensitive)| *sensitive && (covers(d, c) || covers(c, d)))
    }

    /// The real catalog, built from this description.
    fn build(&self) -> Catalog {
        let mut b = Catalog::builder().controller("Model Test Ltd");
        for (name, sensitive) in self.categories {
            b = if *sensitive {
                b.sensitive_category(*name)
            } else {
                b.category(*name)
            };
        }
        for p in self.purposes {
            let mut d = PurposeDef::new(p.name, p.basis.real())
                .title(format!("The {} purpose", p.name))
                .description("What the model test does with it.")
                .categories(p.categories.iter().copied())
                .notice_version(p.notice)
                .min_notice_version(p.min_notice);
            if let Some(m) = p.default_minutes {
                d = d.default_validity(Duration::minutes(m));
            }
            if let Some(m) = p.max_minutes {
                d = d.max_validity(Duration::minutes(m));
            }
            if p.sale_or_sharing {
                d = d.sale_or_sharing();
            }
            if p.direct_marketing {
                d = d.direct_marketing();
            }
            b = b.purpose(d);
        }
        b.build().expect("the model's catalog is valid")
    }
}

// ===========================================================================
// Time
// ===========================================================================

const T0: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);
const MINUTE: i128 = 60_000_000_000;

fn nanos(t: OffsetDateTime) -> i128 {
    t.unix_timestamp_nanos()
}

fn instant(n: i128) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(n).expect("a representable instant")
}

/// 2261-12-31T23:59:59.999999999Z, the last storable instant.
fn last_instant() -> i128 {
    nanos(datetime!(2262-01-01 0:00 UTC)) - 1
}

/// The supported range, as the README states it.
fn in_range(n: i128) -> bool {
    nanos(datetime!(1678-01-01 0:00 UTC)) <= n && n < nanos(datetime!(2262-01-01 0:00 UTC))
}

/// An instant an operation happens at, or a check is made at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum When {
    /// `T0 + minute` and a nanosecond nudge.
    At { minute: u8, ns: i8 },
    /// 1678-01-01T00:00:00Z, the first supported instant.
    RangeStart,
    /// One nanosecond before it.
    BeforeRange,
    /// 2261-12-31T23:50:00Z: a validity from here runs past the range.
    NearEnd,
    /// 2262-01-01T00:00:00Z, the first unsupported instant after the range.
    AfterRange,
    /// The instant of an earlier event (for [`Op::Tie`]).
    Exact(i128),
}

impl When {
    fn nanos(self) -> i128 {
        match self {
            When::At { minute, ns } => nanos(T0) + i128::from(minute) * MINUTE + i128::from(ns),
            When::RangeStart => nanos(datetime!(1678-01-01 0:00 UTC)),
            When::BeforeRange => nanos(datetime!(1678-01-01 0:00 UTC)) - 1,
            When::NearEnd => nanos(datetime!(2261-12-31 23:50 UTC)),
            When::AfterRange => nanos(datetime!(2262-01-01 0:00 UTC)),
            When::Exact(n) => n,
        }
    }

    fn time(self) -> OffsetDateTime {
        instant(self.nanos())
    }
}

impl fmt::Debug for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::At { minute, ns: 0 } => write!(f, "m{minute}"),
            When::At { minute, ns } => write!(f, "m{minute}{ns:+}ns"),
            When::RangeStart => f.write_str("1678-01-01"),
            When::BeforeRange => f.write_str("1678-01-01-1ns"),
            When::NearEnd => f.write_str("2261-12-31T23:50"),
            When::AfterRange => f.write_str("2262-01-01"),
            When::Exact(n) => write!(f, "{}", instant(*n)),
        }
    }
}

/// The expiry a give asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expiry {
    /// `at + minutes` and a nanosecond nudge (0 minutes: at or before `at`).
    After { minutes: u8, ns: i8 },
    /// An absolute instant, possibly out of range.
    At(When),
}

impl fmt::Debug for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expiry::After { minutes, ns: 0 } => write!(f, "+{minutes}m"),
            Expiry::After { minutes, ns } => write!(f, "+{minutes}m{ns:+}ns"),
            Expiry::At(w) => write!(f, "{w:?}"),
        }
    }
}

impl Expiry {
    fn nanos(self, at: i128) -> i128 {
        match self {
            Expiry::After { minutes, ns } => at + i128::from(minutes) * MINUTE + i128::from(ns),
            Expiry::At(w) => w.nanos(),
        }
    }
}

// ===========================================================================
// The model
// ===========================================================================

/// A per-purpose answer. The order is the README's tie-break at equal
/// times: objected > withdrawn > refused > given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Answer {
    Given,
    Refused,
    Withdrawn,
    Objected,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct MGrant {
    categories: Vec<String>,
    expires: Option<i128>,
    renewal: bool,
    notice: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum MKind {
    Registered,
    Answer {
        purpose: String,
        answer: Answer,
        /// For `Given` only.
        grant: Option<MGrant>,
    },
    WithdrawnAll,
    OptOut(bool),
    Erased,
}

/// One accepted change, as the model logs it. `id` is the real event's id,
/// an opaque label (it breaks ties between equal answers).
#[derive(Debug, Clone)]
struct MEvent {
    subject: String,
    at: i128,
    kind: MKind,
    id: EventId,
}

/// The model's reasons, mapped to [`Decision`] for comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Granted {
        id: EventId,
        given: i128,
        expires: Option<i128>,
    },
    NotConsentBased(Basis),
    NoConsent,
    Refused(i128),
    Withdrawn(i128, bool),
    Expired(i128, i128),
    NotYetValid(i128),
    CategoryNotCovered,
    NoticeOutdated(u32, u32),
    Objected(i128),
    OptedOut(i128),
    ExplicitConsentRequired,
    CategoryNotInPurpose,
    Erased(i128),
    UnknownPurpose,
    UnknownCategory,
}

impl Reason {
    fn real(self) -> Decision {
        match self {
            Reason::Granted { id, given, expires } => Decision::Granted {
                record: id,
                given_at: instant(given),
                expires_at: expires.map(instant),
            },
            Reason::NotConsentBased(b) => Decision::NotConsentBased { basis: b.real() },
            Reason::NoConsent => Decision::NoConsent,
            Reason::Refused(t) => Decision::Refused { at: instant(t) },
            Reason::Withdrawn(t, all) => Decision::Withdrawn {
                at: instant(t),
                all,
            },
            Reason::Expired(g, e) => Decision::Expired {
                given_at: instant(g),
                expired_at: instant(e),
            },
            Reason::NotYetValid(g) => Decision::NotYetValid {
                given_at: instant(g),
            },
            Reason::CategoryNotCovered => Decision::CategoryNotCovered,
            Reason::NoticeOutdated(version, min_version) => Decision::NoticeOutdated {
                version,
                min_version,
            },
            Reason::Objected(t) => Decision::Objected { at: instant(t) },
            Reason::OptedOut(t) => Decision::OptedOut { at: instant(t) },
            Reason::ExplicitConsentRequired => Decision::ExplicitConsentRequired,
            Reason::CategoryNotInPurpose => Decision::CategoryNotInPurpose,
            Reason::Erased(t) => Decision::Erased { at: instant(t) },
            Reason::UnknownPurpose => Decision::UnknownPurpose,
            Reason::UnknownCategory => Decision::UnknownCategory,
        }
    }
}

/// Why the model expects a change to fail. When several apply, the crate
/// may report any one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    TimeOutOfRange,
    InvalidSubject,
    UnknownPurpose,
    UnknownCategory,
    CategoryOutsidePurpose,
    NoCategories,
    NoticeMissing,
    NoticeOutdated,
    NoticeNeverPublished,
    ExpiryNotAfterGiven,
    ObjectionNotApplicable,
    SubjectErased,
}

impl Refusal {
    fn matches(self, e: &Error) -> bool {
        match self {
            Refusal::TimeOutOfRange => matches!(e, Error::TimeOutOfRange(_)),
            Refusal::InvalidSubject => matches!(e, Error::InvalidName { .. }),
            Refusal::UnknownPurpose => matches!(e, Error::UnknownPurpose(_)),
            Refusal::UnknownCategory => matches!(e, Error::UnknownCategory(_)),
            Refusal::CategoryOutsidePurpose => matches!(e, Error::CategoryOutsidePurpose { .. }),
            Refusal::NoCategories => {
                matches!(e, Error::InvalidEvent { problem } if problem.contains("names no categories"))
            }
            Refusal::NoticeMissing => matches!(e, Error::NoticeMissing { .. }),
            Refusal::NoticeOutdated => matches!(e, Error::NoticeOutdated { .. }),
            Refusal::NoticeNeverPublished => matches!(e, Error::NoticeNeverPublished { .. }),
            Refusal::ExpiryNotAfterGiven => matches!(e, Error::ExpiryNotAfterGiven { .. }),
            Refusal::ObjectionNotApplicable => matches!(e, Error::ObjectionNotApplicable { .. }),
            Refusal::SubjectErased => matches!(e, Error::SubjectErased { .. }),
        }
    }
}

/// The reference ledger: a log scanned linearly.
#[derive(Debug, Clone)]
struct Model {
    catalog: &'static MCatalog,
    log: Vec<MEvent>,
}

/// A subject id the README accepts: 1 to 256 bytes, no control characters.
fn valid_subject(s: &str) -> bool {
    !s.is_empty() && s.len() <= 256 && !s.chars().any(char::is_control)
}

impl Model {
    fn new() -> Self {
        Model {
            catalog: &V1,
            log: Vec::new(),
        }
    }

    /// The latest erasure of the subject.
    fn erased_at(&self, subject: &str) -> Option<i128> {
        self.log
            .iter()
            .filter(|e| e.subject == subject && e.kind == MKind::Erased)
            .map(|e| e.at)
            .max()
    }

    /// What still counts for the subject: every change after its latest
    /// erasure, erasures excluded.
    fn effective<'a>(&'a self, subject: &str) -> impl Iterator<Item = &'a MEvent> + 'a {
        let erased = self.erased_at(subject);
        let subject = subject.to_owned();
        self.log.iter().filter(move |e| {
            e.subject == subject && e.kind != MKind::Erased && erased.is_none_or(|t| e.at > t)
        })
    }

    /// Known: anything but an erasure recorded after the latest erasure.
    fn known(&self, subject: &str) -> bool {
        self.effective(subject).next().is_some()
    }

    /// Whether a relationship started after the latest erasure is in
    /// effect: a registration, or a purpose whose winning answer is a grant.
    fn restarted(&self, subject: &str) -> bool {
        self.effective(subject).any(|e| e.kind == MKind::Registered)
            || self.catalog.purposes.iter().any(|p| {
                self.record(subject, p.name).is_some_and(|r| {
                    matches!(
                        r.kind,
                        MKind::Answer {
                            answer: Answer::Given,
                            ..
                        }
                    )
                })
            })
    }

    /// The winning answer for subject and purpose: latest time, then the
    /// more protective answer, then the larger event id.
    fn record(&self, subject: &str, purpose: &str) -> Option<&MEvent> {
        self.effective(subject)
            .filter(|e| matches!(&e.kind, MKind::Answer { purpose: p, .. } if p == purpose))
            .max_by_key(|e| {
                let MKind::Answer { answer, .. } = &e.kind else {
                    unreachable!()
                };
                (e.at, *answer, e.id)
            })
    }

    /// For a direct-marketing purpose: when the subject objected, if the
    /// latest of its grants and objections is an objection (it holds over
    /// later refusals and withdrawals, GDPR Art. 21(3)).
    fn standing_objection(&self, subject: &str, purpose: &str) -> Option<i128> {
        self.effective(subject)
            .filter_map(|e| match &e.kind {
                MKind::Answer {
                    purpose: p, answer, ..
                } if p == purpose && matches!(answer, Answer::Given | Answer::Objected) => {
                    Some((e.at, *answer, e.id))
                }
                _ => None,
            })
            .max()
            .filter(|(_, answer, _)| *answer == Answer::Objected)
            .map(|(at, _, _)| at)
    }

    /// When the opt-out signal was last set.
    fn last_set(&self, subject: &str) -> Option<i128> {
        self.effective(subject)
            .filter_map(|e| match e.kind {
                MKind::OptOut(true) => Some((e.at, e.id)),
                _ => None,
            })
            .max()
            .map(|(at, _)| at)
    }

    /// The latest withdraw-all.
    fn withdrawn_all(&self, subject: &str) -> Option<i128> {
        self.effective(subject)
            .filter(|e| e.kind == MKind::WithdrawnAll)
            .map(|e| e.at)
            .max()
    }

    /// The opt-out signal: latest time, "on" beats "off", then the larger id.
    fn opt_out(&self, subject: &str) -> Option<(bool, i128)> {
        self.effective(subject)
            .filter_map(|e| match e.kind {
                MKind::OptOut(on) => Some((e.at, on, e.id)),
                _ => None,
            })
            .max()
            .map(|(at, on, _)| (on, at))
    }

    /// The README's "exact rules", in order.
    fn decide(&self, subject: &str, purpose: &str, category: &str, at: i128) -> Reason {
        // 1.
        let Some(p) = self.catalog.purpose(purpose) else {
            return Reason::UnknownPurpose;
        };
        if !self.catalog.has_category(category) {
            return Reason::UnknownCategory;
        }
        // 2.
        if !p.categories.iter().any(|d| covers(d, category)) {
            return Reason::CategoryNotInPurpose;
        }
        // 3. An erased subject stays denied until a registration or a grant
        // after the erasure is in effect; a subject never seen has no record
        // and gets the purpose's default below.
        if let Some(e) = self.erased_at(subject)
            && !self.restarted(subject)
        {
            return Reason::Erased(e);
        }
        let record = self.record(subject, purpose);
        let answer = record.map(|r| match &r.kind {
            MKind::Answer { answer, grant, .. } => (r, *answer, grant.as_ref()),
            _ => unreachable!(),
        });
        // 4.
        if let Some((r, Answer::Objected, _)) = answer {
            return Reason::Objected(r.at);
        }
        if p.direct_marketing
            && let Some(t) = self.standing_objection(subject, purpose)
        {
            return Reason::Objected(t);
        }
        // 5. Named by when the signal was set (the latest `set`); a clear
        // with no `set` known says the signal was never on.
        if p.sale_or_sharing
            && let Some((on, t)) = self.opt_out(subject)
        {
            let set = if on {
                Some(t)
            } else if at < t {
                self.last_set(subject)
            } else {
                None
            };
            if let Some(set) = set {
                return Reason::OptedOut(set);
            }
        }
        // 6.
        let sensitive = self.catalog.touches_sensitive(category);
        if sensitive && p.basis == Basis::Consent {
            return Reason::ExplicitConsentRequired;
        }
        // 7.
        let Some((r, answer, grant)) = answer else {
            return if p.basis.is_consent() {
                Reason::NoConsent
            } else if sensitive {
                Reason::ExplicitConsentRequired
            } else {
                Reason::NotConsentBased(p.basis)
            };
        };
        let needs_consent = p.basis.is_consent() || sensitive;
        let honours_refusal = needs_consent || p.basis == Basis::LegitimateInterest;
        // 8.
        if answer == Answer::Given
            && let Some(w) = self.withdrawn_all(subject)
            && r.at <= w
        {
            return if honours_refusal {
                Reason::Withdrawn(w, true)
            } else {
                Reason::NotConsentBased(p.basis)
            };
        }
        // 9.
        match answer {
            Answer::Refused | Answer::Withdrawn if !honours_refusal => {
                Reason::NotConsentBased(p.basis)
            }
            Answer::Refused => Reason::Refused(r.at),
            Answer::Withdrawn => Reason::Withdrawn(r.at, false),
            Answer::Objected => unreachable!("decided by rule 4"),
            Answer::Given if !needs_consent => Reason::NotConsentBased(p.basis),
            // 10.
            Answer::Given => {
                let g = grant.expect("a given answer has its grant");
                if at < r.at {
                    Reason::NotYetValid(r.at)
                } else if let Some(e) = g.expires.filter(|e| at >= *e) {
                    Reason::Expired(r.at, e)
                } else if g.notice < p.min_notice {
                    Reason::NoticeOutdated(g.notice, p.min_notice)
                } else if !g.categories.iter().any(|gc| covers(gc, category)) {
                    Reason::CategoryNotCovered
                } else {
                    Reason::Granted {
                        id: r.id,
                        given: r.at,
                        expires: g.expires,
                    }
                }
            }
        }
    }

    /// The README's statuses: `Unknown` when nothing is known or the record
    /// is later than `at`.
    fn status(&self, subject: &str, purpose: &str, at: i128) -> ConsentStatus {
        let Some(p) = self.catalog.purpose(purpose) else {
            return ConsentStatus::Unknown;
        };
        if !self.known(subject) {
            return ConsentStatus::Unknown;
        }
        let Some(r) = self.record(subject, purpose) else {
            return ConsentStatus::Unknown;
        };
        let MKind::Answer { answer, grant, .. } = &r.kind else {
            unreachable!()
        };
        if p.direct_marketing
            && self
                .standing_objection(subject, purpose)
                .is_some_and(|t| t <= at)
        {
            return ConsentStatus::Objected;
        }
        if r.at > at {
            return ConsentStatus::Unknown;
        }
        if *answer == Answer::Given && self.withdrawn_all(subject).is_some_and(|w| r.at <= w) {
            return ConsentStatus::Withdrawn;
        }
        match answer {
            Answer::Refused => ConsentStatus::Refused,
            Answer::Withdrawn => ConsentStatus::Withdrawn,
            Answer::Objected => ConsentStatus::Objected,
            Answer::Given => {
                let g = grant.as_ref().expect("a given answer has its grant");
                if g.expires.is_some_and(|e| at >= e) {
                    ConsentStatus::Expired
                } else if g.notice < p.min_notice {
                    ConsentStatus::Invalidated
                } else if p.sale_or_sharing
                    && self
                        .opt_out(subject)
                        .is_some_and(|(on, t)| on || (at < t && self.last_set(subject).is_some()))
                {
                    // The signal suspends the grant, as in the decision.
                    ConsentStatus::OptedOut
                } else if g.renewal {
                    ConsentStatus::Renewed
                } else {
                    ConsentStatus::Given
                }
            }
        }
    }

    /// What every change checks: time, subject id, erasure.
    fn common_refusals(&self, subject: &str, at: i128, out: &mut Vec<Refusal>) {
        if !in_range(at) {
            out.push(Refusal::TimeOutOfRange);
        }
        if !valid_subject(subject) {
            out.push(Refusal::InvalidSubject);
        }
        if self.erased_at(subject).is_some_and(|e| at <= e) {
            out.push(Refusal::SubjectErased);
        }
    }

    /// The event a change should produce, or why it must fail.
    fn predict(&self, op: &Op) -> Result<(String, i128, MKind), Vec<Refusal>> {
        let mut no = Vec::new();
        let answer = |purpose: &str, answer| MKind::Answer {
            purpose: purpose.to_owned(),
            answer,
            grant: None,
        };
        let (subject, at, kind) = match op {
            Op::Give {
                subject,
                purpose,
                at,
                categories,
                expiry,
                notice,
                ..
            } => {
                let at = at.nanos();
                self.common_refusals(subject, at, &mut no);
                let Some(p) = self.catalog.purpose(purpose) else {
                    no.push(Refusal::UnknownPurpose);
                    return Err(no);
                };
                match notice {
                    None => no.push(Refusal::NoticeMissing),
                    Some(v) if u32::from(*v) < p.min_notice => no.push(Refusal::NoticeOutdated),
                    Some(v) if u32::from(*v) > p.notice => no.push(Refusal::NoticeNeverPublished),
                    Some(_) => {}
                }
                let mut names: Vec<String> = match categories {
                    None => p.categories.iter().map(|c| (*c).to_owned()).collect(),
                    Some(cs) => {
                        if cs.is_empty() {
                            no.push(Refusal::NoCategories);
                        }
                        for c in cs {
                            if !self.catalog.has_category(c) {
                                no.push(Refusal::UnknownCategory);
                            } else if !p.categories.iter().any(|d| covers(d, c)) {
                                no.push(Refusal::CategoryOutsidePurpose);
                            }
                        }
                        cs.iter().map(|c| (*c).to_owned()).collect()
                    }
                };
                names.sort();
                names.dedup();
                let max = p.max_minutes.map(|m| at + i128::from(m) * MINUTE);
                let expires = match expiry {
                    Some(e) => {
                        let mut e = e.nanos(at);
                        if e > last_instant() {
                            // Past the end: cut there, then capped (README, "Expiry").
                            e = last_instant();
                        } else if !in_range(e) {
                            no.push(Refusal::TimeOutOfRange);
                        }
                        if e <= at {
                            no.push(Refusal::ExpiryNotAfterGiven);
                        }
                        Some(max.map_or(e, |m| e.min(m)))
                    }
                    // The purpose's default (or maximum) validity, cut at the
                    // last storable instant (CHANGELOG, "Fixed": never extended).
                    None => p
                        .default_minutes
                        .or(p.max_minutes)
                        .map(|m| (at + i128::from(m) * MINUTE).min(last_instant())),
                };
                let grant = MGrant {
                    categories: names,
                    expires,
                    // A grant on hold under the opt-out signal is still
                    // in force for renewal: it is renewed, not given anew.
                    // One given at the same instant is not renewed (the same
                    // grant twice is a duplicate).
                    renewal: matches!(
                        self.status(subject, purpose, at),
                        ConsentStatus::Given | ConsentStatus::Renewed | ConsentStatus::OptedOut
                    ) && self.record(subject, purpose).is_some_and(|r| r.at < at),
                    notice: notice.map_or(0, u32::from),
                };
                let kind = MKind::Answer {
                    purpose: (*purpose).to_owned(),
                    answer: Answer::Given,
                    grant: Some(grant),
                };
                (subject, at, kind)
            }
            Op::Refuse {
                subject,
                purpose,
                at,
                notice,
            }
            | Op::Withdraw {
                subject,
                purpose,
                at,
                notice,
            }
            | Op::Object {
                subject,
                purpose,
                at,
                notice,
            } => {
                let at = at.nanos();
                self.common_refusals(subject, at, &mut no);
                let Some(p) = self.catalog.purpose(purpose) else {
                    no.push(Refusal::UnknownPurpose);
                    return Err(no);
                };
                match notice {
                    None if matches!(op, Op::Refuse { .. }) => no.push(Refusal::NoticeMissing),
                    Some(v) if u32::from(*v) > p.notice => no.push(Refusal::NoticeNeverPublished),
                    _ => {}
                }
                let kind = match op {
                    Op::Refuse { .. } => answer(purpose, Answer::Refused),
                    Op::Withdraw { .. } => answer(purpose, Answer::Withdrawn),
                    _ => {
                        let allowed =
                            matches!(p.basis, Basis::LegitimateInterest | Basis::PublicTask)
                                || p.direct_marketing;
                        if !allowed {
                            no.push(Refusal::ObjectionNotApplicable);
                        }
                        answer(purpose, Answer::Objected)
                    }
                };
                (subject, at, kind)
            }
            Op::WithdrawAll { subject, at } => {
                self.common_refusals(subject, at.nanos(), &mut no);
                (subject, at.nanos(), MKind::WithdrawnAll)
            }
            Op::OptOut { subject, at, on } => {
                self.common_refusals(subject, at.nanos(), &mut no);
                (subject, at.nanos(), MKind::OptOut(*on))
            }
            Op::Register { subject, at } => {
                self.common_refusals(subject, at.nanos(), &mut no);
                (subject, at.nanos(), MKind::Registered)
            }
            Op::Erase { subject, at } => {
                // An erasure is never refused for an earlier erasure.
                if !in_range(at.nanos()) {
                    no.push(Refusal::TimeOutOfRange);
                }
                if !valid_subject(subject) {
                    no.push(Refusal::InvalidSubject);
                }
                (subject, at.nanos(), MKind::Erased)
            }
            Op::Reload(_) | Op::Replay(_) | Op::Evolve | Op::Tie(_) => {
                unreachable!("not a change")
            }
        };
        if no.is_empty() {
            Ok(((*subject).to_owned(), at, kind))
        } else {
            Err(no)
        }
    }

    fn subjects(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .log
            .iter()
            .map(|e| e.subject.clone())
            .filter(|s| self.known(s))
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// Instants worth checking: every change's time and every expiry, each
    /// ±1 ns.
    fn boundaries(&self) -> Vec<i128> {
        let mut out = Vec::new();
        for e in &self.log {
            let mut push = |t: i128| out.extend([t - 1, t, t + 1]);
            push(e.at);
            if let MKind::Answer {
                grant: Some(MGrant {
                    expires: Some(x), ..
                }),
                ..
            } = &e.kind
            {
                push(*x);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The real event, in the model's terms (to compare with the prediction).
fn as_model(e: &Event) -> (String, i128, MKind) {
    let answer = |purpose: &str, answer| MKind::Answer {
        purpose: purpose.to_owned(),
        answer,
        grant: None,
    };
    let kind = match e.kind() {
        EventKind::Registered => MKind::Registered,
        EventKind::Given {
            purpose,
            categories,
            expires_at,
            renewal,
            evidence,
        } => MKind::Answer {
            purpose: purpose.clone(),
            answer: Answer::Given,
            grant: Some(MGrant {
                categories: categories.clone(),
                expires: expires_at.map(nanos),
                renewal: *renewal,
                notice: evidence.notice_version().unwrap_or(0),
            }),
        },
        EventKind::Refused { purpose, .. } => answer(purpose, Answer::Refused),
        EventKind::Withdrawn { purpose, .. } => answer(purpose, Answer::Withdrawn),
        EventKind::Objected { purpose, .. } => answer(purpose, Answer::Objected),
        EventKind::WithdrawnAll { .. } => MKind::WithdrawnAll,
        EventKind::OptOutSet { .. } => MKind::OptOut(true),
        EventKind::OptOutCleared { .. } => MKind::OptOut(false),
        EventKind::Erased => MKind::Erased,
        other => panic!("an event kind the model does not know: {other:?}"),
    };
    (e.subject().to_owned(), nanos(e.at()), kind)
}

// ===========================================================================
// Operations
// ===========================================================================

/// How a replay or reload rebuilds the ledger.
#[derive(Debug, Clone, Copy)]
enum Reload {
    /// Snapshot, to JSON, back, restore.
    Json,
    /// Every event so far, in a shuffled order, into a fresh ledger.
    Shuffled(u64),
    /// `Ledger::events()` (the state as events) into a fresh ledger.
    StateAsEvents,
    /// `merge` into a fresh ledger.
    Merge,
}

#[derive(Debug, Clone)]
enum Op {
    Give {
        subject: &'static str,
        purpose: &'static str,
        at: When,
        categories: Option<Vec<&'static str>>,
        expiry: Option<Expiry>,
        notice: Option<u8>,
        channel: &'static str,
    },
    Refuse {
        subject: &'static str,
        purpose: &'static str,
        at: When,
        notice: Option<u8>,
    },
    Withdraw {
        subject: &'static str,
        purpose: &'static str,
        at: When,
        notice: Option<u8>,
    },
    Object {
        subject: &'static str,
        purpose: &'static str,
        at: When,
        notice: Option<u8>,
    },
    WithdrawAll {
        subject: &'static str,
        at: When,
    },
    OptOut {
        subject: &'static str,
        at: When,
        on: bool,
    },
    Register {
        subject: &'static str,
        at: When,
    },
    Erase {
        subject: &'static str,
        at: When,
    },
    Reload(Reload),
    /// Applies again an event already logged (the n-th, modulo their number).
    Replay(u16),
    /// Moves to catalog V2 (`restore_with_catalog`).
    Evolve,
    /// A change of this kind for the subject (and purpose) of the latest
    /// event and at its very instant, with other evidence: exercises the
    /// tie-breaks between equal times.
    Tie(TieKind),
}

#[derive(Debug, Clone, Copy)]
enum TieKind {
    Give,
    Refuse,
    Withdraw,
    Object,
    WithdrawAll,
    OptOut(bool),
    Register,
    Erase,
}

/// Subjects used by changes; the last two are invalid ids.
const OP_SUBJECTS: [&str; 3] = ["ana", "ben", "chloé"];
const BAD_SUBJECTS: [&str; 2] = ["", "tab\there"];
/// Subjects asked about: those of the changes, one never seen, invalid ones.
const CHECK_SUBJECTS: [&str; 6] = ["ana", "ben", "chloé", "zoe", "", "tab\there"];
/// Purposes of both catalogs, an undeclared one, a malformed one.
const PURPOSES: [&str; 14] = [
    "marketing.email",
    "marketing",
    "ads",
    "research",
    "analytics",
    "partners",
    "orders",
    "mailshot",
    "tax",
    "emergency",
    "census",
    "surveys",
    "marketing.sms",
    "Bad Name",
];
/// Categories of both catalogs, an undeclared one, a malformed one.
const CATEGORIES: [&str; 12] = [
    "contact",
    "contact.email",
    "contact.phone",
    "health",
    "health.genetic",
    "profile",
    "profile.beliefs",
    "browsing",
    "location",
    "device",
    "contact.fax",
    "CONTACT",
];

fn when() -> impl Strategy<Value = When> {
    let nudge = prop_oneof![6 => Just(0i8), 1 => Just(-1i8), 1 => Just(1i8)];
    // A few popular minutes make equal times (and so the tie-breaks) common.
    let minute = prop_oneof![3 => 0u8..40, 2 => select(&[0u8, 5, 10, 20][..])];
    prop_oneof![
        80 => (minute, nudge).prop_map(|(minute, ns)| When::At { minute, ns }),
        1 => Just(When::RangeStart),
        1 => Just(When::BeforeRange),
        2 => Just(When::NearEnd),
        1 => Just(When::AfterRange),
    ]
}

fn subject() -> impl Strategy<Value = &'static str> {
    prop_oneof![30 => select(&OP_SUBJECTS[..]), 1 => select(&BAD_SUBJECTS[..])]
}

fn op_purpose() -> impl Strategy<Value = &'static str> {
    // Mostly declared purposes; sometimes undeclared or malformed ones.
    // A few popular purposes make several answers to one purpose common.
    prop_oneof![
        10 => select(&["marketing.email", "ads", "analytics", "mailshot"][..]),
        10 => select(&PURPOSES[..11]),
        1 => select(&PURPOSES[11..]),
    ]
}

/// The categories a purpose may use in either catalog (declared ones and
/// their descendants); every category name for an undeclared purpose.
fn usable_categories(purpose: &str) -> Vec<&'static str> {
    let usable: Vec<&'static str> = CATEGORIES
        .iter()
        .copied()
        .filter(|c| {
            [&V1, &V2].iter().any(|cat| {
                cat.purpose(purpose)
                    .is_some_and(|p| p.categories.iter().any(|d| covers(d, c)))
            })
        })
        .collect();
    if usable.is_empty() {
        CATEGORIES.to_vec()
    } else {
        usable
    }
}

/// Notice versions worth trying for a purpose: mostly ones one of the two
/// catalogs accepts, sometimes any (too old, never published) or none.
fn notice_for(purpose: &str) -> impl Strategy<Value = Option<u8>> + use<> {
    let mut accepted: Vec<u8> = [&V1, &V2]
        .iter()
        .filter_map(|cat| cat.purpose(purpose))
        .flat_map(|p| [p.min_notice, p.notice])
        .map(|v| v as u8)
        .collect();
    if accepted.is_empty() {
        accepted.push(1);
    }
    prop_oneof![
        16 => select(accepted).prop_map(Some),
        2 => (1u8..=5).prop_map(Some),
        1 => Just(None),
    ]
}

/// A category list for a give: mostly categories the purpose may use,
/// sometimes any name (undeclared, outside the purpose, malformed).
fn categories_for(purpose: &str) -> impl Strategy<Value = Option<Vec<&'static str>>> + use<> {
    let name = prop_oneof![12 => select(usable_categories(purpose)), 1 => select(&CATEGORIES[..])];
    let list = prop_oneof![12 => prop::collection::vec(name, 1..4), 1 => Just(Vec::new())];
    prop::option::weighted(0.5, list)
}

fn expiry() -> impl Strategy<Value = Option<Expiry>> {
    let nudge = prop_oneof![4 => Just(0i8), 1 => Just(-1i8), 1 => Just(1i8)];
    prop_oneof![
        3 => Just(None),
        4 => (0u8..45, nudge).prop_map(|(minutes, ns)| Some(Expiry::After { minutes, ns })),
        1 => when().prop_map(|w| Some(Expiry::At(w))),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let give = (
        subject(),
        op_purpose(),
        when(),
        expiry(),
        select(&["web", "app", "call-centre"][..]),
    )
        .prop_flat_map(|(subject, purpose, at, expiry, channel)| {
            (categories_for(purpose), notice_for(purpose)).prop_map(move |(categories, notice)| {
                Op::Give {
                    subject,
                    purpose,
                    at,
                    categories,
                    expiry,
                    notice,
                    channel,
                }
            })
        });
    let answer = || {
        (subject(), op_purpose(), when()).prop_flat_map(|(subject, purpose, at)| {
            notice_for(purpose).prop_map(move |notice| (subject, purpose, at, notice))
        })
    };
    prop_oneof![
        10 => give,
        3 => answer().prop_map(|(subject, purpose, at, notice)| Op::Refuse { subject, purpose, at, notice }),
        3 => answer().prop_map(|(subject, purpose, at, notice)| Op::Withdraw { subject, purpose, at, notice }),
        2 => answer().prop_map(|(subject, purpose, at, notice)| Op::Object { subject, purpose, at, notice }),
        2 => (subject(), when()).prop_map(|(subject, at)| Op::WithdrawAll { subject, at }),
        2 => (subject(), when(), any::<bool>()).prop_map(|(subject, at, on)| Op::OptOut { subject, at, on }),
        2 => (subject(), when()).prop_map(|(subject, at)| Op::Register { subject, at }),
        1 => (subject(), when()).prop_map(|(subject, at)| Op::Erase { subject, at }),
        1 => Just(Op::Reload(Reload::Json)),
        1 => any::<u64>().prop_map(|seed| Op::Reload(Reload::Shuffled(seed))),
        1 => Just(Op::Reload(Reload::StateAsEvents)),
        1 => Just(Op::Reload(Reload::Merge)),
        1 => any::<u16>().prop_map(Op::Replay),
        1 => Just(Op::Evolve),
        3 => prop_oneof![
            Just(TieKind::Give),
            Just(TieKind::Refuse),
            Just(TieKind::Withdraw),
            Just(TieKind::Object),
            Just(TieKind::WithdrawAll),
            any::<bool>().prop_map(TieKind::OptOut),
            Just(TieKind::Register),
            Just(TieKind::Erase),
        ].prop_map(Op::Tie),
    ]
}

/// Where to check after a step: three picks among the model's boundaries
/// (the n-th, modulo their number) and one instant of the op-time domain.
#[derive(Debug, Clone)]
struct Probe {
    boundaries: [u16; 3],
    extra: When,
}

fn probe() -> impl Strategy<Value = Probe> {
    (any::<[u16; 3]>(), when()).prop_map(|(boundaries, extra)| Probe { boundaries, extra })
}

/// Instants outside the supported range, checked after every step: they are
/// answered as at the nearest end of the range.
const FAR: [OffsetDateTime; 2] = [
    datetime!(1600-01-01 0:00 UTC),
    datetime!(2300-01-01 0:00 UTC),
];

// ===========================================================================
// The state machine
// ===========================================================================

struct Machine {
    real: Ledger,
    model: Model,
    /// Every event the real ledger returned, as the host would log them.
    events: Vec<Event>,
}

/// A deterministic shuffle (xorshift), so a failing case replays exactly.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    seed |= 1;
    for i in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        items.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

impl Machine {
    fn new() -> Self {
        Machine {
            real: Ledger::new(V1.build()),
            model: Model::new(),
            events: Vec::new(),
        }
    }

    fn change(&mut self, op: &Op) -> Result<Option<Event>, Error> {
        let evidence = |notice: &Option<u8>, method, channel: &str| {
            let e = Evidence::new(method).with_channel(channel);
            match notice {
                Some(v) => e.with_notice_version(u32::from(*v)),
                None => e,
            }
        };
        let l = &mut self.real;
        let event = match op {
            Op::Give {
                subject,
                purpose,
                at,
                categories,
                expiry,
                notice,
                channel,
            } => {
                let mut g = Grant::new(
                    *subject,
                    *purpose,
                    at.time(),
                    evidence(notice, CollectionMethod::Banner, channel),
                );
                if let Some(cs) = categories {
                    g = g.categories(cs.iter().copied());
                }
                if let Some(e) = expiry {
                    g = g.expires_at(instant(e.nanos(at.nanos())));
                }
                l.give(g)
            }
            Op::Refuse {
                subject,
                purpose,
                at,
                notice,
            } => l.refuse(
                subject,
                purpose,
                at.time(),
                evidence(notice, CollectionMethod::Banner, "web"),
            ),
            Op::Withdraw {
                subject,
                purpose,
                at,
                notice,
            } => l.withdraw(
                subject,
                purpose,
                at.time(),
                evidence(notice, CollectionMethod::EmailLink, "mail"),
            ),
            Op::Object {
                subject,
                purpose,
                at,
                notice,
            } => l.object(
                subject,
                purpose,
                at.time(),
                evidence(notice, CollectionMethod::SettingsPage, "app"),
            ),
            Op::WithdrawAll { subject, at } => l.withdraw_all(
                subject,
                at.time(),
                evidence(&None, CollectionMethod::SettingsPage, "app"),
            ),
            Op::OptOut { subject, at, on } => {
                let e = evidence(&None, CollectionMethod::BrowserSignal, "Sec-GPC: 1");
                if *on {
                    l.set_global_opt_out(subject, at.time(), e)
                } else {
                    l.clear_global_opt_out(subject, at.time(), e)
                }
            }
            Op::Register { subject, at } => l.register(subject, at.time()),
            Op::Erase { subject, at } => l.erase(subject, at.time()),
            _ => return Ok(None),
        }?;
        Ok(Some(event.into_event()))
    }

    /// The change an [`Op::Tie`] stands for, if the log has an event to tie with.
    fn tie(&self, kind: TieKind) -> Option<Op> {
        let last = self.events.last()?;
        let subject: &'static str = OP_SUBJECTS.iter().find(|s| **s == last.subject())?;
        let at = When::Exact(nanos(last.at()));
        let purpose = last
            .kind()
            .purpose()
            .and_then(|p| PURPOSES.iter().find(|q| **q == p).copied());
        let notice = purpose
            .and_then(|p| self.model.catalog.purpose(p))
            .map(|p| p.notice as u8);
        Some(match kind {
            TieKind::Give => Op::Give {
                subject,
                purpose: purpose?,
                at,
                categories: None,
                expiry: None,
                notice,
                channel: "tie",
            },
            TieKind::Refuse => Op::Refuse {
                subject,
                purpose: purpose?,
                at,
                notice,
            },
            TieKind::Withdraw => Op::Withdraw {
                subject,
                purpose: purpose?,
                at,
                notice: None,
            },
            TieKind::Object => Op::Object {
                subject,
                purpose: purpose?,
                at,
                notice: None,
            },
            TieKind::WithdrawAll => Op::WithdrawAll { subject, at },
            TieKind::OptOut(on) => Op::OptOut { subject, at, on },
            TieKind::Register => Op::Register { subject, at },
            TieKind::Erase => Op::Erase { subject, at },
        })
    }

    fn fresh(&self) -> Ledger {
        Ledger::new(self.model.catalog.build())
    }

    /// Runs one step on both sides and checks the outcome of the step itself.
    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let before = self.real.snapshot();
        match op {
            Op::Tie(kind) => {
                if let Some(op) = self.tie(*kind) {
                    self.step(&op)?;
                }
            }
            Op::Reload(how) => {
                let rebuilt = match how {
                    Reload::Json => {
                        let json = before.to_json().expect("a snapshot serializes");
                        let read = Snapshot::from_json(&json).expect("a snapshot reads back");
                        prop_assert_eq!(&read, &before, "snapshot JSON round trip");
                        Ledger::restore(read).expect("a snapshot of a ledger restores")
                    }
                    Reload::Shuffled(seed) => {
                        let mut events = self.events.clone();
                        shuffle(&mut events, *seed);
                        let mut fresh = self.fresh();
                        for e in &events {
                            fresh.apply(e).expect("a logged event applies");
                        }
                        // The model is order-free too: rebuild its log in the same order.
                        let mut log = self.model.log.clone();
                        shuffle(&mut log, *seed);
                        self.model.log = log;
                        fresh
                    }
                    Reload::StateAsEvents => {
                        let mut fresh = self.fresh();
                        for e in self.real.events() {
                            fresh.apply(&e).expect("the state's events apply");
                        }
                        fresh
                    }
                    Reload::Merge => {
                        let mut fresh = self.fresh();
                        fresh
                            .merge(&self.real)
                            .expect("a ledger merges into an empty one");
                        fresh
                    }
                };
                prop_assert_eq!(
                    rebuilt.snapshot(),
                    before,
                    "{:?} rebuilt a different state",
                    how
                );
                self.real = rebuilt;
            }
            Op::Replay(i) => {
                if !self.events.is_empty() {
                    let e = self.events[usize::from(*i) % self.events.len()].clone();
                    let outcome = self.real.apply(&e).expect("a logged event applies");
                    prop_assert_ne!(
                        outcome,
                        Applied::Changed,
                        "replaying {:?} changed the state",
                        e
                    );
                    prop_assert_eq!(self.real.snapshot(), before, "replaying {:?}", e);
                }
            }
            Op::Evolve => {
                let json = before.to_json().expect("a snapshot serializes");
                let read = Snapshot::from_json(&json).expect("a snapshot reads back");
                self.real = Ledger::restore_with_catalog(read, V2.build())
                    .expect("records stay valid under the evolved catalog");
                self.model.catalog = &V2;
            }
            _ => {
                let predicted = self.model.predict(op);
                match (self.change(op), predicted) {
                    (Ok(Some(event)), Ok(expected)) => {
                        prop_assert_eq!(as_model(&event), expected, "the event of {:?}", op);
                        let (subject, at, kind) = as_model(&event);
                        self.model.log.push(MEvent {
                            subject,
                            at,
                            kind,
                            id: event.id(),
                        });
                        let read = Event::from_json(&event.to_json().expect("serializes"))
                            .expect("an event reads back");
                        prop_assert_eq!(&read, &event, "event JSON round trip");
                        self.events.push(event);
                    }
                    (Err(e), Err(expected)) => {
                        prop_assert!(
                            expected.iter().any(|r| r.matches(&e)),
                            "{:?} failed with `{}`; the model expected one of {:?}",
                            op,
                            e,
                            expected
                        );
                        prop_assert_eq!(
                            self.real.snapshot(),
                            before,
                            "a failed {:?} changed the ledger",
                            op
                        );
                    }
                    (Ok(event), Err(expected)) => {
                        return Err(TestCaseError::fail(format!(
                            "{op:?} succeeded with {event:?}; the model expected one of {expected:?}"
                        )));
                    }
                    (Err(e), Ok(expected)) => {
                        return Err(TestCaseError::fail(format!(
                            "{op:?} failed with `{e}`; the model expected {expected:?}"
                        )));
                    }
                    (Ok(None), _) => unreachable!("a change returns an event"),
                }
            }
        }
        Ok(())
    }

    /// Compares every decision and status at the probed instants.
    fn compare(&self, probe: &Probe, step: usize) -> Result<(), TestCaseError> {
        let boundaries = self.model.boundaries();
        let mut times: Vec<i128> = vec![probe.extra.nanos()];
        if !boundaries.is_empty() {
            times.extend(
                probe
                    .boundaries
                    .iter()
                    .map(|i| boundaries[usize::from(*i) % boundaries.len()]),
            );
        }
        let mut instants: Vec<OffsetDateTime> = times.into_iter().map(instant).collect();
        instants.extend(FAR);
        for at in instants {
            let n = nanos(at);
            for s in CHECK_SUBJECTS {
                for p in PURPOSES {
                    for c in CATEGORIES {
                        let real = self.real.decide(s, p, c, at);
                        let model = self.model.decide(s, p, c, n).real();
                        prop_assert_eq!(
                            real,
                            model,
                            "after step {}: decide({:?}, {:?}, {:?}, {})",
                            step,
                            s,
                            p,
                            c,
                            at
                        );
                        prop_assert_eq!(self.real.is_permitted(s, p, c, at), model.is_permitted());
                        // The hot path by handles answers the same.
                        if let (Some(sh), Some(ph), Some(ch)) = (
                            self.real.subject_handle(s),
                            self.real.catalog().purpose_handle(p),
                            self.real.catalog().category_handle(c),
                        ) {
                            prop_assert_eq!(self.real.check(sh, ph, ch, at), real);
                            prop_assert_eq!(
                                self.real.is_permitted_by(sh, ph, ch, at),
                                real.is_permitted()
                            );
                        }
                    }
                    let real = self.real.status(s, p, at);
                    let model = self.model.status(s, p, n);
                    prop_assert_eq!(
                        real,
                        model,
                        "after step {}: status({:?}, {:?}, {})",
                        step,
                        s,
                        p,
                        at
                    );
                }
            }
            self.compare_batches(at, step)?;
        }
        let mut subjects: Vec<String> = self.real.subjects().map(str::to_owned).collect();
        subjects.sort();
        prop_assert_eq!(self.real.subject_count(), subjects.len());
        prop_assert_eq!(
            subjects,
            self.model.subjects(),
            "known subjects after step {}",
            step
        );
        Ok(())
    }
}

impl Machine {
    /// The batch checks and the all-purposes lookup answer as the model,
    /// on every subject × purpose × category at once (by name), the same
    /// checks by handle where all three resolve, at one instant.
    fn compare_batches(&self, at: OffsetDateTime, step: usize) -> Result<(), TestCaseError> {
        let n = nanos(at);
        let mut checks = Vec::new();
        for s in CHECK_SUBJECTS {
            for p in PURPOSES {
                for c in CATEGORIES {
                    checks.push((s, p, c));
                }
            }
        }
        let expected: Vec<bool> = checks
            .iter()
            .map(|(s, p, c)| self.model.decide(s, p, c, n).real().is_permitted())
            .collect();
        let mut answers = vec![true; 3]; // cleared by the call
        self.real.is_permitted_many(&checks, at, &mut answers);
        let wrong = answers.iter().zip(&expected).position(|(a, e)| a != e);
        prop_assert!(
            answers.len() == expected.len() && wrong.is_none(),
            "after step {}: is_permitted_many at {}: check {:?} of {}",
            step,
            at,
            wrong.and_then(|i| checks.get(i)),
            answers.len()
        );
        let catalog = self.real.catalog();
        let (handles, expected): (Vec<_>, Vec<bool>) = checks
            .iter()
            .zip(&expected)
            .filter_map(|((s, p, c), e)| {
                Some((
                    (
                        self.real.subject_handle(s)?,
                        catalog.purpose_handle(p)?,
                        catalog.category_handle(c)?,
                    ),
                    *e,
                ))
            })
            .unzip();
        self.real
            .is_permitted_many_by(&handles, Timestamp::from(at), &mut answers);
        let wrong = answers.iter().zip(&expected).position(|(a, e)| a != e);
        prop_assert!(
            answers.len() == expected.len() && wrong.is_none(),
            "after step {}: is_permitted_many_by at {}: check {:?} of {}",
            step,
            at,
            wrong.and_then(|i| handles.get(i)),
            answers.len()
        );
        for s in CHECK_SUBJECTS {
            for c in CATEGORIES {
                let expected: Vec<&str> = catalog
                    .purposes()
                    .map(Purpose::name)
                    .filter(|p| self.model.decide(s, p, c, n).real().is_permitted())
                    .collect();
                let found: Vec<&str> = self
                    .real
                    .permitted_purposes(s, c, at)
                    .map(Purpose::name)
                    .collect();
                prop_assert_eq!(
                    &found,
                    &expected,
                    "after step {}: permitted_purposes({:?}, {:?}, {})",
                    step,
                    s,
                    c,
                    at
                );
                if let (Some(sh), Some(ch)) =
                    (self.real.subject_handle(s), catalog.category_handle(c))
                {
                    let by: Vec<&str> = self
                        .real
                        .permitted_purposes_by(sh, ch, at)
                        .map(Purpose::name)
                        .collect();
                    prop_assert_eq!(by, found);
                }
            }
        }
        Ok(())
    }
}

fn cases() -> u32 {
    std::env::var("CONSENTRY_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 20_000,
        ..ProptestConfig::default()
    })]

    /// The ledger answers exactly as the model after every step.
    #[test]
    fn ledger_matches_the_model(steps in prop::collection::vec((op(), probe()), 1..40)) {
        let mut m = Machine::new();
        m.compare(&steps[0].1, 0)?;
        for (i, (op, probe)) in steps.iter().enumerate() {
            m.step(op)?;
            m.compare(probe, i + 1)?;
        }
    }
}
