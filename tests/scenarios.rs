//! Scenarios for every rule of the README, through the public API only.

mod util;

use consentry::{
    Applied, ConsentStatus, Decision, Error, Event, EventKind, Grant, Ledger, LegalBasis, Snapshot,
};
use time::OffsetDateTime;
use time::macros::datetime;
use util::*;

/// The expiry an event of kind `given` carries.
fn event_expiry(event: &Event) -> Option<OffsetDateTime> {
    match event.kind() {
        EventKind::Given { expires_at, .. } => *expires_at,
        other => panic!("not a `given` event: {other:?}"),
    }
}

/// Every ordering of `0..n`.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for rest in permutations(n - 1) {
        for i in 0..=rest.len() {
            let mut p = rest.clone();
            p.insert(i, n - 1);
            out.push(p);
        }
    }
    out
}

fn granted(event: &Event, expires_at: Option<OffsetDateTime>) -> Decision {
    Decision::Granted {
        record: event.id(),
        given_at: event.at(),
        expires_at,
    }
}

// ---------------------------------------------------------------------------
// Validity: [given_at, expires_at)
// ---------------------------------------------------------------------------

#[test]
fn validity_is_the_half_open_interval_from_given_at_to_expires_at() {
    let mut ledger = shop();
    let expires = T0 + days(30);
    let event = ledger
        .give(Grant::new("ana", "marketing", T0, banner(1)).expires_at(expires))
        .unwrap()
        .into_event();
    let ok = granted(&event, Some(expires));

    // Valid at the instant it is given...
    assert_decision(&ledger, "ana", "marketing", "contact.email", T0, ok);
    // ...not known one nanosecond before...
    assert_decision(
        &ledger,
        "ana",
        "marketing",
        "contact.email",
        T0 - ns(1),
        Decision::NotYetValid { given_at: T0 },
    );
    // ...valid one nanosecond before it expires...
    assert_decision(
        &ledger,
        "ana",
        "marketing",
        "contact.email",
        expires - ns(1),
        ok,
    );
    // ...and no longer at the instant it expires.
    let expired = Decision::Expired {
        given_at: T0,
        expired_at: expires,
    };
    assert_decision(
        &ledger,
        "ana",
        "marketing",
        "contact.email",
        expires,
        expired,
    );
    assert_decision(
        &ledger,
        "ana",
        "marketing",
        "contact",
        expires + days(1),
        expired,
    );

    assert_eq!(
        ledger.status("ana", "marketing", T0 - ns(1)),
        ConsentStatus::Unknown
    );
    assert_eq!(ledger.status("ana", "marketing", T0), ConsentStatus::Given);
    assert_eq!(
        ledger.status("ana", "marketing", expires - ns(1)),
        ConsentStatus::Given
    );
    assert_eq!(
        ledger.status("ana", "marketing", expires),
        ConsentStatus::Expired
    );
}

#[test]
fn a_grant_without_expiry_gets_the_default_validity() {
    let mut ledger = shop();

    // Default and maximum: the default applies.
    let e = ledger
        .give(Grant::new("ana", "personalisation", T0, banner(1)))
        .unwrap()
        .into_event();
    let end = T0 + days(180);
    assert_eq!(event_expiry(&e), Some(end));
    assert_decision(
        &ledger,
        "ana",
        "personalisation",
        "browsing",
        end - ns(1),
        granted(&e, Some(end)),
    );
    assert_decision(
        &ledger,
        "ana",
        "personalisation",
        "browsing",
        end,
        Decision::Expired {
            given_at: T0,
            expired_at: end,
        },
    );

    // Only a maximum: the maximum applies (the README's 2027-03-31 10:00).
    let e = ledger
        .give(Grant::new("ana", "newsletter", T0, banner(3)))
        .unwrap()
        .into_event();
    let end = datetime!(2027-03-31 10:00 UTC);
    assert_eq!(T0 + days(395), end);
    assert_eq!(event_expiry(&e), Some(end));
    assert_decision(
        &ledger,
        "ana",
        "newsletter",
        "contact.email",
        T0,
        granted(&e, Some(end)),
    );
    assert_decision(
        &ledger,
        "ana",
        "newsletter",
        "contact.email",
        datetime!(2027-06-01 0:00 UTC),
        Decision::Expired {
            given_at: T0,
            expired_at: end,
        },
    );

    // Neither: no expiry, even at the end of the supported range and past it
    // (a check out of range is answered as at the nearest end).
    let e = ledger
        .give(Grant::new("ana", "marketing", T0, banner(1)))
        .unwrap()
        .into_event();
    assert_eq!(event_expiry(&e), None);
    for at in [
        T0,
        datetime!(2261-12-31 23:59:59.999999999 UTC),
        datetime!(2300-01-01 0:00 UTC),
    ] {
        assert_decision(
            &ledger,
            "ana",
            "marketing",
            "contact.phone",
            at,
            granted(&e, None),
        );
    }
    assert_decision(
        &ledger,
        "ana",
        "marketing",
        "contact.phone",
        datetime!(1600-01-01 0:00 UTC),
        Decision::NotYetValid { given_at: T0 },
    );
}

#[test]
fn a_requested_expiry_is_capped_to_the_maximum_never_extended() {
    let mut ledger = shop();
    let cases = [
        // (subject, requested expiry, expiry in force)
        ("ana", T0 + days(730), T0 + days(365)), // past the maximum: capped
        ("bo", T0 + days(365) + ns(1), T0 + days(365)),
        ("cy", T0 + days(365), T0 + days(365)), // exactly the maximum
        ("dee", T0 + days(300), T0 + days(300)), // above the default, below the maximum
        ("eve", T0 + days(10), T0 + days(10)),  // below the default: not extended
        ("finn", T0 + ns(1), T0 + ns(1)),
    ];
    for (subject, requested, effective) in cases {
        let e = ledger
            .give(Grant::new(subject, "personalisation", T0, banner(1)).expires_at(requested))
            .unwrap()
            .into_event();
        assert_eq!(event_expiry(&e), Some(effective), "{subject}");
        assert_decision(
            &ledger,
            subject,
            "personalisation",
            "location.city",
            effective - ns(1),
            granted(&e, Some(effective)),
        );
        assert_decision(
            &ledger,
            subject,
            "personalisation",
            "location.city",
            effective,
            Decision::Expired {
                given_at: T0,
                expired_at: effective,
            },
        );
    }
}

#[test]
fn an_expiry_at_or_before_the_given_time_is_rejected() {
    let mut ledger = shop();
    for expires in [T0, T0 - ns(1), T0 - days(365)] {
        let before = ledger.snapshot();
        let err = ledger
            .give(Grant::new("ana", "marketing", T0, banner(1)).expires_at(expires))
            .unwrap_err();
        assert!(matches!(err, Error::ExpiryNotAfterGiven { .. }), "{err}");
        assert_eq!(ledger.snapshot(), before);
    }
    assert_decision(
        &ledger,
        "ana",
        "marketing",
        "contact",
        T1,
        Decision::NoConsent,
    );
}

// ---------------------------------------------------------------------------
// Categories
// ---------------------------------------------------------------------------

#[test]
fn a_grant_of_a_parent_covers_its_children_and_not_the_reverse() {
    let mut ledger = shop();
    // All the purpose's categories by default: `contact` and its children.
    let all = ledger
        .give(Grant::new("ana", "marketing", T0, banner(1)))
        .unwrap()
        .into_event();
    // The parent named explicitly.
    let parent = ledger
        .give(Grant::new("bo", "marketing", T0, banner(1)).categories(["contact"]))
        .unwrap()
        .into_event();
    // A child only.
    let child = ledger
        .give(Grant::new("cy", "marketing", T0, banner(1)).categories(["contact.email"]))
        .unwrap()
        .into_event();

    for c in [
        "contact",
        "contact.email",
        "contact.address",
        "contact.phone",
    ] {
        assert_decision(&ledger, "ana", "marketing", c, T1, granted(&all, None));
        assert_decision(&ledger, "bo", "marketing", c, T1, granted(&parent, None));
    }
    assert_decision(
        &ledger,
        "cy",
        "marketing",
        "contact.email",
        T1,
        granted(&child, None),
    );
    for c in ["contact", "contact.address", "contact.phone"] {
        assert_decision(
            &ledger,
            "cy",
            "marketing",
            c,
            T1,
            Decision::CategoryNotCovered,
        );
    }
    // A category the purpose does not declare is denied, grant or not.
    for s in ["ana", "bo", "cy"] {
        assert_decision(
            &ledger,
            s,
            "marketing",
            "browsing",
            T1,
            Decision::CategoryNotInPurpose,
        );
        assert_decision(
            &ledger,
            s,
            "marketing",
            "health",
            T1,
            Decision::CategoryNotInPurpose,
        );
    }
}

