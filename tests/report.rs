//! Subject reports, consent receipts (ISO/IEC TS 27560 via DPV, Kantara
//! v1.1) and the portability export, through the public API.

mod rights;

use consentry::{
    Answer, Catalog, ConsentStatus, Decision, DefaultRule, EXPORT_FORMAT, Grant,
    ISO27560_RECEIPT_SCHEMA, ISO27560_RECORD_SCHEMA, KANTARA_VERSION, Ledger, LegalBasis,
    PurposeDef, ReceiptOptions, Snapshot,
};
use rights::*;
use serde_json::{Value, json};

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// Ann: newsletter given, analytics refused, ads given then GPC; health
/// research given (sensitive).
fn ann() -> Ledger {
    let mut l = shop();
    l.give(Grant::new("ann", "newsletter", T0, banner(2)))
        .unwrap();
    l.refuse("ann", "analytics", T0 + days(1), banner(1))
        .unwrap();
    l.give(Grant::new("ann", "health.research", T0, banner(1)))
        .unwrap();
    l
}

#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<consentry::SubjectReport>();
    check::<consentry::PurposeReport>();
    check::<consentry::ConsentReceipt>();
    check::<consentry::ReceiptOptions>();
    check::<consentry::SubjectExport>();
    check::<consentry::Ask>();
    check::<consentry::PrunedRecord>();
    check::<consentry::ExpiringGrant<'static>>();
    check::<consentry::Audit>();
}

// ---------------------------------------------------------------------------
// Subject report
// ---------------------------------------------------------------------------

#[test]
fn report_lists_every_purpose_with_status_evidence_and_decisions() {
    let l = ann();
    let at = T0 + days(30);
    let report = l.subject_report("ann", at);
    assert_eq!(report.subject(), "ann");
    assert_eq!(report.at(), at);
    assert_eq!(report.controller(), Some("Acme Shop Ltd"));
    assert!(report.is_known());
    let names: Vec<&str> = report.purposes().iter().map(|p| p.purpose()).collect();
    assert_eq!(names, PURPOSES);

    let n = report.purpose("newsletter").unwrap();
    assert_eq!(n.title(), "Newsletter");
    assert_eq!(n.description(), "A monthly e-mail about offers.");
    assert_eq!(n.basis(), LegalBasis::Consent);
    assert_eq!(n.default_rule(), DefaultRule::DeniedUntilConsent);
    assert_eq!(n.status(), ConsentStatus::Given);
    assert_eq!(n.answer(), Some(Answer::Given));
    assert_eq!(n.answered_at(), Some(T0));
    assert_eq!(n.valid_until(), Some(T0 + days(395)));
    assert_eq!(n.categories(), ["contact.email"]);
    assert_eq!(n.evidence().and_then(|e| e.proof()), Some("rcpt-0001"));
    assert!(n.record().is_some());
    assert_eq!(n.decisions().len(), 1);
    assert!(n.decisions()[0].is_permitted());

    let a = report.purpose("analytics").unwrap();
    assert_eq!(a.status(), ConsentStatus::Refused);
    assert_eq!(a.answer(), Some(Answer::Refused));
    assert_eq!(a.valid_until(), None);
    assert!(a.categories().is_empty());
    assert_eq!(a.default_rule(), DefaultRule::PermittedUntilOptOut);
}

#[test]
fn unanswered_purposes_show_what_happens_by_default() {
    let l = ann();
    let at = T0 + days(30);
    let report = l.subject_report("ann", at);
    for (purpose, rule) in [
        ("ads", DefaultRule::DeniedUntilConsent),
        ("data.sale", DefaultRule::PermittedUntilOptOut),
        // `location` has a sensitive child: that part needs explicit consent.
        ("fraud", DefaultRule::PermittedUntilOptOutExceptSensitive),
        ("orders", DefaultRule::Permitted),
        ("tax", DefaultRule::Permitted),
        ("recalls", DefaultRule::Permitted),
        ("census", DefaultRule::PermittedUntilOptOut),
    ] {
        let p = report.purpose(purpose).unwrap();
        assert_eq!(p.answer(), None, "{purpose}");
        assert_eq!(p.status(), ConsentStatus::Unknown, "{purpose}");
        assert_eq!(p.default_rule(), rule, "{purpose}");
    }
    // Every decision is exactly what `decide` says, for every purpose.
    for p in report.purposes() {
        let declared: Vec<&str> = l
            .catalog()
            .purpose(p.purpose())
            .unwrap()
            .categories()
            .collect();
        let listed: Vec<&str> = p.decisions().iter().map(|d| d.category()).collect();
        assert_eq!(listed, declared);
        for d in p.decisions() {
            assert_eq!(d.decision(), l.decide("ann", p.purpose(), d.category(), at));
        }
    }
    let ads = report.purpose("ads").unwrap();
    assert_eq!(ads.decisions()[0].decision(), Decision::NoConsent);
    // Fraud over `location`, which has a sensitive descendant.
    let fraud = report.purpose("fraud").unwrap();
    assert_eq!(
        fraud.decisions()[1].decision(),
        Decision::ExplicitConsentRequired
    );
}

