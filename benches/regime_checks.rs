//! What regimes cost per check: the perf workload's ledger (grants of plain
//! consent purposes) as is, and the same grants under a catalog that
//! enables regimes, every subject with a jurisdiction and an age recorded,
//! checked in the same run by name and by handle, each check at its own
//! instant.
//!
//! `cargo bench --bench regime_checks` (10,000 subjects; with
//! `CONSENTRY_BENCH_1M=1` also 1,000,000). The ratio of the two is the
//! price of deciding under each subject's law.

use std::hint::black_box;
use std::time::Duration;

#[path = "common/mod.rs"]
mod common;

use common::{Workload, criterion_dir, instants, regime_ledger, sizes};
use criterion::{Criterion, Throughput};

const CHECKS: usize = 262_144;

fn bench(c: &mut Criterion, n: usize, label: &str) {
    let w = Workload::generate(n, CHECKS);
    let plain = w.ledger();
    let regimes = regime_ledger(&w);
    let ats = instants(&w);
    let named = common::named(&w);
    let (hp, hr) = (
        common::handles(&plain, &named),
        common::handles(&regimes, &named),
    );
    let permitted = named
        .iter()
        .zip(&ats)
        .filter(|((s, p, cat), t)| regimes.is_permitted(s, p, cat, **t))
        .count();
    println!(
        "{label}: {} subjects, {} checks, {:.1}% permitted under regimes",
        n,
        named.len(),
        100.0 * permitted as f64 / named.len() as f64
    );
    let mut g = c.benchmark_group(format!("regime_checks_{label}"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(named.len() as u64));
    for (name, ledger) in [("no_regimes", &plain), ("regimes", &regimes)] {
        g.bench_function(format!("{name}_by_name"), |b| {
            b.iter(|| {
                named
                    .iter()
                    .zip(&ats)
                    .filter(|((s, p, cat), t)| ledger.is_permitted(black_box(s), p, cat, **t))
                    .count()
            })
        });
    }
    for (name, ledger, hs) in [("no_regimes", &plain, &hp), ("regimes", &regimes, &hr)] {
        g.bench_function(format!("{name}_by_handle"), |b| {
            b.iter(|| {
                hs.iter()
                    .zip(&ats)
                    .filter(|((s, p, cat), t)| ledger.is_permitted_by(black_box(*s), *p, *cat, **t))
                    .count()
            })
        });
    }
    g.finish();
}

fn main() {
    let mut c = Criterion::default()
        .output_directory(&criterion_dir())
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for (n, label) in sizes() {
        bench(&mut c, n, label);
    }
    c.final_summary();
}
