//! Re-prompting (`should_ask` and its cooldowns), expiring grants and
//! pruning, through the public API.

mod rights;

use consentry::{
    Answer, Ask, Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef,
    Refusal, Snapshot,
};
use proptest::prelude::*;
use rights::*;
use time::OffsetDateTime;
use time::macros::datetime;

const WINDOW: time::Duration = time::Duration::days(30);

#[track_caller]
fn ask(l: &Ledger, subject: &str, purpose: &str, at: OffsetDateTime) -> Ask {
    l.should_ask(subject, purpose, at, WINDOW)
}

// ---------------------------------------------------------------------------
// should_ask
// ---------------------------------------------------------------------------

#[test]
fn never_asked() {
    let mut l = shop();
    assert_eq!(ask(&l, "nobody", "newsletter", T0), Ask::NeverAsked);
    l.register("ann", T0).unwrap();
    assert_eq!(ask(&l, "ann", "newsletter", T0), Ask::NeverAsked);
    assert_eq!(ask(&l, "ann", "health.research", T0), Ask::NeverAsked);
    // An erased subject is unknown again.
    l.give(Grant::new("bob", "newsletter", T0, banner(2)))
        .unwrap();
    l.erase("bob", T0 + days(1)).unwrap();
    assert_eq!(ask(&l, "bob", "newsletter", T0 + days(1)), Ask::NeverAsked);
    assert!(Ask::NeverAsked.should_ask());
}

#[test]
fn nothing_to_ask_for_or_unknown_purpose() {
    let mut l = shop();
    l.register("ann", T0).unwrap();
    for (purpose, basis) in [
        ("orders", LegalBasis::Contract),
        ("tax", LegalBasis::LegalObligation),
        ("recalls", LegalBasis::VitalInterests),
        ("census", LegalBasis::PublicTask),
        ("analytics", LegalBasis::LegitimateInterest),
        ("data.sale", LegalBasis::LegitimateInterest),
    ] {
        let a = ask(&l, "ann", purpose, T0);
        assert_eq!(a, Ask::NotConsentBased { basis }, "{purpose}");
        assert!(!a.should_ask());
    }
    // A refusal of a contract purpose changes nothing: still nothing to ask.
    l.refuse("ann", "orders", T0, banner(1)).unwrap();
    assert_eq!(
        ask(&l, "ann", "orders", T0 + days(1)),
        Ask::NotConsentBased {
            basis: LegalBasis::Contract
        }
    );
    // Legitimate interest over a category with a sensitive descendant: the
    // explicit consent it needs can be asked for.
    assert_eq!(ask(&l, "ann", "fraud", T0), Ask::NeverAsked);
    assert_eq!(ask(&l, "ann", "loyalty", T0), Ask::UnknownPurpose);
    assert!(!Ask::UnknownPurpose.should_ask());
}

#[test]
fn refusal_cooldown_is_six_calendar_months() {
    let mut l = shop();
    l.refuse("ann", "newsletter", T0, banner(2)).unwrap();
    let end = datetime!(2026-09-01 10:00 UTC);
    let running = Ask::CooldownRunning {
        refusal: Refusal::Refused,
        at: T0,
        until: end,
    };
    assert_eq!(ask(&l, "ann", "newsletter", T0), running);
    assert_eq!(ask(&l, "ann", "newsletter", T0 - days(1)), running);
    assert_eq!(ask(&l, "ann", "newsletter", end - ns(1)), running);
    assert!(!running.should_ask());
    // Exactly six months after the refusal, asking is allowed again.
    let over = Ask::CooldownOver {
        refusal: Refusal::Refused,
        at: T0,
        ended: end,
    };
    assert_eq!(ask(&l, "ann", "newsletter", end), over);
    assert_eq!(ask(&l, "ann", "newsletter", end + days(400)), over);
    assert!(over.should_ask());
    assert_eq!(
        over.to_string(),
        "ask: refused at 2026-03-01T10:00:00Z, cooldown ended at 2026-09-01T10:00:00Z"
    );
    assert_eq!(
        running.to_string(),
        "do not ask: refused at 2026-03-01T10:00:00Z, cooldown until 2026-09-01T10:00:00Z"
    );
}

