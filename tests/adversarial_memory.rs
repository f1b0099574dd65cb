//! Regression tests for "one subject exhausts a global cap" (adversarial
//! review): what a ledger interns (category sets, evidence profiles and
//! texts, proof references) must follow its live state. Before the fix the
//! 65,535 distinct category combinations were never freed, so one subject
//! re-giving consent with a new subset each time used them up for every
//! user, a long-running instance then refused events that an instance
//! restored from a snapshot accepted, and a forward and a backward replay
//! of the same log disagreed; and every fresh proof reference stayed in
//! memory (497 MB against 2.6 MB for the same state restored).
//!
//! Heap is counted with a global allocator, so this file holds the tests
//! that measure memory (one binary, tests run one after the other).

use std::alloc::System;
use std::sync::Mutex;

use consentry::{
    Applied, Catalog, CollectionMethod, Event, Evidence, Grant, Ledger, LegalBasis, PurposeDef,
    Snapshot,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Tests here measure the heap: run them one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const CATEGORIES: usize = 17;

/// A catalog with 17 categories: 131,071 non-empty subsets, more than the
/// old limit of 65,535.
fn catalog() -> Catalog {
    let names: Vec<String> = (0..CATEGORIES).map(|i| format!("c{i:02}")).collect();
    let mut b = Catalog::builder();
    for n in &names {
        b = b.category(n.clone());
    }
    b.purpose(
        PurposeDef::new("news", LegalBasis::Consent)
            .title("News")
            .description("A newsletter.")
            .categories(names.clone()),
    )
    .purpose(
        PurposeDef::new("orders", LegalBasis::Contract)
            .title("Orders")
            .description("Delivering orders.")
            .categories(["c00"]),
    )
    .build()
    .expect("valid catalog")
}

fn t(i: usize) -> OffsetDateTime {
    datetime!(2026-01-01 0:00 UTC) + Duration::seconds(i as i64)
}

/// The category subset numbered `n` (a bitmask over the 17 categories).
fn subset(n: usize) -> Vec<String> {
    (0..CATEGORIES)
        .filter(|i| (n + 1) >> i & 1 == 1)
        .map(|i| format!("c{i:02}"))
        .collect()
}

fn evidence(proof: &str) -> Evidence {
    Evidence::new(CollectionMethod::SettingsPage)
        .with_notice_version(1)
        .with_channel("web")
        .with_proof(proof)
}

/// Heap bytes still held by what `f` builds and returns.
fn held<T>(f: impl FnOnce() -> T) -> (T, isize) {
    let region = Region::new(GLOBAL);
    let value = f();
    let change = region.change();
    (
        value,
        change.bytes_allocated as isize - change.bytes_deallocated as isize,
    )
}

#[test]
fn one_subject_cannot_exhaust_category_sets() {
    let _serial = SERIAL.lock();
    const N: usize = 66_000;
    let mut attacked = Ledger::new(catalog());
    let mut log: Vec<Event> = Vec::with_capacity(N);
    for i in 0..N {
        let grant = Grant::new("mallory", "news", t(i), evidence("p")).categories(subset(i));
        log.push(
            attacked
                .give(grant)
                .expect("each re-give is accepted")
                .into_event(),
        );
    }
    // Every other subject can still record a new combination.
    attacked
        .give(Grant::new("ann", "news", t(N), evidence("a")).categories(subset(70_000)))
        .expect("a new combination for another subject")
        .into_event();

    // A forward and a backward replay of the same log agree with the
    // instance that lived through it, and with one restored from it.
    let mut forward = Ledger::new(catalog());
    for e in &log {
        assert_eq!(forward.apply(e).expect("valid"), Applied::Changed);
    }
    let mut backward = Ledger::new(catalog());
    for (n, e) in log.iter().rev().enumerate() {
        let applied = backward.apply(e).expect("valid");
        assert_eq!(
            applied == Applied::Changed,
            n == 0,
            "event {n} from the end"
        );
    }
    let restored = Ledger::restore(
        Snapshot::from_json(&attacked.snapshot().to_json().expect("json")).expect("reads"),
    )
    .expect("restores");
    let last = subset(N - 1);
    for c in 0..CATEGORIES {
        let c = format!("c{c:02}");
        let expected = last.contains(&c);
        for l in [&attacked, &forward, &backward, &restored] {
            assert_eq!(l.is_permitted("mallory", "news", &c, t(N)), expected, "{c}");
        }
    }
    assert_eq!(forward.snapshot(), backward.snapshot());
}

#[test]
fn re_gives_with_fresh_proofs_do_not_grow_the_heap() {
    let _serial = SERIAL.lock();
    const OTHERS: usize = 5_000;
    const RE_GIVES: usize = 100_000;
    let long_proof = |i: usize| format!("{i:0>500}");
    let (attacked, attacked_heap) = held(|| {
        let mut l = Ledger::new(catalog());
        for i in 0..OTHERS {
            let s = format!("user-{i:05}");
            l.give(Grant::new(&s, "news", t(i), evidence(&format!("rcpt-{i}"))))
                .expect("valid");
        }
        for i in 0..RE_GIVES {
            let proof = long_proof(i);
            let channel = format!("channel-{}", i % 1000);
            let ev = evidence(&proof)
                .with_channel(channel)
                .with_language(format!("l{i}"));
            l.give(Grant::new("mallory", "news", t(OTHERS + i), ev).categories(subset(i)))
                .expect("valid");
        }
        l
    });
    let json = attacked.snapshot().to_json().expect("json");
    let (restored, restored_heap) =
        held(|| Ledger::restore(Snapshot::from_json(&json).expect("reads")).expect("restores"));
    assert!(restored_heap > 0 && attacked_heap > 0);
    // Before the fix: ~60 MB of dead proof references against ~1.5 MB.
    assert!(
        attacked_heap <= 2 * restored_heap,
        "after {RE_GIVES} re-gives the ledger holds {attacked_heap} bytes; restored from the \
         same state, {restored_heap}"
    );
    // The last proof and texts are still there; the old ones are gone.
    let records = attacked.subject_records("mallory").expect("known");
    let record = records.record("news").expect("a record");
    assert_eq!(
        record.evidence().proof(),
        Some(long_proof(RE_GIVES - 1).as_str())
    );
    assert_eq!(record.evidence().language(), Some("l99999"));
    assert_eq!(attacked.snapshot(), restored.snapshot());
}
