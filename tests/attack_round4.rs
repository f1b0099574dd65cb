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
        let _ = l.record(change(&ids, op));
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
                let checked = l.subjects().filter(|s| l.is_permitted(s, &p, c, at)).count();
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
    prop::collection::vec((any::<u8>(), 0..12usize, 0..12usize, any::<u8>(), any::<u8>()), 0..40)
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