#[test]
fn month_ends_are_clamped() {
    let mut l = shop();
    let t = datetime!(2026-08-31 12:00 UTC);
    l.refuse("ann", "newsletter", t, banner(2)).unwrap();
    let end = datetime!(2027-02-28 12:00 UTC);
    assert!(!ask(&l, "ann", "newsletter", end - ns(1)).should_ask());
    assert!(ask(&l, "ann", "newsletter", end).should_ask());
}

#[test]
fn withdrawals_start_the_cooldown_too() {
    let mut l = shop();
    l.give(Grant::new("ann", "newsletter", T0, banner(2)))
        .unwrap();
    let w = T0 + days(10);
    l.withdraw("ann", "newsletter", w, settings()).unwrap();
    let end = datetime!(2026-09-11 10:00 UTC);
    assert_eq!(
        ask(&l, "ann", "newsletter", w),
        Ask::CooldownRunning {
            refusal: Refusal::Withdrawn,
            at: w,
            until: end
        }
    );
    assert!(ask(&l, "ann", "newsletter", end).should_ask());

    // Withdrawing everything at once counts as a withdrawal of each grant.
    l.give(Grant::new("bob", "ads", T0, banner(1))).unwrap();
    l.withdraw_all("bob", w, settings()).unwrap();
    let ads_end = datetime!(2027-03-11 10:00 UTC); // ads is sale/sharing: 12 months
    assert_eq!(
        ask(&l, "bob", "ads", w + days(1)),
        Ask::CooldownRunning {
            refusal: Refusal::Withdrawn,
            at: w,
            until: ads_end
        }
    );
    assert!(ask(&l, "bob", "ads", ads_end).should_ask());
}

#[test]
fn sale_and_sharing_opt_outs_wait_twelve_months() {
    let mut l = shop();
    // A CCPA opt-out of a sale under an opt-out regime.
    l.refuse("ann", "data.sale", T0, banner(1)).unwrap();
    let end = datetime!(2027-03-01 10:00 UTC);
    assert_eq!(
        ask(&l, "ann", "data.sale", datetime!(2026-09-01 10:00 UTC)),
        Ask::CooldownRunning {
            refusal: Refusal::Refused,
            at: T0,
            until: end
        }
    );
    assert!(!ask(&l, "ann", "data.sale", end - ns(1)).should_ask());
    assert_eq!(
        ask(&l, "ann", "data.sale", end),
        Ask::CooldownOver {
            refusal: Refusal::Refused,
            at: T0,
            ended: end
        }
    );
    // An objection to it is an opt-out too.
    l.object("bob", "data.sale", T0, settings()).unwrap();
    assert!(!ask(&l, "bob", "data.sale", end - ns(1)).should_ask());
    assert!(ask(&l, "bob", "data.sale", end).should_ask());
}

#[test]
fn the_global_opt_out_signal_starts_a_cooldown_for_sale_purposes() {
    let mut l = shop();
    l.give(Grant::new("ann", "ads", T0, banner(1))).unwrap();
    l.give(Grant::new("ann", "newsletter", T0, banner(2)))
        .unwrap();
    let s = T0 + days(20);
    l.set_global_opt_out("ann", s, gpc()).unwrap();
    let end = datetime!(2027-03-21 10:00 UTC);
    // Even with a valid grant, do not ask to opt back in for 12 months.
    assert_eq!(
        ask(&l, "ann", "ads", s),
        Ask::CooldownRunning {
            refusal: Refusal::GlobalOptOut,
            at: s,
            until: end
        }
    );
    assert_eq!(
        ask(&l, "ann", "ads", end),
        Ask::CooldownOver {
            refusal: Refusal::GlobalOptOut,
            at: s,
            ended: end
        }
    );
    // Not a sale purpose: the signal does not apply.
    assert!(matches!(
        ask(&l, "ann", "newsletter", s),
        Ask::ValidConsent { .. }
    ));
    // Cleared: a signal going away is not an opt-in; the wait still counts
    // from when it was set (Cal. Civ. Code 1798.135(c)(4)), then the grant
    // counts again.
    l.clear_global_opt_out("ann", s + days(1), gpc()).unwrap();
    assert_eq!(
        ask(&l, "ann", "ads", s + days(2)),
        Ask::CooldownRunning {
            refusal: Refusal::GlobalOptOut,
            at: s,
            until: end
        }
    );
    assert!(l.is_permitted("ann", "ads", "browsing", s + days(2)));
    // The later of a refusal and the signal counts.
    l.refuse("bob", "ads", T0, banner(1)).unwrap();
    l.set_global_opt_out("bob", s, gpc()).unwrap();
    assert!(matches!(
        ask(&l, "bob", "ads", s),
        Ask::CooldownRunning {
            refusal: Refusal::GlobalOptOut,
            ..
        }
    ));
}

