//! Arbitrary bytes as a sequence of operations on a ledger, checked against
//! invariants after every step: nothing panics; a failed call changes
//! nothing; `is_permitted`, `decide` and `check` agree; the snapshot
//! round-trips through JSON; the state as events rebuilds the state; the log
//! of returned events, replayed in reverse into a fresh ledger, gives the
//! same state.

#![no_main]

#[path = "common.rs"]
mod common;

use common::Time;
use consentry::{CollectionMethod, Event, Evidence, Grant, Ledger, Snapshot};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use time::Duration;

const SUBJECTS: [&str; 5] = ["ana", "ben", "chloé", "", "tab\there"];
const PURPOSES: [&str; 11] = [
    "marketing.email",
    "ads",
    "research",
    "analytics",
    "orders",
    "mailshot",
    "tax",
    "emergency",
    "census",
    "undeclared",
    "Bad Name",
];
const CATEGORIES: [&str; 9] = [
    "contact",
    "contact.email",
    "health",
    "health.genetic",
    "profile",
    "profile.beliefs",
    "browsing",
    "undeclared",
    "",
];

#[derive(Debug, Clone, Arbitrary)]
enum Op {
    Give {
        subject: u8,
        purpose: u8,
        at: Time,
        categories: Option<Vec<u8>>,
        expires_at: Option<Time>,
        notice: Option<u32>,
        channel: Option<String>,
    },
    Refuse {
        subject: u8,
        purpose: u8,
        at: Time,
        notice: Option<u32>,
    },
    Withdraw {
        subject: u8,
        purpose: u8,
        at: Time,
    },
    Object {
        subject: u8,
        purpose: u8,
        at: Time,
    },
    WithdrawAll {
        subject: u8,
        at: Time,
    },
    OptOut {
        subject: u8,
        at: Time,
        on: bool,
    },
    Register {
        subject: u8,
        at: Time,
    },
    Erase {
        subject: u8,
        at: Time,
    },
    /// A change with an arbitrary subject id.
    RegisterNamed {
        subject: String,
        at: Time,
    },
    /// A check with arbitrary names.
    Check {
        subject: String,
        purpose: String,
        category: String,
        at: Time,
    },
    /// What people see, at any instant: a report, an export, whether to
    /// ask again (calendar arithmetic on cooldowns), grants expiring.
    Show {
        subject: u8,
        purpose: u8,
        at: Time,
        window_days: i32,
    },
    /// Snapshot to JSON and restore.
    Reload,
    /// Move to the evolved catalog.
    Evolve,
    /// Apply again an event already returned.
    Replay(u8),
}

fn pick<T: Copy>(items: &[T], i: u8) -> T {
    items[usize::from(i) % items.len()]
}

fn evidence(notice: Option<u32>, channel: Option<String>) -> Evidence {
    let mut e = Evidence::new(CollectionMethod::Api);
    if let Some(v) = notice {
        e = e.with_notice_version(v);
    }
    if let Some(c) = channel {
        e = e.with_channel(c);
    }
    e
}

