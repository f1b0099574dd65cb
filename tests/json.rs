//! The public data types as JSON (serde): decisions with structured reasons,
//! records, marks, reports and exports, and that what reads back is equal to
//! what was written.

mod rights;

use consentry::{
    Answer, Applied, Ask, CollectionMethod, ConsentRecord, Decision, EventId, EventKind, Evidence,
    Grant, Ledger, LegalBasis, OptOutSignal, Refusal, SubjectExport, SubjectRecords, SubjectReport,
};
use rights::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Serializes `value`, reads it back, and asserts the two are equal; returns
/// the JSON as a value.
#[track_caller]
fn round_trips<T>(value: &T) -> Value
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(value).expect("serializes");
    let back: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(&back, value, "{text}");
    serde_json::from_str(&text).expect("valid JSON")
}

/// Ann with something in every slot: registered, a grant with expiry then
/// renewed, a refusal, an objection, the opt-out signal, a withdraw-all, and
/// evidence with every field.
fn busy() -> Ledger {
    let mut l = shop();
    let full = banner(2)
        .with_channel("web")
        .with_proof("rcpt-1")
        .with_jurisdiction("EU")
        .with_language("en");
    l.register("ann", T0 - days(10)).unwrap();
    l.give(Grant::new("ann", "newsletter", T0, full).expires_at(T0 + days(90)))
        .unwrap();
    l.give(Grant::new("ann", "newsletter", T0 + days(1), banner(2)))
        .unwrap();
    l.give(Grant::new("ann", "ads", T0, banner(1)).categories(["browsing"]))
        .unwrap();
    l.refuse("ann", "analytics", T0 + days(1), banner(1))
        .unwrap();
    l.object("ann", "fraud", T0 + days(2), settings()).unwrap();
    l.give(Grant::new("ann", "health.research", T0, banner(1)))
        .unwrap();
    l.set_global_opt_out("ann", T0 + days(2), gpc()).unwrap();
    l.withdraw_all("ann", T0 + days(3), settings()).unwrap();
    l.give(Grant::new("ann", "data.sale", T0 + days(4), banner(1)))
        .unwrap();
    l
}

#[test]
fn records_reports_and_exports_read_back_equal() {
    let mut l = busy();
    for at in [
        T0 - days(20),
        T0,
        T0 + days(2),
        T0 + days(5),
        T0 + days(400),
    ] {
        let report = l.subject_report("ann", at);
        round_trips(&report);
        for p in report.purposes() {
            round_trips(p);
            for d in p.decisions() {
                round_trips(d);
            }
        }
        round_trips(&l.export_subject("ann", at).unwrap());
        round_trips(&l.subject_report("nobody", at));
    }
    let held = l.subject_records("ann").unwrap();
    let json = round_trips(&held);
    assert_eq!(json["global_opt_out"]["on"], true);
    assert_eq!(json["global_opt_out"]["at"], "2026-03-03T10:00:00Z");
    assert_eq!(
        json["global_opt_out"]["evidence"]["method"],
        "browser_signal"
    );
    assert_eq!(json["records"][0]["renewal"], true);
    for r in held.records() {
        round_trips(r);
    }
    // The text of an export reads back through `to_json` too.
    let export = l.export_subject("ann", T0 + days(5)).unwrap();
    let back: SubjectExport = serde_json::from_str(&export.to_json().unwrap()).unwrap();
    assert_eq!(back, export);
    let report = l.subject_report("ann", T0 + days(5));
    let back: SubjectReport = serde_json::from_str(&report.to_json().unwrap()).unwrap();
    assert_eq!(back, report);

    l.clear_global_opt_out("ann", T0 + days(6), gpc()).unwrap();
    let held = l.subject_records("ann").unwrap();
    assert_eq!(round_trips(&held)["global_opt_out"]["on"], false);
    l.erase("ann", T0 + days(7)).unwrap();
    round_trips(&l.subject_records("ann").unwrap());
    round_trips(&l.export_subject("ann", T0 + days(8)).unwrap());
    round_trips(&l.subject_report("ann", T0 + days(8)));
}

#[test]
fn the_opt_out_signal_of_held_records_is_an_opt_out_signal() {
    let l = busy();
    let held: SubjectRecords = l.subject_records("ann").unwrap();
    let signal: OptOutSignal = held.global_opt_out().unwrap();
    assert!(signal.is_on());
    assert_eq!(signal.since(), T0 + days(2));
    let mark = held.global_opt_out_mark().unwrap();
    assert_eq!(mark.at(), signal.since());
    assert_eq!(
        mark.evidence().map(Evidence::method),
        Some(CollectionMethod::BrowserSignal)
    );
    // The report says the same.
    assert_eq!(
        l.subject_report("ann", T0 + days(5)).global_opt_out(),
        Some(signal)
    );
}

