//! The cost of asking a regime, against reading a precomputed rule set:
//! what a ledger pays per check if it evaluates the regime each time, and if
//! it resolves the subject's rules once when the subject's marks change.
//!
//! `cargo bench --bench regime`. Each iteration asks all seven kinds for
//! one (age, signal) drawn from a fixed list, so the figure is per 7 rules.

use std::hint::black_box;

use consentry::regime::{PurposeKind, Regime, RegimeTable, RuleSet, Signal};
use criterion::{Criterion, criterion_group, criterion_main};
use time::macros::date;

const PEOPLE: [(Option<u8>, Signal); 8] = [
    (Some(34), Signal::Absent),
    (Some(14), Signal::Absent),
    (Some(9), Signal::Present),
    (None, Signal::Present),
    (Some(17), Signal::Absent),
    (Some(16), Signal::Present),
    (Some(12), Signal::Absent),
    (None, Signal::Absent),
];

fn bench(c: &mut Criterion) {
    let regimes = [
        Regime::california(),
        Regime::connecticut(),
        Regime::gdpr("FR").unwrap(),
    ];
    let sets: Vec<RuleSet> = regimes
        .iter()
        .flat_map(|r| {
            PEOPLE
                .iter()
                .map(move |(age, signal)| r.resolve(r.age_band(*age), *signal))
        })
        .collect();
    let mut g = c.benchmark_group("regime");
    g.bench_function("rule: 7 kinds", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = i.wrapping_add(1);
            let r = &regimes[i % regimes.len()];
            let (age, signal) = PEOPLE[i % PEOPLE.len()];
            PurposeKind::ALL
                .iter()
                .filter(|k| black_box(r).rule(**k, age, signal).permits_silence())
                .count()
        });
    });
    g.bench_function("rule_on: 7 kinds", |b| {
        let mut i = 0usize;
        let day = date!(2026 - 01 - 01);
        b.iter(|| {
            i = i.wrapping_add(1);
            let r = &regimes[i % regimes.len()];
            let (age, signal) = PEOPLE[i % PEOPLE.len()];
            PurposeKind::ALL
                .iter()
                .filter(|k| {
                    black_box(r)
                        .rule_on(**k, age, signal, day)
                        .permits_silence()
                })
                .count()
        });
    });
    g.bench_function("age_band + resolve (on a mark change)", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = i.wrapping_add(1);
            let r = &regimes[i % regimes.len()];
            let (age, signal) = PEOPLE[i % PEOPLE.len()];
            black_box(r).resolve(r.age_band(age), signal)
        });
    });
    g.bench_function("precomputed RuleSet: 7 kinds", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = i.wrapping_add(1);
            let set = black_box(&sets[i % sets.len()]);
            PurposeKind::ALL
                .iter()
                .filter(|k| set.get(**k).permits_silence())
                .count()
        });
    });
    let table = RegimeTable::new(regimes.to_vec()).unwrap();
    let keys: Vec<_> = ["US-CA", "US-CT", "FR"]
        .iter()
        .filter_map(|c| table.position(c))
        .flat_map(|id| PEOPLE.map(|(age, signal)| table.key(id, age, signal)))
        .collect();
    g.bench_function("RegimeTable::rules by key and date: 7 kinds", |b| {
        let mut i = 0usize;
        let day = date!(2026 - 01 - 01);
        b.iter(|| {
            i = i.wrapping_add(1);
            let set = black_box(&table).rules(keys[i % keys.len()], day);
            PurposeKind::ALL
                .iter()
                .filter(|k| set.get(**k).permits_silence())
                .count()
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
