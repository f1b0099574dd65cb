//! Regression tests for findings of an adversarial review of the ledger's
//! state rules, one section per finding. Each test failed before its fix.
//!
//! - Prune made instances disagree: after `prune` dropped a withdrawal, a
//!   late delivery of the older grant permitted on the pruned instance and
//!   denied on the others (207 of 2,000 random histories disagreed).
//! - A stale handle answered for another subject: a `SubjectHandle` taken
//!   before a snapshot round trip, used on the restored ledger, answered with
//!   another subject's grant.
//! - A protective signal raised permissions: after `erase`, a later opt-out
//!   signal or withdraw-all made the subject known again, so contract and
//!   legitimate-interest purposes flipped from denied to permitted.
//! - `merge` was not atomic (see the unit test in src/ledger/replication.rs, which needs
//!   a small interning limit to reach the failure).

mod rights;

use consentry::{Applied, Decision, Event, Grant, Ledger, LegalBasis, Snapshot};
use proptest::prelude::*;
use rights::*;
use serde_json::json;
use time::OffsetDateTime;

// ---------------------------------------------------------------------------
// Prune never changes a decision, even after late or replayed events
// ---------------------------------------------------------------------------

#[test]
fn a_late_older_grant_stays_superseded_after_prune() {
    let mut source = shop();
    let old_grant = source
        .give(Grant::new("ann", "newsletter", T0, banner(2)))
        .unwrap()
        .into_event();
    let withdrawal = source
        .withdraw("ann", "newsletter", T0 + days(10), settings())
        .unwrap()
        .into_event();

    // One instance has both and prunes the withdrawal once its cooldown is
    // over; the other has only the withdrawal.
    let mut pruned = shop();
    pruned.apply(&withdrawal).unwrap();
    let at = T0 + days(400);
    let dropped = pruned.prune(at);
    assert_eq!(dropped.len(), 1, "the withdrawal's cooldown is over");
    let mut other = shop();
    other.apply(&withdrawal).unwrap();

    // The trace travels in snapshots, whichever catalog restores them.
    let json = pruned.snapshot().to_json().unwrap();
    assert!(json.contains("\"pruned\":[{"), "{json}");
    for mut restored in [
        Ledger::restore(Snapshot::from_json(&json).unwrap()).unwrap(),
        Ledger::restore_with_catalog(Snapshot::from_json(&json).unwrap(), catalog()).unwrap(),
    ] {
        assert_eq!(restored.snapshot(), pruned.snapshot());
        assert_eq!(restored.apply(&old_grant).unwrap(), Applied::Superseded);
        assert!(!restored.is_permitted("ann", "newsletter", "contact.email", at));
    }

    // The older grant arrives late, at both.
    assert_eq!(pruned.apply(&old_grant).unwrap(), Applied::Superseded);
    assert_eq!(other.apply(&old_grant).unwrap(), Applied::Superseded);
    for l in [&pruned, &other] {
        assert!(!l.is_permitted("ann", "newsletter", "contact.email", at));
    }
    // Replaying the withdrawal itself is a duplicate, not a change.
    assert_eq!(pruned.apply(&withdrawal).unwrap(), Applied::Duplicate);
    // A later answer still takes the slot.
    let later = source
        .give(Grant::new("ann", "newsletter", at, banner(2)))
        .unwrap()
        .into_event();
    assert_eq!(pruned.apply(&later).unwrap(), Applied::Changed);
    assert!(pruned.is_permitted("ann", "newsletter", "contact.email", at));
}

const NAMES: [&str; 3] = ["ann", "bob", "cy"];

/// Every permission (pruning may change a denial's reason, never whether
/// it permits).
fn decisions(l: &Ledger, at: OffsetDateTime) -> Vec<bool> {
    let mut out = Vec::new();
    for s in NAMES {
        for p in PURPOSES {
            for c in CATEGORIES {
                let d = l.decide(s, p, c, at);
                assert_eq!(d.is_permitted(), l.is_permitted(s, p, c, at));
                out.push(d.is_permitted());
            }
        }
    }
    out
}

