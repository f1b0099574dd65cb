//! A marketing campaign: select who may receive the newsletter e-mail now,
//! list who should be asked (again) and why, and who is due for renewal;
//! then prune what no longer matters and check an old send with the as-of
//! audit.
//!
//! Self-contained: no files, no network. Run with
//! `cargo run --example campaign`.

use consentry::{
    Catalog, CollectionMethod, Event, Evidence, Grant, Ledger, LegalBasis, PurposeDef,
};
use time::Duration;
use time::macros::datetime;

fn main() -> Result<(), consentry::Error> {
    let catalog = Catalog::builder()
        .controller("Acme Shop Ltd")
        .category("contact")
        .category("contact.email")
        .category("purchases")
        .purpose(
            PurposeDef::new("newsletter", LegalBasis::Consent)
                .title("Newsletter")
                .description("A monthly e-mail about new products and offers.")
                .categories(["contact.email"])
                .max_validity_months(13)
                .direct_marketing(),
        )
        .purpose(
            PurposeDef::new("orders", LegalBasis::Contract)
                .title("Order fulfilment")
                .description("Delivering what you bought.")
                .categories(["contact", "purchases"]),
        )
        .build()?;
    let mut ledger = Ledger::new(catalog);
    let mut log: Vec<Event> = Vec::new(); // the host's event store

    let banner = Evidence::new(CollectionMethod::Banner)
        .notice_version(1)
        .channel("web");
    let link = Evidence::new(CollectionMethod::EmailLink).channel("newsletter footer");

    // A year of answers. Everyone has an account (registered at sign-up),
    // except gus, who only ever clicked an unsubscribe link.
    for (subject, at) in [
        ("ana", datetime!(2025-01-02 9:00 UTC)),
        ("ben", datetime!(2025-01-03 9:00 UTC)),
        ("cleo", datetime!(2025-01-04 9:00 UTC)),
        ("dev", datetime!(2025-01-05 9:00 UTC)),
        ("eli", datetime!(2025-01-06 9:00 UTC)),
        ("fay", datetime!(2025-01-07 9:00 UTC)),
    ] {
        log.push(ledger.register(subject, at)?);
    }
    log.push(ledger.give(Grant::new(
        "ana",
        "newsletter",
        datetime!(2026-01-10 9:00 UTC),
        banner.clone(),
    ))?);
    log.push(ledger.give(Grant::new(
        "ben",
        "newsletter",
        datetime!(2025-05-20 12:00 UTC),
        banner.clone(),
    ))?);
    log.push(ledger.refuse(
        "cleo",
        "newsletter",
        datetime!(2026-01-05 16:00 UTC),
        banner.clone(),
    )?);
    log.push(ledger.refuse(
        "dev",
        "newsletter",
        datetime!(2025-06-01 8:00 UTC),
        banner.clone(),
    )?);
    log.push(ledger.give(Grant::new(
        "eli",
        "newsletter",
        datetime!(2026-02-01 10:00 UTC),
        banner.clone(),
    ))?);
    log.push(ledger.withdraw(
        "eli",
        "newsletter",
        datetime!(2026-03-15 7:30 UTC),
        link.clone(),
    )?);
    log.push(ledger.give(Grant::new(
        "fay",
        "newsletter",
        datetime!(2025-02-01 10:00 UTC),
        banner.clone(),
    ))?);
    log.push(ledger.object("gus", "newsletter", datetime!(2025-11-11 11:11 UTC), link)?);
    log.push(ledger.register("hal", datetime!(2026-04-01 10:00 UTC))?);

    let now = datetime!(2026-06-01 09:00 UTC);
    let renew_window = Duration::days(30);

    println!("Newsletter audience at {}:", rfc3339(now));
    for subject in ledger.audience("newsletter", "contact.email", now) {
        println!("  send to {subject}");
    }
    println!(
        "  {} of {} subjects\n",
        ledger.audience_count("newsletter", "contact.email", now),
        ledger.subject_count()
    );

    println!("Who to ask (again), and why:");
    let subjects: Vec<String> = ledger.subjects().map(str::to_owned).collect();
    for subject in &subjects {
        let ask = ledger.should_ask(subject, "newsletter", now, renew_window);
        let mark = if ask.should_ask() { "ASK " } else { "skip" };
        println!("  {mark} {subject:5} {ask}");
    }

    println!(
        "\nDue for renewal within {} days:",
        renew_window.whole_days()
    );
    for grant in ledger.expiring(now, renew_window) {
        if let Some(expires) = grant.expires_at() {
            println!(
                "  {} ({}) expires {}",
                grant.subject(),
                grant.record().purpose(),
                rfc3339(expires)
            );
        }
    }

    println!("\nPruning what no longer matters:");
    for dropped in ledger.prune(now) {
        let r = dropped.record();
        println!(
            "  dropped {} / {}: {:?} at {}",
            dropped.subject(),
            r.purpose(),
            r.answer(),
            rfc3339(r.at())
        );
    }

    // Eli complains about an e-mail sent on 3 March; the ledger today says
    // "withdrawn", the audit says what held when it was sent.
    let sent = datetime!(2026-03-03 08:00 UTC);
    let audit = ledger.audit(&log, "eli", "newsletter", "contact.email", sent)?;
    println!("\nAudit: {audit}");
    println!(
        "Today: {}",
        ledger.decide("eli", "newsletter", "contact.email", now)
    );
    Ok(())
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}
