//! A news site's consent banner speaks the industry's formats: its consent
//! management platform (CMP) hands over a TC string (TCF v2.2) and a GPP
//! string. The site imports them into the ledger for the reader, shows the
//! decisions, writes the reader's state back as a TC string, GPP strings,
//! a US Privacy string and Google Consent Mode flags for its ad and
//! analytics partners, and handles a request carrying `Sec-GPC: 1`.
//!
//! Run with `cargo run --example banner_signals`.

use consentry::codec::gpc::Gpc;
use consentry::codec::gpp::{GppString, Section};
use consentry::codec::tcf::TcString;
use consentry::{
    Catalog, CollectionMethod, Evidence, ExportOptions, Ledger, LegalBasis, PurposeDef,
    SignalFormat, Standards, TcfVendor,
};
use time::OffsetDateTime;
use time::macros::datetime;

/// What the CMP wrote after the reader's choice on 2 March: consent to TCF
/// purposes 1, 2, 3, 4, 7, 8 and 9 (advertising and analytics, not content
/// personalisation), legitimate interest for purpose 10; CMP 31 version 5,
/// policy 4, vendor list 126.
const TC_STRING: &str = "CQgcD4AQgcD4AAfAFBFRB-EgAPOAAABAAAqIF5wAQF5gAAAA";

/// What the CMP wrote on 10 April, the reader now in California: a `usnat`
/// section opting out of sharing (not of sale or targeted advertising), and
/// no GPC.
const GPP_STRING: &str = "DBABLA~CVQmAAAAAACA.QA";

