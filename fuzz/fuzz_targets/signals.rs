//! Arbitrary bytes as a TC, GPP or US Privacy string imported for a subject
//! (the first byte picks the format): importing never panics; a string that
//! fails records nothing; one that succeeds exports in every format, and
//! the exported strings import into a fresh ledger again.

#![no_main]

#[path = "common.rs"]
mod common;

use consentry::{
    Catalog, CollectionMethod, Evidence, ExportOptions, Ledger, LegalBasis, PurposeDef,
    SignalFormat, Standards,
};
use libfuzzer_sys::fuzz_target;

fn catalog() -> Catalog {
    let def = |name: &str, basis| {
        PurposeDef::new(name, basis)
            .title(name)
            .description("Fuzzed.")
            .categories(["browsing"])
    };
    Catalog::builder()
        .category("browsing")
        .purpose(
            def("ads", LegalBasis::Consent)
                .sale_or_sharing()
                .standards(Standards::advertising()),
        )
        .purpose(def("stats", LegalBasis::Consent).standards(Standards::analytics()))
        .purpose(
            def("improve", LegalBasis::LegitimateInterest)
                .standards(Standards::product_development()),
        )
        .purpose(
            def("geo", LegalBasis::Consent)
                .standards(Standards::new().with_tcf_special_features([1, 2])),
        )
        .build()
        .expect("valid catalog")
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let format = match pick % 3 {
        0 => SignalFormat::Tcf,
        1 => SignalFormat::Gpp,
        _ => SignalFormat::UsPrivacy,
    };
    let at = common::t0();
    let evidence = || Evidence::new(CollectionMethod::Banner);
    let catalog = catalog();
    let mut ledger = Ledger::new(catalog.clone());
    if ledger
        .import_signal("s", format, text, at, evidence())
        .is_err()
    {
        assert!(ledger.subject_records("s").is_none());
        return;
    }
    let options = ExportOptions::new(1, 1, 1);
    let tc = ledger
        .export_tcf("s", at, &options)
        .expect("valid options")
        .encode();
    let gpp = ledger
        .export_gpp("s", at, &[2, 6, 7, 8, 9, 10, 11, 12], &options)
        .expect("supported sections")
        .encode();
    let usp = ledger.export_us_privacy("s", at, &options).encode();
    let _ = ledger.export_consent_mode("s", at).to_json();
    for (format, text) in [
        (SignalFormat::Tcf, tc),
        (SignalFormat::Gpp, gpp),
        (SignalFormat::UsPrivacy, usp),
    ] {
        let mut fresh = Ledger::new(catalog.clone());
        fresh
            .import_signal("s", format, &text, at, evidence())
            .expect("an exported string imports");
    }
});
