//! Shared fixtures for the transparency and subject-rights tests (reports,
//! receipts, re-prompting, audiences, audits): a small shop catalog with one
//! purpose per legal basis, evidence and instants.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use consentry::{Catalog, CategoryDef, CollectionMethod, Evidence, Ledger, LegalBasis, PurposeDef};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// The day the banner went live.
pub const T0: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);

pub fn days(n: i64) -> Duration {
    Duration::days(n)
}

pub fn ns(n: i64) -> Duration {
    Duration::nanoseconds(n)
}

/// Every category, in declaration order.
pub const CATEGORIES: [&str; 8] = [
    "contact",
    "contact.email",
    "contact.address",
    "browsing",
    "purchases",
    "location",
    "location.precise", // sensitive, under a non-sensitive parent
    "health",           // sensitive
];

/// Every purpose, in declaration order.
pub const PURPOSES: [&str; 10] = [
    "newsletter",
    "ads",
    "data.sale",
    "analytics",
    "fraud",
    "orders",
    "health.research",
    "tax",
    "recalls",
    "census",
];

/// The shop's purpose `name`, with the newsletter's notice at `notice`
/// (minimum `min`).
pub fn purpose(name: &str, notice: u32, min: u32) -> PurposeDef {
    let def = |basis, title: &str, description: &str| {
        PurposeDef::new(name, basis)
            .title(title)
            .description(description)
    };
    match name {
        "newsletter" => def(
            LegalBasis::Consent,
            "Newsletter",
            "A monthly e-mail about offers.",
        )
        .categories(["contact.email"])
        .notice_version(notice)
        .min_notice_version(min)
        .max_validity(days(395))
        .direct_marketing(),
        "ads" => def(
            LegalBasis::Consent,
            "Targeted advertising",
            "Sharing what you browse and buy with advertising partners.",
        )
        .categories(["browsing", "purchases"])
        .max_validity(days(395))
        .sale_or_sharing(),
        "data.sale" => def(
            LegalBasis::LegitimateInterest,
            "Sale of customer lists",
            "Selling contact lists to partner brands (you may opt out).",
        )
        .categories(["contact.email", "purchases"])
        .sale_or_sharing(),
        "analytics" => def(
            LegalBasis::LegitimateInterest,
            "Site analytics",
            "Counting visits to improve the site.",
        )
        .categories(["browsing"]),
        "fraud" => def(
            LegalBasis::LegitimateInterest,
            "Fraud prevention",
            "Spotting stolen cards.",
        )
        .categories(["purchases", "location"]),
        "orders" => def(
            LegalBasis::Contract,
            "Orders",
            "Delivering what you bought.",
        )
        .categories(["contact", "purchases"]),
        "health.research" => def(
            LegalBasis::ExplicitConsent,
            "Health research",
            "Studies on allergies with our university partner.",
        )
        .categories(["health"])
        .max_validity(days(730)),
        "tax" => def(
            LegalBasis::LegalObligation,
            "Tax records",
            "Keeping invoices for the tax authority.",
        )
        .categories(["purchases"]),
        "recalls" => def(
            LegalBasis::VitalInterests,
            "Product recalls",
            "Reaching you about a dangerous product.",
        )
        .categories(["contact"]),
        "census" => def(
            LegalBasis::PublicTask,
            "Official statistics",
            "Answering the statistics office's survey.",
        )
        .categories(["purchases"]),
        other => panic!("no purpose `{other}`"),
    }
}

/// Category `name` of the shop: most with a title, `location` and
/// `location.precise` without (reports make one from the name), `health`
/// with a description too.
pub fn category(name: &str) -> CategoryDef {
    let def = CategoryDef::new(name);
    match name {
        "contact" => def.title("Contact details"),
        "contact.email" => def.title("E-mail address"),
        "contact.address" => def.title("Postal address"),
        "browsing" => def.title("Pages you visit"),
        "purchases" => def.title("Purchase history"),
        "location" => def,
        "location.precise" => def.sensitive(),
        "health" => def
            .title("Health information")
            .description("Allergies and conditions you tell us about.")
            .sensitive(),
        other => panic!("no category `{other}`"),
    }
}

/// The shop catalog with the newsletter at notice `notice`, minimum `min`.
pub fn catalog_with(notice: u32, min: u32) -> Catalog {
    let mut b = Catalog::builder().controller("Acme Shop Ltd");
    for c in CATEGORIES {
        b = b.category(category(c));
    }
    for p in PURPOSES {
        b = b.purpose(purpose(p, notice, min));
    }
    b.build().expect("the shop catalog is valid")
}

/// The shop catalog: newsletter notice version 2, version 1 still accepted.
pub fn catalog() -> Catalog {
    catalog_with(2, 1)
}

pub fn shop() -> Ledger {
    Ledger::new(catalog())
}