#[test]
fn every_decision_is_tagged_and_reads_back() {
    let id: EventId = "ab".repeat(32).parse().unwrap();
    let t = T0;
    let cases = [
        (
            Decision::Granted {
                record: id,
                given_at: t,
                expires_at: Some(t + days(1)),
            },
            json!({
                "decision": "granted",
                "record": "ab".repeat(32),
                "given_at": "2026-03-01T10:00:00Z",
                "expires_at": "2026-03-02T10:00:00Z"
            }),
        ),
        (
            Decision::Granted {
                record: id,
                given_at: t + ns(500_000_000),
                expires_at: None,
            },
            json!({
                "decision": "granted",
                "record": "ab".repeat(32),
                "given_at": "2026-03-01T10:00:00.5Z"
            }),
        ),
        (
            Decision::NotConsentBased {
                basis: LegalBasis::LegitimateInterest,
            },
            json!({"decision": "not_consent_based", "basis": "legitimate_interest"}),
        ),
        (Decision::NoConsent, json!({"decision": "no_consent"})),
        (
            Decision::Refused { at: t },
            json!({"decision": "refused", "at": "2026-03-01T10:00:00Z"}),
        ),
        (
            Decision::Withdrawn { at: t, all: true },
            json!({"decision": "withdrawn", "at": "2026-03-01T10:00:00Z", "all": true}),
        ),
        (
            Decision::Expired {
                given_at: t,
                expired_at: t + days(1),
            },
            json!({
                "decision": "expired",
                "given_at": "2026-03-01T10:00:00Z",
                "expired_at": "2026-03-02T10:00:00Z"
            }),
        ),
        (
            Decision::NotYetValid { given_at: t },
            json!({"decision": "not_yet_valid", "given_at": "2026-03-01T10:00:00Z"}),
        ),
        (
            Decision::CategoryNotCovered,
            json!({"decision": "category_not_covered"}),
        ),
        (
            Decision::NoticeOutdated {
                version: 1,
                min_version: 2,
            },
            json!({"decision": "notice_outdated", "version": 1, "min_version": 2}),
        ),
        (
            Decision::Objected { at: t },
            json!({"decision": "objected", "at": "2026-03-01T10:00:00Z"}),
        ),
        (
            Decision::OptedOut { at: t },
            json!({"decision": "opted_out", "at": "2026-03-01T10:00:00Z"}),
        ),
        (
            Decision::ExplicitConsentRequired,
            json!({"decision": "explicit_consent_required"}),
        ),
        (
            Decision::CategoryNotInPurpose,
            json!({"decision": "category_not_in_purpose"}),
        ),
        (
            Decision::Erased { at: t },
            json!({"decision": "erased", "at": "2026-03-01T10:00:00Z"}),
        ),
        (
            Decision::ForeignHandle,
            json!({"decision": "foreign_handle"}),
        ),
        (
            Decision::UnknownPurpose,
            json!({"decision": "unknown_purpose"}),
        ),
        (
            Decision::UnknownCategory,
            json!({"decision": "unknown_category"}),
        ),
    ];
    for (decision, expected) in cases {
        assert_eq!(round_trips(&decision), expected, "{decision:?}");
    }
    // A time in another offset reads as the same instant.
    let read: Decision =
        serde_json::from_str(r#"{"decision":"refused","at":"2026-03-01T11:00:00+01:00"}"#).unwrap();
    assert_eq!(read, Decision::Refused { at: t });
    // Text that is not RFC 3339 is refused, naming it.
    let err = serde_json::from_str::<Decision>(r#"{"decision":"refused","at":"yesterday"}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`yesterday`"), "{err}");
}

#[test]
fn a_decision_from_the_ledger_serializes_with_its_reason() {
    let l = busy();
    let d = l.decide("ann", "analytics", "browsing", T0 + days(5));
    assert_eq!(
        serde_json::to_value(d).unwrap(),
        json!({"decision": "refused", "at": "2026-03-02T10:00:00Z"})
    );
}

#[test]
fn category_decisions_keep_permitted_and_decision_together() {
    let l = busy();
    let report = l.subject_report("ann", T0 + days(5));
    let json = serde_json::to_value(&report.purpose("analytics").unwrap().decisions()[0]).unwrap();
    assert_eq!(json["permitted"], false);
    assert_eq!(
        json["decision"],
        json!({"decision": "refused", "at": "2026-03-02T10:00:00Z"})
    );
    let mut tampered = json.clone();
    tampered["permitted"] = json!(true);
    let err = serde_json::from_value::<consentry::CategoryDecision>(tampered)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "`permitted` is true but the decision is `denied: consent refused at 2026-03-02T10:00:00Z`"
    );
}

#[test]
fn an_export_of_another_format_or_version_is_refused() {
    let l = busy();
    let export = l.export_subject("ann", T0 + days(5)).unwrap();
    let json = serde_json::to_value(&export).unwrap();
    let mut other = json.clone();
    other["format"] = json!("something-else");
    assert_eq!(
        serde_json::from_value::<SubjectExport>(other)
            .unwrap_err()
            .to_string(),
        "format `something-else` is not `consentry-subject-export`"
    );
    let mut other = json.clone();
    other["version"] = json!(2);
    assert_eq!(
        serde_json::from_value::<SubjectExport>(other)
            .unwrap_err()
            .to_string(),
        "export format version 2 is not 1"
    );
    let mut other = json;
    other["records"][0].as_object_mut().unwrap().remove("basis");
    assert_eq!(
        serde_json::from_value::<SubjectExport>(other)
            .unwrap_err()
            .to_string(),
        "record for purpose `newsletter` has a title or a basis without the other"
    );
}

#[test]
fn asks_applied_and_event_kinds_serialize() {
    let t = T0;
    assert_eq!(
        serde_json::to_value(Ask::Expired { expired_at: t }).unwrap(),
        json!({"ask": "expired", "expired_at": "2026-03-01T10:00:00Z"})
    );
    assert_eq!(
        serde_json::to_value(Ask::ValidConsent { expires_at: None }).unwrap(),
        json!({"ask": "valid_consent"})
    );
    assert_eq!(
        serde_json::to_value(Ask::CooldownOver {
            refusal: Refusal::GlobalOptOut,
            at: t,
            ended: t + days(1),
        })
        .unwrap(),
        json!({
            "ask": "cooldown_over",
            "refusal": "global_opt_out",
            "at": "2026-03-01T10:00:00Z",
            "ended": "2026-03-02T10:00:00Z"
        })
    );
    assert_eq!(
        serde_json::to_value([
            Applied::Changed,
            Applied::Duplicate,
            Applied::Superseded,
            Applied::Erased
        ])
        .unwrap(),
        json!(["changed", "duplicate", "superseded", "erased"])
    );
    let mut l = shop();
    let event = l
        .give(Grant::new("ann", "newsletter", T0, banner(2)).expires_at(T0 + days(30)))
        .unwrap()
        .into_event();
    let EventKind::Given { evidence, .. } = event.kind() else {
        panic!("not a grant");
    };
    assert_eq!(
        serde_json::to_value(event.kind()).unwrap(),
        json!({
            "kind": "given",
            "purpose": "newsletter",
            "categories": ["contact.email"],
            "expires_at": "2026-03-31T10:00:00Z",
            "evidence": serde_json::to_value(evidence).unwrap()
        })
    );
}

#[test]
fn answers_display_as_their_json_names() {
    for (answer, name) in [
        (Answer::Given, "given"),
        (Answer::Refused, "refused"),
        (Answer::Withdrawn, "withdrawn"),
        (Answer::Objected, "objected"),
    ] {
        assert_eq!(answer.to_string(), name);
        assert_eq!(answer.as_str(), name);
        assert_eq!(serde_json::to_value(answer).unwrap(), json!(name));
    }
}

#[test]
fn collection_methods_parse_from_their_json_names() {
    for name in [
        "banner",
        "settings_page",
        "form",
        "email_link",
        "phone",
        "in_person",
        "api",
        "import",
        "browser_signal",
        "other",
    ] {
        let method: CollectionMethod = name.parse().unwrap();
        assert_eq!(method.as_str(), name);
    }
    assert_eq!(CollectionMethod::ALL.len(), 10);
    assert_eq!(
        "settings page"
            .parse::<CollectionMethod>()
            .unwrap_err()
            .to_string(),
        "unknown collection method `settings page` (expected one of: banner, settings_page, \
         form, email_link, phone, in_person, api, import, browser_signal, other)"
    );
}

#[test]
fn records_read_back_reject_unknown_fields() {
    let l = busy();
    let held = l.subject_records("ann").unwrap();
    let mut json = serde_json::to_value(&held.records()[0]).unwrap();
    json["colour"] = json!("blue");
    let err = serde_json::from_value::<ConsentRecord>(json)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("unknown field `colour`"), "{err}");
}
