//! Adversarial review, round 4: the open-addressing subject table, batches
//! (`is_permitted_many`, `is_permitted_many_by`, `permitted_purposes`),
//! `Timestamp` and `audience_count`'s branch-free count, checked against
//! the single checks through the public API only.
//!
//! Tests not marked "passing property check" fail on the code they were
//! written against: each is a regression test for a break.

use consentry::{
    Catalog, CategoryHandle, Change, CollectionMethod, Evidence, Grant, Ledger, LegalBasis,
    PurposeDef, PurposeHandle, SubjectHandle, Timestamp,
};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);
/// The first and last storable instants.
const FIRST: OffsetDateTime = datetime!(1678-01-01 0:00 UTC);
const LAST: OffsetDateTime = datetime!(2261-12-31 23:59:59.999_999_999 UTC);

const CATEGORIES: [&str; 4] = ["contact", "contact.email", "browsing", "health"];
/// Purposes in the wide catalog: past the 60 a subject's head indexes.
const PURPOSES: usize = 72;

fn purpose_name(i: usize) -> String {
    format!("p{i:02}")
}

/// Purpose `i`'s definition: eight kinds in turn (consent, direct
/// marketing and sale under consent and legitimate interest, explicit
/// consent and contract over sensitive data, legal obligation).
fn purpose(i: usize, min_notice: u32) -> PurposeDef {
    let name = purpose_name(i);
    let def = |basis| {
        PurposeDef::new(name.clone(), basis)
            .title(name.clone())
            .description(name.clone())
            .notice_version(2)
            .min_notice_version(min_notice)
    };
    match i % 8 {
        0 => def(LegalBasis::Consent).categories(["contact"]),
        1 => def(LegalBasis::Consent)
            .categories(["contact.email"])
            .direct_marketing(),
        2 => def(LegalBasis::Consent)
            .categories(["browsing", "contact"])
            .sale_or_sharing(),
        3 => def(LegalBasis::LegitimateInterest)
            .categories(["contact", "browsing"])
            .direct_marketing(),
        4 => def(LegalBasis::LegitimateInterest)
            .categories(["contact.email"])
            .sale_or_sharing(),
        5 => def(LegalBasis::ExplicitConsent).categories(["health", "contact"]),
        6 => def(LegalBasis::Contract).categories(["health", "contact"]),
        _ => def(LegalBasis::LegalObligation).categories(["browsing"]),
    }
}

/// 72 purposes; those whose index is in `raised` need notice version 2.
fn wide_catalog(raised: &[usize]) -> Catalog {
    let mut b = Catalog::builder()
        .category("contact")
        .category("contact.email")
        .category("browsing")
        .sensitive_category("health");
    for i in 0..PURPOSES {
        b = b.purpose(purpose(i, if raised.contains(&i) { 2 } else { 1 }));
    }
    b.build().expect("valid catalog")
}

/// Subject ids the table might confuse: every length class, non-ASCII,
/// the longest allowed, ids alike but for their tail or head.
fn tricky_ids() -> Vec<String> {
    let long = "x".repeat(255);
    vec![
        "a".into(),
        "b".into(),
        "é".into(),
        "日本語のid".into(),
        format!("{long}y"),
        format!("{long}z"),
        "x".repeat(256),
        "é".repeat(128),
        format!("y{long}"),
        "user-0".into(),
        "user-00".into(),
        "user-0 ".into(),
    ]
}

fn ev(version: u32) -> Evidence {
    Evidence::new(CollectionMethod::Banner).with_notice_version(version)
}

fn instant(t: u8) -> OffsetDateTime {
    match t % 10 {
        0 => FIRST,
        1 => LAST - Duration::days(1),
        n => T0 + Duration::days(i64::from(n) * 30),
    }
}

/// Purposes the histories touch: near ones and far ones.
const TOUCHED: [usize; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 59, 60, 66, 71];

