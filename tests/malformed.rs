//! A table of malformed input: bad snapshots, bad events and bad API
//! arguments. Each row is the input and the text the error must contain,
//! which names the problem (the field, name, time or position at fault).
//! After every row the ledger is exactly as it was (`Ledger::snapshot()`
//! compared before and after), and a snapshot or event that does not load
//! yields nothing.

use consentry::{
    Catalog, CatalogBuilder, CollectionMethod, Error, Event, Evidence, Grant, Ledger, LegalBasis,
    PurposeDef, Recorded, Snapshot,
};
use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);

fn purpose(name: &str, basis: LegalBasis) -> PurposeDef {
    PurposeDef::new(name, basis)
        .title(format!("The {name} purpose"))
        .description("What the test does with it.")
}

/// The application's catalog; `wide` declares more, so that a ledger over
/// it writes events and snapshots the normal catalog must refuse.
fn builder(wide: bool) -> CatalogBuilder {
    let mut b = Catalog::builder()
        .category("contact")
        .category("contact.email")
        .sensitive_category("health")
        .category("browsing");
    if wide {
        b = b.category("ghost");
    }
    let newsletter = purpose("newsletter", LegalBasis::Consent)
        .categories(["contact.email"])
        .notice_version(if wide { 9 } else { 2 })
        .min_notice_version(2)
        .max_validity(Duration::days(395))
        .direct_marketing();
    let ads = purpose("ads", LegalBasis::Consent).sale_or_sharing();
    let ads = if wide {
        ads.categories(["browsing", "contact"])
    } else {
        ads.categories(["browsing"])
    };
    let orders = purpose("orders", LegalBasis::Contract).categories(["contact", "health"]);
    let orders = if wide {
        orders.direct_marketing()
    } else {
        orders
    };
    b = b
        .purpose(newsletter)
        .purpose(ads)
        .purpose(orders)
        .purpose(purpose("analytics", LegalBasis::LegitimateInterest).categories(["browsing"]));
    if wide {
        b = b.purpose(purpose("ghost", LegalBasis::Consent).categories(["ghost"]));
    }
    b
}

fn catalog() -> Catalog {
    builder(false).build().expect("the test catalog is valid")
}

fn banner(v: u32) -> Evidence {
    Evidence::new(CollectionMethod::Banner)
        .with_notice_version(v)
        .with_channel("web")
        .with_proof("rcpt-1")
}

fn settings() -> Evidence {
    Evidence::new(CollectionMethod::SettingsPage).with_channel("app")
}

/// Fills a ledger over either catalog with one of each kind of change.
fn fill(l: &mut Ledger) {
    l.give(Grant::new("ana", "newsletter", T0, banner(2)))
        .expect("valid give");
    l.give(Grant::new("ana", "ads", T0, banner(1)).expires_at(T0 + Duration::days(30)))
        .expect("valid give");
    l.refuse("ben", "ads", T0, banner(1)).expect("valid refuse");
    l.object("ben", "analytics", T0, settings())
        .expect("valid object");
    l.set_global_opt_out("chloe", T0, settings())
        .expect("valid opt-out");
    l.withdraw_all("dan", T0, settings())
        .expect("valid withdraw-all");
    l.register("eve", T0).expect("valid register");
    l.erase("fred", T0).expect("valid erase");
    l.register("fred", T0 + Duration::days(1))
        .expect("valid sign-up after erasure");
}

/// The ledger every row runs against.
fn ledger() -> Ledger {
    let mut l = Ledger::new(catalog());
    fill(&mut l);
    l
}

/// A change made by a ledger over the wide catalog, as JSON: a well-formed
/// event (its id matches) that the application's catalog must refuse.
fn wide_event(change: fn(&mut Ledger) -> Result<Recorded, Error>) -> String {
    let mut l = Ledger::new(builder(true).build().expect("the wide catalog is valid"));
    change(&mut l)
        .expect("valid under the wide catalog")
        .event()
        .to_json()
        .expect("serializes")
}

/// The snapshot of [`ledger`] as a JSON value, changed by `edit`.
fn snapshot_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&ledger().snapshot().to_json().expect("serializes"))
        .expect("a snapshot is JSON");
    edit(&mut v);
    v.to_string()
}

/// `subjects[i]` of a snapshot value whose id is `id`.
fn subject<'a>(v: &'a mut Value, id: &str) -> &'a mut Value {
    v["subjects"]
        .as_array_mut()
        .expect("subjects is an array")
        .iter_mut()
        .find(|s| s["id"] == id)
        .expect("the subject is in the snapshot")
}

