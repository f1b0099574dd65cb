//! Measures heap bytes per grant and per subject of a ledger, and of the two
//! reference implementations the benches compare it with, on the bench
//! workload (1 to 7 grants per subject, evidence with a proof reference per
//! consent receipt).
//!
//! `cargo run --release --example memory_report -- 1000000` measures 1M
//! subjects (the default, 10 000, keeps CI fast). Measured with a counting
//! global allocator (stats_alloc): the heap bytes still held after building,
//! not an estimate.

mod common;

use std::alloc::System;

use consentry::{Ledger, Snapshot};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Heap bytes held by what `build` returns (allocations it made and kept).
fn held<T>(build: impl FnOnce() -> T) -> (T, i64) {
    let region = Region::new(GLOBAL);
    let value = build();
    let s = region.change();
    // stats_alloc counts a realloc's growth in bytes_allocated and its
    // shrinking in bytes_deallocated, so this is the net heap held.
    let net = s.bytes_allocated as i64 - s.bytes_deallocated as i64;
    (value, net)
}

fn main() {
    let subjects: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let w = common::Workload::generate(subjects, 16);
    let grants = w.grant_count();
    println!(
        "{subjects} subjects, {grants} grants ({:.2} per subject)\n",
        grants as f64 / subjects as f64
    );
    let report = |name: &str, bytes: i64| {
        println!(
            "{name:<46} {:>8.1} bytes/grant {:>8.1} bytes/subject {:>10.1} MB",
            bytes as f64 / grants as f64,
            bytes as f64 / subjects as f64,
            bytes as f64 / 1e6
        );
    };

    let (ledger, built) = held(|| w.ledger());
    report("consentry, built by give() + shrink_to_fit", built);
    let json = ledger.snapshot().to_json().expect("serializes");
    drop(ledger);
    let (restored, loaded) =
        held(|| Ledger::restore(Snapshot::from_json(&json).expect("parses")).expect("loads"));
    report("consentry, restored from a snapshot", loaded);
    drop(restored);
    drop(json);

    // The same grants under a catalog with regimes, every subject with a
    // jurisdiction and an age: the per-subject word plus the two marks.
    let (regimes, r) = held(|| common::regime_ledger(&w));
    report("consentry with regimes, jurisdiction and age", r);
    println!(
        "{:<46} {:>8.1} bytes/subject (the word: {} bytes)",
        "  of which regimes, beyond the grants",
        (r - built) as f64 / subjects as f64,
        std::mem::size_of::<u32>()
    );
    drop(regimes);

    let (typical, t) = held(|| w.typical());
    report("typical: HashMap<String, Vec<Grant>>", t);
    drop(typical);
    let (sketch, s) = held(|| w.sketch());
    report("lower-bound sketch (no evidence kept)", s);
    drop(sketch);
}
