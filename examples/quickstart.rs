//! A small online shop's consent model: declare the catalog, record what two
//! customers said, print decisions with their reasons, and save and restore a
//! snapshot.
//!
//! Run with `cargo run --example quickstart`.

use consentry::{
    Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef, Snapshot,
};
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

fn main() -> Result<(), consentry::Error> {
    let catalog = Catalog::builder()
        .controller("Acme Shop Ltd, 1 High Street, London")
        .category("contact")
        .category("contact.email")
        .category("contact.address")
        .category("browsing")
        .category("device")
        .category("purchases")
        .purpose(
            PurposeDef::new("marketing.newsletter", LegalBasis::Consent)
                .title("Newsletter")
                .description("A monthly e-mail about new products and offers.")
                .categories(["contact.email", "purchases"])
                .notice_version(2)
                .min_notice_version(2)
                .max_validity_months(13)
                .direct_marketing(),
        )
        .purpose(
            PurposeDef::new("ads.targeting", LegalBasis::Consent)
                .title("Personalised advertising")
                .description("Showing you ads on other sites based on what you browse here.")
                .categories(["browsing", "device"])
                .notice_version(2)
                .default_validity_months(6)
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
            PurposeDef::new("orders", LegalBasis::Contract)
                .title("Order fulfilment")
                .description("Delivering what you bought and sending the receipt.")
                .categories(["contact", "purchases"]),
        )
        .build()?;
    let mut ledger = Ledger::new(catalog);
    let mut log: Vec<String> = Vec::new(); // stands in for the host's storage

    // Alice accepts everything on the banner, then opts out of ad targeting
    // with her browser's Global Privacy Control signal.
    let t0 = datetime!(2026-03-01 10:00 UTC);
    let banner = |proof: &str| {
        Evidence::new(CollectionMethod::Banner)
            .notice_version(2)
            .channel("web")
            .proof(proof)
            .jurisdiction("EU")
            .language("en")
    };
    log.push(ledger.register("alice", t0)?.to_json()?);
    log.push(
        ledger
            .give(Grant::new(
                "alice",
                "marketing.newsletter",
                t0,
                banner("rcpt-a1"),
            ))?
            .to_json()?,
    );
    log.push(
        ledger
            .give(Grant::new("alice", "ads.targeting", t0, banner("rcpt-a1")))?
            .to_json()?,
    );
    let t1 = datetime!(2026-04-10 18:30 UTC);
    log.push(
        ledger
            .set_global_opt_out("alice", t1, Evidence::new(CollectionMethod::BrowserSignal))?
            .to_json()?,
    );

    // Bob signs up for the newsletter only, by e-mail only, and objects to analytics.
    log.push(
        ledger
            .give(
                Grant::new("bob", "marketing.newsletter", t0, banner("rcpt-b1"))
                    .categories(["contact.email"]),
            )?
            .to_json()?,
    );
    log.push(
        ledger
            .refuse("bob", "ads.targeting", t0, banner("rcpt-b1"))?
            .to_json()?,
    );
    log.push(
        ledger
            .object(
                "bob",
                "analytics",
                t1,
                Evidence::new(CollectionMethod::SettingsPage),
            )?
            .to_json()?,
    );

    let now = datetime!(2026-05-01 12:00 UTC);
    let questions = [
        ("alice", "marketing.newsletter", "contact.email"),
        ("alice", "ads.targeting", "browsing"),
        ("alice", "analytics", "browsing"),
        ("alice", "orders", "contact.address"),
        ("bob", "marketing.newsletter", "contact.email"),
        ("bob", "marketing.newsletter", "purchases"),
        ("bob", "ads.targeting", "device"),
        ("bob", "analytics", "browsing"),
        ("carol", "orders", "contact.address"),
        ("alice", "marketing.newsletter", "location"),
    ];
    let show = |t: time::OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    println!("Decisions at {}:", show(now));
    for (subject, purpose, category) in questions {
        let d = ledger.decide(subject, purpose, category, now);
        println!("  {subject:<6} {purpose:<21} {category:<16} {d}");
    }
    let later = datetime!(2027-05-01 12:00 UTC);
    println!("\nA year later, at {}:", show(later));
    let d = ledger.decide("alice", "marketing.newsletter", "contact.email", later);
    println!("  alice  marketing.newsletter  contact.email    {d}");

    // Save, "restart", restore: the restored ledger answers the same.
    let json = ledger.snapshot().to_json()?;
    drop(ledger);
    let restored = Ledger::restore(Snapshot::from_json(&json)?)?;
    println!(
        "\nSnapshot: {} bytes of JSON, {} subjects; {} events in the log.",
        json.len(),
        restored.subject_count(),
        log.len()
    );
    let rebuilt = {
        let mut l = Ledger::new(restored.catalog().clone());
        for line in &log {
            l.apply(&consentry::Event::from_json(line)?)?;
        }
        l
    };
    for (subject, purpose, category) in questions {
        let a = restored.decide(subject, purpose, category, now);
        let b = rebuilt.decide(subject, purpose, category, now);
        assert_eq!(a, b, "restored and replayed ledgers disagree");
    }
    println!("Restored from the snapshot and replayed from the log: every decision is the same.");
    println!(
        "\nFirst logged event: {}",
        log.first().map_or("", String::as_str)
    );
    Ok(())
}
