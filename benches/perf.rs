//! consentry against a typical implementation and a lower-bound sketch, on
//! the same generated workload, in the same run (see `common/mod.rs`).
//!
//! `cargo bench --bench perf` runs 10k subjects; `CONSENTRY_BENCH_1M=1`
//! adds 1M subjects (about 4M grants; setup takes a few minutes). At the end
//! it prints the ratios from criterion's own estimates.

mod common;

use std::hint::black_box;
use std::time::Duration;

use common::{Workload, catalog, criterion_dir, instants, now, purpose_name, sizes};
use consentry::{Ledger, Snapshot, Timestamp};
use criterion::{Criterion, Throughput};
use time::OffsetDateTime;

/// Random checks per run: at 1M subjects, enough that the data they touch
/// (~80 MB) does not stay in the caches from one run to the next, as in
/// real traffic.
const CHECKS: usize = 1 << 18;

/// Follows a chain of checks where each one's index depends on the answer
/// before (so no two overlap): the latency of one isolated check.
#[inline]
fn chain(n: usize, mut check: impl FnMut(usize) -> bool) -> usize {
    let (mut i, mut permitted) = (0usize, 0usize);
    for _ in 0..n {
        let a = check(i);
        permitted += usize::from(a);
        i = (i + 1 + usize::from(a)) % n;
    }
    permitted
}

