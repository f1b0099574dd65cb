//! Audiences agree with `is_permitted` on every subject, through the public
//! API: scenarios and a property test over random histories.

mod rights;

use consentry::{Grant, Ledger};
use proptest::prelude::*;
use rights::*;
use time::OffsetDateTime;

/// Asserts that the audience is exactly the subjects `is_permitted` allows
/// (in no particular order), and that the count agrees.
#[track_caller]
fn assert_agrees(l: &Ledger, purpose: &str, category: &str, at: OffsetDateTime) {
    let mut expected: Vec<&str> = l
        .subjects()
        .filter(|s| l.is_permitted(s, purpose, category, at))
        .collect();
    let mut audience: Vec<&str> = l.audience(purpose, category, at).collect();
    expected.sort_unstable();
    audience.sort_unstable();
    assert_eq!(audience, expected, "{purpose} {category} {at}");
    assert_eq!(
        l.audience_count(purpose, category, at),
        expected.len(),
        "{purpose} {category} {at}"
    );
}

fn assert_agrees_everywhere(l: &Ledger, times: &[OffsetDateTime]) {
    for p in PURPOSES.iter().copied().chain(["loyalty", ""]) {
        for c in CATEGORIES.iter().copied().chain(["fax", ""]) {
            for at in times {
                assert_agrees(l, p, c, *at);
            }
        }
    }
}

#[test]
fn a_newsletter_campaign() {
    let mut l = shop();
    l.give(Grant::new("ann", "newsletter", T0, banner(2)))
        .unwrap();
    l.give(Grant::new("bob", "newsletter", T0 + days(1), banner(2)))
        .unwrap();
    l.refuse("cy", "newsletter", T0, banner(2)).unwrap();
    l.give(Grant::new("dee", "newsletter", T0, banner(2)).expires_at(T0 + days(10)))
        .unwrap();
    l.give(Grant::new("eve", "newsletter", T0, banner(2)))
        .unwrap();
    l.object("eve", "newsletter", T0 + days(2), settings())
        .unwrap();
    l.register("fay", T0).unwrap();

    let at = T0 + days(20);
    let audience: Vec<&str> = l.audience("newsletter", "contact.email", at).collect();
    assert_eq!(audience, ["ann", "bob"]);
    assert_eq!(l.audience_count("newsletter", "contact.email", at), 2);
    // Before bob's grant: ann and dee (still valid); eve's later objection
    // denies at every instant.
    let early: Vec<&str> = l.audience("newsletter", "contact.email", T0).collect();
    assert_eq!(early, ["ann", "dee"]);
    // A category the purpose does not declare, an unknown purpose or category.
    assert_eq!(l.audience_count("newsletter", "contact.address", at), 0);
    assert_eq!(l.audience_count("loyalty", "contact.email", at), 0);
    assert_eq!(l.audience_count("newsletter", "fax", at), 0);
    // Contract purposes reach every known subject.
    assert_eq!(l.audience_count("orders", "contact", at), 6);
    // Sale under an opt-out regime: everyone who did not opt out.
    l.set_global_opt_out("bob", at, gpc()).unwrap();
    let sale: Vec<&str> = l.audience("data.sale", "contact.email", at).collect();
    assert_eq!(sale, ["ann", "cy", "dee", "eve", "fay"]);
    // Erased subjects are gone.
    l.erase("ann", at).unwrap();
    assert_eq!(l.audience_count("orders", "contact", at), 5);
    assert_agrees_everywhere(&l, &[T0, at, at + days(400)]);
}

// ---------------------------------------------------------------------------
// Property: random histories.
// ---------------------------------------------------------------------------

const NAMES: [&str; 6] = ["ann", "bob", "cy", "dee", "eve", "fay"];

fn op() -> impl Strategy<Value = Op> {
    rights::op(NAMES.len(), 400, 300)
}

fn run(ops: &[Op]) -> Ledger {
    run_ops(&NAMES, ops).0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("CONSENTRY_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
    ))]

    #[test]
    fn audience_agrees_with_is_permitted(
        ops in proptest::collection::vec(op(), 0..60),
        times in proptest::collection::vec(-10i64..800, 1..4),
    ) {
        let l = run(&ops);
        let times: Vec<OffsetDateTime> = times.into_iter().map(|d| T0 + days(d)).collect();
        assert_agrees_everywhere(&l, &times);
    }
}
