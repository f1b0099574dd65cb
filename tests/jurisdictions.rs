//! The decision table of regimes: (jurisdiction, age, kind of purpose,
//! signal, answer) -> decision, each row with the article or section it
//! comes from, run against the engine (`decide` and `explain`). The
//! reference model (`tests/model.rs`) runs the same rules on random
//! histories.

use consentry::regime::{Mechanism, Regime};
use consentry::{
    Age, Catalog, CollectionMethod, Decision, Evidence, GivenBy, Grant, Jurisdiction, Ledger,
    LegalBasis, PurposeDef,
};
use time::OffsetDateTime;
use time::macros::{date, datetime};

/// When the checks are made: after Colorado's minors rule (1 October
/// 2025), Brazil's ECA Digital (17 March 2026) and COPPA's third-party
/// consent (22 April 2026), before Connecticut's minors ban (1 July 2026).
const AT: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);
/// The opt-out signal, when a row has one.
const SIGNAL: OffsetDateTime = datetime!(2026-05-01 12:00 UTC);
/// An answer given before the signal, and one after it.
const BEFORE: OffsetDateTime = datetime!(2026-04-01 12:00 UTC);
const AFTER: OffsetDateTime = datetime!(2026-05-10 12:00 UTC);

fn catalog() -> Catalog {
    let p = |name: &str, basis| {
        PurposeDef::new(name, basis)
            .title(name)
            .description("A use of data.")
    };
    Catalog::builder()
        .category("browsing")
        .category("email")
        .sensitive_category("health")
        .purpose(
            p("ads", LegalBasis::Consent)
                .categories(["browsing"])
                .sale_or_sharing(),
        )
        .purpose(
            p("sale", LegalBasis::Consent)
                .categories(["browsing"])
                .kind(consentry::regime::PurposeKind::Sale),
        )
        .purpose(
            p("ads_opt_in", LegalBasis::Consent)
                .categories(["browsing"])
                .sale_or_sharing()
                .mechanism_in("US-CA", Mechanism::OptIn),
        )
        .purpose(
            p("news", LegalBasis::Consent)
                .categories(["email"])
                .direct_marketing(),
        )
        .purpose(p("analytics", LegalBasis::LegitimateInterest).categories(["browsing"]))
        .purpose(p("analytics_c", LegalBasis::Consent).categories(["browsing"]))
        .purpose(
            p("credit", LegalBasis::Consent)
                .categories(["browsing"])
                .profiling(),
        )
        .purpose(
            p("service", LegalBasis::Contract)
                .categories(["email"])
                .strictly_necessary(),
        )
        .purpose(
            p("health", LegalBasis::ExplicitConsent)
                .categories(["health"])
                .kind(consentry::regime::PurposeKind::SensitiveData),
        )
        .regime(Regime::for_jurisdiction("DE").expect("preset"))
        .regime(Regime::for_jurisdiction("FR").expect("preset"))
        .regime(Regime::united_kingdom())
        .regime(Regime::brazil())
        .regime(Regime::california())
        .regime(Regime::colorado())
        .regime(Regime::virginia())
        .regime(Regime::coppa())
        .regime_for(["US-ME"], Regime::maine_broadband())
        .build()
        .expect("the catalog is valid")
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    None,
    Given,
    ByParent,
    Joint,
    Explicit,
    Refused,
    /// Given before the signal (the row's signal is set).
    GivenBefore,
    /// Given after the signal, without being told of the conflict.
    GivenAfter,
    /// Given after the signal, told of the conflict.
    GivenAfterShown,
    /// A parent's consent given after the signal.
    ByParentAfter,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    Granted,
    NotRequired(Mechanism),
    Basis,
    NoConsent,
    Prohibited,
    Parental,
    Joint,
    MinorOptIn,
    ConsentRequired,
    OptedOut,
    Explicit,
    Refused,
}

struct Row {
    jurisdiction: &'static str,
    age: Option<u8>,
    purpose: &'static str,
    signal: bool,
    answer: Answer,
    want: Want,
    /// The article or section the rule comes from, as `explain` cites it.
    source: &'static str,
}

const fn row(
    jurisdiction: &'static str,
    age: Option<u8>,
    purpose: &'static str,
    signal: bool,
    answer: Answer,
    want: Want,
    source: &'static str,
) -> Row {
    Row {
        jurisdiction,
        age,
        purpose,
        signal,
        answer,
        want,
        source,
    }
}

