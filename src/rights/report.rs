//! What a subject sees: every purpose of the catalog with its texts, legal
//! basis, status, coverage, validity and evidence, and what the engine decides
//! for each of its categories (GDPR Art. 7(1), 12, 13 and 15 transparency).
//!
//! In the `Ledger` docs: the "Subject rights: reports" group.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use crate::error::Result;
use crate::ledger::Ledger;
use crate::ledger::decision::{ConsentStatus, Decision};
use crate::ledger::records::{Answer, ConsentRecord, OptOutSignal, SubjectRecords};
use crate::model::basis::LegalBasis;
use crate::model::evidence::Evidence;
use crate::model::purpose::Purpose;
pub use crate::rights::default_rule::DefaultRule;
pub(crate) use crate::rights::shared::{
    answer_word, evidence_text, rfc3339, ser_opt_time, ser_time, to_json, utc,
};
use crate::rights::text;
use crate::wire::id::EventId;

/// The decision for one declared category of a purpose, as it stands for the
/// subject at the report's instant.
///
/// # JSON
///
/// `{"category": .., "permitted": .., "reason": .., "decision": ..}`: the
/// category, whether it is permitted, the decision's text for people, and
/// the [`Decision`] itself as an object (see its "JSON" section). Read back,
/// `decision` is what counts: `permitted` must agree with it and `reason` is
/// not read. See [`SubjectReport`] for an example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryDecision {
    category: String,
    title: String,
    description: Option<String>,
    decision: Decision,
}

impl CategoryDecision {
    /// The category, as declared by the purpose (its descendants follow the
    /// same rules unless sensitive).
    #[must_use]
    pub fn category(&self) -> &str {
        &self.category
    }

    /// The category's title ([`crate::Category::title`]: the declared one,
    /// or one made from the name).
    #[must_use]
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The category's description, if the catalog declares one.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The decision, as [`Ledger::decide`] gives it.
    #[must_use]
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// Whether processing the category is permitted.
    #[must_use]
    pub fn is_permitted(&self) -> bool {
        self.decision.is_permitted()
    }
}

impl Serialize for CategoryDecision {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Repr<'a> {
            category: &'a str,
            title: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            description: Option<&'a str>,
            permitted: bool,
            reason: String,
            decision: &'a Decision,
        }
        Repr {
            category: &self.category,
            title: &self.title,
            description: self.description.as_deref(),
            permitted: self.decision.is_permitted(),
            reason: self.decision.to_string(),
            decision: &self.decision,
        }
        .serialize(s)
    }
}

/// Reads what [`Serialize`] writes: `decision` is the decision; `permitted`,
/// when present, must agree with it; `reason` (text for people) is not read.
impl<'de> Deserialize<'de> for CategoryDecision {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Repr {
            category: String,
            title: String,
            #[serde(default)]
            description: Option<String>,
            #[serde(default)]
            permitted: Option<bool>,
            #[serde(default, rename = "reason")]
            _reason: Option<serde::de::IgnoredAny>,
            decision: Decision,
        }
        let r = Repr::deserialize(d)?;
        if let Some(permitted) = r.permitted
            && permitted != r.decision.is_permitted()
        {
            return Err(serde::de::Error::custom(format_args!(
                "`permitted` is {permitted} but the decision is `{}`",
                r.decision
            )));
        }
        Ok(CategoryDecision {
            category: r.category,
            title: r.title,
            description: r.description,
            decision: r.decision,
        })
    }
}

/// One purpose of the catalog as the subject sees it: what it is, on which
/// legal basis, what they answered and when, until when it is valid, the
/// evidence, and what is decided for each of its categories.
///
/// Serializes (with serde) as an object named like its getters (the
/// default rule as `default`), leaving out what does not apply; instants
/// are RFC 3339 text in UTC. It reads back into an equal value. See
/// [`SubjectReport`] for an example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeReport {
    purpose: String,
    title: String,
    description: String,
    basis: LegalBasis,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    sale_or_sharing: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    direct_marketing: bool,
    notice_version: u32,
    default: DefaultRule,
    status: ConsentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    answer: Option<Answer>,
    #[serde(
        default,
        with = "crate::wire::timestamp::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    answered_at: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "crate::wire::timestamp::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    valid_until: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "crate::wire::timestamp::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    withdrawn_all_at: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    categories: Vec<String>,
    /// The titles of `categories`, in the same order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    category_titles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    evidence: Option<Evidence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    record: Option<EventId>,
    decisions: Vec<CategoryDecision>,
}