fn checks(c: &mut Criterion, w: &Workload, label: &str) {
    let ledger = w.ledger();
    let typical = w.typical();
    let sketch = w.sketch();
    let ats = instants(w);
    let stamps: Vec<Timestamp> = ats.iter().map(|t| Timestamp::from(*t)).collect();
    let nanos: Vec<i64> = ats
        .iter()
        .map(|t| t.unix_timestamp_nanos() as i64)
        .collect();
    let named = common::named(w);
    let names: Vec<(&str, &str, &str)> =
        named.iter().map(|(s, p, c)| (*s, p.as_str(), *c)).collect();
    let handles = common::handles(&ledger, &named);
    let resolved: Vec<(&str, u8, u8)> = named
        .iter()
        .map(|(s, p, cat)| {
            (
                *s,
                sketch.purpose_index[p.as_str()],
                sketch.category_index[*cat],
            )
        })
        .collect();
    let dense: Vec<(u32, u8, u8)> = named
        .iter()
        .map(|(s, p, cat)| {
            (
                sketch.index[*s],
                sketch.purpose_index[p.as_str()],
                sketch.category_index[*cat],
            )
        })
        .collect();
    // Every implementation must agree on every check, at its own instant
    // and at the one instant of the batches.
    let at = now();
    let mut permitted = 0;
    let mut batch = Vec::new();
    ledger.is_permitted_many(&names, at, &mut batch);
    let mut batch_by = Vec::new();
    ledger.is_permitted_many_by(&handles, at, &mut batch_by);
    for (i, (s, p, cat)) in named.iter().enumerate() {
        let t = ats[i];
        let a = ledger.is_permitted(s, p, cat, t);
        assert_eq!(
            a,
            typical.is_permitted(s, p, cat, t),
            "typical disagrees on {s} {p} {cat}"
        );
        assert_eq!(
            a,
            sketch.is_permitted(s, p, cat, t),
            "sketch disagrees on {s} {p} {cat}"
        );
        let (rs, rp, rc) = resolved[i];
        assert_eq!(a, sketch.is_permitted_resolved(rs, rp, rc, nanos[i]));
        let (ds, dp, dc) = dense[i];
        assert_eq!(a, sketch.is_permitted_dense(ds, dp, dc, nanos[i]));
        let (hs, hp, hc) = handles[i];
        assert_eq!(a, ledger.is_permitted_by(hs, hp, hc, stamps[i]));
        let one = ledger.is_permitted(s, p, cat, at);
        assert_eq!(batch[i], one, "batch disagrees on {s} {p} {cat}");
        assert_eq!(
            batch_by[i], one,
            "batch by handle disagrees on {s} {p} {cat}"
        );
        let all = ledger
            .permitted_purposes(s, cat, t)
            .any(|q| q.name() == p.as_str());
        assert_eq!(all, a, "permitted_purposes disagrees on {s} {p} {cat}");
        permitted += usize::from(a);
    }
    println!(
        "{label}: {} subjects, {} grants, {} checks, {:.1}% permitted",
        w.subjects.len(),
        w.grant_count(),
        named.len(),
        100.0 * permitted as f64 / named.len() as f64
    );

    // Throughput: independent checks, one after the other, each at its own
    // instant (given as `OffsetDateTime` unless the name says otherwise).
    let mut g = c.benchmark_group(format!("check_{label}"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(named.len() as u64));
    g.bench_function("typical_by_name", |b| {
        b.iter(|| {
            named
                .iter()
                .zip(&ats)
                .filter(|((s, p, cat), t)| typical.is_permitted(black_box(s), p, cat, **t))
                .count()
        })
    });
    g.bench_function("sketch_by_name", |b| {
        b.iter(|| {
            named
                .iter()
                .zip(&ats)
                .filter(|((s, p, cat), t)| sketch.is_permitted(black_box(s), p, cat, **t))
                .count()
        })
    });
    g.bench_function("sketch_subject_name", |b| {
        b.iter(|| {
            resolved
                .iter()
                .zip(&nanos)
                .filter(|((s, p, cat), t)| {
                    sketch.is_permitted_resolved(black_box(s), *p, *cat, **t)
                })
                .count()
        })
    });
    g.bench_function("consentry_by_name", |b| {
        b.iter(|| {
            named
                .iter()
                .zip(&ats)
                .filter(|((s, p, cat), t)| ledger.is_permitted(black_box(s), p, cat, **t))
                .count()
        })
    });
    g.bench_function("consentry_by_name_timestamp", |b| {
        b.iter(|| {
            named
                .iter()
                .zip(&stamps)
                .filter(|((s, p, cat), t)| ledger.is_permitted(black_box(s), p, cat, **t))
                .count()
        })
    });
    g.bench_function("sketch_by_index", |b| {
        b.iter(|| {
            dense
                .iter()
                .zip(&nanos)
                .filter(|((s, p, cat), t)| sketch.is_permitted_dense(black_box(*s), *p, *cat, **t))
                .count()
        })
    });
    g.bench_function("consentry_by_handle", |b| {
        b.iter(|| {
            handles
                .iter()
                .zip(&ats)
                .filter(|((s, p, cat), t)| ledger.is_permitted_by(black_box(*s), *p, *cat, **t))
                .count()
        })
    });
    g.bench_function("consentry_by_handle_timestamp", |b| {
        b.iter(|| {
            handles
                .iter()
                .zip(&stamps)
                .filter(|((s, p, cat), t)| ledger.is_permitted_by(black_box(*s), *p, *cat, **t))
                .count()
        })
    });
    // The subject's permitted purposes for the check's category, in one
    // lookup (all 12 purposes decided).
    g.bench_function("consentry_permitted_purposes", |b| {
        b.iter(|| {
            named
                .iter()
                .zip(&stamps)
                .map(|((s, _, cat), t)| ledger.permitted_purposes(black_box(s), cat, *t).count())
                .sum::<usize>()
        })
    });
    // Batches: every check at one instant, single checks at that instant
    // for the ratio.
    let one = Timestamp::from(at);
    g.bench_function("consentry_by_name_one_instant", |b| {
        b.iter(|| {
            names
                .iter()
                .filter(|(s, p, cat)| ledger.is_permitted(black_box(s), p, cat, one))
                .count()
        })
    });
    g.bench_function("consentry_batch_by_name", |b| {
        b.iter(|| {
            ledger.is_permitted_many(black_box(&names), one, &mut batch);
            batch.iter().filter(|a| **a).count()
        })
    });
    g.bench_function("consentry_by_handle_one_instant", |b| {
        b.iter(|| {
            handles
                .iter()
                .filter(|(s, p, cat)| ledger.is_permitted_by(black_box(*s), *p, *cat, one))
                .count()
        })
    });
    g.bench_function("consentry_batch_by_handle", |b| {
        b.iter(|| {
            ledger.is_permitted_many_by(black_box(&handles), one, &mut batch);
            batch.iter().filter(|a| **a).count()
        })
    });
    g.finish();

    // Latency: each check's index depends on the answer before, so the
    // processor cannot start the next one early.
    let n = named.len();
    let mut g = c.benchmark_group(format!("latency_{label}"));
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("typical_by_name", |b| {
        b.iter(|| {
            chain(n, |i| {
                let (s, p, cat) = &named[i];
                typical.is_permitted(s, p, cat, ats[i])
            })
        })
    });
    g.bench_function("sketch_by_name", |b| {
        b.iter(|| {
            chain(n, |i| {
                let (s, p, cat) = &named[i];
                sketch.is_permitted(s, p, cat, ats[i])
            })
        })
    });
    g.bench_function("consentry_by_name", |b| {
        b.iter(|| {
            chain(n, |i| {
                let (s, p, cat) = &named[i];
                ledger.is_permitted(s, p, cat, ats[i])
            })
        })
    });
    g.bench_function("sketch_by_index", |b| {
        b.iter(|| {
            chain(n, |i| {
                let (s, p, cat) = dense[i];
                sketch.is_permitted_dense(s, p, cat, nanos[i])
            })
        })
    });
    g.bench_function("consentry_by_handle", |b| {
        b.iter(|| {
            chain(n, |i| {
                let (s, p, cat) = handles[i];
                ledger.is_permitted_by(s, p, cat, stamps[i])
            })
        })
    });
    g.finish();

    // Audience: every subject permitted for one purpose and category.
    let (purpose, category) = (purpose_name(0), "c0.a");
    let expected = typical.audience_count(&purpose, category, at);
    assert_eq!(ledger.audience_count(&purpose, category, at), expected);
    assert_eq!(
        sketch.audience_count(0, sketch.category_index[category], nanos_of(at)),
        expected
    );
    println!("{label}: audience of {purpose}/{category}: {expected} subjects");
    let columns = sketch.columns(0);
    assert_eq!(
        columns.count(sketch.category_index[category], nanos_of(at)),
        expected
    );
    let mut g = c.benchmark_group(format!("audience_{label}"));
    g.sample_size(20);
    g.bench_function("typical", |b| {
        b.iter(|| typical.audience_count(black_box(&purpose), category, at))
    });
    g.bench_function("sketch_columnar", |b| {
        b.iter(|| columns.count(black_box(sketch.category_index[category]), nanos_of(at)))
    });
    g.bench_function("consentry", |b| {
        b.iter(|| ledger.audience_count(black_box(&purpose), category, at))
    });
    g.finish();
}

fn nanos_of(t: OffsetDateTime) -> i64 {
    t.unix_timestamp_nanos() as i64
}

/// The same snapshot, read as plain structs by serde_json (the reference)
/// and restored into a ledger; the same events, read as plain structs and
/// parsed, checked and applied.
fn restore(c: &mut Criterion, w: &Workload, label: &str) -> Sizes {
    let ledger = w.ledger();
    let json = ledger.snapshot().to_json().expect("serializes");
    let events: Vec<String> = w
        .events()
        .iter()
        .map(|e| e.to_json().expect("serializes"))
        .collect();
    let event_bytes: usize = events.iter().map(|e| e.len() + 1).sum();
    let records = w.grant_count();
    println!(
        "{label}: snapshot {:.1} MB, {records} records; event log {:.1} MB, {} events",
        json.len() as f64 / 1e6,
        event_bytes as f64 / 1e6,
        events.len()
    );

    let mut g = c.benchmark_group(format!("restore_{label}"));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(if label == "1M" { 60 } else { 10 }));
    g.throughput(Throughput::Bytes(json.len() as u64));
    g.bench_function("snapshot_plain_serde", |b| {
        b.iter(|| serde_json::from_str::<plain::Snapshot>(black_box(&json)).expect("parses"))
    });
    g.bench_function("snapshot_consentry", |b| {
        b.iter(|| {
            Ledger::restore(Snapshot::from_json(black_box(&json)).expect("parses")).expect("loads")
        })
    });
    g.throughput(Throughput::Bytes(event_bytes as u64));
    g.bench_function("events_plain_serde", |b| {
        b.iter(|| {
            // Kept, as a replay keeps its state.
            events
                .iter()
                .map(|e| serde_json::from_str(black_box(e)).expect("parses"))
                .collect::<Vec<plain::Event>>()
        })
    });
    g.bench_function("events_consentry", |b| {
        b.iter(|| {
            let mut l = Ledger::new(catalog());
            for e in &events {
                l.apply_json(black_box(e)).expect("applies");
            }
            l
        })
    });
    g.finish();
    Sizes {
        snapshot_bytes: json.len(),
        records,
        event_bytes,
        events: events.len(),
    }
}

