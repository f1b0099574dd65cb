//! Exact error messages for bad input, through the public API only. A failing
//! change must leave the ledger exactly as it was.

mod util;

use consentry::{
    Catalog, CategoryDef, CollectionMethod, Error, Event, Evidence, Grant, Ledger, LegalBasis,
    PurposeDef, Snapshot,
};
use serde_json::{Value, json};
use time::Duration;
use time::macros::datetime;
use util::*;

/// Asserts a catalog build error's exact message.
#[track_caller]
fn build_fails(builder: consentry::CatalogBuilder, message: &str) {
    match builder.build() {
        Ok(_) => panic!("the catalog built; expected `{message}`"),
        Err(e) => assert_eq!(e.to_string(), message),
    }
}

/// The shop's categories with one extra purpose.
fn with_purpose(def: PurposeDef) -> consentry::CatalogBuilder {
    shop_categories().purpose(def)
}

/// A purpose with a title and a description but no categories yet.
fn bare(name: &str) -> PurposeDef {
    PurposeDef::new(name, LegalBasis::Consent)
        .title("Loyalty points")
        .description("Points for every purchase.")
}

/// A purpose that passes every check, to break one at a time.
fn good(name: &str) -> PurposeDef {
    bare(name).categories(["purchases"])
}

/// Asserts that a change fails with exactly `message` and changes nothing.
#[track_caller]
fn change_fails<T: std::fmt::Debug>(
    ledger: &mut Ledger,
    change: impl FnOnce(&mut Ledger) -> Result<T, Error>,
    message: &str,
) {
    let before = ledger.snapshot();
    let subjects: Vec<String> = ledger.subjects().map(str::to_owned).collect();
    match change(ledger) {
        Ok(v) => panic!("the change succeeded ({v:?}); expected `{message}`"),
        Err(e) => assert_eq!(e.to_string(), message),
    }
    assert_eq!(
        ledger.snapshot(),
        before,
        "a failed change changed the ledger"
    );
    assert_eq!(
        ledger.subjects().map(str::to_owned).collect::<Vec<_>>(),
        subjects
    );
}

/// A ledger with some history, so that "unchanged" means something.
fn busy_shop() -> Ledger {
    let mut ledger = shop();
    ledger.register("ana", T0).unwrap();
    ledger
        .give(Grant::new("ana", "newsletter", T0, banner(3)))
        .unwrap();
    ledger
        .give(Grant::new("bo", "ads.targeting", T0, banner(1)))
        .unwrap();
    ledger.set_global_opt_out("bo", T1, gpc()).unwrap();
    ledger.erase("cy", T1).unwrap();
    ledger
}

// ---------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------

#[test]
fn catalog_category_errors() {
    build_fails(
        Catalog::builder().category("contact").category("contact"),
        "category `contact` is declared twice",
    );
    build_fails(
        Catalog::builder()
            .category("health")
            .sensitive_category("health"),
        "category `health` is declared twice",
    );
    build_fails(
        Catalog::builder().category("contact.email"),
        "category `contact.email` needs its parent `contact` declared first",
    );
    // Declared, but after the child.
    build_fails(
        Catalog::builder()
            .category("location")
            .category("location.gps.precise")
            .category("location.gps"),
        "category `location.gps.precise` needs its parent `location.gps` declared first",
    );
    for (name, problem) in [
        ("", "it is empty"),
        (
            "Contact",
            "each dot-separated segment must start with a lowercase letter or digit",
        ),
        (
            "_contact",
            "each dot-separated segment must start with a lowercase letter or digit",
        ),
        ("contact.", "it has an empty segment between dots"),
        (".contact", "it has an empty segment between dots"),
        ("contact..email", "it has an empty segment between dots"),
        (
            "contact email",
            "only lowercase ASCII letters, digits, `_`, `-` and `.` are allowed",
        ),
        (
            "contact.eMail",
            "only lowercase ASCII letters, digits, `_`, `-` and `.` are allowed",
        ),
        (
            "données",
            "only lowercase ASCII letters, digits, `_`, `-` and `.` are allowed",
        ),
    ] {
        build_fails(
            Catalog::builder().category(name),
            &format!("invalid category name `{name}`: {problem}"),
        );
    }
    // A name over 128 bytes, shown cut to 80 bytes, with its length.
    build_fails(
        Catalog::builder().category("a".repeat(129)),
        &format!(
            "invalid category name `{}...` (129 bytes): it is longer than 128 bytes",
            "a".repeat(80)
        ),
    );
    // A control character is shown escaped, so the message stays one line.
    build_fails(
        Catalog::builder().category("con\ntact"),
        "invalid category name `con\\ntact`: only lowercase ASCII letters, digits, `_`, `-` and `.` are allowed",
    );
}

