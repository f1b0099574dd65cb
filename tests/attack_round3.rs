//! Adversarial review, round 3: the direct-marketing objection kept beside a
//! later refusal or withdrawal, and the opt-out `set` kept beside a later
//! `clear` (rules 4 and 5, `should_ask`), through the public API only.
//!
//! Tests not marked "passing property check" fail on the code they were
//! written against: each is a regression test for a break.

mod util;

use consentry::{Ask, Change, ConsentStatus, Decision, Event, Grant, Ledger, Snapshot};
use proptest::prelude::*;
use time::OffsetDateTime;
use util::*;

const SUBJECTS: [&str; 2] = ["ana", "bo"];
/// Direct marketing (consent), direct marketing (legitimate interest),
/// sale/sharing (consent), sale/sharing (legitimate interest), plain,
/// direct marketing (contract).
const TESTED: [(&str, &str); 6] = [
    ("newsletter", "contact.email"),
    ("marketing.post", "purchases"),
    ("ads.targeting", "browsing"),
    ("data.sale", "purchases"),
    ("analytics", "browsing"),
    ("orders.offers", "purchases"),
];

fn instant(i: u8) -> OffsetDateTime {
    T0 + days(i64::from(i) * 40)
}

/// One change of a random history.
fn change(kind: u8, subject: usize, purpose: usize, t: u8) -> Change {
    let s = SUBJECTS[subject % SUBJECTS.len()];
    let p = TESTED[purpose % TESTED.len()].0;
    let at = instant(t);
    match kind % 9 {
        0 | 1 => Change::give(Grant::new(s, p, at, banner(3))),
        2 => Change::refuse(s, p, at, banner(3)),
        3 => Change::withdraw(s, p, at, settings()),
        4 => Change::object(s, p, at, settings()),
        5 => Change::withdraw_all(s, at, settings()),
        6 => Change::set_global_opt_out(s, at, gpc()),
        7 => Change::clear_global_opt_out(s, at, gpc()),
        _ => Change::erase(s, at),
    }
}

/// The events of a history; changes a fresh ledger refuses (an objection
/// to a plain consent purpose...) are left out.
fn events(raw: &[(u8, usize, usize, u8)]) -> Vec<Event> {
    let l = shop();
    raw.iter()
        .filter_map(|&(k, s, p, t)| l.prepare(change(k, s, p, t)).ok())
        .collect()
}

type Seen = Vec<String>;

/// Every decision, status and `should_ask` answer of the tested slots at
/// the check instants from `from` on.
fn seen(l: &Ledger, from: OffsetDateTime) -> Seen {
    let mut out = Vec::new();
    for s in SUBJECTS {
        for (p, c) in TESTED {
            for i in 0..14u8 {
                let at = instant(i / 2) + days(i64::from(i % 2) * 20);
                if at < from {
                    continue;
                }
                out.push(format!(
                    "{s} {p} {at}: {:?} {:?} {:?}",
                    l.decide(s, p, c, at),
                    l.status(s, p, at),
                    l.should_ask(s, p, at, days(30)),
                ));
            }
            // Far later too (cooldowns over).
            let far = instant(7) + days(800);
            out.push(format!(
                "{s} {p} far: {:?} {:?}",
                l.decide(s, p, c, far),
                l.should_ask(s, p, far, days(30)),
            ));
        }
    }
    out
}

fn apply(l: &mut Ledger, events: &[Event]) {
    for e in events {
        l.apply(e).expect("applies");
    }
}

fn round_trip(l: &Ledger) -> Ledger {
    let json = l.snapshot().to_json().expect("writes");
    Ledger::restore(Snapshot::from_json(&json).expect("reads")).expect("restores")
}

