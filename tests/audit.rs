//! The as-of audit: decisions as they stood at a past instant, rebuilt from
//! the host's stored events, through the public API.

mod rights;

use consentry::{
    Answer, Audit, Catalog, Decision, Error, Event, Grant, Ledger, LegalBasis, PurposeDef,
};
use proptest::prelude::*;
use rights::*;
use time::macros::datetime;

/// Ann gives the newsletter on 1 February, the host sends an e-mail on
/// 3 March, ann withdraws on 1 April. The host's log holds every event.
fn history() -> (Ledger, Vec<Event>) {
    let mut l = shop();
    let mut log = Vec::new();
    log.push(
        l.register("ann", datetime!(2026-01-15 9:00 UTC))
            .unwrap()
            .into_event(),
    );
    log.push(
        l.give(Grant::new(
            "ann",
            "newsletter",
            datetime!(2026-02-01 9:00 UTC),
            banner(2),
        ))
        .unwrap()
        .into_event(),
    );
    log.push(
        l.give(Grant::new(
            "bob",
            "newsletter",
            datetime!(2026-02-01 9:00 UTC),
            banner(2),
        ))
        .unwrap()
        .into_event(),
    );
    log.push(
        l.withdraw(
            "ann",
            "newsletter",
            datetime!(2026-04-01 9:00 UTC),
            settings(),
        )
        .unwrap()
        .into_event(),
    );
    (l, log)
}

const SENT: time::OffsetDateTime = datetime!(2026-03-03 8:00 UTC);
const TODAY: time::OffsetDateTime = datetime!(2026-05-01 9:00 UTC);

#[test]
fn the_audit_differs_from_todays_answer_when_consent_was_withdrawn_since() {
    let (l, log) = history();
    // Today, and even asked about 3 March, the ledger (latest answers only)
    // denies: the withdrawal denies at every instant.
    assert!(!l.is_permitted("ann", "newsletter", "contact.email", TODAY));
    assert!(matches!(
        l.decide("ann", "newsletter", "contact.email", SENT),
        Decision::Withdrawn { .. }
    ));
    // The audit says the e-mail of 3 March was permitted, and by what.
    let audit = l
        .audit(&log, "ann", "newsletter", "contact.email", SENT)
        .unwrap();
    assert!(audit.was_permitted());
    let record = audit.record().unwrap();
    assert_eq!(record.answer(), Answer::Given);
    assert_eq!(record.at(), datetime!(2026-02-01 9:00 UTC));
    assert_eq!(record.event(), log[1].id());
    assert_eq!(record.evidence().proof(), Some("rcpt-0001"));
    assert_eq!(record.evidence().notice_version(), Some(2));
    assert_eq!(
        audit.decision(),
        Decision::Granted {
            record: log[1].id(),
            given_at: datetime!(2026-02-01 9:00 UTC),
            expires_at: Some(datetime!(2026-02-01 9:00 UTC) + days(395)),
        }
    );
    assert_eq!(audit.subject(), "ann");
    assert_eq!(audit.purpose(), "newsletter");
    assert_eq!(audit.category(), "contact.email");
    assert_eq!(audit.at(), SENT);
    assert_eq!(audit.events_replayed(), 2);
    assert_eq!(
        audit.to_string(),
        format!(
            "`ann` for `newsletter` (contact.email) at 2026-03-03T08:00:00Z: permitted: consent given at 2026-02-01T09:00:00Z, valid until 2027-03-03T09:00:00Z (record {}); record {} of 2026-02-01T09:00:00Z (banner, channel web, notice version 2, proof rcpt-0001, jurisdiction EU, language en)",
            log[1].id(),
            log[1].id()
        )
    );
}