#[test]
fn catalog_category_title_errors() {
    build_fails(
        Catalog::builder().category(CategoryDef::new("contact").title(" ")),
        "invalid category name `contact`: its title is blank (leave it out to use one made from the name)",
    );
    build_fails(
        Catalog::builder().category(CategoryDef::new("contact").description("")),
        "invalid category name `contact`: its description is blank (leave it out if there is none)",
    );
    build_fails(
        Catalog::builder().category(CategoryDef::new("contact").title("t".repeat(4097))),
        "invalid category name `contact`: its title is longer than 4096 bytes",
    );
    build_fails(
        Catalog::builder().category(CategoryDef::new("contact").description("d".repeat(4097))),
        "invalid category name `contact`: its description is longer than 4096 bytes",
    );
    // At the limit is fine.
    assert!(
        Catalog::builder()
            .category(CategoryDef::new("contact").title("t".repeat(4096)))
            .build()
            .is_ok()
    );
    // From JSON, the same errors.
    let e = serde_json::from_value::<Catalog>(json!({
        "categories": [{"name": "contact", "title": ""}], "purposes": []
    }))
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("invalid category name `contact`: its title is blank"),
        "{e}"
    );
}

#[test]
fn catalog_capacity_is_128_categories() {
    let many = |n: usize| (0..n).fold(Catalog::builder(), |b, i| b.category(format!("c{i}")));
    assert_eq!(many(128).build().unwrap().categories().count(), 128);
    assert_eq!(consentry::CATEGORY_CAPACITY, 128);
    build_fails(
        many(129),
        "129 categories declared; a catalog holds at most 128",
    );
    // Counted before the names are checked.
    build_fails(
        many(128).category("Bad"),
        "129 categories declared; a catalog holds at most 128",
    );
}

#[test]
fn catalog_purpose_errors() {
    build_fails(
        with_purpose(good("Loyalty")),
        "invalid purpose name `Loyalty`: each dot-separated segment must start with a lowercase letter or digit",
    );
    build_fails(
        with_purpose(good("loyalty")).purpose(good("loyalty")),
        "purpose `loyalty` is declared twice",
    );
    build_fails(
        with_purpose(
            PurposeDef::new("loyalty", LegalBasis::Consent)
                .description("Points for every purchase.")
                .categories(["purchases"]),
        ),
        "purpose `loyalty`: has no title",
    );
    build_fails(
        with_purpose(good("loyalty").title("   ")),
        "purpose `loyalty`: has no title",
    );
    build_fails(
        with_purpose(
            PurposeDef::new("loyalty", LegalBasis::Consent)
                .title("Loyalty points")
                .categories(["purchases"]),
        ),
        "purpose `loyalty`: has no description",
    );
    build_fails(
        with_purpose(
            PurposeDef::new("loyalty", LegalBasis::Consent)
                .title("Loyalty points")
                .description("Points for every purchase."),
        ),
        "purpose `loyalty`: declares no data categories",
    );
    build_fails(
        with_purpose(bare("loyalty").categories(["purchases.history"])),
        "purpose `loyalty`: uses undeclared category `purchases.history`",
    );
    build_fails(
        with_purpose(good("loyalty").categories(["purchases"])),
        "purpose `loyalty`: lists category `purchases` twice",
    );
    build_fails(
        with_purpose(good("loyalty").title("x".repeat(4097))),
        "purpose `loyalty`: title length in bytes is 4097, above the limit of 4096",
    );
    build_fails(
        shop_categories()
            .controller("x".repeat(4097))
            .purpose(good("loyalty")),
        "controller name length in bytes is 4097, above the limit of 4096",
    );
}

