//! The standard consent signals and the ledger: the catalog's mapping
//! (`Standards`), importing TC, GPP and US Privacy strings as events, and
//! exporting a subject's state as those strings and Consent Mode flags.

use consentry::codec::consent_mode::ConsentMode;
use consentry::codec::gpp::{GpcSubsection, GppString, Notice, OptOut, Section, UsCa, UsNat};
use consentry::codec::tcf::TcString;
use consentry::codec::usp::UsPrivacy;
use consentry::{
    Catalog, Choice, CollectionMethod, ConsentType, Decision, Error, Evidence, ExportOptions,
    Grant, Ledger, LegalBasis, PurposeDef, SignalFormat, Standards, TcfVendor, UsOptOut,
    gpp_sections_for,
};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);

fn def(name: &str, basis: LegalBasis) -> PurposeDef {
    PurposeDef::new(name, basis)
        .title(name)
        .description("For the tests.")
        .categories(["browsing", "device"])
}

/// ads: consent, the advertising preset (TCF, US opt-outs, Consent Mode);
/// stats: consent, the analytics preset; improve: legitimate interest, TCF
/// 10 and 11; orders: in no standard.
fn catalog() -> Catalog {
    Catalog::builder()
        .category("browsing")
        .category("device")
        .purpose(
            def("ads", LegalBasis::Consent)
                .sale_or_sharing()
                .standards(Standards::advertising()),
        )
        .purpose(def("stats", LegalBasis::Consent).standards(Standards::analytics()))
        .purpose(
            def("improve", LegalBasis::LegitimateInterest)
                .standards(Standards::new().with_tcf_purposes([10, 11])),
        )
        .purpose(def("orders", LegalBasis::Contract))
        .build()
        .expect("valid catalog")
}

/// A US-style catalog: `share` rests on legitimate interest (opt-out) and
/// answers to the three US opt-outs.
fn us_catalog() -> Catalog {
    Catalog::builder()
        .category("browsing")
        .category("device")
        .purpose(
            def("share", LegalBasis::LegitimateInterest)
                .sale_or_sharing()
                .standards(Standards::new().with_us_opt_outs(UsOptOut::ALL)),
        )
        .purpose(
            def("ads", LegalBasis::Consent)
                .sale_or_sharing()
                .standards(Standards::new().with_tcf_purposes([2, 3, 4, 7])),
        )
        .build()
        .expect("valid catalog")
}

fn cmp() -> Evidence {
    Evidence::new(CollectionMethod::Banner).with_jurisdiction("FR")
}

fn options() -> ExportOptions {
    ExportOptions::new(300, 2, 120)
        .consent_language("FR")
        .publisher_cc("FR")
}

/// Whether `purpose` is permitted for every category it declares.
fn permitted(l: &Ledger, subject: &str, purpose: &str, at: OffsetDateTime) -> bool {
    ["browsing", "device"]
        .iter()
        .all(|c| l.is_permitted(subject, purpose, c, at))
}

/// A TC string with these consent and legitimate-interest purposes.
fn tc_string(consents: &[u8], lis: &[u8]) -> String {
    let mut tc = TcString::new();
    tc.set_cmp_id(27).unwrap();
    tc.set_cmp_version(3).unwrap();
    tc.set_policy_version(4).unwrap();
    tc.set_vendor_list_version(120).unwrap();
    for p in consents {
        tc.purposes_consent_mut().insert(*p).unwrap();
    }
    for p in lis {
        tc.purposes_li_transparency_mut().insert(*p).unwrap();
    }
    tc.encode()
}

// ---------------------------------------------------------------- the mapping

#[test]
fn the_mapping_travels_in_the_catalog_json() {
    let c = catalog();
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(
        json["purposes"][0]["standards"],
        serde_json::json!({
            "tcf_purposes": [2, 3, 4, 7],
            "us_opt_outs": ["sale", "sharing", "targeted_advertising"],
            "consent_mode": ["ad_storage", "ad_user_data", "ad_personalization"],
        })
    );
    // Absent for a purpose in no standard.
    assert!(json["purposes"][3].get("standards").is_none());
    let back: Catalog = serde_json::from_value(json).unwrap();
    assert_eq!(back, c);
    assert_eq!(
        back.purpose("stats").unwrap().standards(),
        &Standards::analytics()
    );
    assert!(back.purpose("orders").unwrap().standards().is_empty());
}

#[track_caller]
fn build_error(purposes: Vec<PurposeDef>) -> String {
    let mut b = Catalog::builder().category("browsing").category("device");
    for p in purposes {
        b = b.purpose(p);
    }
    b.build().unwrap_err().to_string()
}