#[test]
fn a_grant_of_some_of_the_purposes_categories_covers_only_those() {
    let mut ledger = shop();
    let e = ledger
        .give(Grant::new("ana", "personalisation", T0, banner(1)).categories(["location.city"]))
        .unwrap()
        .into_event();
    let end = Some(T0 + days(180));
    assert_decision(
        &ledger,
        "ana",
        "personalisation",
        "location.city",
        T1,
        granted(&e, end),
    );
    assert_decision(
        &ledger,
        "ana",
        "personalisation",
        "browsing",
        T1,
        Decision::CategoryNotCovered,
    );

    let e = ledger
        .give(Grant::new("bo", "profile", T0, banner(1)).categories(["purchases"]))
        .unwrap()
        .into_event();
    assert_decision(&ledger, "bo", "profile", "purchases", T1, granted(&e, None));
    assert_decision(
        &ledger,
        "bo",
        "profile",
        "health",
        T1,
        Decision::CategoryNotCovered,
    );
    assert_decision(
        &ledger,
        "bo",
        "profile",
        "health.allergies",
        T1,
        Decision::CategoryNotCovered,
    );
    assert_decision(
        &ledger,
        "bo",
        "profile",
        "browsing",
        T1,
        Decision::CategoryNotInPurpose,
    );
}

#[test]
fn dotted_purpose_names_do_not_group() {
    let mut ledger = shop();
    let e = ledger
        .give(Grant::new("ana", "marketing", T0, banner(1)))
        .unwrap()
        .into_event();
    assert_decision(
        &ledger,
        "ana",
        "marketing",
        "contact.email",
        T1,
        granted(&e, None),
    );
    assert_decision(
        &ledger,
        "ana",
        "marketing.email",
        "contact.email",
        T1,
        Decision::NoConsent,
    );
    assert_eq!(
        ledger.status("ana", "marketing.email", T1),
        ConsentStatus::Unknown
    );

    let e = ledger
        .give(Grant::new("bo", "marketing.email", T0, banner(1)))
        .unwrap()
        .into_event();
    assert_decision(
        &ledger,
        "bo",
        "marketing.email",
        "contact.email",
        T1,
        granted(&e, None),
    );
    assert_decision(
        &ledger,
        "bo",
        "marketing",
        "contact.email",
        T1,
        Decision::NoConsent,
    );

    // Withdrawing the parent purpose leaves the dotted one alone.
    ledger
        .give(Grant::new("cy", "marketing", T0, banner(1)))
        .unwrap()
        .into_event();
    let e = ledger
        .give(Grant::new("cy", "marketing.email", T0, banner(1)))
        .unwrap()
        .into_event();
    ledger.withdraw("cy", "marketing", T1, settings()).unwrap();
    assert_decision(
        &ledger,
        "cy",
        "marketing",
        "contact.email",
        T2,
        Decision::Withdrawn { at: T1, all: false },
    );
    assert_decision(
        &ledger,
        "cy",
        "marketing.email",
        "contact.email",
        T2,
        granted(&e, None),
    );
}

// ---------------------------------------------------------------------------
// Sensitive data
// ---------------------------------------------------------------------------

#[test]
fn plain_consent_never_suffices_for_a_sensitive_descendant() {
    let mut ledger = shop();
    let e = ledger
        .give(Grant::new("ana", "personalisation", T0, banner(1)))
        .unwrap()
        .into_event();
    let end = Some(T0 + days(180));
    assert_decision(
        &ledger,
        "ana",
        "personalisation",
        "browsing",
        T1,
        granted(&e, end),
    );
    assert_decision(
        &ledger,
        "ana",
        "personalisation",
        "location.city",
        T1,
        granted(&e, end),
    );
    // Sensitive, reached through the non-sensitive parent the purpose declares.
    assert_decision(
        &ledger,
        "ana",
        "personalisation",
        "location.precise",
        T1,
        Decision::ExplicitConsentRequired,
    );
    // The parent itself has a sensitive descendant: using it uses sensitive data.
    assert_decision(
        &ledger,
        "ana",
        "personalisation",
        "location",
        T1,
        Decision::ExplicitConsentRequired,
    );

    // With no record at all the answer is the same (rule 6 before rule 7).
    ledger.register("bo", T0).unwrap();
    assert_decision(
        &ledger,
        "bo",
        "personalisation",
        "location.precise",
        T1,
        Decision::ExplicitConsentRequired,
    );
    assert_decision(
        &ledger,
        "bo",
        "personalisation",
        "location.city",
        T1,
        Decision::NoConsent,
    );
}

#[test]
fn sensitive_data_under_contract_needs_a_grant() {
    let mut ledger = shop();
    ledger.register("ana", T0).unwrap();
    let contract = Decision::NotConsentBased {
        basis: LegalBasis::Contract,
    };
    assert_decision(
        &ledger,
        "ana",
        "prescriptions",
        "contact.address",
        T1,
        contract,
    );
    for c in ["health", "health.allergies", "health.prescriptions"] {
        assert_decision(
            &ledger,
            "ana",
            "prescriptions",
            c,
            T1,
            Decision::ExplicitConsentRequired,
        );
    }

    // The `give` for the purpose is the explicit consent.
    let e = ledger
        .give(Grant::new("ana", "prescriptions", T1, banner(1)))
        .unwrap()
        .into_event();
    for c in ["health", "health.allergies", "health.prescriptions"] {
        assert_decision(&ledger, "ana", "prescriptions", c, T2, granted(&e, None));
        assert_decision(
            &ledger,
            "ana",
            "prescriptions",
            c,
            T1 - ns(1),
            Decision::NotYetValid { given_at: T1 },
        );
    }
    assert_decision(
        &ledger,
        "ana",
        "prescriptions",
        "contact.address",
        T2,
        contract,
    );

    // A withdrawal denies the sensitive data and only that.
    ledger
        .withdraw("ana", "prescriptions", T3, settings())
        .unwrap()
        .into_event();
    assert_decision(
        &ledger,
        "ana",
        "prescriptions",
        "health.allergies",
        T4,
        Decision::Withdrawn { at: T3, all: false },
    );
    assert_decision(
        &ledger,
        "ana",
        "prescriptions",
        "contact.address",
        T4,
        contract,
    );

    // A grant that covers the ordinary category only does not cover health.
    ledger
        .give(Grant::new("bo", "prescriptions", T0, banner(1)).categories(["contact.address"]))
        .unwrap()
        .into_event();
    assert_decision(
        &ledger,
        "bo",
        "prescriptions",
        "health",
        T1,
        Decision::CategoryNotCovered,
    );
    assert_decision(
        &ledger,
        "bo",
        "prescriptions",
        "contact.address",
        T1,
        contract,
    );
}

#[test]
fn sensitive_data_under_legitimate_interest_needs_a_grant() {
    let mut ledger = shop();
    ledger.register("ana", T0).unwrap();
    let li = Decision::NotConsentBased {
        basis: LegalBasis::LegitimateInterest,
    };
    assert_decision(&ledger, "ana", "fraud", "location.city", T1, li);
    assert_decision(&ledger, "ana", "fraud", "purchases", T1, li);
    assert_decision(
        &ledger,
        "ana",
        "fraud",
        "location.precise",
        T1,
        Decision::ExplicitConsentRequired,
    );
    assert_decision(
        &ledger,
        "ana",
        "fraud",
        "location",
        T1,
        Decision::ExplicitConsentRequired,
    );

    let e = ledger
        .give(Grant::new("ana", "fraud", T1, banner(1)))
        .unwrap()
        .into_event();
    assert_decision(
        &ledger,
        "ana",
        "fraud",
        "location.precise",
        T2,
        granted(&e, None),
    );
    assert_decision(&ledger, "ana", "fraud", "location", T2, granted(&e, None));
    assert_decision(&ledger, "ana", "fraud", "purchases", T2, li);
}

