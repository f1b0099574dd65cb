//! A privacy dashboard: what a customer sees on their "My privacy" page, the
//! consent receipt the shop hands them (as text, as an ISO/IEC TS 27560
//! record in the W3C DPV profile, and as a Kantara Consent Receipt), and the
//! portability export behind the "Download my data" button.
//!
//! Self-contained: no files, no network. Run with
//! `cargo run --example privacy_dashboard`.

use consentry::{
    Catalog, CategoryDef, Choice, CollectionMethod, Evidence, Ledger, LegalBasis, PurposeDef,
    ReceiptOptions,
};
use time::Duration;
use time::macros::datetime;

fn main() -> Result<(), consentry::Error> {
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

    let now = datetime!(2026-06-01 09:00 UTC);

    println!("=== My privacy (text) ===\n");
    println!("{}", ledger.subject_report("mia", now));

    println!("=== Consent receipt (text) ===\n");
    let options = ReceiptOptions::new()
        .policy_url("https://shop.example/privacy")
        .withdrawal_method("https://shop.example/account/privacy, or the link in every e-mail")
        .controller_contact("privacy@shop.example");
    let Some(receipt) = ledger.receipt("mia", "newsletter", now, &options) else {
        unreachable!("mia answered the newsletter");
    };
    println!("{receipt}");

    println!("=== Consent receipt: ISO/IEC TS 27560 (DPV) ===\n");
    println!("{}\n", receipt.to_iso27560_json()?);

    println!("=== Consent receipt: Kantara v1.1 ===\n");
    println!("{}\n", receipt.to_kantara_json()?);

    println!("=== Download my data ===\n");
    if let Some(export) = ledger.export_subject("mia", now) {
        println!("{}", export.to_json()?);
    }
    Ok(())
}
