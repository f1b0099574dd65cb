//! Consent receipts: one record exported as an ISO/IEC TS 27560 consent
//! record and receipt (the W3C DPV community's DPV-27560 profile), and as a
//! Kantara Consent Receipt v1.1-style JSON. The README's "Consent receipts"
//! section maps every field.
//!
//! In the `Ledger` docs: the "Subject rights: consent receipts" group.

mod iso27560;
mod kantara;
mod options;

use std::fmt;

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

pub use options::ReceiptOptions;

use crate::error::Result;
use crate::ledger::Ledger;
use crate::ledger::decision::ConsentStatus;
use crate::ledger::records::{Answer, ConsentRecord};
use crate::model::basis::LegalBasis;
use crate::model::catalog::Catalog;
use crate::rights::report::{rfc3339, to_json, utc};
use crate::rights::text;

/// The schema IRI of a DPV-27560 consent record.
pub const ISO27560_RECORD_SCHEMA: &str = "https://w3id.org/dpv/schema/dpv-27560#record";
/// The schema IRI of a DPV-27560 consent receipt.
pub const ISO27560_RECEIPT_SCHEMA: &str = "https://w3id.org/dpv/schema/dpv-27560#receipt";
/// The `version` of a Kantara Consent Receipt v1.1.
pub const KANTARA_VERSION: &str = "KI-CR-v1.1.0";

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
    direct_marketing: bool,
    categories: Vec<String>,
    sensitive_categories: Vec<String>,
    /// The titles of `categories` and `sensitive_categories`, for the text.
    category_titles: Vec<String>,
    sensitive_titles: Vec<String>,
    status: ConsentStatus,
    /// When the global opt-out that overrides this grant was set, if the
    /// status is [`ConsentStatus::OptedOut`].
    opted_out_at: Option<OffsetDateTime>,
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
    /// assert!(iso.contains(r#""@id": "dpv:ExpressedConsent""#));
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
        let held = self.subject_records(subject)?;
        let record = held.record(purpose)?.clone();
        let status = self.status(subject, purpose, at);
        let opted_out_at = held
            .global_opt_out()
            .filter(|_| status == ConsentStatus::OptedOut)
            .map(|signal| signal.since());
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
            direct_marketing: p.is_direct_marketing(),
            category_titles: titles(self.catalog(), &categories),
            sensitive_titles: titles(self.catalog(), &sensitive_categories),
            categories,
            sensitive_categories,
            status,
            opted_out_at,
            // The evidence's, else the subject's recorded jurisdiction (the
            // law its decisions follow), else the options' default.
            jurisdiction: evidence
                .jurisdiction()
                .map(str::to_owned)
                .or_else(|| self.jurisdiction(subject).map(|j| j.to_string()))
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
            let o = &self.options;
            let reach: Vec<&str> = [&o.controller_email, &o.controller_phone, &o.controller_url]
                .into_iter()
                .filter_map(|v| v.as_deref())
                .collect();
            if !reach.is_empty() {
                writeln!(f, "  {}", reach.join(", "))?;
            }
            if let Some(a) = &o.controller_address {
                writeln!(f, "  {}, {}", a.street, a.country)?;
            }
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
        if let Some(r) = &self.options.rights_url {
            writeln!(f, "Your rights (access, erasure and more): {r}")?;
        }
        if let Some(p) = &self.options.policy_url {
            writeln!(f, "Privacy policy: {p}")?;
        }
        Ok(())
    }
}

/// The collection method and channel: `banner via web`.
fn method_text(e: &crate::model::evidence::Evidence) -> String {
    let mut text = match e.channel() {
        Some(c) => format!("{} via {c}", e.method()),
        None => e.method().to_string(),
    };
    if let Some(v) = e.verification() {
        text.push_str(&format!(", by {} verified by {v}", e.given_by()));
    }
    text
}

fn put<V: serde::Serialize>(map: &mut Map<String, Value>, key: &str, value: Option<V>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), json!(v));
    }
}
