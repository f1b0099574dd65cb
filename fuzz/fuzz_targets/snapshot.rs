//! Arbitrary bytes as a snapshot: reading and restoring never panic; a
//! snapshot that reads re-serializes to an equal one; a ledger that
//! restores answers checks consistently and saves a snapshot that restores
//! to the same state.

#![no_main]

#[path = "common.rs"]
mod common;

use consentry::{Ledger, Snapshot};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(snapshot) = Snapshot::from_json(text) else {
        return;
    };
    let json = snapshot
        .to_json()
        .expect("a snapshot that reads serializes");
    let again = Snapshot::from_json(&json).expect("a serialized snapshot reads back");
    assert_eq!(again, snapshot, "snapshot JSON round trip");
    // Under the application's own catalog too: it must never panic.
    let _ = Ledger::restore_with_catalog(snapshot.clone(), common::catalog(false));
    let Ok(ledger) = Ledger::restore(snapshot) else {
        return;
    };
    common::checks_agree(&ledger);
    common::snapshot_round_trips(&ledger);
    common::state_as_events_rebuilds(&ledger);
});
