//! Input crafted to break the engine rather than to use it: instants the
//! `time` crate can hold but not convert to UTC, errors built from hostile
//! text (newlines, huge strings) and oversized lists. Each must be refused
//! with a short, one-line error, never a panic, and leave the ledger as it
//! was.

use std::sync::{Arc, RwLock};

use consentry::{
    Catalog, CollectionMethod, Error, Event, EventKind, Evidence, Grant, Ledger, LegalBasis,
    PurposeDef, ReceiptOptions, Recorded, Snapshot,
};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::macros::{datetime, offset};
use time::{Date, Duration, OffsetDateTime, Time, UtcOffset};

const T0: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);
/// The last instant the engine stores.
const LAST: OffsetDateTime = datetime!(2261-12-31 23:59:59.999999999 UTC);
/// The first instant the engine stores.
const FIRST: OffsetDateTime = datetime!(1678-01-01 0:00 UTC);

/// RFC 3339 texts that parse, with an offset that puts their UTC instant
/// past the end of what the `time` crate represents.
const BEYOND_TEXT: [&str; 4] = [
    "9999-12-31T23:59:59-00:01",
    "9999-12-31T00:00:00-23:59",
    "9999-12-31T12:00:00.5-23:59",
    "9999-12-31T23:59:59.999999999-00:00",
];

/// Host-built instants whose UTC form the `time` crate cannot represent
/// (years -9999 and 9999, offsets up to ±23:59:59), and the ends of its range.
fn beyond_values() -> Vec<OffsetDateTime> {
    let max = Date::MAX.with_time(Time::MAX);
    let min = Date::MIN.midnight();
    let mut v: Vec<OffsetDateTime> = BEYOND_TEXT
        .iter()
        .map(|t| OffsetDateTime::parse(t, &Rfc3339).expect("parses"))
        .collect();
    v.extend([
        max.assume_offset(offset!(-00:01)),
        max.assume_offset(offset!(-23:59)),
        max.assume_offset(UtcOffset::from_hms(-23, -59, -59).unwrap()),
        min.assume_offset(offset!(+00:01)),
        min.assume_offset(offset!(+23:59)),
        min.assume_offset(UtcOffset::from_hms(23, 59, 59).unwrap()),
        max.assume_utc(),
        min.assume_utc(),
    ]);
    v
}

fn catalog() -> Catalog {
    Catalog::builder()
        .category("contact")
        .category("contact.email")
        .purpose(
            PurposeDef::new("newsletter", LegalBasis::Consent)
                .title("Newsletter")
                .description("A monthly e-mail.")
                .categories(["contact.email"])
                .notice_version(1)
                .default_validity(Duration::days(365))
                .direct_marketing(),
        )
        .purpose(
            PurposeDef::new("analytics", LegalBasis::LegitimateInterest)
                .title("Analytics")
                .description("Counting visits.")
                .categories(["contact"]),
        )
        .build()
        .unwrap()
}

fn evidence() -> Evidence {
    Evidence::new(CollectionMethod::Banner)
        .with_notice_version(1)
        .with_channel("web")
        .with_proof("rcpt-1")
}

/// A ledger with a grant, a refusal and a registration.
fn ledger() -> Ledger {
    let mut l = Ledger::new(catalog());
    l.give(Grant::new("ana", "newsletter", T0, evidence()).categories(["contact.email"]))
        .unwrap();
    l.refuse("bob", "newsletter", T0, evidence()).unwrap();
    l.register("cy", T0).unwrap();
    l
}

/// A valid `given` event as JSON.
fn given_json() -> Value {
    let mut l = Ledger::new(catalog());
    let e = l
        .give(
            Grant::new("ana", "newsletter", T0, evidence())
                .categories(["contact.email"])
                .expires_at(T0 + Duration::days(30)),
        )
        .unwrap()
        .into_event();
    serde_json::from_str(&e.to_json().unwrap()).unwrap()
}