#[test]
fn report_of_an_unknown_or_erased_subject() {
    let mut l = ann();
    let at = T0 + days(30);
    let nobody = l.subject_report("nobody", at);
    assert!(!nobody.is_known());
    assert!(nobody.purposes().iter().all(|p| p.answer().is_none()));
    // Someone who said nothing gets each purpose's default.
    let empty = Ledger::new(l.catalog().clone());
    for p in nobody.purposes() {
        for d in p.decisions() {
            assert_eq!(
                d.decision(),
                empty.decide("nobody", p.purpose(), d.category(), at)
            );
        }
    }
    assert!(
        nobody
            .to_string()
            .contains("We hold no record of your choices.")
    );

    l.erase("ann", at).unwrap();
    let erased = l.subject_report("ann", at);
    assert!(!erased.is_known());
    assert_eq!(erased.erased_at(), Some(at));
    assert!(erased.purposes().iter().all(|p| p.evidence().is_none()));
}

#[test]
fn report_shows_marks() {
    let mut l = ann();
    l.register("ann", T0 - days(10)).unwrap();
    l.set_global_opt_out("ann", T0 + days(2), gpc()).unwrap();
    l.withdraw_all("ann", T0 + days(3), settings()).unwrap();
    let report = l.subject_report("ann", T0 + days(4));
    assert_eq!(report.registered_at(), Some(T0 - days(10)));
    let signal = report.global_opt_out().unwrap();
    assert!(signal.is_on());
    assert_eq!(signal.since(), T0 + days(2));
    assert_eq!(report.withdrawn_all_at(), Some(T0 + days(3)));
    let n = report.purpose("newsletter").unwrap();
    assert_eq!(n.status(), ConsentStatus::Withdrawn);
    assert_eq!(n.withdrawn_all_at(), Some(T0 + days(3)));
    assert!(!n.decisions()[0].is_permitted());
    let text = report.to_string();
    assert!(text.contains("You withdrew all your consents on 4 March 2026 at 10:00.\n"));
    assert!(text.contains(
        "Since 3 March 2026 at 10:00, your browser or device has asked us not to sell or share your data (Global Privacy Control).\n"
    ));
    assert!(text.contains(
        "  Your answer: yes, on 1 March 2026 at 10:00, valid until 31 March 2027 at 10:00; you withdrew it with all your consents on 4 March 2026 at 10:00.\n"
    ));
    assert!(text.contains(
        "  - Pages you visit \u{2014} not used: your browser or device asks us not to sell or share your data\n"
    ));
    assert_speaks_to_a_customer(&text, l.catalog());
}

