//! Consent receipts: one record exported as an ISO/IEC TS 27560 consent
//! record and receipt (the W3C DPV community's DPV-27560 profile), and as a
//! Kantara Consent Receipt v1.1-style JSON. The README's "Consent receipts"
//! section maps every field.
//!
//! In the `Ledger` docs: the "Subject rights: consent receipts" group.

use std::fmt;

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::error::Result;
use crate::ledger::Ledger;
use crate::ledger::decision::ConsentStatus;
use crate::ledger::records::{Answer, ConsentRecord};
use crate::model::basis::LegalBasis;
use crate::model::catalog::Catalog;
use crate::rights::report::{answer_word, rfc3339, to_json, utc};
use crate::rights::text;

/// The schema IRI of a DPV-27560 consent record.
pub const ISO27560_RECORD_SCHEMA: &str = "https://w3id.org/dpv/schema/dpv-27560#record";
/// The schema IRI of a DPV-27560 consent receipt.
pub const ISO27560_RECEIPT_SCHEMA: &str = "https://w3id.org/dpv/schema/dpv-27560#receipt";
/// The `version` of a Kantara Consent Receipt v1.1.
pub const KANTARA_VERSION: &str = "KI-CR-v1.1.0";

/// What a receipt needs that the ledger does not hold: the receipt's id, the
/// controller's contact, the privacy policy, how to withdraw, the service, and
/// the jurisdiction and language to state when the evidence names none.
///
/// # Examples
///
/// ```
/// use consentry::ReceiptOptions;
/// let options = ReceiptOptions::new()
///     .receipt_id("c1befd3e-b7e5-4ea6-8688-e9a565aade21")
///     .policy_url("https://shop.example/privacy")
///     .withdrawal_method("https://shop.example/account/privacy")
///     .controller_contact("privacy@shop.example")
///     .jurisdiction("EU")
///     .language("en");
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[must_use]
pub struct ReceiptOptions {
    receipt_id: Option<String>,
    policy_url: Option<String>,
    withdrawal_method: Option<String>,
    controller_contact: Option<String>,
    service: Option<String>,
    jurisdiction: Option<String>,
    language: Option<String>,
}

impl ReceiptOptions {
    /// No options: the receipt id is derived from the record and the issue
    /// time, and the other fields come from the record or are left out.
    pub fn new() -> Self {
        ReceiptOptions::default()
    }

    /// The receipt's unique id (Kantara recommends a UUID-4). Default: the
    /// record's event id and the issue time, `{event id}@{RFC 3339 time}`.
    pub fn receipt_id(mut self, id: impl Into<String>) -> Self {
        self.receipt_id = Some(id.into());
        self
    }

    /// The address of the controller's privacy policy.
    pub fn policy_url(mut self, url: impl Into<String>) -> Self {
        self.policy_url = Some(url.into());
        self
    }

    /// How the subject withdraws: a URL or a sentence.
    pub fn withdrawal_method(mut self, method: impl Into<String>) -> Self {
        self.withdrawal_method = Some(method.into());
        self
    }

    /// How to contact the controller (an e-mail address, a URL).
    pub fn controller_contact(mut self, contact: impl Into<String>) -> Self {
        self.controller_contact = Some(contact.into());
        self
    }

    /// The service the purpose belongs to. Default: the controller's name.
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// The jurisdiction to state when the evidence names none (e.g. `EU`).
    pub fn jurisdiction(mut self, jurisdiction: impl Into<String>) -> Self {
        self.jurisdiction = Some(jurisdiction.into());
        self
    }

    /// The language to state when the evidence names none (e.g. `en`).
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }
}

