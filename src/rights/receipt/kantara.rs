//! The Kantara Consent Receipt v1.1 form.
//!
//! Every field the v1.1 JSON schema (`CR_v1_1/kantara-consent-receipt-v1_1-schema.json`
//! in KantaraInitiative/consent-receipt-v-next) requires is always written:
//! from the record or the options where they supply it, else as an empty
//! string, object or array, so the receipt validates and shows what is
//! missing. The fields v1.1 has no place for are extensions in the purpose
//! object (the schema allows extra properties).

use serde_json::{Map, Value, json};

use super::{ConsentReceipt, KANTARA_VERSION, method_text, put};
use crate::ledger::records::Answer;
use crate::model::basis::LegalBasis;
use crate::rights::report::{answer_word, rfc3339};

/// A v1.1 text field: the value, or empty (v1.1 requires the field).
fn text(v: Option<&String>) -> Value {
    json!(v.map_or("", String::as_str))
}

impl ConsentReceipt {
    /// The whole receipt.
    pub(super) fn kantara(&self) -> Value {
        let r = &self.record;
        let o = &self.options;
        let mut receipt = Map::new();
        receipt.insert("version".into(), json!(KANTARA_VERSION));
        receipt.insert("jurisdiction".into(), text(self.jurisdiction.as_ref()));
        receipt.insert("consentTimestamp".into(), json!(r.at().unix_timestamp()));
        receipt.insert("collectionMethod".into(), json!(method_text(r.evidence())));
        receipt.insert("consentReceiptID".into(), json!(self.receipt_id));
        put(&mut receipt, "language", self.language.as_ref());
        receipt.insert("piiPrincipalId".into(), json!(self.subject));
        receipt.insert(
            "piiControllers".into(),
            Value::Array(self.kantara_controller().into_iter().collect()),
        );
        receipt.insert("policyUrl".into(), text(o.policy_url.as_ref()));
        receipt.insert(
            "services".into(),
            json!([{
                "service": o
                    .service
                    .as_ref()
                    .or(self.controller.as_ref())
                    .unwrap_or(&self.title),
                "purposes": [self.kantara_purpose()],
            }]),
        );
        receipt.insert(
            "sensitive".into(),
            json!(!self.sensitive_categories.is_empty()),
        );
        receipt.insert("spiCat".into(), json!(self.sensitive_categories));
        Value::Object(receipt)
    }

    /// The one purpose, with the extensions.
    fn kantara_purpose(&self) -> Value {
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
        if self.sale_or_sharing {
            purpose.insert(
                "thirdPartyName".into(),
                json!(self.options.third_party.as_deref().unwrap_or("")),
            );
        }
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
        Value::Object(purpose)
    }

    /// The controller the catalog names, with the contact details the
    /// options give (empty where they give none: v1.1 requires contact,
    /// address, email and phone).
    fn kantara_controller(&self) -> Option<Value> {
        let name = self.controller.as_ref()?;
        let o = &self.options;
        let mut c = Map::new();
        c.insert("piiController".into(), json!(name));
        c.insert("contact".into(), text(o.controller_contact.as_ref()));
        c.insert(
            "address".into(),
            match &o.controller_address {
                Some(a) => json!({ "streetAddress": a.street, "addressCountry": a.country }),
                None => json!({}),
            },
        );
        c.insert("email".into(), text(o.controller_email.as_ref()));
        c.insert("phone".into(), text(o.controller_phone.as_ref()));
        put(&mut c, "piiControllerUrl", o.controller_url.as_ref());
        Some(Value::Object(c))
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