#[test]
fn a_wrong_mapping_is_an_error_naming_the_purpose_and_what_is_wrong() {
    let consent = LegalBasis::Consent;
    let cases: Vec<(Vec<PurposeDef>, &str)> = vec![
        (
            vec![def("a", consent).standards(Standards::new().with_tcf_purposes([12]))],
            "purpose `a`: maps TCF purpose 12; TCF v2.2 purposes are 1 to 11",
        ),
        (
            vec![def("a", consent).standards(Standards::new().with_tcf_special_features([3]))],
            "purpose `a`: maps TCF special feature 3; TCF v2.2 special features are 1 to 2",
        ),
        (
            vec![def("a", LegalBasis::LegitimateInterest).standards(Standards::analytics())],
            "purpose `a`: maps TCF purpose 1 under legitimate interest; TCF Policy 2.2 allows only consent for purposes 1, 3, 4, 5 and 6",
        ),
        (
            vec![def("a", consent).standards(Standards::advertising())],
            "purpose `a`: maps US opt-outs of sale, sharing or targeted advertising but is not marked sale_or_sharing",
        ),
        (
            vec![
                def("a", consent).standards(Standards::analytics()),
                def("b", consent).standards(Standards::new().with_tcf_purposes([9])),
            ],
            "purpose `b`: TCF purpose 9 (consent) is already mapped from purpose `a`; each maps from at most one catalog purpose",
        ),
        (
            vec![
                def("a", consent)
                    .sale_or_sharing()
                    .standards(Standards::advertising()),
                def("b", LegalBasis::LegitimateInterest)
                    .sale_or_sharing()
                    .standards(Standards::new().with_us_opt_outs([UsOptOut::Sale])),
            ],
            "purpose `b`: the US opt-out `sale` is already mapped from purpose `a`; each maps from at most one catalog purpose",
        ),
    ];
    for (purposes, want) in cases {
        assert_eq!(build_error(purposes), want);
    }
    // One TCF purpose on both signals, from two purposes, is fine; so is a
    // Consent Mode type from several.
    let both = Catalog::builder()
        .category("browsing")
        .category("device")
        .purpose(
            def("a", consent).standards(
                Standards::new()
                    .with_tcf_purposes([7])
                    .with_consent_mode([ConsentType::AdStorage]),
            ),
        )
        .purpose(
            def("b", LegalBasis::LegitimateInterest).standards(
                Standards::new()
                    .with_tcf_purposes([7])
                    .with_consent_mode([ConsentType::AdStorage]),
            ),
        )
        .build();
    assert!(both.is_ok());
}

#[test]
fn a_wrong_mapping_in_json_is_refused_on_load() {
    let mut json = serde_json::to_value(catalog()).unwrap();
    json["purposes"][1]["standards"]["tcf_purposes"] = serde_json::json!([2]);
    let err = serde_json::from_value::<Catalog>(json)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "purpose `stats`: TCF purpose 2 (consent) is already mapped from purpose `ads`"
        ),
        "{err}"
    );
    let mut json = serde_json::to_value(catalog()).unwrap();
    json["purposes"][1]["standards"]["consent_mode"] = serde_json::json!(["cookies"]);
    assert!(serde_json::from_value::<Catalog>(json).is_err());
}

// ------------------------------------------------------------------- import

#[test]
fn a_tc_string_becomes_grants_and_refusals() {
    let mut l = Ledger::new(catalog());
    // Consent to 1-10 (ads and stats complete), LI for 10 and 11 (improve).
    let text = tc_string(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], &[10, 11]);
    let recorded = l
        .import_signal("ann", SignalFormat::Tcf, &text, T0, cmp())
        .unwrap();
    assert_eq!(recorded.len(), 3);
    assert!(recorded.iter().all(|r| r.took_effect()));
    for p in ["ads", "stats", "improve"] {
        assert!(permitted(&l, "ann", p, T0), "{p}");
    }
    assert!(matches!(
        l.decide("ann", "ads", "browsing", T0),
        Decision::Granted { .. }
    ));
    // The evidence: the caller's, with the format and the CMP's fields.
    let record = l.subject_records("ann").unwrap();
    let ev = record.record("ads").unwrap().evidence();
    assert_eq!(ev.method(), CollectionMethod::Banner);
    assert_eq!(ev.jurisdiction(), Some("FR"));
    assert_eq!(ev.channel(), Some("tcf"));
    assert_eq!(
        ev.proof(),
        Some("cmp=27;cmp_version=3;policy=4;vendor_list=120")
    );
    assert_eq!(ev.notice_version(), Some(1));
    // The caller's instant, not the string's.
    assert_eq!(record.record("ads").unwrap().at(), T0);
}