#[test]
fn catalog_notice_and_validity_errors() {
    build_fails(
        with_purpose(good("loyalty").notice_version(2).min_notice_version(3)),
        "purpose `loyalty`: minimum notice version 3 must be between 1 and the current version 2",
    );
    build_fails(
        with_purpose(good("loyalty").min_notice_version(0)),
        "purpose `loyalty`: minimum notice version 0 must be between 1 and the current version 1",
    );
    build_fails(
        with_purpose(good("loyalty").notice_version(0)),
        "purpose `loyalty`: notice versions start at 1",
    );
    build_fails(
        with_purpose(
            good("loyalty")
                .default_validity(days(400))
                .max_validity(days(395)),
        ),
        "purpose `loyalty`: default validity 400d exceeds maximum validity 395d",
    );
    build_fails(
        with_purpose(good("loyalty").max_validity(Duration::milliseconds(1500))),
        "purpose `loyalty`: maximum validity must be a positive whole number of seconds, not 1s500ms",
    );
    build_fails(
        with_purpose(good("loyalty").default_validity(days(30) + ns(1))),
        "purpose `loyalty`: default validity must be a positive whole number of seconds, not 30d1ns",
    );
    build_fails(
        with_purpose(good("loyalty").max_validity(Duration::ZERO)),
        "purpose `loyalty`: maximum validity must be a positive whole number of seconds, not 0s",
    );
    build_fails(
        with_purpose(good("loyalty").default_validity(-days(1))),
        "purpose `loyalty`: default validity must be a positive whole number of seconds, not -1d",
    );
}

#[test]
fn catalog_sensitive_category_under_plain_consent() {
    build_fails(
        with_purpose(bare("loyalty").categories(["purchases", "health"])),
        "purpose `loyalty`: uses sensitive category `health` under plain consent; sensitive data needs explicit consent",
    );
    // Sensitive by inheritance.
    build_fails(
        with_purpose(bare("loyalty").categories(["health.allergies"])),
        "purpose `loyalty`: uses sensitive category `health.allergies` under plain consent; sensitive data needs explicit consent",
    );
    build_fails(
        with_purpose(bare("loyalty").categories(["location.precise"])),
        "purpose `loyalty`: uses sensitive category `location.precise` under plain consent; sensitive data needs explicit consent",
    );
    // A non-sensitive parent of a sensitive category is accepted (and the
    // sensitive child denied at check time), as are the other bases.
    assert!(
        with_purpose(good("loyalty").categories(["location"]))
            .build()
            .is_ok()
    );
    for basis in LegalBasis::ALL
        .into_iter()
        .filter(|b| *b != LegalBasis::Consent)
    {
        let def = PurposeDef::new("loyalty", basis)
            .title("Loyalty points")
            .description("Points for every purchase.")
            .categories(["health"]);
        assert!(with_purpose(def).build().is_ok(), "{basis}");
    }
}

// ---------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------

#[test]
fn change_errors_for_names() {
    let mut l = busy_shop();
    change_fails(
        &mut l,
        |l| l.give(Grant::new("ana", "loyalty", T2, banner(1))),
        "purpose `loyalty` is not declared",
    );
    change_fails(
        &mut l,
        |l| l.refuse("ana", "loyalty", T2, banner(1)),
        "purpose `loyalty` is not declared",
    );
    change_fails(
        &mut l,
        |l| l.withdraw("ana", "Newsletter", T2, settings()),
        "purpose `Newsletter` is not declared",
    );
    change_fails(
        &mut l,
        |l| l.object("ana", "", T2, settings()),
        "purpose `` is not declared",
    );
    change_fails(
        &mut l,
        |l| l.give(Grant::new("ana", "marketing", T2, banner(1)).categories(["contact.fax"])),
        "category `contact.fax` is not declared",
    );
    change_fails(
        &mut l,
        |l| l.give(Grant::new("ana", "newsletter", T2, banner(3)).categories(["browsing"])),
        "category `browsing` is not among the categories of purpose `newsletter`",
    );
    // A parent of the purpose's category is outside it too.
    change_fails(
        &mut l,
        |l| l.give(Grant::new("ana", "newsletter", T2, banner(3)).categories(["contact"])),
        "category `contact` is not among the categories of purpose `newsletter`",
    );
    change_fails(
        &mut l,
        |l| l.object("ana", "orders", T2, settings()),
        "cannot object to purpose `orders`: its legal basis is contract; objection applies to legitimate interest, public task and direct marketing purposes",
    );
    change_fails(
        &mut l,
        |l| l.object("ana", "tax.records", T2, settings()),
        "cannot object to purpose `tax.records`: its legal basis is legal obligation; objection applies to legitimate interest, public task and direct marketing purposes",
    );
}

