//! A snapshot is untrusted input: whoever can write the host's storage can
//! edit it. Every record and mark carries the id of its content; loading
//! recomputes it and refuses an edited record by name, whichever way the
//! snapshot is read (`Snapshot::from_json`, serde, `Ledger::restore`,
//! `Ledger::restore_with_catalog`). Also: the top-level keys may come in any
//! order (databases reorder them), and subjects with nothing recorded take
//! no memory once loaded.
//!
//! The tests share one counting allocator, so they run one at a time.

use std::alloc::System;
use std::sync::{Mutex, MutexGuard};

use consentry::{
    Catalog, CollectionMethod, Decision, Error, Evidence, Grant, Ledger, LegalBasis, PurposeDef,
    Recorded, SNAPSHOT_FORMAT_VERSION, Snapshot,
};
use serde_json::{Value, json};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

static SERIAL: Mutex<()> = Mutex::new(());

/// Runs the tests of this file one at a time (the allocator counts every
/// thread's allocations).
fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const T0: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);

fn purpose(name: &str, basis: LegalBasis) -> PurposeDef {
    PurposeDef::new(name, basis)
        .title(format!("The {name} purpose"))
        .description("What the test does with it.")
}

/// The catalog; `max_days` caps the newsletter's validity.
fn catalog_with(max_days: Option<i64>) -> Catalog {
    let mut newsletter = purpose("newsletter", LegalBasis::Consent)
        .categories(["contact"])
        .direct_marketing();
    if let Some(days) = max_days {
        newsletter = newsletter.max_validity(Duration::days(days));
    }
    Catalog::builder()
        .category("contact")
        .category("contact.email")
        .category("browsing")
        .purpose(newsletter)
        .purpose(purpose("ads", LegalBasis::Consent).categories(["browsing"]))
        .purpose(purpose("analytics", LegalBasis::LegitimateInterest).categories(["browsing"]))
        .build()
        .expect("a valid catalog")
}

fn catalog() -> Catalog {
    catalog_with(None)
}

fn banner(proof: &str) -> Evidence {
    Evidence::new(CollectionMethod::Banner)
        .with_notice_version(1)
        .with_channel("web")
        .with_proof(proof)
}

fn settings(channel: &str) -> Evidence {
    Evidence::new(CollectionMethod::SettingsPage).with_channel(channel)
}

/// The grant every edit of `ana`'s newsletter record starts from.
fn ana_newsletter() -> Grant {
    Grant::new("ana", "newsletter", T0, banner("rcpt-1"))
        .categories(["contact.email"])
        .expires_at(T0 + Duration::days(300))
}

/// Subjects, in the snapshot's (id) order: ana 0, ben 1, chloe 2, dan 3, eve 4.
fn ledger() -> Ledger {
    let mut l = Ledger::new(catalog());
    l.give(ana_newsletter()).expect("valid give");
    l.give(Grant::new("ana", "ads", T0, banner("rcpt-2")))
        .expect("valid give");
    l.refuse("ben", "ads", T0, banner("rcpt-3"))
        .expect("valid refuse");
    l.set_global_opt_out("chloe", T0, settings("app"))
        .expect("valid opt-out");
    l.withdraw_all("dan", T0, settings("app"))
        .expect("valid withdraw-all");
    l.register("eve", T0).expect("valid register");
    l
}

fn pristine() -> String {
    ledger().snapshot().to_json().expect("serializes")
}

/// The pristine snapshot with `edit` applied to its JSON.
fn edited(edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&pristine()).expect("JSON");
    edit(&mut v);
    v.to_string()
}

/// The id of the event `change` makes on an empty ledger: what an edited
/// record's content hashes to.
fn id_of(change: impl FnOnce(&mut Ledger) -> Result<Recorded, Error>) -> String {
    change(&mut Ledger::new(catalog()))
        .expect("a valid change")
        .event()
        .id()
        .to_string()
}

/// The id a record or mark of the pristine snapshot carries.
fn stored_id(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .expect("an event id")
        .to_owned()
}

/// An edit and the located error it must be refused with.
struct Edit {
    what: &'static str,
    /// Where the edited record or mark is, as the error names it.
    location: &'static str,
    /// The JSON pointer of the record or mark.
    pointer: &'static str,
    edit: fn(&mut Value),
    /// The id the edited content hashes to.
    expected: String,
}