#[test]
fn report_json() {
    let l = ann();
    let at = T0 + days(30);
    let json = parse(&l.subject_report("ann", at).to_json().unwrap());
    assert_eq!(json["subject"], "ann");
    assert_eq!(json["at"], "2026-03-31T10:00:00Z");
    assert_eq!(json["controller"], "Acme Shop Ltd");
    assert_eq!(json["known"], true);
    let purposes = json["purposes"].as_array().unwrap();
    assert_eq!(purposes.len(), PURPOSES.len());
    let n = &purposes[0];
    assert_eq!(n["purpose"], "newsletter");
    assert_eq!(n["title"], "Newsletter");
    assert_eq!(n["basis"], "consent");
    assert_eq!(n["direct_marketing"], true);
    assert_eq!(n["default"], "denied_until_consent");
    assert_eq!(n["status"], "given");
    assert_eq!(n["answer"], "given");
    assert_eq!(n["answered_at"], "2026-03-01T10:00:00Z");
    assert_eq!(n["valid_until"], "2027-03-31T10:00:00Z");
    assert_eq!(n["categories"], json!(["contact.email"]));
    assert_eq!(n["evidence"]["method"], "banner");
    assert_eq!(n["evidence"]["notice_version"], 2);
    assert_eq!(n["decisions"][0]["category"], "contact.email");
    // Titles for people are extra fields; the names stay.
    assert_eq!(n["decisions"][0]["title"], "E-mail address");
    assert!(n["decisions"][0].get("description").is_none());
    assert_eq!(n["category_titles"], json!(["E-mail address"]));
    let research = purposes
        .iter()
        .find(|p| p["purpose"] == "health.research")
        .unwrap();
    assert_eq!(research["decisions"][0]["category"], "health");
    assert_eq!(research["decisions"][0]["title"], "Health information");
    assert_eq!(
        research["decisions"][0]["description"],
        "Allergies and conditions you tell us about."
    );
    assert!(n["record"].as_str().is_some_and(|id| id.len() == 64));
    assert_eq!(n["decisions"][0]["permitted"], true);
    assert!(
        n["decisions"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("permitted: consent given at 2026-03-01T10:00:00Z")
    );
    let orders = purposes.iter().find(|p| p["purpose"] == "orders").unwrap();
    assert_eq!(orders["status"], "unknown");
    assert!(orders.get("answer").is_none());
    assert_eq!(orders["default"], "permitted");
    assert_eq!(
        orders["decisions"][0]["reason"],
        "permitted: lawful on the basis of contract, not consent"
    );
}

#[test]
fn report_text() {
    let l = ann();
    let text = l.subject_report("ann", T0 + days(30)).to_string();
    assert!(
        text.starts_with(
            "Your consent choices with Acme Shop Ltd, as of 31 March 2026 at 10:00.\nAll dates and times are in UTC.\n\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Newsletter
  A monthly e-mail about offers.
  Legal basis: consent. This is direct marketing.
  If you say nothing: not used unless you agree.
  Your answer: yes, on 1 March 2026 at 10:00, valid until 31 March 2027 at 10:00.
  Your consent covers: E-mail address.
  How you told us: on our consent banner (web), after seeing version 2 of our notice.
  - E-mail address \u{2014} used, with your consent
"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Orders
  Delivering what you bought.
  Legal basis: contract.
  If you say nothing: used: needed whatever you answer.
  Your answer: none yet.
  - Contact details \u{2014} used, on the legal basis of contract
  - Purchase history \u{2014} used, on the legal basis of contract
"
        ),
        "{text}"
    );
    assert!(text.contains("  Your answer: no, on 2 March 2026 at 10:00.\n"));
    // A category without a declared title gets one made from its name.
    assert!(text.contains(
        "  - Location \u{2014} not used: it is sensitive data, used only if you explicitly agree\n"
    ), "{text}");
    assert_speaks_to_a_customer(&text, l.catalog());
}

/// Asserts that `text` is written for a person: no backtick, no event id
/// or other long hexadecimal run, no RFC 3339 time, no snake_case word, no
/// dotted or snake_case machine name of `catalog`, UTC said exactly once.
#[track_caller]
fn assert_speaks_to_a_customer(text: &str, catalog: &Catalog) {
    assert!(!text.contains('`'), "a backtick in:\n{text}");
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_hexdigit() { run + 1 } else { 0 };
        assert!(run < 16, "a hexadecimal id in:\n{text}");
    }
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        let digit = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_digit);
        assert!(
            !(*b == b'T' && i > 0 && digit(i - 1) && digit(i + 1)),
            "an RFC 3339 time in:\n{text}"
        );
    }
    for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        assert!(!word.contains('_'), "snake_case word `{word}` in:\n{text}");
    }
    let names = catalog
        .purposes()
        .map(|p| p.name())
        .chain(catalog.categories().map(|c| c.name()));
    for name in names.filter(|n| n.contains('.') || n.contains('_')) {
        assert!(!text.contains(name), "machine name `{name}` in:\n{text}");
    }
    assert_eq!(text.matches("UTC").count(), 1, "{text}");
}

