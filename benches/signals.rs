//! Decoding a GPP string of three sections (`uspv1`, `usnat` with its GPC
//! sub-section, `usca` with its GPC sub-section), by consentry and, in the
//! same group, by the `iab_gpp` crate (parse plus decoding every section, so
//! both do the same work).
//!
//! Then, one group each, the other signal codecs on their usual input: a US
//! Privacy string, a `Sec-GPC` value, a Consent Mode update.
//!
//! `cargo bench -p consentry-benches --bench signals`

use std::hint::black_box;
use std::str::FromStr;

use consentry::codec::consent_mode::ConsentMode;
use consentry::codec::gpc::Gpc;
use consentry::codec::gpp::{GppString, Section};
use consentry::codec::usp::UsPrivacy;
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

fn others(c: &mut Criterion) {
    let mut group = c.benchmark_group("signals");
    group.bench_function("usp_decode", |b| {
        b.iter(|| UsPrivacy::decode(black_box("1YNN")).expect("decodes"));
    });
    group.bench_function("gpc_header", |b| {
        b.iter(|| Gpc::from_header_value(black_box(b" 1")));
    });
    let update = r#"{"ad_storage":"denied","ad_user_data":"denied","ad_personalization":"denied","analytics_storage":"granted"}"#;
    group.bench_function("consent_mode_from_json", |b| {
        b.iter(|| ConsentMode::from_json(black_box(update)).expect("reads"));
    });
    let mode = ConsentMode::from_json(update).expect("reads");
    group.bench_function("consent_mode_to_json", |b| {
        b.iter(|| black_box(&mode).to_json());
    });
    group.finish();
}

criterion_group!(benches, decode, others);
criterion_main!(benches);
