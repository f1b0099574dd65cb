//! The ISO/IEC TS 27560 form: a DPV-27560 consent receipt wrapping its
//! consent record, in JSON-LD.
//!
//! Field by field this follows the W3C DPV community's guide "Implementing
//! Consent Records and Receipts as per ISO/IEC TS 27560:2023 using DPV"
//! (`guides/consent-27560.html` in w3c/dpv), sections 8 (record) and 9
//! (receipt). Every term is a compact IRI over a prefix of [`CONTEXT`], and
//! every value that names a concept is a node reference (`{"@id": ...}`), so
//! a JSON-LD processor expands it to the DPV IRI rather than keeping a
//! string.

use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::{ConsentReceipt, ISO27560_RECEIPT_SCHEMA, ISO27560_RECORD_SCHEMA, method_text, put};
use crate::ledger::decision::ConsentStatus;
use crate::ledger::records::Answer;
use crate::model::basis::LegalBasis;
use crate::model::evidence::CollectionMethod;
use crate::rights::report::rfc3339;

/// The JSON-LD `@context` of the receipt: prefix and namespace, as the guide's
/// "Namespaces" section and the vocabularies themselves define them.
const CONTEXT: [(&str, &str); 7] = [
    ("dct", "http://purl.org/dc/terms/"),
    ("dpv", "https://w3id.org/dpv#"),
    ("eu-gdpr", "https://w3id.org/dpv/legal/eu/gdpr#"),
    ("loc", "https://w3id.org/dpv/loc#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("schema", "https://schema.org/"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// The blank-node id of the controller when the options give no IRI.
const CONTROLLER_NODE: &str = "_:controller";
/// The blank-node id of the third party a sale/sharing purpose names.
const THIRD_PARTY_NODE: &str = "_:third-party";

/// A data subject right a receipt lists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Right {
    Withdraw,
    Access,
    Rectification,
    Erasure,
    Restriction,
    Portability,
    Object,
}

impl Right {
    /// The title, and the GDPR article's concept in DPV's EU-GDPR extension.
    const fn describe(self) -> (&'static str, &'static str) {
        match self {
            Right::Withdraw => ("Right to withdraw consent", "eu-gdpr:A7-3"),
            Right::Access => ("Right of access", "eu-gdpr:A15"),
            Right::Rectification => ("Right to rectification", "eu-gdpr:A16"),
            Right::Erasure => ("Right to erasure", "eu-gdpr:A17"),
            Right::Restriction => ("Right to restriction of processing", "eu-gdpr:A18"),
            Right::Portability => ("Right to data portability", "eu-gdpr:A20"),
            Right::Object => ("Right to object", "eu-gdpr:A21"),
        }
    }
}

impl ConsentReceipt {
    /// The whole receipt (guide section 9).
    pub(super) fn iso27560(&self) -> Value {
        let context: Map<String, Value> = CONTEXT
            .iter()
            .map(|(prefix, ns)| ((*prefix).to_owned(), json!(ns)))
            .collect();
        let mut receipt = Map::new();
        receipt.insert("@context".into(), Value::Object(context));
        receipt.insert("@type".into(), json!("dpv:ConsentReceipt"));
        receipt.insert("dct:identifier".into(), json!(self.receipt_id));
        receipt.insert("dpv:hasIdentifier".into(), json!(self.receipt_id));
        receipt.insert("dct:conformsTo".into(), node(ISO27560_RECEIPT_SCHEMA));
        receipt.insert("dct:created".into(), date_time(self.issued_at));
        if let Some(c) = self.controller_ref() {
            receipt.insert("dct:publisher".into(), c);
        }
        if let Some(p) = &self.options.policy_url {
            receipt.insert("dct:references".into(), iri_or_text(p));
        }
        receipt.insert("schema:recipient".into(), node("dpv:DataSubject"));
        receipt.insert("dpv:hasRecordOfActivity".into(), self.iso_record());
        Value::Object(receipt)
    }

    /// The consent record (guide section 8).
    fn iso_record(&self) -> Value {
        let r = &self.record;
        let mut record = Map::new();
        record.insert("@type".into(), json!("dpv:ConsentRecord"));
        record.insert("dct:identifier".into(), json!(r.event().to_string()));
        record.insert("dct:conformsTo".into(), node(ISO27560_RECORD_SCHEMA));
        record.insert(
            "dpv:hasDataSubject".into(),
            json!({ "@type": "dpv:DataSubject", "dct:identifier": self.subject }),
        );
        if let Some(c) = self.controller_ref() {
            record.insert("dpv:hasDataController".into(), c);
        }
        if let Some(j) = &self.jurisdiction {
            record.insert("dpv:hasJurisdiction".into(), location(j));
        }
        record.insert("dpv:hasLegalBasis".into(), node(self.dpv_consent_type()));
        record.insert("dpv:hasNotice".into(), self.notices());
        record.insert("dpv:hasProcess".into(), self.process());
        let entities = self.entities();
        if !entities.is_empty() {
            record.insert("dpv:hasEntity".into(), Value::Array(entities));
        }
        record.insert(
            "dpv:hasConsentStatus".into(),
            Value::Array(self.dpv_events()),
        );
        Value::Object(record)
    }

    /// The processing the consent is about (guide 8.3).
    fn process(&self) -> Value {
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
        process.insert("dpv:hasLegalBasis".into(), node(dpv_basis(self.basis)));
        let controller = self.controller_ref();
        if let Some(c) = &controller {
            process.insert("dpv:hasDataController".into(), c.clone());
        }
        let recipients: Vec<Value> = controller
            .into_iter()
            .chain(self.third_party().map(|_| node(THIRD_PARTY_NODE)))
            .collect();
        if !recipients.is_empty() {
            process.insert("dpv:hasRecipient".into(), Value::Array(recipients));
        }
        if self.third_party().is_some() {
            process.insert("dpv:hasThirdParty".into(), node(THIRD_PARTY_NODE));
        }
        if let Some(j) = &self.jurisdiction {
            process.insert("dpv:hasJurisdiction".into(), location(j));
        }
        if let Some(s) = self.options.service.as_ref().or(self.controller.as_ref()) {
            process.insert(
                "dpv:hasService".into(),
                json!({ "@type": "dpv:Service", "dct:title": s }),
            );
        }
        if let Some(w) = &self.options.withdrawal_method {
            process.insert(
                "dpv:hasConsentControl".into(),
                json!({ "@type": "dpv:WithdrawConsent", "dpv:isExercisedAt": iri_or_text(w) }),
            );
        }
        process.insert("dpv:hasRight".into(), Value::Array(self.rights()));
        let storage = self.storage_conditions();
        if !storage.is_empty() {
            process.insert("dpv:hasStorageCondition".into(), Value::Array(storage));
        }
        Value::Object(process)
    }

    /// The consent notice shown (its version and language), and the privacy
    /// policy when the options give one (guide 8.2).
    fn notices(&self) -> Value {
        let mut notice = Map::new();
        notice.insert("@type".into(), json!("dpv:ConsentNotice"));
        if let Some(v) = self.record.evidence().notice_version() {
            notice.insert("dct:hasVersion".into(), json!(v.to_string()));
        }
        put(&mut notice, "dct:language", self.language.as_ref());
        let mut notices = vec![Value::Object(notice)];
        if let Some(p) = &self.options.policy_url {
            notices.push(json!({ "@type": "dpv:PrivacyNotice", "schema:url": iri_or_text(p) }));
        }
        Value::Array(notices)
    }

    /// The controller's and the third party's descriptions (guide 8.4).
    fn entities(&self) -> Vec<Value> {
        let mut entities = Vec::new();
        if let Some(id) = self.controller_id() {
            let o = &self.options;
            let mut c = Map::new();
            c.insert("@id".into(), json!(id));
            c.insert("@type".into(), json!("dpv:DataController"));
            put(&mut c, "dpv:hasName", self.controller.as_ref());
            put(
                &mut c,
                "dpv:hasIdentifier",
                o.controller_id.as_ref().or(self.controller.as_ref()),
            );
            let mut contact = Map::new();
            put(&mut contact, "schema:name", o.controller_contact.as_ref());
            put(&mut contact, "schema:email", o.controller_email.as_ref());
            put(
                &mut contact,
                "schema:telephone",
                o.controller_phone.as_ref(),
            );
            if !contact.is_empty() {
                contact.insert("@type".into(), json!("schema:ContactPoint"));
                c.insert("schema:contactPoint".into(), Value::Object(contact));
            }
            if let Some(a) = &o.controller_address {
                c.insert(
                    "schema:address".into(),
                    json!({
                        "@type": "schema:PostalAddress",
                        "schema:streetAddress": a.street,
                        "schema:addressCountry": a.country,
                    }),
                );
            }
            if let Some(u) = &o.controller_url {
                c.insert("schema:url".into(), iri_or_text(u));
            }
            entities.push(Value::Object(c));
        }
        if let Some(name) = self.third_party() {
            entities.push(json!({
                "@id": THIRD_PARTY_NODE,
                "@type": "dpv:ThirdParty",
                "dpv:hasName": name,
            }));
        }
        entities
    }

    /// The rights that apply to processing on the purpose's basis (guide
    /// 8.3.10), as GDPR rights where the jurisdiction is in the EEA.
    fn rights(&self) -> Vec<Value> {
        let consent = matches!(
            self.basis,
            LegalBasis::Consent | LegalBasis::ExplicitConsent
        ) || self.record.answer() == Answer::Given;
        let mut rights = Vec::new();
        if consent {
            rights.push(Right::Withdraw);
        }
        rights.extend([Right::Access, Right::Rectification]);
        if self.basis != LegalBasis::LegalObligation {
            rights.push(Right::Erasure);
        }
        rights.push(Right::Restriction);
        if consent || self.basis == LegalBasis::Contract {
            rights.push(Right::Portability);
        }
        if self.direct_marketing
            || matches!(
                self.basis,
                LegalBasis::LegitimateInterest | LegalBasis::PublicTask
            )
        {
            rights.push(Right::Object);
        }
        let gdpr = self.jurisdiction.as_deref().is_some_and(in_eea);
        rights
            .into_iter()
            .map(|right| {
                let (title, article) = right.describe();
                let mut value = Map::new();
                value.insert(
                    "@type".into(),
                    if gdpr {
                        json!(["dpv:DataSubjectRight", article])
                    } else {
                        json!("dpv:DataSubjectRight")
                    },
                );
                value.insert("dct:title".into(), json!(title));
                let at = match right {
                    Right::Withdraw => self
                        .options
                        .withdrawal_method
                        .as_ref()
                        .or(self.options.rights_url.as_ref()),
                    _ => self.options.rights_url.as_ref(),
                };
                if let Some(at) = at {
                    value.insert("dpv:isExercisedAt".into(), iri_or_text(at));
                }
                Value::Object(value)
            })
            .collect()
    }

    /// Where and how long the data is stored, from the options (guide
    /// 8.3.4.2).
    fn storage_conditions(&self) -> Vec<Value> {
        let mut conditions = Vec::new();
        if let Some(l) = &self.options.storage_location {
            conditions
                .push(json!({ "@type": "dpv:StorageLocation", "dpv:hasLocation": location(l) }));
        }
        if let Some(p) = &self.options.retention_period {
            let duration = if is_iso_duration(p) {
                json!({
                    "@type": "dpv:TemporalDuration",
                    "rdf:value": { "@value": p, "@type": "xsd:duration" },
                })
            } else {
                json!({ "@type": "dpv:UntilEventDuration", "rdf:value": p })
            };
            conditions.push(json!({ "@type": "dpv:StorageDuration", "dpv:hasDuration": duration }));
        }
        conditions
    }

    /// The consent events the record stands for, as DPV consent statuses,
    /// each with its time, duration and actor (guide 8.5): the answer, then
    /// what ended a grant by the issue time (a withdraw-all, expiry, a raised
    /// notice version, a global opt-out).
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
        if r.answer() == Answer::Given {
            answer.insert("@type".into(), json!([kind, self.dpv_consent_type()]));
        } else {
            answer.insert("@type".into(), json!(kind));
        }
        if r.answer() == Answer::Objected {
            answer.insert(
                "dct:description".into(),
                json!("objection to the processing (GDPR Art. 21)"),
            );
        }
        answer.insert("dpv:isIndicatedAtTime".into(), date_time(r.at()));
        let duration = match (r.answer(), r.expires_at()) {
            (Answer::Given, Some(t)) => {
                json!({ "@type": "dpv:UntilTimeDuration", "rdf:value": date_time(t) })
            }
            (Answer::Given, None) => json!({ "@type": "dpv:EndlessDuration" }),
            (Answer::Objected, _) => until_event("until the data subject withdraws the objection"),
            _ => until_event(UNTIL_CONSENT),
        };
        answer.insert("dpv:hasDuration".into(), duration);
        // Who gave it: the subject, a parent or guardian (DPV's
        // "Guardian(s) of Data Subject"), or both together.
        let by = match e.given_by() {
            crate::model::evidence::GivenBy::Subject => node("dpv:DataSubject"),
            crate::model::evidence::GivenBy::ParentOrGuardian => node("dpv:GuardianOfDataSubject"),
            crate::model::evidence::GivenBy::SubjectWithParent => {
                json!([node("dpv:DataSubject"), node("dpv:GuardianOfDataSubject")])
            }
        };
        answer.insert("dpv:isIndicatedBy".into(), by);
        answer.insert("dpv:hasIndicationMethod".into(), json!(method_text(e)));
        put(&mut answer, "dct:references", e.proof());
        let mut events = vec![Value::Object(answer)];
        let controller = self
            .controller_ref()
            .unwrap_or_else(|| node("dpv:DataController"));
        if let Some(w) = r.withdrawn_by_all() {
            events.push(json!({
                "@type": "dpv:ConsentWithdrawn",
                "dct:description": "all consents withdrawn at once",
                "dpv:isIndicatedAtTime": date_time(w),
                "dpv:hasDuration": until_event(UNTIL_CONSENT),
                "dpv:isIndicatedBy": node("dpv:DataSubject"),
            }));
        } else if self.status == ConsentStatus::Expired
            && let Some(t) = r.expires_at()
        {
            events.push(json!({
                "@type": "dpv:ConsentExpired",
                "dpv:isIndicatedAtTime": date_time(t),
                "dpv:hasDuration": until_event(UNTIL_CONSENT),
                "dpv:isIndicatedBy": controller,
            }));
        } else if self.status == ConsentStatus::Invalidated {
            events.push(json!({
                "@type": "dpv:ConsentInvalidated",
                "dct:description": "given under a notice version no longer accepted; re-consent needed (time: when this receipt found it so)",
                "dpv:isIndicatedAtTime": date_time(self.issued_at),
                "dpv:hasDuration": until_event(UNTIL_CONSENT),
                "dpv:isIndicatedBy": controller,
            }));
        } else if let Some(t) = self.opted_out_at {
            events.push(json!({
                "@type": "dpv:ConsentWithdrawn",
                "dct:description": "global opt-out signal (such as Global Privacy Control) honoured over the consent to sale or sharing",
                "dpv:isIndicatedAtTime": date_time(t),
                "dpv:hasDuration": until_event("until the signal is turned off and the data subject consents again"),
                "dpv:isIndicatedBy": node("dpv:DataSubject"),
                "dpv:hasIndicationMethod": CollectionMethod::BrowserSignal.as_str(),
            }));
        }
        events
    }

    /// The DPV consent type (guide 8.5.1): explicitly expressed where the
    /// purpose needs explicit consent (its basis, or sensitive data);
    /// expressed where the method was a direct action of the subject (a
    /// banner, settings page, form, e-mail link, phone call or in person);
    /// otherwise only informed (an API call, an import, a signal: the record
    /// does not say how it was expressed).
    pub(super) fn dpv_consent_type(&self) -> &'static str {
        if self.basis == LegalBasis::ExplicitConsent || !self.sensitive_categories.is_empty() {
            return "dpv:ExplicitlyExpressedConsent";
        }
        match self.record.evidence().method() {
            CollectionMethod::Banner
            | CollectionMethod::SettingsPage
            | CollectionMethod::Form
            | CollectionMethod::EmailLink
            | CollectionMethod::Phone
            | CollectionMethod::InPerson => "dpv:ExpressedConsent",
            _ => "dpv:InformedConsent",
        }
    }

    /// The controller's node id: the options' IRI, else a blank node when
    /// the catalog names a controller.
    fn controller_id(&self) -> Option<&str> {
        self.options
            .controller_id
            .as_deref()
            .or(self.controller.as_ref().map(|_| CONTROLLER_NODE))
    }

    /// A reference to the controller's node.
    fn controller_ref(&self) -> Option<Value> {
        self.controller_id().map(node)
    }

    /// The third party named for a sale/sharing purpose.
    fn third_party(&self) -> Option<&str> {
        self.options
            .third_party
            .as_deref()
            .filter(|_| self.sale_or_sharing)
    }
}

