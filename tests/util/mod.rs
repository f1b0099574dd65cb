//! Shared helpers for the integration tests: a realistic catalog (an online
//! shop with a pharmacy counter), evidence and instants.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use consentry::{
    Catalog, CatalogBuilder, CollectionMethod, Decision, Evidence, Ledger, LegalBasis, PurposeDef,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

// ---------------------------------------------------------------------------
// Instants
// ---------------------------------------------------------------------------

/// The day the shop's consent banner went live.
pub const T0: OffsetDateTime = datetime!(2026-03-01 10:00 UTC);
/// A week later.
pub const T1: OffsetDateTime = datetime!(2026-03-08 10:00 UTC);
/// A month later.
pub const T2: OffsetDateTime = datetime!(2026-04-01 10:00 UTC);
/// Three months later.
pub const T3: OffsetDateTime = datetime!(2026-06-01 10:00 UTC);
/// Half a year later.
pub const T4: OffsetDateTime = datetime!(2026-09-01 10:00 UTC);

/// The instants the round-trip and order tests check at.
pub const CHECK_TIMES: [OffsetDateTime; 9] = [
    datetime!(1600-01-01 0:00 UTC),
    datetime!(2026-02-01 0:00 UTC),
    T0,
    datetime!(2026-03-05 0:00 UTC),
    T1,
    T2,
    T3,
    datetime!(2027-06-01 0:00 UTC),
    datetime!(2300-01-01 0:00 UTC),
];

pub fn ns(n: i64) -> Duration {
    Duration::nanoseconds(n)
}

pub fn days(n: i64) -> Duration {
    Duration::days(n)
}

// ---------------------------------------------------------------------------
// Evidence
// ---------------------------------------------------------------------------

/// Evidence from the web banner, showing notice `version`.
pub fn banner(version: u32) -> Evidence {
    Evidence::new(CollectionMethod::Banner)
        .with_notice_version(version)
        .with_channel("web")
        .with_proof("rcpt-0001")
        .with_jurisdiction("EU")
        .with_language("en")
}

/// Evidence from the account settings page, with no notice version (enough
/// for withdrawals, objections and marks).
pub fn settings() -> Evidence {
    Evidence::new(CollectionMethod::SettingsPage).with_channel("web")
}

/// A Global Privacy Control header.
pub fn gpc() -> Evidence {
    Evidence::new(CollectionMethod::BrowserSignal).with_channel("Sec-GPC: 1")
}

// ---------------------------------------------------------------------------
// The catalog
// ---------------------------------------------------------------------------

/// Every category of the shop catalog, in declaration order.
pub const CATEGORIES: [&str; 14] = [
    "contact",
    "contact.email",
    "contact.address",
    "contact.phone",
    "browsing",
    "device",
    "purchases",
    "location",
    "location.city",
    "location.precise", // sensitive, under a non-sensitive parent
    "health",           // sensitive
    "health.allergies", // sensitive by inheritance
    "health.prescriptions",
    "identity",
];

/// Every purpose of the shop catalog, in declaration order.
pub const PURPOSES: [&str; 17] = [
    "newsletter",
    "marketing",
    "marketing.email",
    "marketing.post",
    "personalisation",
    "health.research",
    "analytics",
    "fraud",
    "orders",
    "orders.offers",
    "prescriptions",
    "tax.records",
    "emergency",
    "census",
    "ads.targeting",
    "data.sale",
    "profile",
];

