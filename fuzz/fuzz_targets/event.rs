//! Arbitrary bytes as an event: reading and applying never panic; a parsed
//! event re-serializes and reads back equal; a failed apply changes
//! nothing; a successful one is idempotent and leaves a ledger whose
//! snapshot round-trips.
//!
//! Mutated input almost never matches its content id, so when the only
//! problem is the id, the target puts in the id the error names and goes on:
//! that way the fuzzer reaches the checks behind the id.

#![no_main]

#[path = "common.rs"]
mod common;

use consentry::{Applied, Error, Event};
use libfuzzer_sys::fuzz_target;

fn read(text: &str) -> Option<Event> {
    match Event::from_json(text) {
        Ok(e) => Some(e),
        Err(Error::EventIdMismatch { found, expected }) => {
            Event::from_json(&text.replacen(&found, &expected, 1)).ok()
        }
        Err(e) => {
            common::error_is_bounded(&e);
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(event) = read(text) else {
        return;
    };
    let json = event.to_json().expect("an event that reads serializes");
    let again = Event::from_json(&json).expect("a serialized event reads back");
    assert_eq!(again, event, "event JSON round trip");
    assert_eq!(again.to_json().expect("serializes"), json, "canonical JSON");

    for mut ledger in [
        common::seeded(),
        consentry::Ledger::new(common::catalog(true)),
    ] {
        let before = ledger.snapshot();
        match ledger.apply(&event) {
            Err(e) => {
                common::error_is_bounded(&e);
                assert_eq!(
                    ledger.snapshot(),
                    before,
                    "a failed apply changed the ledger"
                );
            }
            Ok(_) => {
                let after = ledger.snapshot();
                let outcome = ledger
                    .apply(&event)
                    .expect("an applied event applies again");
                assert_ne!(
                    outcome,
                    Applied::Changed,
                    "applying twice changed the state"
                );
                assert_eq!(
                    ledger.snapshot(),
                    after,
                    "applying twice changed the snapshot"
                );
                common::checks_agree(&ledger);
                common::snapshot_round_trips(&ledger);
                common::state_as_events_rebuilds(&ledger);
            }
        }
    }
});
