//! What a receipt needs that the ledger does not hold.

/// What a receipt needs that the ledger does not hold: the receipt's id, the
/// controller's identity and contact details, the privacy policy, how to
/// withdraw and exercise rights, the service, the named third party, where and
/// how long the data is stored, and the jurisdiction and language to state
/// when the evidence names none.
///
/// Every setter takes the value as the host has it; none is checked. The
/// README's "Consent receipts" section says where each one goes in each
/// format.
///
/// # Examples
///
/// ```
/// use consentry::ReceiptOptions;
/// let options = ReceiptOptions::new()
///     .receipt_id("c1befd3e-b7e5-4ea6-8688-e9a565aade21")
///     .policy_url("https://shop.example/privacy")
///     .withdrawal_method("https://shop.example/account/privacy")
///     .rights_url("https://shop.example/account/rights")
///     .controller_id("https://shop.example/#controller")
///     .controller_contact("Data Protection Officer")
///     .controller_email("privacy@shop.example")
///     .controller_phone("+44 20 7946 0000")
///     .controller_address("1 Market Street, London", "GB")
///     .storage_location("EU")
///     .retention_period("P13M")
///     .jurisdiction("EU")
///     .language("en");
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[must_use]
pub struct ReceiptOptions {
    pub(super) receipt_id: Option<String>,
    pub(super) policy_url: Option<String>,
    pub(super) withdrawal_method: Option<String>,
    pub(super) rights_url: Option<String>,
    pub(super) controller_id: Option<String>,
    pub(super) controller_contact: Option<String>,
    pub(super) controller_email: Option<String>,
    pub(super) controller_phone: Option<String>,
    pub(super) controller_url: Option<String>,
    pub(super) controller_address: Option<PostalAddress>,
    pub(super) third_party: Option<String>,
    pub(super) storage_location: Option<String>,
    pub(super) retention_period: Option<String>,
    pub(super) service: Option<String>,
    pub(super) jurisdiction: Option<String>,
    pub(super) language: Option<String>,
}

/// A postal address as both formats write it (schema.org `PostalAddress`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct PostalAddress {
    pub(super) street: String,
    pub(super) country: String,
}

impl ReceiptOptions {
    /// No options: the receipt id is derived from the record and the issue
    /// time, and the other fields come from the record or are left empty.
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

    /// Where the subject exercises their rights (access, erasure,
    /// objection...): a URL or a sentence. Default: none stated (the
    /// withdrawal method still applies to the right to withdraw).
    pub fn rights_url(mut self, url: impl Into<String>) -> Self {
        self.rights_url = Some(url.into());
        self
    }

    /// The controller's identifier, preferably an IRI
    /// (`https://shop.example/#controller`). Default: the controller's name
    /// from the catalog.
    pub fn controller_id(mut self, id: impl Into<String>) -> Self {
        self.controller_id = Some(id.into());
        self
    }

    /// How to contact the controller: a contact person, office, or address.
    pub fn controller_contact(mut self, contact: impl Into<String>) -> Self {
        self.controller_contact = Some(contact.into());
        self
    }

    /// The controller's e-mail address.
    pub fn controller_email(mut self, email: impl Into<String>) -> Self {
        self.controller_email = Some(email.into());
        self
    }

    /// The controller's phone number.
    pub fn controller_phone(mut self, phone: impl Into<String>) -> Self {
        self.controller_phone = Some(phone.into());
        self
    }

    /// The controller's web site.
    pub fn controller_url(mut self, url: impl Into<String>) -> Self {
        self.controller_url = Some(url.into());
        self
    }

    /// The controller's postal address: street address (one line) and
    /// country (an ISO 3166 code such as `GB`).
    pub fn controller_address(
        mut self,
        street: impl Into<String>,
        country: impl Into<String>,
    ) -> Self {
        self.controller_address = Some(PostalAddress {
            street: street.into(),
            country: country.into(),
        });
        self
    }

    /// The third party a sale/sharing purpose discloses the data to (a name
    /// or a category of recipients: "our advertising partners").
    pub fn third_party(mut self, name: impl Into<String>) -> Self {
        self.third_party = Some(name.into());
        self
    }

    /// Where the data is stored: an ISO 3166 code or `EU`/`EEA` (written as
    /// a DPV location IRI), or a place in words.
    pub fn storage_location(mut self, location: impl Into<String>) -> Self {
        self.storage_location = Some(location.into());
        self
    }

    /// How long the data is kept: an ISO 8601 duration (`P13M`, typed
    /// `xsd:duration`), or a condition in words ("until the account is
    /// closed").
    pub fn retention_period(mut self, period: impl Into<String>) -> Self {
        self.retention_period = Some(period.into());
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
