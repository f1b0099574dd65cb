//! Rules a privacy engineer expects, each test named after the rule it
//! checks, through the public API only.

mod util;

use consentry::{Ask, ConsentStatus, Decision, Error, Grant, Ledger, Refusal};
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

/// A typo in a purpose or category name is silently a deny on the hot path;
/// the strict forms make it an error naming the name.
#[test]
fn strict_checks_make_undeclared_names_an_error() {
    let mut ledger = shop();
    ledger
        .give(Grant::new("ana", "newsletter", T0, banner(2)))
        .unwrap();
    assert!(!ledger.is_permitted("ana", "newsleter", "contact.email", T1));
    let err = ledger
        .try_decide("ana", "newsleter", "contact.email", T1)
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownPurpose(name) if name == "newsleter"),
        "{err}"
    );
    let err = ledger
        .try_is_permitted("ana", "newsletter", "contact.emial", T1)
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownCategory(name) if name == "contact.emial"),
        "{err}"
    );
    assert!(err.to_string().contains("contact.emial"), "{err}");
    // Declared names answer as the lenient forms do, unknown subjects included.
    assert!(
        ledger
            .try_is_permitted("ana", "newsletter", "contact.email", T1)
            .unwrap()
    );
    assert_eq!(
        ledger
            .try_decide("nobody", "newsletter", "contact.email", T1)
            .unwrap(),
        ledger.decide("nobody", "newsletter", "contact.email", T1)
    );
    // A name declared but not in the purpose is a decision, not an error.
    assert_eq!(
        ledger
            .try_decide("ana", "newsletter", "health", T1)
            .unwrap(),
        Decision::CategoryNotInPurpose
    );
}

/// Raising a purpose's minimum notice version on a live ledger voids the
/// consents given under older notices at once, without a snapshot round
/// trip; a catalog that cannot hold the records is refused and changes
/// nothing.
#[test]
fn the_catalog_of_a_live_ledger_can_change_and_is_checked() {
    let mut ledger = shop();
    ledger
        .give(Grant::new("ana", "newsletter", T0, banner(2)))
        .unwrap();
    ledger
        .give(Grant::new("ben", "marketing", T0, banner(1)))
        .unwrap();
    assert!(ledger.is_permitted("ana", "newsletter", "contact.email", T1));
    let before = all_decisions(&ledger, &["ana", "ben"]);

    // A catalog without `marketing` cannot hold ben's record.
    let err = ledger
        .set_catalog(shop_catalog_with(2, 1, &["marketing"]))
        .unwrap_err();
    assert!(err.to_string().contains("marketing"), "{err}");
    assert_eq!(all_decisions(&ledger, &["ana", "ben"]), before);

    let ben = ledger.subject_handle("ben").unwrap();
    let marketing = ledger.catalog().purpose_handle("marketing").unwrap();
    let email = ledger.catalog().category_handle("contact.email").unwrap();
    assert!(ledger.is_permitted_by(ben, marketing, email, T1));

    // Notice 3 published, and the minimum raised to it.
    ledger.set_catalog(shop_catalog_with(3, 3, &[])).unwrap();
    assert_eq!(
        ledger
            .catalog()
            .purpose("newsletter")
            .unwrap()
            .min_notice_version(),
        3
    );
    assert!(matches!(
        ledger.decide("ana", "newsletter", "contact.email", T1),
        Decision::NoticeOutdated { .. }
    ));
    assert!(ledger.is_permitted("ben", "marketing", "contact.email", T1));
    // Handles taken before the change are foreign afterwards.
    assert!(!ledger.is_permitted_by(ben, marketing, email, T1));
    let ben = ledger.subject_handle("ben").unwrap();
    assert!(ledger.is_permitted_by(ben, marketing, email, T1));
    let restored = Ledger::restore(ledger.snapshot()).unwrap();
    assert_eq!(
        all_decisions(&restored, &["ana", "ben"]),
        all_decisions(&ledger, &["ana", "ben"])
    );
}