#[test]
fn the_audit_follows_the_timeline() {
    let (l, log) = history();
    let audit = |at| {
        l.audit(&log, "ann", "newsletter", "contact.email", at)
            .unwrap()
    };
    // Before anything: no record, so the purpose's default.
    assert_eq!(
        audit(datetime!(2026-01-01 0:00 UTC)).decision(),
        Decision::NoConsent
    );
    // Registered, not yet consenting.
    let a = audit(datetime!(2026-01-20 0:00 UTC));
    assert_eq!(a.decision(), Decision::NoConsent);
    assert!(a.record().is_none());
    // At the instant of the grant: valid (validity includes its start).
    assert!(audit(datetime!(2026-02-01 9:00 UTC)).was_permitted());
    assert!(!audit(datetime!(2026-02-01 9:00 UTC) - ns(1)).was_permitted());
    // Up to the instant of the withdrawal, which takes effect at its time.
    assert!(audit(datetime!(2026-04-01 9:00 UTC) - ns(1)).was_permitted());
    let w = audit(datetime!(2026-04-01 9:00 UTC));
    assert_eq!(
        w.decision(),
        Decision::Withdrawn {
            at: datetime!(2026-04-01 9:00 UTC),
            all: false
        }
    );
    assert_eq!(w.record().unwrap().answer(), Answer::Withdrawn);
    // After everything, the audit agrees with the ledger.
    assert_eq!(
        audit(TODAY).decision(),
        l.decide("ann", "newsletter", "contact.email", TODAY)
    );
}

#[test]
fn order_and_duplicates_of_the_log_do_not_matter() {
    let (l, log) = history();
    let mut shuffled: Vec<&Event> = log.iter().rev().collect();
    shuffled.extend(log.iter());
    let a = l
        .audit(shuffled, "ann", "newsletter", "contact.email", SENT)
        .unwrap();
    let b = l
        .audit(log.clone(), "ann", "newsletter", "contact.email", SENT)
        .unwrap();
    assert_eq!(a.decision(), b.decision());
    assert_eq!(a.record(), b.record());
}

#[test]
fn events_round_trip_through_the_hosts_storage() {
    let (l, log) = history();
    let stored: Vec<String> = log.iter().map(|e| e.to_json().unwrap()).collect();
    let loaded: Vec<Event> = stored
        .iter()
        .map(|j| Event::from_json(j).unwrap())
        .collect();
    let audit = l
        .audit(&loaded, "ann", "newsletter", "contact.email", SENT)
        .unwrap();
    assert!(audit.was_permitted());
}

#[test]
fn later_withdraw_all_opt_out_and_erasure_do_not_reach_back() {
    let (mut l, mut log) = history();
    log.push(
        l.give(Grant::new("bob", "ads", SENT - days(1), banner(1)))
            .unwrap()
            .into_event(),
    );
    log.push(
        l.set_global_opt_out("bob", SENT + days(1), gpc())
            .unwrap()
            .into_event(),
    );
    log.push(
        l.withdraw_all("bob", SENT + days(2), settings())
            .unwrap()
            .into_event(),
    );
    log.push(l.erase("bob", SENT + days(3)).unwrap().into_event());
    assert!(!l.is_permitted("bob", "newsletter", "contact.email", SENT));
    let a = l
        .audit(&log, "bob", "newsletter", "contact.email", SENT)
        .unwrap();
    assert!(a.was_permitted());
    let a = l.audit(&log, "bob", "ads", "browsing", SENT).unwrap();
    assert!(a.was_permitted());
    let a = l
        .audit(&log, "bob", "ads", "browsing", SENT + days(1))
        .unwrap();
    assert!(matches!(a.decision(), Decision::OptedOut { .. }));
    let a = l
        .audit(&log, "bob", "newsletter", "contact.email", SENT + days(2))
        .unwrap();
    assert_eq!(
        a.decision(),
        Decision::Withdrawn {
            at: SENT + days(2),
            all: true
        }
    );
    let a = l
        .audit(&log, "bob", "newsletter", "contact.email", SENT + days(3))
        .unwrap();
    assert_eq!(a.decision(), Decision::Erased { at: SENT + days(3) });
    assert!(a.record().is_none());
}