use Answer as A;
use Want as W;
const OPT_OUT: W = W::NotRequired(Mechanism::OptOut);
const NOTICE: W = W::NotRequired(Mechanism::NoticeOnly);

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // Germany: GDPR, age of digital consent 16 (Art. 8(1)), DSA Art. 28(2).
    row("DE", Some(30), "ads", false, A::None, W::NoConsent, "Art. 6(1)(a)"),
    row("DE", Some(30), "ads", false, A::Given, W::Granted, "Art. 6(1)(a)"),
    row("DE", Some(15), "ads", false, A::Given, W::Prohibited, "Art. 28(2)"),
    row("DE", Some(17), "ads", false, A::ByParent, W::Prohibited, "Art. 28(2)"),
    row("DE", Some(15), "news", false, A::None, W::Parental, "Art. 8(1)"),
    row("DE", Some(15), "news", false, A::Given, W::Parental, "Art. 8(1)"),
    row("DE", Some(15), "news", false, A::ByParent, W::Granted, "Art. 8(1)"),
    row("DE", Some(16), "news", false, A::Given, W::Granted, "Art. 13(1)"),
    row("DE", Some(30), "news", false, A::None, W::NoConsent, "Art. 13(1)"),
    row("DE", Some(30), "analytics", false, A::None, W::Basis, "Art. 21(1)"),
    row("DE", Some(30), "analytics_c", false, A::None, W::NoConsent, "Art. 6(1)(a)"),
    row("DE", Some(30), "credit", false, A::Given, W::Explicit, "Art. 22(1)"),
    row("DE", Some(30), "credit", false, A::Explicit, W::Granted, "Art. 22(1)"),
    row("DE", Some(30), "service", false, A::None, W::Basis, "Art. 5(3)"),
    // The GDPR makes no browser signal binding; the preset honours it by
    // default (an opt-out is always lawful), over an earlier consent too.
    row("DE", Some(30), "ads", true, A::None, W::OptedOut, "Art. 21(5)"),
    row("DE", Some(30), "ads", true, A::GivenBefore, W::OptedOut, "Art. 21(5)"),
    row("DE", Some(30), "ads", true, A::GivenAfter, W::Granted, "Art. 21(5)"),
    row("DE", Some(30), "health", false, A::Given, W::Granted, "Art. 9(2)(a)"),
    row("DE", Some(30), "sale", false, A::Refused, W::Refused, "Art. 6(1)(a)"),
    row("DE", None, "ads", false, A::None, W::NoConsent, "Art. 6(1)(a)"),
    row("DE", Some(15), "analytics", false, A::None, W::Basis, "Art. 21(1)"),
    // France: under 15, jointly with a holder of parental authority.
    row("FR", Some(14), "news", false, A::None, W::Joint, "art. 45"),
    row("FR", Some(14), "news", false, A::ByParent, W::Joint, "art. 45"),
    row("FR", Some(14), "news", false, A::Joint, W::Granted, "art. 45"),
    row("FR", Some(15), "news", false, A::Given, W::Granted, "Art. 13(1)"),
    row("FR", Some(14), "ads", false, A::Joint, W::Prohibited, "Art. 28(2)"),
    row("FR", Some(17), "ads", false, A::Given, W::Prohibited, "Art. 28(2)"),
    row("FR", Some(18), "ads", false, A::Given, W::Granted, "Art. 6(1)(a)"),
    // United Kingdom: 13 (DPA 2018 s.9), no DSA.
    row("GB", Some(12), "news", false, A::None, W::Parental, "s.9"),
    row("GB", Some(13), "news", false, A::Given, W::Granted, "PECR 2003 reg. 22"),
    row("GB", Some(15), "ads", false, A::Given, W::Granted, "UK GDPR Art. 6(1)(a)"),
    row("GB", Some(30), "credit", false, A::Given, W::Explicit, "UK GDPR Art. 22(1)"),
    row("GB", Some(30), "analytics", false, A::None, W::Basis, "UK GDPR Art. 21(1)"),
    // California: CCPA/CPRA and 11 CCR §7025.
    row("US-CA", Some(30), "ads", false, A::None, OPT_OUT, "1798.120(a)"),
    row("US-CA", Some(30), "ads", false, A::Refused, W::Refused, "1798.120(a)"),
    row("US-CA", Some(30), "ads", false, A::Given, W::Granted, "1798.120(a)"),
    row("US-CA", Some(30), "ads", true, A::None, W::OptedOut, "7025"),
    row("US-CA", Some(30), "ads", true, A::GivenBefore, W::OptedOut, "7025"),
    row("US-CA", Some(30), "ads", true, A::GivenAfter, W::OptedOut, "7025"),
    row("US-CA", Some(30), "ads", true, A::GivenAfterShown, W::Granted, "7025"),
    row("US-CA", Some(17), "ads", false, A::None, OPT_OUT, "1798.120(a)"),
    row("US-CA", Some(17), "ads", true, A::None, W::OptedOut, "7025"),
    row("US-CA", Some(15), "ads", false, A::None, W::MinorOptIn, "1798.120(c)"),
    row("US-CA", Some(15), "ads", false, A::Given, W::Granted, "1798.120(c)"),
    row("US-CA", Some(15), "ads", true, A::None, W::OptedOut, "7025"),
    row("US-CA", Some(15), "ads", true, A::GivenBefore, W::OptedOut, "7025"),
    row("US-CA", Some(12), "ads", false, A::None, W::Parental, "1798.120(c)"),
    row("US-CA", Some(12), "ads", false, A::Given, W::Parental, "1798.120(c)"),
    row("US-CA", Some(12), "ads", false, A::ByParent, W::Granted, "1798.120(c)"),
    row("US-CA", Some(12), "ads", true, A::ByParentAfter, W::OptedOut, "7025"),
    row("US-CA", Some(30), "sale", true, A::None, W::OptedOut, "7025"),
    row("US-CA", Some(30), "news", false, A::None, OPT_OUT, "CAN-SPAM"),
    row("US-CA", Some(30), "analytics_c", false, A::None, NOTICE, "1798.100(a)"),
    row("US-CA", Some(30), "analytics_c", false, A::Refused, W::Refused, "1798.100(a)"),
    row("US-CA", Some(30), "analytics", false, A::None, W::Basis, "1798.100(a)"),
    row("US-CA", Some(30), "credit", false, A::None, NOTICE, "1798.100(a)"),
    row("US-CA", Some(30), "health", false, A::None, W::Explicit, "1798.121(a)"),
    row("US-CA", Some(30), "service", false, A::None, W::Basis, "1798.100(a)"),
    row("US-CA", Some(12), "analytics_c", false, A::None, W::Parental, "312.5"),
    row("US-CA", Some(30), "ads_opt_in", false, A::None, W::NoConsent, "catalog"),
    row("US-CA", Some(30), "ads_opt_in", false, A::Given, W::Granted, "catalog"),
    // Colorado: opt-out, binding signal, a later consent wins.
    row("US-CO", Some(30), "ads", false, A::None, OPT_OUT, "6-1-1306(1)(a)(I)"),
    row("US-CO", Some(30), "ads", true, A::None, W::OptedOut, "6-1-1306(1)(a)(IV)"),
    row("US-CO", Some(30), "ads", true, A::GivenAfter, W::Granted, "6-1-1306(1)(a)(IV)"),
    row("US-CO", Some(30), "ads", true, A::GivenBefore, W::OptedOut, "6-1-1306(1)(a)(IV)"),
    row("US-CO", Some(17), "ads", false, A::None, W::MinorOptIn, "6-1-1308.5"),
    row("US-CO", Some(12), "ads", false, A::None, W::Parental, "6-1-1308.5"),
    row("US-CO", Some(30), "credit", false, A::None, OPT_OUT, "6-1-1306(1)(a)(I)"),
    row("US-CO", Some(30), "health", false, A::Given, W::Granted, "6-1-1308(7)"),
    // Virginia: opt-out; the signal is not binding, honoured by default.
    row("US-VA", Some(30), "ads", false, A::None, OPT_OUT, "59.1-577(A)(5)"),
    row("US-VA", Some(30), "ads", true, A::None, W::OptedOut, "Va."),
    // Maine broadband providers: opt-in for any use but the service.
    row("US-ME", Some(30), "ads", false, A::None, W::NoConsent, "9301"),
    row("US-ME", Some(30), "ads", true, A::None, W::OptedOut, "9301"),
    row("US-ME", Some(30), "analytics", false, A::None, W::ConsentRequired, "9301"),
    row("US-ME", Some(30), "analytics", false, A::Given, W::Granted, "9301"),
    row("US-ME", Some(30), "news", false, A::None, W::NoConsent, "9301"),
    row("US-ME", Some(30), "service", false, A::None, W::Basis, "9301(4)"),
    // Brazil: LGPD, parent under 12, ECA Digital for ads under 18.
    row("BR", Some(11), "analytics_c", false, A::None, W::Parental, "Art. 14"),
    row("BR", Some(11), "analytics_c", false, A::ByParent, W::Granted, "Art. 14"),
    row("BR", Some(11), "ads", false, A::ByParent, W::Prohibited, "15.211"),
    row("BR", Some(17), "ads", false, A::Given, W::Prohibited, "15.211"),
    row("BR", Some(30), "ads", false, A::Given, W::Granted, "LGPD Art. 7 I"),
    row("BR", Some(30), "news", false, A::None, OPT_OUT, "Art. 7 IX"),
    row("BR", Some(30), "analytics", false, A::None, W::Basis, "Art. 18 §2"),
    row("BR", Some(30), "credit", false, A::None, NOTICE, "Art. 20"),
    // Elsewhere in the US: COPPA only.
    row("US-NY", Some(30), "ads", false, A::None, NOTICE, "6501(1)"),
    row("US-NY", Some(12), "ads", false, A::None, W::Parental, "312.5"),
    row("US-NY", Some(12), "analytics_c", false, A::ByParent, W::Granted, "312.5"),
    // Anywhere else (or unknown): the most protective of the regimes.
    row("JP", Some(30), "ads", false, A::None, W::NoConsent, ""),
    row("JP", Some(30), "analytics", false, A::None, W::ConsentRequired, ""),
    row("JP", Some(15), "ads", false, A::Given, W::Prohibited, ""),
    row("JP", Some(30), "ads", true, A::None, W::OptedOut, ""),
    row("JP", Some(30), "ads", true, A::GivenBefore, W::OptedOut, ""),
    row("", Some(30), "ads", false, A::None, W::NoConsent, ""),
    row("", None, "analytics_c", false, A::Given, W::Granted, ""),
];

