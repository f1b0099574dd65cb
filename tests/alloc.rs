//! The hot paths allocate nothing: checks by name and by handle, and the
//! explained decision, and the evaluation of regimes. Counted with a global allocator (one test in this
//! binary, so no other test allocates meanwhile).

use std::alloc::System;

use consentry::regime::{PurposeKind, Regime, RegimeTable, Signal};
use consentry::{
    Catalog, CollectionMethod, Decision, Evidence, Grant, Ledger, LegalBasis, PurposeDef, Timestamp,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use time::macros::datetime;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn checks_do_not_allocate() {
    let p = |n: &str, b| {
        PurposeDef::new(n, b)
            .title(n)
            .description(n)
            .categories(["contact"])
    };
    let catalog = Catalog::builder()
        .category("contact")
        .category("contact.email")
        .purpose(p("news", LegalBasis::Consent).sale_or_sharing())
        .purpose(p("orders", LegalBasis::Contract))
        .build()
        .unwrap();
    let mut l = Ledger::new(catalog);
    let t0 = datetime!(2026-01-01 0:00 UTC);
    let ev = Evidence::new(CollectionMethod::Banner)
        .with_notice_version(1)
        .with_channel("web")
        .with_proof("rcpt-1");
    for i in 0..1000 {
        let s = format!("user-{i:04}");
        l.give(Grant::new(&s, "news", t0, ev.clone()).categories(["contact.email"]))
            .unwrap();
        if i % 3 == 0 {
            l.withdraw_all(&s, t0, ev.clone()).unwrap();
        }
        if i % 5 == 0 {
            l.set_global_opt_out(&s, t0, ev.clone()).unwrap();
        }
    }
    let at = datetime!(2026-02-01 0:00 UTC);
    let names: Vec<String> = (0..1100).map(|i| format!("user-{i:04}")).collect();
    let handles: Vec<_> = names.iter().filter_map(|s| l.subject_handle(s)).collect();
    let (news, contact, email) = (
        l.catalog().purpose_handle("news").unwrap(),
        l.catalog().category_handle("contact").unwrap(),
        l.catalog().category_handle("contact.email").unwrap(),
    );

    let mut batch: Vec<(&str, &str, &str)> = Vec::new();
    for s in &names {
        batch.push((s.as_str(), "news", "contact.email"));
        batch.push((s.as_str(), "orders", "contact"));
    }
    let by: Vec<_> = handles
        .iter()
        .flat_map(|h| [(*h, news, email), (*h, news, contact)])
        .collect();
    let mut out: Vec<bool> = Vec::with_capacity(batch.len());

    let region = Region::new(GLOBAL);
    let mut permitted = 0;
    let mut granted = 0;
    for s in &names {
        for (purpose, category) in [
            ("news", "contact.email"),
            ("news", "contact"),
            ("orders", "contact"),
            ("x", "contact"),
        ] {
            permitted += usize::from(l.is_permitted(s, purpose, category, at));
            // The explained decision too, including the record id it hashes.
            if let Decision::Granted { .. } = l.decide(s, purpose, category, at) {
                granted += 1;
            }
        }
    }
    for h in &handles {
        for c in [contact, email] {
            permitted += usize::from(l.is_permitted_by(*h, news, c, at));
            let _ = l.check(*h, news, c, at);
        }
    }
    // With a Timestamp converted once, the batches (whose output has its
    // room already) and the all-purposes lookups.
    let stamp = Timestamp::from(at);
    for s in &names {
        permitted += usize::from(l.is_permitted(s, "news", "contact", stamp));
        permitted += l.permitted_purposes(s, "contact", stamp).count();
    }
    for h in &handles {
        permitted += l.permitted_purposes_by(*h, email, stamp).count();
    }
    l.is_permitted_many(&batch, stamp, &mut out);
    let batch_permitted = out.iter().filter(|a| **a).count();
    l.is_permitted_many_by(&by, at, &mut out);
    let by_permitted = out.iter().filter(|a| **a).count();
    let stats = region.change();
    assert_eq!(stats.allocations, 0, "checks allocated: {stats:?}");
    assert_eq!(stats.reallocations, 0, "checks reallocated: {stats:?}");
    // 1000 subjects; a third withdrew all, a fifth opted out: the rest is
    // permitted for news/contact.email, and every subject for orders.
    assert!(granted > 500 && permitted > 1500, "{granted} {permitted}");
    // 1000 known of 1100 names: news/contact.email as above, orders for all.
    assert!(batch_permitted > 1000 + 500, "{batch_permitted}");
    assert!(by_permitted > 500, "{by_permitted}");

    // The counter does see allocations: a change allocates.
    let region = Region::new(GLOBAL);
    l.give(Grant::new("user-new", "news", at, ev)).unwrap();
    assert!(region.change().allocations > 0);

    // Regimes: evaluating, banding, resolving and reading a resolved table
    // allocate nothing either.
    let regimes = [
        Regime::california(),
        Regime::connecticut(),
        Regime::gdpr("FR").unwrap(),
    ];
    let day = time::macros::date!(2026 - 01 - 01);
    let mut silent = 0;
    let table = RegimeTable::new(regimes.to_vec()).unwrap();
    let keys: Vec<_> = ["US-CA", "US-CT", "FR"]
        .iter()
        .filter_map(|c| table.position(c))
        .flat_map(|id| [Some(9), Some(15), None].map(|age| table.key(id, age, Signal::Present)))
        .collect();
    let region = Region::new(GLOBAL);
    for key in &keys {
        let set = table.rules(*key, day);
        silent += usize::from(set.get(PurposeKind::Other).permits_silence());
    }
    for r in &regimes {
        for age in (0..=20).map(Some).chain([None]) {
            for signal in [Signal::Absent, Signal::Present] {
                let band = r.age_band(age);
                let set = r.resolve(band, signal);
                for kind in PurposeKind::ALL {
                    silent += usize::from(r.rule(kind, age, signal).permits_silence());
                    silent += usize::from(r.rule_on(kind, age, signal, day).permits_silence());
                    silent += usize::from(set.get(kind).permits_silence());
                }
            }
        }
    }
    let stats = region.change();
    assert_eq!(stats.allocations, 0, "regimes allocated: {stats:?}");
    assert!(silent > 0);
}