#[test]
fn the_catalog_as_it_was() {
    let (l, log) = history();
    // Later the newsletter notice changes materially (version 3 required).
    let today = Ledger::new(catalog_with(3, 3));
    let now = today
        .audit(&log, "ann", "newsletter", "contact.email", SENT)
        .unwrap();
    assert_eq!(
        now.decision(),
        Decision::NoticeOutdated {
            version: 2,
            min_version: 3
        }
    );
    // Under the catalog of the time, it was permitted.
    let then = Audit::replay(
        l.catalog(),
        &log,
        "ann",
        "newsletter",
        "contact.email",
        SENT,
    )
    .unwrap();
    assert!(then.was_permitted());
}

#[test]
fn other_purposes_only_tell_that_the_subject_was_known() {
    let (mut l, mut log) = history();
    log.push(
        l.give(Grant::new("cy", "ads", SENT - days(1), banner(1)))
            .unwrap()
            .into_event(),
    );
    // An audit catalog that no longer declares `ads` (nor the newsletter).
    let reduced = Catalog::builder()
        .category("contact")
        .category("contact.email")
        .purpose(
            PurposeDef::new("orders", LegalBasis::Contract)
                .title("Orders")
                .description("Delivering what you bought.")
                .categories(["contact"]),
        )
        .build()
        .unwrap();
    let a = Audit::replay(&reduced, &log, "cy", "orders", "contact", SENT).unwrap();
    assert_eq!(
        a.decision(),
        Decision::NotConsentBased {
            basis: LegalBasis::Contract
        }
    );
    // Before anything was recorded for `cy`, the purpose's default.
    let before = Audit::replay(&reduced, &log, "cy", "orders", "contact", SENT - days(2)).unwrap();
    assert_eq!(
        before.decision(),
        Decision::NotConsentBased {
            basis: LegalBasis::Contract
        }
    );
    assert_eq!(before.events_replayed(), 0);
    // An event for the audited purpose that the catalog rejects is an error.
    let err = Audit::replay(&reduced, &log, "cy", "ads", "browsing", SENT).unwrap_err();
    assert_eq!(err, Error::UnknownPurpose("ads".into()));
}

// ---------------------------------------------------------------------------
// Property: the audit at an instant equals the decision of a ledger that saw
// exactly the events up to that instant; at the end it equals the ledger's.
// ---------------------------------------------------------------------------

const NAMES: [&str; 3] = ["ann", "bob", "cy"];

fn op() -> impl Strategy<Value = Op> {
    rights::op(NAMES.len(), 300, 200)
}

/// The ledger and the host's log of every change that succeeded.
fn run(ops: &[Op]) -> (Ledger, Vec<Event>) {
    run_ops(&NAMES, ops)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("CONSENTRY_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48)
    ))]

    #[test]
    fn audit_is_the_state_as_it_stood(ops in proptest::collection::vec(op(), 0..30), t in -5i64..320) {
        let (l, log) = run(&ops);
        let at = T0 + days(t);
        let mut then = shop();
        for e in log.iter().filter(|e| e.at() <= at) {
            then.apply(e).unwrap();
        }
        let end = T0 + days(1000);
        for s in NAMES {
            for p in PURPOSES {
                for c in CATEGORIES {
                    let a = l.audit(&log, s, p, c, at).unwrap();
                    prop_assert_eq!(a.decision(), then.decide(s, p, c, at), "{} {} {} at {}", s, p, c, at);
                    let held = then.subject_records(s).and_then(|h| h.record(p).cloned());
                    match a.decision() {
                        // A direct-marketing objection kept beside a later
                        // refusal: the audit rests on the objection.
                        Decision::Objected { at: objected }
                            if held.as_ref().is_none_or(|r| r.answer() != Answer::Objected) =>
                        {
                            let r = a.record().expect("the objection behind the denial");
                            prop_assert_eq!((r.answer(), r.at()), (Answer::Objected, objected));
                        }
                        _ => prop_assert_eq!(a.record().cloned(), held),
                    }
                    let last = l.audit(&log, s, p, c, end).unwrap();
                    prop_assert_eq!(last.decision(), l.decide(s, p, c, end));
                }
            }
        }
    }
}