#[test]
fn a_purpose_mapped_from_several_tcf_purposes_needs_all_of_them() {
    let mut l = Ledger::new(catalog());
    // 2, 3 and 4 but not 7: ads is refused; 1, 8, 9: stats granted; no LI
    // bits: improve refused.
    let text = tc_string(&[1, 2, 3, 4, 8, 9], &[]);
    l.import_signal("ann", SignalFormat::Tcf, &text, T0, cmp())
        .unwrap();
    assert!(matches!(
        l.decide("ann", "ads", "browsing", T0),
        Decision::Refused { .. }
    ));
    assert!(permitted(&l, "ann", "stats", T0));
    assert!(matches!(
        l.decide("ann", "improve", "browsing", T0),
        Decision::Refused { .. }
    ));
    // A later string with every bit replaces the answers.
    let later = T0 + Duration::hours(1);
    let all = tc_string(&[1, 2, 3, 4, 7, 8, 9], &[10, 11]);
    l.import_signal("ann", SignalFormat::Tcf, &all, later, cmp())
        .unwrap();
    assert!(permitted(&l, "ann", "ads", later));
    assert!(permitted(&l, "ann", "improve", later));
}

/// Regression: the same string imported twice at the same instant (a CMP
/// that posts it again, a retried request) is the same answer twice: every
/// event a `Duplicate`, nothing changed. The second grant used to count as
/// a renewal of the first (a grant is valid at its own instant), so its
/// event differed and could replace the first.
#[test]
fn the_same_string_twice_at_one_instant_is_a_duplicate() {
    let mut l = Ledger::new(catalog());
    let text = tc_string(&[1, 2, 3, 4, 7, 8, 9], &[10, 11]);
    let first = l
        .import_signal("ann", SignalFormat::Tcf, &text, T0, cmp())
        .unwrap();
    let snapshot = l.snapshot().to_json().unwrap();
    let again = l
        .import_signal("ann", SignalFormat::Tcf, &text, T0, cmp())
        .unwrap();
    let applied: Vec<_> = again.iter().map(|r| r.applied()).collect();
    assert_eq!(applied, vec![consentry::Applied::Duplicate; 3]);
    for (a, b) in first.iter().zip(&again) {
        assert_eq!(a.event().id(), b.event().id());
    }
    assert_eq!(l.snapshot().to_json().unwrap(), snapshot);
    // The same for a plain grant given twice at one instant.
    let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    l.give(Grant::new("ben", "ads", T0, ev())).unwrap();
    let twice = l.give(Grant::new("ben", "ads", T0, ev())).unwrap();
    assert_eq!(twice.applied(), consentry::Applied::Duplicate);
    // A grant given again later while the first is valid is a renewal.
    let later = l
        .give(Grant::new("ben", "ads", T0 + Duration::hours(1), ev()))
        .unwrap();
    assert!(later.took_effect());
    let rec = l.subject_records("ben").unwrap();
    assert!(rec.record("ads").unwrap().is_renewal());
}

#[test]
fn prepare_signal_changes_nothing_until_applied() {
    let l0 = Ledger::new(catalog());
    let mut l = l0.clone();
    let text = tc_string(&[1, 8, 9], &[]);
    let events = l
        .prepare_signal("ann", SignalFormat::Tcf, &text, T0, cmp())
        .unwrap();
    assert_eq!(events.len(), 3); // stats accepted, ads and improve refused
    assert!(l.subject_records("ann").is_none());
    l.apply_all(&events).unwrap();
    assert!(permitted(&l, "ann", "stats", T0));
}

#[test]
fn a_malformed_string_records_nothing() {
    let mut l = Ledger::new(catalog());
    l.record_choice(Choice::new("ann", T0, cmp()).accept("ads"))
        .unwrap();
    let before = l.snapshot().to_json().unwrap();
    let later = T0 + Duration::hours(1);
    let cases = [
        (
            SignalFormat::Tcf,
            "COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA!",
            "TC string import: tcf core segment, field `base64url text`, bit 282: invalid base64url character `!` at character 47",
        ),
        (
            SignalFormat::Tcf,
            "BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA",
            "TC string import: tcf core segment, field `version`, bit 0: unsupported version 1 (supported: 2)",
        ),
        (
            SignalFormat::Gpp,
            "DBABzYA~1YNN~BVVVkkkkkpFY.YA",
            "GPP string import: gpp header, field `Sections`, bit 24: the header lists 3 sections but the string has 2",
        ),
        (
            SignalFormat::UsPrivacy,
            "1yNN",
            "US Privacy string import: us privacy string, field `notice`, bit 8: found `y` at character 1",
        ),
    ];
    for (format, text, want) in cases {
        let err = l
            .import_signal("ann", format, text, later, cmp())
            .unwrap_err();
        assert!(matches!(err, Error::InvalidSignal { .. }), "{err}");
        assert!(err.to_string().starts_with(want), "{err}");
        let err = l
            .import_signal("ben", format, text, later, cmp())
            .unwrap_err();
        assert!(err.to_string().starts_with(want), "{err}");
    }
    assert_eq!(l.snapshot().to_json().unwrap(), before);
    assert!(l.subject_records("ben").is_none());
}