#[test]
fn change_errors_for_expiry_and_notice_versions() {
    let mut l = busy_shop();
    change_fails(
        &mut l,
        |l| l.give(Grant::new("ana", "newsletter", T2, banner(3)).expires_at(T2)),
        "consent to purpose `newsletter` given at 2026-04-01T10:00:00Z cannot expire at 2026-04-01T10:00:00Z: the expiry must be later",
    );
    change_fails(
        &mut l,
        |l| l.give(Grant::new("ana", "marketing", T2, banner(1)).expires_at(T2 - ns(1))),
        "consent to purpose `marketing` given at 2026-04-01T10:00:00Z cannot expire at 2026-04-01T09:59:59.999999999Z: the expiry must be later",
    );
    change_fails(
        &mut l,
        |l| l.give(Grant::new("ana", "newsletter", T2, banner(4))),
        "purpose `newsletter`: notice version 4 was never published (current version 3)",
    );
    change_fails(
        &mut l,
        |l| l.refuse("ana", "newsletter", T2, banner(9)),
        "purpose `newsletter`: notice version 9 was never published (current version 3)",
    );
    change_fails(
        &mut l,
        |l| l.give(Grant::new("ana", "newsletter", T2, banner(1))),
        "purpose `newsletter`: notice version 1 is no longer accepted (minimum 2); show the current notice (version 3)",
    );
    change_fails(
        &mut l,
        |l| l.give(Grant::new("ana", "newsletter", T2, settings())),
        "purpose `newsletter`: the evidence does not say which notice version was shown",
    );
    change_fails(
        &mut l,
        |l| l.refuse("ana", "orders", T2, settings()),
        "purpose `orders`: the evidence does not say which notice version was shown",
    );
    // Version 0 is caught as "no longer accepted", not as invalid evidence.
    change_fails(
        &mut l,
        |l| l.give(Grant::new("ana", "marketing", T2, banner(0))),
        "evidence field `notice_version` is 0; notice versions start at 1",
    );
    change_fails(
        &mut l,
        |l| l.withdraw("ana", "marketing", T2, settings().with_notice_version(0)),
        "evidence field `notice_version` is 0; notice versions start at 1",
    );
}

/// Notice version errors carry the versions as fields a program can match.
#[test]
fn notice_version_errors_carry_the_versions() {
    let mut l = busy_shop();
    let give = |l: &mut Ledger, evidence| l.give(Grant::new("ana", "newsletter", T2, evidence));
    assert_eq!(
        give(&mut l, banner(1)).unwrap_err(),
        Error::NoticeOutdated {
            purpose: "newsletter".into(),
            given: 1,
            minimum: 2,
            current: 3,
        }
    );
    assert_eq!(
        give(&mut l, banner(4)).unwrap_err(),
        Error::NoticeNeverPublished {
            purpose: "newsletter".into(),
            given: 4,
            current: 3,
        }
    );
    assert_eq!(
        give(&mut l, settings()).unwrap_err(),
        Error::NoticeMissing {
            purpose: "newsletter".into(),
        }
    );
    let err = shop_categories()
        .purpose(good("loyalty").notice_version(2).min_notice_version(3))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        Error::InvalidNoticeVersions {
            purpose: "loyalty".into(),
            current: 2,
            minimum: 3,
        }
    );
}

#[test]
fn change_errors_for_subjects_and_evidence() {
    let mut l = busy_shop();
    change_fails(
        &mut l,
        |l| l.register("", T2),
        "invalid subject id ``: it is empty",
    );
    change_fails(
        &mut l,
        |l| l.give(Grant::new("", "newsletter", T2, banner(3))),
        "invalid subject id ``: it is empty",
    );
    change_fails(
        &mut l,
        |l| l.register("user\n1", T2),
        "invalid subject id `user\\n1`: it contains a control character",
    );
    change_fails(
        &mut l,
        |l| l.set_global_opt_out("user\u{7}", T2, gpc()),
        "invalid subject id `user\\u{7}`: it contains a control character",
    );
    change_fails(
        &mut l,
        |l| l.register(&"x".repeat(257), T2),
        &format!(
            "invalid subject id `{}...` (257 bytes): it is longer than 256 bytes",
            "x".repeat(80)
        ),
    );
    assert!(l.clone().register(&"x".repeat(256), T2).is_ok());

    let long = "r".repeat(513);
    change_fails(
        &mut l,
        |l| {
            l.give(Grant::new(
                "ana",
                "newsletter",
                T2,
                banner(3).with_proof(long.clone()),
            ))
        },
        "evidence field `proof` is 513 bytes long (limit 512)",
    );
    change_fails(
        &mut l,
        |l| l.withdraw_all("ana", T2, settings().with_channel("c".repeat(600))),
        "evidence field `channel` is 600 bytes long (limit 512)",
    );
    change_fails(
        &mut l,
        |l| l.refuse("ana", "newsletter", T2, banner(3).with_jurisdiction(" ")),
        "evidence field `jurisdiction` is empty",
    );
    change_fails(
        &mut l,
        |l| l.set_global_opt_out("ana", T2, gpc().with_language("en\r")),
        "evidence field `language` contains a control character",
    );
    assert!(
        l.clone()
            .give(Grant::new(
                "ana",
                "newsletter",
                T2,
                banner(3).with_proof("r".repeat(512))
            ))
            .is_ok()
    );
}