fn change(ids: &[String], op: (u8, usize, usize, u8, u8)) -> Change {
    let (kind, s, p, t, extra) = op;
    let s = ids[s % ids.len()].clone();
    let p = purpose_name(TOUCHED[p % TOUCHED.len()]);
    let at = instant(t);
    let version = 1 + u32::from(extra % 2);
    match kind % 10 {
        0..=2 => {
            let mut g = Grant::new(s, p, at, ev(version));
            if extra % 3 == 0 {
                g = g.categories(["contact.email"]);
            }
            if extra % 5 == 1 {
                g = g.expires_at(instant(t.wrapping_add(1)));
            }
            Change::give(g)
        }
        3 => Change::refuse(s, p, at, ev(version)),
        4 => Change::withdraw(s, p, at, ev(version)),
        5 => Change::object(s, p, at, ev(version)),
        6 => Change::withdraw_all(s, at, ev(version)),
        7 => Change::set_global_opt_out(s, at, ev(version)),
        8 => Change::clear_global_opt_out(s, at, ev(version)),
        _ => Change::erase(s, at),
    }
}

/// A ledger over the wide catalog after `ops` (changes it refuses are
/// left out).
fn history(ops: &[(u8, usize, usize, u8, u8)]) -> Ledger {
    let ids = tricky_ids();
    let mut l = Ledger::new(wide_catalog(&[]));
    for &op in ops {
        if op.0 % 23 == 22 {
            // Pruning drops what no longer decides; a trace stays.
            let _ = l.prune(instant(op.3));
        } else {
            let _ = l.record(change(&ids, op));
        }
    }
    l
}

/// Check instants: the histories' instants, just around them, and the
/// extremes a `Timestamp` saturates.
fn check_times() -> Vec<Timestamp> {
    let mut out: Vec<Timestamp> = (0..10u8)
        .flat_map(|t| {
            let at = instant(t);
            [at - Duration::nanoseconds(1), at, at + Duration::days(1)]
        })
        .map(Timestamp::from)
        .collect();
    out.extend([
        Timestamp::from_unix_nanos(i64::MIN),
        Timestamp::from_unix_nanos(i64::MAX),
        Timestamp::from_unix_seconds(i64::MIN),
        Timestamp::from_unix_seconds(i64::MAX),
        Timestamp::from(datetime!(2262-01-01 0:00 UTC)),
        Timestamp::from(datetime!(9999-12-31 23:59 UTC)),
        Timestamp::from(datetime!(-9999-01-01 0:00 UTC)),
    ]);
    out
}

/// Every (subject, purpose, category) check, unknown names mixed in.
fn all_checks(ids: &[String]) -> Vec<(String, String, String)> {
    let mut subjects: Vec<String> = ids.to_vec();
    subjects.extend(["nobody".to_string(), String::new(), "x".repeat(300)]);
    let mut purposes: Vec<String> = (0..PURPOSES).map(purpose_name).collect();
    purposes.push("p72".into());
    let mut categories: Vec<String> = CATEGORIES.iter().map(|c| c.to_string()).collect();
    categories.push("nope".into());
    let mut out = Vec::new();
    for s in &subjects {
        for p in &purposes {
            for c in &categories {
                out.push((s.clone(), p.clone(), c.clone()));
            }
        }
    }
    out
}