impl PurposeReport {
    /// The purpose's name.
    #[must_use]
    pub fn purpose(&self) -> &str {
        &self.purpose
    }

    /// The title shown to the subject.
    #[must_use]
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The description shown to the subject.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The legal basis.
    #[must_use]
    pub fn basis(&self) -> LegalBasis {
        self.basis
    }

    /// What happens when the subject says nothing.
    #[must_use]
    pub fn default_rule(&self) -> DefaultRule {
        self.default
    }

    /// The status at the report's instant ([`Ledger::status`]).
    #[must_use]
    pub fn status(&self) -> ConsentStatus {
        self.status
    }

    /// What the subject answered; `None` if they never answered.
    #[must_use]
    pub fn answer(&self) -> Option<Answer> {
        self.answer
    }

    /// When they answered (for a grant: the start of validity).
    #[must_use]
    pub fn answered_at(&self) -> Option<OffsetDateTime> {
        self.answered_at
    }

    /// For a grant, the end of validity (exclusive); `None` for no expiry.
    #[must_use]
    pub fn valid_until(&self) -> Option<OffsetDateTime> {
        self.valid_until
    }

    /// For a grant, the withdraw-all that overrides it.
    #[must_use]
    pub fn withdrawn_all_at(&self) -> Option<OffsetDateTime> {
        self.withdrawn_all_at
    }

    /// For a grant, the categories it covers (their descendants too).
    #[must_use]
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// The titles of [`PurposeReport::categories`], in the same order.
    #[must_use]
    pub fn category_titles(&self) -> &[String] {
        &self.category_titles
    }

    /// The evidence of the answer.
    #[must_use]
    pub fn evidence(&self) -> Option<&Evidence> {
        self.evidence.as_ref()
    }

    /// The id of the event that recorded the answer.
    #[must_use]
    pub fn record(&self) -> Option<EventId> {
        self.record
    }

    /// The decision for each category the purpose declares, in declaration
    /// order.
    #[must_use]
    pub fn decisions(&self) -> &[CategoryDecision] {
        &self.decisions
    }
}

