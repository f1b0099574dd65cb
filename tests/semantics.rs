//! Rules a privacy engineer expects, each test named after the rule it
//! checks, through the public API only.

mod util;

use consentry::{
    Applied, Ask, Change, Choice, CollectionMethod, ConsentStatus, Decision, Error, Event,
    Evidence, Grant, Ledger, Recorded, Refusal, Snapshot,
};
use time::OffsetDateTime;
use time::macros::datetime;
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

/// Write-ahead: the event of a change is built and checked without
/// changing the ledger, so a host can persist it before applying it; an
/// invalid change is refused at that point.
#[test]
fn a_change_can_be_checked_and_persisted_before_it_is_applied() {
    let mut ledger = shop();
    let before = ledger.snapshot();
    let event = ledger
        .prepare(Change::give(Grant::new("ana", "newsletter", T0, banner(3))))
        .unwrap();
    assert_eq!(ledger.snapshot(), before, "prepare changes nothing");
    let bad = ledger.prepare(Change::object("ana", "orders", T0, settings()));
    assert!(
        matches!(bad, Err(Error::ObjectionNotApplicable { .. })),
        "{bad:?}"
    );
    let stored = event.to_json().unwrap(); // the host's log first
    assert_eq!(ledger.apply_json(&stored).unwrap(), Applied::Changed);
    // The same change made directly gives the same event.
    let mut direct = shop();
    let recorded = direct
        .give(Grant::new("ana", "newsletter", T0, banner(3)))
        .unwrap();
    assert_eq!(recorded.event(), &event);
    assert_eq!(
        all_decisions(&ledger, &["ana"]),
        all_decisions(&direct, &["ana"])
    );
}

/// A banner choice is recorded all or nothing, with each purpose's current
/// notice version filled in.
#[test]
fn a_banner_choice_is_recorded_all_or_nothing() {
    let mut ledger = shop();
    let before = ledger.snapshot();
    let evidence = || Evidence::new(CollectionMethod::Banner).with_channel("web");
    // The third answer names an undeclared purpose: nothing is recorded.
    let typo = Choice::new("ana", T0, evidence())
        .accept("newsletter")
        .refuse("ads.targeting")
        .accept("personalisaton");
    let err = ledger.record_choice(typo).unwrap_err();
    assert!(
        matches!(&err, Error::UnknownPurpose(p) if p == "personalisaton"),
        "{err}"
    );
    assert_eq!(ledger.snapshot(), before);
    // A purpose answered twice is refused too.
    let twice = Choice::new("ana", T0, evidence())
        .accept("newsletter")
        .refuse("newsletter");
    assert!(
        ledger
            .record_choice(twice)
            .unwrap_err()
            .to_string()
            .contains("twice")
    );
    assert_eq!(ledger.snapshot(), before);

    let choice = Choice::new("ana", T0, evidence())
        .accept("newsletter")
        .accept("marketing")
        .refuse("ads.targeting");
    let events = ledger.prepare_choice(&choice).unwrap();
    assert_eq!(ledger.snapshot(), before, "prepare_choice changes nothing");
    let recorded = ledger.record_choice(choice).unwrap();
    assert_eq!(recorded.len(), 3);
    assert!(recorded.iter().all(Recorded::took_effect));
    let recorded_events: Vec<Event> = recorded.into_iter().map(Recorded::into_event).collect();
    assert_eq!(recorded_events, events);
    for (event, purpose) in events
        .iter()
        .zip(["newsletter", "marketing", "ads.targeting"])
    {
        let current = ledger.catalog().purpose(purpose).unwrap().notice_version();
        let shown = event.kind().evidence().and_then(|e| e.notice_version());
        assert_eq!(shown, Some(current), "{purpose}");
    }
    assert!(ledger.is_permitted("ana", "newsletter", "contact.email", T1));
    assert!(ledger.is_permitted("ana", "marketing", "contact.email", T1));
    assert!(matches!(
        ledger.decide("ana", "ads.targeting", "browsing", T1),
        Decision::Refused { .. }
    ));
}

/// A late click (an answer older than one held) is valid and recorded, but
/// the call says it did not take effect, instead of a silent no-op.
#[test]
fn a_change_superseded_by_a_later_answer_says_so() {
    let mut ledger = shop();
    let yes = ledger
        .give(Grant::new("ana", "newsletter", T1, banner(3)))
        .unwrap();
    assert_eq!(yes.applied(), Applied::Changed);
    let late_no = ledger.refuse("ana", "newsletter", T0, banner(3)).unwrap();
    assert_eq!(late_no.applied(), Applied::Superseded);
    assert!(!late_no.took_effect());
    assert!(ledger.is_permitted("ana", "newsletter", "contact.email", T2));
    assert_eq!(ledger.apply(yes.event()).unwrap(), Applied::Duplicate);
    // Its event still belongs in the log: replayed anywhere, it changes
    // nothing either.
    let mut replica = shop();
    replica.apply(yes.event()).unwrap();
    assert_eq!(replica.apply(late_no.event()).unwrap(), Applied::Superseded);
}

/// Every ordering of `0..n`.
fn orders(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for rest in orders(n - 1) {
        for i in 0..=rest.len() {
            let mut p = rest.clone();
            p.insert(i, n - 1);
            out.push(p);
        }
    }
    out
}

