//! consentry against a typical implementation and a lower-bound sketch, on
//! the same generated workload, in the same run (see `common/mod.rs`).
//!
//! `cargo bench --bench perf` runs 10k subjects; `CONSENTRY_BENCH_1M=1`
//! adds 1M subjects (about 4M grants; setup takes a few minutes). At the end
//! it prints the ratios from criterion's own estimates.

mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use common::{Workload, catalog, now, purpose_name};
use consentry::{Ledger, Snapshot};
use criterion::{Criterion, Throughput};

const CHECKS: usize = 1 << 16;

fn sizes() -> Vec<(usize, &'static str)> {
    let mut v = vec![(10_000, "10k")];
    if std::env::var_os("CONSENTRY_BENCH_1M").is_some() {
        v.push((1_000_000, "1M"));
    }
    v
}

fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        // This crate is a member of the workspace at the repository root,
        // whose target directory is shared.
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}

fn checks(c: &mut Criterion, w: &Workload, label: &str) {
    let ledger = w.ledger();
    let typical = w.typical();
    let sketch = w.sketch();
    let at = now();
    let named: Vec<(&str, String, &str)> = w
        .checks
        .iter()
        .map(|(s, p, cat)| (w.subjects[*s].as_str(), purpose_name(*p), cat.as_str()))
        .collect();
    let handles: Vec<_> = named
        .iter()
        .map(|(s, p, cat)| {
            (
                ledger.subject_handle(s).expect("known subject"),
                ledger.catalog().purpose_handle(p).expect("declared"),
                ledger.catalog().category_handle(cat).expect("declared"),
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
    // The three implementations must agree on every check.
    let mut permitted = 0;
    for (i, (s, p, cat)) in named.iter().enumerate() {
        let a = ledger.is_permitted(s, p, cat, at);
        assert_eq!(
            a,
            typical.is_permitted(s, p, cat, at),
            "typical disagrees on {s} {p} {cat}"
        );
        assert_eq!(
            a,
            sketch.is_permitted(s, p, cat, at),
            "sketch disagrees on {s} {p} {cat}"
        );
        let (hs, hp, hc) = handles[i];
        assert_eq!(a, ledger.is_permitted_by(hs, hp, hc, at));
        permitted += usize::from(a);
    }
    println!(
        "{label}: {} subjects, {} grants, {} checks, {:.1}% permitted",
        w.subjects.len(),
        w.grant_count(),
        named.len(),
        100.0 * permitted as f64 / named.len() as f64
    );

    let mut g = c.benchmark_group(format!("check_{label}"));
    g.throughput(Throughput::Elements(named.len() as u64));
    g.bench_function("typical_by_name", |b| {
        b.iter(|| {
            named
                .iter()
                .filter(|(s, p, cat)| typical.is_permitted(black_box(s), p, cat, at))
                .count()
        })
    });
    g.bench_function("sketch_by_name", |b| {
        b.iter(|| {
            named
                .iter()
                .filter(|(s, p, cat)| sketch.is_permitted(black_box(s), p, cat, at))
                .count()
        })
    });
    g.bench_function("consentry_by_name", |b| {
        b.iter(|| {
            named
                .iter()
                .filter(|(s, p, cat)| ledger.is_permitted(black_box(s), p, cat, at))
                .count()
        })
    });
    let at_nanos = at.unix_timestamp_nanos() as i64;
    g.bench_function("sketch_by_index", |b| {
        b.iter(|| {
            dense
                .iter()
                .filter(|(s, p, cat)| sketch.is_permitted_dense(black_box(*s), *p, *cat, at_nanos))
                .count()
        })
    });
    g.bench_function("consentry_by_handle", |b| {
        b.iter(|| {
            handles
                .iter()
                .filter(|(s, p, cat)| ledger.is_permitted_by(black_box(*s), *p, *cat, at))
                .count()
        })
    });
    g.finish();

    // Audience: every subject permitted for one purpose and category.
    let (purpose, category) = (purpose_name(0), "c0.a");
    let expected = typical.audience_count(&purpose, category, at);
    assert_eq!(ledger.audience_count(&purpose, category, at), expected);
    println!("{label}: audience of {purpose}/{category}: {expected} subjects");
    let mut g = c.benchmark_group(format!("audience_{label}"));
    g.sample_size(20);
    g.bench_function("typical", |b| {
        b.iter(|| typical.audience_count(black_box(&purpose), category, at))
    });
    g.bench_function("consentry", |b| {
        b.iter(|| ledger.audience_count(black_box(&purpose), category, at))
    });
    g.finish();
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
    let path = criterion_dir()
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn summary(all: &[(usize, &str, Sizes)]) {
    println!("\n== Summary (criterion medians of this run) ==");
    for (n, label, sizes) in all {
        let (n, label) = (*n, *label);
        let g = format!("check_{label}");
        let per = |id: &str| median(&g, id).map(|t| t / CHECKS as f64);
        if let (Some(ty), Some(sk), Some(cn), Some(ski), Some(ch)) = (
            per("typical_by_name"),
            per("sketch_by_name"),
            per("consentry_by_name"),
            per("sketch_by_index"),
            per("consentry_by_handle"),
        ) {
            println!("check, {label} subjects ({n}), ns per check:");
            println!("  typical (HashMap<String, Vec<Grant>>)  {ty:8.1}");
            println!("  lower-bound sketch, by name           {sk:8.1}");
            println!(
                "  consentry, by name                    {cn:8.1}   {:.2}x the sketch, {:.1}x faster than typical",
                cn / sk,
                ty / cn
            );
            println!("  lower-bound sketch, dense index       {ski:8.1}");
            println!(
                "  consentry, by handle                  {ch:8.1}   {:.2}x the sketch, {:.1}x faster than typical",
                ch / ski,
                ty / ch
            );
        }
        let g = format!("audience_{label}");
        if let (Some(ty), Some(cn)) = (median(&g, "typical"), median(&g, "consentry")) {
            println!(
                "audience, {label}: typical {:.3} ms, consentry {:.3} ms: {:.0}x faster",
                ty / 1e6,
                cn / 1e6,
                ty / cn
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