fn edits() -> Vec<Edit> {
    vec![
        Edit {
            what: "a refusal turned into a grant",
            location: "subjects[1] (`ben`).records[0] (`ads`)",
            pointer: "/subjects/1/records/0",
            edit: |v| {
                let r = &mut v["subjects"][1]["records"][0];
                r["status"] = json!("given");
                r["categories"] = json!(["browsing"]);
            },
            expected: id_of(|l| {
                l.give(Grant::new("ben", "ads", T0, banner("rcpt-3")).categories(["browsing"]))
            }),
        },
        Edit {
            what: "an expiry pushed back",
            location: "subjects[0] (`ana`).records[0] (`newsletter`)",
            pointer: "/subjects/0/records/0",
            edit: |v| {
                v["subjects"][0]["records"][0]["expires_at"] = json!("2027-12-01T10:00:00Z");
            },
            expected: id_of(|l| {
                l.give(ana_newsletter().expires_at(datetime!(2027-12-01 10:00 UTC)))
            }),
        },
        Edit {
            what: "an expiry removed",
            location: "subjects[0] (`ana`).records[0] (`newsletter`)",
            pointer: "/subjects/0/records/0",
            edit: |v| {
                let r = v["subjects"][0]["records"][0]
                    .as_object_mut()
                    .expect("object");
                r.remove("expires_at");
            },
            expected: id_of(|l| {
                l.give(
                    Grant::new("ana", "newsletter", T0, banner("rcpt-1"))
                        .categories(["contact.email"]),
                )
            }),
        },
        Edit {
            what: "categories widened",
            location: "subjects[0] (`ana`).records[0] (`newsletter`)",
            pointer: "/subjects/0/records/0",
            edit: |v| v["subjects"][0]["records"][0]["categories"] = json!(["contact"]),
            expected: id_of(|l| l.give(ana_newsletter().categories(["contact"]))),
        },
        Edit {
            what: "the evidence's proof reference changed",
            location: "subjects[0] (`ana`).records[1] (`ads`)",
            pointer: "/subjects/0/records/1",
            edit: |v| v["subjects"][0]["records"][1]["evidence"]["proof"] = json!("forged"),
            expected: id_of(|l| l.give(Grant::new("ana", "ads", T0, banner("forged")))),
        },
        Edit {
            what: "a registration moved",
            location: "subjects[4] (`eve`).registered",
            pointer: "/subjects/4/registered",
            edit: |v| v["subjects"][4]["registered"]["at"] = json!("2026-03-02T10:00:00Z"),
            expected: id_of(|l| l.register("eve", T0 + Duration::days(1))),
        },
        Edit {
            what: "an opt-out signal switched off",
            location: "subjects[2] (`chloe`).global_opt_out",
            pointer: "/subjects/2/global_opt_out",
            edit: |v| v["subjects"][2]["global_opt_out"]["on"] = json!(false),
            expected: id_of(|l| l.clear_global_opt_out("chloe", T0, settings("app"))),
        },
        Edit {
            what: "a withdraw-all's evidence changed",
            location: "subjects[3] (`dan`).withdrawn_all",
            pointer: "/subjects/3/withdrawn_all",
            edit: |v| v["subjects"][3]["withdrawn_all"]["evidence"]["channel"] = json!("email"),
            expected: id_of(|l| l.withdraw_all("dan", T0, settings("email"))),
        },
    ]
}

/// The message an edit must be refused with.
fn message(e: &Edit) -> String {
    let v: Value = serde_json::from_str(&pristine()).expect("JSON");
    let found = stored_id(&v, &format!("{}/event", e.pointer));
    format!(
        "snapshot {}: event id `{found}` does not match its content (expected `{}`)",
        e.location, e.expected
    )
}

#[test]
fn an_edited_record_or_mark_is_refused_by_name() {
    let _guard = serial();
    for e in edits() {
        let json = edited(e.edit);
        let expected = message(&e);
        // `from_json` checks everything...
        let err = Snapshot::from_json(&json).expect_err(e.what);
        assert_eq!(err.to_string(), expected, "{}", e.what);
        assert!(matches!(err, Error::Snapshot { .. }), "{}: {err:?}", e.what);
        // ...and so does serde, through any deserializer.
        let err = serde_json::from_str::<Snapshot>(&json).expect_err(e.what);
        assert!(err.to_string().contains(&expected), "{}: {err}", e.what);
        let value: Value = serde_json::from_str(&json).expect("JSON");
        let err = serde_json::from_value::<Snapshot>(value).expect_err(e.what);
        assert!(err.to_string().contains(&expected), "{}: {err}", e.what);
    }
}

