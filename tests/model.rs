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
//! A second property runs the same machine on a catalog with regimes
//! ([`R`]): changes also set subjects' jurisdictions and ages and record
//! who gave consent (a parent, jointly, explicitly, after being told of the
//! conflict with the opt-out signal), and the model decides under the
//! regime it picks for the subject, asking only the public evaluation
//! (`Regime::rule_on`) what the law requires of the purpose's kinds at the
//! subject's age on the check's date; `explain` is compared too.
//!
//! The number of cases defaults to a CI-friendly 64 (16 with regimes); set
//! `CONSENTRY_PROPTEST_CASES` (e.g. to 100000, in release) for a long run
//! of both.

use std::fmt;
use std::sync::OnceLock;

use consentry::regime::{
    Binding, Condition, Mechanism, Objection, Precedence, PurposeKind, Regime, Signal,
    UnboundSignal,
};
use consentry::{
    Age, Applied, Catalog, CollectionMethod, ConsentStatus, Decision, Error, Event, EventId,
    EventKind, Evidence, GivenBy, Grant, Jurisdiction, Ledger, LegalBasis, Purpose, PurposeDef,
    Snapshot, Timestamp,
};
use proptest::prelude::*;
use proptest::sample::select;
use time::macros::datetime;
use time::{Date, Duration, OffsetDateTime};

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
    /// Kinds declared with `PurposeDef::kind` (none: the marks decide).
    kinds: &'static [PurposeKind],
    /// Mechanisms overridden per regime code (`PurposeDef::mechanism_in`).
    overrides: &'static [(&'static str, Mechanism)],
}

#[derive(Debug)]
struct MCatalog {
    /// Name and whether declared sensitive, in declaration order.
    categories: &'static [(&'static str, bool)],
    purposes: &'static [MPurpose],
    /// Whether the catalog enables the model's regimes ([`MRegimes`]).
    regimes: bool,
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
        kinds: &[],
        overrides: &[],
    }
}

