//! Heap after churn: one subject re-gives consent `N` times (default
//! 1,000,000), each time with a fresh 500-byte proof reference and a new
//! category subset, beside `OTHERS` other subjects (default 10,000). Prints
//! the heap the ledger holds and the heap of the same state restored from a
//! snapshot: what a ledger interns must follow its live state.
//!
//! ```sh
//! cargo run --release --example memory_churn -- 1000000 10000
//! ```

use std::alloc::System;

use consentry::{
    Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef, Snapshot,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use time::{Duration, macros::datetime};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Heap bytes still held since `region` began.
fn held(region: &Region<'_, System>) -> isize {
    let c = region.change();
    c.bytes_allocated as isize - c.bytes_deallocated as isize
}

fn main() -> Result<(), consentry::Error> {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().ok());
    let n = args.next().flatten().unwrap_or(1_000_000);
    let others = args.next().flatten().unwrap_or(10_000);
    // 17 categories: more subsets (131,071) than the ledger's old limit.
    let names: Vec<String> = (0..17).map(|i| format!("c{i:02}")).collect();
    let mut builder = Catalog::builder();
    for name in &names {
        builder = builder.category(name.clone());
    }
    let catalog = builder
        .purpose(
            PurposeDef::new("news", LegalBasis::Consent)
                .title("News")
                .description("A newsletter.")
                .categories(names.clone()),
        )
        .build()?;
    let t0 = datetime!(2026-01-01 0:00 UTC);
    let evidence = |proof: String| {
        Evidence::new(CollectionMethod::Banner)
            .with_notice_version(1)
            .with_proof(proof)
    };

    let region = Region::new(GLOBAL);
    let mut ledger = Ledger::new(catalog);
    for i in 0..others {
        let grant = Grant::new(
            format!("user-{i}"),
            "news",
            t0,
            evidence(format!("rcpt-{i}")),
        );
        ledger.give(grant)?;
    }
    for i in 0..n {
        let subset = (i % 131_071) + 1;
        let categories = names
            .iter()
            .enumerate()
            .filter(|(j, _)| subset >> j & 1 == 1)
            .map(|(_, c)| c.clone());
        let at = t0 + Duration::seconds(i as i64 + 1);
        let grant = Grant::new("mallory", "news", at, evidence(format!("{i:0>500}")))
            .categories(categories);
        ledger.give(grant)?;
    }
    let live = held(&region);

    let json = ledger.snapshot().to_json()?;
    let region = Region::new(GLOBAL);
    let restored = Ledger::restore(Snapshot::from_json(&json)?)?;
    let fresh = held(&region);
    println!(
        "{n} re-gives by one subject beside {others} others: the ledger holds {live} bytes; \
         the same state restored, {fresh} bytes ({:.2}x)",
        live as f64 / fresh as f64
    );
    drop(restored);
    Ok(())
}
