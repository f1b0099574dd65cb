//! Decoding a GPP string of three sections (`uspv1`, `usnat` with its GPC
//! sub-section, `usca` with its GPC sub-section), by consentry and, in the
//! same group, by the `iab_gpp` crate (parse plus decoding every section, so
//! both do the same work).
//!
//! `cargo bench -p consentry-benches --bench signals`

use std::hint::black_box;
use std::str::FromStr;

use consentry::codec::gpp::{GppString, Section};
use criterion::{Criterion, criterion_group, criterion_main};

/// The string: iabgpp-java's vectors for each section, joined under one
/// header.
fn three_sections() -> String {
    let mut gpp = GppString::new();
    gpp.insert(Section::decode(6, "1YNN").expect("uspv1"));
    gpp.insert(Section::decode(7, "BVVVkkkkkpFY.YA").expect("usnat"));
    gpp.insert(Section::decode(8, "BVWSSSVY.YA").expect("usca"));
    gpp.encode()
}

fn decode(c: &mut Criterion) {
    let text = three_sections();
    let mut group = c.benchmark_group("gpp_decode_three_sections");
    group.bench_function("consentry", |b| {
        b.iter(|| GppString::decode(black_box(&text)).expect("decodes"));
    });
    group.bench_function("iab_gpp", |b| {
        b.iter(|| {
            let gpp = iab_gpp::v1::GPPString::from_str(black_box(&text)).expect("parses");
            let sections = gpp.decode_all_sections();
            assert!(sections.iter().all(Result::is_ok));
            sections
        });
    });
    group.finish();
    println!("string: {text}");
}

criterion_group!(benches, decode);
criterion_main!(benches);