#[test]
fn the_pristine_snapshot_still_restores() {
    let _guard = serial();
    let json = pristine();
    let snapshot = Snapshot::from_json(&json).expect("a pristine snapshot loads");
    assert_eq!(snapshot, ledger().snapshot());
    assert_eq!(snapshot.to_json().expect("serializes"), json);
    let restored = Ledger::restore(snapshot).expect("restores");
    assert_eq!(restored.snapshot(), ledger().snapshot());
    assert!(!restored.is_permitted("ben", "ads", "browsing", T0));
    assert!(restored.is_permitted("ana", "newsletter", "contact.email", T0));
    assert!(!restored.is_permitted("ana", "newsletter", "contact", T0));
    // The same names in another order are the same content.
    let reordered = edited(|v| {
        let mut l = Ledger::new(catalog());
        l.give(
            Grant::new("gus", "newsletter", T0, banner("r"))
                .categories(["contact", "contact.email"]),
        )
        .expect("valid give");
        let mut gus: Value =
            serde_json::from_str(&l.snapshot().to_json().expect("serializes")).expect("JSON");
        let gus = gus["subjects"][0].take();
        assert_eq!(
            gus["records"][0]["categories"],
            json!(["contact", "contact.email"])
        );
        let mut gus = gus;
        gus["records"][0]["categories"] = json!(["contact.email", "contact"]);
        v["subjects"].as_array_mut().expect("array").push(gus);
    });
    let restored = Ledger::restore(Snapshot::from_json(&reordered).expect("loads")).expect("ok");
    assert!(restored.is_permitted("gus", "newsletter", "contact", T0));
}

#[test]
fn an_edited_record_is_refused_under_another_catalog_too() {
    let _guard = serial();
    for e in edits() {
        let json = edited(e.edit);
        // Through serde's generic path, which `restore_with_catalog` may be
        // fed with: the error is the same.
        let err = serde_json::from_str::<Snapshot>(&json)
            .map_err(|e| e.to_string())
            .and_then(|s| {
                Ledger::restore_with_catalog(s, catalog_with(Some(30))).map_err(|e| e.to_string())
            })
            .expect_err(e.what);
        assert!(err.contains(&message(&e)), "{}: {err}", e.what);
    }
}

#[test]
fn ids_are_checked_before_a_newer_catalog_caps_expiries() {
    let _guard = serial();
    let snapshot = Snapshot::from_json(&pristine()).expect("loads");
    let capped = Ledger::restore_with_catalog(snapshot, catalog_with(Some(30))).expect("restores");
    let at = T0 + Duration::days(10);
    match capped.decide("ana", "newsletter", "contact.email", at) {
        Decision::Granted { expires_at, .. } => {
            assert_eq!(expires_at, Some(T0 + Duration::days(30)));
        }
        other => panic!("expected a grant, got {other:?}"),
    }
    // The capped state snapshots and restores as it is.
    let again = Ledger::restore(
        Snapshot::from_json(&capped.snapshot().to_json().expect("serializes")).expect("loads"),
    )
    .expect("restores");
    assert_eq!(again.snapshot(), capped.snapshot());
}