#[track_caller]
fn assert_out_of_range(result: Result<impl std::fmt::Debug, Error>, text: &str) {
    match result {
        Err(e @ Error::TimeOutOfRange(_)) => {
            let message = e.to_string();
            assert!(message.contains(&format!("`{text}`")), "{message}");
            assert_bounded(&e);
        }
        other => panic!("expected an out-of-range error for {text}, got {other:?}"),
    }
}

/// The error is one line of at most 512 bytes without control characters,
/// and its Debug form is bounded too.
#[track_caller]
fn assert_bounded(e: &Error) {
    let message = e.to_string();
    assert!(
        message.len() <= 512,
        "{} bytes: {message:.600}",
        message.len()
    );
    assert!(!message.chars().any(char::is_control), "{message:?}");
    let debug = format!("{e:?}");
    assert!(debug.len() <= 2048, "{} bytes: {debug:.2100}", debug.len());
}

// ---------------------------------------------------------------------------
// A. Instants beyond the `time` crate's range
// ---------------------------------------------------------------------------

#[test]
fn event_times_beyond_the_time_crate_are_errors() {
    for text in BEYOND_TEXT {
        let mut registered =
            json!({"v": 1, "id": "0".repeat(32), "subject": "x", "at": text, "kind": "registered"});
        assert_out_of_range(Event::from_json(&registered.to_string()), text);
        let mut l = ledger();
        let before = l.snapshot();
        assert_out_of_range(l.apply_json(&registered.to_string()), text);
        assert_eq!(l.snapshot(), before);
        registered["kind"] = json!("erased");
        assert_out_of_range(l.apply_json(&registered.to_string()), text);

        let mut given = given_json();
        given["expires_at"] = json!(text);
        assert_out_of_range(Event::from_json(&given.to_string()), text);
        assert_out_of_range(l.apply_json(&given.to_string()), text);
        assert_eq!(l.snapshot(), before);
    }
}

#[test]
fn snapshot_times_beyond_the_time_crate_are_errors() {
    let mut l = ledger();
    l.withdraw_all("cy", T0 + Duration::days(1), evidence())
        .unwrap();
    let good: Value = serde_json::from_str(&l.snapshot().to_json().unwrap()).unwrap();
    for text in BEYOND_TEXT {
        type Field = fn(&mut Value) -> &mut Value;
        let edits: [(&str, Field); 4] = [
            ("record at", |s| &mut s["subjects"][0]["records"][0]["at"]),
            (
                "expiry",
                |s| &mut s["subjects"][0]["records"][0]["expires_at"],
            ),
            ("registered", |s| &mut s["subjects"][2]["registered"]["at"]),
            ("withdrawn_all", |s| {
                &mut s["subjects"][2]["withdrawn_all"]["at"]
            }),
        ];
        for (what, field) in edits {
            let mut s = good.clone();
            *field(&mut s) = json!(text);
            // `from_json` checks the content: the error comes from it.
            match Snapshot::from_json(&s.to_string()).and_then(Ledger::restore) {
                Err(e) => {
                    let message = e.to_string();
                    assert!(message.contains("is out of range"), "{what}: {message}");
                    assert!(message.contains(text), "{what}: {message}");
                    assert_bounded(&e);
                }
                Ok(_) => panic!("{what}: {text} restored"),
            }
        }
    }
}