/// Every legal basis; a sensitive category with a child and one under a
/// non-sensitive parent; sale/sharing and direct-marketing marks; default
/// and maximum validity; a notice history; and a dotted purpose name next to
/// its "group".
static V1: MCatalog = MCatalog {
    regimes: false,
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
    regimes: false,
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

/// The catalog with regimes ([`MRegimes`]): purposes of every basis the
/// regimes treat differently (consent, explicit consent, legitimate
/// interest, contract) and of several kinds (sale and sharing, direct
/// marketing, profiling, strictly necessary, other), two with a
/// mechanism overridden for one regime, and sensitive categories.
static R: MCatalog = MCatalog {
    regimes: true,
    categories: &[
        ("contact", false),
        ("contact.email", false),
        ("health", true),
        ("browsing", false),
        ("location", false),
        ("profile", false),
        ("profile.beliefs", true),
    ],
    purposes: &[
        MPurpose {
            max_minutes: Some(30),
            sale_or_sharing: true,
            ..purpose("ads", Basis::Consent, &["browsing", "location", "profile"])
        },
        MPurpose {
            direct_marketing: true,
            ..purpose("newsletter", Basis::Consent, &["contact"])
        },
        MPurpose {
            direct_marketing: true,
            ..purpose("mailshot", Basis::LegitimateInterest, &["contact.email"])
        },
        MPurpose {
            default_minutes: Some(15),
            overrides: &[("US-CA", Mechanism::OptIn)],
            ..purpose("analytics", Basis::Consent, &["browsing", "profile"])
        },
        MPurpose {
            overrides: &[("DE", Mechanism::OptOut)],
            ..purpose("insights", Basis::LegitimateInterest, &["browsing"])
        },
        MPurpose {
            kinds: &[PurposeKind::Profiling],
            ..purpose("scoring", Basis::Consent, &["profile", "location"])
        },
        MPurpose {
            sale_or_sharing: true,
            ..purpose(
                "partners",
                Basis::LegitimateInterest,
                &["contact.email", "browsing"],
            )
        },
        purpose("orders", Basis::Contract, &["contact", "health"]),
        MPurpose {
            kinds: &[PurposeKind::StrictlyNecessary],
            ..purpose("support", Basis::Contract, &["contact"])
        },
        purpose("research", Basis::ExplicitConsent, &["health", "profile"]),
    ],
};

/// The regimes catalog [`R`] enables, each with the jurisdictions it is
/// declared for, and the default for everyone else. Built from the public
/// presets; the model picks a subject's regime itself (the code, else its
/// country's, else the default).
struct MRegimes {
    entries: Vec<(Vec<&'static str>, Regime)>,
    default: Regime,
}

fn model_regimes() -> &'static MRegimes {
    static REGIMES: OnceLock<MRegimes> = OnceLock::new();
    REGIMES.get_or_init(|| {
        let preset = |code| Regime::for_jurisdiction(code).expect("a preset");
        let entries = vec![
            (vec!["DE"], preset("DE")),
            (vec!["FR"], preset("FR")),
            (vec!["US-CA"], preset("US-CA")),
            (vec!["US-CO"], preset("US-CO")),
            (vec!["BR"], preset("BR")),
            (vec!["US-ME"], Regime::maine_broadband()),
        ];
        let all: Vec<Regime> = entries.iter().map(|(_, r)| r.clone()).collect();
        let default = Regime::most_protective(
            "MOST-PROTECTIVE",
            "The most protective of the catalog's regimes",
            &all,
        )
        .expect("the presets combine");
        MRegimes { entries, default }
    })
}

impl MRegimes {
    /// The regime for a jurisdiction code as the model logged it (upper
    /// case): its own, its country's, or the default.
    fn for_code(&self, code: Option<&str>) -> &Regime {
        let find = |c: &str| {
            self.entries
                .iter()
                .find(|(codes, _)| codes.contains(&c))
                .map(|(_, r)| r)
        };
        code.and_then(|c| find(c).or_else(|| find(c.get(..2)?)))
            .unwrap_or(&self.default)
    }
}

/// `ancestor` is `c` or an ancestor of it in the dotted hierarchy.
fn covers(ancestor: &str, c: &str) -> bool {
    c == ancestor
        || (c.len() > ancestor.len()
            && c.starts_with(ancestor)
            && c[ancestor.len()..].starts_with('.'))
}

impl MPurpose {
    /// The declared kinds, or those the marks imply (direct marketing; sale
    /// and targeted advertising for sale or sharing; else other), in the
    /// order of `PurposeKind::ALL`.
    fn kinds_or_default(&self) -> Vec<PurposeKind> {
        let mut kinds: Vec<PurposeKind> = if !self.kinds.is_empty() {
            self.kinds.to_vec()
        } else {
            let mut k = Vec::new();
            if self.direct_marketing {
                k.push(PurposeKind::DirectMarketing);
            }
            if self.sale_or_sharing {
                k.extend([PurposeKind::Sale, PurposeKind::TargetedAdvertising]);
            }
            if k.is_empty() {
                k.push(PurposeKind::Other);
            }
            k
        };
        kinds.sort_by_key(|k| PurposeKind::ALL.iter().position(|a| a == k));
        kinds.dedup();
        kinds
    }
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
            for k in p.kinds {
                d = d.kind(*k);
            }
            for (code, m) in p.overrides {
                d = d.mechanism_in(*code, *m);
            }
            b = b.purpose(d);
        }
        if self.regimes {
            for (codes, regime) in &model_regimes().entries {
                b = b.regime_for(codes.iter().copied(), regime.clone());
            }
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

/// The UTC date of an instant; out of the range, of the nearest end (as
/// checks there are answered).
fn date_of(n: i128) -> Date {
    let first = nanos(datetime!(1678-01-01 0:00 UTC));
    instant(n.clamp(first, last_instant())).date()
}

/// The date a check at `n` is judged on: of the nearest end of the range
/// for an instant outside it.
fn check_date(n: i128) -> Date {
    date_of(n)
}

/// A birth date as the model reads an age: as given, or for a stated age
/// the latest birth date consistent with it on the day it was stated
/// (someone who says "15" on 1 March 2026 turns 16 on 1 March 2027 at the
/// earliest; stated on 29 February, from 28 February).
fn birth_date(age: MAge, recorded: Date) -> Date {
    match age {
        MAge::Born(d) => d,
        MAge::Years(n) => {
            let year = recorded.year() - i32::from(n);
            Date::from_calendar_date(year, recorded.month(), recorded.day())
                .or_else(|_| Date::from_calendar_date(year, recorded.month(), 28))
                .expect("a calendar date")
        }
    }
}

/// Whole years from `born` to `day` (0 before the birth): one more on each
/// birthday, which for 29 February is 1 March in a common year.
fn full_years(born: Date, day: Date) -> u8 {
    if day <= born {
        return 0;
    }
    let mut years = day.year() - born.year();
    if (day.month() as u8, day.day()) < (born.month() as u8, born.day()) {
        years -= 1;
    }
    u8::try_from(years).unwrap_or(u8::MAX)
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
    /// `T0` plus whole days.
    Days { days: u16 },
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
            When::Days { days } => nanos(T0) + i128::from(days) * 1440 * MINUTE,
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
            When::Days { days } => write!(f, "d{days}"),
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
    /// Who gave it.
    by: By,
    /// Expressly explicit (GDPR Art. 9(2)(a), 22(2)(c)).
    explicit: bool,
    /// Given after being told it conflicts with the opt-out signal.
    shown: bool,
}

/// Who gave a consent, as the model knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    Subject,
    Parent,
    /// The subject with a parent.
    Joint,
}

impl By {
    /// Only at the edge, to give and to read events.
    fn real(self) -> GivenBy {
        match self {
            By::Subject => GivenBy::Subject,
            By::Parent => GivenBy::ParentOrGuardian,
            By::Joint => GivenBy::SubjectWithParent,
        }
    }

    fn from_real(g: GivenBy) -> By {
        match g {
            GivenBy::ParentOrGuardian => By::Parent,
            GivenBy::SubjectWithParent => By::Joint,
            _ => By::Subject,
        }
    }
}

/// An age as recorded: years stated at the time, or a birth date.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MAge {
    Years(u8),
    Born(Date),
}

impl fmt::Debug for MAge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MAge::Years(n) => write!(f, "{n}y"),
            MAge::Born(d) => write!(f, "born {d}"),
        }
    }
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
    /// The subject's jurisdiction, upper case.
    Place(String),
    Aged(MAge),
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
    NotRequired(Mechanism),
    Prohibited,
    /// Jointly with the person.
    ParentalConsentRequired(bool),
    MinorOptInRequired,
    ConsentRequired,
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
            Reason::NotRequired(mechanism) => Decision::NotRequired { mechanism },
            Reason::Prohibited => Decision::Prohibited,
            Reason::ParentalConsentRequired(jointly) => {
                Decision::ParentalConsentRequired { jointly }
            }
            Reason::MinorOptInRequired => Decision::MinorOptInRequired,
            Reason::ConsentRequired => Decision::ConsentRequired,
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
    InvalidJurisdiction,
    InvalidAge,
    /// A parent without the verification, or a verification without one.
    InvalidEvidence,
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
            Refusal::InvalidJurisdiction => matches!(e, Error::InvalidJurisdiction(_)),
            Refusal::InvalidAge => matches!(e, Error::InvalidAge(_)),
            Refusal::InvalidEvidence => {
                matches!(e, Error::InvalidEvidence { field, .. } if *field == "verification")
            }
        }
    }
}

