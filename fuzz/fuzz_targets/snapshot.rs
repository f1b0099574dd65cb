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
    let snapshot = match Snapshot::from_json(text) {
        Ok(s) => s,
        Err(e) => return common::error_is_bounded(&e),
    };
    let json = snapshot
        .to_json()
        .expect("a snapshot that reads serializes");
    let again = Snapshot::from_json(&json).expect("a serialized snapshot reads back");
    assert_eq!(again, snapshot, "snapshot JSON round trip");
    // Under the application's own catalog too: it must never panic.
    if let Err(e) = Ledger::restore_with_catalog(snapshot.clone(), common::catalog(false)) {
        common::error_is_bounded(&e);
    }
    let ledger = match Ledger::restore(snapshot) {
        Ok(l) => l,
        Err(e) => return common::error_is_bounded(&e),
    };
    common::checks_agree(&ledger);
    common::snapshot_round_trips(&ledger);
    common::state_as_events_rebuilds(&ledger);
});