#[test]
fn changes_at_instants_beyond_the_time_crate_are_errors() {
    for at in beyond_values() {
        let mut l = ledger();
        let before = l.snapshot();
        let results: Vec<(&str, Result<Recorded, Error>)> = vec![
            (
                "give",
                l.give(
                    Grant::new("ana", "newsletter", at, evidence()).categories(["contact.email"]),
                ),
            ),
            ("register", l.register("ana", at)),
            ("erase", l.erase("ana", at)),
            ("refuse", l.refuse("ana", "newsletter", at, evidence())),
            ("withdraw", l.withdraw("ana", "newsletter", at, evidence())),
            ("withdraw_all", l.withdraw_all("ana", at, evidence())),
            ("object", l.object("ana", "analytics", at, evidence())),
            ("opt out", l.set_global_opt_out("ana", at, evidence())),
            ("opt in", l.clear_global_opt_out("ana", at, evidence())),
        ];
        for (what, result) in results {
            match result {
                Err(e @ Error::TimeOutOfRange(_)) => assert_bounded(&e),
                other => panic!("{what} at {at:?}: {other:?}"),
            }
        }
        assert_eq!(l.snapshot(), before, "{at:?}");

        // A requested expiry past the end is cut there and capped like any
        // other (the grant is stored); one before the start is an error.
        let until = l.give(
            Grant::new("ana", "newsletter", T0, evidence())
                .categories(["contact.email"])
                .expires_at(at),
        );
        if at.unix_timestamp() > 0 {
            let event = until.expect("capped").into_event();
            match event.kind() {
                EventKind::Given {
                    expires_at: Some(e),
                    ..
                } => assert!(*e <= LAST && *e > T0, "{at:?}: {e}"),
                other => panic!("{at:?}: {other:?}"),
            }
        } else {
            match until {
                Err(e @ Error::TimeOutOfRange(_)) => assert_bounded(&e),
                other => panic!("give until {at:?}: {other:?}"),
            }
            assert_eq!(l.snapshot(), before, "{at:?}");
        }
    }
}

/// Checks never fail: an instant beyond either end is answered as at the
/// nearest end of the supported range, and reports, exports, prompts and
/// pruning at such instants do not panic either.
#[test]
fn checks_at_instants_beyond_the_time_crate_answer_as_at_the_nearest_end() {
    let l = ledger();
    for at in beyond_values() {
        let end = if at.unix_timestamp() > 0 { LAST } else { FIRST };
        for (s, p, c) in [
            ("ana", "newsletter", "contact.email"),
            ("bob", "newsletter", "contact.email"),
            ("cy", "analytics", "contact"),
            ("nobody", "analytics", "contact"),
        ] {
            assert_eq!(
                l.is_permitted(s, p, c, at),
                l.is_permitted(s, p, c, end),
                "{s} {p} {at:?}"
            );
            let decision = l.decide(s, p, c, at);
            assert_eq!(decision, l.decide(s, p, c, end), "{s} {p} {at:?}");
            assert!(!decision.to_string().is_empty());
            let _ = l.status(s, p, at);
            let _ = l.should_ask(s, p, at, Duration::days(30));
            let _ = l.should_ask(s, p, at, Duration::MAX);
            let _ = l.should_ask(s, p, at, Duration::MIN);
            let _ = l.receipt(s, p, at, &ReceiptOptions::default());
        }
        let report = l.subject_report("ana", at);
        let _ = format!("{report:?}");
        let _ = l.export_subject("ana", at).map(|e| e.to_json());
        let _ = l.expiring(at, Duration::days(30)).count();
        let _ = l.expiring(at, Duration::MAX).count();
        let _ = l.audience("analytics", "contact", at).count();
        assert_eq!(
            l.audience_count("analytics", "contact", at),
            l.audience_count("analytics", "contact", end)
        );
        let mut pruned = l.clone();
        let _ = pruned.prune(at);
    }
}

/// A host keeps the ledger behind a lock; a call that fails must not poison
/// it, nor change what it holds.
#[test]
fn a_failed_call_under_a_lock_leaves_the_ledger_usable_and_unchanged() {
    let shared = Arc::new(RwLock::new(ledger()));
    let before = shared.read().unwrap().snapshot();
    let bad = json!({
        "v": 1, "id": "0".repeat(32), "subject": "x",
        "at": "9999-12-31T23:59:59-00:01", "kind": "registered",
    })
    .to_string();
    let beyond = OffsetDateTime::parse("9999-12-31T23:59:59-00:01", &Rfc3339).unwrap();
    let worker = {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            let mut l = shared.write().unwrap();
            let a = l.apply_json(&bad).is_err();
            let b = l.register("dee", beyond).is_err();
            let c = l
                .give(Grant::new("dee", "newsletter", beyond, evidence()).categories(["contact"]))
                .is_err();
            a && b && c
        })
    };
    assert!(worker.join().expect("no panic"), "every call failed");
    assert!(!shared.is_poisoned());
    let mut l = shared.write().unwrap();
    assert_eq!(l.snapshot(), before);
    l.register("dee", T0).unwrap();
    assert!(l.is_permitted("dee", "analytics", "contact", T0));
}

