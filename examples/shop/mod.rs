//! The catalog and a deterministic stream of customer choices shared by the
//! storage examples (a module of the examples, not of the library).

use consentry::{Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef};
use time::{Duration, OffsetDateTime};

/// The shop's catalog.
pub fn catalog() -> Catalog {
    Catalog::builder()
        .controller("Acme Shop Ltd")
        .category("contact")
        .category("contact.email")
        .category("contact.address")
        .category("browsing")
        .sensitive_category("health")
        .purpose(
            PurposeDef::new("newsletter", LegalBasis::Consent)
                .title("Newsletter")
                .description("A monthly e-mail about new products.")
                .categories(["contact.email"])
                .max_validity(Duration::days(395))
                .direct_marketing(),
        )
        .purpose(
            PurposeDef::new("ads", LegalBasis::Consent)
                .title("Personalised ads")
                .description("Ads on other sites based on what you browse here.")
                .categories(["browsing"])
                .max_validity(Duration::days(395))
                .sale_or_sharing(),
        )
        .purpose(
            PurposeDef::new("analytics", LegalBasis::LegitimateInterest)
                .title("Site analytics")
                .description("Counting visits to improve the site.")
                .categories(["browsing"]),
        )
        .purpose(
            PurposeDef::new("orders", LegalBasis::Contract)
                .title("Order fulfilment")
                .description("Delivering what you bought.")
                .categories(["contact", "health"]),
        )
        .build()
        .unwrap_or_else(|e| panic!("the example catalog is valid: {e}"))
}

/// A small deterministic pseudo-random generator (no dependency needed).
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Makes the `n`-th customer choice on `ledger`, at `at`; returns the event,
/// or `None` when the choice was refused by the engine (which the examples
/// count but never store).
pub fn random_change(
    ledger: &mut Ledger,
    rng: &mut Rng,
    subjects: u64,
    at: OffsetDateTime,
) -> Option<consentry::Event> {
    let subject = format!("customer-{:05}", rng.below(subjects));
    let channel = ["web", "ios", "call-centre"][rng.below(3) as usize];
    let evidence = Evidence::new(CollectionMethod::Banner)
        .with_notice_version(1)
        .with_channel(channel)
        .with_proof(format!("rcpt-{}", rng.below(1 << 40)));
    let purpose = ["newsletter", "ads", "analytics", "orders"][rng.below(4) as usize];
    let result = match rng.below(10) {
        0 => ledger.register(&subject, at),
        1..=4 => ledger.give(Grant::new(&subject, purpose, at, evidence)),
        5 => ledger.refuse(&subject, purpose, at, evidence),
        6 => ledger.withdraw(&subject, purpose, at, evidence),
        7 => ledger.object(&subject, purpose, at, evidence),
        8 => ledger.set_global_opt_out(&subject, at, evidence),
        _ => ledger.withdraw_all(&subject, at, evidence),
    };
    result.ok().map(consentry::Recorded::into_event)
}

/// Every decision for `subjects` customers at `at`, to compare two ledgers.
pub fn all_decisions(
    ledger: &Ledger,
    subjects: u64,
    at: OffsetDateTime,
) -> Vec<consentry::Decision> {
    let mut out = Vec::new();
    for s in 0..subjects {
        let subject = format!("customer-{s:05}");
        for purpose in ledger.catalog().purposes() {
            for category in ledger.catalog().categories() {
                out.push(ledger.decide(&subject, purpose.name(), category.name(), at));
            }
        }
    }
    out
}