#[test]
fn a_string_that_answers_for_no_purpose_records_nothing() {
    let mut l = Ledger::new(us_catalog());
    // `1---`: the CCPA does not apply.
    let none = l
        .import_signal("ann", SignalFormat::UsPrivacy, "1---", T0, cmp())
        .unwrap();
    assert!(none.is_empty());
    assert!(l.subject_records("ann").is_none());
}

#[test]
fn us_opt_outs_refuse_and_not_opting_out_is_no_consent() {
    let mut l = Ledger::new(us_catalog());
    // US Privacy: opted out of sale.
    l.import_signal("ann", SignalFormat::UsPrivacy, "1YYN", T0, cmp())
        .unwrap();
    assert!(matches!(
        l.decide("ann", "share", "browsing", T0),
        Decision::Refused { .. }
    ));
    let rec = l.subject_records("ann").unwrap();
    assert_eq!(
        rec.record("share").unwrap().evidence().proof(),
        Some("usp=1YYN")
    );
    // Later, not opted out: the opt-out purpose is accepted again.
    let later = T0 + Duration::hours(1);
    l.import_signal("ann", SignalFormat::UsPrivacy, "1YNN", later, cmp())
        .unwrap();
    assert!(permitted(&l, "ann", "share", later));

    // GPP: usca opted out of sharing only; usnat says nothing of it.
    let mut gpp = GppString::new();
    gpp.insert(Section::UsCa(UsCa {
        sale_opt_out_notice: Notice::Provided,
        sharing_opt_out_notice: Notice::Provided,
        sale_opt_out: OptOut::DidNotOptOut,
        sharing_opt_out: OptOut::OptedOut,
        ..UsCa::default()
    }));
    let text = gpp.encode();
    l.import_signal("ben", SignalFormat::Gpp, &text, T0, cmp())
        .unwrap();
    assert!(!permitted(&l, "ben", "share", T0));
    let rec = l.subject_records("ben").unwrap();
    assert_eq!(
        rec.record("share").unwrap().evidence().proof(),
        Some("sid=8")
    );
    assert_eq!(
        rec.record("share").unwrap().evidence().channel(),
        Some("gpp")
    );
    // `ads` rests on consent and is mapped to TCF only: nothing recorded.
    assert!(rec.record("ads").is_none());
}

#[test]
fn not_opting_out_is_not_consent_and_a_refusal_from_any_section_wins() {
    // `ads` rests on consent and maps TCF purposes and the US opt-outs.
    let mut l = Ledger::new(catalog());
    let none = l
        .import_signal("ann", SignalFormat::UsPrivacy, "1YNN", T0, cmp())
        .unwrap();
    assert!(none.is_empty());
    assert!(matches!(
        l.decide("ann", "ads", "browsing", T0),
        Decision::NoConsent
    ));

    // tcfeuv2 consents to every advertising purpose, usnat opts out of sale.
    let mut gpp = GppString::new();
    let tc = TcString::decode(&tc_string(&[2, 3, 4, 7], &[])).unwrap();
    gpp.insert(Section::TcfEuV2(consentry::codec::gpp::TcfEuV2::new(tc)));
    gpp.insert(Section::UsNat(UsNat {
        sale_opt_out_notice: Notice::Provided,
        sale_opt_out: OptOut::OptedOut,
        ..UsNat::default()
    }));
    l.import_signal("ann", SignalFormat::Gpp, &gpp.encode(), T0, cmp())
        .unwrap();
    assert!(matches!(
        l.decide("ann", "ads", "browsing", T0),
        Decision::Refused { .. }
    ));
}

/// Under a regime whose rule for sale is an opt-out (California), a consent
/// purpose is permitted until the person opts out, so a US string's "did
/// not opt out" answers for it: it lifts an earlier opt-out.
fn regime_catalog() -> Catalog {
    Catalog::builder()
        .category("browsing")
        .category("device")
        .purpose(
            def("ads", LegalBasis::Consent)
                .sale_or_sharing()
                .standards(Standards::new().with_us_opt_outs(UsOptOut::ALL)),
        )
        .regime(consentry::regime::Regime::california())
        .build()
        .expect("valid catalog")
}