/// Every batch and scan agrees with the single checks at every instant.
fn assert_agrees(l: &Ledger, times: &[Timestamp]) {
    let ids = tricky_ids();
    let checks = all_checks(&ids);
    let refs: Vec<(&str, &str, &str)> = checks
        .iter()
        .map(|(s, p, c)| (s.as_str(), p.as_str(), c.as_str()))
        .collect();
    let clone = l.clone();
    let cat = l.catalog();
    let mut out = Vec::new();
    for &at in times {
        let single: Vec<bool> = refs
            .iter()
            .map(|&(s, p, c)| l.is_permitted(s, p, c, at))
            .collect();
        for (&(s, p, c), &ok) in refs.iter().zip(&single) {
            assert_eq!(l.decide(s, p, c, at).is_permitted(), ok, "{s} {p} {c}");
        }
        // By name, whole and in odd lengths around a stage.
        l.is_permitted_many(&refs, at, &mut out);
        assert_eq!(out, single, "whole batch at {at:?}");
        for n in [0, 1, 31, 32, 33, 65] {
            let off = 7 * n % refs.len().max(1);
            let part = refs.get(off..(off + n).min(refs.len())).unwrap_or(&[]);
            l.is_permitted_many(part, at, &mut out);
            assert_eq!(out, single[off..off + part.len()], "batch of {n}");
        }
        // By handle, with foreign handles (a clone's) mixed in.
        let mut by: Vec<(SubjectHandle, PurposeHandle, CategoryHandle)> = Vec::new();
        let mut want = Vec::new();
        for (i, (&(s, p, c), &ok)) in refs.iter().zip(&single).enumerate() {
            let (Some(sh), Some(ph), Some(ch)) = (
                l.subject_handle(s),
                cat.purpose_handle(p),
                cat.category_handle(c),
            ) else {
                continue;
            };
            assert_eq!(l.is_permitted_by(sh, ph, ch, at), ok);
            if i % 5 == 0 {
                let foreign = clone.subject_handle(s).expect("the clone knows it");
                by.push((foreign, ph, ch));
                want.push(false);
            }
            by.push((sh, ph, ch));
            want.push(ok);
        }
        l.is_permitted_many_by(&by, at, &mut out);
        assert_eq!(out, want, "batch by handle");
        // Every purpose of a subject at once.
        for s in ids.iter().map(String::as_str).chain(["nobody"]) {
            for c in CATEGORIES.iter().copied().chain(["nope"]) {
                let got: Vec<&str> = l.permitted_purposes(s, c, at).map(|p| p.name()).collect();
                let want: Vec<&str> = cat
                    .purposes()
                    .map(|p| p.name())
                    .filter(|p| l.is_permitted(s, p, c, at))
                    .collect();
                assert_eq!(got, want, "permitted_purposes {s} {c}");
                if let (Some(sh), Some(ch)) = (l.subject_handle(s), cat.category_handle(c)) {
                    let by: Vec<&str> = l
                        .permitted_purposes_by(sh, ch, at)
                        .map(|p| p.name())
                        .collect();
                    assert_eq!(by, want, "permitted_purposes_by {s} {c}");
                    let foreign = clone.subject_handle(s).expect("the clone knows it");
                    assert_eq!(l.permitted_purposes_by(foreign, ch, at).count(), 0);
                }
            }
        }
        // Audiences.
        for p in (0..PURPOSES).map(purpose_name) {
            for c in CATEGORIES {
                let checked = l
                    .subjects()
                    .filter(|s| l.is_permitted(s, &p, c, at))
                    .count();
                let mut listed: Vec<&str> = l.audience(&p, c, at).collect();
                assert_eq!(listed.len(), checked, "audience {p} {c} {at:?}");
                listed.sort_unstable();
                listed.dedup();
                assert_eq!(listed.len(), checked, "audience repeats {p} {c}");
                assert_eq!(l.audience_count(&p, c, at), checked, "count {p} {c} {at:?}");
            }
        }
    }
}

/// Every decision of the tricky ids, as text.
fn decisions(l: &Ledger, times: &[Timestamp]) -> Vec<String> {
    let mut out = Vec::new();
    for s in tricky_ids() {
        for &p in &TOUCHED {
            let p = purpose_name(p);
            for c in CATEGORIES {
                for &at in times {
                    out.push(format!("{s} {p} {c} {at:?} {:?}", l.decide(&s, &p, c, at)));
                }
            }
        }
    }
    out
}