#[test]
fn change_errors_for_times() {
    let mut l = busy_shop();
    let late = datetime!(2300-01-01 0:00 UTC);
    let early = datetime!(1600-06-01 12:00 UTC);
    let out =
        |t: &str| format!("time `{t}` is out of range (supported: 1678-01-01 to 2261-12-31 UTC)");
    change_fails(
        &mut l,
        |l| l.give(Grant::new("ana", "newsletter", late, banner(3))),
        &out("2300-01-01T00:00:00Z"),
    );
    change_fails(
        &mut l,
        |l| l.register("ana", early),
        &out("1600-06-01T12:00:00Z"),
    );
    change_fails(
        &mut l,
        |l| l.erase("ana", late),
        &out("2300-01-01T00:00:00Z"),
    );
    // A requested expiry past the range is capped, not an error; one
    // before it is.
    change_fails(
        &mut l,
        |l| l.give(Grant::new("ana", "marketing", T2, banner(1)).expires_at(early)),
        &out("1600-06-01T12:00:00Z"),
    );
    // The ends of the range, in UTC whatever the offset given.
    change_fails(
        &mut l,
        |l| l.register("ana", datetime!(2262-01-01 0:00 UTC)),
        &out("2262-01-01T00:00:00Z"),
    );
    change_fails(
        &mut l,
        |l| l.register("ana", datetime!(2262-01-01 1:00 +1)),
        &out("2262-01-01T00:00:00Z"),
    );
    change_fails(
        &mut l,
        |l| l.register("ana", datetime!(1677-12-31 23:59:59.999999999 UTC)),
        &out("1677-12-31T23:59:59.999999999Z"),
    );
    assert!(
        l.clone()
            .register("ana", datetime!(2261-12-31 23:59:59.999999999 UTC))
            .is_ok()
    );
    assert!(
        l.clone()
            .register("zoe", datetime!(1678-01-01 0:00 UTC))
            .is_ok()
    );
}