/// The shop's declaration of purpose `name` (see [`PURPOSES`]), with the
/// newsletter's notice at `newsletter_notice` and its minimum at
/// `newsletter_min`.
pub fn purpose_def(name: &str, newsletter_notice: u32, newsletter_min: u32) -> PurposeDef {
    let def = |basis, title: &str, description: &str| {
        PurposeDef::new(name, basis)
            .title(title)
            .description(description)
    };
    match name {
        // Consent, direct marketing, a maximum validity and a notice history.
        "newsletter" => def(
            LegalBasis::Consent,
            "Newsletter",
            "A monthly e-mail about new products and offers.",
        )
        .categories(["contact.email"])
        .notice_version(newsletter_notice)
        .min_notice_version(newsletter_min)
        .max_validity(days(395))
        .direct_marketing(),
        // Consent with no expiry, over a parent category.
        "marketing" => def(
            LegalBasis::Consent,
            "Marketing",
            "Offers by any contact channel.",
        )
        .categories(["contact"]),
        // A dotted name that is *not* covered by consent to `marketing`.
        "marketing.email" => def(
            LegalBasis::Consent,
            "E-mail marketing",
            "Offers by e-mail only.",
        )
        .categories(["contact.email"]),
        // Direct marketing on legitimate interest (soft opt-in by post).
        "marketing.post" => def(
            LegalBasis::LegitimateInterest,
            "Postal offers",
            "A printed catalogue twice a year.",
        )
        .categories(["contact.address", "purchases"])
        .direct_marketing(),
        // Consent with a default and a maximum validity.
        "personalisation" => def(
            LegalBasis::Consent,
            "Personalised shop",
            "Recommendations from what you browse and where you are.",
        )
        .categories(["browsing", "location"])
        .default_validity(days(180))
        .max_validity(days(365)),
        // Explicit consent to sensitive data.
        "health.research" => def(
            LegalBasis::ExplicitConsent,
            "Health research",
            "Anonymised studies on allergies with our university partner.",
        )
        .categories(["health"])
        .max_validity(days(730)),
        "analytics" => def(
            LegalBasis::LegitimateInterest,
            "Site analytics",
            "Counting visits to improve the site.",
        )
        .categories(["browsing", "device"]),
        // Legitimate interest over a parent with a sensitive descendant.
        "fraud" => def(
            LegalBasis::LegitimateInterest,
            "Fraud prevention",
            "Spotting stolen cards and fake accounts.",
        )
        .categories(["purchases", "device", "location"]),
        "orders" => def(
            LegalBasis::Contract,
            "Order fulfilment",
            "Delivering what you bought.",
        )
        .categories(["contact", "purchases"]),
        // Direct marketing on a contract basis: open to an absolute objection.
        "orders.offers" => def(
            LegalBasis::Contract,
            "Offers for customers",
            "Offers on products like the ones you bought, included in your membership.",
        )
        .categories(["contact.email", "purchases"])
        .direct_marketing(),
        // Contract over sensitive data: a `give` is the explicit consent.
        "prescriptions" => def(
            LegalBasis::Contract,
            "Pharmacy orders",
            "Dispensing and delivering prescribed medicines.",
        )
        .categories(["contact.address", "health"]),
        "tax.records" => def(
            LegalBasis::LegalObligation,
            "Tax records",
            "Keeping invoices for the tax authority.",
        )
        .categories(["purchases", "contact.address", "identity"]),
        "emergency" => def(
            LegalBasis::VitalInterests,
            "Product recalls",
            "Reaching you about a dangerous product you bought.",
        )
        .categories(["contact.phone", "location.city"]),
        "census" => def(
            LegalBasis::PublicTask,
            "Official statistics",
            "Answering the national statistics office's retail survey.",
        )
        .categories(["purchases", "location.city"]),
        // Consent-based sale / sharing / targeted advertising.
        "ads.targeting" => def(
            LegalBasis::Consent,
            "Targeted advertising",
            "Sharing what you browse and buy with advertising partners.",
        )
        .categories(["browsing", "purchases"])
        .max_validity(days(395))
        .sale_or_sharing(),
        // Sale under an opt-out regime (CCPA): legitimate interest.
        "data.sale" => def(
            LegalBasis::LegitimateInterest,
            "Sale of customer lists",
            "Selling contact lists to partner brands.",
        )
        .categories(["contact.email", "purchases"])
        .sale_or_sharing(),
        // Explicit consent over a mix of sensitive and ordinary categories.
        "profile" => def(
            LegalBasis::ExplicitConsent,
            "Health profile",
            "Tailoring the shop to your allergies.",
        )
        .categories(["health", "purchases"]),
        other => panic!("no purpose `{other}` in the shop catalog"),
    }
}

