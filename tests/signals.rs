//! The US Privacy, Global Privacy Control and Consent Mode codecs: the
//! specifications' examples, malformed input, and round trips of random
//! values. Sources: tests/data/gpp/README.md.

use consentry::codec::DecodeProblem;
use consentry::codec::consent_mode::{ConsentMode, ConsentModeStatus, ConsentType};
use consentry::codec::gpc::Gpc;
use consentry::codec::usp::{UsPrivacy, UspFlag};
use proptest::prelude::*;

// --- US Privacy -------------------------------------------------------------

#[test]
fn us_privacy_specification_examples() {
    // "US Privacy String Format", examples 1 to 4.
    let usp: UsPrivacy = "1YNN".parse().unwrap();
    assert_eq!(
        (usp.notice(), usp.opted_out_of_sale(), usp.lspa_covered()),
        (UspFlag::Yes, false, UspFlag::No)
    );
    let usp: UsPrivacy = "1NYN".parse().unwrap();
    assert_eq!(
        (usp.notice(), usp.opted_out_of_sale(), usp.lspa_covered()),
        (UspFlag::No, true, UspFlag::No)
    );
    let usp: UsPrivacy = "1-Y-".parse().unwrap();
    assert_eq!(
        (usp.notice(), usp.opted_out_of_sale(), usp.lspa_covered()),
        (UspFlag::NotApplicable, true, UspFlag::NotApplicable)
    );
    let usp: UsPrivacy = "1---".parse().unwrap();
    assert_eq!(usp, UsPrivacy::NOT_APPLICABLE);
    assert!(!usp.ccpa_applies());
    for text in ["1YNN", "1NYN", "1-Y-", "1---"] {
        assert_eq!(UsPrivacy::decode(text).unwrap().encode(), text);
    }
}

#[test]
fn us_privacy_iabgpp_java_vectors() {
    // UspV1Test.testDecode1/2 and testEncode2.
    let usp = UsPrivacy::decode("1NYN").unwrap();
    assert_eq!(
        (usp.notice(), usp.opt_out_sale(), usp.lspa_covered()),
        (UspFlag::No, UspFlag::Yes, UspFlag::No)
    );
    let usp = UsPrivacy::decode("1YNY").unwrap();
    assert_eq!(
        (usp.notice(), usp.opt_out_sale(), usp.lspa_covered()),
        (UspFlag::Yes, UspFlag::No, UspFlag::Yes)
    );
    assert_eq!(
        UsPrivacy::applies(UspFlag::Yes, false, UspFlag::No).encode(),
        "1YNN"
    );
}

#[track_caller]
fn usp_error(text: &str, field: &str, offset: usize) -> DecodeProblem {
    let err = UsPrivacy::decode(text).expect_err(text);
    assert_eq!(
        (err.format, err.field, err.offset),
        ("us privacy string", field, offset),
        "{text}: {err}"
    );
    err.problem
}

#[test]
fn us_privacy_malformed() {
    assert_eq!(
        usp_error("", "string", 0),
        DecodeProblem::WrongLength {
            found: 0,
            expected: 4
        }
    );
    assert_eq!(
        usp_error("1YNNN", "string", 0),
        DecodeProblem::WrongLength {
            found: 5,
            expected: 4
        }
    );
    assert!(matches!(
        usp_error("2YNN", "version", 0),
        DecodeProblem::UnexpectedChar {
            index: 0,
            found: '2',
            ..
        }
    ));
    assert!(matches!(
        usp_error("1yNN", "notice", 8),
        DecodeProblem::UnexpectedChar {
            index: 1,
            found: 'y',
            ..
        }
    ));
    assert!(matches!(
        usp_error("1Y N", "opt_out_sale", 16),
        DecodeProblem::UnexpectedChar {
            index: 2,
            found: ' ',
            ..
        }
    ));
    assert!(matches!(
        usp_error("1YN?", "lspa_covered", 24),
        DecodeProblem::UnexpectedChar {
            index: 3,
            found: '?',
            ..
        }
    ));
    // `-` for the opt-out only when the CCPA does not apply.
    assert!(matches!(
        usp_error("1Y-N", "opt_out_sale", 16),
        DecodeProblem::Forbidden { .. }
    ));
    assert!(matches!(
        usp_error("1Y--", "opt_out_sale", 16),
        DecodeProblem::Forbidden { .. }
    ));
    // A multi-byte character: four bytes, not four characters.
    assert!(matches!(
        usp_error("1é-", "notice", 8),
        DecodeProblem::UnexpectedChar {
            index: 1,
            found: 'é',
            ..
        }
    ));
    let err = UsPrivacy::decode("1Y-N").unwrap_err();
    assert_eq!(
        err.to_string(),
        "us privacy string, field `opt_out_sale`, bit 16: `-` for the opt-out of sale only in `1---` (the CCPA does not apply)"
    );
}