/// What one subject sees about their consent at an instant: every purpose of
/// the catalog, answered or not (see [`Ledger::subject_report`]).
///
/// Serializable to JSON for an API ([`SubjectReport::to_json`]), with the
/// machine names, event ids and RFC 3339 times. Its
/// [`Display`](fmt::Display) is plain text for the person, for an e-mail or
/// a "My privacy" page: purpose and category titles, dates as people read
/// them ("1 March 2026 at 10:00", in UTC to the minute, said once at the
/// top), what is decided for each category in words, and how the answer was
/// collected (method, channel, notice version). It leaves out the subject
/// id, event ids, proof references and every machine name.
///
/// # Examples
///
/// ```
/// use consentry::{Catalog, CategoryDef, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef};
/// use time::macros::datetime;
///
/// let catalog = Catalog::builder()
///     .controller("Acme Shop Ltd")
///     .category(CategoryDef::new("contact_email").title("E-mail address"))
///     .purpose(
///         PurposeDef::new("marketing.email", LegalBasis::Consent)
///             .title("Newsletter")
///             .description("A monthly e-mail about offers.")
///             .categories(["contact_email"]),
///     )
///     .build()?;
/// let mut ledger = Ledger::new(catalog);
/// let t = datetime!(2026-03-01 10:00 UTC);
/// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1).with_channel("web");
/// ledger.give(Grant::new("user-1", "marketing.email", t, banner))?;
///
/// let text = ledger.subject_report("user-1", t).to_string();
/// assert_eq!(
///     text,
///     "Your consent choices with Acme Shop Ltd, as of 1 March 2026 at 10:00.
/// All dates and times are in UTC.
///
/// Newsletter
///   A monthly e-mail about offers.
///   Legal basis: consent.
///   If you say nothing: not used unless you agree.
///   Your answer: yes, on 1 March 2026 at 10:00, with no end date.
///   Your consent covers: E-mail address.
///   How you told us: on our consent banner (web), after seeing version 1 of our notice.
///   - E-mail address \u{2014} used, with your consent
/// "
/// );
/// # Ok::<(), consentry::Error>(())
/// ```
///
/// # JSON
///
/// An object with `subject`, `at`, `known` and `purposes` (each a
/// [`PurposeReport`] object), and `controller`, `registered_at`,
/// `withdrawn_all_at`, `global_opt_out` (an [`OptOutSignal`] object) and
/// `erased_at` when they apply; instants are RFC 3339 text in UTC. It reads
/// back (with serde) into an equal report.
///
/// ```
/// use consentry::{Catalog, Ledger, LegalBasis, PurposeDef, SubjectReport};
/// use serde_json::json;
/// use time::macros::datetime;
///
/// let catalog = Catalog::builder()
///     .category("contact")
///     .purpose(
///         PurposeDef::new("orders", LegalBasis::Contract)
///             .title("Orders")
///             .description("Delivering what you bought.")
///             .categories(["contact"]),
///     )
///     .build()?;
/// let ledger = Ledger::new(catalog);
/// let report = ledger.subject_report("user-1", datetime!(2026-03-01 10:00 UTC));
/// let json = report.to_json()?;
/// let value: serde_json::Value = serde_json::from_str(&json).unwrap();
/// assert_eq!(
///     value,
///     json!({
///         "subject": "user-1",
///         "at": "2026-03-01T10:00:00Z",
///         "known": false,
///         "purposes": [{
///             "purpose": "orders",
///             "title": "Orders",
///             "description": "Delivering what you bought.",
///             "basis": "contract",
///             "notice_version": 1,
///             "default": "permitted",
///             "status": "unknown",
///             "decisions": [{
///                 "category": "contact",
///                 "title": "Contact",
///                 "permitted": true,
///                 "reason": report.purposes()[0].decisions()[0].decision().to_string(),
///                 "decision": {"decision": "not_consent_based", "basis": "contract"}
///             }]
///         }]
///     })
/// );
/// assert_eq!(serde_json::from_str::<SubjectReport>(&json).unwrap(), report);
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectReport {
    subject: String,
    #[serde(with = "crate::wire::timestamp::rfc3339")]
    at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    controller: Option<String>,
    known: bool,
    #[serde(
        default,
        with = "crate::wire::timestamp::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    registered_at: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "crate::wire::timestamp::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    withdrawn_all_at: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    global_opt_out: Option<OptOutSignal>,
    #[serde(
        default,
        with = "crate::wire::timestamp::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    erased_at: Option<OffsetDateTime>,
    /// The law that applied (when the catalog enables regimes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    law: Option<crate::rights::law::LawReport>,
    purposes: Vec<PurposeReport>,
}

impl SubjectReport {
    /// The subject.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The law that applied to the subject and the rights it gives them
    /// (when the catalog enables regimes, see [`crate::regime`]).
    #[must_use]
    pub fn law(&self) -> Option<&crate::rights::law::LawReport> {
        self.law.as_ref()
    }

    /// The instant the report describes.
    #[must_use]
    pub fn at(&self) -> OffsetDateTime {
        self.at
    }

    /// The controller named by the catalog.
    #[must_use]
    pub fn controller(&self) -> Option<&str> {
        self.controller.as_deref()
    }

    /// Whether the ledger knows the subject (not known: never seen, or erased).
    #[must_use]
    pub fn is_known(&self) -> bool {
        self.known
    }

    /// When the subject was registered.
    #[must_use]
    pub fn registered_at(&self) -> Option<OffsetDateTime> {
        self.registered_at
    }

    /// When the subject last withdrew everything at once.
    #[must_use]
    pub fn withdrawn_all_at(&self) -> Option<OffsetDateTime> {
        self.withdrawn_all_at
    }