/// The shop's categories, declared in a builder.
pub fn shop_categories() -> CatalogBuilder {
    let mut b = Catalog::builder().controller("Acme Shop Ltd");
    for c in CATEGORIES {
        b = match c {
            "location.precise" | "health" => b.sensitive_category(c),
            _ => b.category(c),
        };
    }
    b
}

/// The shop catalog with the newsletter notice at version `notice` (minimum
/// `min`) and without the purposes in `skip`.
pub fn shop_catalog_with(notice: u32, min: u32, skip: &[&str]) -> Catalog {
    let mut b = shop_categories();
    for p in PURPOSES.iter().filter(|p| !skip.contains(p)) {
        b = b.purpose(purpose_def(p, notice, min));
    }
    b.build().expect("the shop catalog is valid")
}

/// The shop catalog: newsletter notice version 3, version 2 still accepted.
pub fn shop_catalog() -> Catalog {
    shop_catalog_with(3, 2, &[])
}

/// An empty ledger over the shop catalog.
pub fn shop() -> Ledger {
    Ledger::new(shop_catalog())
}

// ---------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------

/// Asserts the decision, and that `is_permitted` and the handle-based `check`
/// agree with it.
#[track_caller]
pub fn assert_decision(
    ledger: &Ledger,
    subject: &str,
    purpose: &str,
    category: &str,
    at: OffsetDateTime,
    expected: Decision,
) {
    let decision = ledger.decide(subject, purpose, category, at);
    assert_eq!(
        decision, expected,
        "decide({subject:?}, {purpose:?}, {category:?}, {at}) = {decision}"
    );
    assert_consistent(ledger, subject, purpose, category, at);
}

/// Asserts that `is_permitted` and `check` (when every name resolves) agree
/// with `decide`.
#[track_caller]
pub fn assert_consistent(
    ledger: &Ledger,
    subject: &str,
    purpose: &str,
    category: &str,
    at: OffsetDateTime,
) {
    let decision = ledger.decide(subject, purpose, category, at);
    assert_eq!(
        ledger.is_permitted(subject, purpose, category, at),
        decision.is_permitted(),
        "is_permitted({subject:?}, {purpose:?}, {category:?}, {at}) vs {decision}"
    );
    if let (Some(s), Some(p), Some(c)) = (
        ledger.subject_handle(subject),
        ledger.catalog().purpose_handle(purpose),
        ledger.catalog().category_handle(category),
    ) {
        assert_eq!(
            ledger.check(s, p, c, at),
            decision,
            "check({subject:?}, {purpose:?}, {category:?}, {at})"
        );
        assert_eq!(
            ledger.is_permitted_by(s, p, c, at),
            decision.is_permitted(),
            "is_permitted_by({subject:?}, {purpose:?}, {category:?}, {at}) vs {decision}"
        );
    }
}

/// Every decision of `ledger` for these subjects, every purpose and category
/// (declared or not) and every instant of [`CHECK_TIMES`].
pub fn all_decisions(ledger: &Ledger, subjects: &[&str]) -> Vec<(String, Decision)> {
    let mut out = Vec::new();
    let purposes = PURPOSES.iter().copied().chain(["loyalty", ""]);
    for p in purposes {
        for c in CATEGORIES.iter().copied().chain(["contact.fax", ""]) {
            for s in subjects.iter().copied().chain(["nobody"]) {
                for at in CHECK_TIMES {
                    let d = ledger.decide(s, p, c, at);
                    out.push((format!("{s} {p} {c} {at}"), d));
                }
            }
        }
    }
    out
}

/// Every status of `ledger` for these subjects, every purpose (declared or
/// not) and every instant of [`CHECK_TIMES`].
pub fn all_statuses(ledger: &Ledger, subjects: &[&str]) -> Vec<(String, consentry::ConsentStatus)> {
    let mut out = Vec::new();
    for p in PURPOSES.iter().copied().chain(["loyalty"]) {
        for s in subjects.iter().copied().chain(["nobody"]) {
            for at in CHECK_TIMES {
                out.push((format!("{s} {p} {at}"), ledger.status(s, p, at)));
            }
        }
    }
    out
}