#[test]
fn report_text_for_every_situation_speaks_to_a_customer() {
    // Every answer, mark and decision a shop customer can meet.
    let mut l = ann();
    l.register("ann", T0 - days(10)).unwrap();
    l.object("ann", "data.sale", T0 + days(2), settings())
        .unwrap();
    l.withdraw("ann", "health.research", T0 + days(3), settings())
        .unwrap();
    l.give(Grant::new("ann", "ads", T0, banner(1)).expires_at(T0 + days(5)))
        .unwrap();
    l.set_global_opt_out("ann", T0 + days(6), gpc()).unwrap();
    l.clear_global_opt_out("ann", T0 + days(7), gpc()).unwrap();
    let at = T0 + days(40);
    let text = l.subject_report("ann", at).to_string();
    assert_speaks_to_a_customer(&text, l.catalog());
    for expected in [
        "Targeted advertising\n",
        "Sale of customer lists\n",
        "  Your answer: yes, on 1 March 2026 at 10:00, valid until 6 March 2026 at 10:00; it has expired.\n",
        "  - Pages you visit \u{2014} not used: your consent has expired\n",
        "  Your answer: you objected on 3 March 2026 at 10:00.\n",
        "  - E-mail address \u{2014} not used: you objected\n",
        "  Your answer: you withdrew your consent on 4 March 2026 at 10:00.\n",
        "  How you told us: in your privacy settings (web).\n",
        "  - Health information \u{2014} not used: you withdrew your consent\n",
        "On 8 March 2026 at 10:00, your browser or device stopped asking us not to sell or share your data (Global Privacy Control).\n",
    ] {
        assert!(text.contains(expected), "`{expected}` not in:\n{text}");
    }

    // A consent to sharing, on hold while the opt-out signal is on.
    let mut shared = shop();
    shared.give(Grant::new("cy", "ads", T0, banner(1))).unwrap();
    shared
        .set_global_opt_out("cy", T0 + days(1), gpc())
        .unwrap();
    let text = shared.subject_report("cy", T0 + days(2)).to_string();
    assert_speaks_to_a_customer(&text, shared.catalog());
    assert!(text.contains(
        "  Your answer: yes, on 1 March 2026 at 10:00, valid until 31 March 2027 at 10:00; it is on hold while your browser or device asks us not to sell or share your data.\n"
    ), "{text}");

    // A newsletter consent under a notice no longer accepted.
    let mut old = Ledger::new(catalog_with(3, 3));
    old.give(Grant::new("bo", "newsletter", T0, banner(3)))
        .unwrap();
    let snapshot = old.snapshot();
    let stricter = Ledger::restore_with_catalog(snapshot, catalog_with(4, 4)).unwrap();
    let text = stricter.subject_report("bo", at).to_string();
    assert_speaks_to_a_customer(&text, stricter.catalog());
    assert!(text.contains(
        "  Your answer: yes, on 1 March 2026 at 10:00, valid until 31 March 2027 at 10:00; our notice has changed since, so we need to ask you again.\n"
    ), "{text}");
    assert!(text.contains(
        "  - E-mail address \u{2014} not used: our notice has changed since you agreed, so we need to ask you again\n"
    ), "{text}");

    // Erased, and a subject never seen.
    l.erase("ann", at).unwrap();
    let text = l.subject_report("ann", at).to_string();
    assert_speaks_to_a_customer(&text, l.catalog());
    assert!(text.contains("We hold no record of your choices.\nWe erased your records on 10 April 2026 at 10:00.\n"), "{text}");
    assert!(text.contains("  - E-mail address \u{2014} not used: we erased your records\n"));
    let text = l.subject_report("nobody", at).to_string();
    assert_speaks_to_a_customer(&text, l.catalog());
}

// ---------------------------------------------------------------------------
// Receipts
// ---------------------------------------------------------------------------

fn options() -> ReceiptOptions {
    ReceiptOptions::new()
        .receipt_id("c1befd3e-b7e5-4ea6-8688-e9a565aade21")
        .policy_url("https://shop.example/privacy")
        .withdrawal_method("https://shop.example/account/privacy")
        .controller_contact("privacy@shop.example")
}

#[test]
fn iso27560_receipt_follows_the_dpv_profile() {
    let l = ann();
    let at = T0 + days(30);
    let receipt = l.receipt("ann", "newsletter", at, &options()).unwrap();
    let json = parse(&receipt.to_iso27560_json().unwrap());
    assert_eq!(json["@context"]["dpv"], "https://w3id.org/dpv#");
    assert_eq!(json["@type"], "dpv:ConsentReceipt");
    assert_eq!(
        json["dct:identifier"],
        "c1befd3e-b7e5-4ea6-8688-e9a565aade21"
    );
    assert_eq!(json["dct:conformsTo"]["@id"], ISO27560_RECEIPT_SCHEMA);
    assert_eq!(
        json["dct:created"],
        json!({"@value": "2026-03-31T10:00:00Z", "@type": "xsd:dateTime"})
    );
    assert_eq!(json["dct:publisher"], json!({"@id": "_:controller"}));
    assert_eq!(
        json["dct:references"],
        json!({"@id": "https://shop.example/privacy"})
    );

    let record = &json["dpv:hasRecordOfActivity"];
    let held = l.subject_records("ann").unwrap();
    let event = held.record("newsletter").unwrap().event().to_string();
    assert_eq!(record["@type"], "dpv:ConsentRecord");
    assert_eq!(record["dct:identifier"], event.as_str());
    assert_eq!(record["dct:conformsTo"]["@id"], ISO27560_RECORD_SCHEMA);
    assert_eq!(
        record["dpv:hasDataSubject"],
        json!({"@type": "dpv:DataSubject", "dct:identifier": "ann"})
    );
    assert_eq!(
        record["dpv:hasDataController"],
        json!({"@id": "_:controller"})
    );
    assert_eq!(
        record["dpv:hasEntity"][0],
        json!({
            "@id": "_:controller",
            "@type": "dpv:DataController",
            "dpv:hasName": "Acme Shop Ltd",
            "dpv:hasIdentifier": "Acme Shop Ltd",
            "schema:contactPoint": {"@type": "schema:ContactPoint", "schema:name": "privacy@shop.example"},
        })
    );
    assert_eq!(record["dpv:hasJurisdiction"], json!({"@id": "loc:EU"}));
    assert_eq!(
        record["dpv:hasLegalBasis"],
        json!({"@id": "dpv:ExpressedConsent"})
    );
    assert_eq!(
        record["dpv:hasNotice"],
        json!([
            {"@type": "dpv:ConsentNotice", "dct:hasVersion": "2", "dct:language": "en"},
            {"@type": "dpv:PrivacyNotice", "schema:url": {"@id": "https://shop.example/privacy"}},
        ])
    );
    let process = &record["dpv:hasProcess"];
    assert_eq!(process["@type"], "dpv:Process");
    assert_eq!(process["dpv:hasPurpose"]["dct:identifier"], "newsletter");
    assert_eq!(process["dpv:hasPurpose"]["dct:title"], "Newsletter");
    assert_eq!(
        process["dpv:hasPersonalData"],
        json!([{"@type": "dpv:PersonalData", "dct:identifier": "contact.email"}])
    );
    assert_eq!(process["dpv:hasLegalBasis"], json!({"@id": "dpv:Consent"}));
    assert_eq!(
        process["dpv:hasDataController"],
        json!({"@id": "_:controller"})
    );
    assert_eq!(
        process["dpv:hasRecipient"],
        json!([{"@id": "_:controller"}])
    );
    assert_eq!(
        process["dpv:hasConsentControl"],
        json!({"@type": "dpv:WithdrawConsent", "dpv:isExercisedAt": {"@id": "https://shop.example/account/privacy"}})
    );
    assert_eq!(
        process["dpv:hasRight"][0],
        json!({
            "@type": ["dpv:DataSubjectRight", "eu-gdpr:A7-3"],
            "dct:title": "Right to withdraw consent",
            "dpv:isExercisedAt": {"@id": "https://shop.example/account/privacy"},
        })
    );
    assert_eq!(
        record["dpv:hasConsentStatus"],
        json!([{
            "@type": ["dpv:ConsentGiven", "dpv:ExpressedConsent"],
            "dpv:isIndicatedAtTime": {"@value": "2026-03-01T10:00:00Z", "@type": "xsd:dateTime"},
            "dpv:hasDuration": {
                "@type": "dpv:UntilTimeDuration",
                "rdf:value": {"@value": "2027-03-31T10:00:00Z", "@type": "xsd:dateTime"},
            },
            "dpv:isIndicatedBy": {"@id": "dpv:DataSubject"},
            "dpv:hasIndicationMethod": "banner via web",
            "dct:references": "rcpt-0001",
        }])
    );
}

