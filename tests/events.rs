//! Invalid events: each is a clear error and leaves the ledger unchanged.

use consentry::{
    Catalog, CollectionMethod, Error, Event, Evidence, Grant, Ledger, LegalBasis, PurposeDef,
};
use time::macros::datetime;

fn catalog(extra: bool) -> Catalog {
    let mut b = Catalog::builder()
        .category("contact")
        .category("contact.email")
        .category("browsing")
        .purpose(
            PurposeDef::new("newsletter", LegalBasis::Consent)
                .title("Newsletter")
                .description("Monthly e-mail.")
                .categories(["contact.email"])
                .notice_version(2)
                .min_notice_version(1),
        )
        .purpose(
            PurposeDef::new("orders", LegalBasis::Contract)
                .title("Orders")
                .description("Delivering orders.")
                .categories(["contact"]),
        );
    if extra {
        // A newer catalog, as another instance might run.
        b = b.category("location").purpose(
            PurposeDef::new("ads", LegalBasis::Consent)
                .title("Ads")
                .description("Personalised ads.")
                .categories(["browsing", "location"])
                .notice_version(3),
        );
    }
    b.build().expect("valid catalog")
}

fn evidence(v: u32) -> Evidence {
    Evidence::new(CollectionMethod::Api).with_notice_version(v)
}

/// A ledger with some state, to check that a failing apply changes nothing.
fn ledger() -> Ledger {
    let mut l = Ledger::new(catalog(false));
    let at = datetime!(2026-01-01 0:00 UTC);
    l.give(Grant::new("u1", "newsletter", at, evidence(2)))
        .expect("valid");
    l.register("u2", at).expect("valid");
    l
}

#[track_caller]
fn rejected(event: &Event, expected: &str) {
    let mut l = ledger();
    let before = l.snapshot();
    let err = l.apply(event).expect_err("the event must be rejected");
    assert_eq!(err.to_string(), expected);
    assert_eq!(l.snapshot(), before, "a rejected event changed the ledger");
}

#[track_caller]
fn unreadable(json: &str, expected: &str) {
    let err = Event::from_json(json).expect_err("the event must not parse");
    assert_eq!(err.to_string(), expected);
}

#[test]
fn undeclared_purpose() {
    let mut newer = Ledger::new(catalog(true));
    let at = datetime!(2026-01-02 0:00 UTC);
    let e = newer
        .give(Grant::new("u1", "ads", at, evidence(3)).categories(["browsing"]))
        .expect("valid")
        .into_event();
    rejected(&e, "purpose `ads` is not declared");
    let e = newer
        .refuse("u3", "ads", at, evidence(1))
        .expect("valid")
        .into_event();
    rejected(&e, "purpose `ads` is not declared");
}

#[test]
fn undeclared_category() {
    // The same purpose name in a catalog where it uses a category this one lacks.
    let other = Catalog::builder()
        .category("contact")
        .category("contact.email")
        .category("contact.email.work")
        .purpose(
            PurposeDef::new("newsletter", LegalBasis::Consent)
                .title("Newsletter")
                .description("Monthly e-mail.")
                .categories(["contact.email"])
                .notice_version(2),
        )
        .build()
        .expect("valid");
    let mut l = Ledger::new(other);
    let e = l
        .give(
            Grant::new(
                "u1",
                "newsletter",
                datetime!(2026-01-02 0:00 UTC),
                evidence(2),
            )
            .categories(["contact.email.work"]),
        )
        .expect("valid there")
        .into_event();
    rejected(&e, "category `contact.email.work` is not declared");
}

#[test]
fn category_outside_the_purpose() {
    let wide = Catalog::builder()
        .category("contact")
        .category("contact.email")
        .category("browsing")
        .purpose(
            PurposeDef::new("newsletter", LegalBasis::Consent)
                .title("Newsletter")
                .description("Monthly e-mail.")
                .categories(["contact.email", "browsing"])
                .notice_version(2),
        )
        .build()
        .expect("valid");
    let mut l = Ledger::new(wide);
    let e = l
        .give(Grant::new(
            "u1",
            "newsletter",
            datetime!(2026-01-02 0:00 UTC),
            evidence(2),
        ))
        .expect("valid there")
        .into_event();
    rejected(
        &e,
        "category `browsing` is not among the categories of purpose `newsletter`",
    );
}