/// A valid event of [`ledger`]'s kind, as a JSON value, changed by `edit`
/// (so its id no longer matches unless the error comes first).
fn event_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut l = ledger();
    let e = l
        .give(Grant::new("gus", "newsletter", T0, banner(2)).expires_at(T0 + Duration::days(10)))
        .expect("valid give")
        .into_event();
    let mut v: Value = serde_json::from_str(&e.to_json().expect("serializes")).expect("JSON");
    edit(&mut v);
    v.to_string()
}

/// A call on the ledger, for a row.
type Call = Box<dyn Fn(&mut Ledger) -> Result<Recorded, Error>>;

/// What a row feeds the engine.
enum Input {
    /// Read with `Snapshot::from_json`, then `Ledger::restore`.
    Snapshot(String),
    /// Read with `Snapshot::from_json`, then `Ledger::restore_with_catalog`
    /// under the application's catalog.
    SnapshotUnder(String),
    /// Read with `Event::from_json`, then applied to the ledger.
    Event(String),
    /// A call on the ledger.
    Call(Call),
    /// A catalog declaration.
    Build(CatalogBuilder),
}

struct Case {
    what: &'static str,
    input: Input,
    /// Text the error message must contain.
    error: &'static str,
}

fn case(what: &'static str, input: Input, error: &'static str) -> Case {
    Case { what, input, error }
}

fn call(f: impl Fn(&mut Ledger) -> Result<Recorded, Error> + 'static) -> Input {
    Input::Call(Box::new(f))
}

fn give(f: impl Fn() -> Grant + 'static) -> Input {
    call(move |l| l.give(f()))
}

