//! The GPP codec against public test vectors: the IAB's own libraries
//! (iabgpp-java, iabgpp-es), the specification's examples, and the Rust
//! `iab_gpp` crate's test data. Sources and commits: tests/data/gpp/README.md.
//! Then round trips of random values, and malformed strings.

use consentry::codec::DecodeProblem;
use consentry::codec::gpp::{
    Consent, GpcSubsection, GppString, MspaMode, Notice, OptOut, OptimizedRange, Padding, Section,
    TcfCaV1, UsCa, UsCo, UsCt, UsNat, UsNatV1, UsNatVersion, UsUt, UsVa,
};
use consentry::codec::usp::UsPrivacy;
use proptest::prelude::*;

/// Decodes `text`, checks it encodes back to the same text, returns it.
#[track_caller]
fn exact(text: &str) -> GppString {
    let gpp = GppString::decode(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(gpp.encode(), text, "re-encoding {text}");
    gpp
}

fn codes<T: Copy>(values: &[T], code: fn(T) -> u8) -> Vec<u8> {
    values.iter().map(|v| code(*v)).collect()
}

#[track_caller]
fn only_section(text: &str) -> Section {
    let gpp = exact(text);
    assert_eq!(gpp.sections().len(), 1, "{text}");
    gpp.sections()[0].clone()
}

// --- The header -----------------------------------------------------------

#[test]
fn headers_from_the_specification_and_the_iab_libraries() {
    // Spec "Header Examples" 1-3 (minimal padding) and iabgpp-java
    // HeaderV1Test.testEncode1-3 (byte padding). Section texts are opaque
    // placeholders: only the header is under test here.
    let cases: [(&str, &[u16], Padding); 6] = [
        ("DBABM", &[2], Padding::Sextet),
        ("DBACNY", &[2, 6], Padding::Sextet),
        // 32 bits: both paddings give 6 characters, reported as `Byte`.
        ("DBABjw", &[5, 6], Padding::Byte),
        ("DBAA", &[], Padding::Byte),
        ("DBABMA", &[2], Padding::Byte),
        ("DBACNYA", &[2, 6], Padding::Byte),
    ];
    for (header, ids, padding) in cases {
        let mut text = header.to_owned();
        for id in ids {
            text.push('~');
            text.push_str(match id {
                6 => "1YNN",
                // iabgpp-es's default tcfcav1 section.
                5 => "BPSG_8APSG_8AAAAAAENAACAAAAAAAAAAAAAAAAAAA.YAAAAAAAAAA",
                _ => "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA",
            });
        }
        let gpp = exact(&text);
        assert_eq!(gpp.section_ids().collect::<Vec<_>>(), ids, "{header}");
        assert_eq!(gpp.header_padding(), padding, "{header}");
    }
}

#[test]
fn spec_gpp_string_examples() {
    // Consent String Specification, "GPP String Examples" 1 and 2.
    exact("DBABM~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA");
    let gpp = exact("DBACNY~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN");
    assert_eq!(
        gpp.section(6),
        Some(&Section::UspV1("1YNN".parse().unwrap()))
    );
    // Example 3 puts the EU TC string of the others (version 2) where the
    // Canadian section (id 5, version 1) goes: an error naming it.
    let err =
        GppString::decode("DBABjw~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN").unwrap_err();
    assert_eq!(
        (err.format, err.field, err.offset),
        ("gpp tcfcav1 core segment", "Version", 0)
    );
}

#[test]
fn iabgpp_java_every_section_at_its_default() {
    // iabgpp-java GppModelTest.testEncodeDefaultAll: tcfeuv2 (2), tcfcav1 (5),
    // uspv1 to usct (6-12) decoded here, usfl to usmn (13-23) opaque.
    let text = "DBACOYs~CPSG_8APSG_8AAAAAAENAACAAAAAAAAAAAAAAAAAAAAA.QAAA.IAAA~BPSG_8APSG_8AAAAAAENAACAAAAAAAAAAAAAAAAAAA.YAAAAAAAAAA~1---~BAAAAAAAAABA.QA~BAAAAABA.QA~BAAAABA~BAAAAEA.QA~BAAAAAQA~BAAAAAEA.QA~BAAAAABA~BAAAAABA.QA~BAAAAAABAA.QA~BAAAAAQA.QA~BAAAAAABAA.QA~BAAAAAQA.QA~BAAAAAQA.QA~BAAAAABA.QA~BAAAAAAAQA.QA~BAAAAAQA.QA~BAAAAAQA.QA";
    let gpp = exact(text);
    let ids: Vec<u16> = gpp.section_ids().collect();
    let mut expected = vec![2];
    expected.extend(5..=23);
    assert_eq!(ids, expected);
    // tcfeuv2 goes through the TCF codec (feature `tcf`, on by default).
    assert!(matches!(gpp.section(2), Some(Section::TcfEuV2(_))));
    assert!(matches!(gpp.section(5), Some(Section::TcfCaV1(_))));
    assert_eq!(
        gpp.section(6),
        Some(&Section::UspV1(UsPrivacy::NOT_APPLICABLE))
    );
    // The Java defaults: every field 0, MspaCoveredTransaction 1, GPC
    // sub-section present with Gpc false; usnat version 1 with 16 categories.
    let Some(Section::UsNat(usnat)) = gpp.section(7) else {
        panic!("usnat")
    };
    assert_eq!(usnat.version, UsNatVersion::V1);
    assert_eq!(
        usnat.sensitive_data_processing,
        [Consent::NotApplicable; 16]
    );
    assert!(usnat.mspa_covered_transaction);
    assert_eq!(usnat.gpc, Some(GpcSubsection::new(false)));
    let Some(Section::UsVa(usva)) = gpp.section(9) else {
        panic!("usva")
    };
    assert!(usva.mspa_covered_transaction);
    for id in 13..=23 {
        assert!(matches!(gpp.section(id), Some(Section::Opaque(_))), "{id}");
    }
}

#[test]
fn iabgpp_java_gpp_model_strings() {
    // GppModelTest: testEncode (uspv1 alone), testDecodingNull.
    assert_eq!(
        exact("DBABTA~1YNN").section(6),
        Some(&Section::UspV1("1YNN".parse().unwrap()))
    );
    assert_eq!(
        exact("DBABTA~1---").section(6),
        Some(&Section::UspV1(UsPrivacy::NOT_APPLICABLE))
    );
    assert_eq!(exact("DBABTA~1YYN").section(6).map(Section::id), Some(6));
    assert_eq!(exact("DBAA").sections(), &[]);
    assert_eq!(GppString::new().encode(), "DBAA");
}

#[test]
fn tcfeuv2_through_the_tcf_codec() {
    // GppModelTest.testDecodeTcfEuV2: the values it asserts.
    let text = "DBABMA~CPSG_8APSG_8ANwAAAENAwCAAAAAAAAAAAAAAAAAAAAA.QAAA.IAAA";
    let gpp = exact(text);
    assert_eq!(gpp.section_ids().collect::<Vec<_>>(), [2]);
    let Some(Section::TcfEuV2(section)) = gpp.section(2) else {
        panic!("tcfeuv2")
    };
    let tc = section.tc_string();
    assert_eq!(tc.version(), 2);
    assert_eq!(tc.cmp_id(), 880);
    assert_eq!(tc.cmp_version(), 0);
    assert_eq!(tc.consent_screen(), 0);
    assert_eq!(tc.consent_language(), "EN");
    assert_eq!(tc.vendor_list_version(), 48);
    assert_eq!(tc.policy_version(), 2);
    assert!(!tc.is_service_specific());
    assert!(!tc.use_non_standard_texts());
    assert!(!tc.purpose_one_treatment());
    assert_eq!(tc.publisher_cc(), "AA");
    // 2022-01-01T00:00:00Z in deciseconds.
    assert_eq!(tc.created_deciseconds(), 16_409_952_000);
    assert_eq!(tc.last_updated_deciseconds(), 16_409_952_000);
    assert_eq!(
        section.text(),
        "CPSG_8APSG_8ANwAAAENAwCAAAAAAAAAAAAAAAAAAAAA.QAAA.IAAA"
    );

    // A section built from a TcString writes the TCF codec's canonical text.
    let built = consentry::codec::gpp::TcfEuV2::new(tc.clone());
    assert_eq!(built.tc_string(), tc);
    assert_eq!(
        Section::decode(2, built.text()).unwrap(),
        Section::TcfEuV2(built.clone())
    );

    // A TC string that does not decode is an error of the TCF codec.
    let err = GppString::decode("DBABMA~CPSG_8A").unwrap_err();
    assert!(err.format.starts_with("tcf"), "{err}");
}

// --- tcfcav1 --------------------------------------------------------------

#[track_caller]
fn tcfca(text: &str) -> TcfCaV1 {
    let section = Section::decode(5, text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(section.encode(), text);
    let Section::TcfCaV1(s) = section else {
        panic!("tcfcav1")
    };
    *s
}

/// 2022-01-01T00:00:00Z in deciseconds, the date the IAB tests set.
const JAN_2022: u64 = 16_409_952_000;

#[test]
fn tcfcav1_iabgpp_es_vectors() {
    // iabgpp-es test/encoder/section/TcfCaV1.test.ts: the `to.eql` encodings
    // and the values the same test sets (or, for the default, the library's
    // defaults: policy version 2, language EN).
    let default = tcfca("BPSG_8APSG_8AAAAAAENAACAAAAAAAAAAAAAAAAAAA.YAAAAAAAAAA");
    assert_eq!(
        (default.created, default.last_updated),
        (JAN_2022, JAN_2022)
    );
    assert_eq!(
        (
            default.cmp_id,
            default.cmp_version,
            default.vendor_list_version
        ),
        (0, 0, 0)
    );
    assert_eq!(&default.consent_language, b"EN");
    assert_eq!(default.tcf_policy_version, 2);
    assert_eq!(default.vendor_express_consent.iter().count(), 0);
    assert!(default.pub_restrictions.is_empty());
    let publisher = default
        .publisher_purposes
        .clone()
        .expect("publisher purposes segment");
    assert!(publisher.custom.is_empty());
    assert_eq!(default.disclosed_vendors, None);

    let full = tcfca("BPSG_8APSG_8AAyACAENGdCgf_gfgAfgfgBhADVqxGAD0AILVgAA.fHHHA4444ao");
    assert_eq!(
        (full.cmp_id, full.cmp_version, full.vendor_list_version),
        (50, 2, 413)
    );
    assert!(full.use_non_standard_stacks);
    assert_eq!(
        full.special_feature_express_consent,
        [
            false, false, false, false, false, false, true, true, true, true, true, true
        ]
    );
    assert_eq!(
        full.vendor_express_consent.iter().collect::<Vec<_>>(),
        [12, 24, 48]
    );
    assert_eq!(
        full.vendor_implied_consent.iter().collect::<Vec<_>>(),
        [18, 30]
    );
    assert!(full.vendor_express_consent.contains(24) && !full.vendor_express_consent.contains(25));
    let custom = &full
        .publisher_purposes
        .as_ref()
        .expect("publisher purposes")
        .custom;
    assert_eq!(custom, &[(false, true), (true, false), (false, true)]);
    // The library's choice of form: built from the ids, the same text.
    let rebuilt = TcfCaV1 {
        vendor_express_consent: OptimizedRange::new([48, 12, 24]),
        vendor_implied_consent: OptimizedRange::new([18, 30]),
        ..full.clone()
    };
    assert_eq!(rebuilt, full);

    let disclosed = tcfca("BPSG_8APSG_8AAAAAAENAACAAAAAAAAAAAAAAAAAAA.YAAAAAAAAAA.IAGO5w");
    let (vendors, _) = disclosed
        .disclosed_vendors
        .clone()
        .expect("disclosed vendors");
    assert_eq!(
        vendors.iter().collect::<Vec<_>>(),
        [1, 2, 3, 5, 6, 7, 10, 11, 12]
    );
    assert_eq!(vendors, OptimizedRange::new([1, 2, 3, 5, 6, 7, 10, 11, 12]));

    let restricted = tcfca("BPSG_8APSG_8AAAAAAENAACAAAAAAAAAAAAAAAAACCgAS7o.YAAAAAAAAAA");
    assert_eq!(restricted.pub_restrictions.len(), 1);
    let r = &restricted.pub_restrictions[0];
    assert_eq!((r.purpose, r.restriction_type), (1, 1));
    assert_eq!(r.vendors.iter().collect::<Vec<_>>(), [1, 2, 3, 5, 6, 7, 9]);
    assert_eq!(r.vendors, OptimizedRange::new([1, 2, 3, 5, 6, 7, 9]));

    // Segments out of order, or an unknown segment type.
    let err = Section::decode(
        5,
        "BPSG_8APSG_8AAAAAAENAACAAAAAAAAAAAAAAAAAAA.IAGO5w.YAAAAAAAAAA",
    )
    .unwrap_err();
    assert!(
        matches!(
            err.problem,
            DecodeProblem::UnexpectedSegment { segment_type: 3 }
        ),
        "{err}"
    );
    let err = Section::decode(5, "CPSG_8APSG_8AAAAAAENAACAAAAAAAAAAAAAAAAAAA").unwrap_err();
    assert_eq!((err.field, err.offset), ("Version", 0));
}

// --- usnat ----------------------------------------------------------------

#[test]
fn usnat_iabgpp_java_decode_1() {
    // UsNatTest.testDecode1 (and testEncode2: the same values encode to it).
    let Section::UsNat(s) = only_section("DBABLA~BVVVkkkkkpFY.YA") else {
        panic!()
    };
    assert_eq!(s.version, UsNatVersion::V1);
    for notice in [
        s.sharing_notice,
        s.sale_opt_out_notice,
        s.sharing_opt_out_notice,
        s.targeted_advertising_opt_out_notice,
        s.sensitive_data_processing_opt_out_notice,
        s.sensitive_data_limit_use_notice,
    ] {
        assert_eq!(notice, Notice::Provided);
    }
    assert_eq!(s.sale_opt_out, OptOut::OptedOut);
    assert_eq!(s.sharing_opt_out, OptOut::OptedOut);
    assert_eq!(s.targeted_advertising_opt_out, OptOut::OptedOut);
    assert_eq!(
        codes(&s.sensitive_data_processing, Consent::code),
        [2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2]
    );
    assert_eq!(
        codes(&s.known_child_sensitive_data_consents, Consent::code),
        [2, 1, 0]
    );
    assert_eq!(s.personal_data_consents, Consent::NoConsent);
    assert!(s.mspa_covered_transaction);
    assert_eq!(s.mspa_opt_out_option_mode, MspaMode::Yes);
    assert_eq!(s.mspa_service_provider_mode, MspaMode::No);
    assert_eq!(s.gpc.map(|g| g.gpc), Some(true));

    // testDecodeWithGpcSegmentExcluded.
    let Section::UsNat(without) = only_section("DBABLA~BVVVkkkkkpFY") else {
        panic!()
    };
    assert_eq!(without.gpc, None);
    assert_eq!(UsNat { gpc: None, ..s }, without);
}

#[test]
fn usnat_first_layout_by_length() {
    // UsNatTest.testDecodeBackwardsCompatibility: 10 characters, the first
    // layout (iabgpp-java pads the missing fields with zeros).
    let Section::UsNatV1(s) = only_section("DBABLA~BVQqAAAACg") else {
        panic!()
    };
    assert_eq!(s.sharing_notice, Notice::Provided);
    assert_eq!(s.targeted_advertising_opt_out_notice, Notice::Provided);
    assert_eq!(
        s.sensitive_data_processing_opt_out_notice,
        Notice::NotApplicable
    );
    assert_eq!(s.sensitive_data_limit_use_notice, Notice::NotApplicable);
    assert_eq!(s.sale_opt_out, OptOut::DidNotOptOut);
    assert_eq!(s.sharing_opt_out, OptOut::DidNotOptOut);
    assert_eq!(s.targeted_advertising_opt_out, OptOut::DidNotOptOut);
    assert_eq!(s.sensitive_data_processing, [Consent::NotApplicable; 12]);
    assert_eq!(
        s.known_child_sensitive_data_consents,
        [Consent::NotApplicable; 2]
    );
    assert_eq!(s.personal_data_consents, Consent::Consent);
    assert!(!s.mspa_covered_transaction);
    assert_eq!(s.mspa_opt_out_option_mode, MspaMode::NotApplicable);
    assert_eq!(s.mspa_service_provider_mode, MspaMode::NotApplicable);
    assert_eq!(s.gpc, None);
    assert_eq!(s.padding, Padding::Sextet);

    // GppModelTest.testDecode8: 11 characters (first layout, byte padding).
    let Section::UsNatV1(s) = only_section("DBABLA~BAAAAAABEQA.QA") else {
        panic!()
    };
    let mut sensitive = [0u8; 12];
    sensitive[11] = 1;
    assert_eq!(
        codes(&s.sensitive_data_processing, Consent::code),
        sensitive
    );
    assert_eq!(
        codes(&s.known_child_sensitive_data_consents, Consent::code),
        [0, 1]
    );
    assert_eq!(s.padding, Padding::Byte);

    // GppModelTest.testDecode9: 12 characters, the current layout.
    let Section::UsNat(s) = only_section("DBABLA~BAAAAAAAAQRA.QA") else {
        panic!()
    };
    let mut sensitive = [0u8; 16];
    sensitive[15] = 1;
    assert_eq!(
        codes(&s.sensitive_data_processing, Consent::code),
        sensitive
    );
    assert_eq!(
        codes(&s.known_child_sensitive_data_consents, Consent::code),
        [0, 0, 1]
    );

    // GppModelTest.testDecode6/7.
    for text in ["DBABLA~BAAAAAAAAQA.QA", "DBABLA~BAAAAAAAAABA.QA"] {
        let gpp = exact(text);
        match gpp.section(7) {
            Some(Section::UsNatV1(s)) => {
                assert_eq!(s.sensitive_data_processing, [Consent::NotApplicable; 12])
            }
            Some(Section::UsNat(s)) => {
                assert_eq!(s.sensitive_data_processing, [Consent::NotApplicable; 16])
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn usnat_iabgpp_es_encodings() {
    // iabgpp-es test/encoder/section/UsNat.test.ts, the `to.eql` encodings.
    let mut s = UsNat {
        gpc: Some(GpcSubsection::new(false)),
        mspa_covered_transaction: true,
        ..UsNat::default()
    };
    assert_eq!(s.version, UsNatVersion::V2);
    assert_eq!(s.encode(), "CAAAAAAAAABA.QA");
    s.gpc = None;
    assert_eq!(s.encode(), "CAAAAAAAAABA");

    let full = UsNat {
        version: UsNatVersion::V2,
        sharing_notice: Notice::Provided,
        sale_opt_out_notice: Notice::Provided,
        sharing_opt_out_notice: Notice::Provided,
        targeted_advertising_opt_out_notice: Notice::Provided,
        sensitive_data_processing_opt_out_notice: Notice::Provided,
        sensitive_data_limit_use_notice: Notice::Provided,
        sale_opt_out: OptOut::OptedOut,
        sharing_opt_out: OptOut::OptedOut,
        targeted_advertising_opt_out: OptOut::OptedOut,
        sensitive_data_processing: [2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2].map(consent),
        known_child_sensitive_data_consents: [2, 1, 0].map(consent),
        personal_data_consents: Consent::NoConsent,
        mspa_covered_transaction: true,
        mspa_opt_out_option_mode: MspaMode::Yes,
        mspa_service_provider_mode: MspaMode::No,
        gpc: Some(GpcSubsection::new(true)),
        padding: Padding::Byte,
    };
    assert_eq!(full.encode(), "CVVVkkkkkpFY.YA");
    assert_eq!(UsNat::decode("CVVVkkkkkpFY.YA").unwrap(), full);

    // "should encode usnat v1 with v1 values": version 1, first layout.
    let v1 = UsNatV1 {
        version: UsNatVersion::V1,
        sensitive_data_processing: [Consent::NoConsent; 12],
        known_child_sensitive_data_consents: [Consent::NoConsent; 2],
        mspa_covered_transaction: true,
        gpc: Some(GpcSubsection::new(false)),
        ..UsNatV1::default()
    };
    assert_eq!(v1.encode(), "BAAAVVVVUQA.QA");
    assert_eq!(only_section("DBABLA~BAAAVVVVUQA.QA"), Section::UsNatV1(v1));

    // "should encode usnat v2 with v1 values" and "... with v2 values".
    let mut v2 = UsNat {
        mspa_covered_transaction: true,
        gpc: Some(GpcSubsection::new(false)),
        ..UsNat::default()
    };
    for slot in v2.sensitive_data_processing.iter_mut().take(12) {
        *slot = Consent::NoConsent;
    }
    v2.known_child_sensitive_data_consents = [
        Consent::NoConsent,
        Consent::NoConsent,
        Consent::NotApplicable,
    ];
    assert_eq!(v2.encode(), "CAAAVVVVAFBA.QA");
    v2.sensitive_data_processing = [Consent::NoConsent; 16];
    v2.known_child_sensitive_data_consents = [Consent::NoConsent; 3];
    assert_eq!(v2.encode(), "CAAAVVVVVVRA.QA");
    assert_eq!(only_section("DBABLA~CAAAVVVVVVRA.QA"), Section::UsNat(v2));
}

fn consent(code: u8) -> Consent {
    Consent::ALL[usize::from(code)]
}

fn opt_out(code: u8) -> OptOut {
    OptOut::ALL[usize::from(code)]
}

// --- state sections -------------------------------------------------------

#[test]
fn usca_iabgpp_java() {
    // UsCaTest.testDecode1 / testEncode2.
    let Section::UsCa(s) = only_section("DBABBg~BVWSSSVY.YA") else {
        panic!()
    };
    let expected = UsCa {
        sale_opt_out_notice: Notice::Provided,
        sharing_opt_out_notice: Notice::Provided,
        sensitive_data_limit_use_notice: Notice::Provided,
        sale_opt_out: OptOut::OptedOut,
        sharing_opt_out: OptOut::OptedOut,
        sensitive_data_processing: [2, 1, 0, 2, 1, 0, 2, 1, 0].map(opt_out),
        known_child_sensitive_data_consents: [2, 1].map(consent),
        personal_data_consents: Consent::NoConsent,
        mspa_covered_transaction: true,
        mspa_opt_out_option_mode: MspaMode::Yes,
        mspa_service_provider_mode: MspaMode::No,
        gpc: Some(GpcSubsection::new(true)),
        padding: Padding::Byte,
    };
    assert_eq!(s, expected);
    assert_eq!(
        UsCa::decode("BVWSSSVY").unwrap(),
        UsCa {
            gpc: None,
            ..expected
        }
    );
    // testEncode1 and testEncodeWithGpcSegmentExcluded.
    let default = UsCa {
        mspa_covered_transaction: true,
        ..UsCa::default()
    };
    assert_eq!(default.encode(), "BAAAAABA");
    assert_eq!(
        UsCa {
            gpc: Some(GpcSubsection::new(false)),
            ..default
        }
        .encode(),
        "BAAAAABA.QA"
    );
}

#[test]
fn usva_iabgpp_java() {
    // UsVaTest.testDecode1 / testEncode2 / testEncode1.
    let Section::UsVa(s) = only_section("DBABRg~BVWSSVY") else {
        panic!()
    };
    let expected = UsVa {
        sharing_notice: Notice::Provided,
        sale_opt_out_notice: Notice::Provided,
        targeted_advertising_opt_out_notice: Notice::Provided,
        sale_opt_out: OptOut::OptedOut,
        targeted_advertising_opt_out: OptOut::OptedOut,
        sensitive_data_processing: [2, 1, 0, 2, 1, 0, 2, 1].map(consent),
        known_child_sensitive_data_consents: Consent::NoConsent,
        mspa_covered_transaction: true,
        mspa_opt_out_option_mode: MspaMode::Yes,
        mspa_service_provider_mode: MspaMode::No,
        padding: Padding::Byte,
    };
    assert_eq!(s, expected);
    assert_eq!(
        UsVa {
            mspa_covered_transaction: true,
            ..UsVa::default()
        }
        .encode(),
        "BAAAABA"
    );
}

#[test]
fn usco_iabgpp_java() {
    // UsCoTest.testDecode1 / testDecodeWithGpcSegmentExcluded / testEncode1.
    let Section::UsCo(s) = only_section("DBABJg~BVWSSVg.YA") else {
        panic!()
    };
    let expected = UsCo {
        sharing_notice: Notice::Provided,
        sale_opt_out_notice: Notice::Provided,
        targeted_advertising_opt_out_notice: Notice::Provided,
        sale_opt_out: OptOut::OptedOut,
        targeted_advertising_opt_out: OptOut::OptedOut,
        sensitive_data_processing: [2, 1, 0, 2, 1, 0, 2].map(consent),
        known_child_sensitive_data_consents: Consent::NoConsent,
        mspa_covered_transaction: true,
        mspa_opt_out_option_mode: MspaMode::Yes,
        mspa_service_provider_mode: MspaMode::No,
        gpc: Some(GpcSubsection::new(true)),
        padding: Padding::Byte,
    };
    assert_eq!(s, expected);
    assert_eq!(
        UsCo::decode("BVWSSVg").unwrap(),
        UsCo {
            gpc: None,
            ..expected
        }
    );
    let default = UsCo {
        mspa_covered_transaction: true,
        ..UsCo::default()
    };
    assert_eq!(default.encode(), "BAAAAEA");
    assert_eq!(
        UsCo {
            gpc: Some(GpcSubsection::new(false)),
            ..default
        }
        .encode(),
        "BAAAAEA.QA"
    );
}

#[test]
fn usut_iabgpp_java() {
    // UsUtTest.testDecode1 / testEncode2 / testEncode1.
    let Section::UsUt(s) = only_section("DBABFg~BVVkklWA") else {
        panic!()
    };
    let expected = UsUt {
        sharing_notice: Notice::Provided,
        sale_opt_out_notice: Notice::Provided,
        targeted_advertising_opt_out_notice: Notice::Provided,
        sensitive_data_processing_opt_out_notice: Notice::Provided,
        sale_opt_out: OptOut::OptedOut,
        targeted_advertising_opt_out: OptOut::OptedOut,
        sensitive_data_processing: [2, 1, 0, 2, 1, 0, 2, 1].map(opt_out),
        known_child_sensitive_data_consents: Consent::NoConsent,
        mspa_covered_transaction: true,
        mspa_opt_out_option_mode: MspaMode::Yes,
        mspa_service_provider_mode: MspaMode::No,
        padding: Padding::Byte,
    };
    assert_eq!(s, expected);
    assert_eq!(
        UsUt {
            mspa_covered_transaction: true,
            ..UsUt::default()
        }
        .encode(),
        "BAAAAAQA"
    );
}

#[test]
fn usct_iabgpp_java() {
    // UsCtTest.testDecode1 / testDecodeWithGpcSegmentExcluded / testEncode1.
    let Section::UsCt(s) = only_section("DBABVg~BVWSSZFg.YA") else {
        panic!()
    };
    let expected = UsCt {
        sharing_notice: Notice::Provided,
        sale_opt_out_notice: Notice::Provided,
        targeted_advertising_opt_out_notice: Notice::Provided,
        sale_opt_out: OptOut::OptedOut,
        targeted_advertising_opt_out: OptOut::OptedOut,
        sensitive_data_processing: [2, 1, 0, 2, 1, 0, 2, 1].map(consent),
        known_child_sensitive_data_consents: [2, 1, 0].map(consent),
        mspa_covered_transaction: true,
        mspa_opt_out_option_mode: MspaMode::Yes,
        mspa_service_provider_mode: MspaMode::No,
        gpc: Some(GpcSubsection::new(true)),
        padding: Padding::Byte,
    };
    assert_eq!(s, expected);
    assert_eq!(
        UsCt::decode("BVWSSZFg").unwrap(),
        UsCt {
            gpc: None,
            ..expected
        }
    );
    let default = UsCt {
        mspa_covered_transaction: true,
        ..UsCt::default()
    };
    assert_eq!(default.encode(), "BAAAAAEA");
    assert_eq!(
        UsCt {
            gpc: Some(GpcSubsection::new(false)),
            ..default
        }
        .encode(),
        "BAAAAAEA.QA"
    );
}

#[test]
fn iab_gpp_crate_test_data() {
    // iab_gpp tests/data/*.json: the string and, per file, the values its
    // expected JSON gives (as codes: 0 not applicable, 1, 2).
    let Section::UsNatV1(s) = only_section("DBABLA~BVVVVVVVVWA.YA") else {
        panic!()
    };
    assert_eq!(s.sale_opt_out, OptOut::OptedOut);
    assert_eq!(s.sensitive_data_processing, [Consent::NoConsent; 12]);
    assert_eq!(
        s.known_child_sensitive_data_consents,
        [Consent::NoConsent; 2]
    );
    assert_eq!(s.personal_data_consents, Consent::NoConsent);
    assert!(s.mspa_covered_transaction);
    assert_eq!(
        (s.mspa_opt_out_option_mode, s.mspa_service_provider_mode),
        (MspaMode::Yes, MspaMode::No)
    );
    assert_eq!(s.gpc.map(|g| g.gpc), Some(true));
    let Section::UsNatV1(s) = only_section("DBABLA~BVVVVVVVVWA") else {
        panic!()
    };
    assert_eq!(s.gpc, None);
    let Section::UsNatV1(s) = only_section("DBABLA~BAAAAAAAAQA") else {
        panic!()
    };
    assert_eq!(s.sharing_notice, Notice::NotApplicable);

    // usnat_v2_not_applicable: a one-character GPC sub-section.
    let Section::UsNat(s) = only_section("DBABLA~CAAAAAAAAAWA.Q") else {
        panic!()
    };
    assert_eq!(s.version, UsNatVersion::V2);
    assert_eq!(s.sensitive_data_processing, [Consent::NotApplicable; 16]);
    assert_eq!(
        s.known_child_sensitive_data_consents,
        [
            Consent::NotApplicable,
            Consent::NotApplicable,
            Consent::NoConsent
        ]
    );
    assert_eq!(s.personal_data_consents, Consent::NoConsent);
    assert!(!s.mspa_covered_transaction);
    assert_eq!(
        s.gpc,
        Some(GpcSubsection {
            gpc: false,
            padding: Padding::Sextet
        })
    );

    let Section::UsCa(s) = only_section("DBABBg~BVqqqqpY.YA") else {
        panic!()
    };
    assert_eq!(s.sale_opt_out, OptOut::DidNotOptOut);
    assert_eq!(s.sensitive_data_processing, [OptOut::DidNotOptOut; 9]);
    assert_eq!(s.known_child_sensitive_data_consents, [Consent::Consent; 2]);
    assert_eq!(s.personal_data_consents, Consent::Consent);
    assert_eq!(s.gpc.map(|g| g.gpc), Some(true));
    for text in ["DBABBg~BAAAAACA", "DBABBg~BVVVVVVY"] {
        assert!(matches!(only_section(text), Section::UsCa(_)));
    }
    for text in ["DBABJg~BAAAAEA", "DBABJg~BVVVVVg", "DBABJg~BVVVVVg.YA"] {
        assert!(matches!(only_section(text), Section::UsCo(_)));
    }
    for text in ["DBABVg~BAAAAAEA", "DBABVg~BVVVVVVg", "DBABVg~BVVVVVVg.YA"] {
        assert!(matches!(only_section(text), Section::UsCt(_)));
    }
    let Section::UsUt(s) = only_section("DBABFg~BVVVVVmA") else {
        panic!()
    };
    assert_eq!(s.sensitive_data_processing, [OptOut::OptedOut; 8]);
    assert!(!s.mspa_covered_transaction);
    assert!(matches!(only_section("DBABFg~BAAAAAQA"), Section::UsUt(_)));
    let Section::UsVa(s) = only_section("DBABRg~BVVVVWY") else {
        panic!()
    };
    assert_eq!(s.sensitive_data_processing, [Consent::NoConsent; 8]);
    assert!(matches!(only_section("DBABRg~BAAAABA"), Section::UsVa(_)));
}

// --- malformed ------------------------------------------------------------

#[track_caller]
fn bad(text: &str, format: &str, field: &str, offset: usize) -> DecodeProblem {
    let err = GppString::decode(text).expect_err(text);
    assert_eq!(
        (err.format, err.field, err.offset),
        (format, field, offset),
        "{text}: {err}"
    );
    err.problem
}

#[test]
fn malformed_strings_name_the_field_and_offset() {
    assert_eq!(bad("", "gpp header", "text", 0), DecodeProblem::Empty);
    assert!(matches!(
        bad("DB+A", "gpp header", "text", 12),
        DecodeProblem::BadBase64Char {
            index: 2,
            found: '+'
        }
    ));
    assert!(matches!(
        bad("EBAA", "gpp header", "Type", 0),
        DecodeProblem::OutOfRange { value: 4, .. }
    ));
    assert!(matches!(
        bad("DCAA", "gpp header", "Version", 6),
        DecodeProblem::UnsupportedVersion { found: 2, .. }
    ));
    // The header lists one section, the string has none, or two.
    assert!(matches!(
        bad("DBABTA", "gpp header", "Sections", 24),
        DecodeProblem::SectionCount {
            header: 1,
            found: 0
        }
    ));
    assert!(matches!(
        bad("DBABTA~1YNN~1YNN", "gpp header", "Sections", 30),
        DecodeProblem::SectionCount {
            header: 1,
            found: 2
        }
    ));
    assert!(matches!(
        bad("DBAA~1YNN", "gpp header", "Sections", 24),
        DecodeProblem::SectionCount {
            header: 0,
            found: 1
        }
    ));
    // Cut inside the Fibonacci code.
    assert!(matches!(
        bad("DBAB", "gpp header", "Sections", 24),
        DecodeProblem::EndOfInput { .. }
    ));
    assert!(matches!(
        bad("DBABQ", "gpp header", "Sections", 25),
        DecodeProblem::EndOfInput { .. }
    ));
    // Padding that is not zero, and one character too many.
    assert_eq!(
        bad("DBABTB~1YNN", "gpp header", "padding", 35),
        DecodeProblem::NonZeroPadding
    );
    assert!(matches!(
        bad("DBABTAA~1YNN", "gpp header", "padding", 30),
        DecodeProblem::TrailingCharacters {
            chars: 7,
            expected: 6
        }
    ));
    // Ids 6 and 7 as two single items instead of one group.
    assert!(matches!(
        bad("DBACTYA~1YNN~BAAAAAAAAABA", "gpp header", "Sections", 30),
        DecodeProblem::Forbidden { .. }
    ));
    // A section that does not decode: its own format and field.
    assert!(matches!(
        bad("DBABTA~1YXN", "us privacy string", "opt_out_sale", 16),
        DecodeProblem::UnexpectedChar {
            index: 2,
            found: 'X',
            ..
        }
    ));
    assert!(matches!(
        bad(
            "DBABLA~BVVVkkkkkpF3.YA",
            "gpp usnat section",
            "MspaOptOutOptionMode",
            66
        ),
        DecodeProblem::OutOfRange { value: 3, .. }
    ));
    // MspaCoveredTransaction 0 (iabgpp's validators reject it too).
    assert!(matches!(
        bad(
            "DBABRg~BAAAAAA",
            "gpp usva section",
            "MspaCoveredTransaction",
            34
        ),
        DecodeProblem::OutOfRange { value: 0, .. }
    ));
    // A GPC sub-section of the wrong type, or where the section has none.
    assert!(matches!(
        bad(
            "DBABLA~BVVVkkkkkpFY.gA",
            "gpp usnat section",
            "SubsectionType",
            0
        ),
        DecodeProblem::OutOfRange { value: 2, .. }
    ));
    assert!(matches!(
        bad("DBABRg~BVWSSVY.YA", "gpp usva section", "sub-section", 48),
        DecodeProblem::UnexpectedSegment { .. }
    ));
    assert!(matches!(
        bad(
            "DBABLA~BVVVkkkkkpFY.YA.YA",
            "gpp usnat section",
            "sub-section",
            78
        ),
        DecodeProblem::UnexpectedSegment { .. }
    ));
    // An unknown version of a state section.
    assert!(matches!(
        bad("DBABBg~CVWSSSVY", "gpp usca section", "Version", 0),
        DecodeProblem::UnsupportedVersion { found: 2, .. }
    ));
}

// --- round trips of random values -----------------------------------------

fn two_bit<T: Copy + std::fmt::Debug + 'static>(all: [T; 3]) -> impl Strategy<Value = T> {
    (0usize..3).prop_map(move |i| all[i])
}

fn padding() -> impl Strategy<Value = Padding> {
    prop_oneof![Just(Padding::Byte), Just(Padding::Sextet)]
}

fn gpc() -> impl Strategy<Value = Option<GpcSubsection>> {
    proptest::option::of(
        (any::<bool>(), padding()).prop_map(|(gpc, padding)| GpcSubsection { gpc, padding }),
    )
}

fn usnat() -> impl Strategy<Value = UsNat> {
    (
        prop_oneof![Just(UsNatVersion::V1), Just(UsNatVersion::V2)],
        proptest::array::uniform6(two_bit(Notice::ALL)),
        proptest::array::uniform3(two_bit(OptOut::ALL)),
        proptest::array::uniform16(two_bit(Consent::ALL)),
        proptest::array::uniform3(two_bit(Consent::ALL)),
        two_bit(Consent::ALL),
        any::<bool>(),
        proptest::array::uniform2(two_bit(MspaMode::ALL)),
        gpc(),
        padding(),
    )
        .prop_map(
            |(version, n, o, sensitive, child, personal, covered, modes, gpc, padding)| UsNat {
                version,
                sharing_notice: n[0],
                sale_opt_out_notice: n[1],
                sharing_opt_out_notice: n[2],
                targeted_advertising_opt_out_notice: n[3],
                sensitive_data_processing_opt_out_notice: n[4],
                sensitive_data_limit_use_notice: n[5],
                sale_opt_out: o[0],
                sharing_opt_out: o[1],
                targeted_advertising_opt_out: o[2],
                sensitive_data_processing: sensitive,
                known_child_sensitive_data_consents: child,
                personal_data_consents: personal,
                mspa_covered_transaction: covered,
                mspa_opt_out_option_mode: modes[0],
                mspa_service_provider_mode: modes[1],
                gpc,
                padding,
            },
        )
}

fn usnat_v1() -> impl Strategy<Value = UsNatV1> {
    (usnat(), proptest::array::uniform12(two_bit(Consent::ALL))).prop_map(|(n, sensitive)| {
        UsNatV1 {
            version: n.version,
            sharing_notice: n.sharing_notice,
            sale_opt_out_notice: n.sale_opt_out_notice,
            sharing_opt_out_notice: n.sharing_opt_out_notice,
            targeted_advertising_opt_out_notice: n.targeted_advertising_opt_out_notice,
            sensitive_data_processing_opt_out_notice: n.sensitive_data_processing_opt_out_notice,
            sensitive_data_limit_use_notice: n.sensitive_data_limit_use_notice,
            sale_opt_out: n.sale_opt_out,
            sharing_opt_out: n.sharing_opt_out,
            targeted_advertising_opt_out: n.targeted_advertising_opt_out,
            sensitive_data_processing: sensitive,
            known_child_sensitive_data_consents: [
                n.known_child_sensitive_data_consents[0],
                n.known_child_sensitive_data_consents[1],
            ],
            personal_data_consents: n.personal_data_consents,
            mspa_covered_transaction: n.mspa_covered_transaction,
            mspa_opt_out_option_mode: n.mspa_opt_out_option_mode,
            mspa_service_provider_mode: n.mspa_service_provider_mode,
            gpc: n.gpc,
            padding: n.padding,
        }
    })
}

/// A state section, built from a random usnat's values.
fn states(n: &UsNat, ca_sensitive: [OptOut; 9]) -> Vec<Section> {
    let s = &n.sensitive_data_processing;
    let ut_sensitive = [
        ca_sensitive[0],
        ca_sensitive[1],
        ca_sensitive[2],
        ca_sensitive[3],
        ca_sensitive[4],
        ca_sensitive[5],
        ca_sensitive[6],
        ca_sensitive[7],
    ];
    let common = (
        n.mspa_covered_transaction,
        n.mspa_opt_out_option_mode,
        n.mspa_service_provider_mode,
    );
    vec![
        Section::UsCa(UsCa {
            sale_opt_out_notice: n.sale_opt_out_notice,
            sharing_opt_out_notice: n.sharing_opt_out_notice,
            sensitive_data_limit_use_notice: n.sensitive_data_limit_use_notice,
            sale_opt_out: n.sale_opt_out,
            sharing_opt_out: n.sharing_opt_out,
            sensitive_data_processing: ca_sensitive,
            known_child_sensitive_data_consents: [
                n.known_child_sensitive_data_consents[0],
                n.known_child_sensitive_data_consents[1],
            ],
            personal_data_consents: n.personal_data_consents,
            mspa_covered_transaction: common.0,
            mspa_opt_out_option_mode: common.1,
            mspa_service_provider_mode: common.2,
            gpc: n.gpc,
            padding: n.padding,
        }),
        Section::UsVa(UsVa {
            sharing_notice: n.sharing_notice,
            sale_opt_out_notice: n.sale_opt_out_notice,
            targeted_advertising_opt_out_notice: n.targeted_advertising_opt_out_notice,
            sale_opt_out: n.sale_opt_out,
            targeted_advertising_opt_out: n.targeted_advertising_opt_out,
            sensitive_data_processing: [s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]],
            known_child_sensitive_data_consents: n.personal_data_consents,
            mspa_covered_transaction: common.0,
            mspa_opt_out_option_mode: common.1,
            mspa_service_provider_mode: common.2,
            padding: n.padding,
        }),
        Section::UsCo(UsCo {
            sharing_notice: n.sharing_notice,
            sale_opt_out_notice: n.sale_opt_out_notice,
            targeted_advertising_opt_out_notice: n.targeted_advertising_opt_out_notice,
            sale_opt_out: n.sale_opt_out,
            targeted_advertising_opt_out: n.targeted_advertising_opt_out,
            sensitive_data_processing: [s[8], s[9], s[10], s[11], s[12], s[13], s[14]],
            known_child_sensitive_data_consents: n.personal_data_consents,
            mspa_covered_transaction: common.0,
            mspa_opt_out_option_mode: common.1,
            mspa_service_provider_mode: common.2,
            gpc: n.gpc,
            padding: n.padding,
        }),
        Section::UsUt(UsUt {
            sharing_notice: n.sharing_notice,
            sale_opt_out_notice: n.sale_opt_out_notice,
            targeted_advertising_opt_out_notice: n.targeted_advertising_opt_out_notice,
            sensitive_data_processing_opt_out_notice: n.sensitive_data_processing_opt_out_notice,
            sale_opt_out: n.sale_opt_out,
            targeted_advertising_opt_out: n.targeted_advertising_opt_out,
            sensitive_data_processing: ut_sensitive,
            known_child_sensitive_data_consents: n.personal_data_consents,
            mspa_covered_transaction: common.0,
            mspa_opt_out_option_mode: common.1,
            mspa_service_provider_mode: common.2,
            padding: n.padding,
        }),
        Section::UsCt(UsCt {
            sharing_notice: n.sharing_notice,
            sale_opt_out_notice: n.sale_opt_out_notice,
            targeted_advertising_opt_out_notice: n.targeted_advertising_opt_out_notice,
            sale_opt_out: n.sale_opt_out,
            targeted_advertising_opt_out: n.targeted_advertising_opt_out,
            sensitive_data_processing: [s[15], s[14], s[13], s[12], s[11], s[10], s[9], s[8]],
            known_child_sensitive_data_consents: n.known_child_sensitive_data_consents,
            mspa_covered_transaction: common.0,
            mspa_opt_out_option_mode: common.1,
            mspa_service_provider_mode: common.2,
            gpc: n.gpc,
            padding: n.padding,
        }),
    ]
}

fn vendor_set() -> impl Strategy<Value = OptimizedRange> {
    proptest::collection::vec(1u16..400, 0..20).prop_map(OptimizedRange::new)
}

fn flags<const N: usize>() -> impl Strategy<Value = [bool; N]> {
    proptest::collection::vec(any::<bool>(), N).prop_map(|v| {
        let mut out = [false; N];
        out.copy_from_slice(&v);
        out
    })
}

fn tcfcav1() -> impl Strategy<Value = TcfCaV1> {
    (
        (
            0u64..(1 << 36),
            0u64..(1 << 36),
            0u16..4096,
            0u16..4096,
            0u8..64,
        ),
        (
            proptest::array::uniform2(b'A'..=b'Z'),
            0u16..4096,
            0u8..64,
            any::<bool>(),
        ),
        (flags::<12>(), flags::<24>(), flags::<24>()),
        (vendor_set(), vendor_set()),
        proptest::collection::vec((0u8..64, 0u8..4, vendor_set()), 0..3),
        (
            padding(),
            proptest::option::of((
                flags::<24>(),
                flags::<24>(),
                proptest::collection::vec(any::<(bool, bool)>(), 0..8),
                padding(),
            )),
        ),
        proptest::option::of((vendor_set(), padding())),
    )
        .prop_map(
            |(a, b, c, v, restrictions, (pad, publisher), disclosed)| TcfCaV1 {
                created: a.0,
                last_updated: a.1,
                cmp_id: a.2,
                cmp_version: a.3,
                consent_screen: a.4,
                consent_language: b.0,
                vendor_list_version: b.1,
                tcf_policy_version: b.2,
                use_non_standard_stacks: b.3,
                special_feature_express_consent: c.0,
                purposes_express_consent: c.1,
                purposes_implied_consent: c.2,
                vendor_express_consent: v.0,
                vendor_implied_consent: v.1,
                pub_restrictions: restrictions
                    .into_iter()
                    .map(|(purpose, restriction_type, vendors)| {
                        consentry::codec::gpp::PubRestriction {
                            purpose,
                            restriction_type,
                            vendors,
                        }
                    })
                    .collect(),
                padding: pad,
                publisher_purposes: publisher.map(
                    |(express_consent, implied_consent, custom, padding)| {
                        consentry::codec::gpp::TcfCaPublisherPurposes {
                            express_consent,
                            implied_consent,
                            custom,
                            padding,
                        }
                    },
                ),
                disclosed_vendors: disclosed,
            },
        )
}

/// Where `Padding::Sextet` gives the same length as `Padding::Byte`, the
/// decoder reports `Byte`: the text is the same either way.
fn normalized(gpp: &GppString) -> String {
    gpp.encode()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_is_identity(
        usnat in usnat(),
        first_layout in any::<bool>(),
        v1 in usnat_v1(),
        ca_sensitive in proptest::array::uniform9(two_bit(OptOut::ALL)),
        keep in proptest::collection::vec(any::<bool>(), 7),
        opaque in proptest::collection::btree_map(13u16..=4095, "[A-Za-z0-9._-]{0,20}", 0..4),
        usp in prop_oneof![
            Just(UsPrivacy::NOT_APPLICABLE),
            (0usize..3, any::<bool>(), 0usize..3).prop_map(|(n, o, l)| {
                use consentry::codec::usp::UspFlag;
                let flags = [UspFlag::Yes, UspFlag::No, UspFlag::NotApplicable];
                UsPrivacy::applies(flags[n], o, flags[l])
            }),
        ],
        header_padding in padding(),
    ) {
        let mut gpp = GppString::new();
        gpp.set_header_padding(header_padding);
        if keep[0] {
            gpp.insert(Section::UspV1(usp));
        }
        if keep[1] {
            gpp.insert(if first_layout { Section::UsNatV1(v1) } else { Section::UsNat(usnat.clone()) });
        }
        for (section, keep) in states(&usnat, ca_sensitive).into_iter().zip(&keep[2..]) {
            if *keep {
                gpp.insert(section);
            }
        }
        for (id, text) in opaque {
            gpp.insert(Section::Opaque(consentry::codec::gpp::OpaqueSection::new(id, text).unwrap()));
        }
        let text = gpp.encode();
        let decoded = GppString::decode(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        // The text is exact; the values are equal up to the padding tie.
        prop_assert_eq!(decoded.encode(), text.clone());
        prop_assert_eq!(normalized(&decoded), normalized(&gpp));
        prop_assert_eq!(decoded.sections().len(), gpp.sections().len());
        prop_assert_eq!(decoded.section_ids().collect::<Vec<_>>(), gpp.section_ids().collect::<Vec<_>>());
    }

    #[test]
    fn byte_padded_values_decode_equal(usnat in usnat(), ca in proptest::array::uniform9(two_bit(OptOut::ALL))) {
        let usnat = UsNat { padding: Padding::Byte, gpc: usnat.gpc.map(|g| GpcSubsection { padding: Padding::Byte, ..g }), ..usnat };
        let mut gpp = GppString::new();
        gpp.insert(Section::UsNat(usnat.clone()));
        for section in states(&usnat, ca) {
            gpp.insert(section);
        }
        let decoded = GppString::decode(&gpp.encode()).unwrap();
        prop_assert_eq!(decoded, gpp);
    }

    #[test]
    fn tcfcav1_round_trips(section in tcfcav1()) {
        let text = section.encode();
        let decoded = TcfCaV1::decode(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(decoded.encode(), text);
        // Equal up to the padding tie (see `normalized`).
        prop_assert_eq!(&decoded.vendor_express_consent, &section.vendor_express_consent);
        prop_assert_eq!(&decoded.pub_restrictions, &section.pub_restrictions);
        prop_assert_eq!(decoded.disclosed_vendors.map(|d| d.0), section.disclosed_vendors.map(|d| d.0));
        prop_assert_eq!(decoded.publisher_purposes.map(|p| p.custom), section.publisher_purposes.map(|p| p.custom));
    }

    #[test]
    fn decoding_arbitrary_text_never_panics(text in "[A-Za-z0-9~._+/ -]{0,80}") {
        if let Ok(gpp) = GppString::decode(&text) {
            // Whatever decodes encodes back to the same text.
            prop_assert_eq!(gpp.encode(), text);
        }
    }

    #[test]
    fn decoding_mutated_vectors_is_exact_or_an_error(
        index in 0usize..40,
        replacement in "[A-Za-z0-9._~-]",
    ) {
        let base = "DBACOeA~1YNN~BVVVkkkkkpFY.YA~BVWSSSVY.YA";
        let mut text: String = base.to_owned();
        if index < text.len() {
            text.replace_range(index..=index, &replacement);
        }
        if let Ok(gpp) = GppString::decode(&text) {
            prop_assert_eq!(gpp.encode(), text);
        }
    }
}
