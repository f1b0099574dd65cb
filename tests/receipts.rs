//! Consent receipts against their specifications.
//!
//! - Every Kantara Consent Receipt v1.1 the crate writes validates against a
//!   JSON schema of what v1.1 requires (tests/data/receipts/, whose README
//!   cites the sources), and, when a copy of Kantara's own schema file is at
//!   hand, against that too (see [`official_kantara_schema`]).
//! - Every ISO/IEC TS 27560 receipt (DPV-27560 profile) carries the fields the
//!   W3C DPV community's guide marks MUST, and every IRI in it is one its own
//!   `@context` expands, naming a term the vocabulary defines.
//!
//! The receipts come from the `privacy_dashboard` example's own scenario
//! (examples/dashboard/) and from one record of every kind.

mod rights;

#[path = "../examples/dashboard/mod.rs"]
mod dashboard;

use std::path::PathBuf;

use consentry::{
    CollectionMethod, ConsentReceipt, ConsentStatus, Evidence, Grant, ISO27560_RECEIPT_SCHEMA,
    ISO27560_RECORD_SCHEMA, Ledger, ReceiptOptions, Snapshot,
};
use rights::*;
use serde_json::Value;

// ---------------------------------------------------------------------------
// Receipts to check
// ---------------------------------------------------------------------------

/// A receipt and what it is, for failure messages.
struct Case {
    name: String,
    receipt: ConsentReceipt,
    /// Whether the options and the evidence supply everything a receipt can
    /// carry (jurisdiction, language, controller details, storage...).
    complete: bool,
}

/// Every option a receipt can take, jurisdiction and language included.
fn full_options() -> ReceiptOptions {
    dashboard::receipt_options()
        .receipt_id("c1befd3e-b7e5-4ea6-8688-e9a565aade21")
        .jurisdiction("EU")
        .language("en")
}

/// The receipts of the `privacy_dashboard` example's customer, for every
/// purpose she answered: with the example's options (which rely on the
/// evidence for jurisdiction and language) and with none.
fn dashboard_cases() -> Vec<Case> {
    let ledger = dashboard::ledger().expect("the example's scenario runs");
    let mut cases = Vec::new();
    for purpose in ledger.catalog().purposes() {
        let purpose = purpose.name();
        let with = [
            ("example options", dashboard::receipt_options()),
            ("no options", ReceiptOptions::new()),
        ];
        for (label, options) in with {
            let Some(receipt) =
                ledger.receipt(dashboard::SUBJECT, purpose, dashboard::NOW, &options)
            else {
                continue;
            };
            // The example's banner names jurisdiction and language; the
            // settings page (the objection) names neither.
            let evidence = receipt.record().evidence();
            let complete = label == "example options"
                && evidence.jurisdiction().is_some()
                && evidence.language().is_some();
            cases.push(Case {
                name: format!("dashboard {purpose} ({label})"),
                receipt,
                complete,
            });
        }
    }
    cases
}

