//! Category titles and descriptions: declared in code or in the catalog's
//! JSON, made from the name when absent, and for people only (names,
//! handles and decisions do not depend on them).

use consentry::{Catalog, CategoryDef, Grant, Ledger, LegalBasis, PurposeDef, Snapshot};
use serde_json::{Value, json};
use time::macros::datetime;

/// A catalog's JSON as written before categories had titles.
const WITHOUT_TITLES: &str = r#"{
  "controller": "Acme Shop Ltd",
  "categories": [
    {"name": "contact"},
    {"name": "contact.email"},
    {"name": "browsing_history"},
    {"name": "health", "sensitive": true}
  ],
  "purposes": [
    {"name": "newsletter", "basis": "consent", "title": "Newsletter",
     "description": "A monthly e-mail about offers.", "categories": ["contact.email"],
     "notice_version": 1, "min_notice_version": 1}
  ]
}"#;

fn titled() -> Catalog {
    Catalog::builder()
        .controller("Acme Shop Ltd")
        .category(CategoryDef::new("contact").title("Contact details"))
        .category(
            CategoryDef::new("contact.email")
                .title("E-mail address")
                .description("The address you gave us at sign-up."),
        )
        .category("browsing_history")
        .category(
            CategoryDef::new("health")
                .title("Health information")
                .sensitive(),
        )
        .purpose(
            PurposeDef::new("newsletter", LegalBasis::Consent)
                .title("Newsletter")
                .description("A monthly e-mail about offers.")
                .categories(["contact.email"]),
        )
        .build()
        .expect("valid catalog")
}

#[test]
fn a_catalog_without_category_titles_still_loads() {
    let catalog: Catalog = serde_json::from_str(WITHOUT_TITLES).expect("loads");
    let titles: Vec<(&str, Option<&str>)> = catalog
        .categories()
        .map(|c| (c.title(), c.description()))
        .collect();
    assert_eq!(
        titles,
        [
            ("Contact", None),
            ("Contact: email", None),
            ("Browsing history", None),
            ("Health", None),
        ]
    );
    assert_eq!(
        catalog.category("health").map(|c| c.is_sensitive()),
        Some(true)
    );
    // Written back unchanged: a made-up title is not stored.
    let back: Value = serde_json::to_value(&catalog).unwrap();
    let read: Value = serde_json::from_str(WITHOUT_TITLES).unwrap();
    assert_eq!(back, read);
}

#[test]
fn a_catalog_with_category_titles_round_trips() {
    let catalog = titled();
    let json = serde_json::to_value(&catalog).unwrap();
    assert_eq!(
        json["categories"],
        json!([
            {"name": "contact", "title": "Contact details"},
            {"name": "contact.email", "title": "E-mail address",
             "description": "The address you gave us at sign-up."},
            {"name": "browsing_history"},
            {"name": "health", "title": "Health information", "sensitive": true},
        ])
    );
    let back: Catalog = serde_json::from_value(json.clone()).expect("loads");
    assert_eq!(back, catalog);
    assert_eq!(serde_json::to_value(&back).unwrap(), json);
    let email = back.category("contact.email").unwrap();
    assert_eq!(email.title(), "E-mail address");
    assert_eq!(
        email.description(),
        Some("The address you gave us at sign-up.")
    );
    assert_eq!(
        back.category("browsing_history").unwrap().title(),
        "Browsing history"
    );
}

#[test]
fn a_snapshot_carries_category_titles() {
    let mut ledger = Ledger::new(titled());
    let t = datetime!(2026-03-01 10:00 UTC);
    let evidence =
        consentry::Evidence::new(consentry::CollectionMethod::Banner).with_notice_version(1);
    ledger
        .give(Grant::new("ann", "newsletter", t, evidence))
        .unwrap();
    let json = serde_json::to_string(&ledger.snapshot()).unwrap();
    let restored = Ledger::restore(serde_json::from_str::<Snapshot>(&json).unwrap()).unwrap();
    assert_eq!(restored.catalog(), ledger.catalog());
    assert_eq!(
        restored.catalog().category("contact").map(|c| c.title()),
        Some("Contact details")
    );
}

#[test]
fn titles_do_not_change_names_handles_or_decisions() {
    let plain: Catalog = serde_json::from_str(WITHOUT_TITLES).unwrap();
    let titled = titled();
    // Handles of one are valid in the other: the fingerprint is over names.
    let p = titled.purpose_handle("newsletter").unwrap();
    let c = titled.category_handle("contact.email").unwrap();
    assert_eq!(plain.purpose_at(p).map(|p| p.name()), Some("newsletter"));
    assert_eq!(
        plain.category_at(c).map(|c| c.name()),
        Some("contact.email")
    );
    let t = datetime!(2026-03-01 10:00 UTC);
    let evidence =
        consentry::Evidence::new(consentry::CollectionMethod::Banner).with_notice_version(1);
    let mut a = Ledger::new(plain);
    let mut b = Ledger::new(titled);
    let ea = a
        .give(Grant::new("ann", "newsletter", t, evidence.clone()))
        .unwrap()
        .into_event();
    let eb = b
        .give(Grant::new("ann", "newsletter", t, evidence))
        .unwrap()
        .into_event();
    assert_eq!(ea.id(), eb.id());
    assert_eq!(
        a.decide("ann", "newsletter", "contact.email", t),
        b.decide("ann", "newsletter", "contact.email", t)
    );
}