/// How long a refusal or withdrawal lasts.
const UNTIL_CONSENT: &str = "until the data subject gives consent again";

/// A node reference: a JSON-LD processor expands it as an IRI.
fn node(id: &str) -> Value {
    json!({ "@id": id })
}

/// An instant as an `xsd:dateTime` literal.
fn date_time(t: OffsetDateTime) -> Value {
    json!({ "@value": rfc3339(t), "@type": "xsd:dateTime" })
}

/// A duration that lasts until an event, said in words.
fn until_event(event: &str) -> Value {
    json!({ "@type": "dpv:UntilEventDuration", "rdf:value": event })
}

/// A URL (one word) as a node reference; anything else as text.
fn iri_or_text(s: &str) -> Value {
    let url = s.starts_with("https://") || s.starts_with("http://") || s.starts_with("mailto:");
    if url && !s.contains(char::is_whitespace) {
        node(s)
    } else {
        json!(s)
    }
}

/// A place: DPV's location concept for an ISO 3166 code (`DE`, `US-CA`) or
/// `EU`/`EEA`, else a `dpv:Location` titled with the text.
fn location(s: &str) -> Value {
    if is_location_code(s) {
        node(&format!("loc:{s}"))
    } else {
        json!({ "@type": "dpv:Location", "dct:title": s })
    }
}

