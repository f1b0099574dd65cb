//! Validity in calendar months, and requested expiries past the supported
//! range, through the public API.

use consentry::{
    Catalog, CollectionMethod, Error, EventKind, Evidence, Grant, Ledger, LegalBasis, PurposeDef,
};
use time::OffsetDateTime;
use time::macros::datetime;

fn evidence() -> Evidence {
    Evidence::new(CollectionMethod::Banner).notice_version(1)
}

fn catalog(def: impl FnOnce(PurposeDef) -> PurposeDef) -> Result<Catalog, Error> {
    Catalog::builder()
        .category("email")
        .purpose(def(PurposeDef::new("news", LegalBasis::Consent)
            .title("Newsletter")
            .description("A monthly e-mail.")
            .categories(["email"])))
        .build()
}

fn expiry(
    ledger: &mut Ledger,
    at: OffsetDateTime,
    asked: Option<OffsetDateTime>,
) -> Option<OffsetDateTime> {
    let mut grant = Grant::new("ann", "news", at, evidence());
    if let Some(t) = asked {
        grant = grant.expires_at(t);
    }
    match ledger.give(grant).expect("gives").kind() {
        EventKind::Given { expires_at, .. } => *expires_at,
        other => panic!("not a `given` event: {other:?}"),
    }
}

/// TCF and CNIL: consent lasts 13 months. In months, 1 March ends on
/// 1 April of the next year; 395 days would end on 31 March.
#[test]
fn thirteen_months_from_1_march_end_on_1_april_next_year() {
    let mut months = Ledger::new(catalog(|d| d.max_validity_months(13)).unwrap());
    let at = datetime!(2026-03-01 10:00 UTC);
    assert_eq!(
        expiry(&mut months, at, None),
        Some(datetime!(2027-04-01 10:00 UTC))
    );
    let mut days = Ledger::new(catalog(|d| d.max_validity(time::Duration::days(395))).unwrap());
    assert_eq!(
        expiry(&mut days, at, None),
        Some(datetime!(2027-03-31 10:00 UTC))
    );
}

/// A day past the end of the target month becomes its last day.
#[test]
fn month_ends_clamp_to_the_last_day_of_the_target_month() {
    let mut ledger = Ledger::new(catalog(|d| d.default_validity_months(6)).unwrap());
    assert_eq!(
        expiry(&mut ledger, datetime!(2026-08-31 09:30 UTC), None),
        Some(datetime!(2027-02-28 09:30 UTC))
    );
    assert_eq!(
        expiry(&mut ledger, datetime!(2027-08-31 09:30 UTC), None),
        Some(datetime!(2028-02-29 09:30 UTC))
    );
    // Months count in UTC: 23:30 at -02:00 is 01:30 UTC on 1 September.
    assert_eq!(
        expiry(&mut ledger, datetime!(2026-08-31 23:30 -02:00), None),
        Some(datetime!(2027-03-01 01:30 UTC))
    );
}

/// A requested expiry is capped to a maximum in months; a default in months
/// applies when none is asked for; without a default the maximum does.
#[test]
fn a_maximum_in_months_caps_requests_and_is_the_default() {
    let mut ledger =
        Ledger::new(catalog(|d| d.default_validity_months(1).max_validity_months(13)).unwrap());
    let at = datetime!(2026-01-31 12:00 UTC);
    assert_eq!(
        expiry(&mut ledger, at, None),
        Some(datetime!(2026-02-28 12:00 UTC))
    );
    assert_eq!(
        expiry(&mut ledger, at, Some(datetime!(2030-01-01 0:00 UTC))),
        Some(datetime!(2027-02-28 12:00 UTC))
    );
    assert_eq!(
        expiry(&mut ledger, at, Some(datetime!(2026-06-01 0:00 UTC))),
        Some(datetime!(2026-06-01 0:00 UTC))
    );
    let mut max_only = Ledger::new(catalog(|d| d.max_validity_months(2)).unwrap());
    assert_eq!(
        expiry(&mut max_only, at, None),
        Some(datetime!(2026-03-31 12:00 UTC))
    );
}

/// A requested expiry past the supported range (after 2261) on a purpose
/// with a maximum validity is capped like any other, not refused.
#[test]
fn an_expiry_past_the_supported_range_is_capped_to_the_maximum() {
    let at = datetime!(2026-03-01 10:00 UTC);
    let far = datetime!(9999-12-31 23:59:59 UTC);
    let mut months = Ledger::new(catalog(|d| d.max_validity_months(13)).unwrap());
    assert_eq!(
        expiry(&mut months, at, Some(far)),
        Some(datetime!(2027-04-01 10:00 UTC))
    );
    let mut days = Ledger::new(catalog(|d| d.max_validity(time::Duration::days(30))).unwrap());
    assert_eq!(
        expiry(&mut days, at, Some(far)),
        Some(datetime!(2026-03-31 10:00 UTC))
    );
    // Without a maximum, it ends at the last storable instant (never later
    // than asked).
    let mut none = Ledger::new(catalog(|d| d).unwrap());
    assert_eq!(
        expiry(&mut none, at, Some(far)),
        Some(datetime!(2261-12-31 23:59:59.999_999_999 UTC))
    );
    // An expiry before the range is still refused, and nothing is stored.
    let before = datetime!(1500-01-01 0:00 UTC);
    let err = none
        .give(Grant::new("bob", "news", at, evidence()).expires_at(before))
        .unwrap_err();
    assert!(matches!(err, Error::TimeOutOfRange(_)), "{err}");
    assert!(none.subject_records("bob").is_none());
}

/// A validity in months travels in the catalog's JSON and in snapshots.
#[test]
fn months_round_trip_through_catalog_json_and_snapshots() {
    let c = catalog(|d| d.default_validity_months(6).max_validity_months(13)).unwrap();
    let json = serde_json::to_string(&c).unwrap();
    assert!(json.contains(r#""max_validity_months":13"#), "{json}");
    let back: Catalog = serde_json::from_str(&json).unwrap();
    let news = back.purpose("news").unwrap();
    assert_eq!(
        (news.default_validity_months(), news.max_validity_months()),
        (Some(6), Some(13))
    );
    assert_eq!(news.max_validity(), None);
    let mut ledger = Ledger::new(back);
    let at = datetime!(2026-03-01 10:00 UTC);
    expiry(&mut ledger, at, None);
    let restored = Ledger::restore(ledger.snapshot()).unwrap();
    let p = restored.catalog().purpose("news").unwrap();
    assert_eq!(p.max_validity_months(), Some(13));
}

/// A bound declared both ways, 0 months, too many months, or a default above
/// the maximum is refused with a message naming the purpose.
#[test]
fn bad_month_validities_are_refused_with_a_clear_error() {
    type Edit = fn(PurposeDef) -> PurposeDef;
    let cases: [(Edit, &str); 4] = [
        (
            |d| {
                d.max_validity_months(13)
                    .max_validity(time::Duration::days(1))
            },
            "both as a duration and in months",
        ),
        (|d| d.default_validity_months(0), "0 months"),
        (
            |d| d.max_validity_months(1201),
            "exceeds the limit of 1200 months",
        ),
        (
            |d| d.default_validity_months(14).max_validity_months(13),
            "default validity of 14 months exceeds maximum validity of 13 months",
        ),
    ];
    for (def, expected) in cases {
        let err = catalog(def).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("news") && text.contains(expected), "{text}");
    }
}