#[test]
fn explicit_consent_grants_sensitive_data() {
    let mut ledger = shop();
    ledger.register("ana", T0).unwrap();
    assert_decision(
        &ledger,
        "ana",
        "health.research",
        "health",
        T1,
        Decision::NoConsent,
    );
    let e = ledger
        .give(Grant::new("ana", "health.research", T1, banner(1)))
        .unwrap()
        .into_event();
    let end = Some(T1 + days(730));
    for c in ["health", "health.allergies", "health.prescriptions"] {
        assert_decision(&ledger, "ana", "health.research", c, T2, granted(&e, end));
    }
    let e = ledger
        .give(Grant::new("bo", "health.research", T1, banner(1)).categories(["health.allergies"]))
        .unwrap()
        .into_event();
    assert_decision(
        &ledger,
        "bo",
        "health.research",
        "health.allergies",
        T2,
        granted(&e, end),
    );
    assert_decision(
        &ledger,
        "bo",
        "health.research",
        "health",
        T2,
        Decision::CategoryNotCovered,
    );
    assert_decision(
        &ledger,
        "bo",
        "health.research",
        "health.prescriptions",
        T2,
        Decision::CategoryNotCovered,
    );
}

// ---------------------------------------------------------------------------
// Legal bases: the README table
// ---------------------------------------------------------------------------

/// A cell of the README's table.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// `NotConsentBased`.
    Permitted,
    /// `Granted`.
    Granted,
    NoConsent,
    Refused,
    Withdrawn,
    Objected,
    /// The objection is rejected with `ObjectionNotApplicable`.
    NotAccepted,
}

#[test]
fn each_legal_basis_decides_as_the_readme_table_says() {
    use Want::*;
    // purpose, category, basis, said nothing, refused, withdrawn, objected, valid grant
    #[rustfmt::skip]
    let table = [
        ("newsletter",      "contact.email", LegalBasis::Consent,            NoConsent, Refused,   Withdrawn, Objected,    Granted),
        ("marketing",       "contact.email", LegalBasis::Consent,            NoConsent, Refused,   Withdrawn, NotAccepted, Granted),
        ("health.research", "health",        LegalBasis::ExplicitConsent,    NoConsent, Refused,   Withdrawn, NotAccepted, Granted),
        ("analytics",       "browsing",      LegalBasis::LegitimateInterest, Permitted, Refused,   Withdrawn, Objected,    Permitted),
        ("census",          "purchases",     LegalBasis::PublicTask,         Permitted, Permitted, Permitted, Objected,    Permitted),
        ("orders",          "purchases",     LegalBasis::Contract,           Permitted, Permitted, Permitted, NotAccepted, Permitted),
        ("tax.records",     "identity",      LegalBasis::LegalObligation,    Permitted, Permitted, Permitted, NotAccepted, Permitted),
        ("emergency",       "contact.phone", LegalBasis::VitalInterests,     Permitted, Permitted, Permitted, NotAccepted, Permitted),
    ];
    let mut ledger = shop();
    for (purpose, category, basis, nothing, refused, withdrawn, objected, grant) in table {
        assert_eq!(ledger.catalog().purpose(purpose).unwrap().basis(), basis);
        let notice = ledger.catalog().purpose(purpose).unwrap().notice_version();
        let expect = |ledger: &Ledger, subject: &str, at, want: Want, event: Option<&Event>| {
            let decision = ledger.decide(subject, purpose, category, at);
            let ok = match want {
                Permitted => decision == Decision::NotConsentBased { basis },
                Granted => {
                    let e = event.unwrap();
                    decision
                        == Decision::Granted {
                            record: e.id(),
                            given_at: e.at(),
                            expires_at: event_expiry(e),
                        }
                }
                NoConsent => decision == Decision::NoConsent,
                Refused => decision == Decision::Refused { at: T0 },
                Withdrawn => decision == Decision::Withdrawn { at: T1, all: false },
                Objected => decision == Decision::Objected { at: T0 },
                NotAccepted => unreachable!(),
            };
            assert!(
                ok,
                "{purpose} ({basis}) for {subject} at {at}: {decision}, expected {want:?}"
            );
            assert_consistent(ledger, subject, purpose, category, at);
        };

        // Said nothing (but known).
        let silent = format!("{purpose}-silent");
        ledger.register(&silent, T0).unwrap();
        expect(&ledger, &silent, T1, nothing, None);

        // Refused: at every instant, before the refusal too.
        let refuser = format!("{purpose}-refuser");
        ledger
            .refuse(&refuser, purpose, T0, banner(notice))
            .unwrap();
        expect(&ledger, &refuser, T1, refused, None);
        expect(&ledger, &refuser, T0 - days(1), refused, None);

        // Withdrawn.
        let withdrawer = format!("{purpose}-withdrawer");
        ledger
            .give(Grant::new(&withdrawer, purpose, T0, banner(notice)))
            .unwrap();
        ledger
            .withdraw(&withdrawer, purpose, T1, settings())
            .unwrap();
        expect(&ledger, &withdrawer, T2, withdrawn, None);
        expect(&ledger, &withdrawer, T0, withdrawn, None);

        // Objected.
        let objector = format!("{purpose}-objector");
        ledger.register(&objector, T0 - days(1)).unwrap();
        match objected {
            NotAccepted => {
                let before = ledger.snapshot();
                let err = ledger
                    .object(&objector, purpose, T0, settings())
                    .unwrap_err();
                assert_eq!(
                    err,
                    Error::ObjectionNotApplicable {
                        purpose: purpose.to_owned(),
                        basis
                    }
                );
                assert_eq!(ledger.snapshot(), before);
                expect(&ledger, &objector, T1, nothing, None);
            }
            want => {
                ledger.object(&objector, purpose, T0, settings()).unwrap();
                expect(&ledger, &objector, T1, want, None);
                expect(&ledger, &objector, T0 - ns(1), want, None);
            }
        }

        // A valid grant.
        let giver = format!("{purpose}-giver");
        let e = ledger
            .give(Grant::new(&giver, purpose, T0, banner(notice)))
            .unwrap()
            .into_event();
        expect(&ledger, &giver, T1, grant, Some(&e));
    }
}

#[test]
fn objection_is_rejected_for_contract_purposes() {
    let mut ledger = shop();
    ledger.register("ana", T0).unwrap();
    let before = ledger.snapshot();
    for (purpose, basis) in [
        ("orders", LegalBasis::Contract),
        ("prescriptions", LegalBasis::Contract),
        ("tax.records", LegalBasis::LegalObligation),
        ("emergency", LegalBasis::VitalInterests),
        ("health.research", LegalBasis::ExplicitConsent),
        ("ads.targeting", LegalBasis::Consent),
    ] {
        let err = ledger.object("ana", purpose, T1, settings()).unwrap_err();
        assert_eq!(
            err,
            Error::ObjectionNotApplicable {
                purpose: purpose.to_owned(),
                basis
            }
        );
        assert!(
            !ledger
                .catalog()
                .purpose(purpose)
                .unwrap()
                .allows_objection()
        );
        assert_eq!(ledger.snapshot(), before, "{purpose}");
    }
    assert_decision(
        &ledger,
        "ana",
        "orders",
        "contact.address",
        T2,
        Decision::NotConsentBased {
            basis: LegalBasis::Contract,
        },
    );
}

