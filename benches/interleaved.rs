//! The check paths of `perf`, measured so that a busy machine treats them
//! alike: the checks are cut into windows of 2,048, and the paths take
//! turns window by window (the first path rotating), each on a different
//! window, so a burst of load from another process falls on all of them. Prints the 25th percentile and
//! the median of the per-window cost, and their ratios.
//!
//! `cargo run --release -p consentry-benches --example interleaved -- 1000000`
//! (the argument is the number of subjects; 10,000 by default). Uses the
//! workload of `common/mod.rs` with 262,144 checks, each at its own instant.

mod common;

use std::hint::black_box;

use common::{Workload, instants, now, take_turns};
use consentry::Timestamp;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let w = Workload::generate(n, 1 << 18);
    let ledger = w.ledger();
    let typical = w.typical();
    let sketch = w.sketch();
    let ats = instants(&w);
    let stamps: Vec<Timestamp> = ats.iter().map(|t| Timestamp::from(*t)).collect();
    let nanos: Vec<i64> = stamps.iter().map(|t| t.unix_nanos()).collect();
    let named = common::named(&w);
    let names: Vec<(&str, &str, &str)> =
        named.iter().map(|(s, p, c)| (*s, p.as_str(), *c)).collect();
    let handles = common::handles(&ledger, &named);
    let dense: Vec<(u32, u8, u8)> = names
        .iter()
        .map(|(s, p, c)| {
            (
                sketch.index[*s],
                sketch.purpose_index[*p],
                sketch.category_index[*c],
            )
        })
        .collect();
    let one = Timestamp::from(now());
    let mut out = Vec::new();
    let paths = [
        "typical, by name",
        "sketch, all three names hashed",
        "consentry by name (Timestamp)",
        "consentry by name, one instant",
        "consentry batch by name, one instant",
        "sketch, dense index",
        "consentry by handle (Timestamp)",
        "consentry by handle, one instant",
        "consentry batch by handle, one instant",
        "consentry permitted_purposes",
    ];
    let stats = take_turns(paths.len(), names.len(), |v, r| {
        let (nm, hd, dn) = (&names[r.clone()], &handles[r.clone()], &dense[r.clone()]);
        let (at, st, ns) = (&ats[r.clone()], &stamps[r.clone()], &nanos[r]);
        match v {
            0 => nm
                .iter()
                .zip(at)
                .filter(|((s, p, c), t)| typical.is_permitted(black_box(s), p, c, **t))
                .count(),
            1 => nm
                .iter()
                .zip(at)
                .filter(|((s, p, c), t)| sketch.is_permitted(black_box(s), p, c, **t))
                .count(),
            2 => nm
                .iter()
                .zip(st)
                .filter(|((s, p, c), t)| ledger.is_permitted(black_box(s), p, c, **t))
                .count(),
            3 => nm
                .iter()
                .filter(|(s, p, c)| ledger.is_permitted(black_box(s), p, c, one))
                .count(),
            4 => {
                ledger.is_permitted_many(black_box(nm), one, &mut out);
                out.iter().filter(|a| **a).count()
            }
            5 => dn
                .iter()
                .zip(ns)
                .filter(|((s, p, c), t)| sketch.is_permitted_dense(black_box(*s), *p, *c, **t))
                .count(),
            6 => hd
                .iter()
                .zip(st)
                .filter(|((s, p, c), t)| ledger.is_permitted_by(black_box(*s), *p, *c, **t))
                .count(),
            7 => hd
                .iter()
                .filter(|(s, p, c)| ledger.is_permitted_by(black_box(*s), *p, *c, one))
                .count(),
            8 => {
                ledger.is_permitted_many_by(black_box(hd), one, &mut out);
                out.iter().filter(|a| **a).count()
            }
            _ => nm
                .iter()
                .zip(st)
                .map(|((s, _, c), t)| ledger.permitted_purposes(black_box(s), c, *t).count())
                .sum(),
        }
    });
    println!(
        "{n} subjects, {} checks, ns per check (p25, median):",
        names.len()
    );
    for (p, (q, m)) in paths.iter().zip(&stats) {
        println!("  {p:<40} {q:8.1} {m:8.1}");
    }
    let ratio = |a: usize, b: usize| stats[a].1 / stats[b].1;
    println!("ratios of medians:");
    println!(
        "  consentry by name / sketch by name        {:.2}",
        ratio(2, 1)
    );
    println!(
        "  typical / consentry by name               {:.2}",
        ratio(0, 2)
    );
    println!(
        "  consentry by handle / dense sketch        {:.2}",
        ratio(6, 5)
    );
    println!(
        "  single / batch, by name (throughput)      {:.2}",
        ratio(3, 4)
    );
    println!(
        "  single / batch, by handle (throughput)    {:.2}",
        ratio(7, 8)
    );
    println!(
        "  batch by handle / dense sketch            {:.2}",
        ratio(8, 5)
    );
    println!(
        "  batch by name / dense sketch              {:.2}",
        ratio(4, 5)
    );
    println!(
        "  permitted_purposes / one check by name    {:.2}",
        ratio(9, 2)
    );
}