#[test]
fn iso27560_events_say_what_ended_the_consent() {
    let mut l = ann();
    // Expired at the issue time.
    let later = T0 + days(400);
    let r = l.receipt("ann", "newsletter", later, &options()).unwrap();
    assert_eq!(r.status(), ConsentStatus::Expired);
    let json = parse(&r.to_iso27560_json().unwrap());
    let events = json["dpv:hasRecordOfActivity"]["dpv:hasConsentStatus"]
        .as_array()
        .unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["@type"], "dpv:ConsentExpired");
    assert_eq!(
        events[1]["dpv:isIndicatedAtTime"]["@value"],
        "2027-03-31T10:00:00Z"
    );
    assert_eq!(
        events[1]["dpv:isIndicatedBy"],
        json!({"@id": "_:controller"})
    );

    // Withdrawn all at once.
    l.withdraw_all("ann", T0 + days(5), settings()).unwrap();
    let r = l
        .receipt("ann", "newsletter", T0 + days(6), &options())
        .unwrap();
    let json = parse(&r.to_iso27560_json().unwrap());
    let events = &json["dpv:hasRecordOfActivity"]["dpv:hasConsentStatus"];
    assert_eq!(events[1]["@type"], "dpv:ConsentWithdrawn");
    assert_eq!(
        events[1]["dpv:isIndicatedAtTime"]["@value"],
        "2026-03-06T10:00:00Z"
    );
    assert_eq!(
        events[1]["dpv:isIndicatedBy"],
        json!({"@id": "dpv:DataSubject"})
    );

    // A refusal: the purpose's categories, what was declined.
    let r = l
        .receipt("ann", "analytics", T0 + days(6), &options())
        .unwrap();
    assert_eq!(r.categories(), ["browsing"]);
    let json = parse(&r.to_iso27560_json().unwrap());
    let record = &json["dpv:hasRecordOfActivity"];
    assert_eq!(
        record["dpv:hasConsentStatus"][0]["@type"],
        "dpv:ConsentRefused"
    );
    assert_eq!(
        record["dpv:hasConsentStatus"][0]["dpv:hasDuration"],
        json!({"@type": "dpv:UntilEventDuration", "rdf:value": "until the data subject gives consent again"})
    );
    assert_eq!(
        record["dpv:hasProcess"]["dpv:hasLegalBasis"],
        json!({"@id": "dpv:LegitimateInterest"})
    );
}

