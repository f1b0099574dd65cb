//! Measures what loading a snapshot costs: peak memory while
//! `Snapshot::from_json` + `Ledger::restore` run, against the size of the
//! snapshot's JSON and of the ledger they build, and the load's throughput.
//!
//! `cargo run --release --example snapshot_memory -- 1000000` measures 1M
//! subjects per workload (the default, 20 000, keeps CI fast):
//!
//! - `bare`: subjects with nothing recorded (`{"id": ...}` only);
//! - `registered`: one registration each;
//! - `4 grants`: four grants each, with evidence and a proof reference.
//!
//! Each load runs in a child process (this program, started again), so that
//! memory freed by earlier work is not reused: the peak is the child's peak
//! resident set (`VmHWM` of `/proc/self/status`, Linux only) above what it
//! held once the JSON was read. The final ledger's size is the heap it holds,
//! counted exactly by a counting global allocator (stats_alloc). Throughput
//! is the JSON's size over the CPU time the load took (`/proc/self/schedstat`),
//! so a busy machine does not skew it.

use std::alloc::System;
use std::time::Instant;

use consentry::{
    Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef, Snapshot,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use time::Duration;
use time::macros::datetime;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn catalog() -> Catalog {
    let mut b = Catalog::builder()
        .category("contact")
        .category("contact.email")
        .category("usage");
    for p in ["newsletter", "ads", "analytics", "offers"] {
        b = b.purpose(
            PurposeDef::new(p, LegalBasis::Consent)
                .title(p)
                .description("A purpose of the measurement.")
                .categories(["contact", "usage"]),
        );
    }
    b.build().expect("a valid catalog")
}

/// The snapshot JSON of `n` subjects for a workload.
fn workload(name: &str, n: usize) -> String {
    let mut ledger = Ledger::new(catalog());
    let t0 = datetime!(2026-01-01 0:00 UTC);
    let id = |i: usize| format!("user-{i:08}");
    match name {
        "bare" => {
            let empty = ledger.snapshot().to_json().expect("serializes");
            let subjects: Vec<String> = (0..n)
                .map(|i| format!("{{\"id\":\"{}\"}}", id(i)))
                .collect();
            return empty.replace(
                "\"subjects\":[]",
                &format!("\"subjects\":[{}]", subjects.join(",")),
            );
        }
        "registered" => {
            for i in 0..n {
                let at = t0 + Duration::seconds(i as i64);
                ledger.register(&id(i), at).expect("valid");
            }
        }
        _ => {
            for i in 0..n {
                for (k, p) in ["newsletter", "ads", "analytics", "offers"]
                    .iter()
                    .enumerate()
                {
                    let at = t0 + Duration::seconds((i * 4 + k) as i64);
                    let evidence = Evidence::new(CollectionMethod::Banner)
                        .with_notice_version(1)
                        .with_channel("web")
                        .with_proof(format!("rcpt-{i:08}"));
                    ledger
                        .give(Grant::new(id(i), *p, at, evidence).categories(["contact.email"]))
                        .expect("valid");
                }
            }
        }
    }
    ledger.snapshot().to_json().expect("serializes")
}

/// A line of `/proc/self/status`, in bytes.
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Nanoseconds this process has run on a CPU (`/proc/self/schedstat`):
/// unlike wall time, not inflated when the machine is busy.
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// The child: loads the snapshot in `path` and prints
/// `peak_bytes ledger_bytes seconds subjects`.
fn load(path: &str) {
    let json = std::fs::read_to_string(path).expect("the snapshot file");
    // Resets the peak resident set to the current one (Linux >= 4.0).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kb("VmRSS:");
    let region = Region::new(GLOBAL);
    let (start, cpu) = (Instant::now(), cpu_ns());
    let ledger = Ledger::restore(Snapshot::from_json(&json).expect("parses")).expect("loads");
    let seconds = match (cpu, cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 / 1e9,
        _ => start.elapsed().as_secs_f64(),
    };
    let stats = region.change();
    let peak = status_kb("VmHWM:").saturating_sub(before);
    let held = stats.bytes_allocated as i64 - stats.bytes_deallocated as i64;
    println!("{peak} {held} {seconds} {}", ledger.subject_count());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let (Some("--load"), Some(path)) = (args.get(1).map(String::as_str), args.get(2)) {
        load(path);
        return;
    }
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let exe = std::env::current_exe().expect("this program");
    let path = std::env::temp_dir().join(format!("consentry-snapshot-{}.json", std::process::id()));
    println!(
        "{:<11} {:>9} {:>9} {:>9} {:>10} {:>9} {:>13} {:>7}",
        "workload",
        "subjects",
        "JSON MB",
        "peak MB",
        "peak/JSON",
        "ledger MB",
        "(peak-ledger)",
        "MB/s"
    );
    for name in ["bare", "registered", "4 grants"] {
        let json = workload(name, n);
        std::fs::write(&path, &json).expect("a temporary file");
        let out = std::process::Command::new(&exe)
            .arg("--load")
            .arg(&path)
            .output()
            .expect("the child runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let f: Vec<f64> = text
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let (peak, held, secs, kept) = (f[0], f[1], f[2], f[3]);
        let mb = json.len() as f64 / 1e6;
        println!(
            "{name:<11} {n:>9} {mb:>9.1} {:>9.1} {:>9.1}x {:>9.1} {:>7.1}x JSON {:>7.0}  ({kept} subjects kept)",
            peak / 1e6,
            peak / json.len() as f64,
            held / 1e6,
            (peak - held) / json.len() as f64,
            mb / secs,
        );
    }
    let _ = std::fs::remove_file(&path);
}
