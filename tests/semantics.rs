//! Rules a privacy engineer expects, each test named after the rule it
//! checks, through the public API only.

mod util;

use consentry::{Ask, ConsentStatus, Grant, Ledger, Refusal};
use time::OffsetDateTime;
use util::*;

/// Every (subject, purpose) `should_ask` says to renew at `at` within
/// `window`, among grants whose status is valid.
fn due_by_should_ask(
    ledger: &Ledger,
    at: OffsetDateTime,
    window: time::Duration,
) -> Vec<(String, String)> {
    let mut due = Vec::new();
    for subject in ledger.subjects() {
        for purpose in PURPOSES {
            let ask = ledger.should_ask(subject, purpose, at, window);
            if matches!(ask, Ask::ExpiringSoon { .. })
                && ledger.status(subject, purpose, at).is_valid()
            {
                due.push((subject.to_owned(), purpose.to_owned()));
            }
        }
    }
    due
}

fn listed(ledger: &Ledger, at: OffsetDateTime, window: time::Duration) -> Vec<(String, String)> {
    ledger
        .expiring(at, window)
        .map(|g| (g.subject().to_owned(), g.record().purpose().to_owned()))
        .collect()
}

/// CCPA 1798.135(c)(4) and 11 CCR 7025: a consumer who consented to a sale
/// and then sent an opt-out signal must not be asked to renew; the status
/// says the signal suspends the grant.
#[test]
fn renewal_campaigns_skip_a_grant_under_the_opt_out_signal() {
    let mut ledger = shop();
    ledger
        .give(Grant::new("ana", "ads.targeting", T0, banner(1)))
        .unwrap();
    ledger
        .give(Grant::new("ben", "ads.targeting", T0, banner(1)))
        .unwrap();
    ledger.set_global_opt_out("ana", T1, gpc()).unwrap();

    // ads.targeting lasts 395 days: due for renewal 30 days before; the
    // 12-month wait after the signal (sent on 8 March) still runs.
    let at = T0 + days(365);
    let window = days(30);
    assert_eq!(
        listed(&ledger, at, window),
        [("ben".to_owned(), "ads.targeting".to_owned())]
    );
    assert!(matches!(
        ledger.should_ask("ana", "ads.targeting", at, window),
        Ask::CooldownRunning {
            refusal: Refusal::GlobalOptOut,
            ..
        }
    ));
    assert_eq!(
        ledger.status("ana", "ads.targeting", at),
        ConsentStatus::OptedOut
    );
    assert!(!ledger.status("ana", "ads.targeting", at).is_valid());
    assert_eq!(
        ledger.status("ben", "ads.targeting", at),
        ConsentStatus::Given
    );
    // The decision agrees: the signal denies.
    assert!(!ledger.is_permitted("ana", "ads.targeting", "browsing", at));
}

/// `expiring` lists exactly the valid grants `should_ask` says to renew,
/// over many histories (every kind of answer and mark, at several times).
#[test]
fn renewal_campaigns_agree_with_should_ask_on_every_history() {
    let mut ledger = shop();
    let purposes = [
        "newsletter",
        "marketing",
        "ads.targeting",
        "personalisation",
        "data.sale",
    ];
    let times = [T0, T1, T2, T3];
    let mut n = 0u32;
    for (i, &purpose) in purposes.iter().enumerate() {
        for (j, &t) in times.iter().enumerate() {
            for step in 0..6 {
                n += 1;
                let subject = format!("s{n}");
                let notice = ledger.catalog().purpose(purpose).unwrap().notice_version();
                ledger
                    .give(Grant::new(&subject, purpose, t, banner(notice)))
                    .unwrap();
                let later = t + days(1 + (i + j) as i64);
                // Each subject gets one more step after the grant, or none.
                let _ = match step {
                    0 => Ok(()),
                    1 => ledger.set_global_opt_out(&subject, later, gpc()).map(drop),
                    2 => ledger.withdraw_all(&subject, later, settings()).map(drop),
                    3 => ledger
                        .refuse(&subject, purpose, later, banner(notice))
                        .map(drop),
                    4 => ledger
                        .object(&subject, purpose, later, settings())
                        .map(drop),
                    _ => ledger
                        .set_global_opt_out(&subject, later, gpc())
                        .and_then(|_| ledger.clear_global_opt_out(&subject, later + days(2), gpc()))
                        .map(drop),
                };
            }
        }
    }
    let mut checked = 0;
    for at in [T2, T3, T4, T0 + days(380), T0 + days(500)] {
        for window in [days(7), days(60), days(400)] {
            let from_should_ask = due_by_should_ask(&ledger, at, window);
            assert_eq!(
                listed(&ledger, at, window),
                from_should_ask,
                "at {at}, window {window}"
            );
            checked += from_should_ask.len();
        }
    }
    // The histories do produce grants due for renewal.
    assert!(checked > 0);
}