/// Delivers `events` in the given order, pruning at `prune_at` after the
/// `prune_after`-th event.
fn deliver(events: &[&Event], prune_after: usize, prune_at: OffsetDateTime) -> Ledger {
    let mut l = shop();
    for (i, e) in events.iter().enumerate() {
        if i == prune_after {
            l.prune(prune_at);
        }
        l.apply(e).unwrap();
    }
    if prune_after >= events.len() {
        l.prune(prune_at);
    }
    l
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("CONSENTRY_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
    ))]

    /// Instances that prune at random points and receive the same events in
    /// different orders agree on every decision at or after the latest
    /// prune instant, with each other and with an instance that never
    /// prunes.
    #[test]
    fn instances_that_prune_agree(
        ops in proptest::collection::vec(rights::op(NAMES.len(), 900, 500), 0..40),
        cut_a in 0usize..41,
        cut_b in 0usize..41,
        day_a in 0i64..1500,
        day_b in 0i64..1500,
        seed in any::<u64>(),
    ) {
        let (_, log) = run_ops(&NAMES, &ops);
        let forward: Vec<&Event> = log.iter().collect();
        let mut shuffled = forward.clone();
        // A deterministic shuffle from the seed.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let (at_a, at_b) = (T0 + days(day_a), T0 + days(day_b));
        let a = deliver(&forward, cut_a, at_a);
        let b = deliver(&shuffled, cut_b, at_b);
        let mut never = shop();
        for e in &log {
            never.apply(e).unwrap();
        }
        let latest = at_a.max(at_b);
        for at in [latest, latest + days(1), latest + days(200), latest + days(900)] {
            let reference = decisions(&never, at);
            prop_assert_eq!(&decisions(&a, at), &reference, "pruned in order, at {}", at);
            prop_assert_eq!(&decisions(&b, at), &reference, "pruned shuffled, at {}", at);
        }
    }
}

// ---------------------------------------------------------------------------
// Handles are unusable across ledgers and restores
// ---------------------------------------------------------------------------

#[test]
fn a_stale_handle_never_answers_for_another_subject() {
    let mut l = shop();
    // "zed" is seen first, "ann" second: a snapshot sorts them by id, so the
    // restored ledger numbers them the other way round.
    l.refuse("zed", "newsletter", T0, banner(2)).unwrap();
    l.give(Grant::new("ann", "newsletter", T0, banner(2)))
        .unwrap();
    let zed = l.subject_handle("zed").unwrap();
    let p = l.catalog().purpose_handle("newsletter").unwrap();
    let c = l.catalog().category_handle("contact.email").unwrap();
    assert!(!l.is_permitted_by(zed, p, c, T0));

    let restored =
        Ledger::restore(Snapshot::from_json(&l.snapshot().to_json().unwrap()).unwrap()).unwrap();
    assert!(!restored.is_permitted_by(zed, p, c, T0));
    assert_eq!(restored.check(zed, p, c, T0), Decision::ForeignHandle);
    // Resolved again, on the restored ledger, it works; the catalog's
    // handles stay valid (same names in the same order).
    let zed = restored.subject_handle("zed").unwrap();
    assert_eq!(restored.check(zed, p, c, T0), Decision::Refused { at: T0 });
    let ann = restored.subject_handle("ann").unwrap();
    assert!(restored.is_permitted_by(ann, p, c, T0));

    // A handle of another ledger, or of another catalog, is denied.
    let mut other = shop();
    other.register("x", T0).unwrap();
    let x = other.subject_handle("x").unwrap();
    assert_eq!(l.check(x, p, c, T0), Decision::ForeignHandle);
    let smaller = consentry::Catalog::builder()
        .category("contact")
        .category("contact.email")
        .purpose(
            consentry::PurposeDef::new("orders", LegalBasis::Contract)
                .title("Orders")
                .description("Orders.")
                .categories(["contact"]),
        )
        .build()
        .unwrap();
    let foreign = smaller.purpose_handle("orders").unwrap();
    let ann = l.subject_handle("ann").unwrap();
    assert_eq!(l.check(ann, foreign, c, T0), Decision::ForeignHandle);
    assert!(l.catalog().purpose_at(foreign).is_none());
    // A copy is another ledger: once the two diverge, the same index may
    // name another subject in each, so a handle of one is refused by the
    // other (found by a second review: a clone's handle answered for
    // whichever subject the original numbered alike later).
    let mut copy = l.clone();
    let mut original = l;
    copy.refuse("bob", "newsletter", T0, banner(2)).unwrap();
    original
        .give(Grant::new("carol", "newsletter", T0, banner(2)))
        .unwrap();
    let bob = copy.subject_handle("bob").unwrap();
    assert_eq!(original.check(bob, p, c, T0), Decision::ForeignHandle);
    assert_eq!(copy.check(ann, p, c, T0), Decision::ForeignHandle);
    assert_eq!(copy.check(bob, p, c, T0), Decision::Refused { at: T0 });
}

/// Prune traces travel with `merge` (found by a second review: an instance
/// that pruned a refusal, merged with one holding the older grant, left the
/// other permitting).
#[test]
fn merge_carries_prune_traces() {
    let mut a = shop();
    let mut b = shop();
    let give = a
        .give(Grant::new("u", "newsletter", T0, banner(2)))
        .unwrap()
        .into_event();
    b.apply(&give).unwrap();
    a.refuse("u", "newsletter", T0 + days(1), banner(2))
        .unwrap();
    let at = T0 + days(800);
    assert_eq!(a.prune(at).len(), 1);
    a.merge(&b).unwrap();
    b.merge(&a).unwrap();
    for l in [&a, &b] {
        assert!(!l.is_permitted("u", "newsletter", "contact.email", at));
    }
    assert_eq!(a.snapshot(), b.snapshot());
    // A grant of an erased subject, pruned: still its new relationship.
    let mut c = shop();
    c.erase("y", T0).unwrap();
    c.give(Grant::new("y", "newsletter", T0 + days(1), banner(2)).expires_at(T0 + days(2)))
        .unwrap();
    c.prune(at);
    let mut d = shop();
    d.merge(&c).unwrap();
    for l in [&c, &d] {
        assert!(l.is_permitted("y", "orders", "contact", at));
    }
}

