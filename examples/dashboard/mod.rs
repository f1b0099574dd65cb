//! The privacy-dashboard scenario: the shop's catalog, one customer's
//! choices, and the receipt options the shop sets. Shared by the
//! `privacy_dashboard` example and the receipt tests (tests/receipts.rs), so
//! the receipts the tests validate are the ones the example prints (a module
//! of the examples, not of the library).

use consentry::{
    Catalog, CategoryDef, Choice, CollectionMethod, Evidence, Ledger, LegalBasis, PurposeDef,
    ReceiptOptions,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// The customer the scenario follows.
pub const SUBJECT: &str = "mia";

/// When she opens her dashboard.
pub const NOW: OffsetDateTime = datetime!(2026-06-01 09:00 UTC);

/// The shop's ledger after Mia's choices.
pub fn ledger() -> Result<Ledger, consentry::Error> {
    let catalog = Catalog::builder()
        .controller("Acme Shop Ltd")
        // Titles are what the customer reads; a category without one shows
        // one made from its name ("Purchases").
        .category(CategoryDef::new("contact").title("Contact details"))
        .category(CategoryDef::new("contact.email").title("E-mail address"))
        .category(CategoryDef::new("browsing").title("Pages you visit"))
        .category("purchases")
        .category(
            CategoryDef::new("health")
                .title("Allergies")
                .description("The allergies you tell us about.")
                .sensitive(),
        )
        .purpose(
            PurposeDef::new("newsletter", LegalBasis::Consent)
                .title("Newsletter")
                .description("A monthly e-mail about new products and offers.")
                .categories(["contact.email"])
                .notice_version(2)
                .max_validity_months(13)
                .direct_marketing(),
        )
        .purpose(
            PurposeDef::new("ads", LegalBasis::Consent)
                .title("Personalised advertising")
                .description("Sharing what you browse with our advertising partners.")
                .categories(["browsing"])
                .max_validity_months(13)
                .sale_or_sharing(),
        )
        .purpose(
            PurposeDef::new("analytics", LegalBasis::LegitimateInterest)
                .title("Site analytics")
                .description("Counting visits to improve the site. You can object.")
                .categories(["browsing"]),
        )
        .purpose(
            PurposeDef::new("allergy.tips", LegalBasis::ExplicitConsent)
                .title("Allergy tips")
                .description("Product advice based on the allergies you tell us about.")
                .categories(["health"])
                .max_validity(Duration::days(365)),
        )
        .purpose(
            PurposeDef::new("orders", LegalBasis::Contract)
                .title("Order fulfilment")
                .description("Delivering what you bought.")
                .categories(["contact", "purchases"]),
        )
        .build()?;
    let mut ledger = Ledger::new(catalog);

    // Mia signs up, accepts the newsletter on the banner, declines ads, and
    // later objects to analytics from her settings page.
    let signup = datetime!(2026-03-01 10:00 UTC);
    // One click on the banner answers both purposes, all or nothing; each
    // purpose's current notice version is filled in.
    let banner = Evidence::new(CollectionMethod::Banner)
        .with_channel("web")
        .with_proof("rcpt-7f3a")
        .with_jurisdiction("EU")
        .with_language("en");
    ledger.register("mia", signup)?;
    let choice = Choice::new("mia", signup, banner)
        .accept("newsletter")
        .refuse("ads");
    ledger.record_choice(choice)?;
    let settings = Evidence::new(CollectionMethod::SettingsPage).with_channel("web");
    ledger.object(
        "mia",
        "analytics",
        datetime!(2026-04-02 18:30 UTC),
        settings,
    )?;

    Ok(ledger)
}

/// What the shop states on every receipt that the ledger does not hold.
pub fn receipt_options() -> ReceiptOptions {
    ReceiptOptions::new()
        .policy_url("https://shop.example/privacy")
        .withdrawal_method("https://shop.example/account/privacy")
        .rights_url("https://shop.example/account/rights")
        .controller_id("https://shop.example/#controller")
        .controller_contact("Data Protection Officer")
        .controller_email("privacy@shop.example")
        .controller_phone("+44 20 7946 0000")
        .controller_address("1 Market Street, London EC1A 1AA", "GB")
        .controller_url("https://shop.example/")
        .third_party("Our advertising partners")
        .storage_location("EU")
        .retention_period("P13M")
}