#[test]
fn objections_to_direct_marketing_are_never_reasked() {
    let mut l = shop();
    l.object("ann", "newsletter", T0, settings()).unwrap();
    let a = ask(&l, "ann", "newsletter", T0 + days(5000));
    assert_eq!(a, Ask::Objected { at: T0 });
    assert!(!a.should_ask());
    assert_eq!(
        a.to_string(),
        "do not ask: objected to direct marketing at 2026-03-01T10:00:00Z"
    );
    // An objection to a legitimate-interest purpose cools down instead.
    l.object("ann", "analytics", T0, settings()).unwrap();
    assert_eq!(
        ask(&l, "ann", "analytics", T0),
        Ask::CooldownRunning {
            refusal: Refusal::Objected,
            at: T0,
            until: datetime!(2026-09-01 10:00 UTC)
        }
    );
}

#[test]
fn a_purpose_may_set_its_own_cooldown() {
    let def = |months| {
        PurposeDef::new("survey", LegalBasis::Consent)
            .title("Surveys")
            .description("Asking your opinion.")
            .categories(["contact"])
            .cooldown_months(months)
    };
    let build = |months| {
        Catalog::builder()
            .category("contact")
            .purpose(def(months))
            .build()
    };
    let mut l = Ledger::new(build(3).unwrap());
    assert_eq!(l.catalog().purpose("survey").unwrap().cooldown_months(), 3);
    let ev = Evidence::new(CollectionMethod::Form).with_notice_version(1);
    l.refuse("ann", "survey", T0, ev.clone()).unwrap();
    assert!(!ask(&l, "ann", "survey", datetime!(2026-06-01 10:00 UTC) - ns(1)).should_ask());
    assert!(ask(&l, "ann", "survey", datetime!(2026-06-01 10:00 UTC)).should_ask());

    let mut l = Ledger::new(build(0).unwrap());
    l.refuse("ann", "survey", T0, ev).unwrap();
    assert!(ask(&l, "ann", "survey", T0).should_ask());

    assert_eq!(
        build(1201).unwrap_err().to_string(),
        "purpose `survey`: cooldown of 1201 months exceeds the limit of 1200 months"
    );
    // Defaults.
    let c = catalog();
    assert_eq!(c.purpose("newsletter").unwrap().cooldown_months(), 6);
    assert_eq!(c.purpose("ads").unwrap().cooldown_months(), 12);
    assert_eq!(c.purpose("data.sale").unwrap().cooldown_months(), 12);
}