/// The reference ledger: a log scanned linearly.
#[derive(Debug, Clone)]
struct Model {
    catalog: &'static MCatalog,
    log: Vec<MEvent>,
}

/// An ISO 3166 code as the README describes it: two letters, optionally
/// `-` and one to three letters or digits, in any case.
fn valid_jurisdiction(code: &str) -> bool {
    let (country, sub) = match code.split_once('-') {
        Some((c, s)) => (c, Some(s)),
        None => (code, None),
    };
    country.len() == 2
        && country.bytes().all(|b| b.is_ascii_alphabetic())
        && sub.is_none_or(|s| {
            (1..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// A subject id the README accepts: 1 to 256 bytes, no control characters.
fn valid_subject(s: &str) -> bool {
    !s.is_empty() && s.len() <= 256 && !s.chars().any(char::is_control)
}

impl Model {
    fn new(catalog: &'static MCatalog) -> Self {
        Model {
            catalog,
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
        self.decide_in(subject, purpose, category, at, None)
    }

    /// The rules for a request the host located in `request` (a code as
    /// logged, upper case): with regimes, a subject of no known
    /// jurisdiction is decided under the request's regime, one recorded
    /// under another regime under both, and denied if either denies.
    fn decide_in(
        &self,
        subject: &str,
        purpose: &str,
        category: &str,
        at: i128,
        request: Option<&str>,
    ) -> Reason {
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
        if self.catalog.regimes {
            let regimes = model_regimes();
            let own = self.place(subject).map(|j| regimes.for_code(Some(&j)));
            let asked = request.map(|r| regimes.for_code(Some(r)));
            let under: Vec<&Regime> = match (own, asked) {
                (Some(o), Some(a)) if !std::ptr::eq(o, a) => vec![o, a],
                (Some(o), _) => vec![o],
                (None, Some(a)) => vec![a],
                (None, None) => vec![&regimes.default],
            };
            let judged: Vec<Reason> = under
                .into_iter()
                .map(|r| self.judge(r, subject, p, category, at, answer))
                .collect();
            return judged
                .iter()
                .copied()
                .find(|o| !o.real().is_permitted())
                .unwrap_or(judged[0]);
        }
        // 5. Named by when the signal was set (the latest `set`); a clear
        // with no `set` known says the signal was never on.
        if p.sale_or_sharing
            && let Some(set) = self.signal_set(subject, at)
        {
            return Reason::OptedOut(set);
        }
        self.basis_reason(p, category, at, answer)
    }

    /// When the opt-out signal that holds at `at` was set: while on, its
    /// latest `set`; once cleared, the latest `set` before instants earlier
    /// than the clear.
    fn signal_set(&self, subject: &str, at: i128) -> Option<i128> {
        let (on, t) = self.opt_out(subject)?;
        if on {
            Some(t)
        } else if at < t {
            self.last_set(subject)
        } else {
            None
        }
    }

    /// Rules 6 to 10: by the purpose's legal basis.
    fn basis_reason(
        &self,
        p: &MPurpose,
        category: &str,
        at: i128,
        answer: Option<(&MEvent, Answer, Option<&MGrant>)>,
    ) -> Reason {
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
        self.record_reason(
            p,
            category,
            at,
            (r, answer, grant),
            needs_consent,
            honours_refusal,
        )
    }

    /// Rules 8 to 10: the winning answer, when consent is needed (or
    /// not), and a refusal honoured (or not).
    fn record_reason(
        &self,
        p: &MPurpose,
        category: &str,
        at: i128,
        (r, answer, grant): (&MEvent, Answer, Option<&MGrant>),
        needs_consent: bool,
        honours_refusal: bool,
    ) -> Reason {
        // 8.
        if answer == Answer::Given
            && let Some(w) = self.withdrawn_all(&r.subject)
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

    /// The subject's jurisdiction code, as logged (upper case): the latest
    /// mark (latest time, then the larger event id) after its latest erasure.
    fn place(&self, subject: &str) -> Option<String> {
        self.effective(subject)
            .filter_map(|e| match &e.kind {
                MKind::Place(code) => Some(((e.at, e.id), code)),
                _ => None,
            })
            .max_by_key(|(key, _)| *key)
            .map(|(_, code)| code.clone())
    }

    /// The subject's age in whole years on `day`: a birth date, or a stated
    /// age read as the latest birth date consistent with it on the day it
    /// was stated.
    fn age_on(&self, subject: &str, day: Date) -> Option<u8> {
        let (age, recorded) = self
            .effective(subject)
            .filter_map(|e| match e.kind {
                MKind::Aged(age) => Some(((e.at, e.id), age)),
                _ => None,
            })
            .max_by_key(|(key, _)| *key)
            .map(|((at, _), age)| (age, at))?;
        let born = birth_date(age, date_of(recorded));
        Some(full_years(born, day))
    }

    /// The regime of the subject's jurisdiction.
    fn regime(&self, subject: &str) -> &'static Regime {
        model_regimes().for_code(self.place(subject).as_deref())
    }

    /// The decision under the subject's regime (after rules 1 to 4), from
    /// the public evaluation `Regime::rule_on` and the rules as the model
    /// reads them from the law.
    fn judge(
        &self,
        regime: &Regime,
        subject: &str,
        p: &MPurpose,
        category: &str,
        at: i128,
        answer: Option<(&MEvent, Answer, Option<&MGrant>)>,
    ) -> Reason {
        let day = check_date(at);
        let age = self.age_on(subject, day);
        let kinds = p.kinds_or_default();
        // The strictest rule of the purpose's kinds (the first on a tie),
        // as the law stands on the day for a person of that age.
        let mut best: Option<(PurposeKind, Mechanism, Condition)> = None;
        for kind in kinds.iter().copied() {
            let rule = regime.rule_on(kind, age, Signal::Absent, day);
            if best.is_none_or(|(_, m, c)| (rule.mechanism(), rule.condition()) > (m, c)) {
                best = Some((kind, rule.mechanism(), rule.condition()));
            }
        }
        let (kind, mut mechanism, mut condition) = best.expect("a purpose has a kind");
        // The catalog's override replaces an adult's rule, never a
        // condition or a ban.
        let mut overridden = false;
        if !matches!(mechanism, Mechanism::Conditional | Mechanism::Prohibited)
            && let Some((_, m)) = p.overrides.iter().find(|(code, _)| *code == regime.code())
        {
            (mechanism, condition, overridden) = (*m, Condition::None, true);
        }
        if mechanism == Mechanism::Prohibited {
            return Reason::Prohibited;
        }
        let outcome = self.by_rule(
            regime, subject, p, category, at, answer, kind, mechanism, condition, overridden,
        );
        // An opt-out signal is an opt-out of the kinds the regime's signal
        // rule covers, where it binds or the host honours it (the default),
        // whatever the mechanism: a minor's, a parent's or a European
        // opt-in given before it yields like an adult's opt-out choice (11
        // CCR §7025(c)(1), (c)(3); C.R.S. §6-1-1306(1)(a)(IV); GDPR Art.
        // 21(5)). Only a consent after it wins, as the regime's precedence
        // allows, and only if it is a valid grant.
        let rule = regime.signal_rule();
        let active = match (rule.binding(), regime.unbound_signal()) {
            (_, UnboundSignal::Honour) => true,
            (Binding::Binding, UnboundSignal::Ignore) => rule.since().is_none_or(|s| day >= s),
            (Binding::NotBinding, UnboundSignal::Ignore) => false,
        };
        let Some(set) = self
            .signal_set(subject, at)
            .filter(|_| active && kinds.iter().any(|k| rule.kinds().contains(*k)))
        else {
            return outcome;
        };
        let later = answer.is_some_and(|(r, a, g)| {
            a == Answer::Given
                && r.at > set
                && match rule.precedence() {
                    Precedence::LaterConsentWins => true,
                    Precedence::ConfirmedAfterNotice => g.is_some_and(|g| g.shown),
                    Precedence::SignalWins => false,
                }
        });
        if later && matches!(outcome, Reason::Granted { .. }) {
            outcome
        } else {
            Reason::OptedOut(set)
        }
    }

    /// The decision under the rule that applies, the signal aside.
    #[allow(clippy::too_many_arguments)]
    fn by_rule(
        &self,
        regime: &Regime,
        subject: &str,
        p: &MPurpose,
        category: &str,
        at: i128,
        answer: Option<(&MEvent, Answer, Option<&MGrant>)>,
        kind: PurposeKind,
        mechanism: Mechanism,
        condition: Condition,
        overridden: bool,
    ) -> Reason {
        let sensitive = self.catalog.touches_sensitive(category);
        // What the rule's condition asks of a grant besides being valid.
        let meets = |g: &MGrant, condition: Condition| {
            let who = match condition {
                Condition::ParentalConsent => g.by != By::Subject,
                Condition::JointConsent => g.by == By::Joint,
                _ => true,
            };
            let explicit = p.basis == Basis::ExplicitConsent || g.explicit;
            who && (explicit || (!sensitive && condition != Condition::ExplicitConsent))
        };
        // A consent counts only if the person could give it when they did:
        // a child's own "yes" where the rule on that day (at the age then)
        // asked for a parent's, or a joint, consent was no consent (GDPR
        // Art. 8(1), 7(1); Civ. Code §1798.120(c)), and coming of age does
        // not make it one.
        let could_give = |r: &MEvent, g: &MGrant| {
            let then = date_of(r.at);
            let age = self.age_on(subject, then);
            p.kinds_or_default().into_iter().all(|k| {
                match regime.rule_on(k, age, Signal::Absent, then).condition() {
                    // A parent's sole consent where a joint one was needed
                    // (France, under 15) was none either.
                    Condition::ParentalConsent => g.by != By::Subject,
                    Condition::JointConsent => g.by == By::Joint,
                    _ => true,
                }
            })
        };
        let record = |a: (&MEvent, Answer, Option<&MGrant>)| {
            self.record_reason(p, category, at, a, true, true)
        };
        // A valid grant, or why not.
        let valid = |a @ (r, _, g): (&MEvent, Answer, Option<&MGrant>)| match record(a) {
            Reason::Granted { .. } if g.is_some_and(|g| !could_give(r, g)) => {
                if p.basis.is_consent() {
                    Reason::NoConsent
                } else {
                    Reason::ConsentRequired
                }
            }
            o => o,
        };
        // Sensitive data needs explicit consent whatever the regime (the
        // catalog declares it so); a minor's opt-in stays one, to name what
        // is missing.
        let condition = if mechanism != Mechanism::Conditional && sensitive {
            Condition::ExplicitConsent
        } else {
            condition
        };
        // Where the law gives an objection to the kind instead of requiring
        // consent for it (GDPR Art. 21(1), LGPD Art. 18 §2), another basis
        // stands, and a child's consent rule does not reach it (GDPR Art.
        // 8(1): "where point (a) of Article 6(1) applies"). Under the made
        // default, only if every enabled regime gives the objection.
        let stands = |r: &Regime| r.objection(kind).0 != Objection::None;
        let basis_stands = !p.basis.is_consent()
            && !overridden
            && if std::ptr::eq(regime, &model_regimes().default) {
                model_regimes().entries.iter().all(|(_, r)| stands(r))
            } else {
                stands(regime)
            };
        match (mechanism, condition) {
            (Mechanism::NoticeOnly | Mechanism::OptOut, Condition::None) => {
                // Permitted unless the person said no (a refusal or a
                // withdrawal is an opt-out; under notice only, as far as
                // the basis honours one) or a grant decides.
                let fallback = if p.basis.is_consent() {
                    Reason::NotRequired(mechanism)
                } else {
                    Reason::NotConsentBased(p.basis)
                };
                let honours = mechanism == Mechanism::OptOut
                    || p.basis.is_consent()
                    || p.basis == Basis::LegitimateInterest;
                match answer.map(|a| self.record_reason(p, category, at, a, true, honours)) {
                    Some(
                        o @ (Reason::Granted { .. } | Reason::Refused(_) | Reason::Withdrawn(..)),
                    ) => o,
                    _ => fallback,
                }
            }
            (
                Mechanism::OptIn | Mechanism::Conditional,
                Condition::None
                | Condition::MinorOptIn
                | Condition::ParentalConsent
                | Condition::JointConsent,
            ) if basis_stands => self.basis_reason(p, category, at, answer),
            (Mechanism::OptIn, Condition::None | Condition::MinorOptIn) => match answer {
                Some(a) => valid(a),
                None if condition == Condition::MinorOptIn => Reason::MinorOptInRequired,
                None if p.basis.is_consent() => Reason::NoConsent,
                None => Reason::ConsentRequired,
            },
            (_, condition) => {
                let missing = match condition {
                    Condition::ParentalConsent => Reason::ParentalConsentRequired(false),
                    Condition::JointConsent => Reason::ParentalConsentRequired(true),
                    _ => Reason::ExplicitConsentRequired,
                };
                match answer {
                    Some(a @ (_, _, grant)) => match record(a) {
                        Reason::Granted { .. } if !grant.is_some_and(|g| meets(g, condition)) => {
                            missing
                        }
                        Reason::Granted { .. } => valid(a),
                        o => o,
                    },
                    None => missing,
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
                } else if self.opted_out(subject, p, g, at) {
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

    /// Whether the signal suspends a grant, for its status: without
    /// regimes, while the signal holds over a sale/sharing purpose; under a
    /// regime, as the decision for the grant's first category (in the
    /// catalog's order) says (the signal may reach other kinds, and a later
    /// consent may win over it).
    fn opted_out(&self, subject: &str, p: &MPurpose, g: &MGrant, at: i128) -> bool {
        if self.catalog.regimes {
            let first = self
                .catalog
                .categories
                .iter()
                .map(|(c, _)| *c)
                .find(|c| g.categories.iter().any(|gc| gc == c));
            return first.is_some_and(|c| {
                matches!(self.decide(subject, p.name, c, at), Reason::OptedOut(_))
            });
        }
        p.sale_or_sharing
            && self
                .opt_out(subject)
                .is_some_and(|(on, t)| on || (at < t && self.last_set(subject).is_some()))
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
                by,
                verified,
                explicit,
                shown,
                ..
            } => {
                let at = at.nanos();
                self.common_refusals(subject, at, &mut no);
                if (*by != By::Subject) != *verified {
                    no.push(Refusal::InvalidEvidence);
                }
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
                    by: *by,
                    explicit: *explicit,
                    shown: *shown,
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
            Op::SetPlace { subject, code, at } => {
                self.common_refusals(subject, at.nanos(), &mut no);
                if !valid_jurisdiction(code) {
                    no.push(Refusal::InvalidJurisdiction);
                }
                let code = code.to_ascii_uppercase();
                (subject, at.nanos(), MKind::Place(code))
            }
            Op::SetAge { subject, age, at } => {
                self.common_refusals(subject, at.nanos(), &mut no);
                let recorded = date_of(at.nanos());
                let invalid = match age {
                    MAge::Years(n) => *n > 150,
                    MAge::Born(d) => *d > recorded || full_years(*d, recorded) > 150,
                };
                if invalid {
                    no.push(Refusal::InvalidAge);
                }
                (subject, at.nanos(), MKind::Aged(*age))
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
                by: By::from_real(evidence.given_by()),
                explicit: evidence.explicit(),
                shown: evidence.signal_conflict_shown(),
            }),
        },
        EventKind::Refused { purpose, .. } => answer(purpose, Answer::Refused),
        EventKind::Withdrawn { purpose, .. } => answer(purpose, Answer::Withdrawn),
        EventKind::Objected { purpose, .. } => answer(purpose, Answer::Objected),
        EventKind::WithdrawnAll { .. } => MKind::WithdrawnAll,
        EventKind::OptOutSet { .. } => MKind::OptOut(true),
        EventKind::OptOutCleared { .. } => MKind::OptOut(false),
        EventKind::Erased => MKind::Erased,
        EventKind::JurisdictionSet { jurisdiction, .. } => {
            MKind::Place(jurisdiction.as_str().to_owned())
        }
        EventKind::AgeSet { age, .. } => MKind::Aged(match age {
            Age::Years(n) => MAge::Years(*n),
            Age::BirthDate(d) => MAge::Born(*d),
        }),
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
        /// Who gave it, whether a parent's verification is recorded (it must
        /// be exactly when a parent took part), explicit, told of the
        /// conflict with the opt-out signal.
        by: By,
        verified: bool,
        explicit: bool,
        shown: bool,
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
    SetPlace {
        subject: &'static str,
        code: &'static str,
        at: When,
    },
    SetAge {
        subject: &'static str,
        age: MAge,
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
    /// A jurisdiction (the n-th code, modulo their number).
    Place(u8),
    /// An age (the n-th, modulo their number).
    Age(u8),
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
/// The regimes catalog's purposes, an undeclared one, a malformed one.
const R_PURPOSES: [&str; 12] = [
    "ads",
    "newsletter",
    "mailshot",
    "analytics",
    "insights",
    "scoring",
    "partners",
    "orders",
    "support",
    "research",
    "marketing",
    "Bad Name",
];
/// The regimes catalog's categories, an undeclared one, a malformed one.
const R_CATEGORIES: [&str; 9] = [
    "contact",
    "contact.email",
    "health",
    "browsing",
    "location",
    "profile",
    "profile.beliefs",
    "device",
    "CONTACT",
];
/// Jurisdictions set: each regime's (one in lower case, one a subdivision
/// of a country with a regime), a US state and a country without one, the
/// US itself, and two codes that are not ISO 3166.
const PLACES: [&str; 12] = [
    "DE", "FR", "US-CA", "us-co", "BR", "US-ME", "FR-75", "US-NY", "JP", "US", "USA", "",
];

/// Ages set: stated years around every threshold of the regimes (12, 13,
/// 15, 16, 18) and past the limit; birth dates whose birthdays fall on the
/// first day checks are made (2026-01-01), a 29 February, one on that day
/// and one after it (refused: after the time recorded).
fn ages() -> Vec<MAge> {
    use time::macros::date;
    let mut all: Vec<MAge> = [0u8, 11, 12, 13, 14, 15, 16, 17, 18, 40, 150, 151]
        .into_iter()
        .map(MAge::Years)
        .collect();
    all.extend(
        [
            date!(2008 - 01 - 01),
            date!(2008 - 01 - 02),
            date!(2010 - 01 - 01),
            date!(2010 - 01 - 02),
            date!(2011 - 01 - 01),
            date!(2013 - 01 - 01),
            date!(2013 - 01 - 02),
            date!(2014 - 06 - 30),
            date!(2012 - 02 - 29),
            date!(1990 - 07 - 14),
            date!(2026 - 01 - 01),
            date!(2027 - 01 - 01),
        ]
        .map(MAge::Born),
    );
    all
}

/// What a property test runs on: its catalogs, the names its changes use
/// and its checks ask about.
struct Variant {
    /// The catalog at the start.
    start: &'static MCatalog,
    /// The catalog an [`Op::Evolve`] moves to.
    evolved: &'static MCatalog,
    /// The purposes asked about (declared ones first) and their number.
    purposes: &'static [&'static str],
    declared: usize,
    /// Purposes most changes use, so that answers meet.
    popular: &'static [&'static str],
    categories: &'static [&'static str],
    /// Whether changes include jurisdictions, ages and who gave consent.
    regimes: bool,
}

static PLAIN: Variant = Variant {
    start: &V1,
    evolved: &V2,
    purposes: &PURPOSES,
    declared: 11,
    popular: &["marketing.email", "ads", "analytics", "mailshot"],
    categories: &CATEGORIES,
    regimes: false,
};

/// The regimes catalog "evolves" into itself (a snapshot round trip
/// through `restore_with_catalog`).
static REGIMES: Variant = Variant {
    start: &R,
    evolved: &R,
    purposes: &R_PURPOSES,
    declared: 10,
    popular: &["ads", "newsletter", "insights", "scoring", "partners"],
    categories: &R_CATEGORIES,
    regimes: true,
};

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

/// For the regimes: also days and years later (birthdays pass, among them
/// a 29 February's in a common year and a leap one; dated rules come into
/// force: Brazil's ECA Digital on 2026-03-17).
fn r_when() -> impl Strategy<Value = When> {
    let days = [1u16, 58, 59, 75, 76, 365, 366, 730, 788, 789, 1826];
    prop_oneof![
        6 => when(),
        1 => select(days.to_vec()).prop_map(|days| When::Days { days }),
    ]
}

/// Where requests come from, for `decide_in` (valid codes, upper case).
const REQUESTS: [&str; 10] = [
    "DE", "FR", "US-CA", "US-CO", "BR", "US-ME", "FR-75", "US-NY", "JP", "US",
];

fn subject() -> impl Strategy<Value = &'static str> {
    prop_oneof![30 => select(&OP_SUBJECTS[..]), 1 => select(&BAD_SUBJECTS[..])]
}

fn op_purpose(v: &'static Variant) -> impl Strategy<Value = &'static str> {
    // Mostly declared purposes; sometimes undeclared or malformed ones.
    // A few popular purposes make several answers to one purpose common.
    prop_oneof![
        10 => select(v.popular),
        10 => select(&v.purposes[..v.declared]),
        1 => select(&v.purposes[v.declared..]),
    ]
}

/// The categories a purpose may use in either catalog (declared ones and
/// their descendants); every category name for an undeclared purpose.
fn usable_categories(v: &'static Variant, purpose: &str) -> Vec<&'static str> {
    let usable: Vec<&'static str> = v
        .categories
        .iter()
        .copied()
        .filter(|c| {
            [v.start, v.evolved].iter().any(|cat| {
                cat.purpose(purpose)
                    .is_some_and(|p| p.categories.iter().any(|d| covers(d, c)))
            })
        })
        .collect();
    if usable.is_empty() {
        v.categories.to_vec()
    } else {
        usable
    }
}

/// Notice versions worth trying for a purpose: mostly ones one of the two
/// catalogs accepts, sometimes any (too old, never published) or none.
fn notice_for(v: &'static Variant, purpose: &str) -> impl Strategy<Value = Option<u8>> + use<> {
    let mut accepted: Vec<u8> = [v.start, v.evolved]
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
fn categories_for(
    v: &'static Variant,
    purpose: &str,
) -> impl Strategy<Value = Option<Vec<&'static str>>> + use<> {
    let name = prop_oneof![12 => select(usable_categories(v, purpose)), 1 => select(v.categories)];
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

/// Who gives a consent, with or without a parent's verification: under
/// the regimes mostly consistent, sometimes not (refused); without them
/// always the subject.
fn giver(v: &'static Variant) -> BoxedStrategy<(By, bool, bool, bool)> {
    if !v.regimes {
        return Just((By::Subject, false, false, false)).boxed();
    }
    let by = prop_oneof![6 => Just(By::Subject), 2 => Just(By::Parent), 2 => Just(By::Joint)];
    (by, 0u8..20, any::<bool>(), any::<bool>())
        .prop_map(|(by, odd, explicit, shown)| {
            // One in twenty gets the verification wrong.
            let verified = (by != By::Subject) != (odd == 0);
            (by, verified, explicit, shown)
        })
        .boxed()
}

fn op(v: &'static Variant) -> BoxedStrategy<Op> {
    let at = move || {
        if v.regimes {
            r_when().boxed()
        } else {
            when().boxed()
        }
    };
    let give = (
        subject(),
        op_purpose(v),
        at(),
        expiry(),
        select(&["web", "app", "call-centre"][..]),
        giver(v),
    )
        .prop_flat_map(move |(subject, purpose, at, expiry, channel, giver)| {
            let (by, verified, explicit, shown) = giver;
            (categories_for(v, purpose), notice_for(v, purpose)).prop_map(
                move |(categories, notice)| Op::Give {
                    subject,
                    purpose,
                    at,
                    categories,
                    expiry,
                    notice,
                    channel,
                    by,
                    verified,
                    explicit,
                    shown,
                },
            )
        });
    let answer = move || {
        (subject(), op_purpose(v), at()).prop_flat_map(move |(subject, purpose, at)| {
            notice_for(v, purpose).prop_map(move |notice| (subject, purpose, at, notice))
        })
    };
    let base = prop_oneof![
        10 => give,
        3 => answer().prop_map(|(subject, purpose, at, notice)| Op::Refuse { subject, purpose, at, notice }),
        3 => answer().prop_map(|(subject, purpose, at, notice)| Op::Withdraw { subject, purpose, at, notice }),
        2 => answer().prop_map(|(subject, purpose, at, notice)| Op::Object { subject, purpose, at, notice }),
        2 => (subject(), at()).prop_map(|(subject, at)| Op::WithdrawAll { subject, at }),
        2 => (subject(), at(), any::<bool>()).prop_map(|(subject, at, on)| Op::OptOut { subject, at, on }),
        2 => (subject(), at()).prop_map(|(subject, at)| Op::Register { subject, at }),
        1 => (subject(), at()).prop_map(|(subject, at)| Op::Erase { subject, at }),
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
    ];
    if !v.regimes {
        return base.boxed();
    }
    // Jurisdictions, ages and the signal, often, and ties between marks.
    prop_oneof![
        36 => base,
        4 => (subject(), select(&PLACES[..]), at())
            .prop_map(|(subject, code, at)| Op::SetPlace { subject, code, at }),
        4 => (subject(), select(ages()), at())
            .prop_map(|(subject, age, at)| Op::SetAge { subject, age, at }),
        2 => (subject(), at(), any::<bool>()).prop_map(|(subject, at, on)| Op::OptOut { subject, at, on }),
        1 => any::<u8>().prop_map(|n| Op::Tie(TieKind::Place(n))),
        1 => any::<u8>().prop_map(|n| Op::Tie(TieKind::Age(n))),
    ]
    .boxed()
}

/// Where to check after a step: three picks among the model's boundaries
/// (the n-th, modulo their number) and one instant of the op-time domain.
#[derive(Debug, Clone)]
struct Probe {
    boundaries: [u16; 3],
    extra: When,
}

fn probe(v: &'static Variant) -> impl Strategy<Value = Probe> {
    let extra = if v.regimes {
        r_when().boxed()
    } else {
        when().boxed()
    };
    (any::<[u16; 3]>(), extra).prop_map(|(boundaries, extra)| Probe { boundaries, extra })
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
    v: &'static Variant,
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
    fn new(v: &'static Variant) -> Self {
        Machine {
            v,
            real: Ledger::new(v.start.build()),
            model: Model::new(v.start),
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
                by,
                verified,
                explicit,
                shown,
            } => {
                let mut e = evidence(notice, CollectionMethod::Banner, channel)
                    .with_given_by(by.real())
                    .with_explicit(*explicit)
                    .with_signal_conflict_shown(*shown);
                if *verified {
                    e = e.with_verification("signed consent form");
                }
                let mut g = Grant::new(*subject, *purpose, at.time(), e);
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
            Op::SetPlace { subject, code, at } => l.set_jurisdiction(
                subject,
                code,
                at.time(),
                evidence(&None, CollectionMethod::Form, "billing address"),
            ),
            Op::SetAge { subject, age, at } => l.set_age(
                subject,
                match age {
                    MAge::Years(n) => Age::Years(*n),
                    MAge::Born(d) => Age::BirthDate(*d),
                },
                at.time(),
                evidence(&None, CollectionMethod::Form, "sign-up form"),
            ),
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
            .and_then(|p| self.v.purposes.iter().find(|q| **q == p).copied());
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
                by: By::Subject,
                verified: false,
                explicit: false,
                shown: false,
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
            TieKind::Place(n) => Op::SetPlace {
                subject,
                code: PLACES[usize::from(n) % PLACES.len()],
                at,
            },
            TieKind::Age(n) => {
                let ages = ages();
                Op::SetAge {
                    subject,
                    age: ages[usize::from(n) % ages.len()],
                    at,
                }
            }
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
                self.real = Ledger::restore_with_catalog(read, self.v.evolved.build())
                    .expect("records stay valid under the evolved catalog");
                self.model.catalog = self.v.evolved;
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
                for p in self.v.purposes {
                    for c in self.v.categories {
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
                        if self.v.regimes {
                            self.compare_explanation(s, p, c, at, real, step)?;
                            // One request location per probe (picked by
                            // its second boundary).
                            let request =
                                REQUESTS[usize::from(probe.boundaries[1]) % REQUESTS.len()];
                            let located: Jurisdiction = request.parse().expect("a valid code");
                            prop_assert_eq!(
                                self.real.decide_in(s, p, c, at, located),
                                self.model.decide_in(s, p, c, n, Some(request)).real(),
                                "after step {}: decide_in({:?}, {:?}, {:?}, {}, {})",
                                step,
                                s,
                                p,
                                c,
                                at,
                                request
                            );
                        }
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
    /// `explain` gives the decision `decide` gave, under the regime the
    /// model picks for the subject, for the age the model reads.
    fn compare_explanation(
        &self,
        s: &str,
        p: &str,
        c: &str,
        at: OffsetDateTime,
        decided: Decision,
        step: usize,
    ) -> Result<(), TestCaseError> {
        let why = self.real.explain(s, p, c, at);
        prop_assert_eq!(
            why.decision(),
            decided,
            "after step {}: explain({:?}, {:?}, {:?}, {})",
            step,
            s,
            p,
            c,
            at
        );
        if let Some(code) = why.regime() {
            prop_assert_eq!(
                code,
                self.model.regime(s).code(),
                "after step {}: the regime of {:?}",
                step,
                s
            );
            // Out of the range, as at its nearest end (but see
            // `check_date`).
            prop_assert_eq!(
                why.age(),
                self.model.age_on(s, check_date(nanos(at))),
                "after step {}: the age of {:?} at {}",
                step,
                s,
                at
            );
        }
        Ok(())
    }

    /// The batch checks and the all-purposes lookup answer as the model,
    /// on every subject × purpose × category at once (by name), the same
    /// checks by handle where all three resolve, at one instant.
    fn compare_batches(&self, at: OffsetDateTime, step: usize) -> Result<(), TestCaseError> {
        let n = nanos(at);
        let mut checks = Vec::new();
        for s in CHECK_SUBJECTS {
            for p in self.v.purposes {
                for c in self.v.categories {
                    checks.push((s, *p, *c));
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
            for c in self.v.categories {
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

/// The number of cases: `CONSENTRY_PROPTEST_CASES`, else `default`.
fn cases_or(default: u32) -> u32 {
    std::env::var("CONSENTRY_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn cases() -> u32 {
    cases_or(64)
}

/// The regimes property checks `explain` too: fewer cases by default.
fn regime_cases() -> u32 {
    cases_or(16)
}

/// Runs a sequence of steps on both sides, comparing after each.
fn run(v: &'static Variant, steps: &[(Op, Probe)]) -> Result<(), TestCaseError> {
    let mut m = Machine::new(v);
    m.compare(&steps[0].1, 0)?;
    for (i, (op, probe)) in steps.iter().enumerate() {
        m.step(op)?;
        m.compare(probe, i + 1)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 20_000,
        ..ProptestConfig::default()
    })]

    /// The ledger answers exactly as the model after every step.
    #[test]
    fn ledger_matches_the_model(steps in prop::collection::vec((op(&PLAIN), probe(&PLAIN)), 1..40)) {
        run(&PLAIN, &steps)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: regime_cases(),
        max_shrink_iters: 20_000,
        ..ProptestConfig::default()
    })]

    /// With regimes: subjects' jurisdictions and ages, who gave consent,
    /// the opt-out signal, decided under each subject's law as the model
    /// reads it from the public rule evaluation.
    #[test]
    fn ledger_with_regimes_matches_the_model(
        steps in prop::collection::vec((op(&REGIMES), probe(&REGIMES)), 1..40)
    ) {
        run(&REGIMES, &steps)?;
    }
}