#[test]
fn an_objection_to_direct_marketing_is_absolute() {
    let mut ledger = shop();

    // Consent-based direct marketing: the objection beats the grant.
    ledger
        .give(Grant::new("ana", "newsletter", T0, banner(3)))
        .unwrap()
        .into_event();
    ledger.object("ana", "newsletter", T1, settings()).unwrap();
    for at in [T0, T1 - ns(1), T1, T2] {
        assert_decision(
            &ledger,
            "ana",
            "newsletter",
            "contact.email",
            at,
            Decision::Objected { at: T1 },
        );
    }
    assert_eq!(
        ledger.status("ana", "newsletter", T2),
        ConsentStatus::Objected
    );
    // A grant at the same instant loses the tie; an older one is superseded.
    let mut other = shop();
    let same_time = other
        .give(Grant::new("ana", "newsletter", T1, banner(3)))
        .unwrap()
        .into_event();
    assert_eq!(ledger.apply(&same_time).unwrap(), Applied::Superseded);
    let older = other
        .give(Grant::new("ana", "newsletter", T0 + days(1), banner(3)))
        .unwrap()
        .into_event();
    assert_eq!(ledger.apply(&older).unwrap(), Applied::Superseded);
    assert_decision(
        &ledger,
        "ana",
        "newsletter",
        "contact.email",
        T2,
        Decision::Objected { at: T1 },
    );
    // Only a later grant, a new answer from the subject, replaces it.
    let e = ledger
        .give(Grant::new("ana", "newsletter", T2, banner(3)))
        .unwrap()
        .into_event();
    assert_decision(
        &ledger,
        "ana",
        "newsletter",
        "contact.email",
        T3,
        granted(&e, Some(T2 + days(395))),
    );

    // Direct marketing on a contract basis: objection accepted, and absolute.
    ledger.register("bo", T0).unwrap();
    let contract = Decision::NotConsentBased {
        basis: LegalBasis::Contract,
    };
    assert_decision(
        &ledger,
        "bo",
        "orders.offers",
        "contact.email",
        T1,
        contract,
    );
    assert!(
        ledger
            .catalog()
            .purpose("orders.offers")
            .unwrap()
            .allows_objection()
    );
    ledger
        .object("bo", "orders.offers", T1, settings())
        .unwrap();
    assert_decision(
        &ledger,
        "bo",
        "orders.offers",
        "contact.email",
        T2,
        Decision::Objected { at: T1 },
    );
    assert_decision(
        &ledger,
        "bo",
        "orders.offers",
        "purchases",
        T0,
        Decision::Objected { at: T1 },
    );
    // The contract itself goes on.
    assert_decision(&ledger, "bo", "orders", "contact.email", T2, contract);
    // Even a grant for the purpose does not help against an objection at the same instant.
    let mut other = shop();
    let tie = other
        .give(Grant::new("bo", "orders.offers", T1, banner(1)))
        .unwrap()
        .into_event();
    assert_eq!(ledger.apply(&tie).unwrap(), Applied::Superseded);
    assert_decision(
        &ledger,
        "bo",
        "orders.offers",
        "purchases",
        T2,
        Decision::Objected { at: T1 },
    );

    // Direct marketing on legitimate interest.
    ledger.register("cy", T0).unwrap();
    ledger
        .object("cy", "marketing.post", T1, settings())
        .unwrap();
    assert_decision(
        &ledger,
        "cy",
        "marketing.post",
        "contact.address",
        T2,
        Decision::Objected { at: T1 },
    );
}

// ---------------------------------------------------------------------------
// Global opt-out
// ---------------------------------------------------------------------------

#[test]
fn a_global_opt_out_denies_sale_and_sharing_until_cleared() {
    let mut ledger = shop();
    let ads = ledger
        .give(Grant::new("ana", "ads.targeting", T0, banner(1)))
        .unwrap()
        .into_event();
    let news = ledger
        .give(Grant::new("ana", "newsletter", T0, banner(3)))
        .unwrap()
        .into_event();
    let li = Decision::NotConsentBased {
        basis: LegalBasis::LegitimateInterest,
    };
    let ads_ok = granted(&ads, Some(T0 + days(395)));
    let news_ok = granted(&news, Some(T0 + days(395)));
    assert_decision(&ledger, "ana", "ads.targeting", "browsing", T1, ads_ok);
    assert_decision(&ledger, "ana", "data.sale", "contact.email", T1, li);

    ledger.set_global_opt_out("ana", T1, gpc()).unwrap();
    let opted_out = Decision::OptedOut { at: T1 };
    // Denied even with consent, and at every instant while the signal is on.
    for at in [T0, T1, T2] {
        assert_decision(&ledger, "ana", "ads.targeting", "browsing", at, opted_out);
        assert_decision(&ledger, "ana", "ads.targeting", "purchases", at, opted_out);
        assert_decision(&ledger, "ana", "data.sale", "contact.email", at, opted_out);
    }
    // Other purposes are untouched.
    assert_decision(&ledger, "ana", "newsletter", "contact.email", T2, news_ok);
    assert_decision(&ledger, "ana", "analytics", "browsing", T2, li);
    assert_decision(&ledger, "ana", "fraud", "purchases", T2, li);
    // The consent record itself is still there, on hold under the signal.
    assert_eq!(
        ledger.status("ana", "ads.targeting", T2),
        ConsentStatus::OptedOut
    );

    // Cleared at T3: permitted again from T3 on...
    ledger.clear_global_opt_out("ana", T3, gpc()).unwrap();
    for at in [T3, T4] {
        assert_decision(&ledger, "ana", "ads.targeting", "browsing", at, ads_ok);
        assert_decision(&ledger, "ana", "data.sale", "purchases", at, li);
    }
    // ...but a check before the clear time stays denied (rule 5), named
    // by when the signal was set.
    let cleared_later = Decision::OptedOut { at: T1 };
    for at in [T0, T2, T3 - ns(1)] {
        assert_decision(
            &ledger,
            "ana",
            "ads.targeting",
            "browsing",
            at,
            cleared_later,
        );
        assert_decision(&ledger, "ana", "data.sale", "purchases", at, cleared_later);
    }

    // An opt-out alone makes a subject known: the legitimate-interest sale is denied.
    ledger.set_global_opt_out("bo", T1, gpc()).unwrap();
    assert_decision(
        &ledger,
        "bo",
        "data.sale",
        "purchases",
        T2,
        Decision::OptedOut { at: T1 },
    );
    assert_decision(
        &ledger,
        "bo",
        "ads.targeting",
        "purchases",
        T2,
        Decision::OptedOut { at: T1 },
    );
    assert_decision(&ledger, "bo", "analytics", "device", T2, li);
}