// ---------------------------------------------------------------------------
// B. Error messages built from hostile input are one short line
// ---------------------------------------------------------------------------

const INJECTED: &str = "registered\n2026-01-01 ADMIN LOGIN OK\r\u{1b}[2J\u{7f}\u{85}";

fn huge(n: usize) -> String {
    "a".repeat(n)
}

/// Every field of an event, spoiled in turn with a multi-line and a huge
/// value.
#[test]
fn event_json_errors_are_one_short_line() {
    let big = huge(1 << 20);
    let mut inputs: Vec<String> = Vec::new();
    for bad in [
        INJECTED.to_owned(),
        big.clone(),
        format!("{big}\n{INJECTED}"),
    ] {
        for field in [
            "kind",
            "subject",
            "at",
            "id",
            "purpose",
            "expires_at",
            "categories",
        ] {
            let mut v = given_json();
            v[field] = if field == "categories" {
                json!([bad])
            } else {
                json!(bad)
            };
            inputs.push(v.to_string());
        }
        for field in ["channel", "proof", "jurisdiction", "language", "method"] {
            let mut v = given_json();
            v["evidence"][field] = json!(bad);
            inputs.push(v.to_string());
        }
        // An unknown key, and a key that is not JSON at all.
        let mut v = given_json();
        v[&bad] = json!(1);
        inputs.push(v.to_string());
        let mut v = given_json();
        v["evidence"][&bad] = json!(1);
        inputs.push(v.to_string());
        inputs.push(format!("{{\"v\":1,{bad}"));
        inputs.push(format!("[{}]", bad.len()));
    }
    let mut l = ledger();
    let before = l.snapshot();
    for input in &inputs {
        let e = Event::from_json(input).expect_err("refused");
        assert_bounded(&e);
        let e = l.apply_json(input).expect_err("refused");
        assert_bounded(&e);
    }
    assert_eq!(l.snapshot(), before);
}

#[test]
fn log_injection_through_an_event_kind_stays_on_one_line() {
    let mut v = given_json();
    v["kind"] = json!("registered\n2026-01-01 ADMIN LOGIN OK");
    let e = Event::from_json(&v.to_string()).unwrap_err();
    let message = e.to_string();
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.contains("registered\\n2026-01-01 ADMIN LOGIN OK"),
        "{message}"
    );
}

/// The parser's error keeps its structure: where, and which kind of
/// problem, besides the (cut) message.
#[test]
fn json_errors_keep_line_column_and_category() {
    let e = Event::from_json("{\"v\":1,\n  \"subject\": tru}").unwrap_err();
    match &e {
        Error::Json {
            what,
            line,
            column,
            category,
            ..
        } => {
            assert_eq!(*what, "event");
            assert_eq!((*line, *column), (2, 17));
            assert_eq!(category.to_string(), "syntax");
        }
        other => panic!("{other:?}"),
    }
    let e = Event::from_json("{\"v\":1,").unwrap_err();
    assert!(matches!(&e, Error::Json { category, .. } if category.to_string() == "eof"));
    let e = Event::from_json("{\"v\":\"one\"}").unwrap_err();
    assert!(matches!(&e, Error::Json { category, .. } if category.to_string() == "data"));
    let e = Snapshot::from_json(&format!("{{\"{}\": 1}}", huge(1 << 20))).unwrap_err();
    match &e {
        Error::Json {
            what,
            line,
            category,
            ..
        } => {
            assert_eq!((*what, *line), ("snapshot", 1));
            assert_eq!(category.to_string(), "data");
        }
        other => panic!("{other:?}"),
    }
    assert_bounded(&e);
}

fn snapshot_json() -> Value {
    serde_json::from_str(&ledger().snapshot().to_json().unwrap()).unwrap()
}