#[test]
fn under_an_opt_out_regime_not_opting_out_lifts_an_opt_out() {
    let mut l = Ledger::new(regime_catalog());
    let ev = Evidence::new(CollectionMethod::Form);
    l.set_jurisdiction("ann", "US-CA", T0, ev).unwrap();
    assert_eq!(
        l.explain("ann", "ads", "browsing", T0).mechanism(),
        Some(consentry::regime::Mechanism::OptOut)
    );
    assert!(permitted(&l, "ann", "ads", T0));
    l.import_signal("ann", SignalFormat::UsPrivacy, "1YYN", T0, cmp())
        .unwrap();
    assert!(!permitted(&l, "ann", "ads", T0));
    let later = T0 + Duration::hours(1);
    let recorded = l
        .import_signal("ann", SignalFormat::UsPrivacy, "1YNN", later, cmp())
        .unwrap();
    assert_eq!(recorded.len(), 1);
    assert!(permitted(&l, "ann", "ads", later));
    // The round trip holds: exported, then imported into a fresh ledger.
    let usp = l.export_us_privacy("ann", later, &options()).encode();
    assert_eq!(usp, "1YN-");
    let mut fresh = Ledger::new(regime_catalog());
    fresh
        .set_jurisdiction("ann", "US-CA", T0, Evidence::new(CollectionMethod::Form))
        .unwrap();
    fresh
        .import_signal("ann", SignalFormat::UsPrivacy, "1YYN", later, cmp())
        .unwrap();
    assert!(!permitted(&fresh, "ann", "ads", later));
    // The exported string lifts it there too.
    let after = later + Duration::hours(1);
    fresh
        .import_signal("ann", SignalFormat::UsPrivacy, &usp, after, cmp())
        .unwrap();
    assert!(permitted(&fresh, "ann", "ads", after));
    assert_eq!(
        permitted(&fresh, "ann", "ads", after),
        permitted(&l, "ann", "ads", after)
    );
}

#[test]
fn a_gpp_string_with_tcfeuv2_and_gpc_records_both() {
    let mut l = Ledger::new(us_catalog());
    let mut gpp = GppString::new();
    let tc = TcString::decode(&tc_string(&[2, 3, 4, 7], &[])).unwrap();
    gpp.insert(Section::TcfEuV2(consentry::codec::gpp::TcfEuV2::new(tc)));
    gpp.insert(Section::UsNat(UsNat {
        sale_opt_out_notice: Notice::Provided,
        sale_opt_out: OptOut::DidNotOptOut,
        gpc: Some(GpcSubsection::new(true)),
        ..UsNat::default()
    }));
    let text = gpp.encode();
    let recorded = l
        .import_signal("ann", SignalFormat::Gpp, &text, T0, cmp())
        .unwrap();
    // share accepted, ads accepted (TCF), the global opt-out set.
    assert_eq!(recorded.len(), 3);
    let rec = l.subject_records("ann").unwrap();
    assert_eq!(
        rec.record("ads").unwrap().evidence().proof(),
        Some("sid=2,7;cmp=27;cmp_version=3;policy=4;vendor_list=120")
    );
    assert!(rec.global_opt_out().unwrap().is_on());
    // Both are sale/sharing purposes: the signal denies them.
    assert!(matches!(
        l.decide("ann", "ads", "browsing", T0),
        Decision::OptedOut { .. }
    ));
    // The same string an hour later: the answers again, the signal not set
    // twice (it is on already).
    let later = T0 + Duration::hours(1);
    let again = l
        .import_signal("ann", SignalFormat::Gpp, &text, later, cmp())
        .unwrap();
    assert_eq!(again.len(), 2);
    assert!(matches!(
        l.decide("ann", "share", "browsing", later),
        Decision::OptedOut { .. }
    ));
}

#[test]
fn an_import_for_an_erased_subject_is_refused_whole() {
    let mut l = Ledger::new(catalog());
    l.erase("ann", T0).unwrap();
    let text = tc_string(&[1, 2, 3, 4, 7, 8, 9], &[]);
    assert!(
        l.import_signal(
            "ann",
            SignalFormat::Tcf,
            &text,
            T0 - Duration::hours(1),
            cmp()
        )
        .is_err()
    );
    assert!(!permitted(&l, "ann", "ads", T0));
}

// ------------------------------------------------------------------- export