/// What the restore benches read, for rates.
struct Sizes {
    snapshot_bytes: usize,
    records: usize,
    event_bytes: usize,
    events: usize,
}

/// Plain structs with the same shape, for serde_json's reference rate.
mod plain {
    #![allow(dead_code)]
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Snapshot {
        format_version: u32,
        catalog: serde_json::Value,
        subjects: Vec<Subject>,
    }
    #[derive(Deserialize)]
    struct Subject {
        id: String,
        #[serde(default)]
        records: Vec<Record>,
    }
    #[derive(Deserialize)]
    struct Record {
        purpose: String,
        status: String,
        at: String,
        expires_at: Option<String>,
        categories: Option<Vec<String>>,
        event: String,
        evidence: Evidence,
    }
    #[derive(Deserialize)]
    struct Evidence {
        method: String,
        notice_version: Option<u32>,
        channel: Option<String>,
        proof: Option<String>,
        jurisdiction: Option<String>,
        language: Option<String>,
    }
    #[derive(Deserialize)]
    pub struct Event {
        v: u32,
        id: String,
        subject: String,
        at: String,
        kind: String,
        purpose: Option<String>,
        categories: Option<Vec<String>>,
        expires_at: Option<String>,
        renewal: Option<bool>,
        evidence: Option<Evidence>,
    }
}