#[test]
fn change_errors_for_erased_subjects() {
    let mut l = busy_shop(); // cy erased at T1
    let erased = "subject `cy` was erased at 2026-03-08T10:00:00Z; a change at or before that time is discarded";
    change_fails(&mut l, |l| l.register("cy", T1), erased);
    change_fails(
        &mut l,
        |l| l.give(Grant::new("cy", "newsletter", T0, banner(3))),
        erased,
    );
    change_fails(
        &mut l,
        |l| l.withdraw_all("cy", T1 - ns(1), settings()),
        erased,
    );
    change_fails(&mut l, |l| l.set_global_opt_out("cy", T0, gpc()), erased);
    assert!(l.clone().register("cy", T1 + ns(1)).is_ok());
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

fn a_given_event() -> Event {
    shop()
        .give(Grant::new("ana", "newsletter", T0, banner(3)))
        .unwrap()
        .into_event()
}

fn json_of(event: &Event) -> Value {
    serde_json::from_str(&event.to_json().unwrap()).unwrap()
}

#[track_caller]
fn event_fails(json: &str, message: &str) {
    match Event::from_json(json) {
        Ok(e) => panic!("read {e:?}; expected `{message}`"),
        Err(err) => assert_eq!(err.to_string(), message),
    }
}

#[test]
fn event_json_errors() {
    let event = a_given_event();
    let good = json_of(&event);
    assert_eq!(Event::from_json(&good.to_string()).unwrap(), event);

    event_fails(
        "{\"v\":1,",
        "invalid event JSON: EOF while parsing a value at line 1 column 7",
    );
    event_fails(
        "not json",
        "invalid event JSON: expected ident at line 1 column 2",
    );
    event_fails(
        "[]",
        "invalid event JSON: invalid length 0, expected struct EventRepr with 12 elements at line 1 column 2",
    );

    let mut v = good.clone();
    v["v"] = json!(3);
    event_fails(
        &v.to_string(),
        "unsupported event format version 3 (this version of consentry reads versions 1 to 2)",
    );
    v["v"] = json!(0);
    event_fails(
        &v.to_string(),
        "unsupported event format version 0 (this version of consentry reads versions 1 to 2)",
    );

    let mut v = good.clone();
    v.as_object_mut().unwrap().remove("id");
    event_fails(&v.to_string(), "invalid event: missing field `id`");

    let mut v = good.clone();
    v["id"] = json!("ABC");
    event_fails(
        &v.to_string(),
        "invalid event: id `ABC` is not 64 lowercase hex digits",
    );

    let text = event.to_json().unwrap();
    event_fails(
        &format!("{{\"extra\":1,{}", &text[1..]),
        "invalid event JSON: unknown field `extra`, expected one of `v`, `id`, `subject`, `at`, `kind`, `purpose`, `categories`, `expires_at`, `renewal`, `jurisdiction`, `age`, `evidence` at line 1 column 8",
    );

    let mut v = good.clone();
    v["evidence"]["colour"] = json!("blue");
    assert!(
        Event::from_json(&v.to_string())
            .unwrap_err()
            .to_string()
            .starts_with("invalid event JSON: unknown field `colour`, expected one of `method`")
    );

    // A field that does not belong to the kind.
    let reg = json_of(&shop().register("ana", T0).unwrap().into_event());
    let mut v = reg.clone();
    v["purpose"] = json!("newsletter");
    event_fails(
        &v.to_string(),
        "invalid event: a `registered` event has no field `purpose`",
    );
    let mut v = reg;
    v["evidence"] = json!({"method": "form"});
    event_fails(
        &v.to_string(),
        "invalid event: a `registered` event has no field `evidence`",
    );
    let erase = json_of(&shop().erase("ana", T0).unwrap().into_event());
    let mut v = erase;
    v["renewal"] = json!(true);
    event_fails(
        &v.to_string(),
        "invalid event: an `erased` event has no field `renewal`",
    );
    let mut v = good.clone();
    v.as_object_mut().unwrap().remove("categories");
    event_fails(
        &v.to_string(),
        "invalid event: a `given` event needs field `categories`",
    );

    let mut v = good.clone();
    v["at"] = json!("yesterday");
    event_fails(
        &v.to_string(),
        "time `yesterday` is not RFC 3339: the 'year' component could not be parsed",
    );
    let mut v = good.clone();
    v["at"] = json!("2300-01-01T00:00:00Z");
    event_fails(
        &v.to_string(),
        "time `2300-01-01T00:00:00Z` is out of range (supported: 1678-01-01 to 2261-12-31 UTC)",
    );
}

#[test]
fn a_tampered_event_no_longer_matches_its_id() {
    let event = a_given_event();
    let id = event.id().to_string();
    let mut v = json_of(&event);
    v["evidence"]["proof"] = json!("rcpt-9999");
    // What the altered content hashes to: the same change made honestly.
    let honest = shop()
        .give(Grant::new(
            "ana",
            "newsletter",
            T0,
            banner(3).with_proof("rcpt-9999"),
        ))
        .unwrap()
        .into_event();
    event_fails(
        &v.to_string(),
        &format!(
            "event id `{id}` does not match its content (expected `{}`)",
            honest.id()
        ),
    );

    // Another subject, another time: each is covered.
    let mut v = json_of(&event);
    v["subject"] = json!("mallory");
    let err = Event::from_json(&v.to_string()).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "event id `{id}` does not match its content (expected `"
        )),
        "{err}"
    );
    let mut v = json_of(&event);
    v["at"] = json!("2026-03-01T10:00:00.000000001Z");
    let err = Event::from_json(&v.to_string()).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("event id `{id}` does not match its content")),
        "{err}"
    );

    // The same instant written with another offset is the same content.
    let mut v = json_of(&event);
    v["at"] = json!("2026-03-01T11:00:00+01:00");
    assert_eq!(Event::from_json(&v.to_string()).unwrap(), event);
}