#[test]
fn iso27560_notice_outdated_is_invalidated() {
    let l = ann();
    // The controller raises the newsletter's minimum notice to 3.
    let snapshot = Snapshot::from_json(&l.snapshot().to_json().unwrap()).unwrap();
    let l = Ledger::restore_with_catalog(snapshot, catalog_with(3, 3)).unwrap();
    let r = l
        .receipt("ann", "newsletter", T0 + days(1), &options())
        .unwrap();
    assert_eq!(r.status(), ConsentStatus::Invalidated);
    let json = parse(&r.to_iso27560_json().unwrap());
    let events = &json["dpv:hasRecordOfActivity"]["dpv:hasConsentStatus"];
    assert_eq!(events[1]["@type"], "dpv:ConsentInvalidated");
}

#[test]
fn legal_bases_map_to_dpv_concepts() {
    let mut l = shop();
    let expected = [
        ("newsletter", "dpv:Consent"),
        ("health.research", "dpv:ExplicitlyExpressedConsent"),
        ("analytics", "dpv:LegitimateInterest"),
        ("orders", "dpv:Contract"),
        ("tax", "dpv:LegalObligation"),
        ("recalls", "dpv:VitalInterest"),
        ("census", "dpv:PublicInterest"),
    ];
    for (purpose, concept) in expected {
        l.refuse("ann", purpose, T0, banner(1)).unwrap();
        let r = l
            .receipt("ann", purpose, T0, &ReceiptOptions::new())
            .unwrap();
        let json = parse(&r.to_iso27560_json().unwrap());
        assert_eq!(
            json["dpv:hasRecordOfActivity"]["dpv:hasProcess"]["dpv:hasLegalBasis"],
            json!({ "@id": concept }),
            "{purpose}"
        );
    }
}

#[test]
fn kantara_receipt() {
    let l = ann();
    let at = T0 + days(30);
    let receipt = l.receipt("ann", "newsletter", at, &options()).unwrap();
    let json = parse(&receipt.to_kantara_json().unwrap());
    let event = l
        .subject_records("ann")
        .unwrap()
        .record("newsletter")
        .unwrap()
        .event()
        .to_string();
    assert_eq!(
        json,
        json!({
            "version": KANTARA_VERSION,
            "jurisdiction": "EU",
            "consentTimestamp": T0.unix_timestamp(),
            "collectionMethod": "banner via web",
            "consentReceiptID": "c1befd3e-b7e5-4ea6-8688-e9a565aade21",
            "language": "en",
            "piiPrincipalId": "ann",
            "piiControllers": [{
                "piiController": "Acme Shop Ltd",
                "contact": "privacy@shop.example",
                "address": {},
                "email": "",
                "phone": "",
            }],
            "policyUrl": "https://shop.example/privacy",
            "services": [{
                "service": "Acme Shop Ltd",
                "purposes": [{
                    "purpose": "Newsletter",
                    "purposeCategory": ["newsletter"],
                    "consentType": "EXPRESSED",
                    "piiCategory": ["contact.email"],
                    "primaryPurpose": false,
                    "termination": "valid until 2027-03-31T10:00:00Z; withdraw at any time: https://shop.example/account/privacy",
                    "thirdPartyDisclosure": false,
                    "legalBasis": "consent",
                    "noticeVersion": 2,
                    "answer": "given",
                    "consentStatus": "given",
                    "validFrom": "2026-03-01T10:00:00Z",
                    "validUntil": "2027-03-31T10:00:00Z",
                    "withdrawalMethod": "https://shop.example/account/privacy",
                    "proof": "rcpt-0001",
                    "recordId": event,
                }],
            }],
            "sensitive": false,
            "spiCat": [],
        })
    );
}

#[test]
fn sensitive_data_in_receipts() {
    let l = ann();
    let r = l
        .receipt("ann", "health.research", T0, &ReceiptOptions::new())
        .unwrap();
    assert_eq!(r.sensitive_categories(), ["health"]);
    let k = parse(&r.to_kantara_json().unwrap());
    assert_eq!(k["sensitive"], true);
    assert_eq!(k["spiCat"], json!(["health"]));
    assert_eq!(k["services"][0]["purposes"][0]["consentType"], "EXPLICIT");
    let d = parse(&r.to_iso27560_json().unwrap());
    assert_eq!(
        d["dpv:hasRecordOfActivity"]["dpv:hasProcess"]["dpv:hasPersonalData"],
        json!([{"@type": "dpv:SensitivePersonalData", "dct:identifier": "health"}])
    );

    // A sensitive descendant reached through a parent is listed too.
    let mut l = shop();
    l.give(Grant::new("bo", "fraud", T0, banner(1))).unwrap();
    let r = l
        .receipt("bo", "fraud", T0, &ReceiptOptions::new())
        .unwrap();
    assert_eq!(r.categories(), ["purchases", "location"]);
    assert_eq!(r.sensitive_categories(), ["location.precise"]);
    let d = parse(&r.to_iso27560_json().unwrap());
    assert_eq!(
        d["dpv:hasRecordOfActivity"]["dpv:hasProcess"]["dpv:hasPersonalData"],
        json!([
            {"@type": "dpv:PersonalData", "dct:identifier": "purchases"},
            {"@type": "dpv:PersonalData", "dct:identifier": "location"},
            {"@type": "dpv:SensitivePersonalData", "dct:identifier": "location.precise"},
        ])
    );
    let k = parse(&r.to_kantara_json().unwrap());
    assert_eq!(k["services"][0]["purposes"][0]["consentType"], "EXPLICIT");
}