/// ann accepted ads and stats and refused improve.
fn known_state() -> Ledger {
    let mut l = Ledger::new(catalog());
    let choice = Choice::new("ann", T0, cmp())
        .accept("ads")
        .accept("stats")
        .refuse("improve");
    l.record_choice(choice).unwrap();
    l
}

#[test]
fn a_known_state_exports_as_an_exact_tc_string() {
    let l = known_state();
    let opts = options()
        .vendor(TcfVendor::new(755).purposes([1, 2, 3, 4, 7, 9]))
        .vendor(TcfVendor::new(25).purposes([1]).legitimate_interests([10]))
        .vendor(TcfVendor::new(8).purposes([5]));
    let tc = l.export_tcf("ann", T0, &opts).unwrap();
    let text = tc.encode();
    assert_eq!(
        text,
        "CQgYw8AQgYw8AEsACBFRB4EgAPOAAAAAAAqIF5wAgAMgLzAAAAAA.IF5wAwAEAAZAXmAA"
    );
    let back = TcString::decode(&text).unwrap();
    assert_eq!(back, tc);
    assert_eq!(back.cmp_id(), 300);
    assert_eq!(back.cmp_version(), 2);
    assert_eq!(back.vendor_list_version(), 120);
    assert_eq!(back.policy_version(), 4);
    assert_eq!(back.consent_language(), "FR");
    assert_eq!(back.created(), datetime!(2026-03-01 0:00 UTC));
    assert_eq!(back.last_updated(), back.created());
    assert!(back.is_service_specific());
    assert_eq!(
        back.purposes_consent().iter().collect::<Vec<_>>(),
        [1, 2, 3, 4, 7, 8, 9]
    );
    assert_eq!(back.purposes_li_transparency().iter().count(), 0);
    assert_eq!(back.vendor_consents().iter().collect::<Vec<_>>(), [25, 755]);
    assert!(back.vendor_legitimate_interests().is_empty());
    assert_eq!(
        back.disclosed_vendors()
            .as_ref()
            .map(|d| d.iter().collect::<Vec<_>>()),
        Some(vec![8, 25, 755])
    );
}

#[test]
fn a_known_state_exports_as_exact_gpp_us_privacy_and_consent_mode() {
    let mut l = Ledger::new(us_catalog());
    // share: never asked (legitimate interest: permitted); ads: refused.
    l.record_choice(Choice::new("ann", T0, cmp()).refuse("ads"))
        .unwrap();
    let opts = options().lspa_covered(true);
    let gpp = l.export_gpp_for("ann", T0, "US-CA", &opts).unwrap();
    let text = gpp.encode();
    assert_eq!(text, "DBABrw~CVQqAAAAAACA.QA~BUoAAACA.QA");
    let back = GppString::decode(&text).unwrap();
    assert_eq!(back.section_ids().collect::<Vec<_>>(), [7, 8]);
    let Some(Section::UsNat(usnat)) = back.section(7) else {
        panic!("usnat")
    };
    assert_eq!(usnat.sale_opt_out, OptOut::DidNotOptOut);
    assert_eq!(usnat.sharing_opt_out, OptOut::DidNotOptOut);
    assert_eq!(usnat.targeted_advertising_opt_out, OptOut::DidNotOptOut);
    assert_eq!(usnat.sale_opt_out_notice, Notice::Provided);
    assert_eq!(usnat.gpc, Some(GpcSubsection::new(false)));
    assert_eq!(l.export_us_privacy("ann", T0, &opts).to_string(), "1YNY");

    // The signal: every opt-out exercised, GPC set.
    l.set_global_opt_out("ann", T0, Evidence::new(CollectionMethod::BrowserSignal))
        .unwrap();
    let gpp = l.export_gpp("ann", T0, &[6, 7], &opts).unwrap();
    assert_eq!(gpp.encode(), "DBABzw~1YYY~CVQVAAAAAACA.YA");
    assert_eq!(
        l.export_us_privacy("ann", T0, &opts),
        UsPrivacy::decode("1YYY").unwrap()
    );

    // Consent Mode: the types some purpose maps.
    let l = known_state();
    let flags = l.export_consent_mode("ann", T0);
    assert_eq!(
        flags.to_json(),
        r#"{"ad_storage":"granted","ad_user_data":"granted","ad_personalization":"granted","analytics_storage":"granted"}"#
    );
    assert_eq!(ConsentMode::from_json(&flags.to_json()).unwrap(), flags);
    let nobody = l.export_consent_mode("ben", T0);
    assert_eq!(
        nobody.to_json(),
        r#"{"ad_storage":"denied","ad_user_data":"denied","ad_personalization":"denied","analytics_storage":"denied"}"#
    );
}