/// One record of every kind: given, renewed, refused (for every purpose, so
/// every legal basis), withdrawn, withdrawn all at once, expired, objected,
/// opted out by a global signal, sensitive, given without jurisdiction or
/// language in the evidence, and invalidated by a raised notice version;
/// each with every option and with none.
fn every_kind() -> Vec<Case> {
    let mut l = shop();
    let give = |l: &mut Ledger, s: &str, p: &str, at, e| {
        l.give(Grant::new(s, p, at, e)).expect("grant");
    };
    give(&mut l, "given", "newsletter", T0, banner(2));
    give(&mut l, "renewed", "newsletter", T0, banner(2));
    give(&mut l, "renewed", "newsletter", T0 + days(10), banner(2));
    give(&mut l, "withdrawn", "newsletter", T0, banner(2));
    l.withdraw("withdrawn", "newsletter", T0 + days(2), settings())
        .expect("withdraw");
    give(&mut l, "withdrawn-all", "newsletter", T0, banner(2));
    l.withdraw_all("withdrawn-all", T0 + days(5), settings())
        .expect("withdraw all");
    give(&mut l, "expired", "newsletter", T0, banner(2));
    l.object("objected", "analytics", T0, settings())
        .expect("object");
    give(&mut l, "opted-out", "ads", T0, banner(1));
    l.set_global_opt_out("opted-out", T0 + days(1), gpc())
        .expect("opt out");
    give(&mut l, "sensitive", "health.research", T0, banner(1));
    give(&mut l, "sensitive-other-basis", "fraud", T0, banner(1));
    // A form that names neither jurisdiction nor language.
    let form = Evidence::new(CollectionMethod::Form).with_notice_version(2);
    give(&mut l, "no-jurisdiction", "newsletter", T0, form);
    for p in PURPOSES {
        l.refuse(&format!("refused-{p}"), p, T0, banner(1))
            .expect("refuse");
    }

    let mut wanted: Vec<(String, &str, time::OffsetDateTime, Option<ConsentStatus>)> = vec![
        (
            "given".into(),
            "newsletter",
            T0 + days(1),
            Some(ConsentStatus::Given),
        ),
        (
            "renewed".into(),
            "newsletter",
            T0 + days(11),
            Some(ConsentStatus::Renewed),
        ),
        (
            "withdrawn".into(),
            "newsletter",
            T0 + days(3),
            Some(ConsentStatus::Withdrawn),
        ),
        (
            "withdrawn-all".into(),
            "newsletter",
            T0 + days(6),
            Some(ConsentStatus::Withdrawn),
        ),
        (
            "expired".into(),
            "newsletter",
            T0 + days(400),
            Some(ConsentStatus::Expired),
        ),
        (
            "objected".into(),
            "analytics",
            T0 + days(1),
            Some(ConsentStatus::Objected),
        ),
        (
            "opted-out".into(),
            "ads",
            T0 + days(2),
            Some(ConsentStatus::OptedOut),
        ),
        (
            "sensitive".into(),
            "health.research",
            T0 + days(1),
            Some(ConsentStatus::Given),
        ),
        ("sensitive-other-basis".into(), "fraud", T0 + days(1), None),
        (
            "no-jurisdiction".into(),
            "newsletter",
            T0 + days(1),
            Some(ConsentStatus::Given),
        ),
    ];
    for p in PURPOSES {
        wanted.push((format!("refused-{p}"), p, T0 + days(1), None));
    }

    let mut cases = Vec::new();
    let mut add = |l: &Ledger, subject: &str, purpose: &str, at, status: Option<ConsentStatus>| {
        for (label, options) in [
            ("all options", full_options()),
            ("no options", ReceiptOptions::new()),
        ] {
            let receipt = l
                .receipt(subject, purpose, at, &options)
                .unwrap_or_else(|| panic!("{subject} answered {purpose}"));
            if let Some(status) = status {
                assert_eq!(receipt.status(), status, "{subject}");
            }
            cases.push(Case {
                name: format!("{subject} {purpose} ({label})"),
                receipt,
                complete: label == "all options",
            });
        }
    };
    for (subject, purpose, at, status) in &wanted {
        add(&l, subject, purpose, *at, *status);
    }

    // The controller raises the newsletter's minimum notice to 3: the grant
    // given under version 2 no longer counts.
    let snapshot = Snapshot::from_json(&l.snapshot().to_json().expect("json")).expect("snapshot");
    let raised = Ledger::restore_with_catalog(snapshot, catalog_with(3, 3)).expect("restore");
    add(
        &raised,
        "given",
        "newsletter",
        T0 + days(1),
        Some(ConsentStatus::Invalidated),
    );
    cases
}

fn all_cases() -> Vec<Case> {
    let mut cases = dashboard_cases();
    cases.extend(every_kind());
    cases
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).expect("the receipt is JSON")
}

// ---------------------------------------------------------------------------
// Kantara v1.1
// ---------------------------------------------------------------------------

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/receipts")
}

/// The schema of what consentry's Kantara receipts must satisfy.
fn kantara_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(data_dir().join("kantara-cr-v1.1.schema.json"))
        .expect("the schema file is in tests/data/receipts");
    jsonschema::validator_for(&parse(&text)).expect("a valid JSON schema")
}