#[test]
fn receipt_defaults_and_absence() {
    let l = ann();
    assert!(
        l.receipt("ann", "orders", T0, &ReceiptOptions::new())
            .is_none()
    );
    assert!(
        l.receipt("ann", "loyalty", T0, &ReceiptOptions::new())
            .is_none()
    );
    assert!(
        l.receipt("bob", "newsletter", T0, &ReceiptOptions::new())
            .is_none()
    );
    let r = l
        .receipt("ann", "newsletter", T0 + days(1), &ReceiptOptions::new())
        .unwrap();
    let event = r.record().event().to_string();
    assert_eq!(r.receipt_id(), format!("{event}@2026-03-02T10:00:00Z"));
    assert_eq!(r.subject(), "ann");
    assert_eq!(r.purpose(), "newsletter");
    assert_eq!(r.controller(), Some("Acme Shop Ltd"));
    assert_eq!(r.basis(), LegalBasis::Consent);
    assert_eq!(r.issued_at(), T0 + days(1));
    let k = parse(&r.to_kantara_json().unwrap());
    // Kantara v1.1 requires a policy URL: empty when the options give none.
    assert_eq!(k["policyUrl"], "");
    assert_eq!(
        k["services"][0]["purposes"][0]["termination"],
        "valid until 2027-03-31T10:00:00Z"
    );

    // Jurisdiction and language default from the options when the evidence
    // names none.
    let mut l = shop();
    l.give(Grant::new(
        "cy",
        "newsletter",
        T0,
        consentry::Evidence::new(consentry::CollectionMethod::Form).with_notice_version(2),
    ))
    .unwrap();
    let r = l
        .receipt(
            "cy",
            "newsletter",
            T0,
            &ReceiptOptions::new().jurisdiction("US-CA").language("es"),
        )
        .unwrap();
    assert_eq!(r.jurisdiction(), Some("US-CA"));
    assert_eq!(r.language(), Some("es"));
    let k = parse(&r.to_kantara_json().unwrap());
    assert_eq!(k["collectionMethod"], "form");
}

#[test]
fn receipt_text() {
    let l = ann();
    let text = l
        .receipt("ann", "newsletter", T0 + days(30), &options())
        .unwrap()
        .to_string();
    assert_eq!(
        text,
        "Consent receipt
Receipt reference: c1befd3e-b7e5-4ea6-8688-e9a565aade21
Issued on 31 March 2026 at 10:00.
All dates and times are in UTC.
Controller: Acme Shop Ltd (privacy@shop.example)
Purpose: Newsletter
  A monthly e-mail about offers.
Legal basis: consent
Data: E-mail address
Your answer: yes, on 1 March 2026 at 10:00, valid until 31 March 2027 at 10:00.
How you told us: on our consent banner (web), after seeing version 2 of our notice.
Jurisdiction: EU
To withdraw: https://shop.example/account/privacy
Privacy policy: https://shop.example/privacy
"
    );
    assert_speaks_to_a_customer(&text, l.catalog());

    // Without a receipt id from the host, no reference is shown (the
    // default is made of the event id, for the JSON forms).
    let mut l = l;
    l.withdraw_all("ann", T0 + days(3), settings()).unwrap();
    let text = l
        .receipt(
            "ann",
            "health.research",
            T0 + days(30),
            &ReceiptOptions::new(),
        )
        .unwrap()
        .to_string();
    assert_eq!(
        text,
        "Consent receipt
Issued on 31 March 2026 at 10:00.
All dates and times are in UTC.
Controller: Acme Shop Ltd
Purpose: Health research
  Studies on allergies with our university partner.
Legal basis: explicit consent
Data: Health information
Sensitive data: Health information
Your answer: yes, on 1 March 2026 at 10:00, valid until 29 February 2028 at 10:00; you withdrew it with all your consents on 4 March 2026 at 10:00.
How you told us: on our consent banner (web), after seeing version 1 of our notice.
Jurisdiction: EU
"
    );
    assert_speaks_to_a_customer(&text, l.catalog());
    let refused = l
        .receipt("ann", "analytics", T0 + days(30), &ReceiptOptions::new())
        .unwrap()
        .to_string();
    assert!(
        refused.contains("Data: Pages you visit\nYour answer: no, on 2 March 2026 at 10:00.\n"),
        "{refused}"
    );
    assert_speaks_to_a_customer(&refused, l.catalog());
}