fn ev() -> Evidence {
    Evidence::new(CollectionMethod::Banner).with_notice_version(1)
}

fn ledger_for(r: &Row) -> Ledger {
    let mut l = Ledger::new(catalog());
    let t0 = datetime!(2026-01-01 00:00 UTC);
    let facts = Evidence::new(CollectionMethod::Form);
    if !r.jurisdiction.is_empty() {
        l.set_jurisdiction("s", r.jurisdiction, t0, facts.clone())
            .expect("jurisdiction");
    }
    if let Some(age) = r.age {
        // Stated on 1 January: the same age on 1 June.
        l.set_age("s", Age::Years(age), t0, facts).expect("age");
    }
    if r.signal {
        l.set_global_opt_out("s", SIGNAL, Evidence::new(CollectionMethod::BrowserSignal))
            .expect("signal");
    }
    let parent = || {
        ev().with_given_by(GivenBy::ParentOrGuardian)
            .with_verification("signed consent form")
    };
    let give = |l: &mut Ledger, at, e: Evidence| {
        l.give(Grant::new("s", r.purpose, at, e)).expect("grant");
    };
    match r.answer {
        A::None => {}
        A::Given => give(&mut l, BEFORE, ev()),
        A::ByParent => give(&mut l, BEFORE, parent()),
        A::Joint => give(
            &mut l,
            BEFORE,
            ev().with_given_by(GivenBy::SubjectWithParent)
                .with_verification("parent's e-mail confirmation"),
        ),
        A::Explicit => give(&mut l, BEFORE, ev().with_explicit(true)),
        A::Refused => {
            l.refuse("s", r.purpose, BEFORE, ev()).expect("refusal");
        }
        A::GivenBefore => give(&mut l, BEFORE, ev()),
        A::GivenAfter => give(&mut l, AFTER, ev()),
        A::GivenAfterShown => give(&mut l, AFTER, ev().with_signal_conflict_shown(true)),
        A::ByParentAfter => give(&mut l, AFTER, parent()),
    }
    l
}