#[test]
fn applying_an_event_the_catalog_does_not_accept() {
    // Events written under a richer catalog, applied to a ledger without the purpose.
    let event = a_given_event();
    let mut l = Ledger::new(shop_catalog_with(3, 2, &["newsletter"]));
    l.register("ana", T0).unwrap();
    change_fails(
        &mut l,
        |l| l.apply(&event),
        "purpose `newsletter` is not declared",
    );

    // A notice version the receiving catalog never published.
    let mut l = Ledger::new(shop_catalog_with(2, 2, &[]));
    change_fails(
        &mut l,
        |l| l.apply(&event),
        "purpose `newsletter`: notice version 3 was never published (current version 2)",
    );

    // A category the receiving catalog no longer lets the purpose use.
    let ads = shop()
        .give(Grant::new("ana", "ads.targeting", T0, banner(1)))
        .unwrap()
        .into_event();
    let narrower = shop_categories()
        .purpose(
            PurposeDef::new("ads.targeting", LegalBasis::Consent)
                .title("Targeted advertising")
                .description("Sharing what you browse with advertising partners.")
                .categories(["browsing"])
                .sale_or_sharing(),
        )
        .build()
        .unwrap();
    let mut l = Ledger::new(narrower);
    change_fails(
        &mut l,
        |l| l.apply(&ads),
        "category `purchases` is not among the categories of purpose `ads.targeting`",
    );

    // An objection the receiving catalog does not allow.
    let objection = shop()
        .object("ana", "newsletter", T0, settings())
        .unwrap()
        .into_event();
    let not_direct_marketing = shop_categories()
        .purpose(
            PurposeDef::new("newsletter", LegalBasis::Consent)
                .title("Newsletter")
                .description("A monthly e-mail.")
                .categories(["contact.email"]),
        )
        .build()
        .unwrap();
    let mut l = Ledger::new(not_direct_marketing);
    change_fails(
        &mut l,
        |l| l.apply(&objection),
        "cannot object to purpose `newsletter`: its legal basis is consent; objection applies to legitimate interest, public task and direct marketing purposes",
    );
}

// ---------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------

fn snapshot_json(ledger: &Ledger) -> Value {
    serde_json::from_str(&ledger.snapshot().to_json().unwrap()).unwrap()
}

/// Reading the snapshot checks everything: `from_json` refuses it.
#[track_caller]
fn restore_fails(json: &Value, message: &str) {
    match Snapshot::from_json(&json.to_string()).and_then(Ledger::restore) {
        Ok(_) => panic!("restored; expected `{message}`"),
        Err(e) => assert_eq!(e.to_string(), message),
    }
}

/// Two subjects: `ana` (newsletter) and `bo` (ads, opt-out), sorted by id.
fn two_subjects() -> Ledger {
    let mut l = shop();
    l.give(Grant::new("ana", "newsletter", T0, banner(3)))
        .unwrap();
    l.give(Grant::new("bo", "ads.targeting", T0, banner(1)))
        .unwrap();
    l.set_global_opt_out("bo", T1, gpc()).unwrap();
    l
}

#[test]
fn snapshot_format_version_errors() {
    let mut v = snapshot_json(&two_subjects());
    v["format_version"] = json!(3);
    restore_fails(
        &v,
        "unsupported snapshot format version 3 (this version of consentry reads versions 1 to 2)",
    );
    // Through serde too, before anything else is read.
    assert!(
        serde_json::from_value::<Snapshot>(v)
            .unwrap_err()
            .to_string()
            .contains("unsupported snapshot format version 3 (this version of consentry reads versions 1 to 2)")
    );
}

#[test]
fn snapshot_record_for_an_undeclared_purpose_says_where() {
    let snapshot = two_subjects().snapshot();
    let catalog = shop_catalog_with(3, 2, &["ads.targeting"]);
    assert_eq!(
        Ledger::restore_with_catalog(snapshot, catalog)
            .unwrap_err()
            .to_string(),
        "snapshot subjects[1] (`bo`).records[0] (`ads.targeting`): purpose `ads.targeting` is not declared"
    );

    // The same through the snapshot's own catalog, edited.
    let mut v = snapshot_json(&two_subjects());
    v["subjects"][0]["records"][0]["purpose"] = json!("loyalty");
    restore_fails(
        &v,
        "snapshot subjects[0] (`ana`).records[0] (`loyalty`): purpose `loyalty` is not declared",
    );
}

