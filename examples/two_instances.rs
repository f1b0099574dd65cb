//! Two instances of an application (the web shop and the call-centre tool)
//! each record changes, then exchange their events late, out of order and
//! with duplicates, and converge to the same consent state.
//!
//! Run with `cargo run --example two_instances`.

#[allow(dead_code)]
mod shop;

use consentry::{Choice, CollectionMethod, Event, Evidence, Grant, Ledger, Recorded};
use shop::catalog;
use time::macros::datetime;

fn main() -> Result<(), consentry::Error> {
    let mut web = Ledger::new(catalog());
    let mut phone = Ledger::new(catalog());
    let mut web_log: Vec<Event> = Vec::new();
    let mut phone_log: Vec<Event> = Vec::new();

    let banner = Evidence::new(CollectionMethod::Banner)
        .with_notice_version(1)
        .with_channel("web");
    let call = Evidence::new(CollectionMethod::Phone)
        .with_notice_version(1)
        .with_channel("call-centre")
        .with_proof("call-2026-0412-17");

    // On the web, Dana subscribes to the newsletter at 10:00 and accepts ads:
    // one click on the banner, recorded all or nothing.
    let choice = Choice::new("dana", datetime!(2026-04-12 10:00 UTC), banner.clone())
        .accept("newsletter")
        .accept("ads");
    web_log.extend(
        web.record_choice(choice)?
            .into_iter()
            .map(Recorded::into_event),
    );
    // At 10:05 she phones and withdraws the newsletter; the agent records it.
    phone_log.push(
        phone
            .withdraw(
                "dana",
                "newsletter",
                datetime!(2026-04-12 10:05 UTC),
                call.clone(),
            )?
            .into_event(),
    );
    // Meanwhile Eli refuses ads by phone at 11:00 and accepts them on the web at
    // the very same second: the tie goes to the more protective answer.
    phone_log.push(
        phone
            .refuse("eli", "ads", datetime!(2026-04-12 11:00 UTC), call.clone())?
            .into_event(),
    );
    web_log.push(
        web.give(Grant::new(
            "eli",
            "ads",
            datetime!(2026-04-12 11:00 UTC),
            banner.clone(),
        ))?
        .into_event(),
    );
    // Finn signs up by phone at 09:00; at 12:00 he asks the web shop to erase
    // him. The web instance has not heard of him yet: the erasure still holds
    // when his older events arrive, and they are discarded.
    phone_log.push(
        phone
            .register("finn", datetime!(2026-04-12 09:00 UTC))?
            .into_event(),
    );
    phone_log.push(
        phone
            .give(Grant::new(
                "finn",
                "newsletter",
                datetime!(2026-04-12 09:00 UTC),
                call.clone(),
            ))?
            .into_event(),
    );
    web_log.push(
        web.erase("finn", datetime!(2026-04-12 12:00 UTC))?
            .into_event(),
    );

    let at = datetime!(2026-04-12 13:00 UTC);
    let show = |name: &str, l: &Ledger| {
        println!("{name}:");
        for (s, p) in [
            ("dana", "newsletter"),
            ("dana", "ads"),
            ("eli", "ads"),
            ("finn", "newsletter"),
        ] {
            println!(
                "  {s:<5} {p:<11} {}",
                l.decide(
                    s,
                    p,
                    if p == "ads" {
                        "browsing"
                    } else {
                        "contact.email"
                    },
                    at
                )
            );
        }
    };
    println!("Before exchanging events:");
    show("web", &web);
    show("call centre", &phone);

    // The message bus delivers late, reversed, and twice.
    for e in phone_log.iter().rev().chain(&phone_log) {
        web.apply(e)?;
    }
    for e in web_log.iter().rev().chain(web_log.iter()) {
        phone.apply(e)?;
    }
    println!("\nAfter exchanging events (reversed, duplicated):");
    show("web", &web);
    show("call centre", &phone);
    assert_eq!(web.snapshot(), phone.snapshot(), "instances must converge");
    println!(
        "\nBoth instances hold the same state: {} subject(s) known.",
        web.subject_count()
    );

    // A third instance that starts late catches up by merging one of them.
    let mut batch = Ledger::new(catalog());
    let changed = batch.merge(&phone)?;
    assert_eq!(batch.snapshot(), web.snapshot());
    println!("A new batch-job instance merged {changed} event(s) from the call centre and agrees.");
    Ok(())
}