/// Reads criterion's median estimate (ns per iteration) of one benchmark.
fn median(group: &str, id: &str) -> Option<f64> {
    common::estimate_ns(group, id, "median")
}

fn summary(all: &[(usize, &str, Sizes)]) {
    println!("\n== Summary (criterion medians of this run) ==");
    for (n, label, sizes) in all {
        let (n, label) = (*n, *label);
        let g = format!("check_{label}");
        let per = |id: &str| median(&g, id).map(|t| t / CHECKS as f64);
        let line = |what: &str, v: Option<f64>| {
            if let Some(v) = v {
                println!("  {what:<46} {v:8.1}");
            }
        };
        println!("check, {label} subjects ({n}), ns per check, each at its own instant:");
        let ty = per("typical_by_name");
        let sk = per("sketch_by_name");
        let sr = per("sketch_subject_name");
        let ski = per("sketch_by_index");
        line("typical (HashMap<String, Vec<Grant>>)", ty);
        line("sketch, all three names hashed", sk);
        line("sketch, subject name hashed", sr);
        line("sketch, dense index", ski);
        let vs = |v: Option<f64>, base: Option<f64>, name: &str| match (v, base) {
            (Some(v), Some(b)) => format!("{:.2}x {name}", v / b),
            _ => String::new(),
        };
        let faster = |v: Option<f64>| match (ty, v) {
            (Some(t), Some(v)) => format!("{:.1}x faster than typical", t / v),
            _ => String::new(),
        };
        for (id, what, base, base_name) in [
            (
                "consentry_by_name",
                "consentry by name (OffsetDateTime)",
                sk,
                "the sketch by name",
            ),
            (
                "consentry_by_name_timestamp",
                "consentry by name (Timestamp)",
                sk,
                "the sketch by name",
            ),
            (
                "consentry_by_handle",
                "consentry by handle (OffsetDateTime)",
                ski,
                "the dense sketch",
            ),
            (
                "consentry_by_handle_timestamp",
                "consentry by handle (Timestamp)",
                ski,
                "the dense sketch",
            ),
        ] {
            let v = per(id);
            if let Some(x) = v {
                println!(
                    "  {what:<46} {x:8.1}   {}, {}",
                    vs(v, base, base_name),
                    faster(v)
                );
            }
        }
        let one = per("consentry_by_name_timestamp");
        let all = per("consentry_permitted_purposes");
        if let (Some(a), Some(o)) = (all, one) {
            println!(
                "  {:<46} {a:8.1}   {:.2}x one check by name",
                "consentry permitted_purposes (12 purposes)",
                a / o
            );
        }
        for (batch, single, what) in [
            (
                "consentry_batch_by_name",
                "consentry_by_name_one_instant",
                "by name",
            ),
            (
                "consentry_batch_by_handle",
                "consentry_by_handle_one_instant",
                "by handle",
            ),
        ] {
            if let (Some(b), Some(s)) = (per(batch), per(single)) {
                println!(
                    "  batch {what:<40} {b:8.1}   single {s:.1}: {:.2}x the throughput; {}",
                    s / b,
                    vs(Some(b), ski, "the dense sketch")
                );
            }
        }
        let g = format!("latency_{label}");
        let lat = |id: &str| median(&g, id).map(|t| t / CHECKS as f64);
        println!("latency, {label}: ns per isolated check (each waits for the one before):");
        for (id, what) in [
            ("typical_by_name", "typical"),
            ("sketch_by_name", "sketch, all three names hashed"),
            ("consentry_by_name", "consentry by name"),
            ("sketch_by_index", "sketch, dense index"),
            ("consentry_by_handle", "consentry by handle"),
        ] {
            line(what, lat(id));
        }
        let g = format!("audience_{label}");
        if let (Some(ty), Some(cn), Some(sk)) = (
            median(&g, "typical"),
            median(&g, "consentry"),
            median(&g, "sketch_columnar"),
        ) {
            println!(
                "audience, {label}: typical {:.3} ms, columnar sketch {:.3} ms, consentry {:.3} ms: {:.0}x faster than typical, {:.2}x the sketch",
                ty / 1e6,
                sk / 1e6,
                cn / 1e6,
                ty / cn,
                cn / sk
            );
        }
        let g = format!("restore_{label}");
        let rate = |id: &str| median(&g, id);
        if let (Some(sp), Some(sc), Some(ep), Some(ec)) = (
            rate("snapshot_plain_serde"),
            rate("snapshot_consentry"),
            rate("events_plain_serde"),
            rate("events_consentry"),
        ) {
            let mb_s = |bytes: usize, ns: f64| bytes as f64 / 1e6 / (ns / 1e9);
            let per_s = |items: usize, ns: f64| items as f64 / (ns / 1e9);
            println!(
                "restore, {label}: snapshot {:.0} MB/s, {:.2} M records/s ({:.2}x the time of serde_json into plain structs: {:.0} MB/s)",
                mb_s(sizes.snapshot_bytes, sc),
                per_s(sizes.records, sc) / 1e6,
                sc / sp,
                mb_s(sizes.snapshot_bytes, sp)
            );
            println!(
                "replay, {label}: events {:.0} MB/s, {:.2} M events/s ({:.2}x the time of serde_json into plain structs: {:.0} MB/s)",
                mb_s(sizes.event_bytes, ec),
                per_s(sizes.events, ec) / 1e6,
                ec / ep,
                mb_s(sizes.event_bytes, ep)
            );
        }
    }
}

fn main() {
    let mut c = Criterion::default()
        .output_directory(&criterion_dir())
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut all = Vec::new();
    for (n, label) in sizes() {
        let w = Workload::generate(n, CHECKS);
        checks(&mut c, &w, label);
        all.push((n, label, restore(&mut c, &w, label)));
    }
    c.final_summary();
    summary(&all);
}