/// One subject's record for one purpose, ready to hand over as a receipt
/// (see [`Ledger::receipt`]): in ISO/IEC TS 27560 form
/// ([`ConsentReceipt::to_iso27560_json`]), in Kantara Consent Receipt v1.1
/// form ([`ConsentReceipt::to_kantara_json`]), or as text for the person
/// (its [`Display`](fmt::Display)).
///
/// The text shows the purpose and category titles, dates as people read
/// them (UTC to the minute, said once), the answer and how it was collected,
/// and the receipt reference only when [`ReceiptOptions::receipt_id`] set
/// one. Like the subject report's text, it leaves out the subject id, the
/// event id, proof references and machine names; both JSON forms carry them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentReceipt {
    receipt_id: String,
    issued_at: OffsetDateTime,
    subject: String,
    controller: Option<String>,
    purpose: String,
    title: String,
    description: String,
    basis: LegalBasis,
    sale_or_sharing: bool,
    categories: Vec<String>,
    sensitive_categories: Vec<String>,
    /// The titles of `categories` and `sensitive_categories`, for the text.
    category_titles: Vec<String>,
    sensitive_titles: Vec<String>,
    status: ConsentStatus,
    record: ConsentRecord,
    jurisdiction: Option<String>,
    language: Option<String>,
    options: ReceiptOptions,
}

/// # Subject rights: consent receipts
///
/// One record as a consent receipt (ISO/IEC TS 27560, Kantara).
impl Ledger {
    /// A receipt for `subject`'s record for `purpose`, issued at `at` (the
    /// status it states is the one at `at`). `None` if there is no such
    /// record.
    ///
    /// For a grant the receipt lists the categories covered; for a refusal,
    /// withdrawal or objection, the purpose's categories (what was declined).
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{
    ///     Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef,
    ///     ReceiptOptions,
    /// };
    /// use time::macros::datetime;
    ///
    /// let catalog = Catalog::builder()
    ///     .controller("Acme Shop Ltd")
    ///     .category("contact")
    ///     .purpose(
    ///         PurposeDef::new("newsletter", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["contact"]),
    ///     )
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1).with_jurisdiction("EU");
    /// ledger.give(Grant::new("user-1", "newsletter", t, banner))?;
    ///
    /// let options = ReceiptOptions::new().withdrawal_method("https://shop.example/privacy");
    /// let receipt = ledger.receipt("user-1", "newsletter", t, &options).unwrap();
    /// let iso = receipt.to_iso27560_json()?;
    /// assert!(iso.contains(r#""dpv:hasLegalBasis": "dpv:Consent""#));
    /// let kantara = receipt.to_kantara_json()?;
    /// assert!(kantara.contains(r#""piiPrincipalId": "user-1""#));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn receipt(
        &self,
        subject: &str,
        purpose: &str,
        at: OffsetDateTime,
        options: &ReceiptOptions,
    ) -> Option<ConsentReceipt> {
        let p = self.catalog().purpose(purpose)?;
        let record = self.subject_records(subject)?.record(purpose)?.clone();
        let categories: Vec<String> = if record.answer() == Answer::Given {
            record.categories().to_vec()
        } else {
            p.categories().map(str::to_owned).collect()
        };
        let sensitive_categories = sensitive_within(self.catalog(), &categories);
        let issued_at = utc(at);
        let evidence = record.evidence();
        Some(ConsentReceipt {
            receipt_id: options
                .receipt_id
                .clone()
                .unwrap_or_else(|| format!("{}@{}", record.event(), rfc3339(issued_at))),
            issued_at,
            subject: subject.to_owned(),
            controller: self.catalog().controller().map(str::to_owned),
            purpose: p.name().to_owned(),
            title: p.title().to_owned(),
            description: p.description().to_owned(),
            basis: p.basis(),
            sale_or_sharing: p.is_sale_or_sharing(),
            category_titles: titles(self.catalog(), &categories),
            sensitive_titles: titles(self.catalog(), &sensitive_categories),
            categories,
            sensitive_categories,
            status: self.status(subject, purpose, at),
            jurisdiction: evidence
                .jurisdiction()
                .map(str::to_owned)
                .or_else(|| options.jurisdiction.clone()),
            language: evidence
                .language()
                .map(str::to_owned)
                .or_else(|| options.language.clone()),
            record,
            options: options.clone(),
        })
    }
}

/// The titles of categories `names`, in the same order.
fn titles(catalog: &Catalog, names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|n| text::category_title(catalog, n))
        .collect()
}