fn ops() -> impl Strategy<Value = Vec<(u8, usize, usize, u8, u8)>> {
    prop::collection::vec(
        (
            any::<u8>(),
            0..12usize,
            0..12usize,
            any::<u8>(),
            any::<u8>(),
        ),
        0..40,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Passing property check: batches, `permitted_purposes` and audiences
    /// agree with the single checks over random histories of tricky ids,
    /// far purposes, sensitive data, marks and erasures, at the range's
    /// ends and past them.
    #[test]
    fn batches_and_counts_agree_with_single_checks(ops in ops()) {
        let l = history(&ops);
        let times: Vec<Timestamp> = check_times().into_iter().step_by(3).collect();
        assert_agrees(&l, &times);
    }

    /// Passing property check: after a raised notice version (a rebuilt
    /// ledger), a snapshot round trip and a merge into an empty ledger, the
    /// batches still agree and every decision is the original's.
    #[test]
    fn rebuilt_ledgers_agree(ops in ops()) {
        let l = history(&ops);
        let times: Vec<Timestamp> = check_times().into_iter().step_by(4).collect();
        let before = decisions(&l, &times);

        let json = l.snapshot().to_json().expect("writes");
        let restored = Ledger::restore(consentry::Snapshot::from_json(&json).expect("reads"))
            .expect("restores");
        prop_assert_eq!(&decisions(&restored, &times), &before);
        let mut merged = Ledger::new(wide_catalog(&[]));
        merged.merge(&l).expect("merges");
        prop_assert_eq!(&decisions(&merged, &times), &before);
        let mut shrunk = l.clone();
        shrunk.shrink_to_fit();
        prop_assert_eq!(&decisions(&shrunk, &times), &before);

        let mut raised = l.clone();
        if raised.set_catalog(wide_catalog(&[0, 1, 2, 5, 60, 66, 71])).is_ok() {
            assert_agrees(&raised, &times[..3]);
        }
    }
}

/// An id of exactly `len` bytes (1 to 256) unique to `i`, non-ASCII for odd
/// `i` where it fits.
fn sized_id(i: usize, len: usize) -> String {
    let mut id = format!("s{i}-");
    let pad = if i % 2 == 1 { 'é' } else { 'x' };
    while id.len() + pad.len_utf8() <= len {
        id.push(pad);
    }
    while id.len() < len {
        id.push('.');
    }
    id
}

/// What every id is allowed, by name and by batch (the batch must agree).
fn answers(l: &Ledger, ids: &[String], at: Timestamp) -> Vec<bool> {
    let checks: Vec<(&str, &str, &str)> = ids
        .iter()
        .flat_map(|s| {
            [
                (s.as_str(), "p00", "contact"),
                (s.as_str(), "p66", "contact"),
            ]
        })
        .collect();
    let single: Vec<bool> = checks
        .iter()
        .map(|&(s, p, c)| l.is_permitted(s, p, c, at))
        .collect();
    let mut out = Vec::new();
    l.is_permitted_many(&checks, at, &mut out);
    assert_eq!(out, single);
    single
}

/// Passing property check: thousands of ids of every length up to the
/// 256-byte cap, through table growth, `shrink_to_fit` (a smaller table)
/// and growth again, a snapshot round trip and a merge: every id is found
/// as itself, its handle keeps answering for it, and nothing is lost.
#[test]
fn many_ids_through_shrink_growth_restore_and_merge() {
    let mut l = Ledger::new(wide_catalog(&[]));
    let at = Timestamp::from(T0);
    let mut ids = Vec::new();
    let add = |l: &mut Ledger, ids: &mut Vec<String>, range: std::ops::Range<usize>| {
        for i in range {
            let id = sized_id(i, 1 + i % 256);
            assert!(id.len() <= 256 && !id.is_empty(), "{}", id.len());
            match i % 3 {
                0 => drop(l.give(Grant::new(&id, "p00", T0, ev(1))).expect("valid")),
                1 => drop(l.give(Grant::new(&id, "p66", T0, ev(2))).expect("valid")),
                _ => drop(l.register(&id, T0).expect("valid")),
            }
            ids.push(id);
        }
    };
    add(&mut l, &mut ids, 0..3_000);
    let before = answers(&l, &ids, at);
    assert_eq!(before.iter().filter(|b| **b).count(), 2_000);
    let handles: Vec<SubjectHandle> = ids
        .iter()
        .map(|s| l.subject_handle(s).expect("known"))
        .collect();
    let p00 = l.catalog().purpose_handle("p00").expect("declared");
    let contact = l.catalog().category_handle("contact").expect("declared");

    l.shrink_to_fit();
    assert_eq!(answers(&l, &ids, at), before);
    add(&mut l, &mut ids, 3_000..6_000);
    l.shrink_to_fit();
    add(&mut l, &mut ids, 6_000..6_100);
    assert_eq!(l.subject_count(), 6_100);
    let all = answers(&l, &ids, at);
    assert_eq!(all[..before.len()], before[..]);
    for (i, (id, h)) in ids.iter().zip(&handles).enumerate() {
        assert_eq!(l.subject_handle(id), Some(*h), "{i}");
        assert_eq!(
            l.is_permitted_by(*h, p00, contact, at),
            l.is_permitted(id, "p00", "contact", at)
        );
    }
    // Ids alike but for their last byte, or one byte longer, are others.
    for id in ids.iter().take(600) {
        let mut other = id.clone();
        if other.pop().is_some() && !ids.contains(&other) {
            assert_eq!(l.subject_handle(&other), None, "{other}");
        }
    }

    let json = l.snapshot().to_json().expect("writes");
    let restored =
        Ledger::restore(consentry::Snapshot::from_json(&json).expect("reads")).expect("restores");
    assert_eq!(answers(&restored, &ids, at), all);
    let mut merged = Ledger::new(wide_catalog(&[]));
    merged.register("already-here", T0).expect("valid");
    merged.merge(&l).expect("merges");
    assert_eq!(answers(&merged, &ids, at), all);
    assert_eq!(merged.subject_count(), 6_101);
    let mut ids_back: Vec<&str> = restored.subjects().collect();
    ids_back.sort_unstable();
    let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(ids_back, want);
}

/// Passing property check: a snapshot subject with nothing recorded is
/// not stored, but a second subject with its id is still refused, whether
/// the id is short, non-ASCII or 256 bytes long; one of 257 bytes is
/// refused with an error naming it.
#[test]
fn snapshot_bare_subjects_and_duplicates() {
    let mut l = Ledger::new(wide_catalog(&[]));
    l.give(Grant::new("ann", "p00", T0, ev(1))).expect("valid");
    let json = l.snapshot().to_json().expect("writes");
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let with = |subjects: Vec<serde_json::Value>| {
        let mut v = v.clone();
        v["subjects"] = serde_json::Value::Array(subjects);
        consentry::Snapshot::from_json(&v.to_string()).and_then(Ledger::restore)
    };
    let ann = v["subjects"][0].clone();
    let bare = |id: &str| serde_json::json!({ "id": id, "records": [] });
    let long = "é".repeat(128);
    for id in ["bo", "日本", long.as_str()] {
        let ok = with(vec![bare(id), ann.clone()]).expect("a bare subject is fine");
        assert_eq!(ok.subject_handle(id), None, "not stored");
        assert!(ok.is_permitted("ann", "p00", "contact", T0));
        let err = with(vec![bare(id), ann.clone(), bare(id)]).expect_err("duplicate");
        assert!(err.to_string().contains("appears twice"), "{err}");
        let mut named = ann.clone();
        named["id"] = serde_json::json!(id);
        assert!(
            with(vec![bare(id), named.clone()]).is_err(),
            "bare then stored"
        );
        assert!(with(vec![named, bare(id)]).is_err(), "stored then bare");
    }
    let too_long = "x".repeat(257);
    let err = with(vec![bare(&too_long)]).expect_err("too long");
    assert!(err.to_string().contains("256 bytes"), "{err}");
}

/// Passing property check: handles from a clone, from before a catalog
/// change, and of another catalog are denied inside a batch and by
/// `permitted_purposes_by`, without changing the answers of the lanes
/// around them.
#[test]
fn foreign_handles_in_batches() {
    let mut l = Ledger::new(wide_catalog(&[]));
    for (i, p) in ["p00", "p66", "p00"].iter().enumerate() {
        l.give(Grant::new(format!("s{i}"), *p, T0, ev(2)))
            .expect("valid");
    }
    let clone = l.clone();
    // Other names: other handles (a catalog with the same names in the
    // same order numbers them alike, and its handles are accepted).
    let other_catalog = Catalog::builder()
        .category("contact")
        .purpose(purpose(0, 1))
        .build()
        .expect("valid");
    let h = |l: &Ledger, s: &str, p: &str, c: &str| {
        (
            l.subject_handle(s).expect("known"),
            l.catalog().purpose_handle(p).expect("declared"),
            l.catalog().category_handle(c).expect("declared"),
        )
    };
    let old = h(&l, "s0", "p00", "contact");
    let mut checks = Vec::new();
    let mut want = Vec::new();
    for i in 0..100 {
        let own = h(&l, &format!("s{}", i % 3), ["p00", "p66"][i % 2], "contact");
        let own_ok = l.is_permitted_by(own.0, own.1, own.2, T0);
        checks.push(own);
        want.push(own_ok);
        let foreign = match i % 3 {
            0 => h(&clone, "s0", "p00", "contact"),
            1 => (
                own.0,
                other_catalog.purpose_handle("p00").expect("declared"),
                own.2,
            ),
            _ => (
                own.0,
                own.1,
                other_catalog.category_handle("contact").expect("declared"),
            ),
        };
        checks.push(foreign);
        want.push(false);
    }
    assert!(want.iter().any(|b| *b));
    let mut out = Vec::new();
    l.is_permitted_many_by(&checks, T0, &mut out);
    assert_eq!(out, want);
    let single: Vec<bool> = checks
        .iter()
        .map(|&(s, p, c)| l.is_permitted_by(s, p, c, T0))
        .collect();
    assert_eq!(single, want);
    // Same names, same order: the same numbering, accepted alike.
    let alike = wide_catalog(&[7]);
    let (s0, p00) = (checks[0].0, alike.purpose_handle("p00").expect("declared"));
    let c = alike.category_handle("contact").expect("declared");
    assert!(l.is_permitted_by(s0, p00, c, T0));
    l.is_permitted_many_by(&[(s0, p00, c)], T0, &mut out);
    assert_eq!(out, [true]);
    // After a catalog change the old handles are foreign.
    l.set_catalog(wide_catalog(&[9])).expect("valid");
    l.is_permitted_many_by(&[old; 40], T0, &mut out);
    assert_eq!(out, [false; 40]);
    assert!(l.is_permitted("s0", "p00", "contact", T0));
    assert_eq!(l.permitted_purposes_by(old.0, old.2, T0).count(), 0);
    let fresh = h(&l, "s0", "p00", "contact");
    l.is_permitted_many_by(&[fresh; 33], T0, &mut out);
    assert_eq!(out, [true; 33]);
    // Empty batches clear `out`.
    l.is_permitted_many_by(&[], T0, &mut out);
    assert!(out.is_empty());
    out.push(true);
    l.is_permitted_many(&[], T0, &mut out);
    assert!(out.is_empty());
}

/// Passing property check: checks at the stored range's ends and past
/// them, by `OffsetDateTime` and by raw nanoseconds, agree, and compare as
/// the exact instants would.
#[test]
fn instants_at_and_past_the_range_ends() {
    let mut l = Ledger::new(wide_catalog(&[]));
    l.give(Grant::new("first", "p00", FIRST, ev(1)))
        .expect("valid");
    l.give(Grant::new("last", "p00", LAST, ev(1)))
        .expect("valid");
    l.give(Grant::new("until-last", "p00", T0, ev(1)).expires_at(LAST))
        .expect("valid");
    let nanos = |t: OffsetDateTime| i64::try_from(t.unix_timestamp_nanos()).expect("in i64");
    let cases: [(Timestamp, [bool; 3]); 9] = [
        (Timestamp::from_unix_nanos(i64::MIN), [false, false, false]),
        (
            Timestamp::from_unix_seconds(i64::MIN),
            [false, false, false],
        ),
        (
            Timestamp::from_unix_nanos(nanos(FIRST) - 1),
            [false, false, false],
        ),
        (
            Timestamp::from_unix_nanos(nanos(FIRST)),
            [true, false, false],
        ),
        (
            Timestamp::from(LAST - Duration::nanoseconds(1)),
            [true, false, true],
        ),
        (Timestamp::from(LAST), [true, true, false]),
        (Timestamp::from_unix_nanos(i64::MAX), [true, true, false]),
        (Timestamp::from_unix_seconds(i64::MAX), [true, true, false]),
        (
            Timestamp::from(datetime!(9999-12-31 23:59 UTC)),
            [true, true, false],
        ),
    ];
    let mut out = Vec::new();
    for (at, want) in cases {
        let got = ["first", "last", "until-last"].map(|s| l.is_permitted(s, "p00", "contact", at));
        assert_eq!(got, want, "{at:?}");
        l.is_permitted_many(
            &[
                ("first", "p00", "contact"),
                ("last", "p00", "contact"),
                ("until-last", "p00", "contact"),
            ],
            at,
            &mut out,
        );
        assert_eq!(out, want);
        let count = want.iter().filter(|b| **b).count();
        assert_eq!(l.audience_count("p00", "contact", at), count);
        assert_eq!(l.audience("p00", "contact", at).count(), count);
        // The raw value round-trips through an OffsetDateTime.
        assert_eq!(Timestamp::from(at.to_offset_date_time()), at);
    }
}

/// Passing property check: with every category index in use (128, the
/// capacity) and purposes past the head's 60, grants of many distinct
/// category sets, some released again, audiences, batches and
/// `permitted_purposes` agree with the single checks for every category.
#[test]
fn every_category_index_and_far_purposes() {
    let names: Vec<String> = (0..consentry::CATEGORY_CAPACITY)
        .map(|i| format!("c{i:03}"))
        .collect();
    let mut b = Catalog::builder();
    for n in &names {
        b = b.category(n.as_str());
    }
    for i in 0..64 {
        let p = format!("p{i:02}");
        b = b.purpose(
            PurposeDef::new(p.clone(), LegalBasis::Consent)
                .title(p.clone())
                .description(p)
                .categories(names.iter().cloned()),
        );
    }
    let mut l = Ledger::new(b.build().expect("valid"));
    let purposes = ["p00", "p59", "p60", "p63"];
    for s in 0..200usize {
        let set: Vec<&str> = (0..3)
            .map(|k| names[(s * 37 + k * 11) % names.len()].as_str())
            .collect();
        let p = purposes[s % purposes.len()];
        l.give(Grant::new(format!("s{s}"), p, T0, ev(1)).categories(set))
            .expect("valid");
        if s % 7 == 0 {
            // A later answer releases the set the grant held.
            l.refuse(&format!("s{s}"), p, T0 + Duration::days(1), ev(1))
                .expect("valid");
        }
    }
    let at = Timestamp::from(T0 + Duration::days(2));
    let mut total = 0;
    let mut out = Vec::new();
    for c in &names {
        for p in purposes {
            let checked = l.subjects().filter(|s| l.is_permitted(s, p, c, at)).count();
            total += checked;
            assert_eq!(l.audience_count(p, c, at), checked, "{p} {c}");
            assert_eq!(l.audience(p, c, at).count(), checked, "{p} {c}");
        }
        let checks: Vec<(String, &str)> = (0..200)
            .map(|s| (format!("s{s}"), purposes[s % purposes.len()]))
            .collect();
        let refs: Vec<(&str, &str, &str)> = checks
            .iter()
            .map(|(s, p)| (s.as_str(), *p, c.as_str()))
            .collect();
        l.is_permitted_many(&refs, at, &mut out);
        let single: Vec<bool> = refs
            .iter()
            .map(|&(s, p, c)| l.is_permitted(s, p, c, at))
            .collect();
        assert_eq!(out, single, "{c}");
        for (s, p) in &checks {
            let got: Vec<&str> = l.permitted_purposes(s, c, at).map(|p| p.name()).collect();
            let want: Vec<&str> = if l.is_permitted(s, p, c, at) {
                vec![*p]
            } else {
                vec![]
            };
            assert_eq!(got, want, "{s} {c}");
        }
    }
    // 200 grants of 3 categories each, every 7th refused since.
    assert_eq!(total, (200 - 29) * 3);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Passing property check: random ids (non-ASCII, alike but for a
    /// character, up to the 256-byte cap) each resolve to their own
    /// subject and no other string resolves, before and after
    /// `shrink_to_fit`, in a clone and in a restored snapshot; batches by
    /// name answer as the single checks.
    #[test]
    fn random_ids_resolve_to_themselves(
        raw in prop::collection::vec(("[a-cé日 .-]{0,12}", 1..24usize), 1..120),
        probes in prop::collection::vec("[a-cé日 .-]{1,30}", 0..40),
    ) {
        let mut ids: Vec<String> = raw
            .iter()
            .map(|(s, n)| {
                let mut id = format!("{s}{n}");
                // Stretch some towards the cap, cut at a char boundary.
                if n % 5 == 0 {
                    id = id.repeat(40);
                }
                while id.len() > 256 {
                    id.pop();
                }
                id
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut l = Ledger::new(wide_catalog(&[]));
        for (i, id) in ids.iter().enumerate() {
            let p = if i % 2 == 0 { "p00" } else { "p66" };
            l.give(Grant::new(id, p, T0, ev(1))).expect("valid");
        }
        let check = |l: &Ledger| {
            let mut seen = std::collections::HashSet::new();
            for id in &ids {
                let h = l.subject_handle(id).expect("known");
                assert!(seen.insert(h), "two ids share a handle");
            }
            for p in &probes {
                assert_eq!(l.subject_handle(p).is_some(), ids.contains(p), "{p}");
            }
            let checks: Vec<(&str, &str, &str)> = ids
                .iter()
                .chain(&probes)
                .flat_map(|s| [(s.as_str(), "p00", "contact"), (s.as_str(), "p66", "contact")])
                .collect();
            let single: Vec<bool> = checks
                .iter()
                .map(|&(s, p, c)| l.is_permitted(s, p, c, T0))
                .collect();
            let mut out = Vec::new();
            l.is_permitted_many(&checks, T0, &mut out);
            assert_eq!(out, single);
            assert_eq!(single.iter().take(ids.len() * 2).filter(|b| **b).count(), ids.len());
        };
        check(&l);
        l.shrink_to_fit();
        check(&l);
        check(&l.clone());
        let json = l.snapshot().to_json().expect("writes");
        check(&Ledger::restore(consentry::Snapshot::from_json(&json).expect("reads")).expect("restores"));
    }
}

/// Passing property check: an erasure moves another subject's record in
/// the purpose's column (here "d" takes "a"'s place, and the audience
/// lists d, b, c), so the audience is a set, "in no particular order" as
/// `Ledger::audience` says; it stays exactly the subjects the checks
/// permit.
#[test]
fn audience_after_an_erasure_is_the_permitted_set() {
    let mut l = Ledger::new(wide_catalog(&[]));
    for s in ["a", "b", "c", "d"] {
        l.give(Grant::new(s, "p00", T0, ev(1))).expect("valid");
    }
    l.erase("a", T0 + Duration::days(1)).expect("valid");
    let at = T0 + Duration::days(2);
    let listed: Vec<&str> = l.audience("p00", "contact", at).collect();
    let mut sorted = listed.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["b", "c", "d"]);
    assert_eq!(l.audience_count("p00", "contact", at), 3);
    assert_eq!(l.audience("p00", "contact", at).count(), 3);
}