/// Applies `events` to a fresh shop ledger in every order; every order
/// must agree with the first on `check`, on the snapshot, and on a replay
/// of `events()` into a fresh ledger.
fn in_every_order<T: PartialEq + std::fmt::Debug>(events: &[Event], check: impl Fn(&Ledger) -> T) {
    let mut first: Option<(T, Snapshot)> = None;
    for order in orders(events.len()) {
        let mut l = shop();
        for &i in &order {
            l.apply(&events[i]).unwrap();
        }
        let seen = check(&l);
        let mut replayed = shop();
        for e in l.events() {
            replayed.apply(&e).unwrap();
        }
        assert_eq!(
            check(&replayed),
            seen,
            "replay of events() after order {order:?}"
        );
        let restored =
            Ledger::restore(Snapshot::from_json(&l.snapshot().to_json().unwrap()).unwrap())
                .unwrap();
        assert_eq!(
            check(&restored),
            seen,
            "snapshot round trip after order {order:?}"
        );
        match &first {
            None => first = Some((seen, l.snapshot())),
            Some((f, snap)) => {
                assert_eq!(&seen, f, "order {order:?}");
                assert_eq!(&l.snapshot(), snap, "order {order:?}");
            }
        }
    }
}

/// GDPR Art. 21(3): after an objection to direct marketing, a later
/// withdrawal or refusal of the same purpose (an old unsubscribe link) does
/// not end it; `should_ask` never says to ask until a later grant. Order-free.
#[test]
fn a_direct_marketing_objection_outlives_a_later_withdrawal_or_refusal() {
    let mut source = shop();
    let give = source
        .give(Grant::new("ana", "newsletter", T0, banner(3)))
        .unwrap()
        .into_event();
    let object = source
        .object("ana", "newsletter", T1, settings())
        .unwrap()
        .into_event();
    let withdraw = source
        .withdraw("ana", "newsletter", T2, settings())
        .unwrap();
    // It takes the slot (the objection is kept beside it).
    assert_eq!(withdraw.applied(), Applied::Changed);
    let withdraw = withdraw.into_event();
    let refuse = source
        .refuse("ana", "newsletter", T3, banner(3))
        .unwrap()
        .into_event();
    let check = |l: &Ledger| {
        (
            l.decide("ana", "newsletter", "contact.email", T4),
            l.should_ask("ana", "newsletter", T4 + days(3650), days(30)),
            l.status("ana", "newsletter", T4),
        )
    };
    let objected = (
        Decision::Objected { at: T1 },
        Ask::Objected { at: T1 },
        ConsentStatus::Objected,
    );
    assert_eq!(check(&source), objected);
    in_every_order(
        &[
            give.clone(),
            object.clone(),
            withdraw.clone(),
            refuse.clone(),
        ],
        |l| {
            assert_eq!(check(l), objected);
            check(l)
        },
    );
    // A later grant ends it; a refusal after that grant is a plain refusal.
    let regive = source
        .give(Grant::new("ana", "newsletter", T4, banner(3)))
        .unwrap()
        .into_event();
    let late = T4 + days(10);
    let refuse_again = source
        .refuse("ana", "newsletter", late, banner(3))
        .unwrap()
        .into_event();
    let after = |l: &Ledger| {
        (
            l.decide("ana", "newsletter", "contact.email", late + days(1)),
            l.should_ask("ana", "newsletter", late + days(1), days(30))
                .should_ask(),
        )
    };
    let refused = (Decision::Refused { at: late }, false);
    assert_eq!(after(&source), refused);
    in_every_order(&[object, withdraw, regive, refuse_again], |l| {
        assert_eq!(after(l), refused);
        after(l)
    });
}

/// The same for a legitimate-interest direct-marketing purpose refused
/// after an objection.
#[test]
fn a_legitimate_interest_direct_marketing_objection_outlives_a_refusal() {
    let mut l = shop();
    l.object("ana", "marketing.post", T1, settings()).unwrap();
    l.refuse("ana", "marketing.post", T2, banner(1)).unwrap();
    assert_eq!(
        l.decide("ana", "marketing.post", "purchases", T3),
        Decision::Objected { at: T1 }
    );
    assert_eq!(
        l.should_ask("ana", "marketing.post", T4 + days(3650), days(30)),
        Ask::Objected { at: T1 }
    );
    // A purpose that is not direct marketing keeps last-writer-wins.
    l.object("ana", "analytics", T1, settings()).unwrap();
    l.refuse("ana", "analytics", T2, banner(1)).unwrap();
    assert_eq!(
        l.decide("ana", "analytics", "browsing", T3),
        Decision::Refused { at: T2 }
    );
}

/// Cal. Civ. Code 1798.135(c)(4): after an opt-out signal is set, wait 12
/// months from when it was set before asking again, even if the signal is
/// cleared meanwhile; and `OptedOut { at }` names when it was set.
#[test]
fn the_ccpa_wait_counts_from_the_opt_out_even_once_cleared() {
    let mut source = shop();
    let give = source
        .give(Grant::new("ana", "ads.targeting", T0, banner(1)))
        .unwrap()
        .into_event();
    let set = source
        .set_global_opt_out("ana", T1, gpc())
        .unwrap()
        .into_event();
    let clear = source
        .clear_global_opt_out("ana", T3, gpc())
        .unwrap()
        .into_event();
    let check = |l: &Ledger| {
        (
            l.decide("ana", "ads.targeting", "browsing", T2),
            l.should_ask("ana", "ads.targeting", T4, days(30)),
            l.should_ask("ana", "ads.targeting", T1 + days(366), days(30))
                .should_ask(),
        )
    };
    let expected = (
        // While it was on: named by when it was set, not when cleared.
        Decision::OptedOut { at: T1 },
        // Cleared on 1 June, yet the wait still counts from 8 March.
        Ask::CooldownRunning {
            refusal: Refusal::GlobalOptOut,
            at: T1,
            until: datetime!(2027-03-08 10:00 UTC),
        },
        true,
    );
    assert_eq!(check(&source), expected);
    in_every_order(&[give, set, clear], |l| {
        assert_eq!(check(l), expected);
        check(l)
    });
}