#[test]
fn notice_version_never_published() {
    let mut newer = Ledger::new(
        Catalog::builder()
            .category("contact")
            .category("contact.email")
            .purpose(
                PurposeDef::new("newsletter", LegalBasis::Consent)
                    .title("Newsletter")
                    .description("Monthly e-mail.")
                    .categories(["contact.email"])
                    .notice_version(5),
            )
            .build()
            .expect("valid"),
    );
    let e = newer
        .give(Grant::new(
            "u1",
            "newsletter",
            datetime!(2026-01-02 0:00 UTC),
            evidence(5),
        ))
        .expect("valid there")
        .into_event();
    rejected(
        &e,
        "purpose `newsletter`: notice version 5 was never published (current version 2)",
    );
}

#[test]
fn objection_the_purpose_does_not_allow() {
    // `orders` is legitimate interest elsewhere, contract here.
    let mut other = Ledger::new(
        Catalog::builder()
            .category("contact")
            .purpose(
                PurposeDef::new("orders", LegalBasis::LegitimateInterest)
                    .title("Orders")
                    .description("Delivering orders.")
                    .categories(["contact"]),
            )
            .build()
            .expect("valid"),
    );
    let e = other
        .object("u1", "orders", datetime!(2026-01-02 0:00 UTC), evidence(1))
        .expect("valid there")
        .into_event();
    rejected(
        &e,
        "cannot object to purpose `orders`: its legal basis is contract; objection applies to legitimate interest, public task and direct marketing purposes",
    );
}

/// A well-formed `given` event's JSON, to alter field by field.
fn given_json() -> String {
    let mut l = ledger();
    l.give(
        Grant::new(
            "u9",
            "newsletter",
            datetime!(2026-02-01 0:00 UTC),
            evidence(2),
        )
        .expires_at(datetime!(2026-08-01 0:00 UTC)),
    )
    .expect("valid")
    .into_event()
    .to_json()
    .expect("serializes")
}

#[test]
fn a_valid_event_reads_back_and_applies() {
    let json = given_json();
    let e = Event::from_json(&json).expect("valid");
    assert_eq!(e.to_json().expect("serializes"), json);
    let mut l = ledger();
    l.apply(&e).expect("valid");
    assert!(l.is_permitted(
        "u9",
        "newsletter",
        "contact.email",
        datetime!(2026-03-01 0:00 UTC)
    ));
}

#[test]
fn expiry_before_event_time() {
    let json = given_json().replace(
        "\"expires_at\":\"2026-08-01T00:00:00Z\"",
        "\"expires_at\":\"2026-01-01T00:00:00Z\"",
    );
    unreadable(
        &json,
        "consent to purpose `newsletter` given at 2026-02-01T00:00:00Z cannot expire at 2026-01-01T00:00:00Z: the expiry must be later",
    );
    let json = given_json().replace(
        "\"expires_at\":\"2026-08-01T00:00:00Z\"",
        "\"expires_at\":\"2026-02-01T00:00:00Z\"",
    );
    unreadable(
        &json,
        "consent to purpose `newsletter` given at 2026-02-01T00:00:00Z cannot expire at 2026-02-01T00:00:00Z: the expiry must be later",
    );
}

#[test]
fn unsupported_version() {
    let json = given_json().replace("{\"v\":2,", "{\"v\":3,");
    unreadable(
        &json,
        "unsupported event format version 3 (this version of consentry reads versions 1 to 2)",
    );
}

#[test]
fn altered_content_no_longer_matches_its_id() {
    let json = given_json();
    let e = Event::from_json(&json).expect("valid");
    let tampered = json.replace("\"subject\":\"u9\"", "\"subject\":\"u8\"");
    let err = Event::from_json(&tampered).expect_err("tampered");
    assert!(
        matches!(err, Error::EventIdMismatch { ref found, .. } if *found == e.id().to_string())
    );
    assert!(
        err.to_string()
            .starts_with(&format!("event id `{}` does not match its content", e.id()))
    );
}

#[test]
fn malformed_json() {
    let json = given_json();
    let truncated = &json[..json.len() - 10];
    assert!(
        Event::from_json(truncated)
            .expect_err("truncated")
            .to_string()
            .starts_with("invalid event JSON: EOF while parsing")
    );
    unreadable(
        "",
        "invalid event JSON: EOF while parsing a value at line 1 column 0",
    );
    unreadable(
        "[1,2]",
        "invalid event JSON: invalid type: integer `2`, expected a string at line 1 column 4",
    );
    let wrong_type = json.replace("\"v\":2", "\"v\":\"2\"");
    assert!(
        Event::from_json(&wrong_type)
            .expect_err("wrong type")
            .to_string()
            .starts_with("invalid event JSON: invalid type: string \"2\", expected u64")
    );
    let unknown_field = json.replace("{\"v\":2,", "{\"v\":2,\"color\":\"red\",");
    assert!(
        Event::from_json(&unknown_field)
            .expect_err("unknown field")
            .to_string()
            .starts_with("invalid event JSON: unknown field `color`")
    );
}