// ---------------------------------------------------------------------------
// No "no" turns a deny into a permit after an erasure
// ---------------------------------------------------------------------------

#[test]
fn a_signal_after_an_erasure_keeps_the_subject_denied() {
    for signal in 0..4 {
        let mut l = shop();
        l.register("ann", T0).unwrap();
        l.erase("ann", T0 + days(1)).unwrap();
        let later = T0 + days(2);
        match signal {
            0 => drop(
                l.set_global_opt_out("ann", later, gpc())
                    .unwrap()
                    .into_event(),
            ),
            1 => drop(
                l.withdraw_all("ann", later, settings())
                    .unwrap()
                    .into_event(),
            ),
            2 => drop(
                l.refuse("ann", "newsletter", later, banner(2))
                    .unwrap()
                    .into_event(),
            ),
            _ => drop(
                l.object("ann", "analytics", later, settings())
                    .unwrap()
                    .into_event(),
            ),
        }
        for (p, c) in [("orders", "contact"), ("analytics", "browsing")] {
            assert_eq!(
                l.decide("ann", p, c, later + days(1)),
                Decision::Erased { at: T0 + days(1) },
                "signal {signal}, {p}"
            );
        }
        // A new relationship (a grant or a registration) ends it.
        let mut back = l.clone();
        back.give(Grant::new("ann", "newsletter", later + days(3), banner(2)))
            .unwrap();
        assert!(back.is_permitted("ann", "orders", "contact", later + days(4)));
        back = l.clone();
        back.register("ann", later + days(3)).unwrap();
        assert!(back.is_permitted("ann", "orders", "contact", later + days(4)));
        assert!(!back.is_permitted("ann", "newsletter", "contact.email", later + days(4)));
    }
}

#[test]
fn an_unknown_subject_has_said_nothing() {
    let l = shop();
    // A guest's order: permitted without a registration.
    assert_eq!(
        l.decide("guest-1", "orders", "contact", T0),
        Decision::NotConsentBased {
            basis: LegalBasis::Contract
        }
    );
    assert_eq!(
        l.decide("guest-1", "newsletter", "contact.email", T0),
        Decision::NoConsent
    );
}

/// A snapshot's prune traces are checked like its records (found by a
/// second review: a trace before the erasure brought an erased subject
/// back, and traces prune never writes were accepted).
#[test]
fn snapshot_prune_traces_are_checked() {
    // Not a direct-marketing purpose: its expired grants are pruned.
    let mut l = shop();
    l.give(Grant::new("x", "ads", T0, banner(1)).expires_at(T0 + days(1)))
        .unwrap();
    l.give(Grant::new("z", "ads", T0, banner(1)).expires_at(T0 + days(1)))
        .unwrap();
    l.prune(T0 + days(10));
    l.erase("z", T0 + days(5)).unwrap();
    let good: serde_json::Value = serde_json::from_str(&l.snapshot().to_json().unwrap()).unwrap();
    assert!(Snapshot::from_json(&good.to_string()).is_ok());
    let subjects = good["subjects"].as_array().unwrap();
    let x = subjects.iter().position(|s| s["id"] == "x").unwrap();
    let z = subjects.iter().position(|s| s["id"] == "z").unwrap();
    let trace = good["subjects"][x]["pruned"][0].clone();
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "is discarded",
            Box::new(move |s| s["subjects"][z]["pruned"] = json!([trace.clone()])),
        ),
        (
            "never drops an objection",
            Box::new(move |s| s["subjects"][x]["pruned"][0]["answer"] = json!("objected")),
        ),
        (
            "never drops a record of purpose `analytics`",
            Box::new(move |s| s["subjects"][x]["pruned"][0]["purpose"] = json!("analytics")),
        ),
    ];
    for (expected, edit) in edits {
        let mut s = good.clone();
        edit(&mut s);
        let err = Snapshot::from_json(&s.to_string()).unwrap_err().to_string();
        assert!(err.contains(expected), "{expected}: {err}");
        assert!(err.contains("pruned[0]"), "{err}");
    }
}

#[test]
fn grant_categories_are_limited_as_asked() {
    let mut l = shop();
    let err = l
        .give(Grant::new("u", "newsletter", T0, banner(2)).categories(vec!["contact.email"; 5_000]))
        .unwrap_err();
    assert!(err.to_string().contains("above the limit of 128"), "{err}");
    assert!(l.subject_records("u").is_none());
}