#[test]
fn export_errors_name_what_is_wrong() {
    let l = known_state();
    let err = l
        .export_tcf("ann", T0, &ExportOptions::new(4096, 1, 1))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "TC string export: tcf CmpId: `4096` is out of range (expected 0..=4095)"
    );
    let err = l
        .export_tcf("ann", T0, &options().vendor(TcfVendor::new(0)))
        .unwrap_err();
    assert!(err.to_string().starts_with("TC string export: "), "{err}");
    let err = l.export_gpp("ann", T0, &[5], &options()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "GPP export: section 5 is not written (supported: 2, 6, 7, 8, 9, 10, 11, 12)"
    );
    assert_eq!(
        gpp_sections_for("BR").unwrap_err().to_string(),
        "GPP export: no GPP section for jurisdiction `BR`; pass the section ids"
    );
    assert_eq!(gpp_sections_for("us-va").unwrap(), [7, 9]);
    assert_eq!(gpp_sections_for("US-TX").unwrap(), [7]);
    assert_eq!(gpp_sections_for("FR-75").unwrap(), [2]);
    assert_eq!(gpp_sections_for("EU").unwrap(), [2]);
}

#[test]
fn an_imported_string_exports_back_to_the_same_answers() {
    let mut l = Ledger::new(catalog());
    let text = tc_string(&[1, 2, 3, 4, 7, 8, 9], &[10, 11]);
    l.import_signal("ann", SignalFormat::Tcf, &text, T0, cmp())
        .unwrap();
    let exported = l
        .export_tcf("ann", T0, &ExportOptions::new(27, 3, 120))
        .unwrap();
    let back = TcString::decode(&exported.encode()).unwrap();
    let original = TcString::decode(&text).unwrap();
    assert_eq!(back.purposes_consent(), original.purposes_consent());
    assert_eq!(
        back.purposes_li_transparency(),
        original.purposes_li_transparency()
    );
    assert_eq!(back.cmp_id(), original.cmp_id());

    // GPP: usca and usnat, read then written.
    let mut l = Ledger::new(us_catalog());
    let mut gpp = GppString::new();
    gpp.insert(Section::UsNat(UsNat {
        sale_opt_out_notice: Notice::Provided,
        sharing_opt_out_notice: Notice::Provided,
        targeted_advertising_opt_out_notice: Notice::Provided,
        sharing_notice: Notice::Provided,
        sale_opt_out: OptOut::OptedOut,
        sharing_opt_out: OptOut::OptedOut,
        targeted_advertising_opt_out: OptOut::OptedOut,
        gpc: Some(GpcSubsection::new(false)),
        ..UsNat::default()
    }));
    let text = gpp.encode();
    l.import_signal("ann", SignalFormat::Gpp, &text, T0, cmp())
        .unwrap();
    let exported = l.export_gpp("ann", T0, &[7], &options()).unwrap();
    assert_eq!(GppString::decode(&exported.encode()).unwrap(), gpp);
}

// ---------------------------------------------------- property: round trip

#[derive(Debug, Clone)]
enum Op {
    Accept(usize),
    AcceptBrowsingOnly(usize),
    Refuse(usize),
    Withdraw(usize),
    GrantExpired(usize),
    OptOutSignal,
    ClearSignal,
}

fn op(purposes: usize) -> impl Strategy<Value = (Op, i64)> {
    let p = 0..purposes;
    (
        prop_oneof![
            p.clone().prop_map(Op::Accept),
            p.clone().prop_map(Op::AcceptBrowsingOnly),
            p.clone().prop_map(Op::Refuse),
            p.clone().prop_map(Op::Withdraw),
            p.prop_map(Op::GrantExpired),
            Just(Op::OptOutSignal),
            Just(Op::ClearSignal),
        ],
        0i64..100,
    )
}

/// Applies `ops` for subject `s` (each at T0 plus its minutes).
fn run(catalog: Catalog, ops: &[(Op, i64)]) -> Ledger {
    let mut l = Ledger::new(catalog);
    let names: Vec<String> = l
        .catalog()
        .purposes()
        .map(|p| p.name().to_owned())
        .collect();
    let ev = || Evidence::new(CollectionMethod::SettingsPage).with_notice_version(1);
    for (op, minutes) in ops {
        let at = T0 + Duration::minutes(*minutes);
        let name = |i: &usize| names[*i].clone();
        let _ = match op {
            Op::Accept(i) => l.give(Grant::new("s", name(i), at, ev())).map(drop),
            Op::AcceptBrowsingOnly(i) => l
                .give(Grant::new("s", name(i), at, ev()).categories(["browsing"]))
                .map(drop),
            Op::Refuse(i) => l.refuse("s", &name(i), at, ev()).map(drop),
            Op::Withdraw(i) => l.withdraw("s", &name(i), at, ev()).map(drop),
            Op::GrantExpired(i) => l
                .give(Grant::new("s", name(i), at, ev()).expires_at(at + Duration::minutes(5)))
                .map(drop),
            Op::OptOutSignal => l.set_global_opt_out("s", at, ev()).map(drop),
            Op::ClearSignal => l.clear_global_opt_out("s", at, ev()).map(drop),
        };
    }
    l
}