// --- Global Privacy Control -------------------------------------------------

#[test]
fn gpc_header_values() {
    // §3.3: the signal is present only for a field value of exactly "1";
    // anything else is ignored as if there were no header.
    assert_eq!(Gpc::from_header_value(b"1"), Gpc::Set);
    assert_eq!(Gpc::from_header_value(b"  1 "), Gpc::Set);
    for ignored in ["", "0", "true", "yes", "1 1", "11", "\u{b}1"] {
        assert_eq!(
            Gpc::from_header_value(ignored.as_bytes()),
            Gpc::NotSet,
            "{ignored:?}"
        );
    }
    // Several headers: one exactly "1" is enough.
    assert_eq!(Gpc::from_header_values(["garbage", "1"]), Gpc::Set);
    assert_eq!(Gpc::from_header_values(["garbage", "0"]), Gpc::NotSet);
    // §3.4: the JavaScript property mirrors the header.
    assert_eq!(
        Gpc::from_global_privacy_control(true).header_value(),
        Some("1")
    );
    assert_eq!(Gpc::from_global_privacy_control(false).header_value(), None);
    assert!(Gpc::Set.global_privacy_control());
    assert_eq!(Gpc::default(), Gpc::NotSet);
}

// --- Consent Mode -------------------------------------------------------------

#[test]
fn consent_mode_gtag_shape() {
    let json = r#"{
        "ad_storage": "denied",
        "ad_user_data": "denied",
        "ad_personalization": "denied",
        "analytics_storage": "granted",
        "functionality_storage": "granted",
        "personalization_storage": "denied",
        "security_storage": "granted"
    }"#;
    let mode = ConsentMode::from_json(json).unwrap();
    assert_eq!(
        mode.get(ConsentType::AdStorage),
        Some(ConsentModeStatus::Denied)
    );
    assert_eq!(
        mode.get(ConsentType::AnalyticsStorage),
        Some(ConsentModeStatus::Granted)
    );
    assert_eq!(
        mode.get(ConsentType::SecurityStorage),
        Some(ConsentModeStatus::Granted)
    );
    assert_eq!(mode.iter().count(), 7);
    assert_eq!(
        mode.to_json(),
        r#"{"ad_storage":"denied","ad_user_data":"denied","ad_personalization":"denied","analytics_storage":"granted","functionality_storage":"granted","personalization_storage":"denied","security_storage":"granted"}"#
    );
    // serde gives the same object.
    assert_eq!(serde_json::to_string(&mode).unwrap(), mode.to_json());
    assert_eq!(
        serde_json::from_str::<ConsentMode>(&mode.to_json()).unwrap(),
        mode
    );
    // An update names only what changes.
    assert_eq!(ConsentMode::from_json("{}").unwrap(), ConsentMode::new());
    assert_eq!(ConsentMode::new().to_json(), "{}");
}

#[track_caller]
fn mode_error(json: &str, field: &str) -> DecodeProblem {
    let err = ConsentMode::from_json(json).expect_err(json);
    assert_eq!(
        (err.format, err.field),
        ("consent mode", field),
        "{json}: {err}"
    );
    err.problem
}

