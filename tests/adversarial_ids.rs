//! Event ids must be collision resistant.
//!
//! An event id used to be XXH3-128 of the event's canonical bytes. XXH3 is
//! not collision resistant: a review crafted two different valid grants
//! (different expiry, different proof) with the same id. Whichever arrived
//! second was taken as a `Duplicate`, so two instances that received them in
//! different orders kept different grants (one permitted, one denied) and
//! never converged, even after merging each other.
//!
//! Ids are now SHA-256 of the canonical bytes (format version 2), and two
//! events are duplicates only when their content is equal (the unit test
//! `equal_ids_with_different_content_are_not_duplicates` in `src/ledger/changes.rs`
//! forces the equal-id case, which cannot be crafted here). These tests pin
//! the documented id (a test vector computed here from the README's byte
//! layout), the width of ids, and the reading of format-version-1 events and
//! snapshots, whose XXH3 ids are still verified.

use consentry::{
    Applied, Catalog, CollectionMethod, EVENT_FORMAT_VERSION, Error, Event, Evidence, Grant,
    Ledger, LegalBasis, PurposeDef, SNAPSHOT_FORMAT_VERSION, Snapshot,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::datetime;

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

fn catalog() -> Catalog {
    Catalog::builder()
        .category("contact")
        .category("contact.email")
        .purpose(
            PurposeDef::new("newsletter", LegalBasis::Consent)
                .title("Newsletter")
                .description("A monthly e-mail.")
                .categories(["contact"])
                .notice_version(2),
        )
        .build()
        .expect("valid catalog")
}

const T0: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);
const T_GIVE: OffsetDateTime = datetime!(2026-03-01 10:05 UTC);
const T_EXPIRY: OffsetDateTime = datetime!(2027-03-01 10:05 UTC);

fn banner() -> Evidence {
    Evidence::new(CollectionMethod::Banner)
        .with_notice_version(2)
        .with_channel("web")
        .with_proof("rcpt-0001")
}

/// Events written by consentry 0.1 (format version 1, XXH3-128 ids), as a
/// host's log holds them: a registration, a grant with an expiry and
/// evidence, a grant without expiry, a withdraw-all.
const V1_LOG: [&str; 4] = [
    r#"{"v":1,"id":"3776592fb48ff201752e935e429b4cce","subject":"alice","at":"2026-03-01T10:00:00Z","kind":"registered"}"#,
    r#"{"v":1,"id":"a8eabbf4d8c0b9ecc99664ab111353a1","subject":"alice","at":"2026-03-01T10:05:00Z","kind":"given","purpose":"newsletter","categories":["contact"],"expires_at":"2027-03-01T10:05:00Z","evidence":{"method":"banner","notice_version":2,"channel":"web","proof":"rcpt-0001"}}"#,
    r#"{"v":1,"id":"d3ca90459976381707322b3b191c4b91","subject":"bob","at":"2026-03-01T10:00:00Z","kind":"given","purpose":"newsletter","categories":["contact.email"],"evidence":{"method":"form","notice_version":2}}"#,
    r#"{"v":1,"id":"2d9a2da9dff7401f09c5a843d4287e73","subject":"bob","at":"2026-04-01T10:00:00Z","kind":"withdrawn_all","evidence":{"method":"email_link"}}"#,
];

/// The snapshot consentry 0.1 wrote after `V1_LOG` (format version 1).
const V1_SNAPSHOT: &str = r#"{"format_version":1,"catalog":{"categories":[{"name":"contact"},{"name":"contact.email"}],"purposes":[{"name":"newsletter","basis":"consent","title":"Newsletter","description":"A monthly e-mail.","categories":["contact"],"notice_version":2,"min_notice_version":2}]},"subjects":[{"id":"alice","registered":{"at":"2026-03-01T10:00:00Z","event":"3776592fb48ff201752e935e429b4cce"},"records":[{"purpose":"newsletter","status":"given","at":"2026-03-01T10:05:00Z","expires_at":"2027-03-01T10:05:00Z","categories":["contact"],"event":"a8eabbf4d8c0b9ecc99664ab111353a1","evidence":{"method":"banner","notice_version":2,"channel":"web","proof":"rcpt-0001"}}]},{"id":"bob","withdrawn_all":{"at":"2026-04-01T10:00:00Z","event":"2d9a2da9dff7401f09c5a843d4287e73","evidence":{"method":"email_link"}},"records":[{"purpose":"newsletter","status":"given","at":"2026-03-01T10:00:00Z","categories":["contact.email"],"event":"d3ca90459976381707322b3b191c4b91","evidence":{"method":"form","notice_version":2}}]}]}"#;