fuzz_target!(|ops: Vec<Op>| {
    let mut ledger = Ledger::new(common::catalog(false));
    let mut evolved = false;
    let mut log: Vec<Event> = Vec::new();
    for op in ops.into_iter().take(64) {
        let before = ledger.snapshot();
        let result = match op {
            Op::Give {
                subject,
                purpose,
                at,
                categories,
                expires_at,
                notice,
                channel,
            } => {
                let mut g = Grant::new(
                    pick(&SUBJECTS, subject),
                    pick(&PURPOSES, purpose),
                    at.get(),
                    evidence(notice, channel),
                );
                if let Some(cs) = categories {
                    g = g.categories(cs.into_iter().map(|c| pick(&CATEGORIES, c)));
                }
                if let Some(e) = expires_at {
                    g = g.expires_at(e.get());
                }
                ledger.give(g)
            }
            Op::Refuse {
                subject,
                purpose,
                at,
                notice,
            } => ledger.refuse(
                pick(&SUBJECTS, subject),
                pick(&PURPOSES, purpose),
                at.get(),
                evidence(notice, None),
            ),
            Op::Withdraw {
                subject,
                purpose,
                at,
            } => ledger.withdraw(
                pick(&SUBJECTS, subject),
                pick(&PURPOSES, purpose),
                at.get(),
                evidence(None, None),
            ),
            Op::Object {
                subject,
                purpose,
                at,
            } => ledger.object(
                pick(&SUBJECTS, subject),
                pick(&PURPOSES, purpose),
                at.get(),
                evidence(None, None),
            ),
            Op::WithdrawAll { subject, at } => {
                ledger.withdraw_all(pick(&SUBJECTS, subject), at.get(), evidence(None, None))
            }
            Op::OptOut {
                subject,
                at,
                on: true,
            } => {
                ledger.set_global_opt_out(pick(&SUBJECTS, subject), at.get(), evidence(None, None))
            }
            Op::OptOut {
                subject,
                at,
                on: false,
            } => ledger.clear_global_opt_out(
                pick(&SUBJECTS, subject),
                at.get(),
                evidence(None, None),
            ),
            Op::Register { subject, at } => ledger.register(pick(&SUBJECTS, subject), at.get()),
            Op::Erase { subject, at } => ledger.erase(pick(&SUBJECTS, subject), at.get()),
            Op::RegisterNamed { subject, at } => ledger.register(&subject, at.get()),
            Op::Check {
                subject,
                purpose,
                category,
                at,
            } => {
                let d = ledger.decide(&subject, &purpose, &category, at.get());
                assert_eq!(
                    ledger.is_permitted(&subject, &purpose, &category, at.get()),
                    d.is_permitted()
                );
                let _ = ledger.status(&subject, &purpose, at.get());
                continue;
            }
            Op::Show {
                subject,
                purpose,
                at,
                window_days,
            } => {
                let (s, at) = (pick(&SUBJECTS, subject), at.get());
                let window = Duration::days(i64::from(window_days));
                let _ = ledger.subject_report(s, at);
                let _ = ledger.export_subject(s, at).map(|e| e.to_json());
                let _ = ledger.should_ask(s, pick(&PURPOSES, purpose), at, window);
                let _ = ledger.expiring(at, window).count();
                let _ = ledger
                    .decide(s, pick(&PURPOSES, purpose), "contact", at)
                    .to_string();
                continue;
            }
            Op::Reload => {
                let json = before.to_json().expect("a snapshot serializes");
                let read = Snapshot::from_json(&json).expect("a snapshot reads back");
                ledger = Ledger::restore(read).expect("a ledger's own snapshot restores");
                assert_eq!(ledger.snapshot(), before);
                continue;
            }
            Op::Evolve => {
                if !evolved {
                    evolved = true;
                    // Valid records stay valid under the evolved catalog.
                    ledger = Ledger::restore_with_catalog(before, common::catalog(true))
                        .expect("records stay valid under the evolved catalog");
                    common::snapshot_round_trips(&ledger);
                }
                continue;
            }
            Op::Replay(i) => {
                if !log.is_empty() {
                    let e = log[usize::from(i) % log.len()].clone();
                    ledger
                        .apply(&e)
                        .expect("an event the ledger returned applies again");
                    assert_eq!(
                        ledger.snapshot(),
                        before,
                        "replaying an event changed the state"
                    );
                }
                continue;
            }
        };
        match result {
            Ok(event) => log.push(event.into_event()),
            Err(e) => {
                common::error_is_bounded(&e);
                assert_eq!(
                    ledger.snapshot(),
                    before,
                    "a failed call changed the ledger"
                );
            }
        }
    }
    common::checks_agree(&ledger);
    common::snapshot_round_trips(&ledger);
    common::state_as_events_rebuilds(&ledger);
    // Every event returned, replayed in reverse into a fresh ledger, gives
    // the same state.
    let mut fresh = Ledger::new(common::catalog(evolved));
    for e in log.iter().rev() {
        fresh
            .apply(e)
            .expect("an event the ledger returned applies");
    }
    assert_eq!(
        fresh.snapshot(),
        ledger.snapshot(),
        "replay in reverse order"
    );
});