    /// The global opt-out signal, if it was ever set.
    #[must_use]
    pub fn global_opt_out(&self) -> Option<OptOutSignal> {
        self.global_opt_out
    }

    /// When the subject was last erased.
    #[must_use]
    pub fn erased_at(&self) -> Option<OffsetDateTime> {
        self.erased_at
    }

    /// Every purpose of the catalog, in declaration order.
    #[must_use]
    pub fn purposes(&self) -> &[PurposeReport] {
        &self.purposes
    }

    /// The entry for `purpose`.
    #[must_use]
    pub fn purpose(&self, purpose: &str) -> Option<&PurposeReport> {
        self.purposes.iter().find(|p| p.purpose == purpose)
    }

    /// The report as pretty-printed JSON.
    ///
    /// # Errors
    ///
    /// None in practice; serde_json's own errors are passed on as [`Error::Json`](crate::Error::Json).
    pub fn to_json(&self) -> Result<String> {
        to_json("report", self)
    }
}

/// # Subject rights: reports
///
/// What a subject sees about their consent, purpose by purpose.
impl Ledger {
    /// What `subject` sees about their consent at `at`: every purpose of the
    /// catalog, in declaration order, with its title, description and legal
    /// basis, the status ([`Ledger::status`]), the answer and its time, the
    /// categories covered, the validity and the evidence, and the decision
    /// ([`Ledger::decide`]) for each category the purpose declares. Purposes
    /// the subject never answered appear too, with their [`DefaultRule`] and
    /// the decisions that rule gives.
    ///
    /// Never fails: a subject never seen gets a report where nothing is
    /// answered and every decision is the purpose's default; an erased one,
    /// where every decision is [`crate::Decision::Erased`] until it comes
    /// back.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{
    ///     Catalog, CollectionMethod, ConsentStatus, DefaultRule, Evidence, Grant, Ledger,
    ///     LegalBasis, PurposeDef,
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
    ///     .purpose(
    ///         PurposeDef::new("orders", LegalBasis::Contract)
    ///             .title("Orders")
    ///             .description("Delivering what you bought.")
    ///             .categories(["contact"]),
    ///     )
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// ledger.give(Grant::new("user-1", "newsletter", t, banner))?;
    ///
    /// let report = ledger.subject_report("user-1", t);
    /// let newsletter = report.purpose("newsletter").unwrap();
    /// assert_eq!(newsletter.status(), ConsentStatus::Given);
    /// let orders = report.purpose("orders").unwrap();
    /// assert_eq!(orders.answer(), None);
    /// assert_eq!(orders.default_rule(), DefaultRule::Permitted);
    /// assert!(orders.decisions()[0].is_permitted());
    /// println!("{report}");
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn subject_report(&self, subject: &str, at: OffsetDateTime) -> SubjectReport {
        let held = self.subject_records(subject);
        let purposes = self
            .catalog()
            .purposes()
            .map(|p| {
                let record = held.as_ref().and_then(|h| h.record(p.name()));
                purpose_report(self, subject, p, record, at)
            })
            .collect();
        SubjectReport {
            subject: subject.to_owned(),
            at: utc(at),
            controller: self.catalog().controller().map(str::to_owned),
            known: held.as_ref().is_some_and(is_known),
            registered_at: held.as_ref().and_then(|h| h.registered()).map(|m| m.at()),
            withdrawn_all_at: held
                .as_ref()
                .and_then(|h| h.withdrawn_all())
                .map(|m| m.at()),
            global_opt_out: held.as_ref().and_then(|h| h.global_opt_out()),
            erased_at: held.as_ref().and_then(|h| h.erased()).map(|m| m.at()),
            law: self.law_report(subject, at),
            purposes,
        }
    }
}