/// The same changes made through the current API.
fn current_log() -> Vec<Event> {
    let mut l = Ledger::new(catalog());
    vec![
        l.register("alice", T0).expect("registers").into_event(),
        l.give(Grant::new("alice", "newsletter", T_GIVE, banner()).expires_at(T_EXPIRY))
            .expect("gives")
            .into_event(),
        l.give(
            Grant::new(
                "bob",
                "newsletter",
                T0,
                Evidence::new(CollectionMethod::Form).with_notice_version(2),
            )
            .categories(["contact.email"]),
        )
        .expect("gives")
        .into_event(),
        l.withdraw_all(
            "bob",
            datetime!(2026-04-01 10:00 UTC),
            Evidence::new(CollectionMethod::EmailLink),
        )
        .expect("withdraws")
        .into_event(),
    ]
}

// ---------------------------------------------------------------------------
// The canonical bytes, written here from the README ("Event ids")
// ---------------------------------------------------------------------------

/// Canonical bytes built field by field, independently of the crate.
struct Canon(Vec<u8>);

impl Canon {
    fn new(tag: &str) -> Canon {
        Canon(tag.as_bytes().to_vec())
    }
    fn byte(mut self, b: u8) -> Canon {
        self.0.push(b);
        self
    }
    fn string(mut self, s: &str) -> Canon {
        self.0
            .extend_from_slice(&u32::try_from(s.len()).expect("short").to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
        self
    }
    fn instant(mut self, t: OffsetDateTime) -> Canon {
        let nanos = i64::try_from(t.unix_timestamp_nanos()).expect("in range");
        self.0.extend_from_slice(&nanos.to_le_bytes());
        self
    }
    fn u32(mut self, n: u32) -> Canon {
        self.0.extend_from_slice(&n.to_le_bytes());
        self
    }
    fn some_string(self, s: &str) -> Canon {
        self.byte(1).string(s)
    }
}

/// The registration of `alice` at `T0`, under `tag`.
fn registration_bytes(tag: &str) -> Vec<u8> {
    Canon::new(tag)
        .string("alice")
        .instant(T0)
        .byte(0) // registered
        .byte(0) // no purpose
        .byte(0) // no categories
        .byte(0) // no expiry
        .byte(0) // not a renewal
        .byte(0) // no evidence
        .0
}

/// The grant of `alice` for `newsletter` (the second line of `V1_LOG`).
fn grant_bytes(tag: &str) -> Vec<u8> {
    grant_bytes_until(tag, T_EXPIRY)
}

/// The same grant with another expiry.
fn grant_bytes_until(tag: &str, expiry: OffsetDateTime) -> Vec<u8> {
    Canon::new(tag)
        .string("alice")
        .instant(T_GIVE)
        .byte(1) // given
        .some_string("newsletter")
        .byte(1)
        .u32(1)
        .string("contact")
        .byte(1)
        .instant(expiry)
        .byte(0) // not a renewal
        .byte(1) // evidence
        .byte(0) // banner
        .byte(1)
        .u32(2) // notice version 2
        .some_string("web")
        .some_string("rcpt-0001")
        .byte(0) // no jurisdiction
        .byte(0) // no language
        .0
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn xxh3_hex(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// The documented ids of the registration and the grant above.
// Computed once from the byte layout with an independent SHA-256
// implementation (Python's hashlib); the test recomputes them with `sha2`.
const REGISTRATION_ID: &str = "76aa3fb8a97a6f92922ad2a4a46ff63ad0251856fe9f87648215f8b85c14a94f";
const GRANT_ID: &str = "d6d9033730d5648087e671b5c73b3366b22809fc2f250869917c18f2bb1a97b8";

// ---------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------

#[test]
fn ids_are_sha256_of_the_documented_canonical_bytes() {
    let log = current_log();
    let registration = registration_bytes("consentry-event-v2");
    let grant = grant_bytes("consentry-event-v2");
    assert_eq!(sha256_hex(&registration), REGISTRATION_ID);
    assert_eq!(sha256_hex(&grant), GRANT_ID);
    assert_eq!(log[0].id().to_string(), REGISTRATION_ID);
    assert_eq!(log[1].id().to_string(), GRANT_ID);
    assert_eq!(
        log[0].id().as_bytes().as_slice(),
        Sha256::digest(&registration).as_slice()
    );
}

#[test]
fn ids_are_64_lowercase_hex_digits_and_events_are_version_2() {
    assert_eq!(EVENT_FORMAT_VERSION, 2);
    for e in current_log() {
        let id = e.id().to_string();
        assert_eq!(id.len(), 64, "{id}");
        assert!(
            id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
            "{id}"
        );
        assert_eq!(id.parse::<consentry::EventId>().ok(), Some(e.id()));
        let json = e.to_json().expect("writes");
        assert!(
            json.starts_with(&format!("{{\"v\":2,\"id\":\"{id}\",")),
            "{json}"
        );
        assert_eq!(Event::from_json(&json).expect("reads"), e);
    }
}

#[test]
fn a_version_2_event_with_a_short_id_is_refused() {
    let json = current_log()[0]
        .to_json()
        .expect("writes")
        .replace(REGISTRATION_ID, "3776592fb48ff201752e935e429b4cce");
    assert_eq!(
        Event::from_json(&json).expect_err("short id").to_string(),
        "invalid event: id `3776592fb48ff201752e935e429b4cce` is not 64 lowercase hex digits"
    );
}

// ---------------------------------------------------------------------------
// Order-free even for events that differ only in detail
// ---------------------------------------------------------------------------

/// Two different grants for one subject and purpose at one instant, like
/// the crafted pair: different expiry, different proof.
fn rival_grants() -> (Event, Event) {
    let mut a = Ledger::new(catalog());
    let mut b = Ledger::new(catalog());
    let short = a
        .give(
            Grant::new("alice", "newsletter", T_GIVE, banner())
                .expires_at(datetime!(2026-03-02 10:05 UTC)),
        )
        .expect("gives")
        .into_event();
    let long = b
        .give(
            Grant::new(
                "alice",
                "newsletter",
                T_GIVE,
                banner().with_proof("rcpt-0002"),
            )
            .expires_at(T_EXPIRY),
        )
        .expect("gives")
        .into_event();
    (short, long)
}

#[test]
fn different_events_are_never_duplicates_and_every_order_converges() {
    let (x, y) = rival_grants();
    assert_ne!(x.id(), y.id());
    let mut first = Ledger::new(catalog());
    let mut second = Ledger::new(catalog());
    let mut outcomes = Vec::new();
    for e in [&x, &y] {
        outcomes.push(first.apply(e).expect("applies"));
    }
    for e in [&y, &x] {
        outcomes.push(second.apply(e).expect("applies"));
    }
    assert!(
        !outcomes.contains(&Applied::Duplicate),
        "different events taken as duplicates: {outcomes:?}"
    );
    assert_eq!(first.snapshot(), second.snapshot());
    let later = datetime!(2026-06-01 10:00 UTC);
    assert_eq!(
        first.is_permitted("alice", "newsletter", "contact", later),
        second.is_permitted("alice", "newsletter", "contact", later)
    );
    // Applied again, the winner is a duplicate and the loser superseded.
    for ledger in [&mut first, &mut second] {
        let again = [&x, &y].map(|e| ledger.apply(e).expect("applies"));
        assert!(
            again == [Applied::Duplicate, Applied::Superseded]
                || again == [Applied::Superseded, Applied::Duplicate],
            "{again:?}"
        );
    }
    // Merging changes nothing: they already agree.
    assert_eq!(first.merge(&second).expect("merges"), 0);
    assert_eq!(second.merge(&first).expect("merges"), 0);
}

// ---------------------------------------------------------------------------
// Format version 1 is still read, and its ids still verified
// ---------------------------------------------------------------------------

#[test]
fn version_1_ids_are_xxh3_of_the_version_1_canonical_bytes() {
    assert_eq!(
        xxh3_hex(&registration_bytes("consentry-event-v1")),
        "3776592fb48ff201752e935e429b4cce"
    );
    assert_eq!(
        xxh3_hex(&grant_bytes("consentry-event-v1")),
        "a8eabbf4d8c0b9ecc99664ab111353a1"
    );
}

#[test]
fn version_1_events_are_read_and_get_their_version_2_id() {
    for (old, new) in V1_LOG.iter().zip(current_log()) {
        let read = Event::from_json(old).expect("a version 1 event reads");
        assert_eq!(read, new, "{old}");
        assert_eq!(read.id().to_string().len(), 64);
        assert_eq!(
            read.to_json().expect("writes"),
            new.to_json().expect("writes")
        );
    }
}

#[test]
fn a_version_1_log_replays_and_its_events_are_duplicates_of_their_version_2_form() {
    let mut old = Ledger::new(catalog());
    for line in V1_LOG {
        assert_eq!(
            old.apply_json(line).expect("applies"),
            Applied::Changed,
            "{line}"
        );
    }
    let mut new = Ledger::new(catalog());
    for e in current_log() {
        assert_eq!(new.apply(&e).expect("applies"), Applied::Changed);
        assert_eq!(old.apply(&e).expect("applies"), Applied::Duplicate);
    }
    for line in V1_LOG {
        assert_eq!(
            new.apply_json(line).expect("applies"),
            Applied::Duplicate,
            "{line}"
        );
    }
    assert_eq!(old.snapshot(), new.snapshot());
}

#[test]
fn a_tampered_version_1_event_is_refused() {
    let tampered = V1_LOG[1].replace("2027-03-01T10:05:00Z", "2036-03-01T10:05:00Z");
    let expected = xxh3_hex(&grant_bytes_until(
        "consentry-event-v1",
        datetime!(2036-03-01 10:05 UTC),
    ));
    let message = format!(
        "event id `a8eabbf4d8c0b9ecc99664ab111353a1` does not match its content (expected `{expected}`)"
    );
    let err = Event::from_json(&tampered).expect_err("tampered");
    assert!(matches!(err, Error::EventIdMismatch { .. }), "{err:?}");
    assert_eq!(err.to_string(), message);
    let mut ledger = Ledger::new(catalog());
    assert_eq!(
        ledger
            .apply_json(&tampered)
            .expect_err("tampered")
            .to_string(),
        message
    );
    assert_eq!(ledger.snapshot(), Ledger::new(catalog()).snapshot());
}

#[test]
fn a_version_1_event_with_a_long_id_is_refused() {
    let json = V1_LOG[0].replace("3776592fb48ff201752e935e429b4cce", REGISTRATION_ID);
    assert_eq!(
        Event::from_json(&json).expect_err("long id").to_string(),
        format!("invalid event: id `{REGISTRATION_ID}` is not 32 lowercase hex digits")
    );
}

// ---------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------

#[test]
fn snapshots_are_version_2_with_64_hex_ids() {
    assert_eq!(SNAPSHOT_FORMAT_VERSION, 2);
    let mut ledger = Ledger::new(catalog());
    for e in current_log() {
        ledger.apply(&e).expect("applies");
    }
    let json = ledger.snapshot().to_json().expect("writes");
    assert!(json.starts_with("{\"format_version\":2,"), "{json}");
    assert!(
        json.contains(&format!("\"event\":\"{REGISTRATION_ID}\"")),
        "{json}"
    );
    assert!(
        json.contains(&format!("\"event\":\"{GRANT_ID}\"")),
        "{json}"
    );
    let restored = Ledger::restore(Snapshot::from_json(&json).expect("reads")).expect("restores");
    assert_eq!(restored.snapshot(), ledger.snapshot());
}

#[test]
fn a_version_1_snapshot_restores_and_is_written_back_as_version_2() {
    let snapshot = Snapshot::from_json(V1_SNAPSHOT).expect("a version 1 snapshot reads");
    let restored = Ledger::restore(snapshot.clone()).expect("restores");
    let mut replayed = Ledger::new(catalog());
    for line in V1_LOG {
        replayed.apply_json(line).expect("applies");
    }
    assert_eq!(restored.snapshot(), replayed.snapshot());
    assert!(
        restored
            .snapshot()
            .to_json()
            .expect("writes")
            .starts_with("{\"format_version\":2,")
    );
    let with_catalog = Ledger::restore_with_catalog(snapshot, catalog()).expect("restores");
    assert_eq!(with_catalog.snapshot(), replayed.snapshot());
}