fn matches(want: Want, got: Decision) -> bool {
    match (want, got) {
        (W::Granted, Decision::Granted { .. }) => true,
        (W::NotRequired(m), Decision::NotRequired { mechanism }) => m == mechanism,
        (W::Basis, Decision::NotConsentBased { .. }) => true,
        (W::NoConsent, Decision::NoConsent) => true,
        (W::Prohibited, Decision::Prohibited) => true,
        (W::Parental, Decision::ParentalConsentRequired { jointly: false }) => true,
        (W::Joint, Decision::ParentalConsentRequired { jointly: true }) => true,
        (W::MinorOptIn, Decision::MinorOptInRequired) => true,
        (W::ConsentRequired, Decision::ConsentRequired) => true,
        (W::OptedOut, Decision::OptedOut { .. }) => true,
        (W::Explicit, Decision::ExplicitConsentRequired) => true,
        (W::Refused, Decision::Refused { .. }) => true,
        _ => false,
    }
}

#[test]
fn the_decision_table_holds_row_by_row() {
    assert!(TABLE.len() >= 80, "{} rows", TABLE.len());
    let mut failures = Vec::new();
    for (i, r) in TABLE.iter().enumerate() {
        let l = ledger_for(r);
        let category = if r.purpose == "news" || r.purpose == "service" {
            "email"
        } else if r.purpose == "health" {
            "health"
        } else {
            "browsing"
        };
        let got = l.decide("s", r.purpose, category, AT);
        let why = l.explain("s", r.purpose, category, AT);
        let source = why.source().unwrap_or_default();
        let cited = r.source.is_empty()
            || source.contains(r.source)
            || (r.source == "catalog" && why.overridden());
        if !matches(r.want, got) || why.decision() != got || !cited {
            failures.push(format!(
                "row {i} ({} age {:?} {} signal {} {:?}): want {:?} citing {:?}, got {got:?} under {:?} citing {source:?}",
                r.jurisdiction, r.age, r.purpose, r.signal, r.answer, r.want, r.source, why.regime()
            ));
        }
        // `is_permitted` agrees with the decision.
        assert_eq!(
            l.is_permitted("s", r.purpose, category, AT),
            got.is_permitted(),
            "row {i}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} rows fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_birth_date_moves_the_band_on_the_birthday() {
    let mut l = Ledger::new(catalog());
    let t0 = datetime!(2026-01-01 00:00 UTC);
    let f = Evidence::new(CollectionMethod::Form);
    l.set_jurisdiction("s", "US-CA", t0, f.clone())
        .expect("jurisdiction");
    l.set_age("s", Age::BirthDate(date!(2010 - 07 - 01)), t0, f)
        .expect("age");
    assert_eq!(
        l.decide("s", "ads", "browsing", datetime!(2026-06-30 23:59 UTC)),
        Decision::MinorOptInRequired
    );
    assert_eq!(
        l.decide("s", "ads", "browsing", datetime!(2026-07-01 00:00 UTC)),
        Decision::NotRequired {
            mechanism: Mechanism::OptOut
        }
    );
}

#[test]
fn a_request_located_elsewhere_must_be_permitted_under_both_laws() {
    let mut l = Ledger::new(catalog());
    let t0 = datetime!(2026-01-01 00:00 UTC);
    let ca: Jurisdiction = "US-CA".parse().expect("code");
    let de: Jurisdiction = "DE".parse().expect("code");
    // No recorded jurisdiction: the request's decides.
    assert_eq!(
        l.decide_in("v", "ads", "browsing", AT, ca),
        Decision::NotRequired {
            mechanism: Mechanism::OptOut
        }
    );
    // A Californian browsing from Germany: opt-in needed there.
    l.set_jurisdiction("s", "US-CA", t0, Evidence::new(CollectionMethod::Form))
        .expect("ok");
    assert!(l.is_permitted("s", "ads", "browsing", AT));
    assert_eq!(
        l.decide_in("s", "ads", "browsing", AT, de),
        Decision::NoConsent
    );
    let why = l.explain_in("s", "ads", "browsing", AT, de);
    assert_eq!(why.regime(), Some("DE"));
}

#[test]
fn jurisdiction_and_age_are_order_free_and_travel_in_snapshots_and_events() {
    let t0 = datetime!(2026-01-01 00:00 UTC);
    let t1 = datetime!(2026-02-01 00:00 UTC);
    let f = || Evidence::new(CollectionMethod::Form);
    let mut a = Ledger::new(catalog());
    let e1 = a
        .set_jurisdiction("s", "DE", t0, f())
        .expect("ok")
        .into_event();
    let e2 = a
        .set_jurisdiction("s", "US-CA", t1, f())
        .expect("ok")
        .into_event();
    let e3 = a
        .set_age("s", Age::Years(15), t0, f())
        .expect("ok")
        .into_event();
    let mut b = Ledger::new(catalog());
    for e in [&e3, &e2, &e1] {
        b.apply(e).expect("apply");
    }
    assert_eq!(
        b.jurisdiction("s").map(|j| j.to_string()),
        Some("US-CA".to_owned())
    );
    assert_eq!(
        b.decide("s", "ads", "browsing", AT),
        Decision::MinorOptInRequired
    );
    // Through JSON, snapshots and the compacted log.
    let json = e2.to_json().expect("json");
    assert_eq!(
        consentry::Event::from_json(&json).expect("reads").id(),
        e2.id()
    );
    let snap = b.snapshot().to_json().expect("json");
    let c =
        Ledger::restore(consentry::Snapshot::from_json(&snap).expect("reads")).expect("restore");
    assert_eq!(
        c.decide("s", "ads", "browsing", AT),
        Decision::MinorOptInRequired
    );
    assert_eq!(c.age("s").map(|(a, _)| a), Some(Age::Years(15)));
    let mut d = Ledger::new(catalog());
    for e in c.events() {
        d.apply(&e).expect("replays");
    }
    assert_eq!(
        d.decide("s", "ads", "browsing", AT),
        Decision::MinorOptInRequired
    );
    // An erasure drops them.
    d.erase("s", datetime!(2026-03-01 00:00 UTC))
        .expect("erase");
    assert_eq!(d.jurisdiction("s"), None);
}

#[test]
fn bad_jurisdictions_ages_and_parental_evidence_are_refused_and_change_nothing() {
    let mut l = Ledger::new(catalog());
    let t0 = datetime!(2026-01-01 00:00 UTC);
    let f = || Evidence::new(CollectionMethod::Form);
    for bad in ["", "D", "USA", "US-", "US-CALI", "U1", "de-by-x"] {
        let err = l.set_jurisdiction("s", bad, t0, f()).expect_err(bad);
        assert!(err.to_string().contains("jurisdiction"), "{err}");
    }
    assert!(l.set_age("s", Age::Years(151), t0, f()).is_err());
    assert!(
        l.set_age("s", Age::BirthDate(date!(2027 - 01 - 01)), t0, f())
            .is_err()
    );
    let no_verification = ev().with_given_by(GivenBy::ParentOrGuardian);
    let err = l
        .give(Grant::new("s", "news", t0, no_verification))
        .expect_err("needs verification");
    assert!(err.to_string().contains("verification"), "{err}");
    assert!(l.subjects().next().is_none(), "nothing stored");
}

#[test]
fn should_ask_reports_receipts_and_audiences_follow_the_subjects_law() {
    let mut l = Ledger::new(catalog());
    let t0 = datetime!(2026-01-01 00:00 UTC);
    let f = || Evidence::new(CollectionMethod::Form);
    let window = time::Duration::days(30);
    for (who, place, age) in [
        ("cal12", "US-CA", 12),
        ("de15", "DE", 15),
        ("cal30", "US-CA", 30),
    ] {
        l.set_jurisdiction(who, place, t0, f()).expect("ok");
        l.set_age(who, Age::Years(age), t0, f()).expect("ok");
    }
    use consentry::Ask;
    assert_eq!(
        l.should_ask("cal12", "ads", AT, window),
        Ask::AskParent { jointly: false }
    );
    assert_eq!(l.should_ask("de15", "ads", AT, window), Ask::NotAllowed);
    assert_eq!(
        l.should_ask("cal30", "ads", AT, window),
        Ask::NotRequired {
            mechanism: Mechanism::OptOut
        }
    );
    // California's 12 months after an opt-out of sharing, longer than the
    // purpose's default.
    l.refuse("cal30", "ads", BEFORE, ev()).expect("refusal");
    let later = datetime!(2027-02-01 12:00 UTC);
    assert!(matches!(
        l.should_ask("cal30", "ads", later, window),
        Ask::CooldownRunning { .. }
    ));
    assert!(matches!(
        l.should_ask("cal30", "ads", datetime!(2027-04-02 12:00 UTC), window),
        Ask::CooldownOver { .. }
    ));
    // The report names the law and the rights, with sources.
    let report = l.subject_report("cal30", AT);
    let law = report.law().expect("regimes enabled");
    assert_eq!(law.code(), "US-CA");
    assert_eq!(law.jurisdiction(), Some("US-CA"));
    assert!(
        law.rights().iter().any(|r| r.source.contains("7025")),
        "{law}"
    );
    assert!(
        report
            .to_string()
            .contains("The law that applies to you: California")
    );
    // A parent's consent shows in the receipt, with the subject's jurisdiction.
    let parent = ev()
        .with_given_by(GivenBy::ParentOrGuardian)
        .with_verification("card check");
    l.give(Grant::new("cal12", "ads", BEFORE, parent))
        .expect("grant");
    let receipt = l
        .receipt("cal12", "ads", AT, &consentry::ReceiptOptions::new())
        .expect("a record");
    assert_eq!(receipt.jurisdiction(), Some("US-CA"));
    let iso = receipt.to_iso27560_json().expect("json");
    assert!(iso.contains("dpv:GuardianOfDataSubject"), "{iso}");
    // Audiences check each subject under its own law.
    let audience: Vec<String> = l
        .audience("ads", "browsing", AT)
        .map(ToOwned::to_owned)
        .collect();
    let expected: Vec<String> = l
        .subjects()
        .filter(|s| l.is_permitted(s, "ads", "browsing", AT))
        .map(ToOwned::to_owned)
        .collect();
    assert_eq!(audience.len(), expected.len());
    assert!(audience.contains(&"cal12".to_owned()));
    assert_eq!(l.audience_count("ads", "browsing", AT), expected.len());
}

/// The `n`th of many distinct jurisdiction codes ("AA-000" on).
fn place(n: usize) -> String {
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let a = char::from(letters[n / 1000 % 26]);
    let b = char::from(letters[n / 26_000 % 26]);
    format!("{a}{b}-{:03}", n % 1000)
}

/// A ledger holds at most `MAX_JURISDICTIONS` distinct jurisdictions, on
/// every path that brings one in: a call, a merge, and a snapshot (which
/// would otherwise load and decide the subjects past the limit under the
/// default regime, silently). Each refusal names the limit and changes
/// nothing.
#[test]
fn the_jurisdiction_limit_holds_on_every_input_path() {
    let t0 = datetime!(2026-01-01 00:00 UTC);
    let f = || Evidence::new(CollectionMethod::Form);
    let max = consentry::MAX_JURISDICTIONS;
    let mut full = Ledger::new(catalog());
    for n in 0..max {
        full.set_jurisdiction(&format!("s{n}"), &place(n), t0, f())
            .expect("under the limit");
    }
    // A known jurisdiction is still accepted; a new one is not.
    full.set_jurisdiction("again", &place(7), t0, f())
        .expect("a jurisdiction already held");
    let err = full
        .set_jurisdiction("over", &place(max), t0, f())
        .expect_err("one past the limit");
    assert!(err.to_string().contains("jurisdictions"), "{err}");
    assert_eq!(full.jurisdiction("over"), None);
    assert_eq!(full.subject_count(), max + 1);

    // One more place from another ledger.
    let mut other = Ledger::new(catalog());
    other
        .set_jurisdiction("newcomer", &place(max), t0, f())
        .expect("one place");
    let mut merged = full.clone();
    let err = merged.merge(&other).expect_err("past the limit");
    assert!(err.to_string().contains("jurisdictions"), "{err}");
    assert_eq!(merged.jurisdiction("newcomer"), None);

    // A snapshot holding one place too many: the subjects of both ledgers'
    // snapshots in one document.
    let mut doc: serde_json::Value =
        serde_json::from_str(&full.snapshot().to_json().expect("json")).expect("parses");
    let extra: serde_json::Value =
        serde_json::from_str(&other.snapshot().to_json().expect("json")).expect("parses");
    let subjects = doc["subjects"].as_array_mut().expect("subjects");
    subjects.extend(
        extra["subjects"]
            .as_array()
            .expect("subjects")
            .iter()
            .cloned(),
    );
    let err = consentry::Snapshot::from_json(&doc.to_string()).expect_err("past the limit");
    assert!(err.to_string().contains("jurisdictions"), "{err}");
    // The same document without the extra subject loads, every place kept.
    let ok = consentry::Snapshot::from_json(&full.snapshot().to_json().expect("json"))
        .expect("at the limit");
    let restored = Ledger::restore(ok).expect("restores");
    assert_eq!(
        restored
            .jurisdiction(&format!("s{}", max - 1))
            .map(|j| j.to_string()),
        Some(place(max - 1))
    );
}