/// Every string of a snapshot, spoiled in turn.
#[test]
fn snapshot_errors_are_one_short_line() {
    let big = huge(1 << 20);
    for bad in [INJECTED.to_owned(), big.clone(), format!("{INJECTED}{big}")] {
        let edits: [fn(&mut Value, &str); 11] = [
            |s, b| s["subjects"][0]["id"] = json!(b),
            |s, b| s["subjects"][0]["records"][0]["purpose"] = json!(b),
            |s, b| s["subjects"][0]["records"][0]["at"] = json!(b),
            |s, b| s["subjects"][0]["records"][0]["categories"] = json!([b]),
            |s, b| s["subjects"][0]["records"][0]["evidence"]["proof"] = json!(b),
            |s, b| s["subjects"][0]["records"][0]["status"] = json!(b),
            |s, b| s["subjects"][0]["records"][0][b] = json!(1),
            |s, b| s["catalog"]["categories"][0]["name"] = json!(b),
            |s, b| s["catalog"]["purposes"][0]["name"] = json!(b),
            |s, b| s["catalog"]["purposes"][0]["basis"] = json!(b),
            |s, b| s["catalog"]["purposes"][0]["categories"] = json!([b]),
        ];
        for edit in edits {
            let mut s = snapshot_json();
            edit(&mut s, &bad);
            let e = Snapshot::from_json(&s.to_string())
                .and_then(Ledger::restore)
                .expect_err("refused");
            assert_bounded(&e);
        }
    }
}

/// A subject id of tens of megabytes: the error names it cut short, with
/// its length, rather than copying it.
#[test]
fn a_huge_subject_id_in_a_snapshot_is_named_cut_short() {
    let id = format!("{}\n{}", huge(32 << 20), huge(16));
    let mut s = snapshot_json();
    s["subjects"][0]["id"] = json!(id);
    let e = Snapshot::from_json(&s.to_string())
        .and_then(Ledger::restore)
        .unwrap_err();
    assert_bounded(&e);
    let message = e.to_string();
    assert!(
        message.contains(&format!("({} bytes)", id.len())),
        "{message}"
    );
    assert!(message.contains("..."), "{message}");
}

/// Names given to the API, evidence strings and times.
#[test]
fn api_errors_are_one_short_line() {
    let big = huge(10 << 20);
    let mut l = ledger();
    let before = l.snapshot();
    for bad in [INJECTED.to_owned(), big.clone(), format!("{big}\n")] {
        let b = bad.as_str();
        let results = [
            l.register(b, T0).map(drop),
            l.give(Grant::new(b, "newsletter", T0, evidence()).categories(["contact"]))
                .map(drop),
            l.give(Grant::new("ana", b, T0, evidence()).categories(["contact"]))
                .map(drop),
            l.give(Grant::new("ana", "newsletter", T0, evidence()).categories([b]))
                .map(drop),
            l.refuse("ana", b, T0, evidence()).map(drop),
            l.object("ana", b, T0, evidence()).map(drop),
            l.give(
                Grant::new("ana", "newsletter", T0, evidence().with_proof(b))
                    .categories(["contact.email"]),
            )
            .map(drop),
            l.give(
                Grant::new("ana", "newsletter", T0, evidence().with_channel(b))
                    .categories(["contact.email"]),
            )
            .map(drop),
            l.withdraw_all("ana", T0, evidence().with_jurisdiction(b))
                .map(drop),
            l.withdraw_all("ana", T0, evidence().with_language(b)).map(drop),
            l.apply_json(&json!({"v": 1, "id": "0".repeat(32), "subject": "x", "at": b, "kind": "registered"}).to_string()).map(drop),
        ];
        for result in results {
            assert_bounded(&result.expect_err("refused"));
        }
        let catalog_errors = [
            Catalog::builder().category(b).build().map(drop),
            Catalog::builder()
                .category("a")
                .purpose(PurposeDef::new(b, LegalBasis::Consent))
                .build()
                .map(drop),
            Catalog::builder()
                .purpose(
                    PurposeDef::new("p", LegalBasis::Consent)
                        .title(b)
                        .categories([b]),
                )
                .build()
                .map(drop),
        ];
        for result in catalog_errors {
            assert_bounded(&result.expect_err("refused"));
        }
    }
    assert_eq!(l.snapshot(), before);
}