fn history() -> impl Strategy<Value = Vec<(u8, usize, usize, u8)>> {
    prop::collection::vec((0u8..9, 0usize..2, 0usize..6, 0u8..6), 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Passing property check: order, duplicates, batches, replays of
    /// `events()`, snapshot round trips,
    /// `set_catalog` and merges give the same answers and snapshots.
    #[test]
    fn property_any_order_replay_round_trip_and_merge_agree(
        raw in history(),
        perm in prop::collection::vec(any::<prop::sample::Index>(), 12),
        split in any::<prop::sample::Index>(),
    ) {
        let evs = events(&raw);
        let mut a = shop();
        apply(&mut a, &evs);
        let expected = seen(&a, T0 - days(1));
        let snap = a.snapshot();

        // For a direct-marketing purpose, `decide` and `should_ask` agree on
        // an objection (its status: see
        // `status_between_a_kept_objection_and_the_later_refusal_is_objected`).
        for sub in SUBJECTS {
            for (p, c) in TESTED.iter().take(2).chain(TESTED.iter().skip(5)) {
                for i in 0..16u8 {
                    let at = instant(i / 2) + days(i64::from(i % 2) * 20);
                    let d = a.decide(sub, p, c, at);
                    let ask = a.should_ask(sub, p, at, days(30));
                    if let Decision::Objected { at: o } = d {
                        prop_assert_eq!(ask, Ask::Objected { at: o }, "{} {} {}", sub, p, at);
                    } else if !matches!(d, Decision::Erased { .. }) {
                        prop_assert!(!matches!(ask, Ask::Objected { .. }), "{} {} {}: {:?} {:?}", sub, p, at, d, ask);
                    }
                }
            }
        }

        // Another order (a random shuffle), everything applied twice.
        let mut shuffled = evs.clone();
        for (i, ix) in perm.iter().enumerate().take(shuffled.len()) {
            let j = ix.index(shuffled.len());
            shuffled.swap(i, j);
        }
        let mut b = shop();
        apply(&mut b, &shuffled);
        apply(&mut b, &evs);
        prop_assert_eq!(&seen(&b, T0 - days(1)), &expected, "order {:?}", shuffled);
        prop_assert_eq!(&b.snapshot(), &snap);

        // The same as one batch, duplicates included.
        let mut batch = shuffled.clone();
        batch.extend(evs.iter().cloned());
        let mut g = shop();
        g.apply_all(&batch).expect("applies the batch");
        prop_assert_eq!(&seen(&g, T0 - days(1)), &expected, "batch {:?}", batch);
        prop_assert_eq!(&g.snapshot(), &snap, "batch snapshot");

        // A replay of events() into a fresh ledger.
        let mut c = shop();
        let out: Vec<Event> = a.events().collect();
        apply(&mut c, &out);
        prop_assert_eq!(&seen(&c, T0 - days(1)), &expected, "replay of {:?}", out);
        prop_assert_eq!(&c.snapshot(), &snap, "replay snapshot");

        // Snapshot round trips, with the catalog set again.
        let d = round_trip(&a);
        prop_assert_eq!(&seen(&d, T0 - days(1)), &expected);
        let e = Ledger::restore_with_catalog(
            Snapshot::from_json(&a.snapshot().to_json().unwrap()).unwrap(),
            shop_catalog(),
        ).expect("restores with the catalog");
        prop_assert_eq!(&seen(&e, T0 - days(1)), &expected);
        let mut f = round_trip(&a);
        f.set_catalog(shop_catalog()).expect("sets the catalog");
        prop_assert_eq!(&seen(&f, T0 - days(1)), &expected);

        // Two halves merged, both ways, and merged again.
        let k = split.index(evs.len() + 1);
        let (x, y) = shuffled.split_at(k);
        let mut left = shop();
        apply(&mut left, x);
        let mut right = shop();
        apply(&mut right, y);
        let right = round_trip(&right);
        let mut m1 = left.clone();
        m1.merge(&right).expect("merges");
        m1.merge(&right).expect("merges again");
        prop_assert_eq!(&seen(&m1, T0 - days(1)), &expected, "merge of {:?} and {:?}", x, y);
        prop_assert_eq!(&m1.snapshot(), &snap, "merge snapshot");
        let mut m2 = right.clone();
        m2.merge(&left).expect("merges");
        prop_assert_eq!(&seen(&m2, T0 - days(1)), &expected);
        prop_assert_eq!(&m2.snapshot(), &snap);
        // Events of one half applied on the other's merge.
        let mut m3 = round_trip(&left);
        apply(&mut m3, y);
        prop_assert_eq!(&seen(&m3, T0 - days(1)), &expected);
    }

    /// Passing property check: pruning at a random point, then receiving
    /// the rest (and everything
    /// again), changes no answer at or after the prune.
    #[test]
    fn property_pruning_changes_nothing_at_or_after_the_prune(
        raw in history(),
        split in any::<prop::sample::Index>(),
        when in 0u8..10,
    ) {
        let evs = events(&raw);
        let mut full = shop();
        apply(&mut full, &evs);
        let at = instant(when / 2) + days(i64::from(when % 2) * 20) + days(400);
        let k = split.index(evs.len() + 1);
        let (x, y) = evs.split_at(k);
        let mut p = shop();
        apply(&mut p, x);
        p.prune(at);
        // A snapshot that does not read back is its own break (see
        // `a_pruned_refusal_over_a_kept_objection_snapshots_and_reads_back`);
        // go on with the ledger itself then.
        let json = p.snapshot().to_json().expect("writes");
        let mut p = match Snapshot::from_json(&json) {
            Ok(s) => Ledger::restore(s).expect("restores"),
            Err(_) => p,
        };
        apply(&mut p, y);
        p.prune(at);
        apply(&mut p, &evs);
        let mut merged = shop();
        merged.merge(&p).expect("merges");
        // Only the permissions (reasons and should_ask may differ after a
        // prune).
        let decisions = |l: &Ledger| -> Vec<String> {
            let mut out = Vec::new();
            for s in SUBJECTS {
                for (pp, c) in TESTED {
                    for d in [0, 1, 30, 200, 500] {
                        let t = at + days(d);
                        out.push(format!(
                            "{s} {pp} {t}: {:?}",
                            l.decide(s, pp, c, t).is_permitted()
                        ));
                    }
                }
            }
            out
        };
        prop_assert_eq!(decisions(&p), decisions(&full), "prune at {} after {:?}", at, x);
        prop_assert_eq!(decisions(&merged), decisions(&full), "merge of the pruned ledger");
        // An objection still holding is still never asked over (its status
        // is `a_pruned_refusal_over_a_kept_objection_keeps_its_status`).
        for s in SUBJECTS {
            for (pp, _) in TESTED {
                for d in [0, 1, 30, 200, 500, 5000] {
                    let t = at + days(d);
                    let ask = full.should_ask(s, pp, t, days(30));
                    if matches!(ask, Ask::Objected { .. }) {
                        prop_assert_eq!(p.should_ask(s, pp, t, days(30)), ask, "{} {} {}", s, pp, t);
                        prop_assert_eq!(merged.should_ask(s, pp, t, days(30)), ask);
                    }
                }
            }
        }
    }
}

/// Break: pruning a direct-marketing refusal whose cooldown is over, when an
/// objection is kept beside it, leaves a ledger whose snapshot does not read
/// back ("a purpose has a record or a pruned record's trace, not both"):
/// the host can no longer persist it.
#[test]
fn a_pruned_refusal_over_a_kept_objection_snapshots_and_reads_back() {
    let mut l = shop();
    l.object("bo", "newsletter", T0, settings()).unwrap();
    l.refuse("bo", "newsletter", T0 + days(40), banner(3))
        .unwrap();
    let at = T0 + days(400);
    let before = l.decide("bo", "newsletter", "contact.email", at);
    l.prune(at);
    assert_eq!(l.decide("bo", "newsletter", "contact.email", at), before);
    assert_eq!(
        l.should_ask("bo", "newsletter", at + days(3650), days(30)),
        Ask::Objected { at: T0 }
    );
    let json = l.snapshot().to_json().expect("writes");
    let read = Snapshot::from_json(&json);
    assert!(read.is_ok(), "{read:?}\n{json}");
    let restored = Ledger::restore(read.unwrap()).unwrap();
    assert_eq!(
        restored.decide("bo", "newsletter", "contact.email", at),
        before
    );
    assert_eq!(l.decide("bo", "newsletter", "contact.email", at), before);
}

// ---- hostile snapshots ----

/// The snapshot of `l` as a JSON value.
fn snapshot_value(l: &Ledger) -> serde_json::Value {
    serde_json::from_str(&l.snapshot().to_json().expect("writes")).expect("JSON")
}

/// The first subject's entry of a snapshot.
fn subject0(v: &mut serde_json::Value) -> &mut serde_json::Value {
    &mut v["subjects"][0]
}

/// The record `ana` holds for `purpose` after `make` on a fresh ledger, as
/// written in a snapshot (with its true event id).
fn record_json(make: impl FnOnce(&mut Ledger)) -> serde_json::Value {
    let mut l = shop();
    make(&mut l);
    let mut v = snapshot_value(&l);
    subject0(&mut v)["records"][0].take()
}

/// Reads `v` back as a snapshot and restores it.
fn load(v: &serde_json::Value) -> Result<Ledger, consentry::Error> {
    let json = serde_json::to_string(v).expect("writes");
    Ledger::restore(Snapshot::from_json(&json)?)
}

/// Break: a `kept` objection of a direct-marketing purpose with no record
/// and no pruned trace for it is loaded; the ledger never holds that (an
/// answer is kept apart only beside a later refusal or withdrawal, or a
/// pruned one), and the loaded ledger is not what its own events rebuild
/// (a replay holds the objection as the record).
#[test]
fn a_snapshot_with_a_kept_answer_and_no_record_is_refused() {
    let mut l = shop();
    l.give(Grant::new("ana", "analytics", T0, banner(1)))
        .unwrap();
    let objection = record_json(|l| {
        l.object("ana", "newsletter", T1, settings()).unwrap();
    });
    let mut v = snapshot_value(&l);
    subject0(&mut v)["kept"] = serde_json::json!([objection]);
    let loaded = load(&v);
    if let Ok(loaded) = &loaded {
        let mut replay = shop();
        for e in loaded.events() {
            replay.apply(&e).unwrap();
        }
        eprintln!(
            "loaded: {:?}; replayed snapshot equal: {}",
            loaded.decide("ana", "newsletter", "contact.email", T2),
            replay.snapshot() == loaded.snapshot()
        );
    }
    assert!(loaded.is_err(), "a kept objection alone was loaded");
}

/// Break: when a snapshot holds two `kept` answers and the second is one
/// the ledger would never hold, the error names `kept[0]`, the valid one.
#[test]
fn a_bad_second_kept_answer_is_named_where_it_is() {
    let mut l = shop();
    l.object("ana", "newsletter", T0, settings()).unwrap();
    l.refuse("ana", "newsletter", T1, banner(3)).unwrap();
    l.refuse("ana", "marketing", T1, banner(1)).unwrap();
    let mut v = snapshot_value(&l);
    assert_eq!(subject0(&mut v)["kept"].as_array().map(Vec::len), Some(1));
    // A kept grant of `marketing`, not direct marketing.
    let grant = record_json(|l| {
        l.give(Grant::new("ana", "marketing", T0, banner(1)))
            .unwrap();
    });
    subject0(&mut v)["kept"].as_array_mut().unwrap().push(grant);
    match load(&v) {
        Err(consentry::Error::Snapshot { location, .. }) => {
            assert!(location.contains("kept[1]"), "located at {location}");
        }
        other => panic!("loaded or another error: {:?}", other.map(|_| ())),
    }
}

/// An edit of a subject's snapshot entry.
type Edit = Box<dyn Fn(&mut serde_json::Value)>;

/// Passing property check: kept answers the ledger would never hold beside
/// a record are refused with an error naming where they are.
#[test]
fn hostile_kept_answers_beside_a_record_are_refused() {
    let mut l = shop();
    l.object("ana", "newsletter", T1, settings()).unwrap();
    l.refuse("ana", "newsletter", T2, banner(3)).unwrap();
    l.refuse("ana", "marketing", T2, banner(1)).unwrap();
    l.set_global_opt_out("ana", T1, gpc()).unwrap();
    l.clear_global_opt_out("ana", T2, gpc()).unwrap();
    let base = snapshot_value(&l);
    assert!(load(&base).is_ok());
    let refusal = record_json(|l| {
        l.refuse("ana", "newsletter", T0, banner(3)).unwrap();
    });
    let late = record_json(|l| {
        l.object("ana", "newsletter", T3, settings()).unwrap();
    });
    let grant_plain = record_json(|l| {
        l.give(Grant::new("ana", "marketing", T0, banner(1)))
            .unwrap();
    });
    let early = record_json(|l| {
        l.object("ana", "newsletter", T0, settings()).unwrap();
    });
    let cases: Vec<(&str, Edit)> = vec![
        (
            "a kept refusal",
            Box::new(move |s| s["kept"][0] = refusal.clone()),
        ),
        (
            "a kept answer later than the record",
            Box::new(move |s| s["kept"][0] = late.clone()),
        ),
        (
            "a kept grant of a purpose that is not direct marketing",
            Box::new(move |s| s["kept"][0] = grant_plain.clone()),
        ),
        (
            "two kept answers for one purpose",
            Box::new(move |s| {
                s["kept"].as_array_mut().unwrap().push(early.clone());
            }),
        ),
        (
            "a wrong event id",
            Box::new(|s| {
                s["kept"][0]["event"] = serde_json::json!(
                    "17a05603355886b4dbd932bab8a642f6f17c037769dbf4918a2f319c58784104"
                )
            }),
        ),
        (
            "a kept set while the signal is on",
            Box::new(|s| {
                s["global_opt_out"] = s["global_opt_out_set"].clone();
            }),
        ),
        (
            "a kept set later than the clear",
            Box::new(|s| {
                s["global_opt_out_set"]["at"] = serde_json::json!("2026-09-01T10:00:00Z");
            }),
        ),
    ];
    for (what, edit) in cases {
        let mut v = base.clone();
        edit(subject0(&mut v));
        let loaded = load(&v);
        assert!(
            matches!(loaded, Err(consentry::Error::Snapshot { .. })),
            "{what}: {:?}",
            loaded.map(|_| ())
        );
    }
    // A kept answer at or before the subject's erasure.
    let mut l = shop();
    l.erase("ana", T1).unwrap();
    l.refuse("ana", "newsletter", T2, banner(3)).unwrap();
    let mut v = snapshot_value(&l);
    let early = record_json(|l| {
        l.object("ana", "newsletter", T1, settings()).unwrap();
    });
    subject0(&mut v)["kept"] = serde_json::json!([early]);
    let loaded = load(&v);
    assert!(
        matches!(loaded, Err(consentry::Error::Snapshot { .. })),
        "a kept objection at the erasure: {:?}",
        loaded.map(|_| ())
    );
}

/// Break: once the refusal over a kept direct-marketing objection is
/// pruned, `status` says `Unknown` (never asked) while `decide` says
/// `Objected` and `should_ask` says `Objected`: the ledger contradicts
/// itself, and the subject report shows a person who objected as never
/// asked. Before the prune, all three said `Objected`.
#[test]
fn a_pruned_refusal_over_a_kept_objection_keeps_its_status() {
    let mut l = shop();
    l.object("bo", "newsletter", T0, settings()).unwrap();
    l.refuse("bo", "newsletter", T0 + days(40), banner(3))
        .unwrap();
    let at = T0 + days(400);
    assert_eq!(l.status("bo", "newsletter", at), ConsentStatus::Objected);
    l.prune(at);
    assert_eq!(
        l.decide("bo", "newsletter", "contact.email", at),
        Decision::Objected { at: T0 }
    );
    assert_eq!(l.status("bo", "newsletter", at), ConsentStatus::Objected);
}

// ---- memory and the string arenas ----

#[global_allocator]
static GLOBAL: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

/// The tests that measure the heap run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Heap bytes still held by what `f` builds and returns (other tests of
/// this file run meanwhile: only large differences mean anything).
fn held<T>(f: impl FnOnce() -> T) -> (T, isize) {
    let region = stats_alloc::Region::new(GLOBAL);
    let value = f();
    let change = region.change();
    (
        value,
        change.bytes_allocated as isize - change.bytes_deallocated as isize,
    )
}

/// The least heap two builds by `f` hold (a test elsewhere in this binary
/// may allocate meanwhile, such as the backtrace symbol cache of a failing
/// one, tens of MB once); the value of the second.
fn least_held<T>(f: impl Fn() -> T) -> (T, isize) {
    let (_, first) = held(&f);
    let (value, second) = held(&f);
    (value, first.min(second))
}

fn proof(tag: &str, i: usize) -> consentry::Evidence {
    settings()
        .with_proof(format!("{tag}-{i:0>400}"))
        .with_channel(format!("ch-{tag}-{i}"))
}

/// Passing property check: a long churn of objections, refusals and grants
/// of a direct-marketing purpose (anchors kept and dropped, some arriving
/// late), with fresh proof and channel texts each time, holds no more heap
/// than the same state restored from its snapshot; and after the arenas
/// were compacted many times over, the kept objection and the kept `set`
/// still show their own evidence in `events()` and in the snapshot.
#[test]
fn a_churn_of_kept_anchors_does_not_grow_the_heap_or_corrupt_proofs() {
    let _serial = SERIAL.lock();
    const N: usize = 10_000;
    let (l, heap) = least_held(|| {
        let mut l = shop();
        let late = shop();
        for i in 0..N {
            let t = T0 + time::Duration::seconds(10 * i as i64);
            l.object("ana", "newsletter", t, proof("obj", i)).unwrap();
            l.refuse(
                "ana",
                "newsletter",
                t + time::Duration::seconds(2),
                proof("ref", i).with_notice_version(3),
            )
            .unwrap();
            // An older objection arriving late replaces the kept one.
            let e = late
                .prepare(Change::object(
                    "ana",
                    "newsletter",
                    t + time::Duration::seconds(1),
                    proof("late", i),
                ))
                .unwrap();
            l.apply(&e).unwrap();
            l.set_global_opt_out("ana", t, proof("set", i)).unwrap();
            l.clear_global_opt_out("ana", t + time::Duration::seconds(1), proof("clr", i))
                .unwrap();
            if i + 1 < N {
                l.give(Grant::new(
                    "ana",
                    "newsletter",
                    t + time::Duration::seconds(3),
                    proof("giv", i).with_notice_version(3),
                ))
                .unwrap();
            }
        }
        l
    });
    let json = l.snapshot().to_json().unwrap();
    let (restored, restored_heap) =
        held(|| Ledger::restore(Snapshot::from_json(&json).unwrap()).unwrap());
    assert!(
        heap <= 2 * restored_heap + 1_000_000,
        "after {N} churns the ledger holds {heap} bytes; restored, {restored_heap}"
    );
    let last = N - 1;
    let t = T0 + time::Duration::seconds(10 * last as i64);
    let events: Vec<Event> = l.events().collect();
    let find = |at: OffsetDateTime, tag: &str| {
        events.iter().any(|e| {
            e.at() == at
                && e.kind()
                    .evidence()
                    .and_then(|ev| ev.proof())
                    .is_some_and(|p| p == format!("{tag}-{last:0>400}"))
        })
    };
    assert!(
        find(t + time::Duration::seconds(1), "late"),
        "the kept objection's proof"
    );
    assert!(find(t, "set"), "the kept set's proof");
    assert!(
        find(t + time::Duration::seconds(1), "clr"),
        "the clear's proof"
    );
    assert!(
        find(t + time::Duration::seconds(2), "ref"),
        "the refusal's proof"
    );
    assert_eq!(
        l.decide("ana", "newsletter", "contact.email", t),
        Decision::Objected {
            at: t + time::Duration::seconds(1)
        }
    );
    assert_eq!(restored.snapshot(), l.snapshot());
    let mut replay = shop();
    for e in &events {
        replay.apply(e).unwrap();
    }
    assert_eq!(replay.snapshot(), l.snapshot());
}

/// Passing property check: erasing a subject frees what its kept anchors
/// held: a churn of object, refuse, set, clear, erase holds no more heap
/// than its state restored.
#[test]
fn erasures_free_what_kept_anchors_hold() {
    let _serial = SERIAL.lock();
    const N: usize = 10_000;
    let s = time::Duration::seconds;
    let (l, heap) = least_held(|| {
        let mut l = shop();
        for i in 0..N {
            let t = T0 + s(10 * i as i64);
            l.object("ana", "newsletter", t + s(1), proof("obj", i))
                .unwrap();
            l.refuse(
                "ana",
                "newsletter",
                t + s(2),
                proof("ref", i).with_notice_version(3),
            )
            .unwrap();
            l.set_global_opt_out("ana", t + s(1), proof("set", i))
                .unwrap();
            l.clear_global_opt_out("ana", t + s(2), proof("clr", i))
                .unwrap();
            l.erase("ana", t + s(3)).unwrap();
        }
        l
    });
    let json = l.snapshot().to_json().unwrap();
    let (restored, restored_heap) =
        held(|| Ledger::restore(Snapshot::from_json(&json).unwrap()).unwrap());
    assert!(
        heap <= 2 * restored_heap + 1_000_000,
        "after {N} erasures the ledger holds {heap} bytes; restored, {restored_heap}"
    );
    assert_eq!(restored.snapshot(), l.snapshot());
}

/// Passing property check: once the refusal over a kept objection is
/// pruned, `set_catalog` with the same catalog still works and keeps the
/// objection deciding.
#[test]
fn set_catalog_works_after_pruning_a_refusal_over_a_kept_objection() {
    let mut l = shop();
    l.object("bo", "newsletter", T0, settings()).unwrap();
    l.refuse("bo", "newsletter", T0 + days(40), banner(3))
        .unwrap();
    let at = T0 + days(400);
    l.prune(at);
    let set = l.set_catalog(shop_catalog());
    assert!(set.is_ok(), "{set:?}");
    assert_eq!(
        l.decide("bo", "newsletter", "contact.email", at),
        Decision::Objected { at: T0 }
    );
    assert_eq!(
        l.should_ask("bo", "newsletter", at + days(3650), days(30)),
        Ask::Objected { at: T0 }
    );
}

/// Break (README, rule 5: "`OptedOut { at }`, where `at` is when the signal
/// was last set (also once cleared)"): when the ledger holds a `clear` but
/// no `set` (the `set` came before an erasure, which discards it), a check
/// between the erasure and the clear answers `OptedOut { at }` naming the
/// *clear*, the instant the signal was turned off; and `should_ask` says
/// `ValidConsent` (do not ask, the grant is valid) for the same instant
/// that `decide` denies.
#[test]
fn opted_out_does_not_name_the_clear_as_when_the_signal_was_set() {
    let mut l = shop();
    l.set_global_opt_out("ana", T1, gpc()).unwrap();
    l.erase("ana", T2).unwrap();
    l.give(Grant::new("ana", "ads.targeting", T2 + days(1), banner(1)))
        .unwrap();
    l.clear_global_opt_out("ana", T3, gpc()).unwrap();
    let at = T2 + days(2);
    let decision = l.decide("ana", "ads.targeting", "browsing", at);
    assert_ne!(
        decision,
        Decision::OptedOut { at: T3 },
        "names the clear as the set"
    );
    let ask = l.should_ask("ana", "ads.targeting", at, days(30));
    assert!(
        !(matches!(decision, Decision::OptedOut { .. }) && matches!(ask, Ask::ValidConsent { .. })),
        "decide {decision:?} against should_ask {ask:?}"
    );
}

/// Break: between a direct-marketing objection and a later refusal or
/// withdrawal, `status` says `Unknown` (never asked) although the ledger
/// holds the objection, `decide` says `Objected` and `should_ask` says
/// `Objected`; at the same instant it said `Objected` before the later
/// withdrawal arrived, and says `Objected` again after the withdrawal. A
/// later event turns a known objection into "never asked".
#[test]
fn status_between_a_kept_objection_and_the_later_refusal_is_objected() {
    for (purpose, category) in [
        ("newsletter", "contact.email"),
        ("marketing.post", "purchases"),
        ("orders.offers", "purchases"),
    ] {
        let mut l = shop();
        l.object("ana", purpose, T0, settings()).unwrap();
        assert_eq!(l.status("ana", purpose, T1), ConsentStatus::Objected);
        l.withdraw("ana", purpose, T2, settings()).unwrap();
        assert_eq!(
            l.decide("ana", purpose, category, T1),
            Decision::Objected { at: T0 }
        );
        assert_eq!(l.status("ana", purpose, T3), ConsentStatus::Objected);
        assert_eq!(
            l.status("ana", purpose, T1),
            ConsentStatus::Objected,
            "{purpose} between the objection and the withdrawal"
        );
    }
}

/// Break (README, "As-of audit": the `Audit` gives "the record it rested
/// on ... the refusal, withdrawal or objection behind a denial"): an audit
/// of a direct-marketing purpose after an objection and a later
/// withdrawal decides `Objected { at }` but gives the withdrawal as the
/// record behind it, not the objection the denial rests on.
#[test]
fn an_audit_of_a_kept_objection_rests_on_the_objection() {
    let mut l = shop();
    let log = vec![
        l.object("ana", "newsletter", T0, settings())
            .unwrap()
            .into_event(),
        l.withdraw("ana", "newsletter", T1, settings())
            .unwrap()
            .into_event(),
    ];
    let audit = l
        .audit(&log, "ana", "newsletter", "contact.email", T2)
        .unwrap();
    assert_eq!(audit.decision(), Decision::Objected { at: T0 });
    let record = audit.record().expect("a record behind the denial");
    assert_eq!(
        (record.answer(), record.at()),
        (consentry::Answer::Objected, T0),
        "the record behind Objected"
    );
}

/// Break (README, "Re-prompting": "Only a no that denies counts"): after an
/// opt-out signal set and cleared, the subject gives consent to a
/// sale/sharing purpose; the grant is `Granted`, yet `should_ask` keeps
/// answering `CooldownRunning` from the old `set` for a year, so a grant
/// expiring within the window is never offered for renewal. After a
/// refusal followed by the same grant, `should_ask` says `ExpiringSoon`.
#[test]
fn a_cleared_opt_out_before_a_later_grant_does_not_block_renewal() {
    let grant = || Grant::new("ana", "ads.targeting", T2, banner(1)).expires_at(T3 + days(10));
    let mut refused = shop();
    refused
        .refuse("ana", "ads.targeting", T0, banner(1))
        .unwrap();
    refused.give(grant()).unwrap();
    let mut opted_out = shop();
    opted_out.set_global_opt_out("ana", T0, gpc()).unwrap();
    opted_out.clear_global_opt_out("ana", T1, gpc()).unwrap();
    opted_out.give(grant()).unwrap();
    let expiring = Ask::ExpiringSoon {
        expires_at: T3 + days(10),
    };
    assert_eq!(
        refused.should_ask("ana", "ads.targeting", T3, days(30)),
        expiring
    );
    assert!(
        opted_out
            .decide("ana", "ads.targeting", "browsing", T3)
            .is_permitted()
    );
    assert_eq!(
        opted_out.should_ask("ana", "ads.targeting", T3, days(30)),
        expiring
    );
}