#[test]
fn consent_mode_malformed_names_the_key() {
    assert_eq!(
        mode_error(r#"{"ad_storage": "yes"}"#, "ad_storage"),
        DecodeProblem::BadValue {
            found: "\"yes\"".to_owned(),
            expected: "\"granted\" or \"denied\""
        }
    );
    assert!(matches!(
        mode_error(r#"{"ad_storage": true}"#, "ad_storage"),
        DecodeProblem::BadValue { .. }
    ));
    assert!(matches!(
        mode_error(r#"{"ad_storage": "Granted"}"#, "ad_storage"),
        DecodeProblem::BadValue { .. }
    ));
    assert_eq!(
        mode_error(r#"{"ads_storage": "granted"}"#, "key"),
        DecodeProblem::UnknownKey {
            key: "ads_storage".to_owned()
        }
    );
    assert_eq!(
        mode_error(
            r#"{"analytics_storage": "granted", "analytics_storage": "denied"}"#,
            "analytics_storage"
        ),
        DecodeProblem::RepeatedKey
    );
    assert!(matches!(
        mode_error("[]", "object"),
        DecodeProblem::Json { .. }
    ));
    assert!(matches!(
        mode_error(r#"{"ad_storage": "granted""#, "object"),
        DecodeProblem::Json { .. }
    ));
    assert!(matches!(
        mode_error(r#"{} {}"#, "object"),
        DecodeProblem::Json { .. }
    ));
    let err = ConsentMode::from_json(r#"{"wait_for_update": 500}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "consent mode, field `key`, bit 0: unknown key `wait_for_update`"
    );
    // serde reports the same message.
    let err = serde_json::from_str::<ConsentMode>(r#"{"ad_storage": 1}"#).unwrap_err();
    assert!(err.to_string().contains("ad_storage"), "{err}");
}

// --- Round trips --------------------------------------------------------------

fn usp_flag() -> impl Strategy<Value = UspFlag> {
    prop_oneof![
        Just(UspFlag::Yes),
        Just(UspFlag::No),
        Just(UspFlag::NotApplicable)
    ]
}

fn status() -> impl Strategy<Value = Option<ConsentModeStatus>> {
    proptest::option::of(prop_oneof![
        Just(ConsentModeStatus::Granted),
        Just(ConsentModeStatus::Denied)
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn us_privacy_round_trips(notice in usp_flag(), opted_out in any::<bool>(), lspa in usp_flag(), na in any::<bool>()) {
        let usp = if na { UsPrivacy::NOT_APPLICABLE } else { UsPrivacy::applies(notice, opted_out, lspa) };
        let text = usp.encode();
        prop_assert_eq!(text.len(), 4);
        prop_assert_eq!(UsPrivacy::decode(&text).unwrap(), usp);
    }

    #[test]
    fn us_privacy_arbitrary_text_is_exact_or_an_error(text in "[1-3YN\\-a-z ]{0,6}") {
        if let Ok(usp) = UsPrivacy::decode(&text) {
            prop_assert_eq!(usp.encode(), text);
        }
    }

    #[test]
    fn gpc_round_trips(set in any::<bool>()) {
        let gpc = Gpc::from_global_privacy_control(set);
        let headers: Vec<&str> = gpc.header_value().into_iter().collect();
        prop_assert_eq!(Gpc::from_header_values(headers), gpc);
    }

    #[test]
    fn gpc_any_value_is_set_only_if_exactly_one(value in proptest::collection::vec(any::<u8>(), 0..6)) {
        let trimmed: Vec<u8> = value.iter().copied().skip_while(|b| *b == b' ' || *b == b'\t').collect();
        let expected = String::from_utf8_lossy(&trimmed).trim_end_matches([' ', '\t']) == "1"
            && std::str::from_utf8(&trimmed).is_ok();
        prop_assert_eq!(Gpc::from_header_value(&value).is_set(), expected);
    }

    #[test]
    fn consent_mode_round_trips(states in proptest::collection::vec(status(), 7)) {
        let mut mode = ConsentMode::new();
        for (t, s) in ConsentType::ALL.into_iter().zip(states) {
            mode.set(t, s);
        }
        let json = mode.to_json();
        prop_assert_eq!(ConsentMode::from_json(&json).unwrap(), mode);
        prop_assert_eq!(serde_json::from_str::<ConsentMode>(&serde_json::to_string(&mode).unwrap()).unwrap(), mode);
    }

    #[test]
    fn consent_mode_arbitrary_json_never_panics(json in "\\{(\"[a-z_]{0,25}\": ?(\"[a-z]{0,8}\"|[0-9]|true|null),? ?){0,4}\\}?") {
        if let Ok(mode) = ConsentMode::from_json(&json) {
            prop_assert_eq!(ConsentMode::from_json(&mode.to_json()).unwrap(), mode);
        }
    }
}