/// Display and Debug of an error built directly from a huge name: the
/// input is cut where the error is made, and the original length kept.
#[test]
fn error_debug_is_bounded() {
    let name = huge(10 << 20);
    let l = Ledger::new(catalog());
    let mut l2 = l.clone();
    let e = l2.refuse("ana", &name, T0, evidence()).unwrap_err();
    assert_bounded(&e);
    assert!(
        e.to_string().contains("(10485760 bytes)"),
        "{}",
        e.to_string()
    );
}

// ---------------------------------------------------------------------------
// C. Oversized lists are refused while reading
// ---------------------------------------------------------------------------

#[test]
fn an_event_with_too_many_categories_is_refused_before_de_duplication() {
    for copies in [129, 1_000_000] {
        let mut v = given_json();
        v["categories"] = json!(vec!["contact.email"; copies]);
        let e = Event::from_json(&v.to_string()).expect_err("refused");
        assert_bounded(&e);
        let message = e.to_string();
        assert!(message.contains("at most 128"), "{message}");
        let mut l = ledger();
        let before = l.snapshot();
        assert!(l.apply_json(&v.to_string()).is_err());
        assert_eq!(l.snapshot(), before);
    }
    // 128 copies of one name are within the limit (and hash as one).
    let mut v = given_json();
    v["categories"] = json!(vec!["contact.email"; 128]);
    assert!(Event::from_json(&v.to_string()).is_ok());
}

#[test]
fn snapshot_lists_are_bounded_while_reading() {
    let record = snapshot_json()["subjects"][0]["records"][0].clone();
    let category = json!({"name": "contact"});
    let purpose = snapshot_json()["catalog"]["purposes"][0].clone();
    // What the error says, whether the catalog alone is refused too, and the edit.
    type Edit<'a> = Box<dyn Fn(&mut Value) + 'a>;
    let cases: [(&str, bool, Edit<'_>); 4] = [
        (
            "at most 4096",
            false,
            Box::new(|s| s["subjects"][0]["records"] = json!(vec![record.clone(); 4097])),
        ),
        (
            "at most 128",
            true,
            Box::new(|s| s["catalog"]["categories"] = json!(vec![category.clone(); 129])),
        ),
        (
            "at most 4096",
            true,
            Box::new(|s| s["catalog"]["purposes"] = json!(vec![purpose.clone(); 4097])),
        ),
        (
            "at most 128",
            true,
            Box::new(|s| {
                s["catalog"]["purposes"][0]["categories"] = json!(vec!["contact.email"; 129])
            }),
        ),
    ];
    for (expected, catalog_too, edit) in cases {
        let mut s = snapshot_json();
        edit(&mut s);
        let e = Snapshot::from_json(&s.to_string()).expect_err("refused");
        assert_bounded(&e);
        assert!(e.to_string().contains(expected), "{e}");
        if catalog_too {
            let e =
                serde_json::from_str::<Catalog>(&s["catalog"].to_string()).expect_err("refused");
            assert!(e.to_string().contains(expected), "{e}");
        }
    }
}

#[test]
fn evidence_of_unicode_white_space_only_is_empty() {
    for blank in ["\u{2003}\u{3000}", "\u{a0}", " \u{2028}\t", "\u{205f}"] {
        for (field, ev) in [
            ("proof", evidence().with_proof(blank)),
            ("channel", evidence().with_channel(blank)),
            ("jurisdiction", evidence().with_jurisdiction(blank)),
            ("language", evidence().with_language(blank)),
        ] {
            let mut l = ledger();
            let before = l.snapshot();
            let e = l
                .give(Grant::new("ana", "newsletter", T0, ev).categories(["contact.email"]))
                .expect_err("refused");
            assert!(
                e.to_string()
                    .starts_with(&format!("evidence field `{field}` is empty")),
                "{field} {blank:?}: {e}"
            );
            assert_eq!(l.snapshot(), before);
            let mut v = given_json();
            v["evidence"][field] = json!(blank);
            let e = Event::from_json(&v.to_string()).expect_err("refused");
            assert!(e.to_string().contains("is empty"), "{field} {blank:?}: {e}");
        }
    }
}