fn purpose_report(
    ledger: &Ledger,
    subject: &str,
    p: &Purpose,
    record: Option<&ConsentRecord>,
    at: OffsetDateTime,
) -> PurposeReport {
    let given = record.filter(|r| r.answer() == Answer::Given);
    let catalog = ledger.catalog();
    let categories: Vec<String> = given.map(|r| r.categories().to_vec()).unwrap_or_default();
    PurposeReport {
        category_titles: categories
            .iter()
            .map(|c| text::category_title(catalog, c))
            .collect(),
        categories,
        purpose: p.name().to_owned(),
        title: p.title().to_owned(),
        description: p.description().to_owned(),
        basis: p.basis(),
        sale_or_sharing: p.is_sale_or_sharing(),
        direct_marketing: p.is_direct_marketing(),
        notice_version: p.notice_version(),
        default: ledger
            .default_rule_for(subject, p, at)
            .unwrap_or_else(|| DefaultRule::of(ledger.catalog(), p)),
        status: ledger.status(subject, p.name(), at),
        answer: record.map(ConsentRecord::answer),
        answered_at: record.map(ConsentRecord::at),
        valid_until: given.and_then(ConsentRecord::expires_at),
        withdrawn_all_at: given.and_then(ConsentRecord::withdrawn_by_all),
        evidence: record.map(|r| r.evidence().clone()),
        record: record.map(ConsentRecord::event),
        decisions: p
            .categories()
            .map(|c| CategoryDecision {
                category: c.to_owned(),
                title: text::category_title(catalog, c),
                description: catalog
                    .category(c)
                    .and_then(|c| c.description())
                    .map(str::to_owned),
                decision: ledger.decide(subject, p.name(), c, at),
            })
            .collect(),
    }
}

/// Known: something other than an erasure mark is held (as the ledger counts it).
pub(crate) fn is_known(held: &SubjectRecords) -> bool {
    held.registered().is_some()
        || held.withdrawn_all().is_some()
        || held.global_opt_out().is_some()
        || !held.records().is_empty()
}

impl fmt::Display for SubjectReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.controller {
            Some(c) => write!(f, "Your consent choices with {c}")?,
            None => f.write_str("Your consent choices")?,
        }
        writeln!(f, ", as of {}.", text::when(self.at))?;
        writeln!(f, "{}", text::UTC_NOTE)?;
        if !self.known {
            writeln!(f, "We hold no record of your choices.")?;
        }
        if let Some(t) = self.erased_at {
            writeln!(f, "We erased your records on {}.", text::when(t))?;
        }
        if let Some(t) = self.withdrawn_all_at {
            writeln!(f, "You withdrew all your consents on {}.", text::when(t))?;
        }
        if let Some(s) = self.global_opt_out {
            if s.on {
                writeln!(
                    f,
                    "Since {}, your browser or device has asked us not to sell or share your data (Global Privacy Control).",
                    text::when(s.since)
                )?;
            } else {
                writeln!(
                    f,
                    "On {}, your browser or device stopped asking us not to sell or share your data (Global Privacy Control).",
                    text::when(s.since)
                )?;
            }
        }
        if let Some(law) = &self.law {
            write!(f, "{law}")?;
        }
        for p in &self.purposes {
            writeln!(f)?;
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl fmt::Display for PurposeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        writeln!(f, "  {}", self.description)?;
        write!(f, "  Legal basis: {}.", self.basis)?;
        if self.sale_or_sharing {
            f.write_str(" This involves selling or sharing your data.")?;
        }
        if self.direct_marketing {
            f.write_str(" This is direct marketing.")?;
        }
        writeln!(f)?;
        writeln!(f, "  If you say nothing: {}.", self.default)?;
        match (self.answer, self.answered_at) {
            (Some(answer), Some(t)) => writeln!(
                f,
                "  Your answer: {}",
                text::answer_text(
                    answer,
                    t,
                    self.valid_until,
                    self.withdrawn_all_at,
                    self.status
                )
            )?,
            _ => writeln!(f, "  Your answer: none yet.")?,
        }
        if !self.category_titles.is_empty() {
            writeln!(
                f,
                "  Your consent covers: {}.",
                self.category_titles.join(", ")
            )?;
        }
        if let Some(e) = &self.evidence {
            writeln!(f, "  How you told us: {}.", text::how_collected(e))?;
        }
        for d in &self.decisions {
            writeln!(
                f,
                "  - {} \u{2014} {}",
                d.title,
                text::decision_text(d.decision)
            )?;
        }
        Ok(())
    }
}