#[test]
fn missing_and_misplaced_fields() {
    let json = given_json();
    let no_purpose = json.replace("\"purpose\":\"newsletter\",", "");
    unreadable(
        &no_purpose,
        "invalid event: a `given` event needs field `purpose`",
    );
    let erased = json.replace("\"kind\":\"given\"", "\"kind\":\"erased\"");
    unreadable(
        &erased,
        "invalid event: an `erased` event has no field `purpose`",
    );
    let no_id = json.replacen(
        &format!(
            "\"id\":\"{}\",",
            Event::from_json(&json).expect("valid").id()
        ),
        "",
        1,
    );
    unreadable(&no_id, "invalid event: missing field `id`");
    let bad_time = json.replace("\"at\":\"2026-02-01T00:00:00Z\"", "\"at\":\"yesterday\"");
    assert!(
        Event::from_json(&bad_time)
            .expect_err("bad time")
            .to_string()
            .starts_with("time `yesterday` is not RFC 3339")
    );
    let far_future = json.replace(
        "\"at\":\"2026-02-01T00:00:00Z\"",
        "\"at\":\"2300-02-01T00:00:00Z\"",
    );
    unreadable(
        &far_future,
        "time `2300-02-01T00:00:00Z` is out of range (supported: 1678-01-01 to 2261-12-31 UTC)",
    );
}

#[test]
fn every_rejected_json_leaves_the_ledger_unchanged() {
    // Reading fails before the ledger is touched; applying what did parse
    // but does not fit the catalog fails without a change (checked above).
    let mut l = ledger();
    let before = l.snapshot();
    for json in ["", "{}", "{\"v\":2}", "{\"v\":1}", "null", "[]"] {
        if let Ok(e) = Event::from_json(json) {
            let _ = l.apply(&e);
        }
    }
    assert_eq!(l.snapshot(), before);
}

/// `apply_json` (the replay path that reads straight from the JSON text)
/// accepts and refuses exactly what `from_json` + `apply` do, with the same
/// messages, and a refusal leaves the ledger unchanged.
#[test]
fn apply_json_agrees_with_from_json_then_apply() {
    let good = given_json();
    let mut inputs = vec![
        good.clone(),
        good.replace("{\"v\":2,", "{\"v\":3,"),
        good.replace("{\"v\":2,", "{\"v\":1,"),
        good.replace("\"subject\":\"u9\"", "\"subject\":\"u8\""),
        good.replace("\"kind\":\"given\"", "\"kind\":\"erased\""),
        good.replace(
            "\"at\":\"2026-02-01T00:00:00Z\"",
            "\"at\":\"2300-02-01T00:00:00Z\"",
        ),
        good[..good.len() - 3].to_owned(),
        String::new(),
        "{}".to_owned(),
    ];
    // Events that parse but do not fit this ledger's catalog.
    let mut newer = Ledger::new(catalog(true));
    let at = datetime!(2026-01-02 0:00 UTC);
    inputs.push(
        newer
            .give(Grant::new("u1", "ads", at, evidence(3)).categories(["browsing"]))
            .expect("valid there")
            .into_event()
            .to_json()
            .expect("serializes"),
    );
    // Escapes in strings are read, hashed and applied like plain ones.
    let mut l = ledger();
    inputs.push(
        l.give(Grant::new(
            "quote\"and\\slash",
            "newsletter",
            at,
            evidence(2),
        ))
        .expect("valid")
        .into_event()
        .to_json()
        .expect("serializes"),
    );
    for json in &inputs {
        let mut a = ledger();
        let mut b = ledger();
        let before = a.snapshot();
        let via_event = Event::from_json(json).and_then(|e| a.apply(&e));
        let direct = b.apply_json(json);
        match (&via_event, &direct) {
            (Ok(x), Ok(y)) => assert_eq!(x, y, "{json}"),
            (Err(x), Err(y)) => {
                assert_eq!(x.to_string(), y.to_string(), "{json}");
                assert_eq!(b.snapshot(), before, "a refused event changed the ledger");
            }
            _ => panic!("{json}: {via_event:?} vs {direct:?}"),
        }
        assert_eq!(a.snapshot(), b.snapshot(), "{json}");
    }
}

/// The event shown in the README's "Event format" section is a real one: it
/// reads back and its id verifies.
#[test]
fn the_readme_example_event_verifies() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("{\"v\":2,\"id\":\"")
        .expect("an example event in the README");
    let end = start + readme[start..].find("}}").expect("its end") + 2;
    let json: String = readme[start..end].lines().map(str::trim).collect();
    let event = Event::from_json(&json).expect("the README's example event is valid");
    assert_eq!(event.subject(), "alice");
}
