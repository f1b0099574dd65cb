//! A privacy dashboard: what a customer sees on their "My privacy" page, the
//! consent receipt the shop hands them (as text, as an ISO/IEC TS 27560
//! record in the W3C DPV profile, and as a Kantara Consent Receipt), and the
//! portability export behind the "Download my data" button.
//!
//! Self-contained: no files, no network. Run with
//! `cargo run --example privacy_dashboard`.

// The catalog, Mia's choices and the receipt options; the receipt tests
// (tests/receipts.rs) validate the receipts built from the same module.
mod dashboard;

fn main() -> Result<(), consentry::Error> {
    let ledger = dashboard::ledger()?;
    let now = dashboard::NOW;

    println!("=== My privacy (text) ===\n");
    println!("{}", ledger.subject_report(dashboard::SUBJECT, now));

    println!("=== Consent receipt (text) ===\n");
    // What the receipt needs that the ledger does not hold: how to reach the
    // controller, where to withdraw and exercise rights, storage.
    let options = dashboard::receipt_options();
    let Some(receipt) = ledger.receipt(dashboard::SUBJECT, "newsletter", now, &options) else {
        unreachable!("mia answered the newsletter");
    };
    println!("{receipt}");

    println!("=== Consent receipt: ISO/IEC TS 27560 (DPV) ===\n");
    println!("{}\n", receipt.to_iso27560_json()?);

    println!("=== Consent receipt: Kantara v1.1 ===\n");
    println!("{}\n", receipt.to_kantara_json()?);

    println!("=== Download my data ===\n");
    if let Some(export) = ledger.export_subject(dashboard::SUBJECT, now) {
        println!("{}", export.to_json()?);
    }
    Ok(())
}
