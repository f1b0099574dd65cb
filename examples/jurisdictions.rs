//! One catalog, many laws: a streaming and broadband company that serves
//! Europe, California, Colorado, Maine and Brazil. The same purposes are
//! decided for each person under the law of where they are and how old
//! they are, and every decision names the law and the section behind it.
//!
//! Run with `cargo run --example jurisdictions`.

use consentry::regime::Regime;
use consentry::{
    Age, Catalog, CollectionMethod, Evidence, GivenBy, Grant, Ledger, LegalBasis, PurposeDef,
};
use time::OffsetDateTime;
use time::macros::datetime;

fn main() -> Result<(), consentry::Error> {
    let catalog = Catalog::builder()
        .controller("Northwind Media & Broadband")
        .category("viewing")
        .category("contact")
        .category("contact.email")
        .category("account")
        .purpose(
            PurposeDef::new("ads.personalised", LegalBasis::Consent)
                .title("Personalised advertising")
                .description("Ads here and on partner sites, chosen from what you watch.")
                .categories(["viewing"])
                .sale_or_sharing(),
        )
        .purpose(
            PurposeDef::new("marketing.email", LegalBasis::Consent)
                .title("Offers by e-mail")
                .description("A weekly e-mail with offers.")
                .categories(["contact.email"])
                .direct_marketing(),
        )
        .purpose(
            PurposeDef::new("recommendations", LegalBasis::LegitimateInterest)
                .title("Recommendations")
                .description("Suggestions of what to watch next, from what you watched.")
                .categories(["viewing"]),
        )
        .purpose(
            PurposeDef::new("service", LegalBasis::Contract)
                .title("Providing the service")
                .description("Streaming, billing and keeping your account safe.")
                .categories(["account", "viewing"])
                .strictly_necessary(),
        )
        .regime(Regime::for_jurisdiction("DE").expect("a preset"))
        .regime(Regime::for_jurisdiction("FR").expect("a preset"))
        .regime(Regime::california())
        .regime(Regime::colorado())
        .regime(Regime::brazil())
        // The company is a broadband provider in Maine.
        .regime_for(["US-ME"], Regime::maine_broadband())
        .build()?;
    let mut ledger = Ledger::new(catalog);

    let joined = datetime!(2026-01-10 09:00 UTC);
    let now = datetime!(2026-06-01 12:00 UTC);
    let signal_at = datetime!(2026-05-01 12:00 UTC);
    let form = || Evidence::new(CollectionMethod::Form).with_channel("sign-up");
    let banner = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    let gpc = || Evidence::new(CollectionMethod::BrowserSignal).with_channel("Sec-GPC: 1");

    let people: [(&str, &str, u8, &str); 10] = [
        (
            "lena",
            "DE",
            15,
            "Germany, 15, accepted everything on the banner",
        ),
        (
            "hugo",
            "FR",
            14,
            "France, 14, his mother consented with him to the e-mails",
        ),
        ("maya", "US-CA", 17, "California, 17, said nothing"),
        (
            "noah",
            "US-CA",
            17,
            "California, 17, browser sends Global Privacy Control",
        ),
        ("ivy", "US-CA", 15, "California, 15, said nothing"),
        (
            "leo",
            "US-CA",
            15,
            "California, 15, opted in to ads on the banner",
        ),
        (
            "zoe",
            "US-CA",
            12,
            "California, 12, her father consented to ads",
        ),
        (
            "sam",
            "US-CO",
            34,
            "Colorado, 34, GPC, then opted in to ads on the site",
        ),
        (
            "ruth",
            "US-ME",
            52,
            "Maine broadband customer, 52, said nothing",
        ),
        (
            "ana",
            "BR",
            11,
            "Brazil, 11, her mother consented to the e-mails",
        ),
    ];
    for (id, place, age, _) in people {
        ledger.set_jurisdiction(id, place, joined, form())?;
        ledger.set_age(id, Age::Years(age), joined, form())?;
    }
    ledger.give(Grant::new("lena", "ads.personalised", joined, banner()))?;
    ledger.give(Grant::new("lena", "marketing.email", joined, banner()))?;
    let with_parent = |given_by, how: &str| {
        banner()
            .with_given_by(given_by)
            .with_verification(how.to_owned())
    };
    ledger.give(Grant::new(
        "hugo",
        "marketing.email",
        joined,
        with_parent(GivenBy::SubjectWithParent, "parent's e-mail confirmation"),
    ))?;
    ledger.set_global_opt_out("noah", signal_at, gpc())?;
    ledger.give(Grant::new("leo", "ads.personalised", joined, banner()))?;
    ledger.give(Grant::new(
        "zoe",
        "ads.personalised",
        joined,
        with_parent(GivenBy::ParentOrGuardian, "card transaction"),
    ))?;
    ledger.set_global_opt_out("sam", signal_at, gpc())?;
    ledger.give(Grant::new(
        "sam",
        "ads.personalised",
        datetime!(2026-05-20 18:00 UTC),
        banner(),
    ))?;
    ledger.give(Grant::new(
        "ana",
        "marketing.email",
        joined,
        with_parent(GivenBy::ParentOrGuardian, "signed consent form"),
    ))?;

    for (id, _, _, who) in people {
        println!("{who}");
        show(&ledger, id, now);
        println!();
    }
    // What a person's report says about the law and their rights.
    for id in ["noah", "zoe"] {
        if let Some(law) = ledger.subject_report(id, now).law() {
            println!("In {id}'s report:\n{law}");
        }
    }
    // What to ask, and whom.
    let window = time::Duration::days(30);
    for (id, purpose) in [
        ("ivy", "ads.personalised"),
        ("zoe", "marketing.email"),
        ("lena", "ads.personalised"),
    ] {
        println!(
            "Ask {id} about {purpose}? {}",
            ledger.should_ask(id, purpose, now, window)
        );
    }
    Ok(())
}

/// Prints, for one person, each purpose's decision, the law and the section.
fn show(ledger: &Ledger, id: &str, at: OffsetDateTime) {
    for purpose in ledger.catalog().purposes() {
        let category = purpose.categories().next().unwrap_or_default();
        let why = ledger.explain(id, purpose.name(), category, at);
        let mark = if why.decision().is_permitted() {
            "yes"
        } else {
            "no "
        };
        println!("  {mark} {:<26} {}", purpose.title(), why.decision());
        if let (Some(law), Some(source)) = (why.regime_name(), why.source()) {
            println!("      {law}: {source}");
        }
        if let Some(contest) = why.signal() {
            let winner = if contest.consent_won {
                "the later consent on the site won over the opt-out signal"
            } else {
                "the opt-out signal won"
            };
            println!("      {winner} ({:?})", contest.precedence);
        }
    }
}