/// Kantara's own v1.1 schema file (`CR_v1_1/kantara-consent-receipt-v1_1-schema.json`
/// in KantaraInitiative/consent-receipt-v-next), when a copy is at hand: at
/// the path in `CONSENTRY_KANTARA_SCHEMA`, or in the shared folder beside the
/// repository (`../shared/receipts/`). The file opens with `//` comment
/// lines, which JSON does not allow; they are dropped before parsing. It
/// declares JSON Schema draft 4.
fn official_kantara_schema() -> Option<jsonschema::Validator> {
    let path = std::env::var_os("CONSENTRY_KANTARA_SCHEMA")
        .map(PathBuf::from)
        .or_else(|| {
            let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/receipts/kantara-consent-receipt-v1_1-schema.json");
            shared.exists().then_some(shared)
        })?;
    let text = std::fs::read_to_string(&path).expect("the official schema file reads");
    let json: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    Some(jsonschema::draft4::new(&parse(&json)).expect("a valid draft-4 schema"))
}

/// A change that breaks a valid receipt, and what it breaks.
type Mutation = (&'static str, fn(&mut Value));

/// Every error `validator` finds in `instance`, one line each.
fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn kantara_receipts_validate_against_the_v1_1_schema() {
    let ours = kantara_schema();
    let official = official_kantara_schema();
    if official.is_none() {
        eprintln!("no copy of Kantara's own schema file; checked against ours only");
    }
    let cases = all_cases();
    assert!(cases.len() > 40, "{} receipts", cases.len());
    for case in &cases {
        let json = parse(&case.receipt.to_kantara_json().expect("json"));
        let errors = schema_errors(&ours, &json);
        assert!(errors.is_empty(), "{}: {errors:#?}\n{json:#}", case.name);
        if let Some(official) = &official {
            let errors = schema_errors(official, &json);
            assert!(
                errors.is_empty(),
                "{} (official schema): {errors:#?}",
                case.name
            );
        }
        // What the schema cannot say: `sensitive` is whether `spiCat` lists
        // anything, and the one purpose is the receipt's.
        let spi = json["spiCat"].as_array().expect("spiCat");
        assert_eq!(json["sensitive"], !spi.is_empty(), "{}", case.name);
        assert_eq!(
            json["services"][0]["purposes"][0]["purposeCategory"][0],
            case.receipt.purpose(),
            "{}",
            case.name
        );
    }
}

#[test]
fn the_dashboard_example_receipts_are_all_checked() {
    // The example answers three purposes; each gives two receipts.
    let cases = dashboard_cases();
    assert_eq!(cases.len(), 6);
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert!(
        names.contains(&"dashboard newsletter (example options)"),
        "{names:?}"
    );
}

#[test]
fn the_kantara_schema_rejects_a_receipt_missing_what_v1_1_requires() {
    let ours = kantara_schema();
    let ledger = dashboard::ledger().expect("scenario");
    let receipt = ledger
        .receipt(dashboard::SUBJECT, "ads", dashboard::NOW, &full_options())
        .expect("mia answered ads");
    let valid = parse(&receipt.to_kantara_json().expect("json"));
    assert!(schema_errors(&ours, &valid).is_empty());

    let mutations: [Mutation; 6] = [
        ("no spiCat", |v| {
            drop(v.as_object_mut().unwrap().remove("spiCat"))
        }),
        ("no policyUrl", |v| {
            drop(v.as_object_mut().unwrap().remove("policyUrl"))
        }),
        ("no jurisdiction", |v| {
            drop(v.as_object_mut().unwrap().remove("jurisdiction"))
        }),
        ("controller without email", |v| {
            drop(
                v["piiControllers"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("email"),
            )
        }),
        ("disclosure without a third party", |v| {
            let p = v["services"][0]["purposes"][0].as_object_mut().unwrap();
            p.insert("thirdPartyDisclosure".into(), Value::Bool(true));
            p.remove("thirdPartyName");
        }),
        ("timestamp as text", |v| {
            v["consentTimestamp"] = Value::String("2026-03-01".into());
        }),
    ];
    let official = official_kantara_schema();
    for (what, mutate) in mutations {
        let mut broken = valid.clone();
        mutate(&mut broken);
        assert!(!schema_errors(&ours, &broken).is_empty(), "{what} passed");
        if let Some(official) = &official {
            assert!(
                !schema_errors(official, &broken).is_empty(),
                "{what} passed the official schema"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// ISO/IEC TS 27560 (DPV-27560)
// ---------------------------------------------------------------------------

/// The DPV terms a receipt may use, each checked to be defined by DPV 2.3
/// (`2.3/dpv/dpv.jsonld` in w3c/dpv; see tests/data/receipts/README.md).
const DPV_TERMS: &[&str] = &[
    "Consent",
    "ConsentExpired",
    "ConsentGiven",
    "ConsentInvalidated",
    "ConsentNotice",
    "ConsentReceipt",
    "ConsentRecord",
    "ConsentRefused",
    "ConsentWithdrawn",
    "Contract",
    "DataController",
    "DataSubject",
    "GuardianOfDataSubject",
    "DataSubjectRight",
    "EndlessDuration",
    "ExplicitlyExpressedConsent",
    "ExpressedConsent",
    "InformedConsent",
    "LegalObligation",
    "LegitimateInterest",
    "Location",
    "PersonalData",
    "PrivacyNotice",
    "Process",
    "PublicInterest",
    "Purpose",
    "RenewedConsentGiven",
    "SensitivePersonalData",
    "Service",
    "StorageDuration",
    "StorageLocation",
    "TemporalDuration",
    "ThirdParty",
    "UntilEventDuration",
    "UntilTimeDuration",
    "VitalInterest",
    "WithdrawConsent",
    "hasConsentControl",
    "hasConsentStatus",
    "hasDataController",
    "hasDataSubject",
    "hasDuration",
    "hasEntity",
    "hasIdentifier",
    "hasIndicationMethod",
    "hasJurisdiction",
    "hasLegalBasis",
    "hasLocation",
    "hasName",
    "hasNotice",
    "hasPersonalData",
    "hasProcess",
    "hasPurpose",
    "hasRecipient",
    "hasRecordOfActivity",
    "hasRight",
    "hasService",
    "hasStorageCondition",
    "hasThirdParty",
    "isExercisedAt",
    "isIndicatedAtTime",
    "isIndicatedBy",
];

/// The DPV EU-GDPR extension's rights (`2.3/legal/eu/gdpr/modules/rights.jsonld`).
const EU_GDPR_TERMS: &[&str] = &["A7-3", "A15", "A16", "A17", "A18", "A20", "A21"];

/// DCMI Metadata Terms used.
const DCT_TERMS: &[&str] = &[
    "conformsTo",
    "created",
    "description",
    "hasVersion",
    "identifier",
    "language",
    "publisher",
    "references",
    "title",
];

/// schema.org terms used.
const SCHEMA_TERMS: &[&str] = &[
    "ContactPoint",
    "PostalAddress",
    "address",
    "addressCountry",
    "contactPoint",
    "email",
    "name",
    "recipient",
    "streetAddress",
    "telephone",
    "url",
];

/// Whether `local` is a term of the vocabulary `prefix` names.
fn known_term(prefix: &str, local: &str) -> bool {
    match prefix {
        "dpv" => DPV_TERMS.contains(&local),
        "eu-gdpr" => EU_GDPR_TERMS.contains(&local),
        "dct" => DCT_TERMS.contains(&local),
        "schema" => SCHEMA_TERMS.contains(&local),
        "rdf" => local == "value",
        "xsd" => ["dateTime", "duration"].contains(&local),
        // DPV's location extension: ISO 3166 codes, EU and EEA.
        "loc" => {
            local == "EU"
                || local == "EEA"
                || local
                    .split('-')
                    .next()
                    .is_some_and(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
        }
        _ => false,
    }
}

/// The problems with one IRI as the receipt writes it: a compact IRI whose
/// prefix the context declares and whose term the vocabulary defines, or,
/// where `absolute_ok` (an `@id`), an absolute http(s) IRI or a blank node.
fn iri_problems(
    context: &serde_json::Map<String, Value>,
    iri: &str,
    absolute_ok: bool,
    at: &str,
) -> Vec<String> {
    if absolute_ok
        && (iri.starts_with("_:") || iri.starts_with("https://") || iri.starts_with("http://"))
    {
        if iri.contains(char::is_whitespace) {
            return vec![format!("{at}: `{iri}` is not an IRI")];
        }
        return Vec::new();
    }
    let Some((prefix, local)) = iri.split_once(':') else {
        return vec![format!("{at}: `{iri}` is not a compact IRI")];
    };
    let mut problems = Vec::new();
    if !context.contains_key(prefix) {
        problems.push(format!(
            "{at}: prefix `{prefix}` of `{iri}` not in the @context"
        ));
    }
    if !known_term(prefix, local) {
        problems.push(format!("{at}: `{iri}` is not a term of its vocabulary"));
    }
    problems
}

/// Every IRI in `value`: keys, `@type` values, `@id` values.
fn walk_iris(
    context: &serde_json::Map<String, Value>,
    value: &Value,
    at: &str,
    out: &mut Vec<String>,
) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let here = format!("{at}/{key}");
                match key.as_str() {
                    "@context" => {}
                    "@id" => match v.as_str() {
                        Some(id) => out.extend(iri_problems(context, id, true, &here)),
                        None => out.push(format!("{here}: not a string")),
                    },
                    "@type" => {
                        let types: Vec<&Value> = match v {
                            Value::Array(a) => a.iter().collect(),
                            other => vec![other],
                        };
                        for t in types {
                            match t.as_str() {
                                Some(t) => out.extend(iri_problems(context, t, false, &here)),
                                None => out.push(format!("{here}: not a string")),
                            }
                        }
                    }
                    "@value" => {}
                    key => {
                        out.extend(iri_problems(context, key, false, &here));
                        walk_iris(context, v, &here, out);
                    }
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk_iris(context, v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The problems with the IRIs of one ISO receipt.
fn iri_report(receipt: &Value) -> Vec<String> {
    let Some(context) = receipt.get("@context").and_then(Value::as_object) else {
        return vec!["no @context object".into()];
    };
    let mut problems = Vec::new();
    for (prefix, ns) in context {
        let ns = ns.as_str().unwrap_or_default();
        if !(ns.ends_with('#') || ns.ends_with('/')) {
            problems.push(format!(
                "@context: `{prefix}` → `{ns}` cannot serve as a prefix"
            ));
        }
    }
    walk_iris(context, receipt, "", &mut problems);
    problems
}

/// Whether `v` is a node of type `ty` (alone or among others).
fn has_type(v: &Value, ty: &str) -> bool {
    match v.get("@type") {
        Some(Value::String(t)) => t == ty,
        Some(Value::Array(ts)) => ts.iter().any(|t| t == ty),
        _ => false,
    }
}

/// `v` as a list (a JSON-LD value may be one node or an array).
fn list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

/// Whether `v` is an `xsd:dateTime` literal.
fn is_date_time(v: Option<&Value>) -> bool {
    v.is_some_and(|v| {
        v["@type"] == "xsd:dateTime"
            && v["@value"].as_str().is_some_and(|s| {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                    .is_ok()
            })
    })
}

/// The fields the DPV-27560 guide marks MUST that are missing from one
/// receipt. `complete`: the options and evidence supplied everything, so
/// the fields only they can fill must be there too.
fn missing_required(receipt: &Value, complete: bool) -> Vec<String> {
    let mut missing = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            missing.push(what.to_owned());
        }
    };
    // 9.1 receipt header.
    need(has_type(receipt, "dpv:ConsentReceipt"), "receipt @type");
    need(
        receipt["dct:conformsTo"]["@id"] == ISO27560_RECEIPT_SCHEMA,
        "9.1.1 receipt schema version",
    );
    need(
        receipt["dpv:hasIdentifier"].is_string(),
        "9.1.2 receipt identifier",
    );
    need(
        is_date_time(receipt.get("dct:created")),
        "9.1.4 creation timestamp",
    );
    let record = &receipt["dpv:hasRecordOfActivity"];
    need(
        has_type(record, "dpv:ConsentRecord"),
        "9.1.3 associated consent record",
    );
    // 8.1 record metadata.
    need(
        record["dct:conformsTo"]["@id"] == ISO27560_RECORD_SCHEMA,
        "8.1.1 record schema version",
    );
    need(
        record["dct:identifier"].is_string(),
        "8.1.2 record identifier",
    );
    need(
        record["dpv:hasDataSubject"]["dct:identifier"].is_string(),
        "8.1.3 data subject",
    );
    // 8.2 notice.
    let notices = list(record.get("dpv:hasNotice"));
    let consent_notice = notices.iter().find(|n| has_type(n, "dpv:ConsentNotice"));
    need(consent_notice.is_some(), "8.2.1 notice");
    // 8.3 processing.
    let process = &record["dpv:hasProcess"];
    need(has_type(process, "dpv:Process"), "8.3.1 process");
    need(
        process["dpv:hasPurpose"]["dct:identifier"].is_string(),
        "8.3.2 purpose",
    );
    let data = list(process.get("dpv:hasPersonalData"));
    need(
        !data.is_empty()
            && data.iter().all(|d| {
                (has_type(d, "dpv:PersonalData") || has_type(d, "dpv:SensitivePersonalData"))
                    && d["dct:identifier"].is_string()
            }),
        "8.3.3 personal data and type",
    );
    need(
        process["dpv:hasDataController"]["@id"].is_string(),
        "8.3.5 data controller",
    );
    need(
        !list(process.get("dpv:hasRecipient")).is_empty(),
        "8.3.7 recipients",
    );
    let rights = list(process.get("dpv:hasRight"));
    need(
        !rights.is_empty() && rights.iter().all(|r| has_type(r, "dpv:DataSubjectRight")),
        "8.3.10 rights",
    );
    // 8.4 entities: the controller named and identified.
    let controller_id = &process["dpv:hasDataController"]["@id"];
    let entities = list(record.get("dpv:hasEntity"));
    let controller = entities.iter().find(|e| &e["@id"] == controller_id);
    need(
        controller.is_some_and(|c| {
            has_type(c, "dpv:DataController")
                && c["dpv:hasName"].is_string()
                && c["dpv:hasIdentifier"].is_string()
        }),
        "8.4.1-8.4.3 controller name, identifier and role",
    );
    // 8.5 consent events.
    need(
        record["dpv:hasLegalBasis"]["@id"]
            .as_str()
            .is_some_and(|t| {
                [
                    "dpv:ExpressedConsent",
                    "dpv:ExplicitlyExpressedConsent",
                    "dpv:InformedConsent",
                ]
                .contains(&t)
            }),
        "8.5.1 consent type",
    );
    let statuses = list(record.get("dpv:hasConsentStatus"));
    need(!statuses.is_empty(), "8.5.2 consent state");
    for (i, s) in statuses.iter().enumerate() {
        need(
            s.get("@type").is_some(),
            &format!("8.5.2 state of status {i}"),
        );
        need(
            is_date_time(s.get("dpv:isIndicatedAtTime")),
            &format!("8.5.3 event time of status {i}"),
        );
        need(
            s["dpv:hasDuration"]["@type"].is_string(),
            &format!("8.5.4 event duration of status {i}"),
        );
        need(
            s["dpv:isIndicatedBy"]["@id"].is_string(),
            &format!("8.5.5 expression by entity of status {i}"),
        );
    }
    if complete {
        need(
            consent_notice.is_some_and(|n| n["dct:language"].is_string()),
            "8.2.2 notice language",
        );
        need(
            list(process.get("dpv:hasStorageCondition"))
                .iter()
                .any(|c| has_type(c, "dpv:StorageLocation"))
                && list(process.get("dpv:hasStorageCondition"))
                    .iter()
                    .any(|c| has_type(c, "dpv:StorageDuration")),
            "8.3.4.2 storage conditions",
        );
        need(
            has_type(&process["dpv:hasConsentControl"], "dpv:WithdrawConsent")
                && process["dpv:hasConsentControl"]
                    .get("dpv:isExercisedAt")
                    .is_some(),
            "8.3.8 consent change and withdrawal",
        );
        need(
            record.get("dpv:hasJurisdiction").is_some(),
            "8.3.9 jurisdiction (record)",
        );
        need(
            process.get("dpv:hasJurisdiction").is_some(),
            "8.3.9 jurisdiction (process)",
        );
        need(
            rights.iter().all(|r| r.get("dpv:isExercisedAt").is_some()),
            "8.3.10 where rights are exercised",
        );
        need(
            controller.is_some_and(|c| {
                c["schema:contactPoint"].is_object()
                    && has_type(&c["schema:address"], "schema:PostalAddress")
            }),
            "8.4.4 controller contact and postal address",
        );
    }
    missing
}

#[test]
fn iso27560_receipts_carry_every_required_field() {
    for case in all_cases() {
        let json = parse(&case.receipt.to_iso27560_json().expect("json"));
        let missing = missing_required(&json, case.complete);
        assert!(
            missing.is_empty(),
            "{}: missing {missing:#?}\n{json:#}",
            case.name
        );
    }
}

#[test]
fn iso27560_receipts_name_only_iris_their_context_expands() {
    for case in all_cases() {
        let json = parse(&case.receipt.to_iso27560_json().expect("json"));
        let problems = iri_report(&json);
        assert!(problems.is_empty(), "{}: {problems:#?}", case.name);
    }
}

#[test]
fn the_iso27560_checks_catch_a_missing_field_or_an_undeclared_prefix() {
    let ledger = dashboard::ledger().expect("scenario");
    let receipt = ledger
        .receipt(
            dashboard::SUBJECT,
            "newsletter",
            dashboard::NOW,
            &full_options(),
        )
        .expect("mia answered the newsletter");
    let valid = parse(&receipt.to_iso27560_json().expect("json"));
    assert!(missing_required(&valid, true).is_empty());
    assert!(iri_report(&valid).is_empty());

    let record = "dpv:hasRecordOfActivity";
    let missing: [Mutation; 5] = [
        ("notice language", |v| {
            drop(
                v["dpv:hasRecordOfActivity"]["dpv:hasNotice"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("dct:language"),
            )
        }),
        ("rights", |v| {
            drop(
                v["dpv:hasRecordOfActivity"]["dpv:hasProcess"]
                    .as_object_mut()
                    .unwrap()
                    .remove("dpv:hasRight"),
            )
        }),
        ("event duration", |v| {
            drop(
                v["dpv:hasRecordOfActivity"]["dpv:hasConsentStatus"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("dpv:hasDuration"),
            )
        }),
        ("untyped event time", |v| {
            v["dpv:hasRecordOfActivity"]["dpv:hasConsentStatus"][0]["dpv:isIndicatedAtTime"] =
                Value::String("2026-03-01T10:00:00Z".into());
        }),
        ("consent type", |v| {
            drop(
                v["dpv:hasRecordOfActivity"]
                    .as_object_mut()
                    .unwrap()
                    .remove("dpv:hasLegalBasis"),
            )
        }),
    ];
    for (what, mutate) in missing {
        let mut broken = valid.clone();
        mutate(&mut broken);
        assert!(
            !missing_required(&broken, true).is_empty(),
            "without {what} it passed"
        );
    }

    let mut undeclared = valid.clone();
    undeclared["@context"]
        .as_object_mut()
        .unwrap()
        .remove("loc");
    assert!(!iri_report(&undeclared).is_empty());
    let mut unknown = valid.clone();
    unknown[record]["dpv:hasConsentStatus"][0]["@type"] =
        Value::String("dpv:ConsentTerminated".into());
    assert!(
        !iri_report(&unknown).is_empty(),
        "a term DPV does not define passed"
    );
    let mut literal_url = valid;
    literal_url[record]["dpv:hasProcess"]["dpv:hasConsentControl"]["dpv:isExercisedAt"]["@id"] =
        Value::String("https://shop.example/a page".into());
    assert!(!iri_report(&literal_url).is_empty());
}