const SUBJECT: &str = "reader-42";
const PURPOSES: [&str; 5] = ["ads", "analytics", "content", "improve", "account"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let catalog = Catalog::builder()
        .controller("Le Quotidien SA")
        .category("browsing")
        .category("device")
        .category("contact")
        .purpose(
            PurposeDef::new("ads", LegalBasis::Consent)
                .title("Personalised advertising")
                .description("Ads chosen from a profile of what you read, measured.")
                .categories(["browsing", "device"])
                .sale_or_sharing()
                .max_validity_months(13)
                .standards(Standards::advertising()),
        )
        .purpose(
            PurposeDef::new("analytics", LegalBasis::Consent)
                .title("Audience measurement")
                .description("Cookies that count visits and what is read.")
                .categories(["browsing", "device"])
                .max_validity_months(13)
                .standards(Standards::analytics()),
        )
        .purpose(
            PurposeDef::new("content", LegalBasis::Consent)
                .title("Recommended articles")
                .description("Articles picked from a profile of what you read.")
                .categories(["browsing"])
                .standards(Standards::personalised_content()),
        )
        .purpose(
            PurposeDef::new("improve", LegalBasis::LegitimateInterest)
                .title("Improving the site")
                .description("Using reading statistics to improve the site. You can object.")
                .categories(["browsing"])
                .standards(Standards::product_development()),
        )
        .purpose(
            PurposeDef::new("account", LegalBasis::Contract)
                .title("Your subscription")
                .description("Running the subscription you paid for.")
                .categories(["contact"]),
        )
        .build()?;
    let mut ledger = Ledger::new(catalog);
    let mut log: Vec<String> = Vec::new(); // the host's storage

    println!("== 1. The banner's TC string (TCF v2.2) ==");
    let tc = TcString::decode(TC_STRING)?;
    println!("   {TC_STRING}");
    println!(
        "   CMP {} v{}, policy {}, vendor list {}; consent to TCF purposes {:?}, legitimate interest {:?}",
        tc.cmp_id(),
        tc.cmp_version(),
        tc.policy_version(),
        tc.vendor_list_version(),
        tc.purposes_consent().iter().collect::<Vec<_>>(),
        tc.purposes_li_transparency().iter().collect::<Vec<_>>(),
    );
    let received = datetime!(2026-03-02 09:15 UTC);
    let banner = Evidence::new(CollectionMethod::Banner).with_jurisdiction("FR");
    // Persist first, then apply (all or nothing).
    let events = ledger.prepare_signal(SUBJECT, SignalFormat::Tcf, TC_STRING, received, banner)?;
    for event in &events {
        log.push(event.to_json()?);
    }
    ledger.apply_all(&events)?;
    println!(
        "   {} events recorded; evidence of the first:",
        events.len()
    );
    if let Some(evidence) = events.first().and_then(|e| e.kind().evidence()) {
        println!(
            "   channel `{}`, proof `{}`",
            evidence.channel().unwrap_or("-"),
            evidence.proof().unwrap_or("-")
        );
    }
    show(&ledger, received);

    println!("\n== 2. A GPP string from the US banner, 10 April ==");
    let gpp = GppString::decode(GPP_STRING)?;
    println!(
        "   {GPP_STRING}  (sections {:?})",
        gpp.section_ids().collect::<Vec<_>>()
    );
    if let Some(Section::UsNat(usnat)) = gpp.section(7) {
        println!(
            "   usnat: sale {:?}, sharing {:?}, targeted advertising {:?}",
            usnat.sale_opt_out, usnat.sharing_opt_out, usnat.targeted_advertising_opt_out
        );
    }
    let april = datetime!(2026-04-10 18:00 UTC);
    let us_banner = Evidence::new(CollectionMethod::Banner).with_jurisdiction("US-CA");
    for recorded in
        ledger.import_signal(SUBJECT, SignalFormat::Gpp, GPP_STRING, april, us_banner)?
    {
        log.push(recorded.event().to_json()?);
    }
    println!("   an opt-out of sharing refuses `ads`: the purpose maps to it");
    show(&ledger, april);

    println!("\n== 3. The reader's state, written for partners ==");
    let now = datetime!(2026-04-10 18:05 UTC);
    let options = ExportOptions::new(31, 5, 126)
        .consent_language("FR")
        .publisher_cc("FR")
        .lspa_covered(false)
        .vendor(TcfVendor::new(755).purposes([1, 2, 3, 4, 7, 9, 10]))
        .vendor(
            TcfVendor::new(91)
                .purposes([1, 8])
                .legitimate_interests([10]),
        );
    let tc = ledger.export_tcf(SUBJECT, now, &options)?;
    println!("   TC string     {}", tc.encode());
    println!(
        "                 consent {:?}, legitimate interest {:?}, vendors with consent {:?}",
        tc.purposes_consent().iter().collect::<Vec<_>>(),
        tc.purposes_li_transparency().iter().collect::<Vec<_>>(),
        tc.vendor_consents().iter().collect::<Vec<_>>(),
    );
    println!(
        "                 (`ads` is refused: purposes 2, 3, 4 and 7 are clear, so vendor 755, which needs them, has no consent)"
    );
    let eu = ledger.export_gpp_for(SUBJECT, now, "FR", &options)?;
    println!("   GPP (FR)      {}", eu.encode());
    let ca = ledger.export_gpp_for(SUBJECT, now, "US-CA", &options)?;
    println!("   GPP (US-CA)   {}", ca.encode());
    println!(
        "   US Privacy    {}",
        ledger.export_us_privacy(SUBJECT, now, &options)
    );
    println!(
        "   Consent Mode  gtag('consent', 'update', {});",
        ledger.export_consent_mode(SUBJECT, now).to_json()
    );

    println!("\n== 4. Requests with `Sec-GPC: 1` ==");
    let evidence = || Evidence::new(CollectionMethod::BrowserSignal).with_channel("web");
    for (at, header) in [
        (datetime!(2026-04-11 08:00 UTC), b"1".as_slice()),
        (datetime!(2026-04-11 08:01 UTC), b"1".as_slice()),
        (datetime!(2026-04-11 08:02 UTC), b"".as_slice()),
    ] {
        let gpc = Gpc::from_header_value(header);
        let recorded = ledger.observe_gpc(SUBJECT, gpc, at, evidence())?;
        let what = match &recorded {
            Some(r) => {
                log.push(r.event().to_json()?);
                "the global opt-out is recorded"
            }
            None => "nothing to record",
        };
        let header = String::from_utf8_lossy(header);
        let header = if header.is_empty() {
            "(absent)".into()
        } else {
            header
        };
        println!("   {} Sec-GPC: {header:<9} -> {what}", at.format(&HOUR)?);
    }
    let later = datetime!(2026-04-11 09:00 UTC);
    show(&ledger, later);
    println!(
        "   Consent Mode  gtag('consent', 'update', {});",
        ledger.export_consent_mode(SUBJECT, later).to_json()
    );
    println!(
        "   US Privacy    {}",
        ledger.export_us_privacy(SUBJECT, later, &options)
    );
    println!("\n{} events in the log.", log.len());
    Ok(())
}

/// Dates and times as the example prints them.
const HOUR: &[time::format_description::BorrowedFormatItem<'_>] =
    time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");

/// Each purpose's decision for the reader's data at `at`, record ids cut
/// to 12 characters.
fn show(ledger: &Ledger, at: OffsetDateTime) {
    let when = at.format(&HOUR).unwrap_or_default();
    println!("   decisions at {when} UTC:");
    for purpose in PURPOSES {
        let category = if purpose == "account" {
            "contact"
        } else {
            "browsing"
        };
        let decision = ledger.decide(SUBJECT, purpose, category, at);
        let mark = if decision.is_permitted() {
            "yes"
        } else {
            "no "
        };
        let mut text = decision.to_string();
        if let Some(i) = text.find("(record ") {
            text.truncate(i + "(record ".len() + 12);
            text.push_str("...)");
        }
        println!("     {purpose:<10} {mark}  {text}");
    }
}