fn mapped_permissions(l: &Ledger, purposes: &[&str], at: OffsetDateTime) -> Vec<bool> {
    purposes.iter().map(|p| permitted(l, "s", p, at)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("CONSENTRY_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(128)
    ))]

    /// TCF: whatever the subject said, its state exported as a TC string and
    /// imported into a fresh ledger gives the same decision for every
    /// TCF-mapped purpose (consent and legitimate interest alike).
    #[test]
    fn tcf_export_then_import_keeps_every_mapped_decision(
        ops in proptest::collection::vec(op(4), 0..16),
        at in 0i64..120,
    ) {
        let l = run(catalog(), &ops);
        let at = T0 + Duration::minutes(at);
        let text = l.export_tcf("s", at, &options()).unwrap().encode();
        let mut fresh = Ledger::new(catalog());
        fresh.import_signal("s", SignalFormat::Tcf, &text, at, cmp()).unwrap();
        let mapped = ["ads", "stats", "improve"];
        prop_assert_eq!(mapped_permissions(&fresh, &mapped, at), mapped_permissions(&l, &mapped, at));
    }

    /// GPP (usnat, usca and uspv1 together): the same for the purpose mapped
    /// to the US opt-outs, the global opt-out signal included.
    #[test]
    fn gpp_export_then_import_keeps_the_opt_out_decision(
        ops in proptest::collection::vec(op(2), 0..16),
        at in 0i64..120,
        sections in prop_oneof![Just(vec![7u16]), Just(vec![6, 7, 8]), Just(vec![8]), Just(vec![9, 12]), Just(vec![6])],
    ) {
        let l = run(us_catalog(), &ops);
        let at = T0 + Duration::minutes(at);
        let text = l.export_gpp("s", at, &sections, &options()).unwrap().encode();
        let mut fresh = Ledger::new(us_catalog());
        fresh.import_signal("s", SignalFormat::Gpp, &text, at, cmp()).unwrap();
        prop_assert_eq!(permitted(&fresh, "s", "share", at), permitted(&l, "s", "share", at));
        let usp = l.export_us_privacy("s", at, &options()).encode();
        let mut fresh = Ledger::new(us_catalog());
        fresh.import_signal("s", SignalFormat::UsPrivacy, &usp, at, cmp()).unwrap();
        // The US Privacy string carries the opt-out of sale but not the
        // signal itself; the refusal it implies denies as the signal did.
        prop_assert_eq!(permitted(&fresh, "s", "share", at), permitted(&l, "s", "share", at));
    }

    /// Under California's regime a consent purpose of kind sale needs no
    /// opt-in: its round trip through GPP and US Privacy strings holds too.
    #[test]
    fn gpp_round_trip_under_an_opt_out_regime(
        ops in proptest::collection::vec(op(1), 0..16),
        at in 0i64..120,
        sections in prop_oneof![Just(vec![7u16]), Just(vec![7, 8]), Just(vec![6])],
    ) {
        let located = |mut l: Ledger| {
            let ev = Evidence::new(CollectionMethod::Form);
            l.set_jurisdiction("s", "US-CA", T0 - Duration::days(1), ev).unwrap();
            l
        };
        let l = located(run(regime_catalog(), &ops));
        let at = T0 + Duration::minutes(at);
        let text = l.export_gpp("s", at, &sections, &options()).unwrap().encode();
        let mut fresh = located(Ledger::new(regime_catalog()));
        fresh.import_signal("s", SignalFormat::Gpp, &text, at, cmp()).unwrap();
        prop_assert_eq!(permitted(&fresh, "s", "ads", at), permitted(&l, "s", "ads", at));
    }
}

#[test]
fn the_new_public_types_are_send_and_sync() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug + PartialEq>() {}
    check::<Standards>();
    check::<UsOptOut>();
    check::<ConsentType>();
    check::<ExportOptions>();
    check::<TcfVendor>();
    check::<SignalFormat>();
}