/// The sensitive categories among `names` and their descendants, in catalog
/// order.
fn sensitive_within(catalog: &Catalog, names: &[String]) -> Vec<String> {
    catalog
        .categories()
        .filter(|c| c.is_sensitive())
        .filter(|c| {
            names.iter().any(|n| {
                c.name() == n
                    || c.name()
                        .strip_prefix(n.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        })
        .map(|c| c.name().to_owned())
        .collect()
}

impl ConsentReceipt {
    /// The receipt's id.
    #[must_use]
    pub fn receipt_id(&self) -> &str {
        &self.receipt_id
    }

    /// When the receipt was issued (the instant its status describes).
    #[must_use]
    pub fn issued_at(&self) -> OffsetDateTime {
        self.issued_at
    }

    /// The subject.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The controller named by the catalog.
    #[must_use]
    pub fn controller(&self) -> Option<&str> {
        self.controller.as_deref()
    }

    /// The purpose's name.
    #[must_use]
    pub fn purpose(&self) -> &str {
        &self.purpose
    }

    /// The purpose's legal basis.
    #[must_use]
    pub fn basis(&self) -> LegalBasis {
        self.basis
    }

    /// The categories the record concerns: for a grant, those covered; else
    /// the purpose's.
    #[must_use]
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// The sensitive categories among [`ConsentReceipt::categories`] and
    /// their descendants.
    #[must_use]
    pub fn sensitive_categories(&self) -> &[String] {
        &self.sensitive_categories
    }

    /// The status at [`ConsentReceipt::issued_at`].
    #[must_use]
    pub fn status(&self) -> ConsentStatus {
        self.status
    }

    /// The record the receipt is for.
    #[must_use]
    pub fn record(&self) -> &ConsentRecord {
        &self.record
    }

    /// The jurisdiction: the evidence's, else the options' default.
    #[must_use]
    pub fn jurisdiction(&self) -> Option<&str> {
        self.jurisdiction.as_deref()
    }

    /// The language: the evidence's, else the options' default.
    #[must_use]
    pub fn language(&self) -> Option<&str> {
        self.language.as_deref()
    }

    /// The receipt as an ISO/IEC TS 27560 consent receipt carrying its
    /// consent record, in the JSON-LD form of the W3C DPV community's
    /// DPV-27560 profile (`dct:conformsTo` [`ISO27560_RECEIPT_SCHEMA`] and
    /// [`ISO27560_RECORD_SCHEMA`]). Pretty-printed, keys sorted.
    ///
    /// # Errors
    ///
    /// None in practice; serde_json's own errors are passed on as
    /// [`Error::Json`](crate::Error::Json).
    pub fn to_iso27560_json(&self) -> Result<String> {
        to_json("receipt", &self.iso27560())
    }

    /// The receipt as a Kantara Consent Receipt v1.1 (`version`
    /// [`KANTARA_VERSION`]), with the fields v1.1 does not have (legal basis,
    /// notice version, validity, withdrawal method, status, record id) as
    /// extensions in the purpose. Pretty-printed, keys sorted.
    ///
    /// # Errors
    ///
    /// None in practice; serde_json's own errors are passed on as
    /// [`Error::Json`](crate::Error::Json).
    pub fn to_kantara_json(&self) -> Result<String> {
        to_json("receipt", &self.kantara())
    }

    fn iso27560(&self) -> Value {
        let r = &self.record;
        let e = r.evidence();
        let mut process = Map::new();
        process.insert("@type".into(), json!("dpv:Process"));
        process.insert(
            "dpv:hasPurpose".into(),
            json!({
                "@type": "dpv:Purpose",
                "dct:identifier": self.purpose,
                "dct:title": self.title,
                "dct:description": self.description,
            }),
        );
        let personal_data: Vec<Value> = self
            .categories
            .iter()
            .map(|c| (c, self.sensitive_categories.contains(c)))
            .chain(
                self.sensitive_categories
                    .iter()
                    .filter(|s| !self.categories.contains(s))
                    .map(|s| (s, true)),
            )
            .map(|(c, sensitive)| {
                json!({
                    "@type": if sensitive { "dpv:SensitivePersonalData" } else { "dpv:PersonalData" },
                    "dct:identifier": c,
                })
            })
            .collect();
        process.insert("dpv:hasPersonalData".into(), Value::Array(personal_data));
        process.insert("dpv:hasLegalBasis".into(), json!(dpv_basis(self.basis)));
        put(
            &mut process,
            "dpv:hasDataController",
            self.controller.as_ref(),
        );
        put(
            &mut process,
            "dpv:hasJurisdiction",
            self.jurisdiction.as_ref(),
        );
        put(
            &mut process,
            "dpv:hasService",
            self.options.service.as_ref().or(self.controller.as_ref()),
        );
        if let Some(w) = &self.options.withdrawal_method {
            process.insert(
                "dpv:hasConsentControl".into(),
                json!({ "@type": "dpv:WithdrawConsent", "dpv:isExercisedAt": w }),
            );
        }

        let mut notice = Map::new();
        notice.insert("@type".into(), json!("dpv:ConsentNotice"));
        if let Some(v) = e.notice_version() {
            notice.insert("dct:hasVersion".into(), json!(v.to_string()));
        }
        put(&mut notice, "dct:language", self.language.as_ref());

        let mut record = Map::new();
        record.insert("@type".into(), json!("dpv:ConsentRecord"));
        record.insert("dct:identifier".into(), json!(r.event().to_string()));
        record.insert("dct:conformsTo".into(), json!(ISO27560_RECORD_SCHEMA));
        record.insert("dpv:hasDataSubject".into(), json!(self.subject));
        put(
            &mut record,
            "dpv:hasDataController",
            self.controller.as_ref(),
        );
        put(
            &mut record,
            "dpv:hasJurisdiction",
            self.jurisdiction.as_ref(),
        );
        record.insert("dpv:hasNotice".into(), Value::Object(notice));
        record.insert("dpv:hasProcess".into(), Value::Object(process));
        record.insert(
            "dpv:hasConsentStatus".into(),
            Value::Array(self.dpv_events()),
        );

        let mut receipt = Map::new();
        receipt.insert(
            "@context".into(),
            json!({
                "dpv": "https://w3id.org/dpv#",
                "dct": "http://purl.org/dc/terms/",
                "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            }),
        );
        receipt.insert("@type".into(), json!("dpv:ConsentReceipt"));
        receipt.insert("dct:identifier".into(), json!(self.receipt_id));
        receipt.insert("dct:conformsTo".into(), json!(ISO27560_RECEIPT_SCHEMA));
        receipt.insert("dct:created".into(), json!(rfc3339(self.issued_at)));
        put(&mut receipt, "dct:publisher", self.controller.as_ref());
        put(
            &mut receipt,
            "dct:references",
            self.options.policy_url.as_ref(),
        );
        receipt.insert("dpv:hasRecordOfActivity".into(), Value::Object(record));
        Value::Object(receipt)
    }

    /// The consent events the record stands for, as DPV consent statuses:
    /// the answer, then what ended a grant (a withdraw-all, expiry, a raised
    /// notice version) as of the issue time.
    fn dpv_events(&self) -> Vec<Value> {
        let r = &self.record;
        let e = r.evidence();
        let mut answer = Map::new();
        let kind = match r.answer() {
            Answer::Given if r.is_renewal() => "dpv:RenewedConsentGiven",
            Answer::Given => "dpv:ConsentGiven",
            Answer::Refused | Answer::Objected => "dpv:ConsentRefused",
            Answer::Withdrawn => "dpv:ConsentWithdrawn",
        };
        answer.insert("@type".into(), json!(kind));
        if r.answer() == Answer::Objected {
            answer.insert(
                "dct:description".into(),
                json!("objection to the processing (GDPR Art. 21)"),
            );
        }
        answer.insert("dpv:isIndicatedAtTime".into(), json!(rfc3339(r.at())));
        if r.answer() == Answer::Given {
            answer.insert(
                "dpv:hasDuration".into(),
                match r.expires_at() {
                    Some(t) => json!({ "@type": "dpv:UntilTimeDuration", "rdf:value": rfc3339(t) }),
                    None => json!({ "@type": "dpv:EndlessDuration" }),
                },
            );
        }
        answer.insert("dpv:isIndicatedBy".into(), json!("dpv:DataSubject"));
        answer.insert(
            "dpv:hasIndicationMethod".into(),
            json!(method_text(r.evidence())),
        );
        put(&mut answer, "dct:references", e.proof());
        let mut events = vec![Value::Object(answer)];
        if let Some(w) = r.withdrawn_by_all() {
            events.push(json!({
                "@type": "dpv:ConsentWithdrawn",
                "dct:description": "all consents withdrawn at once",
                "dpv:isIndicatedAtTime": rfc3339(w),
                "dpv:isIndicatedBy": "dpv:DataSubject",
            }));
        } else if self.status == ConsentStatus::Expired
            && let Some(t) = r.expires_at()
        {
            events.push(json!({
                "@type": "dpv:ConsentExpired",
                "dpv:isIndicatedAtTime": rfc3339(t),
            }));
        } else if self.status == ConsentStatus::Invalidated {
            events.push(json!({
                "@type": "dpv:ConsentInvalidated",
                "dct:description": "given under a notice version no longer accepted; re-consent needed",
            }));
        }
        events
    }

    fn kantara(&self) -> Value {
        let r = &self.record;
        let mut purpose = Map::new();
        purpose.insert("purpose".into(), json!(self.title));
        purpose.insert("purposeCategory".into(), json!([self.purpose]));
        purpose.insert("consentType".into(), json!(self.consent_type()));
        purpose.insert("piiCategory".into(), json!(self.categories));
        purpose.insert(
            "primaryPurpose".into(),
            json!(self.basis == LegalBasis::Contract),
        );
        purpose.insert("termination".into(), json!(self.termination()));
        purpose.insert("thirdPartyDisclosure".into(), json!(self.sale_or_sharing));
        // Extensions: what Kantara v1.1 has no field for.
        purpose.insert("legalBasis".into(), json!(self.basis.as_str()));
        if let Some(v) = r.evidence().notice_version() {
            purpose.insert("noticeVersion".into(), json!(v));
        }
        purpose.insert("answer".into(), json!(r.answer()));
        purpose.insert("consentStatus".into(), json!(self.status));
        if r.answer() == Answer::Given {
            purpose.insert("validFrom".into(), json!(rfc3339(r.at())));
            if let Some(t) = r.expires_at() {
                purpose.insert("validUntil".into(), json!(rfc3339(t)));
            }
        }
        put(
            &mut purpose,
            "withdrawalMethod",
            self.options.withdrawal_method.as_ref(),
        );
        put(&mut purpose, "proof", r.evidence().proof());
        purpose.insert("recordId".into(), json!(r.event().to_string()));

        let mut controller = Map::new();
        if let Some(c) = &self.controller {
            controller.insert("piiController".into(), json!(c));
            put(
                &mut controller,
                "contact",
                self.options.controller_contact.as_ref(),
            );
        }
        let controllers: Vec<Value> = if controller.is_empty() {
            Vec::new()
        } else {
            vec![Value::Object(controller)]
        };

        let mut receipt = Map::new();
        receipt.insert("version".into(), json!(KANTARA_VERSION));
        put(&mut receipt, "jurisdiction", self.jurisdiction.as_ref());
        receipt.insert("consentTimestamp".into(), json!(r.at().unix_timestamp()));
        receipt.insert("collectionMethod".into(), json!(method_text(r.evidence())));
        receipt.insert("consentReceiptID".into(), json!(self.receipt_id));
        put(&mut receipt, "language", self.language.as_ref());
        receipt.insert("piiPrincipalId".into(), json!(self.subject));
        receipt.insert("piiControllers".into(), Value::Array(controllers));
        put(&mut receipt, "policyUrl", self.options.policy_url.as_ref());
        receipt.insert(
            "services".into(),
            json!([{
                "service": self
                    .options
                    .service
                    .as_ref()
                    .or(self.controller.as_ref())
                    .unwrap_or(&self.title),
                "purposes": [Value::Object(purpose)],
            }]),
        );
        receipt.insert(
            "sensitive".into(),
            json!(!self.sensitive_categories.is_empty()),
        );
        if !self.sensitive_categories.is_empty() {
            receipt.insert("spiCat".into(), json!(self.sensitive_categories));
        }
        Value::Object(receipt)
    }

    /// Kantara's consent type: `EXPLICIT` for explicit consent (and for a
    /// grant under another basis, which is the explicit consent sensitive
    /// data needs), `EXPRESSED` for consent, `NOT_CONSENT` otherwise.
    fn consent_type(&self) -> &'static str {
        match self.basis {
            LegalBasis::ExplicitConsent => "EXPLICIT",
            LegalBasis::Consent => "EXPRESSED",
            _ if self.record.answer() == Answer::Given => "EXPLICIT",
            _ => "NOT_CONSENT",
        }
    }

    /// When the consent ends, in words: validity and how to withdraw.
    fn termination(&self) -> String {
        let r = &self.record;
        let mut text = match (r.answer(), r.expires_at()) {
            (Answer::Given, Some(t)) => format!("valid until {}", rfc3339(t)),
            (Answer::Given, None) => "no expiry".to_owned(),
            (answer, _) => format!("{} at {}", answer_word(answer), rfc3339(r.at())),
        };
        if let Some(w) = r.withdrawn_by_all() {
            text.push_str(&format!("; all consents withdrawn at {}", rfc3339(w)));
        }
        if let Some(m) = &self.options.withdrawal_method {
            text.push_str("; withdraw at any time: ");
            text.push_str(m);
        }
        text
    }
}

impl fmt::Display for ConsentReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.record;
        writeln!(f, "Consent receipt")?;
        if let Some(id) = &self.options.receipt_id {
            writeln!(f, "Receipt reference: {id}")?;
        }
        writeln!(f, "Issued on {}.", text::when(self.issued_at))?;
        writeln!(f, "{}", text::UTC_NOTE)?;
        if let Some(c) = &self.controller {
            write!(f, "Controller: {c}")?;
            if let Some(contact) = &self.options.controller_contact {
                write!(f, " ({contact})")?;
            }
            writeln!(f)?;
        }
        writeln!(f, "Purpose: {}", self.title)?;
        writeln!(f, "  {}", self.description)?;
        writeln!(f, "Legal basis: {}", self.basis)?;
        writeln!(f, "Data: {}", self.category_titles.join(", "))?;
        if !self.sensitive_titles.is_empty() {
            writeln!(f, "Sensitive data: {}", self.sensitive_titles.join(", "))?;
        }
        let given = r.answer() == Answer::Given;
        writeln!(
            f,
            "Your answer: {}",
            text::answer_text(
                r.answer(),
                r.at(),
                r.expires_at().filter(|_| given),
                r.withdrawn_by_all(),
                self.status
            )
        )?;
        writeln!(f, "How you told us: {}.", text::how_collected(r.evidence()))?;
        if let Some(j) = &self.jurisdiction {
            writeln!(f, "Jurisdiction: {j}")?;
        }
        if let Some(m) = &self.options.withdrawal_method {
            writeln!(f, "To withdraw: {m}")?;
        }
        if let Some(p) = &self.options.policy_url {
            writeln!(f, "Privacy policy: {p}")?;
        }
        Ok(())
    }
}

/// The DPV concept for a legal basis.
fn dpv_basis(basis: LegalBasis) -> &'static str {
    match basis {
        LegalBasis::Consent => "dpv:Consent",
        LegalBasis::ExplicitConsent => "dpv:ExplicitlyExpressedConsent",
        LegalBasis::LegitimateInterest => "dpv:LegitimateInterest",
        LegalBasis::Contract => "dpv:Contract",
        LegalBasis::LegalObligation => "dpv:LegalObligation",
        LegalBasis::VitalInterests => "dpv:VitalInterest",
        LegalBasis::PublicTask => "dpv:PublicInterest",
    }
}

/// The collection method and channel: `banner via web`.
fn method_text(e: &crate::model::evidence::Evidence) -> String {
    match e.channel() {
        Some(c) => format!("{} via {c}", e.method()),
        None => e.method().to_string(),
    }
}

fn put<V: serde::Serialize>(map: &mut Map<String, Value>, key: &str, value: Option<V>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), json!(v));
    }
}