#[test]
fn an_opt_out_set_and_cleared_at_the_same_instant_stays_on() {
    let set = shop()
        .set_global_opt_out("ana", T1, gpc())
        .unwrap()
        .into_event();
    let clear = shop()
        .clear_global_opt_out("ana", T1, gpc())
        .unwrap()
        .into_event();
    for order in [[&set, &clear], [&clear, &set]] {
        let mut ledger = shop();
        ledger.register("ana", T0).unwrap();
        for e in order {
            ledger.apply(e).unwrap();
        }
        for at in [T0, T1, T2] {
            assert_decision(
                &ledger,
                "ana",
                "data.sale",
                "purchases",
                at,
                Decision::OptedOut { at: T1 },
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Withdrawal
// ---------------------------------------------------------------------------

#[test]
fn withdraw_takes_one_purpose_and_withdraw_all_every_earlier_grant() {
    let mut ledger = shop();
    ledger
        .give(Grant::new("ana", "newsletter", T0, banner(3)))
        .unwrap();
    let ads = ledger
        .give(Grant::new("ana", "ads.targeting", T0, banner(1)))
        .unwrap()
        .into_event();
    ledger
        .give(Grant::new("ana", "marketing", T0, banner(1)))
        .unwrap();
    ledger
        .give(Grant::new("ana", "analytics", T0, banner(1)))
        .unwrap();
    ledger
        .give(Grant::new("ana", "orders", T0, banner(1)))
        .unwrap();
    ledger
        .refuse("ana", "personalisation", T0, banner(1))
        .unwrap();

    // One purpose.
    ledger
        .withdraw("ana", "newsletter", T1, settings())
        .unwrap()
        .into_event();
    let withdrawn = Decision::Withdrawn { at: T1, all: false };
    // It denies at every instant, before its own time too.
    for at in [T0, T1, T2] {
        assert_decision(&ledger, "ana", "newsletter", "contact.email", at, withdrawn);
    }
    assert_eq!(
        ledger.status("ana", "newsletter", T2),
        ConsentStatus::Withdrawn
    );
    assert_decision(
        &ledger,
        "ana",
        "ads.targeting",
        "browsing",
        T2,
        granted(&ads, Some(T0 + days(395))),
    );

    // A grant exactly at the withdraw-all instant is withdrawn too.
    ledger
        .give(Grant::new("ana", "marketing.email", T2, banner(1)))
        .unwrap()
        .into_event();
    ledger.withdraw_all("ana", T2, settings()).unwrap();
    let all = Decision::Withdrawn { at: T2, all: true };
    for (purpose, category) in [
        ("ads.targeting", "browsing"),
        ("marketing", "contact.address"),
        ("marketing.email", "contact.email"),
        ("analytics", "device"),
    ] {
        assert_decision(&ledger, "ana", purpose, category, T3, all);
        assert_decision(&ledger, "ana", purpose, category, T2, all);
        assert_eq!(
            ledger.status("ana", purpose, T3),
            ConsentStatus::Withdrawn,
            "{purpose}"
        );
    }
    // The earlier single withdrawal and the refusal are unchanged.
    assert_decision(&ledger, "ana", "newsletter", "contact.email", T3, withdrawn);
    assert_decision(
        &ledger,
        "ana",
        "personalisation",
        "browsing",
        T3,
        Decision::Refused { at: T0 },
    );
    assert_eq!(
        ledger.status("ana", "personalisation", T3),
        ConsentStatus::Refused
    );
    // A contract does not rest on consent.
    assert_decision(
        &ledger,
        "ana",
        "orders",
        "purchases",
        T3,
        Decision::NotConsentBased {
            basis: LegalBasis::Contract,
        },
    );

    // A grant given earlier that arrives later is withdrawn as well.
    let late = shop()
        .give(Grant::new("ana", "health.research", T1, banner(1)))
        .unwrap()
        .into_event();
    assert_eq!(ledger.apply(&late).unwrap(), Applied::Changed);
    assert_decision(&ledger, "ana", "health.research", "health", T3, all);

    // A grant after the withdraw-all stands.
    let again = ledger
        .give(Grant::new("ana", "marketing", T3, banner(1)))
        .unwrap()
        .into_event();
    assert_decision(
        &ledger,
        "ana",
        "marketing",
        "contact.address",
        T4,
        granted(&again, None),
    );
    assert_eq!(ledger.status("ana", "marketing", T4), ConsentStatus::Given);
    // Others given before it stay withdrawn.
    assert_decision(&ledger, "ana", "ads.targeting", "browsing", T4, all);
}

// ---------------------------------------------------------------------------
// Erasure and registration
// ---------------------------------------------------------------------------

#[test]
fn erasure_forgets_the_subject_until_a_later_event() {
    let mut ledger = shop();
    let signup = ledger.register("ana", T0).unwrap().into_event();
    let news = ledger
        .give(Grant::new("ana", "newsletter", T0, banner(3)))
        .unwrap()
        .into_event();
    let opt_out = ledger
        .set_global_opt_out("ana", T1, gpc())
        .unwrap()
        .into_event();
    ledger.register("bo", T0).unwrap();
    assert_eq!(ledger.subject_count(), 2);

    ledger.erase("ana", T2).unwrap();
    assert_eq!(ledger.subject_count(), 1);
    assert_eq!(ledger.subjects().collect::<Vec<_>>(), ["bo"]);
    for (purpose, category) in [
        ("orders", "purchases"),
        ("newsletter", "contact.email"),
        ("analytics", "browsing"),
        ("data.sale", "purchases"),
    ] {
        for at in [T0, T2, T3] {
            assert_decision(
                &ledger,
                "ana",
                purpose,
                category,
                at,
                Decision::Erased { at: T2 },
            );
        }
    }
    assert_eq!(
        ledger.status("ana", "newsletter", T1),
        ConsentStatus::Unknown
    );

    // A change at or before the erasure is an error and changes nothing.
    let before = ledger.snapshot();
    for at in [T1, T2] {
        let err = ledger
            .give(Grant::new("ana", "newsletter", at, banner(3)))
            .unwrap_err();
        assert_eq!(
            err,
            Error::SubjectErased {
                subject: "ana".into(),
                erased_at: "2026-04-01T10:00:00Z".into()
            }
        );
        assert!(matches!(
            ledger.register("ana", at),
            Err(Error::SubjectErased { .. })
        ));
        assert!(matches!(
            ledger.withdraw_all("ana", at, settings()),
            Err(Error::SubjectErased { .. })
        ));
        assert_eq!(ledger.snapshot(), before);
    }
    // Replaying older events is not an error, but they are discarded.
    for e in [&signup, &news, &opt_out] {
        assert_eq!(ledger.apply(e).unwrap(), Applied::Erased);
    }
    assert_eq!(ledger.snapshot(), before);
    assert_decision(
        &ledger,
        "ana",
        "orders",
        "purchases",
        T3,
        Decision::Erased { at: T2 },
    );

    // A later sign-up brings the subject back, with nothing of before.
    ledger.register("ana", T3).unwrap();
    assert_eq!(ledger.subject_count(), 2);
    assert_decision(
        &ledger,
        "ana",
        "orders",
        "purchases",
        T4,
        Decision::NotConsentBased {
            basis: LegalBasis::Contract,
        },
    );
    assert_decision(
        &ledger,
        "ana",
        "newsletter",
        "contact.email",
        T4,
        Decision::NoConsent,
    );
    // The opt-out signal was erased too.
    assert_decision(
        &ledger,
        "ana",
        "data.sale",
        "purchases",
        T4,
        Decision::NotConsentBased {
            basis: LegalBasis::LegitimateInterest,
        },
    );
    assert_eq!(
        ledger.status("ana", "newsletter", T4),
        ConsentStatus::Unknown
    );
    // And the erasure is still in force for older events.
    assert_eq!(ledger.apply(&news).unwrap(), Applied::Erased);
    // The other subject was never touched.
    assert_decision(
        &ledger,
        "bo",
        "orders",
        "purchases",
        T4,
        Decision::NotConsentBased {
            basis: LegalBasis::Contract,
        },
    );
}

#[test]
fn registration_lists_a_subject_that_has_said_nothing() {
    let mut ledger = shop();
    // Never seen: the subject has said nothing, so each purpose's default
    // applies (a guest's order is fulfilled without a registration).
    for (purpose, category, want) in [
        (
            "orders",
            "purchases",
            Decision::NotConsentBased {
                basis: LegalBasis::Contract,
            },
        ),
        (
            "tax.records",
            "identity",
            Decision::NotConsentBased {
                basis: LegalBasis::LegalObligation,
            },
        ),
        (
            "emergency",
            "contact.phone",
            Decision::NotConsentBased {
                basis: LegalBasis::VitalInterests,
            },
        ),
        (
            "census",
            "purchases",
            Decision::NotConsentBased {
                basis: LegalBasis::PublicTask,
            },
        ),
        (
            "analytics",
            "browsing",
            Decision::NotConsentBased {
                basis: LegalBasis::LegitimateInterest,
            },
        ),
    ] {
        assert_decision(&ledger, "ana", purpose, category, T1, want);
    }
    assert!(ledger.subject_handle("ana").is_none());
    assert_eq!(ledger.subject_count(), 0);

    ledger.register("ana", T1).unwrap();
    assert!(ledger.subject_handle("ana").is_some());
    assert_eq!(ledger.subjects().collect::<Vec<_>>(), ["ana"]);
    for (purpose, category, basis) in [
        ("orders", "purchases", LegalBasis::Contract),
        ("tax.records", "identity", LegalBasis::LegalObligation),
        ("emergency", "contact.phone", LegalBasis::VitalInterests),
        ("census", "purchases", LegalBasis::PublicTask),
        ("analytics", "browsing", LegalBasis::LegitimateInterest),
    ] {
        // Known at every instant: registration is not a consent record.
        for at in [T0, T1, T2] {
            assert_decision(
                &ledger,
                "ana",
                purpose,
                category,
                at,
                Decision::NotConsentBased { basis },
            );
        }
    }
    assert_decision(
        &ledger,
        "ana",
        "newsletter",
        "contact.email",
        T2,
        Decision::NoConsent,
    );
    assert_eq!(ledger.status("ana", "orders", T2), ConsentStatus::Unknown);
}

// ---------------------------------------------------------------------------
// Notice versions
// ---------------------------------------------------------------------------

#[test]
fn raising_the_minimum_notice_version_outdates_older_grants() {
    let mut ledger = shop(); // newsletter notice 3, minimum 2
    let v2 = ledger
        .give(Grant::new("ana", "newsletter", T0, banner(2)))
        .unwrap()
        .into_event();
    let v3 = ledger
        .give(Grant::new("bo", "newsletter", T0, banner(3)))
        .unwrap()
        .into_event();
    let end = Some(T0 + days(395));
    assert_decision(
        &ledger,
        "ana",
        "newsletter",
        "contact.email",
        T1,
        granted(&v2, end),
    );
    assert_decision(
        &ledger,
        "bo",
        "newsletter",
        "contact.email",
        T1,
        granted(&v3, end),
    );

    // Version 4 is published and 3 is still accepted.
    let mut ledger4 =
        Ledger::restore_with_catalog(ledger.snapshot(), shop_catalog_with(4, 3, &[])).unwrap();
    assert_decision(
        &ledger4,
        "ana",
        "newsletter",
        "contact.email",
        T1,
        Decision::NoticeOutdated {
            version: 2,
            min_version: 3,
        },
    );
    assert_eq!(
        ledger4.status("ana", "newsletter", T1),
        ConsentStatus::Invalidated
    );
    assert_decision(
        &ledger4,
        "bo",
        "newsletter",
        "contact.email",
        T1,
        granted(&v3, end),
    );
    assert_eq!(ledger4.status("bo", "newsletter", T1), ConsentStatus::Given);

    // A material change: everyone is asked again.
    let ledger5 =
        Ledger::restore_with_catalog(ledger4.snapshot(), shop_catalog_with(5, 5, &[])).unwrap();
    for (subject, version) in [("ana", 2), ("bo", 3)] {
        assert_decision(
            &ledger5,
            subject,
            "newsletter",
            "contact.email",
            T1,
            Decision::NoticeOutdated {
                version,
                min_version: 5,
            },
        );
        // Expiry is checked first.
        assert_decision(
            &ledger5,
            subject,
            "newsletter",
            "contact.email",
            T0 + days(395),
            Decision::Expired {
                given_at: T0,
                expired_at: T0 + days(395),
            },
        );
    }

    // Re-consent under the current notice.
    let again = ledger4
        .give(Grant::new("ana", "newsletter", T2, banner(4)))
        .unwrap()
        .into_event();
    assert_decision(
        &ledger4,
        "ana",
        "newsletter",
        "contact.email",
        T3,
        granted(&again, Some(T2 + days(395))),
    );
    // The original ledger never accepted versions it had not published.
    let before = ledger.snapshot();
    assert!(matches!(
        ledger.give(Grant::new("cy", "newsletter", T0, banner(4))),
        Err(Error::NoticeNeverPublished {
            given: 4,
            current: 3,
            ..
        })
    ));
    assert!(matches!(
        ledger.give(Grant::new("cy", "newsletter", T0, banner(1))),
        Err(Error::NoticeOutdated { given: 1, .. })
    ));
    assert!(matches!(
        ledger.give(Grant::new("cy", "newsletter", T0, settings())),
        Err(Error::NoticeMissing { .. })
    ));
    assert!(matches!(
        ledger.refuse("cy", "newsletter", T0, settings()),
        Err(Error::NoticeMissing { .. })
    ));
    assert_eq!(ledger.snapshot(), before);
}

// ---------------------------------------------------------------------------
// Statuses
// ---------------------------------------------------------------------------

#[test]
fn statuses_follow_the_consent_lifecycle() {
    let mut ledger = shop();
    // Unknown: never asked, unknown names, or a record later than the instant.
    ledger.register("ana", T0).unwrap();
    assert_eq!(
        ledger.status("ana", "newsletter", T1),
        ConsentStatus::Unknown
    );
    assert_eq!(
        ledger.status("nobody", "newsletter", T1),
        ConsentStatus::Unknown
    );
    assert_eq!(ledger.status("ana", "loyalty", T1), ConsentStatus::Unknown);

    // Given, then Renewed while still valid.
    ledger
        .give(Grant::new("bo", "newsletter", T0, banner(3)))
        .unwrap()
        .into_event();
    assert_eq!(
        ledger.status("bo", "newsletter", T0 - ns(1)),
        ConsentStatus::Unknown
    );
    assert_eq!(ledger.status("bo", "newsletter", T0), ConsentStatus::Given);
    let renewed = ledger
        .give(Grant::new("bo", "newsletter", T2, banner(3)))
        .unwrap()
        .into_event();
    assert!(matches!(
        renewed.kind(),
        EventKind::Given { renewal: true, .. }
    ));
    assert_eq!(
        ledger.status("bo", "newsletter", T3),
        ConsentStatus::Renewed
    );
    assert!(ConsentStatus::Renewed.is_valid());
    assert_decision(
        &ledger,
        "bo",
        "newsletter",
        "contact.email",
        T3,
        granted(&renewed, Some(T2 + days(395))),
    );

    // Given again after expiry is not a renewal.
    ledger
        .give(Grant::new("cy", "marketing", T0, banner(1)).expires_at(T1))
        .unwrap()
        .into_event();
    assert_eq!(ledger.status("cy", "marketing", T1), ConsentStatus::Expired);
    assert!(!ConsentStatus::Expired.is_valid());
    let fresh = ledger
        .give(Grant::new("cy", "marketing", T2, banner(1)))
        .unwrap()
        .into_event();
    assert!(matches!(
        fresh.kind(),
        EventKind::Given { renewal: false, .. }
    ));
    assert_eq!(ledger.status("cy", "marketing", T3), ConsentStatus::Given);

    // Refused, Withdrawn (one and all), Objected.
    ledger.refuse("dee", "newsletter", T0, banner(3)).unwrap();
    assert_eq!(
        ledger.status("dee", "newsletter", T1),
        ConsentStatus::Refused
    );
    ledger
        .give(Grant::new("eve", "ads.targeting", T0, banner(1)))
        .unwrap();
    ledger
        .withdraw("eve", "ads.targeting", T1, settings())
        .unwrap();
    assert_eq!(
        ledger.status("eve", "ads.targeting", T2),
        ConsentStatus::Withdrawn
    );
    ledger
        .give(Grant::new("finn", "ads.targeting", T0, banner(1)))
        .unwrap();
    ledger.withdraw_all("finn", T1, settings()).unwrap();
    assert_eq!(
        ledger.status("finn", "ads.targeting", T2),
        ConsentStatus::Withdrawn
    );
    ledger.register("gus", T0).unwrap();
    ledger.object("gus", "analytics", T1, settings()).unwrap();
    assert_eq!(
        ledger.status("gus", "analytics", T2),
        ConsentStatus::Objected
    );

    // Invalidated: the notice was outdated by a new catalog.
    let ledger =
        Ledger::restore_with_catalog(ledger.snapshot(), shop_catalog_with(4, 4, &[])).unwrap();
    assert_eq!(
        ledger.status("bo", "newsletter", T3),
        ConsentStatus::Invalidated
    );
    // Expiry wins over invalidation.
    assert_eq!(
        ledger.status("bo", "newsletter", T2 + days(395)),
        ConsentStatus::Expired
    );
}

#[test]
fn a_refusal_later_than_the_instant_asked_about_has_status_unknown() {
    // README, Statuses: "`Unknown` (never asked, or the record is later than `at`)".
    let mut ledger = shop();
    ledger.refuse("ana", "newsletter", T1, banner(3)).unwrap();
    ledger.register("bo", T0).unwrap();
    ledger.object("bo", "analytics", T1, settings()).unwrap();
    // The decision denies at every instant...
    assert_decision(
        &ledger,
        "ana",
        "newsletter",
        "contact.email",
        T0,
        Decision::Refused { at: T1 },
    );
    assert_decision(
        &ledger,
        "bo",
        "analytics",
        "browsing",
        T0,
        Decision::Objected { at: T1 },
    );
    // ...but the record is later than T0.
    // BUG: `status` returns `Refused` / `Objected` for an instant before the
    // record, where the README says `Unknown` (only grants are treated so).
    assert_eq!(
        ledger.status("ana", "newsletter", T0),
        ConsentStatus::Unknown
    );
    assert_eq!(ledger.status("bo", "analytics", T0), ConsentStatus::Unknown);
}

// ---------------------------------------------------------------------------
// Order, ties and duplicates
// ---------------------------------------------------------------------------

#[test]
fn withdraw_and_give_at_the_same_instant_withdrawn_wins_in_either_order() {
    let give = shop()
        .give(Grant::new("ana", "newsletter", T1, banner(3)))
        .unwrap()
        .into_event();
    let withdraw = shop()
        .withdraw("ana", "newsletter", T1, settings())
        .unwrap()
        .into_event();

    let mut a = shop();
    assert_eq!(a.apply(&give).unwrap(), Applied::Changed);
    assert_eq!(a.apply(&withdraw).unwrap(), Applied::Changed);
    let mut b = shop();
    assert_eq!(b.apply(&withdraw).unwrap(), Applied::Changed);
    assert_eq!(b.apply(&give).unwrap(), Applied::Superseded);

    for ledger in [&a, &b] {
        for at in [T0, T1, T2] {
            assert_decision(
                ledger,
                "ana",
                "newsletter",
                "contact.email",
                at,
                Decision::Withdrawn { at: T1, all: false },
            );
        }
    }
    assert_eq!(a.snapshot(), b.snapshot());

    // Also through the change calls of one ledger.
    let mut c = shop();
    c.withdraw("ana", "newsletter", T1, settings()).unwrap();
    c.give(Grant::new("ana", "newsletter", T1, banner(3)))
        .unwrap();
    assert_decision(
        &c,
        "ana",
        "newsletter",
        "contact.email",
        T2,
        Decision::Withdrawn { at: T1, all: false },
    );
}

#[test]
fn at_equal_times_the_more_protective_answer_wins() {
    // objected > withdrawn > refused > given, in every arrival order.
    let events = [
        shop()
            .give(Grant::new("ana", "newsletter", T1, banner(3)))
            .unwrap()
            .into_event(),
        shop()
            .refuse("ana", "newsletter", T1, banner(3))
            .unwrap()
            .into_event(),
        shop()
            .withdraw("ana", "newsletter", T1, settings())
            .unwrap()
            .into_event(),
        shop()
            .object("ana", "newsletter", T1, settings())
            .unwrap()
            .into_event(),
    ];
    let expected = [
        Decision::Refused { at: T1 },
        Decision::Withdrawn { at: T1, all: false },
        Decision::Objected { at: T1 },
    ];
    for (n, want) in (2..=4).zip(expected) {
        let mut reference: Option<Snapshot> = None;
        for order in permutations(n) {
            let mut ledger = shop();
            for &i in &order {
                ledger.apply(&events[i]).unwrap();
            }
            assert_decision(&ledger, "ana", "newsletter", "contact.email", T2, want);
            let snap = ledger.snapshot();
            match &reference {
                Some(r) => assert_eq!(&snap, r, "order {order:?}"),
                None => reference = Some(snap),
            }
        }
    }
}

/// A realistic history over several subjects: every kind of change.
fn history() -> (Ledger, Vec<Event>) {
    let mut l = shop();
    let ev = vec![
        // ana: a loyal customer who later narrows her choices.
        l.register("ana", T0).unwrap().into_event(),
        l.give(Grant::new("ana", "newsletter", T0, banner(3)))
            .unwrap()
            .into_event(),
        l.give(Grant::new("ana", "ads.targeting", T0, banner(1)))
            .unwrap()
            .into_event(),
        l.give(Grant::new("ana", "personalisation", T0, banner(1)).categories(["location.city"]))
            .unwrap()
            .into_event(),
        l.give(Grant::new("ana", "prescriptions", T0, banner(1)))
            .unwrap()
            .into_event(),
        l.give(Grant::new("ana", "newsletter", T1, banner(3)))
            .unwrap()
            .into_event(), // renewal
        l.set_global_opt_out("ana", T1, gpc()).unwrap().into_event(),
        l.clear_global_opt_out("ana", T3, gpc())
            .unwrap()
            .into_event(),
        l.withdraw("ana", "personalisation", T2, settings())
            .unwrap()
            .into_event(),
        l.object("ana", "analytics", T2, settings())
            .unwrap()
            .into_event(),
        // bo: accepts everything, then withdraws everything, then re-consents to one.
        l.give(Grant::new("bo", "marketing", T0, banner(1)))
            .unwrap()
            .into_event(),
        l.give(Grant::new("bo", "health.research", T0, banner(1)))
            .unwrap()
            .into_event(),
        l.give(Grant::new("bo", "fraud", T1, banner(1)))
            .unwrap()
            .into_event(),
        l.refuse("bo", "ads.targeting", T0, banner(1))
            .unwrap()
            .into_event(),
        l.withdraw_all("bo", T2, settings()).unwrap().into_event(),
        l.give(Grant::new("bo", "marketing", T3, banner(1)).expires_at(T4))
            .unwrap()
            .into_event(),
        // cy: signs up, is erased, comes back.
        l.register("cy", T0).unwrap().into_event(),
        l.give(Grant::new("cy", "newsletter", T0, banner(2)))
            .unwrap()
            .into_event(),
        l.set_global_opt_out("cy", T0, gpc()).unwrap().into_event(),
        l.erase("cy", T2).unwrap().into_event(),
        l.register("cy", T3).unwrap().into_event(),
        l.object("cy", "orders.offers", T3, settings())
            .unwrap()
            .into_event(),
        // dee: ties at one instant.
        l.give(Grant::new("dee", "newsletter", T1, banner(3)))
            .unwrap()
            .into_event(),
        l.withdraw("dee", "newsletter", T1, settings())
            .unwrap()
            .into_event(),
        l.give(Grant::new("dee", "ads.targeting", T1, banner(1)))
            .unwrap()
            .into_event(),
        l.withdraw_all("dee", T1, settings()).unwrap().into_event(),
        // eve: erased and never back.
        l.give(Grant::new("eve", "marketing.email", T0, banner(1)))
            .unwrap()
            .into_event(),
        l.erase("eve", T1).unwrap().into_event(),
    ];
    (l, ev)
}

const HISTORY_SUBJECTS: [&str; 5] = ["ana", "bo", "cy", "dee", "eve"];

/// A deterministic shuffle (a linear congruential generator).
fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut v = items.to_vec();
    let mut state = seed;
    for i in (1..v.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = (state >> 33) as usize % (i + 1);
        v.swap(i, j);
    }
    v
}

/// The same events in other orders, some applied several times.
fn reorderings(events: &[Event]) -> Vec<(String, Vec<Event>)> {
    let mut out = vec![
        ("recorded".to_owned(), events.to_vec()),
        (
            "reversed".to_owned(),
            events.iter().rev().cloned().collect(),
        ),
    ];
    for seed in [1, 2, 3, 42, 2026] {
        out.push((format!("shuffled({seed})"), shuffled(events, seed)));
    }
    let twice: Vec<Event> = events.iter().chain(events.iter().rev()).cloned().collect();
    out.push(("twice".to_owned(), twice.clone()));
    out.push(("twice shuffled".to_owned(), shuffled(&twice, 7)));
    out
}

#[test]
fn the_same_events_in_any_order_give_the_same_decisions() {
    let (source, events) = history();
    let decisions = all_decisions(&source, &HISTORY_SUBJECTS);
    let statuses = all_statuses(&source, &HISTORY_SUBJECTS);
    for (name, order) in reorderings(&events) {
        let mut ledger = shop();
        for e in &order {
            ledger.apply(e).unwrap();
        }
        assert!(
            all_decisions(&ledger, &HISTORY_SUBJECTS) == decisions,
            "decisions differ for order `{name}`"
        );
        assert!(
            all_statuses(&ledger, &HISTORY_SUBJECTS) == statuses,
            "statuses differ for order `{name}`"
        );
        let mut subjects: Vec<&str> = ledger.subjects().collect();
        subjects.sort_unstable();
        assert_eq!(subjects, ["ana", "bo", "cy", "dee"], "order `{name}`");
    }
    // Spot checks of what the history means.
    assert_decision(&source, "bo", "marketing", "contact", T3, {
        let e = &events[15];
        granted(e, Some(T4))
    });
    assert_decision(
        &source,
        "bo",
        "health.research",
        "health",
        T3,
        Decision::Withdrawn { at: T2, all: true },
    );
    assert_decision(
        &source,
        "bo",
        "ads.targeting",
        "browsing",
        T3,
        Decision::Refused { at: T0 },
    );
    assert_decision(
        &source,
        "cy",
        "newsletter",
        "contact.email",
        T4,
        Decision::NoConsent,
    );
    assert_decision(
        &source,
        "cy",
        "orders.offers",
        "purchases",
        T4,
        Decision::Objected { at: T3 },
    );
    assert_decision(
        &source,
        "dee",
        "ads.targeting",
        "purchases",
        T2,
        Decision::Withdrawn { at: T1, all: true },
    );
    assert_decision(
        &source,
        "dee",
        "newsletter",
        "contact.email",
        T2,
        Decision::Withdrawn { at: T1, all: false },
    );
    assert_decision(
        &source,
        "eve",
        "marketing.email",
        "contact.email",
        T2,
        Decision::Erased { at: T1 },
    );
    assert_eq!(
        source.status("ana", "newsletter", T2),
        ConsentStatus::Renewed
    );
}

#[test]
fn the_same_events_of_one_subject_in_any_order_give_equal_snapshots() {
    let (_, events) = history();
    for subject in HISTORY_SUBJECTS {
        let mine: Vec<Event> = events
            .iter()
            .filter(|e| e.subject() == subject)
            .cloned()
            .collect();
        let mut reference = shop();
        for e in &mine {
            reference.apply(e).unwrap();
        }
        let expected = reference.snapshot();
        for (name, order) in reorderings(&mine) {
            let mut ledger = shop();
            for e in &order {
                ledger.apply(e).unwrap();
            }
            assert_eq!(ledger.snapshot(), expected, "{subject}, order `{name}`");
        }
    }
}

#[test]
fn the_same_events_of_several_subjects_in_any_order_give_equal_snapshots() {
    let (source, events) = history();
    let expected = source.snapshot();
    for (name, order) in reorderings(&events) {
        let mut ledger = shop();
        for e in &order {
            ledger.apply(e).unwrap();
        }
        assert!(
            ledger.snapshot() == expected,
            "snapshots differ for order `{name}`"
        );
    }
}

#[test]
fn replaying_a_duplicate_is_recognised() {
    let mut ledger = shop();
    let give = ledger
        .give(Grant::new("ana", "newsletter", T0, banner(3)))
        .unwrap()
        .into_event();
    let reg = ledger.register("ana", T0).unwrap().into_event();
    let before = ledger.snapshot();
    assert_eq!(ledger.apply(&give).unwrap(), Applied::Duplicate);
    assert_eq!(ledger.apply(&reg).unwrap(), Applied::Duplicate);
    // Through JSON too: the id is a hash of the content.
    let back = Event::from_json(&give.to_json().unwrap()).unwrap();
    assert_eq!(back, give);
    assert_eq!(ledger.apply(&back).unwrap(), Applied::Duplicate);
    assert_eq!(ledger.snapshot(), before);
}

// ---------------------------------------------------------------------------
// Checks agree with each other; snapshots round-trip
// ---------------------------------------------------------------------------

#[test]
fn is_permitted_and_check_agree_with_decide_everywhere() {
    let (ledger, _) = history();
    for p in PURPOSES.iter().copied().chain(["loyalty"]) {
        for c in CATEGORIES.iter().copied().chain(["contact.fax"]) {
            for s in HISTORY_SUBJECTS.iter().copied().chain(["nobody"]) {
                for at in CHECK_TIMES {
                    assert_consistent(&ledger, s, p, c, at);
                }
            }
        }
    }
}

#[test]
fn a_snapshot_round_trip_gives_identical_decisions() {
    let (ledger, _) = history();
    let json = ledger.snapshot().to_json().unwrap();
    let snapshot = Snapshot::from_json(&json).unwrap();
    assert_eq!(snapshot, ledger.snapshot());
    assert_eq!(snapshot.subject_count(), HISTORY_SUBJECTS.len());

    let restored = Ledger::restore(snapshot.clone()).unwrap();
    let with_catalog = Ledger::restore_with_catalog(snapshot, shop_catalog()).unwrap();
    let decisions = all_decisions(&ledger, &HISTORY_SUBJECTS);
    let statuses = all_statuses(&ledger, &HISTORY_SUBJECTS);
    for other in [&restored, &with_catalog] {
        assert!(all_decisions(other, &HISTORY_SUBJECTS) == decisions);
        assert!(all_statuses(other, &HISTORY_SUBJECTS) == statuses);
        assert_eq!(other.snapshot(), ledger.snapshot());
        assert_eq!(other.snapshot().to_json().unwrap(), json);
        assert_eq!(other.catalog(), ledger.catalog());
        let mut subjects: Vec<&str> = other.subjects().collect();
        subjects.sort_unstable();
        assert_eq!(subjects, ["ana", "bo", "cy", "dee"]);
    }

    // The restored ledger goes on: the erasure still holds, changes apply.
    let mut restored = restored;
    assert!(matches!(
        restored.register("eve", T0),
        Err(Error::SubjectErased { .. })
    ));
    let e = restored
        .give(Grant::new("eve", "marketing", T2, banner(1)))
        .unwrap()
        .into_event();
    assert_decision(
        &restored,
        "eve",
        "marketing",
        "contact",
        T3,
        granted(&e, None),
    );
}

#[test]
fn a_snapshot_keeps_nanoseconds() {
    let mut ledger = shop();
    let at = datetime!(2026-03-01 10:00:00.123456789 UTC);
    let until = at + days(1) + ns(1);
    let e = ledger
        .give(Grant::new("ana", "marketing", at, banner(1)).expires_at(until))
        .unwrap()
        .into_event();
    let restored =
        Ledger::restore(Snapshot::from_json(&ledger.snapshot().to_json().unwrap()).unwrap())
            .unwrap();
    assert_decision(
        &restored,
        "ana",
        "marketing",
        "contact",
        at,
        granted(&e, Some(until)),
    );
    assert_decision(
        &restored,
        "ana",
        "marketing",
        "contact",
        until - ns(1),
        granted(&e, Some(until)),
    );
    assert_decision(
        &restored,
        "ana",
        "marketing",
        "contact",
        at - ns(1),
        Decision::NotYetValid { given_at: at },
    );
    assert_decision(
        &restored,
        "ana",
        "marketing",
        "contact",
        until,
        Decision::Expired {
            given_at: at,
            expired_at: until,
        },
    );
}

// ---------------------------------------------------------------------------
// Unknown names
// ---------------------------------------------------------------------------

#[test]
fn unknown_names_are_denied_everywhere() {
    let mut ledger = shop();
    ledger
        .give(Grant::new("ana", "marketing", T0, banner(1)))
        .unwrap();
    ledger.register("bo", T0).unwrap();

    for subject in ["ana", "bo", "nobody", ""] {
        for (purpose, category, want) in [
            ("loyalty", "contact", Decision::UnknownPurpose),
            ("", "contact", Decision::UnknownPurpose),
            ("Marketing", "contact", Decision::UnknownPurpose),
            ("marketing.sms", "contact", Decision::UnknownPurpose),
            ("loyalty", "contact.fax", Decision::UnknownPurpose),
            ("marketing", "contact.fax", Decision::UnknownCategory),
            ("marketing", "", Decision::UnknownCategory),
            ("marketing", "contact.Email", Decision::UnknownCategory),
            ("orders", "contact.email ", Decision::UnknownCategory),
            // Declared, but not by the purpose: before the subject is looked at.
            ("marketing", "browsing", Decision::CategoryNotInPurpose),
            ("orders", "health", Decision::CategoryNotInPurpose),
        ] {
            assert_decision(&ledger, subject, purpose, category, T1, want);
        }
    }
    for subject in ["nobody", "", "Ana", "ana "] {
        assert_decision(
            &ledger,
            subject,
            "orders",
            "purchases",
            T1,
            Decision::NotConsentBased {
                basis: LegalBasis::Contract,
            },
        );
        assert_decision(
            &ledger,
            subject,
            "marketing",
            "contact",
            T1,
            Decision::NoConsent,
        );
        assert_eq!(
            ledger.status(subject, "marketing", T1),
            ConsentStatus::Unknown
        );
        assert!(ledger.subject_handle(subject).is_none());
    }
    assert!(ledger.catalog().purpose_handle("loyalty").is_none());
    assert!(ledger.catalog().category_handle("contact.fax").is_none());
    assert_eq!(ledger.status("ana", "loyalty", T1), ConsentStatus::Unknown);

    // Changes naming an unknown purpose fail and change nothing.
    let before = ledger.snapshot();
    let unknown = Error::UnknownPurpose("loyalty".into());
    assert_eq!(
        ledger
            .give(Grant::new("ana", "loyalty", T1, banner(1)))
            .unwrap_err(),
        unknown
    );
    assert_eq!(
        ledger.refuse("ana", "loyalty", T1, banner(1)).unwrap_err(),
        unknown
    );
    assert_eq!(
        ledger
            .withdraw("ana", "loyalty", T1, settings())
            .unwrap_err(),
        unknown
    );
    assert_eq!(
        ledger.object("ana", "loyalty", T1, settings()).unwrap_err(),
        unknown
    );
    assert_eq!(
        ledger
            .give(Grant::new("ana", "marketing", T1, banner(1)).categories(["contact.fax"]))
            .unwrap_err(),
        Error::UnknownCategory("contact.fax".into())
    );
    assert_eq!(ledger.snapshot(), before);
}