#[test]
fn from_json_refuses_an_unsupported_version() {
    let _guard = serial();
    let supported = u64::from(SNAPSHOT_FORMAT_VERSION);
    for version in [0, supported + 1, 999] {
        let json = edited(|v| v["format_version"] = json!(version));
        let err = Snapshot::from_json(&json).expect_err("an unsupported version");
        assert!(
            matches!(err, Error::UnsupportedVersion { found, .. } if found == version),
            "{version}: {err:?}"
        );
        // Even when the version comes last and the rest is of another shape.
        let json = format!(r#"{{"catalog":{{"new":1}},"subjects":7,"format_version":{version}}}"#);
        let err = Snapshot::from_json(&json).expect_err("an unsupported version");
        assert!(
            matches!(err, Error::UnsupportedVersion { found, .. } if found == version),
            "{version}: {err:?}"
        );
    }
}

/// The top-level keys in another order, as a database's JSON type may
/// return them.
fn permuted(order: &[&str]) -> String {
    let v: Value = serde_json::from_str(&pristine()).expect("JSON");
    let fields: Vec<String> = order
        .iter()
        .map(|k| match *k {
            "watermark" => r#""watermark":7"#.to_owned(),
            k => format!("{}:{}", json!(k), v[k]),
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

#[test]
fn top_level_keys_load_in_any_order() {
    let _guard = serial();
    let expected = ledger().snapshot().with_watermark(7);
    for order in [
        ["catalog", "subjects", "watermark", "format_version"],
        ["subjects", "format_version", "watermark", "catalog"],
        ["subjects", "catalog", "format_version", "watermark"],
        ["format_version", "watermark", "catalog", "subjects"],
        ["catalog", "format_version", "subjects", "watermark"],
    ] {
        let json = permuted(&order);
        let snapshot = Snapshot::from_json(&json).expect("loads in any order");
        assert_eq!(snapshot, expected, "{order:?}");
        assert_eq!(snapshot.watermark(), Some(7));
        let via_serde: Snapshot = serde_json::from_str(&json).expect("loads in any order");
        assert_eq!(via_serde, expected, "{order:?}");
        let value: Value = serde_json::from_str(&json).expect("JSON");
        let via_value: Snapshot = serde_json::from_value(value).expect("loads in any order");
        assert_eq!(via_value, expected, "{order:?}");
        let restored = Ledger::restore(snapshot).expect("restores");
        assert_eq!(restored.snapshot(), ledger().snapshot());
    }
}

/// A snapshot of `bare` subjects with nothing recorded, then `eve`
/// registered.
fn with_bare(bare: usize) -> String {
    let mut subjects: Vec<Value> = (0..bare)
        .map(|i| json!({"id": format!("b-{i:06}")}))
        .collect();
    let v: Value = serde_json::from_str(&pristine()).expect("JSON");
    subjects.push(v["subjects"][4].clone());
    let mut v = v;
    v["subjects"] = Value::Array(subjects);
    v.to_string()
}

/// Heap bytes held by what `f` returns.
fn held<T>(f: impl FnOnce() -> T) -> (T, i64) {
    let region = Region::new(GLOBAL);
    let value = f();
    let s = region.change();
    (value, s.bytes_allocated as i64 - s.bytes_deallocated as i64)
}

#[test]
fn bare_subjects_are_not_kept() {
    let _guard = serial();
    let load = |json: &str| Ledger::restore(Snapshot::from_json(json).expect("loads")).expect("ok");
    let one = with_bare(0);
    let many = with_bare(10_000);
    let snapshot = Snapshot::from_json(&many).expect("loads");
    assert_eq!(snapshot.subject_count(), 1);
    let restored = load(&many);
    assert_eq!(restored.subject_count(), 1);
    assert_eq!(restored.subjects().collect::<Vec<_>>(), ["eve"]);
    assert_eq!(restored.subject_handle("b-000001"), None);
    assert_eq!(restored.subject_records("b-000001"), None);
    assert_eq!(restored.snapshot(), load(&one).snapshot());
    // And they take no memory: 10 000 of them cost less than a byte each.
    let (a, base) = held(|| load(&one));
    let (b, with) = held(|| load(&many));
    assert!(
        with - base < 10_000,
        "10 000 bare subjects hold {} bytes",
        with - base
    );
    drop((a, b));
}

#[test]
fn a_bare_subject_counts_for_duplicates() {
    let _guard = serial();
    let eve = json!({"id": "eve"});
    for (what, subjects) in [
        ("bare twice", json!([eve, eve])),
        (
            "bare then registered",
            json!([eve, {"id": "eve", "registered": {"at": "2026-03-01T10:00:00Z", "event": id_of(|l| l.register("eve", T0))}}]),
        ),
        (
            "registered then bare",
            json!([{"id": "eve", "registered": {"at": "2026-03-01T10:00:00Z", "event": id_of(|l| l.register("eve", T0))}}, eve]),
        ),
    ] {
        let json = edited(|v| v["subjects"] = subjects);
        let err = Snapshot::from_json(&json).expect_err(what);
        assert_eq!(
            err.to_string(),
            "snapshot subjects[1] (`eve`): subject `eve` appears twice",
            "{what}"
        );
    }
}

#[test]
fn deep_nesting_anywhere_is_an_error_not_a_crash() {
    let _guard = serial();
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for (what, json) in [
        ("subjects", edited(|v| v["subjects"] = json!("HOLE"))),
        ("catalog", edited(|v| v["catalog"] = json!("HOLE"))),
        (
            "a record",
            edited(|v| v["subjects"][0]["records"][0] = json!("HOLE")),
        ),
    ] {
        let json = json.replace("\"HOLE\"", &nested);
        let err = Snapshot::from_json(&json).expect_err(what);
        assert!(
            err.to_string().starts_with("invalid snapshot JSON: "),
            "{what}: {err}"
        );
        assert!(serde_json::from_str::<Snapshot>(&json).is_err(), "{what}");
    }
}

#[test]
fn shape_errors_inside_subjects_give_the_position_in_the_whole_text() {
    let _guard = serial();
    let json = edited(|v| v["subjects"][1]["records"][0]["colour"] = json!("red"));
    let column = json.find("\"colour\"").expect("the field") + "\"colour\"".len();
    let err = Snapshot::from_json(&json).expect_err("an unknown field");
    assert!(
        err.to_string()
            .ends_with(&format!("at line 1 column {column}")),
        "{err} (expected column {column})"
    );
    // On a later line too.
    let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(&json).expect("JSON"))
        .expect("JSON");
    let at = pretty.find("\"colour\"").expect("the field");
    let line = pretty[..at].matches('\n').count() + 1;
    let err = Snapshot::from_json(&pretty).expect_err("an unknown field");
    assert!(
        err.to_string().contains(&format!("at line {line} column")),
        "{err} (expected line {line})"
    );
}
