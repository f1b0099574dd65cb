//! Replication with pruning: the changes decoded from the input are made on
//! a source ledger, and the events it returns reach two replicas in
//! different orders, with `merge` and `prune` calls at random points
//! between. Nothing panics; a merge that fails changes nothing; and once
//! both replicas have seen every event and merged each other, they agree.
//!
//! What they must agree on: every decision at or after the latest instant
//! either was pruned at (pruning only promises to change no permission from
//! its instant on). That assertion is kept behind a comment below until
//! prune guarantees it for replicas that prune at different points; until
//! then this target checks no-panic and failed-merge-changes-nothing, and
//! that replicas that never pruned agree on everything.

#![no_main]

#[path = "common.rs"]
mod common;

use common::Time;
use consentry::{CollectionMethod, Event, Evidence, Grant, Ledger};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use time::{Duration, OffsetDateTime};

const SUBJECTS: [&str; 3] = ["ana", "ben", "chloé"];
const PURPOSES: [&str; 6] = [
    "marketing.email",
    "ads",
    "research",
    "analytics",
    "orders",
    "census",
];
const CATEGORIES: [&str; 7] = [
    "contact",
    "contact.email",
    "health",
    "health.genetic",
    "profile",
    "profile.beliefs",
    "browsing",
];

/// A change made on the source ledger.
#[derive(Debug, Clone, Arbitrary)]
enum Change {
    Give {
        subject: u8,
        purpose: u8,
        at: Time,
        categories: Option<Vec<u8>>,
        expires_at: Option<Time>,
        notice: Option<u32>,
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
}

/// What happens next to the replicas.
#[derive(Debug, Clone, Copy, Arbitrary)]
enum Step {
    /// Replica A receives its next event.
    ToA,
    /// Replica B receives its next event.
    ToB,
    /// A merges B.
    MergeAB,
    /// B merges A.
    MergeBA,
    PruneA(Time),
    PruneB(Time),
}

#[derive(Debug, Arbitrary)]
struct Input {
    changes: Vec<Change>,
    steps: Vec<Step>,
    /// Shuffles the order B receives the events in.
    seed: u64,
}

fn pick<T: Copy>(items: &[T], i: u8) -> T {
    items[usize::from(i) % items.len()]
}

fn evidence(notice: Option<u32>) -> Evidence {
    let e = Evidence::new(CollectionMethod::Api);
    match notice {
        Some(v) => e.with_notice_version(v),
        None => e,
    }
}

fn make(source: &mut Ledger, change: Change) -> consentry::Result<Event> {
    let recorded = match change {
        Change::Give {
            subject,
            purpose,
            at,
            categories,
            expires_at,
            notice,
        } => {
            let mut g = Grant::new(
                pick(&SUBJECTS, subject),
                pick(&PURPOSES, purpose),
                at.get(),
                evidence(notice),
            );
            if let Some(cs) = categories {
                g = g.categories(cs.into_iter().map(|c| pick(&CATEGORIES, c)));
            }
            if let Some(e) = expires_at {
                g = g.expires_at(e.get());
            }
            source.give(g)
        }
        Change::Refuse {
            subject,
            purpose,
            at,
            notice,
        } => source.refuse(
            pick(&SUBJECTS, subject),
            pick(&PURPOSES, purpose),
            at.get(),
            evidence(notice),
        ),
        Change::Withdraw {
            subject,
            purpose,
            at,
        } => source.withdraw(
            pick(&SUBJECTS, subject),
            pick(&PURPOSES, purpose),
            at.get(),
            evidence(None),
        ),
        Change::Object {
            subject,
            purpose,
            at,
        } => source.object(
            pick(&SUBJECTS, subject),
            pick(&PURPOSES, purpose),
            at.get(),
            evidence(None),
        ),
        Change::WithdrawAll { subject, at } => {
            source.withdraw_all(pick(&SUBJECTS, subject), at.get(), evidence(None))
        }
        Change::OptOut { subject, at, on } => {
            let s = pick(&SUBJECTS, subject);
            if on {
                source.set_global_opt_out(s, at.get(), evidence(None))
            } else {
                source.clear_global_opt_out(s, at.get(), evidence(None))
            }
        }
        Change::Register { subject, at } => source.register(pick(&SUBJECTS, subject), at.get()),
        Change::Erase { subject, at } => source.erase(pick(&SUBJECTS, subject), at.get()),
    };
    recorded.map(consentry::Recorded::into_event)
}

/// `into.merge(from)`; if it fails, `into` is unchanged.
fn merge(into: &mut Ledger, from: &Ledger) {
    let before = into.snapshot();
    if into.merge(from).is_err() {
        assert_eq!(into.snapshot(), before, "a failed merge changed the ledger");
    }
}

/// Applies an event; if that fails, the ledger is unchanged.
fn apply(to: &mut Ledger, e: &Event) {
    let before = to.snapshot();
    if to.apply(e).is_err() {
        assert_eq!(to.snapshot(), before, "a failed apply changed the ledger");
    }
}

/// The instants worth comparing at, at or after `from`: every event's time
/// and expiry ±1 ns, `from` itself and a far one.
fn instants(events: &[Event], from: Option<OffsetDateTime>) -> Vec<OffsetDateTime> {
    let ns = Duration::nanoseconds(1);
    let mut out = vec![common::t0() + Duration::days(100_000)];
    out.extend(from);
    for e in events {
        let mut times = vec![e.at()];
        if let consentry::EventKind::Given {
            expires_at: Some(x),
            ..
        } = e.kind()
        {
            times.push(*x);
        }
        for t in times {
            out.extend([t - ns, t, t + ns]);
        }
    }
    out.retain(|t| from.is_none_or(|f| *t >= f));
    out
}

/// A and B give the same permission for every subject, purpose and
/// category at each instant (pruning may change a denial's reason, never
/// whether it permits).
fn agree(a: &Ledger, b: &Ledger, at: &[OffsetDateTime]) {
    let purposes: Vec<String> = a
        .catalog()
        .purposes()
        .map(|p| p.name().to_owned())
        .collect();
    let categories: Vec<String> = a
        .catalog()
        .categories()
        .map(|c| c.name().to_owned())
        .collect();
    for s in SUBJECTS.iter().copied().chain(["nobody"]) {
        for &t in at {
            for p in &purposes {
                for c in &categories {
                    assert_eq!(
                        a.is_permitted(s, p, c, t),
                        b.is_permitted(s, p, c, t),
                        "replicas disagree on {s} {p} {c} at {t}: {} / {}",
                        a.decide(s, p, c, t),
                        b.decide(s, p, c, t)
                    );
                }
            }
        }
    }
}

fuzz_target!(|input: Input| {
    let mut source = Ledger::new(common::catalog(false));
    let events: Vec<Event> = input
        .changes
        .into_iter()
        .take(48)
        .filter_map(|c| make(&mut source, c).ok())
        .collect();
    // B's order: a Fisher-Yates shuffle driven by the seed (xorshift).
    let mut order: Vec<usize> = (0..events.len()).collect();
    let mut x = input.seed | 1;
    for i in (1..order.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let (mut a, mut b) = (
        Ledger::new(common::catalog(false)),
        Ledger::new(common::catalog(false)),
    );
    let (mut next_a, mut next_b) = (0, 0);
    let mut pruned_at: Option<OffsetDateTime> = None;
    let mut pruned = |t: OffsetDateTime| {
        pruned_at = Some(pruned_at.map_or(t, |p| p.max(t)));
    };
    for step in input.steps.into_iter().take(128) {
        match step {
            Step::ToA => {
                if let Some(e) = events.get(next_a) {
                    apply(&mut a, e);
                    next_a += 1;
                }
            }
            Step::ToB => {
                if let Some(e) = order.get(next_b).and_then(|&i| events.get(i)) {
                    apply(&mut b, e);
                    next_b += 1;
                }
            }
            Step::MergeAB => merge(&mut a, &b),
            Step::MergeBA => merge(&mut b, &a),
            Step::PruneA(t) => {
                let t = t.get();
                let _ = a.prune(t);
                pruned(t);
            }
            Step::PruneB(t) => {
                let t = t.get();
                let _ = b.prune(t);
                pruned(t);
            }
        }
    }
    // Every event reaches both (again: applying is idempotent), then each
    // merges the other.
    for e in &events {
        apply(&mut a, e);
    }
    for &i in &order {
        apply(&mut b, &events[i]);
    }
    merge(&mut a, &b);
    merge(&mut b, &a);
    common::checks_agree(&a);
    common::checks_agree(&b);
    agree(&a, &b, &instants(&events, pruned_at));
});
