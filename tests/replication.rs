//! Property tests of replication: events applied in any order, any number of
//! times, from any mix of instances, give one state.
//!
//! The number of cases per property defaults to a CI-friendly 64; set
//! `CONSENTRY_PROPTEST_CASES` (e.g. to 100000) for a long run.

use consentry::{
    Applied, Catalog, CollectionMethod, Event, Evidence, Grant, Ledger, LegalBasis, PurposeDef,
    Snapshot,
};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const SUBJECTS: [&str; 3] = ["ana", "ben", "chloé"];
const PURPOSES: [&str; 6] = ["news", "ads", "analytics", "orders", "research", "mail"];
const CATEGORIES: [&str; 5] = ["contact", "contact.email", "health", "browsing", "device"];

fn catalog() -> Catalog {
    let p = |name: &str, basis| {
        PurposeDef::new(name, basis)
            .title(name.to_uppercase())
            .description(format!("The {name} purpose."))
    };
    Catalog::builder()
        .category("contact")
        .category("contact.email")
        .sensitive_category("health")
        .category("browsing")
        .category("device")
        .purpose(
            p("news", LegalBasis::Consent)
                .categories(["contact"])
                .max_validity(Duration::minutes(20))
                .direct_marketing(),
        )
        .purpose(
            p("ads", LegalBasis::Consent)
                .categories(["browsing", "device"])
                .sale_or_sharing(),
        )
        .purpose(
            p("analytics", LegalBasis::LegitimateInterest)
                .categories(["browsing"])
                .sale_or_sharing(),
        )
        .purpose(p("orders", LegalBasis::Contract).categories(["contact", "health"]))
        .purpose(
            p("research", LegalBasis::ExplicitConsent)
                .categories(["health", "device"])
                .default_validity(Duration::minutes(10)),
        )
        .purpose(
            p("mail", LegalBasis::LegitimateInterest)
                .categories(["contact.email"])
                .direct_marketing(),
        )
        .build()
        .expect("test catalog is valid")
}

fn t(minute: u8) -> OffsetDateTime {
    datetime!(2026-01-01 00:00 UTC) + Duration::minutes(i64::from(minute))
}

