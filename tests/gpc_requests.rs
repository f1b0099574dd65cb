//! Global Privacy Control on requests: `Sec-GPC: 1` becomes the subject's
//! opt-out signal once, when it changes what the ledger holds (W3C GPC
//! §3.3; Cal. Code Regs. tit. 11 §7025(b), (c)(1): the signal is a request
//! to opt out of sale and sharing), never an event per request, and a
//! request without it is not an opt-in.

use consentry::codec::gpc::Gpc;
use consentry::{
    Catalog, CollectionMethod, Decision, EventKind, Evidence, Grant, Ledger, LegalBasis, PurposeDef,
};
use time::Duration;
use time::macros::datetime;

fn ledger() -> Ledger {
    let catalog = Catalog::builder()
        .category("browsing")
        .purpose(
            PurposeDef::new("ads", LegalBasis::Consent)
                .title("Ads")
                .description("Ads chosen for you.")
                .categories(["browsing"])
                .sale_or_sharing(),
        )
        .build()
        .expect("valid catalog");
    Ledger::new(catalog)
}

fn banner() -> Evidence {
    Evidence::new(CollectionMethod::Banner).with_notice_version(1)
}

fn signal() -> Evidence {
    Evidence::new(CollectionMethod::BrowserSignal).with_channel("web")
}

#[test]
fn the_signal_is_recorded_once_not_per_request() {
    let mut l = ledger();
    let t = datetime!(2026-03-01 10:00 UTC);
    l.give(Grant::new("ann", "ads", t, banner()))
        .expect("a grant");
    let first = l
        .observe_gpc(
            "ann",
            Gpc::from_header_values(["1"]),
            t + Duration::hours(1),
            signal(),
        )
        .expect("valid")
        .expect("the first request with the signal sets it");
    assert!(matches!(first.event().kind(), EventKind::OptOutSet { .. }));
    assert_eq!(
        first.event().kind().evidence().map(Evidence::method),
        Some(CollectionMethod::BrowserSignal)
    );
    for minutes in [1, 30, 600] {
        let at = t + Duration::hours(1) + Duration::minutes(minutes);
        assert!(
            l.observe_gpc("ann", Gpc::Set, at, signal())
                .expect("valid")
                .is_none()
        );
    }
    assert_eq!(
        l.decide("ann", "ads", "browsing", t + Duration::hours(2)),
        Decision::OptedOut {
            at: t + Duration::hours(1)
        }
    );
}

#[test]
fn a_request_without_the_signal_is_not_an_opt_in() {
    let mut l = ledger();
    let t = datetime!(2026-03-01 10:00 UTC);
    assert!(
        l.observe_gpc("ann", Gpc::Set, t, signal())
            .expect("valid")
            .is_some()
    );
    for value in [&b"0"[..], b"", b"true", b"1, 1"] {
        let gpc = Gpc::from_header_value(value);
        assert!(
            l.gpc_change("ann", gpc, t + Duration::days(1), signal())
                .is_none()
        );
    }
    // Never seen and no signal: nothing recorded, nothing known.
    assert!(
        l.observe_gpc("ben", Gpc::NotSet, t, signal())
            .expect("valid")
            .is_none()
    );
    assert_eq!(l.subject_count(), 1);
}

#[test]
fn after_a_clear_the_signal_is_recorded_again_but_a_stale_request_is_not() {
    let mut l = ledger();
    let t = datetime!(2026-03-01 10:00 UTC);
    l.observe_gpc("ann", Gpc::Set, t, signal()).expect("valid");
    let cleared = t + Duration::days(10);
    l.clear_global_opt_out("ann", cleared, signal())
        .expect("a clear");
    // A request from before the clear (delivered late) changes nothing:
    // the clear is the latest mark.
    assert!(
        l.gpc_change("ann", Gpc::Set, cleared - Duration::days(1), signal())
            .is_none()
    );
    // At the clear's instant, a set wins the tie (the more protective
    // answer), so the request does change the state.
    assert!(l.gpc_change("ann", Gpc::Set, cleared, signal()).is_some());
    // After it, the signal is on again.
    let again = cleared + Duration::days(1);
    assert!(
        l.observe_gpc("ann", Gpc::Set, again, signal())
            .expect("valid")
            .is_some()
    );
    assert_eq!(
        l.decide("ann", "ads", "browsing", again),
        Decision::OptedOut { at: again }
    );
}

#[test]
fn what_the_change_records_is_what_set_global_opt_out_records() {
    let t = datetime!(2026-03-01 10:00 UTC);
    let mut a = ledger();
    let mut b = ledger();
    let change = a
        .gpc_change("ann", Gpc::Set, t, signal())
        .expect("a change");
    let event = a.prepare(change).expect("valid");
    // Preparing changed nothing yet.
    assert!(a.gpc_change("ann", Gpc::Set, t, signal()).is_some());
    a.apply(&event).expect("applies");
    let direct = b.set_global_opt_out("ann", t, signal()).expect("valid");
    assert_eq!(&event, direct.event());
    assert_eq!(a.snapshot(), b.snapshot());
}

#[test]
fn an_erased_subject_keeps_denied_and_a_signal_before_the_erasure_fails() {
    let mut l = ledger();
    let t = datetime!(2026-03-01 10:00 UTC);
    l.give(Grant::new("ann", "ads", t, banner()))
        .expect("a grant");
    l.erase("ann", t + Duration::days(1)).expect("erased");
    // A signal arriving for an instant before the erasure is refused
    // like any change there.
    assert!(l.observe_gpc("ann", Gpc::Set, t, signal()).is_err());
    // After it, recorded: a "no" never turns the erasure's deny into a permit.
    let later = t + Duration::days(2);
    assert!(
        l.observe_gpc("ann", Gpc::Set, later, signal())
            .expect("valid")
            .is_some()
    );
    assert!(!l.is_permitted("ann", "ads", "browsing", later));
}