#[test]
fn cooldowns_survive_snapshots_and_old_snapshots_load() {
    let catalog = Catalog::builder()
        .category("contact")
        .purpose(
            PurposeDef::new("survey", LegalBasis::Consent)
                .title("Surveys")
                .description("Asking your opinion.")
                .categories(["contact"])
                .cooldown_months(2),
        )
        .purpose(
            PurposeDef::new("news", LegalBasis::Consent)
                .title("News")
                .description("News.")
                .categories(["contact"]),
        )
        .build()
        .unwrap();
    let json = Ledger::new(catalog).snapshot().to_json().unwrap();
    assert!(json.contains(r#""cooldown_months":2"#), "{json}");
    assert_eq!(json.matches("cooldown_months").count(), 1, "{json}");
    let restored = Ledger::restore(Snapshot::from_json(&json).unwrap()).unwrap();
    assert_eq!(
        restored
            .catalog()
            .purpose("survey")
            .unwrap()
            .cooldown_months(),
        2
    );
    assert_eq!(
        restored
            .catalog()
            .purpose("news")
            .unwrap()
            .cooldown_months(),
        6
    );
}

#[test]
fn grants_expired_expiring_or_valid() {
    let mut l = shop();
    l.give(Grant::new("ann", "newsletter", T0, banner(2)))
        .unwrap();
    let expires = T0 + days(395);
    let valid = Ask::ValidConsent {
        expires_at: Some(expires),
    };
    assert_eq!(ask(&l, "ann", "newsletter", T0), valid);
    assert!(!valid.should_ask());
    // Expiring within the window: `expires_at <= at + window`.
    assert_eq!(
        ask(&l, "ann", "newsletter", expires - WINDOW - ns(1)),
        valid
    );
    let soon = Ask::ExpiringSoon {
        expires_at: expires,
    };
    assert_eq!(ask(&l, "ann", "newsletter", expires - WINDOW), soon);
    assert_eq!(ask(&l, "ann", "newsletter", expires - ns(1)), soon);
    assert!(soon.should_ask());
    // Expired at its expiry instant.
    let expired = Ask::Expired {
        expired_at: expires,
    };
    assert_eq!(ask(&l, "ann", "newsletter", expires), expired);
    assert_eq!(
        expired.to_string(),
        "ask: consent expired at 2027-03-31T10:00:00Z"
    );
    // No expiry.
    let c = Catalog::builder()
        .category("contact")
        .purpose(
            PurposeDef::new("news", LegalBasis::Consent)
                .title("News")
                .description("News.")
                .categories(["contact"]),
        )
        .build()
        .unwrap();
    let mut l = Ledger::new(c);
    l.give(Grant::new(
        "ann",
        "news",
        T0,
        Evidence::new(CollectionMethod::Form).with_notice_version(1),
    ))
    .unwrap();
    assert_eq!(
        ask(&l, "ann", "news", T0 + days(10_000)),
        Ask::ValidConsent { expires_at: None }
    );
}

#[test]
fn notice_outdated() {
    let mut l = shop();
    l.give(Grant::new("ann", "newsletter", T0, banner(1)))
        .unwrap();
    // The notice changed materially: version 2 is now the minimum.
    let snapshot = Snapshot::from_json(&l.snapshot().to_json().unwrap()).unwrap();
    let l = Ledger::restore_with_catalog(snapshot, catalog_with(2, 2)).unwrap();
    let a = ask(&l, "ann", "newsletter", T0 + days(1));
    assert_eq!(
        a,
        Ask::NoticeOutdated {
            version: 1,
            min_version: 2
        }
    );
    assert!(a.should_ask());
}

// ---------------------------------------------------------------------------
// Expiring
// ---------------------------------------------------------------------------

#[test]
fn expiring_lists_valid_grants_due_within_the_window() {
    let mut l = shop();
    let at = datetime!(2027-03-01 10:00 UTC);
    // newsletter grants last 395 days: T0 + 395d = 2027-03-31T10:00.
    l.give(Grant::new("due", "newsletter", T0, banner(2)))
        .unwrap(); // expires at + 30d exactly
    l.give(Grant::new("later", "newsletter", T0 + ns(1), banner(2)))
        .unwrap()
        .into_event(); // 1ns past the window
    l.give(
        Grant::new("expired", "newsletter", T0, banner(2)).expires_at(at), // expires exactly at `at`
    )
    .unwrap()
    .into_event();
    l.give(Grant::new("gone", "newsletter", T0, banner(2)))
        .unwrap();
    l.withdraw_all("gone", T0 + days(1), settings()).unwrap();
    l.give(Grant::new("due", "ads", T0 + days(10), banner(1)))
        .unwrap(); // 2027-04-10: outside
    l.give(Grant::new(
        "due",
        "health.research",
        T0 - days(700),
        banner(1),
    ))
    .unwrap()
    .into_event(); // 2026-03-31: expired
    l.give(Grant::new("soon", "ads", T0 - days(380), banner(1)))
        .unwrap()
        .into_event(); // expires 2026-03-16... before `at`
    l.give(Grant::new(
        "soon",
        "health.research",
        datetime!(2025-03-10 10:00 UTC),
        banner(1),
    ))
    .unwrap()
    .into_event(); // expires 2027-03-10
    let due: Vec<(String, String)> = l
        .expiring(at, WINDOW)
        .map(|g| (g.subject().to_owned(), g.record().purpose().to_owned()))
        .collect();
    assert_eq!(
        due,
        [
            ("due".to_owned(), "newsletter".to_owned()),
            ("soon".to_owned(), "health.research".to_owned()),
        ]
    );
    let first = l.expiring(at, WINDOW).next().unwrap();
    assert_eq!(first.expires_at(), Some(datetime!(2027-03-31 10:00 UTC)));
    assert_eq!(first.record().answer(), Answer::Given);
    assert_eq!(l.expiring(at, time::Duration::ZERO).count(), 0);
}

// ---------------------------------------------------------------------------
// Prune
// ---------------------------------------------------------------------------

fn subjects(l: &Ledger) -> Vec<String> {
    l.subjects().map(str::to_owned).collect()
}

/// What `should_ask` says (yes or no) for every subject and purpose.
fn asks(l: &Ledger, subjects: &[String], at: OffsetDateTime) -> Vec<bool> {
    let mut out = Vec::new();
    for s in subjects {
        for p in PURPOSES {
            out.push(l.should_ask(s, p, at, WINDOW).should_ask());
        }
    }
    out
}

#[track_caller]
fn assert_prune_keeps_decisions(l: &mut Ledger, at: OffsetDateTime) -> Vec<(String, String)> {
    let names = subjects(l);
    let times = [at, at + days(1), at + days(400), at + days(4000)];
    let before: Vec<_> = times.iter().map(|t| permissions(l, &names, *t)).collect();
    let asked: Vec<_> = times.iter().map(|t| asks(l, &names, *t)).collect();
    let dropped: Vec<(String, String)> = l
        .prune(at)
        .iter()
        .map(|d| (d.subject().to_owned(), d.record().purpose().to_owned()))
        .collect();
    for (i, t) in times.iter().enumerate() {
        assert_eq!(permissions(l, &names, *t), before[i], "permissions at {t}");
        assert_eq!(asks(l, &names, *t), asked[i], "should_ask at {t}");
    }
    // Idempotent.
    assert!(l.prune(at).is_empty());
    dropped
}

#[test]
fn prune_drops_what_no_longer_matters() {
    let mut l = shop();
    l.register("ann", T0 - days(1)).unwrap();
    // Expired grant of a direct-marketing purpose: kept (it ends any older
    // objection that may still arrive).
    l.give(Grant::new("ann", "newsletter", T0, banner(2)).expires_at(T0 + days(30)))
        .unwrap();
    // Refusal within its cooldown: kept; past it: dropped.
    l.refuse("ann", "ads", T0 + days(200), banner(1)).unwrap(); // 12-month cooldown
    l.refuse("ann", "health.research", T0, banner(1))
        .unwrap()
        .into_event(); // 6 months
    // Refusal of a legitimate-interest purpose: it is what denies it, kept.
    l.refuse("ann", "analytics", T0, banner(1))
        .unwrap()
        .into_event();
    // Objections: kept.
    l.object("ann", "census", T0, settings()).unwrap();
    // Refusal of a contract purpose (changes nothing): dropped after cooldown.
    l.refuse("ann", "orders", T0, banner(1)).unwrap();

    // A subject left with no record has said nothing: defaults apply, as
    // they did (the contract purposes stay permitted).
    l.give(Grant::new("bob", "newsletter", T0, banner(2)).expires_at(T0 + days(30)))
        .unwrap();
    l.refuse("bob", "ads", T0 - days(10), banner(1)).unwrap();
    // A grant withdrawn all at once: dropped after the withdrawal's cooldown.
    l.register("cy", T0).unwrap();
    l.give(Grant::new("cy", "health.research", T0, banner(1)))
        .unwrap();
    l.withdraw_all("cy", T0 + days(1), settings()).unwrap();
    // A subject with no mark and nothing else: its expired grant goes, and
    // the subject with it.
    l.give(Grant::new("dee", "ads", T0, banner(1)).expires_at(T0 + days(30)))
        .unwrap();

    let at = datetime!(2026-09-02 10:00 UTC);
    let pruned = l.prune(at);
    let dropped: Vec<(&str, &str)> = pruned
        .iter()
        .map(|d| (d.subject(), d.record().purpose()))
        .collect();
    assert_eq!(
        dropped,
        [
            ("ann", "orders"),
            ("ann", "health.research"),
            ("cy", "health.research"),
            ("dee", "ads"),
        ]
    );
    assert_eq!(pruned[3].record().answer(), Answer::Given);
    let ann = l.subject_records("ann").unwrap();
    let kept: Vec<&str> = ann.records().iter().map(|r| r.purpose()).collect();
    assert_eq!(kept, ["newsletter", "ads", "analytics", "census"]);
    let bob = l.subject_records("bob").unwrap();
    let bobs: Vec<&str> = bob.records().iter().map(|r| r.purpose()).collect();
    assert_eq!(bobs, ["newsletter", "ads"]);
    assert!(l.is_permitted("bob", "orders", "contact", at));
    assert!(l.subject_records("dee").unwrap().records().is_empty());
    // Left with nothing, it is no longer listed, in audiences either.
    assert!(!l.subjects().any(|s| s == "dee"));
    assert!(!l.audience("orders", "contact", at).any(|s| s == "dee"));
    assert!(l.is_permitted("dee", "orders", "contact", at));
    assert!(!l.is_permitted("dee", "ads", "browsing", at));
}

#[test]
fn prune_changes_no_decision() {
    let mut l = shop();
    l.register("ann", T0 - days(1)).unwrap();
    l.give(Grant::new("ann", "newsletter", T0, banner(2)).expires_at(T0 + days(30)))
        .unwrap();
    l.refuse("ann", "ads", T0, banner(1)).unwrap();
    l.refuse("ann", "analytics", T0, banner(1)).unwrap();
    l.refuse("ann", "data.sale", T0, banner(1)).unwrap();
    l.object("ann", "newsletter", T0 - days(5), settings())
        .unwrap();
    l.give(Grant::new("bob", "fraud", T0, banner(1)).expires_at(T0 + days(10)))
        .unwrap();
    l.give(Grant::new("cy", "analytics", T0, banner(1)).expires_at(T0 + days(10)))
        .unwrap();
    l.withdraw_all("cy", T0 + days(1), settings()).unwrap();
    l.give(Grant::new("dee", "newsletter", T0, banner(2)))
        .unwrap();
    l.set_global_opt_out("dee", T0, gpc()).unwrap();
    for months in [0, 1, 7, 13, 25] {
        let at = T0 + days(31 * months);
        assert_prune_keeps_decisions(&mut l.clone(), at);
    }
    let dropped = assert_prune_keeps_decisions(&mut l, T0 + days(800));
    assert!(!dropped.is_empty());
    // A withdraw-all over a legitimate-interest grant denies it: kept.
    assert!(
        l.subject_records("cy")
            .unwrap()
            .record("analytics")
            .is_some()
    );
}

// ---------------------------------------------------------------------------
// Prune, property: random histories, random prune instants.
// ---------------------------------------------------------------------------

const NAMES: [&str; 4] = ["ann", "bob", "cy", "dee"];

fn op() -> impl Strategy<Value = Op> {
    rights::op(NAMES.len(), 900, 500)
}

fn run(ops: &[Op]) -> Ledger {
    run_ops(&NAMES, ops).0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("CONSENTRY_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    fn prune_never_changes_a_permission(ops in proptest::collection::vec(op(), 0..40), at in 0i64..1500) {
        let mut l = run(&ops);
        let names: Vec<String> = NAMES.iter().map(|s| (*s).to_owned()).collect();
        let at = T0 + days(at);
        let times = [at, at + days(1), at + days(200), at + days(800)];
        let before: Vec<_> = times.iter().map(|t| permissions(&l, &names, *t)).collect();
        let asked: Vec<_> = times.iter().map(|t| asks(&l, &names, *t)).collect();
        let dropped = l.prune(at);
        for (i, t) in times.iter().enumerate() {
            prop_assert_eq!(&permissions(&l, &names, *t), &before[i], "permissions at {} after dropping {:?}", t, dropped);
            prop_assert_eq!(&asks(&l, &names, *t), &asked[i], "should_ask at {} after dropping {:?}", t, dropped);
        }
    }
}
