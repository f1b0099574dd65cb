//! A small online shop's consent model: declare the catalog, record what two
//! customers said (banner choices persisted before they are applied, all or
//! nothing), print decisions with their reasons, and save and restore a
//! snapshot.
//!
//! Run with `cargo run --example quickstart`.

use consentry::{
    Catalog, Change, Choice, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef,
    Snapshot,
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
    // Stands in for the host's storage. Every change is written ahead: its
    // event goes to the log first, then into the ledger, so a crash between
    // the two leaves the log ahead of memory, which replaying it repairs.
    let mut log: Vec<String> = Vec::new();

    // Alice signs up and accepts everything on the banner; later her browser
    // sends the Global Privacy Control signal, an opt-out of ad targeting.
    let t0 = datetime!(2026-03-01 10:00 UTC);
    let banner = |proof: &str| {
        // No notice version: a choice fills in each purpose's current one.
        Evidence::new(CollectionMethod::Banner)
            .with_channel("web")
            .with_proof(proof)
            .with_jurisdiction("EU")
            .with_language("en")
    };
    record(&mut ledger, &mut log, Change::register("alice", t0))?;
    let choice = Choice::new("alice", t0, banner("rcpt-a1"))
        .accept("marketing.newsletter")
        .accept("ads.targeting");
    record_banner(&mut ledger, &mut log, &choice)?;
    let t1 = datetime!(2026-04-10 18:30 UTC);
    let gpc = Evidence::new(CollectionMethod::BrowserSignal);
    let signal = Change::set_global_opt_out("alice", t1, gpc);
    record(&mut ledger, &mut log, signal)?;

    // Bob accepts the newsletter and refuses ads on the banner, then narrows
    // the newsletter to his e-mail address and objects to analytics on his
    // settings page.
    let choice = Choice::new("bob", t0, banner("rcpt-b1"))
        .accept("marketing.newsletter")
        .refuse("ads.targeting");
    record_banner(&mut ledger, &mut log, &choice)?;
    let settings = Evidence::new(CollectionMethod::SettingsPage).with_channel("web");
    let narrower = Grant::new(
        "bob",
        "marketing.newsletter",
        t1,
        settings.clone().with_notice_version(2),
    )
    .categories(["contact.email"]);
    record(&mut ledger, &mut log, Change::give(narrower))?;
    let objection = Change::object("bob", "analytics", t1, settings);
    record(&mut ledger, &mut log, objection)?;

    // A late click: Bob's "yes" to ads from an older tab (09:58) reaches the
    // server after his "no" of 10:00. It is valid and logged, but the later
    // answer holds.
    let late = Choice::new("bob", datetime!(2026-03-01 9:58 UTC), banner("rcpt-b0"))
        .accept("ads.targeting");
    for recorded in ledger.record_choice(late)? {
        log.push(recorded.event().to_json()?);
        println!(
            "Late click: bob's 09:58 \"yes\" to ads.targeting arrived after his 10:00 \"no\": \
             logged, took effect: {} ({:?}).\n",
            recorded.took_effect(),
            recorded.applied(),
        );
    }

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

/// Records one change write-ahead: its event is built and checked, written
/// to the log, and only then applied.
fn record(
    ledger: &mut Ledger,
    log: &mut Vec<String>,
    change: Change,
) -> Result<(), consentry::Error> {
    let event = ledger.prepare(change)?;
    log.push(event.to_json()?);
    ledger.apply(&event)?;
    Ok(())
}

/// Records a banner choice as `record` does, and all or nothing: a choice
/// with an error (an undeclared purpose, say) writes and applies nothing.
fn record_banner(
    ledger: &mut Ledger,
    log: &mut Vec<String>,
    choice: &Choice,
) -> Result<(), consentry::Error> {
    let events = ledger.prepare_choice(choice)?;
    let lines = events
        .iter()
        .map(consentry::Event::to_json)
        .collect::<Result<Vec<_>, _>>()?;
    log.extend(lines); // a real host writes them in one transaction
    ledger.apply_all(&events)?;
    Ok(())
}
