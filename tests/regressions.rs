//! Regression tests for bugs the reliability work (issue 5) found in the
//! engine, one section per bug: what was wrong, how it was found, and the
//! tests that failed before the fix.
//!
//! # Expiries computed past the end of the supported range
//!
//! Found while writing the model-based tests (tests/model.rs), confirmed at
//! commit 384adcf; fixed in bb8a28a ("Cut computed expiries at the end of the
//! supported range"). The four tests below failed before that commit.
//!
//! Instants are stored from 1678-01-01 to 2261-12-31. A grant given near the
//! end of that range under a purpose with a maximum (or default) validity got
//! an expiry computed as `given_at + validity`, past 2261-12-31. The engine
//! kept that expiry in memory, but every path that writes it out refused it
//! as "out of range", so:
//!
//! - a ledger holding such a record wrote a snapshot that `Ledger::restore`
//!   refused: the state could not be saved and reloaded (lost consent after a
//!   restart);
//! - `Ledger::events()` silently left the record out, so `merge` and log
//!   compaction dropped the subject's consent;
//! - `give` itself refused the grant, naming an instant the caller never gave.
//!
//! Such a record arrived through `apply` (an event written under a catalog
//! without a maximum validity, replayed under one with it) or through
//! `restore_with_catalog` (which caps expiries to the current catalog's
//! maximum).

use consentry::{
    Catalog, CollectionMethod, Event, Evidence, Grant, Ledger, LegalBasis, PurposeDef, Snapshot,
};
use time::Duration;
use time::macros::datetime;

/// One purpose over one category; `max_days` sets a maximum validity.
fn catalog(max_days: Option<i64>) -> Catalog {
    let mut p = PurposeDef::new("newsletter", LegalBasis::Consent)
        .title("Newsletter")
        .description("A monthly e-mail.")
        .categories(["contact"]);
    if let Some(d) = max_days {
        p = p.max_validity(Duration::days(d));
    }
    Catalog::builder()
        .category("contact")
        .purpose(p)
        .build()
        .expect("valid catalog")
}

/// A grant with no expiry, given eleven days before the end of the range,
/// recorded under a catalog without a maximum validity.
fn late_grant() -> (Ledger, Event) {
    let mut old = Ledger::new(catalog(None));
    let event = old
        .give(Grant::new(
            "ana",
            "newsletter",
            datetime!(2261-12-20 0:00 UTC),
            Evidence::new(CollectionMethod::Banner).with_notice_version(1),
        ))
        .expect("a grant inside the range with no expiry is valid")
        .into_event();
    (old, event)
}

#[test]
fn a_ledger_with_a_grant_capped_past_the_range_restores_from_its_snapshot() {
    let (_, event) = late_grant();
    // The application's catalog now caps consent at 30 days: the replayed
    // grant expires on 2262-01-19.
    let mut ledger = Ledger::new(catalog(Some(30)));
    ledger.apply(&event).expect("the event is valid");
    let json = ledger.snapshot().to_json().expect("serializes");
    // Failed with "snapshot subjects[0] (`ana`).records[0] (`newsletter`):
    // time `2262-01-19T00:00:00Z` is out of range".
    let restored = Snapshot::from_json(&json)
        .and_then(Ledger::restore)
        .expect("a ledger's own snapshot restores");
    let at = datetime!(2261-12-25 0:00 UTC);
    assert_eq!(
        restored.decide("ana", "newsletter", "contact", at),
        ledger.decide("ana", "newsletter", "contact", at)
    );
}

#[test]
fn the_state_as_events_keeps_a_grant_capped_past_the_range() {
    let (_, event) = late_grant();
    let mut ledger = Ledger::new(catalog(Some(30)));
    ledger.apply(&event).expect("the event is valid");
    let at = datetime!(2261-12-25 0:00 UTC);
    assert!(ledger.is_permitted("ana", "newsletter", "contact", at));
    // There was no event at all, so a merge lost the subject.
    assert_eq!(ledger.events().count(), 1, "one record, one event");
    let mut other = Ledger::new(catalog(Some(30)));
    other.merge(&ledger).expect("same catalog");
    assert!(other.is_permitted("ana", "newsletter", "contact", at));
}

#[test]
fn restoring_under_a_catalog_that_caps_past_the_range_round_trips() {
    let (old, _) = late_grant();
    let ledger = Ledger::restore_with_catalog(old.snapshot(), catalog(Some(30)))
        .expect("the record is valid under the new catalog");
    let json = ledger.snapshot().to_json().expect("serializes");
    // Failed with: time `2262-01-19T00:00:00Z` is out of range.
    Snapshot::from_json(&json)
        .and_then(Ledger::restore)
        .expect("a ledger's own snapshot restores");
}

#[test]
fn a_grant_near_the_end_of_the_range_is_accepted() {
    let mut ledger = Ledger::new(catalog(Some(30)));
    // Failed with "time `2262-01-19T00:00:00Z` is out of range", an instant
    // the caller never gave.
    ledger
        .give(Grant::new(
            "ana",
            "newsletter",
            datetime!(2261-12-20 0:00 UTC),
            Evidence::new(CollectionMethod::Banner).with_notice_version(1),
        ))
        .expect("a grant given inside the range is accepted")
        .into_event();
}