/// `EU`, `EEA`, an ISO 3166-1 alpha-2 code, or one with an ISO 3166-2
/// subdivision (`US-CA`): the forms DPV's location extension names.
fn is_location_code(s: &str) -> bool {
    let upper = |p: &str| p.bytes().all(|b| b.is_ascii_uppercase());
    let (country, region) = match s.split_once('-') {
        Some((c, r)) => (c, Some(r)),
        None => (s, None),
    };
    let country_ok = (country.len() == 2 && upper(country)) || (region.is_none() && s == "EEA");
    let region_ok = region.is_none_or(|r| {
        (1..=3).contains(&r.len())
            && r.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    });
    country_ok && region_ok
}

/// Whether a jurisdiction is the EU, the EEA or in it.
fn in_eea(j: &str) -> bool {
    let country = j.split_once('-').map_or(j, |(c, _)| c);
    j == "EU" || j == "EEA" || crate::regime::is_eea_country(country)
}

/// Whether `s` looks like an ISO 8601 duration (`P13M`, `P1Y6M`, `PT12H`).
fn is_iso_duration(s: &str) -> bool {
    s.strip_prefix('P').is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || b"YMWDTHS.".contains(&b))
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn code(s: &str, expected: bool) {
        assert_eq!(is_location_code(s), expected, "{s}");
    }

    #[test]
    fn location_codes() {
        for (s, ok) in [
            ("EU", true),
            ("EEA", true),
            ("DE", true),
            ("US-CA", true),
            ("GB-ENG", true),
            ("eu", false),
            ("California", false),
            ("US-", false),
            ("US-CALI", false),
            ("", false),
            ("EEA-X", false),
        ] {
            code(s, ok);
        }
    }

    #[test]
    fn eea_and_durations() {
        assert!(in_eea("EU") && in_eea("DE") && in_eea("DE-BY") && in_eea("NO"));
        assert!(!in_eea("US-CA") && !in_eea("GB"));
        assert!(is_iso_duration("P13M") && is_iso_duration("PT12H"));
        assert!(!is_iso_duration("P") && !is_iso_duration("until closure"));
    }
}