#[test]
fn snapshot_duplicate_subject_and_record() {
    let mut v = snapshot_json(&two_subjects());
    let ana = v["subjects"][0].clone();
    v["subjects"].as_array_mut().unwrap().push(ana);
    restore_fails(
        &v,
        "snapshot subjects[2] (`ana`): subject `ana` appears twice",
    );

    let mut v = snapshot_json(&two_subjects());
    let record = v["subjects"][0]["records"][0].clone();
    v["subjects"][0]["records"]
        .as_array_mut()
        .unwrap()
        .push(record);
    restore_fails(
        &v,
        "snapshot subjects[0] (`ana`): subject `ana` has two records for purpose `newsletter`",
    );
}

#[test]
fn snapshot_content_errors_say_where() {
    let base = snapshot_json(&two_subjects());

    let mut v = base.clone();
    v["subjects"][0]["records"][0]["at"] = json!("2026-13-01T00:00:00Z");
    restore_fails(
        &v,
        "snapshot subjects[0] (`ana`).records[0] (`newsletter`): time `2026-13-01T00:00:00Z` is not RFC 3339: month was not in range",
    );

    let mut v = base.clone();
    v["subjects"][0]["records"][0]["categories"] = json!(["browsing"]);
    restore_fails(
        &v,
        "snapshot subjects[0] (`ana`).records[0] (`newsletter`): category `browsing` is not among the categories of purpose `newsletter`",
    );

    let mut v = base.clone();
    v["subjects"][0]["records"][0]["evidence"]["notice_version"] = json!(7);
    restore_fails(
        &v,
        "snapshot subjects[0] (`ana`).records[0] (`newsletter`): purpose `newsletter`: notice version 7 was never published (current version 3)",
    );

    let mut v = base.clone();
    v["subjects"][0]["records"][0]["expires_at"] = json!("2026-03-01T10:00:00Z");
    restore_fails(
        &v,
        "snapshot subjects[0] (`ana`).records[0] (`newsletter`): consent to purpose `newsletter` given at 2026-03-01T10:00:00Z cannot expire at 2026-03-01T10:00:00Z: the expiry must be later",
    );

    let mut v = base.clone();
    v["subjects"][1]["global_opt_out"]
        .as_object_mut()
        .unwrap()
        .remove("on");
    restore_fails(
        &v,
        "snapshot subjects[1] (`bo`).global_opt_out: invalid record: the opt-out signal needs field `on`",
    );

    let mut v = base.clone();
    v["subjects"][1]["id"] = json!("");
    restore_fails(
        &v,
        "snapshot subjects[1] (``): invalid subject id ``: it is empty",
    );

    let mut v = base.clone();
    v["subjects"][0]["erased"] =
        json!({"at": "2026-04-01T10:00:00Z", "event": "0123456789abcdef0123456789abcdef"});
    restore_fails(
        &v,
        "snapshot subjects[0] (`ana`).records[0] (`newsletter`): subject `ana` was erased at 2026-04-01T10:00:00Z; a change at or before that time is discarded",
    );

    // An invalid catalog.
    let mut v = base.clone();
    v["catalog"]["categories"][1]["name"] = json!("contact");
    restore_fails(&v, "snapshot catalog: category `contact` is declared twice");

    // Shape errors are found by `from_json`.
    let mut v = base;
    v["colour"] = json!("blue");
    assert!(
        Snapshot::from_json(&v.to_string())
            .unwrap_err()
            .to_string()
            .starts_with("invalid snapshot JSON: unknown field `colour`")
    );
    assert_eq!(
        Snapshot::from_json("").unwrap_err().to_string(),
        "invalid snapshot JSON: EOF while parsing a value at line 1 column 0"
    );
}

#[test]
fn evidence_without_notice_is_accepted_where_not_needed() {
    // Withdrawal, objection and marks need no notice version.
    let mut l = busy_shop();
    let any = Evidence::new(CollectionMethod::EmailLink);
    l.withdraw("ana", "newsletter", T2, any.clone()).unwrap();
    l.object("ana", "analytics", T2, any.clone()).unwrap();
    l.withdraw_all("ana", T2, any.clone()).unwrap();
    l.clear_global_opt_out("bo", T2, any).unwrap();
}
