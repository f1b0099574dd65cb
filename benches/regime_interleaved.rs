//! What regimes cost per check, measured so that a busy machine treats both
//! alike: the perf workload's ledger and the same grants under a catalog
//! with regimes (every subject with a jurisdiction and an age), checked by
//! name and by handle window by window in turn (as `interleaved`), each
//! check at its own instant. Prints the 25th percentile and the median of
//! the per-window cost, and the ratios.
//!
//! `cargo run --release -p consentry-benches --example regime_interleaved -- 1000000`
//! (the argument is the number of subjects; 10,000 by default).

mod common;

use std::hint::black_box;

use common::{Workload, regime_ledger, take_turns};
use consentry::Timestamp;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let w = Workload::generate(n, 1 << 18);
    let plain = w.ledger();
    let regimes = regime_ledger(&w);
    let stamps: Vec<Timestamp> = common::instants(&w)
        .into_iter()
        .map(Timestamp::from)
        .collect();
    let named = common::named(&w);
    let (hp, hr) = (
        common::handles(&plain, &named),
        common::handles(&regimes, &named),
    );
    let paths = [
        "by name, no regimes",
        "by name, regimes",
        "by handle, no regimes",
        "by handle, regimes",
    ];
    let stats = take_turns(paths.len(), named.len(), |v, r| {
        let (nm, st) = (&named[r.clone()], &stamps[r.clone()]);
        match v {
            0 | 1 => {
                let l = if v == 0 { &plain } else { &regimes };
                nm.iter()
                    .zip(st)
                    .filter(|((s, p, c), t)| l.is_permitted(black_box(s), p, c, **t))
                    .count()
            }
            _ => {
                let (l, hs) = if v == 2 {
                    (&plain, &hp)
                } else {
                    (&regimes, &hr)
                };
                hs[r]
                    .iter()
                    .zip(st)
                    .filter(|((s, p, c), t)| l.is_permitted_by(black_box(*s), *p, *c, **t))
                    .count()
            }
        }
    });
    println!(
        "{n} subjects, {} checks, ns per check (p25, median):",
        named.len()
    );
    for (p, (q, m)) in paths.iter().zip(&stats) {
        println!("  {p:<24} {q:8.1} {m:8.1}");
    }
    println!(
        "regimes / no regimes (medians): by name {:.2}, by handle {:.2}",
        stats[1].1 / stats[0].1,
        stats[3].1 / stats[2].1
    );
}