/// One change made on one instance. Times are small so that ties are common.
#[derive(Debug, Clone)]
enum Op {
    Give {
        subject: usize,
        purpose: usize,
        minute: u8,
        categories: Vec<usize>,
        expires_in: Option<u8>,
        channel: u8,
    },
    Refuse {
        subject: usize,
        purpose: usize,
        minute: u8,
    },
    Withdraw {
        subject: usize,
        purpose: usize,
        minute: u8,
    },
    WithdrawAll {
        subject: usize,
        minute: u8,
    },
    Object {
        subject: usize,
        purpose: usize,
        minute: u8,
    },
    OptOut {
        subject: usize,
        minute: u8,
        on: bool,
    },
    Register {
        subject: usize,
        minute: u8,
    },
    Erase {
        subject: usize,
        minute: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let s = 0..SUBJECTS.len();
    let p = 0..PURPOSES.len();
    let m = 0u8..30;
    prop_oneof![
        4 => (s.clone(), p.clone(), m.clone(), prop::collection::vec(0..CATEGORIES.len(), 0..3),
              prop::option::of(1u8..40), 0u8..3)
            .prop_map(|(subject, purpose, minute, categories, expires_in, channel)| Op::Give {
                subject, purpose, minute, categories, expires_in, channel
            }),
        2 => (s.clone(), p.clone(), m.clone()).prop_map(|(subject, purpose, minute)| Op::Refuse { subject, purpose, minute }),
        2 => (s.clone(), p.clone(), m.clone()).prop_map(|(subject, purpose, minute)| Op::Withdraw { subject, purpose, minute }),
        1 => (s.clone(), m.clone()).prop_map(|(subject, minute)| Op::WithdrawAll { subject, minute }),
        1 => (s.clone(), p.clone(), m.clone()).prop_map(|(subject, purpose, minute)| Op::Object { subject, purpose, minute }),
        1 => (s.clone(), m.clone(), any::<bool>()).prop_map(|(subject, minute, on)| Op::OptOut { subject, minute, on }),
        1 => (s.clone(), m.clone()).prop_map(|(subject, minute)| Op::Register { subject, minute }),
        1 => (s, m).prop_map(|(subject, minute)| Op::Erase { subject, minute }),
    ]
}

/// Runs `op` on `ledger`; the event if the change was accepted. Rejected
/// changes (an objection to a contract purpose, a category outside the
/// purpose...) are part of the test: they must leave the ledger unchanged.
fn run(ledger: &mut Ledger, op: &Op) -> Option<Event> {
    let before = ledger.snapshot();
    let ev = |ch: u8| {
        Evidence::new(CollectionMethod::Api)
            .with_notice_version(1)
            .with_channel(["web", "app", "phone"][usize::from(ch) % 3])
    };
    let result = match op {
        Op::Give {
            subject,
            purpose,
            minute,
            categories,
            expires_in,
            channel,
        } => {
            let mut g = Grant::new(
                SUBJECTS[*subject],
                PURPOSES[*purpose],
                t(*minute),
                ev(*channel),
            );
            if !categories.is_empty() {
                g = g.categories(categories.iter().map(|c| CATEGORIES[*c]));
            }
            if let Some(e) = expires_in {
                g = g.expires_at(t(*minute) + Duration::minutes(i64::from(*e)));
            }
            ledger.give(g)
        }
        Op::Refuse {
            subject,
            purpose,
            minute,
        } => ledger.refuse(SUBJECTS[*subject], PURPOSES[*purpose], t(*minute), ev(0)),
        Op::Withdraw {
            subject,
            purpose,
            minute,
        } => ledger.withdraw(SUBJECTS[*subject], PURPOSES[*purpose], t(*minute), ev(1)),
        Op::WithdrawAll { subject, minute } => {
            ledger.withdraw_all(SUBJECTS[*subject], t(*minute), ev(2))
        }
        Op::Object {
            subject,
            purpose,
            minute,
        } => ledger.object(SUBJECTS[*subject], PURPOSES[*purpose], t(*minute), ev(0)),
        Op::OptOut {
            subject,
            minute,
            on: true,
        } => ledger.set_global_opt_out(SUBJECTS[*subject], t(*minute), ev(0)),
        Op::OptOut {
            subject,
            minute,
            on: false,
        } => ledger.clear_global_opt_out(SUBJECTS[*subject], t(*minute), ev(0)),
        Op::Register { subject, minute } => ledger.register(SUBJECTS[*subject], t(*minute)),
        Op::Erase { subject, minute } => ledger.erase(SUBJECTS[*subject], t(*minute)),
    };
    match result {
        Ok(e) => Some(e.into_event()),
        Err(_) => {
            assert_eq!(
                ledger.snapshot(),
                before,
                "a failed {op:?} changed the ledger"
            );
            None
        }
    }
}

/// The events of ops spread over three instances, as their hosts would log them.
fn events_of(ops: &[(usize, Op)]) -> Vec<Event> {
    let mut instances = [
        Ledger::new(catalog()),
        Ledger::new(catalog()),
        Ledger::new(catalog()),
    ];
    ops.iter()
        .filter_map(|(i, op)| run(&mut instances[*i % 3], op))
        .collect()
}

fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Ledger {
    let mut l = Ledger::new(catalog());
    for e in events {
        l.apply(e)
            .expect("events from a ledger with the same catalog are valid");
    }
    l
}

/// A deterministic shuffle (xorshift), so a failing case replays exactly.
fn shuffled<T: Clone>(items: &[T], mut seed: u64) -> Vec<T> {
    let mut v = items.to_vec();
    seed |= 1;
    for i in (1..v.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    v
}

/// Every decision at a grid of instants, including each minute boundary and
/// one nanosecond before it.
fn decisions(l: &Ledger) -> Vec<String> {
    let mut out = Vec::new();
    for minute in (0..45).step_by(3) {
        for at in [t(minute), t(minute) - Duration::nanoseconds(1)] {
            for s in SUBJECTS {
                for p in PURPOSES {
                    for c in CATEGORIES {
                        out.push(format!("{s} {p} {c} {at}: {}", l.decide(s, p, c, at)));
                    }
                }
            }
        }
    }
    out
}

fn cases() -> u32 {
    std::env::var("CONSENTRY_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn ops() -> impl Strategy<Value = Vec<(usize, Op)>> {
    prop::collection::vec((0usize..3, op()), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Any order of the same events gives the same state and decisions.
    #[test]
    fn order_does_not_matter(ops in ops(), seed in any::<u64>()) {
        let events = events_of(&ops);
        let a = replay(&events);
        let b = replay(&shuffled(&events, seed));
        let c = replay(events.iter().rev());
        prop_assert_eq!(a.snapshot(), b.snapshot());
        prop_assert_eq!(a.snapshot(), c.snapshot());
        prop_assert_eq!(decisions(&a), decisions(&b));
    }

    /// Applying events again, in any order, changes nothing.
    #[test]
    fn replay_is_idempotent(ops in ops(), seed in any::<u64>()) {
        let events = events_of(&ops);
        let mut l = replay(&events);
        let once = l.snapshot();
        for e in shuffled(&events, seed) {
            let outcome = l.apply(&e).expect("valid event");
            prop_assert_ne!(outcome, Applied::Changed, "re-applying {:?} changed the state", e);
        }
        prop_assert_eq!(l.snapshot(), once);
    }

    /// A snapshot (through JSON) plus the events after it answers exactly as
    /// a full replay, wherever the snapshot was taken.
    #[test]
    fn snapshot_plus_tail_equals_full_replay(ops in ops(), cut in any::<prop::sample::Index>()) {
        let events = events_of(&ops);
        let k = cut.index(events.len() + 1);
        let head = replay(&events[..k]);
        let json = head.snapshot().with_watermark(k as u64).to_json().expect("serializes");
        let snapshot = Snapshot::from_json(&json).expect("reads back");
        prop_assert_eq!(snapshot.watermark(), Some(k as u64));
        let mut restored = Ledger::restore(snapshot).expect("restores");
        for e in &events[snapshot_tail_start(k)..] {
            restored.apply(e).expect("valid event");
        }
        let full = replay(&events);
        prop_assert_eq!(restored.snapshot(), full.snapshot());
        prop_assert_eq!(decisions(&restored), decisions(&full));
    }

    /// Instances that saw different subsets, in different orders and with
    /// duplicates, converge once they merge each other.
    #[test]
    fn instances_converge_by_exchanging_events(
        ops in ops(),
        assignment in prop::collection::vec((0usize..3, any::<bool>()), 40),
        seeds in any::<[u64; 3]>(),
    ) {
        let events = events_of(&ops);
        let mut inboxes: [Vec<Event>; 3] = Default::default();
        for (i, e) in events.iter().enumerate() {
            let (home, duplicate) = assignment[i % assignment.len()];
            inboxes[home].push(e.clone());
            if duplicate {
                inboxes[(home + 1) % 3].push(e.clone());
                inboxes[home].push(e.clone());
            }
        }
        let mut instances: Vec<Ledger> = inboxes
            .iter()
            .zip(seeds)
            .map(|(inbox, seed)| replay(&shuffled(inbox, seed)))
            .collect();
        // Gossip: 0 <- 1, 1 <- 2, 2 <- 0, then once more round the ring.
        for round in 0..2 {
            for i in 0..3 {
                let other = instances[(i + 1 + round) % 3].clone();
                instances[i].merge(&other).expect("same catalog");
            }
        }
        let full = replay(&events).snapshot();
        for l in &instances {
            prop_assert_eq!(l.snapshot(), full.clone());
        }
    }

    /// The state as events rebuilds the state.
    #[test]
    fn state_as_events_rebuilds_the_state(ops in ops()) {
        let events = events_of(&ops);
        let l = replay(&events);
        let compacted: Vec<Event> = l.events().collect();
        prop_assert!(compacted.len() <= events.len());
        prop_assert_eq!(replay(&compacted).snapshot(), l.snapshot());
        // And through JSON, as a host would store them.
        let through_json: Vec<Event> = compacted
            .iter()
            .map(|e| Event::from_json(&e.to_json().expect("serializes")).expect("reads back"))
            .collect();
        prop_assert_eq!(through_json, compacted);
    }
}

/// The snapshot includes events `..k`; the host replays from `k`.
fn snapshot_tail_start(k: usize) -> usize {
    k
}
