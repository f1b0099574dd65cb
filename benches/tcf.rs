//! TCF TC string decode and encode, beside the `lib_tcstring` crate's
//! decoder on the same strings in the same run.
//!
//! `cargo bench -p consentry-benches --bench tcf`. Three strings: "range",
//! about 460 vendors with consent or legitimate interest in range form
//! (50 range entries), a disclosed-vendors segment and two publisher
//! restrictions; "core", its core segment alone; "bitfield", an
//! accept-all string of 900 vendors in bit fields. At the end it prints
//! the ratios from criterion's estimates.

#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;

use consentry::codec::tcf::{PublisherRestriction, RestrictionType, TcString, VendorRanges};
use criterion::Criterion;
use lib_tcstring::TcModelV2;

/// The "range" string: consents in 30 runs of 12 vendors, legitimate
/// interests in 20 runs of 5, over ids up to 1,300 (the range form is
/// shorter); vendors disclosed are both; two restrictions.
fn range_string() -> TcString {
    let mut tc = TcString::new();
    tc.set_cmp_id(300).unwrap();
    tc.set_cmp_version(12).unwrap();
    tc.set_vendor_list_version(80).unwrap();
    tc.set_policy_version(5).unwrap();
    tc.set_consent_language("EN").unwrap();
    tc.set_publisher_cc("DE").unwrap();
    tc.set_created_deciseconds(17_000_000_000).unwrap();
    tc.set_last_updated_deciseconds(17_000_000_100).unwrap();
    for p in [1, 2, 3, 4, 7, 9, 10] {
        tc.purposes_consent_mut().insert(p).unwrap();
    }
    tc.purposes_li_transparency_mut().insert(2).unwrap();
    for run in 0..30u16 {
        let start = 1 + run * 43;
        tc.vendor_consents_mut()
            .insert_range(start, start + 11)
            .unwrap();
    }
    for run in 0..20u16 {
        let start = 20 + run * 64;
        tc.vendor_legitimate_interests_mut()
            .insert_range(start, start + 4)
            .unwrap();
    }
    let mut disclosed = tc.vendor_consents().clone();
    for id in tc.vendor_legitimate_interests().iter() {
        disclosed.insert(id).unwrap();
    }
    *tc.disclosed_vendors_mut() = Some(disclosed);
    for (purpose, kind, start) in [
        (2, RestrictionType::RequireConsent, 100),
        (7, RestrictionType::NotAllowed, 700),
    ] {
        let mut v = VendorRanges::new();
        v.insert_range(start, start + 40).unwrap();
        v.insert_range(start + 200, start + 200).unwrap();
        tc.push_publisher_restriction(PublisherRestriction::new(purpose, kind, v).unwrap())
            .unwrap();
    }
    tc
}

/// The "core" string: the "range" string's core segment alone (its
/// vendors in range form, no restrictions), as a banner that discloses no
/// vendors writes it.
fn core_string() -> TcString {
    let mut tc = range_string();
    tc.clear_publisher_restrictions();
    *tc.disclosed_vendors_mut() = None;
    tc
}

/// The "bitfield" string: accept-all, 900 vendors of 1,300 ids.
fn bitfield_string() -> TcString {
    let mut tc = range_string();
    tc.clear_publisher_restrictions();
    *tc.disclosed_vendors_mut() = None;
    let mut all = consentry::codec::tcf::VendorSet::new();
    for id in 1..=1300u16 {
        if id % 13 != 0 && id % 3 != 0 || id % 7 == 0 {
            all.insert(id).unwrap();
        }
    }
    *tc.vendor_consents_mut() = all.clone();
    *tc.vendor_legitimate_interests_mut() = all;
    tc
}

/// criterion's mean estimate of `group/name`, in nanoseconds.
fn mean_ns(group: &str, name: &str) -> Option<f64> {
    common::estimate_ns(group, name, "mean")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("tcf");
    for (label, tc) in [
        ("range", range_string()),
        ("core", core_string()),
        ("bitfield", bitfield_string()),
    ] {
        let text = tc.encode();
        // The two decoders agree on the string before they are timed.
        let ours = TcString::decode(&text).expect("decodes");
        assert_eq!(ours, tc);
        let theirs = TcModelV2::try_from(text.as_str()).expect("lib_tcstring decodes");
        let ids: Vec<u16> = ours.vendor_consents().iter().collect();
        assert_eq!(theirs.vendors_consent, ids, "{label}: vendor consents");
        let li: Vec<u16> = ours.vendor_legitimate_interests().iter().collect();
        assert_eq!(theirs.vendors_li_consent, li, "{label}: vendor LI");
        println!(
            "{label}: {} characters, {} vendor consents, {} vendor LI, {} restrictions",
            text.len(),
            ids.len(),
            li.len(),
            ours.publisher_restrictions().len()
        );

        g.bench_function(format!("decode_{label}"), |b| {
            b.iter(|| TcString::decode(black_box(&text)))
        });
        g.bench_function(format!("lib_tcstring_decode_{label}"), |b| {
            b.iter(|| TcModelV2::try_from(black_box(text.as_str())))
        });
        g.bench_function(format!("encode_{label}"), |b| {
            b.iter(|| black_box(&tc).encode())
        });
    }
    g.finish();

    for label in ["range", "core", "bitfield"] {
        let ours = mean_ns("tcf", &format!("decode_{label}"));
        let theirs = mean_ns("tcf", &format!("lib_tcstring_decode_{label}"));
        let encode = mean_ns("tcf", &format!("encode_{label}"));
        if let (Some(o), Some(t), Some(e)) = (ours, theirs, encode) {
            println!(
                "tcf {label}: decode {o:.0} ns, lib_tcstring decode {t:.0} ns ({:.2}x ours), encode {e:.0} ns",
                t / o
            );
        }
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