/// Evidence from the web banner, notice `version`.
pub fn banner(version: u32) -> Evidence {
    Evidence::new(CollectionMethod::Banner)
        .with_notice_version(version)
        .with_channel("web")
        .with_proof("rcpt-0001")
        .with_jurisdiction("EU")
        .with_language("en")
}

/// Evidence from the settings page (no notice version).
pub fn settings() -> Evidence {
    Evidence::new(CollectionMethod::SettingsPage).with_channel("web")
}

/// A Global Privacy Control header.
pub fn gpc() -> Evidence {
    Evidence::new(CollectionMethod::BrowserSignal).with_channel("Sec-GPC: 1")
}

/// Every permission of `ledger` for these subjects (and one unknown), every
/// purpose and category (declared or not) at `at`.
pub fn permissions(ledger: &Ledger, subjects: &[String], at: OffsetDateTime) -> Vec<bool> {
    let mut out = Vec::new();
    for s in subjects.iter().map(String::as_str).chain(["nobody"]) {
        for p in PURPOSES.iter().copied().chain(["loyalty"]) {
            for c in CATEGORIES.iter().copied().chain(["fax"]) {
                out.push(ledger.is_permitted(s, p, c, at));
            }
        }
    }
    out
}

/// One random change, for the property tests: subject and purpose by index,
/// times in days after [`T0`].
#[derive(Debug, Clone)]
pub enum Op {
    Give(usize, usize, i64, Option<i64>),
    Refuse(usize, usize, i64),
    Withdraw(usize, usize, i64),
    WithdrawAll(usize, i64),
    Object(usize, usize, i64),
    OptOut(usize, i64),
    ClearOptOut(usize, i64),
    Register(usize, i64),
    Erase(usize, i64),
}

/// Random changes for the first `subjects` of `names`, on days `0..days`,
/// grants lasting `1..validity` days when they name an expiry.
pub fn op(
    subjects: usize,
    days: i64,
    validity: i64,
) -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    let s = 0..subjects;
    let p = 0..PURPOSES.len();
    let t = 0i64..days;
    prop_oneof![
        4 => (s.clone(), p.clone(), t.clone(), proptest::option::of(1i64..validity))
            .prop_map(|(s, p, t, v)| Op::Give(s, p, t, v)),
        2 => (s.clone(), p.clone(), t.clone()).prop_map(|(s, p, t)| Op::Refuse(s, p, t)),
        2 => (s.clone(), p.clone(), t.clone()).prop_map(|(s, p, t)| Op::Withdraw(s, p, t)),
        1 => (s.clone(), t.clone()).prop_map(|(s, t)| Op::WithdrawAll(s, t)),
        1 => (s.clone(), p, t.clone()).prop_map(|(s, p, t)| Op::Object(s, p, t)),
        1 => (s.clone(), t.clone()).prop_map(|(s, t)| Op::OptOut(s, t)),
        1 => (s.clone(), t.clone()).prop_map(|(s, t)| Op::ClearOptOut(s, t)),
        1 => (s.clone(), t.clone()).prop_map(|(s, t)| Op::Register(s, t)),
        1 => (s, t).prop_map(|(s, t)| Op::Erase(s, t)),
    ]
}

/// Runs `ops` on the shop ledger with subjects named by `names`; returns the
/// ledger and the events of the changes that succeeded (the host's log).
/// Invalid changes (an objection the basis does not allow...) are errors
/// that change nothing; they are skipped.
pub fn run_ops(names: &[&str], ops: &[Op]) -> (Ledger, Vec<consentry::Event>) {
    use consentry::Grant;
    let mut l = shop();
    let mut log = Vec::new();
    let at = |d: i64| T0 + days(d);
    let name = |s: usize| names.get(s).copied().unwrap_or("nobody");
    for op in ops {
        let result = match *op {
            Op::Give(s, p, t, v) => {
                let mut g = Grant::new(name(s), PURPOSES[p], at(t), banner(1));
                if let Some(v) = v {
                    g = g.expires_at(at(t + v));
                }
                l.give(g)
            }
            Op::Refuse(s, p, t) => l.refuse(name(s), PURPOSES[p], at(t), banner(1)),
            Op::Withdraw(s, p, t) => l.withdraw(name(s), PURPOSES[p], at(t), settings()),
            Op::WithdrawAll(s, t) => l.withdraw_all(name(s), at(t), settings()),
            Op::Object(s, p, t) => l.object(name(s), PURPOSES[p], at(t), settings()),
            Op::OptOut(s, t) => l.set_global_opt_out(name(s), at(t), gpc()),
            Op::ClearOptOut(s, t) => l.clear_global_opt_out(name(s), at(t), gpc()),
            Op::Register(s, t) => l.register(name(s), at(t)),
            Op::Erase(s, t) => l.erase(name(s), at(t)),
        };
        if let Ok(e) = result {
            log.push(e.into_event());
        }
    }
    (l, log)
}
