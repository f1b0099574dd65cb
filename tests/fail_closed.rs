//! Fail closed: whatever the ledger holds, a check whose subject, purpose or
//! category is unknown or malformed is never permitted, and says which part
//! was unknown; a check at an instant the engine cannot store is answered
//! without ever letting a grant count before it was given.
//!
//! The ledger under test is as permissive as it gets: one subject has given
//! every consent purpose for every category, with no expiry.

use consentry::{
    Catalog, CollectionMethod, ConsentStatus, Decision, Evidence, Grant, Ledger, LegalBasis,
    PurposeDef,
};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);

const PURPOSES: [&str; 9] = [
    "marketing",
    "marketing.email",
    "research",
    "analytics",
    "orders",
    "tax",
    "emergency",
    "census",
    "ads",
];
const CATEGORIES: [&str; 6] = [
    "contact",
    "contact.email",
    "health",
    "health.genetic",
    "browsing",
    "profile",
];

fn catalog() -> Catalog {
    let p = |name: &str, basis| {
        PurposeDef::new(name, basis)
            .title(format!("The {name} purpose"))
            .description("What the test does with it.")
    };
    Catalog::builder()
        .category("contact")
        .category("contact.email")
        .sensitive_category("health")
        .category("health.genetic")
        .category("browsing")
        .category("profile")
        .purpose(p("marketing", LegalBasis::Consent).categories(["contact", "browsing"]))
        .purpose(p("marketing.email", LegalBasis::Consent).categories(["contact.email"]))
        .purpose(p("research", LegalBasis::ExplicitConsent).categories(["health", "profile"]))
        .purpose(p("analytics", LegalBasis::LegitimateInterest).categories(["browsing"]))
        .purpose(p("orders", LegalBasis::Contract).categories(["contact", "health"]))
        .purpose(p("tax", LegalBasis::LegalObligation).categories(["contact"]))
        .purpose(p("emergency", LegalBasis::VitalInterests).categories(["health"]))
        .purpose(p("census", LegalBasis::PublicTask).categories(["profile"]))
        .purpose(
            p("ads", LegalBasis::Consent)
                .categories(["browsing"])
                .sale_or_sharing(),
        )
        .build()
        .expect("the test catalog is valid")
}

fn evidence() -> Evidence {
    Evidence::new(CollectionMethod::Banner).with_notice_version(1)
}

/// "ana" gave everything (grants given at the very first storable instant
/// too, for "ben"); "eve" gave everything and was then erased.
fn ledger() -> Ledger {
    let mut l = Ledger::new(catalog());
    let first = datetime!(1678-01-01 0:00 UTC);
    for p in PURPOSES {
        for (s, at) in [("ana", T0), ("ben", first), ("eve", T0)] {
            l.give(Grant::new(s, p, at, evidence()))
                .expect("a valid grant");
        }
    }
    l.erase("eve", T0 + Duration::days(1))
        .expect("valid erasure");
    l
}

/// Subject ids the ledger does not know: never seen, malformed.
fn unknown_subjects() -> Vec<String> {
    ["zed", "", "ANA", " ana", "ana ", "ana\n", "an\u{0}a", "anä"]
        .iter()
        .map(|s| (*s).to_owned())
        .chain(["a".repeat(257), "ana".repeat(10_000)])
        .collect()
}