fn cases() -> Vec<Case> {
    use Input::{Build, SnapshotUnder};
    use Input::{Event as Ev, Snapshot as Snap};
    let valid_snapshot = ledger().snapshot().to_json().expect("serializes");
    let long = |n| "x".repeat(n);
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    vec![
        // ---- snapshots: syntax and shape ----
        case(
            "truncated snapshot",
            Snap(valid_snapshot[..valid_snapshot.len() / 2].to_owned()),
            "invalid snapshot JSON: EOF while parsing",
        ),
        case(
            "empty snapshot",
            Snap(String::new()),
            "invalid snapshot JSON: EOF while parsing",
        ),
        case(
            "not JSON",
            Snap("<snapshot/>".into()),
            "invalid snapshot JSON: expected value at line 1 column 1",
        ),
        case(
            "trailing garbage",
            Snap(format!("{valid_snapshot} {{}}")),
            "invalid snapshot JSON: trailing characters",
        ),
        case(
            "deeply nested JSON",
            Snap(nested.clone()),
            "invalid snapshot JSON: invalid type: sequence, expected u64 at line 1 column 1",
        ),
        case(
            "a JSON string instead of an object",
            Snap("\"snapshot\"".into()),
            "invalid snapshot JSON: invalid type: string \"snapshot\", expected struct Snapshot",
        ),
        case(
            "format version as a string",
            Snap(snapshot_with(|v| v["format_version"] = json!("1"))),
            "invalid snapshot JSON: invalid type: string \"1\", expected u64",
        ),
        case(
            "subjects as an object",
            Snap(snapshot_with(|v| v["subjects"] = json!({}))),
            "invalid type: map, expected a sequence",
        ),
        case(
            "missing subjects",
            Snap(snapshot_with(|v| {
                v.as_object_mut().expect("object").remove("subjects");
            })),
            "missing field `subjects`",
        ),
        case(
            "missing catalog",
            Snap(snapshot_with(|v| {
                v.as_object_mut().expect("object").remove("catalog");
            })),
            "missing field `catalog`",
        ),
        case(
            "unknown top-level field",
            Snap(snapshot_with(|v| v["owner"] = json!("me"))),
            "unknown field `owner`",
        ),
        case(
            "unknown field in a record",
            Snap(snapshot_with(|v| {
                subject(v, "ana")["records"][0]["colour"] = json!("red")
            })),
            "unknown field `colour`",
        ),
        case(
            "unknown record status",
            Snap(snapshot_with(|v| {
                subject(v, "ana")["records"][0]["status"] = json!("maybe")
            })),
            "unknown variant `maybe`",
        ),
        case(
            "unsupported format version",
            Snap(snapshot_with(|v| v["format_version"] = json!(3))),
            "unsupported snapshot format version 3 (this version of consentry reads versions 1 to 2)",
        ),
        case(
            "format version 0",
            Snap(snapshot_with(|v| v["format_version"] = json!(0))),
            "unsupported snapshot format version 0",
        ),
        // ---- snapshots: content ----
        case(
            "record time out of range",
            Snap(snapshot_with(|v| {
                subject(v, "ana")["records"][0]["at"] = json!("1600-01-01T00:00:00Z");
            })),
            "time `1600-01-01T00:00:00Z` is out of range",
        ),
        case(
            "record time not RFC 3339",
            Snap(snapshot_with(|v| {
                subject(v, "ana")["records"][0]["at"] = json!("yesterday");
            })),
            "time `yesterday` is not RFC 3339",
        ),
        case(
            "mark time out of range",
            Snap(snapshot_with(|v| {
                subject(v, "eve")["registered"]["at"] = json!("9999-12-31T00:00:00Z");
            })),
            "time `9999-12-31T00:00:00Z` is out of range",
        ),
        case(
            "expiry before the given time",
            Snap(snapshot_with(|v| {
                subject(v, "ana")["records"][0]["expires_at"] = json!("2026-02-01T00:00:00Z");
            })),
            "cannot expire at 2026-02-01T00:00:00Z: the expiry must be later",
        ),
        case(
            "record for an undeclared purpose",
            Snap(snapshot_with(|v| {
                subject(v, "ben")["records"][0]["purpose"] = json!("ghost");
            })),
            "snapshot subjects[1] (`ben`).records[0] (`ghost`): purpose `ghost` is not declared",
        ),
        case(
            "record with an undeclared category",
            Snap(snapshot_with(|v| {
                subject(v, "ana")["records"][0]["categories"] = json!(["ghost"]);
            })),
            "category `ghost` is not declared",
        ),
        case(
            "record with a category outside the purpose",
            Snap(snapshot_with(|v| {
                subject(v, "ana")["records"][0]["categories"] = json!(["contact"]);
            })),
            "records[0] (`newsletter`): category `contact` is not among the categories of purpose `newsletter`",
        ),
        case(
            "given record without categories",
            Snap(snapshot_with(|v| {
                subject(v, "ana")["records"][0]
                    .as_object_mut()
                    .expect("object")
                    .remove("categories");
            })),
            "invalid record: a `given` record needs field `categories`",
        ),
        case(
            "record with a notice version never published",
            Snap(snapshot_with(|v| {
                subject(v, "ana")["records"][1]["evidence"]["notice_version"] = json!(7);
            })),
            "notice version 7 was never published",
        ),
        case(
            "objection the purpose does not allow",
            Snap(snapshot_with(|v| {
                let r = &mut subject(v, "ben")["records"][1];
                r["purpose"] = json!("orders");
            })),
            "cannot object to purpose `orders`",
        ),
        case(
            "record before the subject's erasure",
            Snap(snapshot_with(|v| {
                subject(v, "fred")["registered"]["at"] = json!("2026-01-01T00:00:00Z");
            })),
            "subject `fred` was erased at 2026-03-01T10:00:00Z",
        ),
        case(
            "duplicate subject",
            Snap(snapshot_with(|v| {
                let ana = subject(v, "ana").clone();
                v["subjects"].as_array_mut().expect("array").push(ana);
            })),
            "subject `ana` appears twice",
        ),
        case(
            "duplicate record",
            Snap(snapshot_with(|v| {
                let records = subject(v, "ana")["records"].as_array_mut().expect("array");
                let first = records[0].clone();
                records.push(first);
            })),
            "subject `ana` has two records for purpose `newsletter`",
        ),
        case(
            "empty subject id",
            Snap(snapshot_with(|v| subject(v, "eve")["id"] = json!(""))),
            "invalid subject id ``: it is empty",
        ),
        case(
            "over-long subject id",
            Snap(snapshot_with(|v| {
                subject(v, "eve")["id"] = json!(long(300))
            })),
            "it is longer than 256 bytes",
        ),
        case(
            "malformed record event id",
            Snap(snapshot_with(|v| {
                subject(v, "ana")["records"][0]["event"] = json!("xyz")
            })),
            "invalid event: id `xyz` is not 64 lowercase hex digits",
        ),
        case(
            "over-long evidence string",
            Snap(snapshot_with(|v| {
                subject(v, "ana")["records"][0]["evidence"]["proof"] = json!(long(600));
            })),
            "evidence field `proof` is 600 bytes long (limit 512)",
        ),
        case(
            "catalog category with a forbidden character",
            Snap(snapshot_with(|v| {
                v["catalog"]["categories"][0]["name"] = json!("Contact")
            })),
            "snapshot catalog: invalid category name `Contact`",
        ),
        case(
            "catalog category without its parent",
            Snap(snapshot_with(|v| {
                v["catalog"]["categories"]
                    .as_array_mut()
                    .expect("array")
                    .remove(0);
            })),
            "category `contact.email` needs its parent `contact` declared first",
        ),
        case(
            "catalog with an unknown legal basis",
            Snap(snapshot_with(|v| {
                v["catalog"]["purposes"][0]["basis"] = json!("magic")
            })),
            "unknown variant `magic`",
        ),
        case(
            "catalog with a negative validity",
            Snap(snapshot_with(|v| {
                v["catalog"]["purposes"][0]["max_validity_secs"] = json!(-5);
            })),
            "validity must be a positive whole number of seconds",
        ),
        case(
            "records under a catalog without their purpose",
            SnapshotUnder({
                let mut l = Ledger::new(builder(true).build().expect("valid"));
                l.give(Grant::new("ana", "ghost", T0, banner(1)))
                    .expect("valid give");
                l.snapshot().to_json().expect("serializes")
            }),
            "purpose `ghost` is not declared",
        ),
        // ---- events ----
        case(
            "truncated event",
            Ev(event_with(|_| {})[..40].to_owned()),
            "invalid event JSON: EOF while parsing",
        ),
        case(
            "deeply nested event",
            Ev(nested),
            "invalid event JSON: invalid type: sequence, expected u64 at line 1 column 1",
        ),
        case(
            "unsupported event version",
            Ev(event_with(|v| v["v"] = json!(3))),
            "unsupported event format version 3 (this version of consentry reads versions 1 to 2)",
        ),
        case(
            "event without an id",
            Ev(event_with(|v| {
                v.as_object_mut().expect("object").remove("id");
            })),
            "missing field `id`",
        ),
        case(
            "event whose content was altered",
            Ev(event_with(|v| v["subject"] = json!("mallory"))),
            "does not match its content",
        ),
        case(
            "event with an unknown field",
            Ev(event_with(|v| v["colour"] = json!("red"))),
            "unknown field `colour`",
        ),
        case(
            "event with an unknown kind",
            Ev(event_with(|v| v["kind"] = json!("maybe"))),
            "unknown variant `maybe`",
        ),
        case(
            "event time as a number",
            Ev(event_with(|v| v["at"] = json!(1_772_359_200))),
            "invalid type: integer `1772359200`, expected a string",
        ),
        case(
            "event time out of range",
            Ev(event_with(|v| v["at"] = json!("2300-01-01T00:00:00Z"))),
            "time `2300-01-01T00:00:00Z` is out of range",
        ),
        case(
            "event expiry before its time",
            Ev(event_with(|v| {
                v["expires_at"] = json!("2026-01-01T00:00:00Z")
            })),
            "cannot expire at 2026-01-01T00:00:00Z: the expiry must be later",
        ),
        case(
            "given event without a purpose",
            Ev(event_with(|v| {
                v.as_object_mut().expect("object").remove("purpose");
            })),
            "a `given` event needs field `purpose`",
        ),
        case(
            "registration with a purpose",
            Ev(event_with(|v| {
                v["kind"] = json!("registered");
                for f in ["categories", "expires_at", "evidence"] {
                    v.as_object_mut().expect("object").remove(f);
                }
            })),
            "a `registered` event has no field `purpose`",
        ),
        case(
            "event with an over-long subject",
            Ev(event_with(|v| v["subject"] = json!(long(257)))),
            "it is longer than 256 bytes",
        ),
        case(
            "event with more categories than a catalog holds",
            Ev(event_with(|v| {
                v["categories"] = (0..129).map(|i| json!(format!("c{i:03}"))).collect();
            })),
            // Counted while reading, before anything is kept.
            "too many categories: a list holds at most 128",
        ),
        case(
            "event for an undeclared purpose",
            Ev(wide_event(|l| {
                l.give(Grant::new("ana", "ghost", T0, banner(1)))
            })),
            "purpose `ghost` is not declared",
        ),
        case(
            "event with a category outside the purpose",
            Ev(wide_event(|l| {
                l.give(Grant::new("ana", "ads", T0, banner(1)).categories(["contact"]))
            })),
            "category `contact` is not among the categories of purpose `ads`",
        ),
        case(
            "event with a notice version never published",
            Ev(wide_event(|l| {
                l.give(Grant::new("ana", "newsletter", T0, banner(9)))
            })),
            "notice version 9 was never published",
        ),
        case(
            "objection the purpose does not allow",
            Ev(wide_event(|l| l.object("ana", "orders", T0, settings()))),
            "cannot object to purpose `orders`",
        ),
        // ---- API arguments ----
        case(
            "empty subject id",
            give(|| Grant::new("", "newsletter", T0, banner(2))),
            "invalid subject id ``: it is empty",
        ),
        case(
            "subject id with a control character",
            call(|l| l.register("ana\nbob", T0)),
            "invalid subject id `ana\\nbob`: it contains a control character",
        ),
        case(
            "over-long subject id",
            call(|l| l.register(&"s".repeat(257), T0)),
            "it is longer than 256 bytes",
        ),
        case(
            "undeclared purpose",
            give(|| Grant::new("ana", "ghost", T0, banner(2))),
            "purpose `ghost` is not declared",
        ),
        case(
            "purpose name with forbidden characters",
            call(|l| l.withdraw("ana", "News Letter!", T0, settings())),
            "purpose `News Letter!` is not declared",
        ),
        case(
            "undeclared category",
            give(|| Grant::new("ana", "newsletter", T0, banner(2)).categories(["ghost"])),
            "category `ghost` is not declared",
        ),
        case(
            "category outside the purpose",
            give(|| Grant::new("ana", "newsletter", T0, banner(2)).categories(["browsing"])),
            "category `browsing` is not among the categories of purpose `newsletter`",
        ),
        case(
            "no categories at all",
            give(|| {
                Grant::new("ana", "newsletter", T0, banner(2)).categories(Vec::<String>::new())
            }),
            "names no categories",
        ),
        case(
            "expiry before the given time",
            give(|| {
                Grant::new("ana", "newsletter", T0, banner(2)).expires_at(T0 - Duration::days(1))
            }),
            "cannot expire at 2026-02-28T10:00:00Z: the expiry must be later",
        ),
        case(
            "expiry at the given time",
            give(|| Grant::new("ana", "newsletter", T0, banner(2)).expires_at(T0)),
            "cannot expire at 2026-03-01T10:00:00Z",
        ),
        case(
            "time before the supported range",
            call(|l| l.register("ana", datetime!(1677-12-31 23:59:59.999_999_999 UTC))),
            "time `1677-12-31T23:59:59.999999999Z` is out of range",
        ),
        case(
            "time after the supported range",
            give(|| {
                Grant::new(
                    "ana",
                    "newsletter",
                    datetime!(2262-01-01 0:00 UTC),
                    banner(2),
                )
            }),
            "time `2262-01-01T00:00:00Z` is out of range",
        ),
        case(
            // (An expiry after the range is cut at its end and capped.)
            "expiry before the supported range",
            give(|| {
                Grant::new("ana", "ads", T0, banner(1)).expires_at(datetime!(1600-01-01 0:00 UTC))
            }),
            "time `1600-01-01T00:00:00Z` is out of range",
        ),
        case(
            "give without a notice version",
            give(|| Grant::new("ana", "newsletter", T0, settings())),
            "purpose `newsletter`: the evidence does not say which notice version was shown",
        ),
        case(
            "give under an outdated notice",
            give(|| Grant::new("ana", "newsletter", T0, banner(1))),
            "notice version 1 is no longer accepted (minimum 2)",
        ),
        case(
            "give under a notice never published",
            give(|| Grant::new("ana", "newsletter", T0, banner(3))),
            "notice version 3 was never published (current version 2)",
        ),
        case(
            "notice version 0",
            give(|| Grant::new("ana", "newsletter", T0, banner(0))),
            "evidence field `notice_version` is 0; notice versions start at 1",
        ),
        case(
            "empty evidence string",
            call(|l| l.withdraw("ana", "newsletter", T0, settings().with_channel("  "))),
            "evidence field `channel` is empty",
        ),
        case(
            "over-long evidence string",
            call(|l| {
                l.withdraw(
                    "ana",
                    "newsletter",
                    T0,
                    settings().with_proof("p".repeat(513)),
                )
            }),
            "evidence field `proof` is 513 bytes long (limit 512)",
        ),
        case(
            "evidence string with a control character",
            call(|l| l.withdraw_all("ana", T0, settings().with_language("en\u{7}"))),
            "evidence field `language` contains a control character",
        ),
        case(
            "objection to a contract purpose",
            call(|l| l.object("ana", "orders", T0, settings())),
            "cannot object to purpose `orders`: its legal basis is contract",
        ),
        case(
            "change at or before the subject's erasure",
            call(|l| l.register("fred", T0)),
            "subject `fred` was erased at 2026-03-01T10:00:00Z",
        ),
        // ---- catalog declarations ----
        case(
            "empty category name",
            Build(Catalog::builder().category("")),
            "invalid category name ``: it is empty",
        ),
        case(
            "category name with an empty segment",
            Build(
                Catalog::builder()
                    .category("contact")
                    .category("contact..email"),
            ),
            "invalid category name `contact..email`: it has an empty segment between dots",
        ),
        case(
            "category name with forbidden characters",
            Build(Catalog::builder().category("e-mail address")),
            "invalid category name `e-mail address`: only lowercase ASCII letters",
        ),
        case(
            "over-long purpose name",
            Build(
                Catalog::builder().category("contact").purpose(
                    purpose(&"p".repeat(129), LegalBasis::Consent).categories(["contact"]),
                ),
            ),
            "it is longer than 128 bytes",
        ),
        case(
            "more categories than the capacity",
            Build((0..129).fold(Catalog::builder(), |b, i| b.category(format!("c{i}")))),
            "129 categories declared; a catalog holds at most 128",
        ),
        case(
            "over-long purpose title",
            Build(
                Catalog::builder().category("contact").purpose(
                    purpose("news", LegalBasis::Consent)
                        .categories(["contact"])
                        .title(long(5000)),
                ),
            ),
            "purpose `news`: title length in bytes is 5000, above the limit of 4096",
        ),
        case(
            "sensitive category under plain consent",
            Build(
                Catalog::builder()
                    .sensitive_category("health")
                    .purpose(purpose("research", LegalBasis::Consent).categories(["health"])),
            ),
            "sensitive data needs explicit consent",
        ),
        case(
            "purpose with an undeclared category",
            Build(
                Catalog::builder()
                    .category("contact")
                    .purpose(purpose("news", LegalBasis::Consent).categories(["ghost"])),
            ),
            "purpose `news`: uses undeclared category `ghost`",
        ),
        case(
            "duplicate purpose",
            Build(
                Catalog::builder()
                    .category("contact")
                    .purpose(purpose("news", LegalBasis::Consent).categories(["contact"]))
                    .purpose(purpose("news", LegalBasis::Consent).categories(["contact"])),
            ),
            "purpose `news` is declared twice",
        ),
    ]
}