// ---------------------------------------------------------------------------
// Portability export
// ---------------------------------------------------------------------------

#[test]
fn export_holds_everything_about_the_subject() {
    let mut l = ann();
    l.register("ann", T0 - days(10)).unwrap();
    l.set_global_opt_out("ann", T0 + days(2), gpc()).unwrap();
    l.withdraw_all("ann", T0 + days(3), settings()).unwrap();
    l.give(Grant::new("bob", "newsletter", T0, banner(2)))
        .unwrap();
    let at = T0 + days(4);
    let export = l.export_subject("ann", at).unwrap();
    assert_eq!(export.exported_at(), at);
    assert_eq!(export.held(), &l.subject_records("ann").unwrap());
    let json = parse(&export.to_json().unwrap());
    assert_eq!(json["format"], EXPORT_FORMAT);
    assert_eq!(json["version"], 1);
    assert_eq!(json["subject"], "ann");
    assert_eq!(json["exported_at"], "2026-03-05T10:00:00Z");
    assert_eq!(json["controller"], "Acme Shop Ltd");
    assert_eq!(json["registered"]["at"], "2026-02-19T10:00:00Z");
    assert_eq!(json["global_opt_out"]["on"], true);
    assert_eq!(
        json["global_opt_out"]["evidence"]["method"],
        "browser_signal"
    );
    assert_eq!(json["withdrawn_all"]["at"], "2026-03-04T10:00:00Z");
    assert!(json.get("erased").is_none());
    let records = json["records"].as_array().unwrap();
    let purposes: Vec<&str> = records
        .iter()
        .map(|r| r["purpose"].as_str().unwrap())
        .collect();
    assert_eq!(purposes, ["newsletter", "analytics", "health.research"]);
    let n = &records[0];
    assert_eq!(n["title"], "Newsletter");
    assert_eq!(n["basis"], "consent");
    assert_eq!(n["answer"], "given");
    assert_eq!(n["at"], "2026-03-01T10:00:00Z");
    assert_eq!(n["expires_at"], "2027-03-31T10:00:00Z");
    assert_eq!(n["categories"], json!(["contact.email"]));
    assert_eq!(n["withdrawn_by_all"], "2026-03-04T10:00:00Z");
    assert_eq!(n["status"], "withdrawn");
    assert_eq!(n["evidence"]["proof"], "rcpt-0001");
    let event = l
        .subject_records("ann")
        .unwrap()
        .record("newsletter")
        .unwrap()
        .event()
        .to_string();
    assert_eq!(n["event"], event.as_str());
    assert_eq!(records[1]["answer"], "refused");
    assert!(records[1].get("categories").is_none());
    // Nothing about anyone else.
    assert!(!export.to_json().unwrap().contains("bob"));
}

#[test]
fn export_of_unknown_and_erased_subjects() {
    let mut l = ann();
    assert!(l.export_subject("nobody", T0).is_none());
    l.erase("ann", T0 + days(1)).unwrap();
    let json = parse(
        &l.export_subject("ann", T0 + days(1))
            .unwrap()
            .to_json()
            .unwrap(),
    );
    assert_eq!(json["erased"]["at"], "2026-03-02T10:00:00Z");
    assert_eq!(json["records"], json!([]));
    assert!(json.get("registered").is_none());
}

/// GDPR Art. 9(2)(a), 12, 13: a report must not tell a person that data is
/// "used unless you object" when every decision for it needs explicit
/// consent. The default rule follows the categories.
#[test]
fn default_rule_follows_sensitive_categories() {
    let def = |name: &str, basis, categories: &[&str]| {
        PurposeDef::new(name, basis)
            .title(name)
            .description(name)
            .categories(categories.iter().copied())
    };
    let catalog = Catalog::builder()
        .category("contact")
        .sensitive_category("health")
        .purpose(def("care", LegalBasis::LegitimateInterest, &["health"]))
        .purpose(def(
            "mixed",
            LegalBasis::LegitimateInterest,
            &["contact", "health"],
        ))
        .purpose(def("billing", LegalBasis::Contract, &["contact", "health"]))
        .build()
        .unwrap();
    let l = Ledger::new(catalog);
    let report = l.subject_report("ann", T0);
    let care = report.purpose("care").unwrap();
    assert_eq!(care.default_rule(), DefaultRule::DeniedUntilConsent);
    assert_eq!(
        care.decisions()[0].decision(),
        Decision::ExplicitConsentRequired
    );
    assert_eq!(
        report.purpose("mixed").unwrap().default_rule(),
        DefaultRule::PermittedUntilOptOutExceptSensitive
    );
    assert_eq!(
        report.purpose("billing").unwrap().default_rule(),
        DefaultRule::PermittedExceptSensitive
    );
    assert!(
        report
            .to_string()
            .contains("sensitive data only if you agree")
    );
}