/// Purpose names the catalog does not declare, malformed or not: a group
/// of declared purposes, a child of one, case and spacing variants.
fn unknown_purposes() -> Vec<String> {
    [
        "ghost",
        "",
        "Marketing",
        "marketing.",
        ".marketing",
        "marketing..email",
        "marketing.email.weekly",
        "marketing email",
        "marketing\u{0}",
        "*",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain(["p".repeat(129), "marketing".repeat(10_000)])
    .collect()
}

/// Category names the catalog does not declare: an undeclared child of a
/// declared category (consent to the parent must not reach it), variants.
fn unknown_categories() -> Vec<String> {
    [
        "ghost",
        "",
        "Contact",
        "contact.",
        "contact.email.work",
        "health.genetic.brca",
        "contact email",
        "*",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain(["c".repeat(129), "contact".repeat(10_000)])
    .collect()
}

/// Instants worth asking about, inside the range and out of it.
fn instants() -> [OffsetDateTime; 6] {
    [
        T0,
        T0 + Duration::days(365),
        datetime!(1678-01-01 0:00 UTC),
        datetime!(1677-12-31 23:59:59.999_999_999 UTC),
        datetime!(-9999-01-01 0:00 UTC),
        datetime!(+9999-12-31 23:59:59.999_999_999 UTC),
    ]
}

#[track_caller]
fn denied(l: &Ledger, s: &str, p: &str, c: &str, at: OffsetDateTime, allowed: &[Decision]) {
    let d = l.decide(s, p, c, at);
    let short = |x: &str| x.chars().take(20).collect::<String>();
    assert!(
        !d.is_permitted() && !l.is_permitted(s, p, c, at),
        "permitted: {:?} {:?} {:?} at {at}: {d}",
        short(s),
        short(p),
        short(c)
    );
    assert!(
        allowed.contains(&d),
        "{:?} {:?} {:?} at {at}: {d:?}, expected one of {allowed:?}",
        short(s),
        short(p),
        short(c)
    );
}

#[test]
fn the_subject_is_really_permitted_everything_it_gave() {
    // Otherwise the tests below would prove nothing.
    let l = ledger();
    for p in PURPOSES {
        let purpose = l.catalog().purpose(p).expect("declared");
        for c in purpose.categories() {
            assert!(l.is_permitted("ana", p, c, T0), "{p} {c}");
        }
    }
}

/// A subject never seen (or a malformed id, which no ledger can hold) has
/// said nothing: it gets exactly the purpose's default, as in an empty
/// ledger, never a permission someone else's record gave.
#[test]
fn an_unknown_or_malformed_subject_gets_only_the_defaults() {
    let l = ledger();
    let empty = Ledger::new(catalog());
    for s in unknown_subjects() {
        for p in PURPOSES {
            for c in CATEGORIES {
                for at in instants() {
                    let d = l.decide(&s, p, c, at);
                    assert_eq!(d, empty.decide("zed", p, c, at), "{p} {c} at {at}");
                    assert_eq!(l.is_permitted(&s, p, c, at), d.is_permitted());
                    assert!(!matches!(d, Decision::Granted { .. }));
                }
            }
            assert_eq!(l.status(&s, p, T0), ConsentStatus::Unknown);
        }
    }
}

/// An erased subject is denied everything, whatever the purpose's basis.
#[test]
fn an_erased_subject_is_denied_everything() {
    let l = ledger();
    let erased_at = T0 + Duration::days(1);
    for p in PURPOSES {
        for c in CATEGORIES {
            for at in instants() {
                denied(
                    &l,
                    "eve",
                    p,
                    c,
                    at,
                    &[
                        Decision::Erased { at: erased_at },
                        Decision::CategoryNotInPurpose,
                    ],
                );
            }
        }
    }
}

#[test]
fn an_unknown_or_malformed_purpose_is_never_permitted() {
    let l = ledger();
    for s in ["ana", "zed"] {
        for p in unknown_purposes() {
            for c in CATEGORIES
                .iter()
                .map(|c| (*c).to_owned())
                .chain(unknown_categories())
            {
                for at in instants() {
                    denied(&l, s, &p, &c, at, &[Decision::UnknownPurpose]);
                }
            }
            assert_eq!(l.status(s, &p, T0), ConsentStatus::Unknown);
        }
    }
}

#[test]
fn an_unknown_or_malformed_category_is_never_permitted() {
    let l = ledger();
    for s in ["ana", "zed"] {
        for p in PURPOSES {
            for c in unknown_categories() {
                for at in instants() {
                    denied(&l, s, p, &c, at, &[Decision::UnknownCategory]);
                }
            }
        }
    }
}

#[test]
fn handles_that_do_not_resolve_here_are_never_permitted() {
    // Handles from a ledger and a catalog larger than this one.
    let categories = (0..40).fold(Catalog::builder(), |b, i| b.category(format!("c{i}")));
    let big_catalog = (0..12)
        .fold(categories, |b, i| {
            b.purpose(
                PurposeDef::new(format!("p{i}"), LegalBasis::Contract)
                    .title("P")
                    .description("D")
                    .categories(["c39"]),
            )
        })
        .build()
        .expect("valid");
    let mut big = Ledger::new(big_catalog);
    for i in 0..10 {
        big.register(&format!("s{i}"), T0).expect("valid");
    }
    let l = ledger();
    let foreign_subject = big.subject_handle("s9").expect("registered");
    let foreign_purpose = big.catalog().purpose_handle("p11").expect("declared");
    let foreign_category = big.catalog().category_handle("c39").expect("declared");
    let subject = l.subject_handle("ana").expect("known");
    let purpose = l.catalog().purpose_handle("orders").expect("declared");
    let category = l.catalog().category_handle("contact").expect("declared");
    assert!(l.check(subject, purpose, category, T0).is_permitted());
    for (s, p, c) in [
        (foreign_subject, purpose, category),
        (subject, foreign_purpose, category),
        (subject, purpose, foreign_category),
        (foreign_subject, foreign_purpose, foreign_category),
    ] {
        let d = l.check(s, p, c, T0);
        assert!(!d.is_permitted(), "{s:?} {p:?} {c:?}: {d}");
    }
}

#[test]
fn no_grant_counts_before_the_supported_range() {
    // "ben" gave everything at the first storable instant: a check before
    // it (an instant the engine cannot store) must not see those grants.
    let l = ledger();
    let first = datetime!(1678-01-01 0:00 UTC);
    for at in [
        first - Duration::nanoseconds(1),
        datetime!(1600-01-01 0:00 UTC),
        datetime!(-9999-01-01 0:00 UTC),
    ] {
        for p in PURPOSES {
            for c in CATEGORIES {
                let d = l.decide("ben", p, c, at);
                if matches!(d, Decision::Granted { .. }) {
                    panic!("{p} {c} at {at}: {d}");
                }
                // Granted at the first instant, exactly as at `first`
                // otherwise.
                if !matches!(l.decide("ben", p, c, first), Decision::Granted { .. }) {
                    assert_eq!(d, l.decide("ben", p, c, first), "{p} {c} at {at}");
                }
            }
        }
    }
}

#[test]
fn a_check_after_the_range_is_answered_as_at_its_end() {
    let l = ledger();
    let last = datetime!(2261-12-31 23:59:59.999_999_999 UTC);
    for at in [
        datetime!(2262-01-01 0:00 UTC),
        datetime!(2300-01-01 0:00 UTC),
        datetime!(+9999-12-31 23:59:59.999_999_999 UTC),
    ] {
        for s in ["ana", "ben", "eve", "zed"] {
            for p in PURPOSES {
                for c in CATEGORIES {
                    assert_eq!(
                        l.decide(s, p, c, at),
                        l.decide(s, p, c, last),
                        "{s} {p} {c} {at}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_change_at_an_instant_out_of_range_is_refused_and_changes_nothing() {
    let mut l = ledger();
    let before = l.snapshot();
    for at in [
        datetime!(1677-12-31 23:59:59.999_999_999 UTC),
        datetime!(2262-01-01 0:00 UTC),
        datetime!(-9999-01-01 0:00 UTC),
        datetime!(+9999-12-31 0:00 UTC),
    ] {
        let e = Evidence::new(CollectionMethod::Api);
        if at < T0 {
            let err = l
                .give(Grant::new("ana", "marketing", T0, evidence()).expires_at(at))
                .expect_err("an expiry before the range is refused");
            assert!(err.to_string().contains("is out of range"), "{err}");
        }
        for result in [
            l.give(Grant::new("zed", "marketing", at, evidence())),
            l.refuse("zed", "marketing", at, evidence()),
            l.withdraw("ana", "marketing", at, e.clone()),
            l.withdraw_all("ana", at, e.clone()),
            l.object("ana", "analytics", at, e.clone()),
            l.set_global_opt_out("ana", at, e.clone()),
            l.clear_global_opt_out("ana", at, e.clone()),
            l.register("zed", at),
            l.erase("ana", at),
        ] {
            let err = result.expect_err("an instant out of range is refused");
            assert!(err.to_string().contains("is out of range"), "{err}");
        }
    }
    assert_eq!(l.snapshot(), before);
}

fn name(known: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(known).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => "[a-z.]{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any string at all: a decision is permitted only if the purpose and
    /// category are declared, and, for a subject the ledger does not hold
    /// (or one erased), only as a purpose's default would permit it.
    #[test]
    fn only_known_names_can_be_permitted(
        s in name(&["ana", "ben", "eve", "zed"]),
        p in name(&PURPOSES),
        c in name(&CATEGORIES),
        days in -400_000i64..400_000,
    ) {
        let l = ledger();
        let at = T0 + Duration::days(days);
        let d = l.decide(&s, &p, &c, at);
        prop_assert_eq!(d.is_permitted(), l.is_permitted(&s, &p, &c, at));
        if d.is_permitted() {
            prop_assert!(PURPOSES.contains(&p.as_str()), "{:?}", p);
            prop_assert!(CATEGORIES.contains(&c.as_str()), "{:?}", c);
            if s != "ana" && s != "ben" {
                prop_assert_eq!(d, Ledger::new(catalog()).decide(&s, &p, &c, at), "{:?}", s);
                prop_assert!(s != "eve", "an erased subject was permitted");
            }
        }
    }
}