/// Runs one row: it must fail with a message containing the expected text,
/// and leave the ledger exactly as it was.
fn run(c: &Case) -> Result<(), String> {
    let mut l = ledger();
    let before = l.snapshot();
    let outcome: Result<String, Error> = match &c.input {
        Input::Snapshot(json) => Snapshot::from_json(json)
            .and_then(Ledger::restore)
            .map(|r| format!("a ledger of {} subjects", r.subject_count())),
        Input::SnapshotUnder(json) => Snapshot::from_json(json)
            .and_then(|s| Ledger::restore_with_catalog(s, catalog()))
            .map(|r| format!("a ledger of {} subjects", r.subject_count())),
        Input::Event(json) => Event::from_json(json)
            .and_then(|e| l.apply(&e))
            .map(|a| format!("{a:?}")),
        Input::Call(f) => f(&mut l).map(|e| format!("{e:?}")),
        Input::Build(b) => b.clone().build().map(|_| "a catalog".to_owned()),
    };
    let problem = match outcome {
        Ok(what) => Some(format!("accepted: {what}")),
        Err(e) => {
            let message = e.to_string();
            (!message.contains(c.error))
                .then(|| format!("error `{message}` does not contain `{}`", c.error))
                .or_else(|| {
                    message
                        .contains('\n')
                        .then(|| format!("error `{message}` is not one line"))
                })
        }
    };
    if l.snapshot() != before {
        return Err(format!("{}: the ledger changed", c.what));
    }
    match problem {
        Some(p) => Err(format!("{}: {p}", c.what)),
        None => Ok(()),
    }
}

#[test]
fn every_malformed_input_is_refused_by_name_and_changes_nothing() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} rows", cases.len());
    let failures: Vec<String> = cases.iter().filter_map(|c| run(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The table's size, for the README's figure: `cargo test --test malformed
/// -- --nocapture` prints it.
#[test]
fn row_count() {
    let n = cases().len();
    println!("malformed inputs: {n}");
    assert!(n >= 40);
}
