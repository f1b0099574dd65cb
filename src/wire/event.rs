//! Change events: what the host persists, replays and exchanges.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::model::evidence::{Evidence, EvidenceView};
use crate::model::facts::{Age, Jurisdiction};
use crate::wire::canonical::EventView;
use crate::wire::id::EventId;
use crate::wire::read::{EventRepr, checked, read};
use crate::wire::timestamp::{self, Nanos};

/// The event format version this crate writes. It also reads version 1
/// (XXH3-128 ids), verifying their ids as written.
pub const EVENT_FORMAT_VERSION: u32 = 2;

/// The oldest event format version this crate reads.
pub(crate) const OLDEST_EVENT_FORMAT_VERSION: u64 = 1;

/// What an event changes.
///
/// # JSON
///
/// Serializes (with serde) as an object whose `kind` field names the variant
/// in snake_case (as in events), next to the variant's fields; instants are
/// RFC 3339 text in UTC; an absent expiry and a `false` `renewal` are left
/// out. (An [`Event`] has its own, validated, JSON form: [`Event::to_json`].)
///
/// ```
/// use consentry::{CollectionMethod, EventKind, Evidence};
///
/// let kind = EventKind::Withdrawn {
///     purpose: "news".into(),
///     evidence: Evidence::new(CollectionMethod::SettingsPage),
/// };
/// assert_eq!(
///     serde_json::to_string(&kind)?,
///     r#"{"kind":"withdrawn","purpose":"news","evidence":{"method":"settings_page"}}"#
/// );
/// assert_eq!(serde_json::to_string(&EventKind::Erased)?, r#"{"kind":"erased"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// The subject became known to the ledger (e.g. signed up).
    Registered,
    /// Consent given to a purpose for some of its categories.
    Given {
        /// The purpose.
        purpose: String,
        /// The categories covered, as named, sorted (their descendants are covered too).
        categories: Vec<String>,
        /// The end of validity (exclusive), after defaulting and capping; `None` for no expiry.
        #[serde(
            default,
            with = "crate::wire::timestamp::rfc3339_opt",
            skip_serializing_if = "Option::is_none"
        )]
        expires_at: Option<OffsetDateTime>,
        /// Whether it renewed a grant still valid when it was given.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        renewal: bool,
        /// The evidence.
        evidence: Evidence,
    },
    /// Consent refused.
    Refused {
        /// The purpose.
        purpose: String,
        /// The evidence.
        evidence: Evidence,
    },
    /// Consent withdrawn for one purpose.
    Withdrawn {
        /// The purpose.
        purpose: String,
        /// The evidence.
        evidence: Evidence,
    },
    /// Every consent given before this event withdrawn at once.
    WithdrawnAll {
        /// The evidence.
        evidence: Evidence,
    },
    /// An objection to a legitimate-interest, public-task or direct-marketing purpose.
    Objected {
        /// The purpose.
        purpose: String,
        /// The evidence.
        evidence: Evidence,
    },
    /// A global opt-out signal (GPC) turned on.
    OptOutSet {
        /// The evidence.
        evidence: Evidence,
    },
    /// The global opt-out signal turned off.
    OptOutCleared {
        /// The evidence.
        evidence: Evidence,
    },
    /// The subject erased.
    Erased,
    /// Where the subject is: the jurisdiction whose law applies to them
    /// (see [`crate::regime`]).
    JurisdictionSet {
        /// The jurisdiction.
        jurisdiction: Jurisdiction,
        /// The evidence (how it was established: a stated address, a
        /// billing country, a geolocation).
        evidence: Evidence,
    },
    /// How old the subject is.
    AgeSet {
        /// A birth date or a stated age.
        age: Age,
        /// The evidence (self-declared, verified how).
        evidence: Evidence,
    },
}

impl EventKind {
    /// The snake_case name used in JSON.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let event = ledger.give(Grant::new("ann", "news", t, ev()))?.into_event();
    /// assert_eq!(event.kind().as_str(), "given");
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            EventKind::Registered => "registered",
            EventKind::Given { .. } => "given",
            EventKind::Refused { .. } => "refused",
            EventKind::Withdrawn { .. } => "withdrawn",
            EventKind::WithdrawnAll { .. } => "withdrawn_all",
            EventKind::Objected { .. } => "objected",
            EventKind::OptOutSet { .. } => "opt_out_set",
            EventKind::OptOutCleared { .. } => "opt_out_cleared",
            EventKind::Erased => "erased",
            EventKind::JurisdictionSet { .. } => "jurisdiction_set",
            EventKind::AgeSet { .. } => "age_set",
        }
    }

    /// The purpose the event concerns, for per-purpose kinds.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let given = ledger.give(Grant::new("ann", "news", t, ev()))?.into_event();
    /// assert_eq!(given.kind().purpose(), Some("news"));
    /// assert_eq!(ledger.register("ben", t)?.into_event().kind().purpose(), None);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn purpose(&self) -> Option<&str> {
        match self {
            EventKind::Given { purpose, .. }
            | EventKind::Refused { purpose, .. }
            | EventKind::Withdrawn { purpose, .. }
            | EventKind::Objected { purpose, .. } => Some(purpose),
            _ => None,
        }
    }

    /// The evidence, for kinds that carry one.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let given = ledger.give(Grant::new("ann", "news", t, ev()))?.into_event();
    /// assert_eq!(given.kind().evidence().and_then(|e| e.notice_version()), Some(1));
    /// assert!(ledger.register("ben", t)?.into_event().kind().evidence().is_none());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn evidence(&self) -> Option<&Evidence> {
        match self {
            EventKind::Given { evidence, .. }
            | EventKind::Refused { evidence, .. }
            | EventKind::Withdrawn { evidence, .. }
            | EventKind::WithdrawnAll { evidence }
            | EventKind::Objected { evidence, .. }
            | EventKind::OptOutSet { evidence }
            | EventKind::OptOutCleared { evidence }
            | EventKind::JurisdictionSet { evidence, .. }
            | EventKind::AgeSet { evidence, .. } => Some(evidence),
            EventKind::Registered | EventKind::Erased => None,
        }
    }
}

/// One change to the ledger, as the host persists it.
///
/// Every successful change returns one; [`crate::Ledger::apply`] replays it.
/// Events are values: serializable (JSON through serde, see
/// [`Event::to_json`]), validated on the way in, and identified by a hash of
/// their content ([`EventId`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    id: EventId,
    subject: String,
    at: Nanos,
    kind: EventKind,
}

impl Event {
    /// Makes an event, checking its syntax and computing its id.
    /// Categories are put in canonical order (sorted, without duplicates)
    /// so that the same change always hashes to the same id.
    pub(crate) fn new(subject: &str, at: Nanos, mut kind: EventKind) -> Result<Event> {
        if let EventKind::Given {
            categories,
            expires_at,
            ..
        } = &mut kind
        {
            categories.sort_unstable();
            categories.dedup();
            if let Some(t) = expires_at {
                timestamp::to_nanos(*t)?;
            }
        }
        let view = EventView::of(subject, at, &kind);
        view.check()?;
        let id = view.content_id_buffered();
        Ok(Event {
            id,
            subject: subject.to_owned(),
            at,
            kind,
        })
    }

    /// The event's content, borrowed.
    pub(crate) fn view(&self) -> EventView<'_> {
        EventView::of(&self.subject, self.at, &self.kind)
    }

    /// An owned event from checked borrowed content.
    pub(crate) fn from_view(v: &EventView<'_>, id: EventId) -> Event {
        let purpose = || v.purpose.unwrap_or_default().to_owned();
        let evidence = || {
            v.evidence.map(|e| e.to_owned()).unwrap_or(Evidence::new(
                crate::model::evidence::CollectionMethod::Other,
            ))
        };
        let kind = match v.kind {
            KindTag::Registered => EventKind::Registered,
            KindTag::Erased => EventKind::Erased,
            KindTag::Given => EventKind::Given {
                purpose: purpose(),
                categories: v
                    .categories
                    .map(|n| n.iter().map(str::to_owned).collect())
                    .unwrap_or_default(),
                expires_at: v.expires_at.map(|t| timestamp::from_nanos(t.0)),
                renewal: v.renewal.unwrap_or(false),
                evidence: evidence(),
            },
            KindTag::Refused => EventKind::Refused {
                purpose: purpose(),
                evidence: evidence(),
            },
            KindTag::Withdrawn => EventKind::Withdrawn {
                purpose: purpose(),
                evidence: evidence(),
            },
            KindTag::Objected => EventKind::Objected {
                purpose: purpose(),
                evidence: evidence(),
            },
            KindTag::WithdrawnAll => EventKind::WithdrawnAll {
                evidence: evidence(),
            },
            KindTag::OptOutSet => EventKind::OptOutSet {
                evidence: evidence(),
            },
            KindTag::OptOutCleared => EventKind::OptOutCleared {
                evidence: evidence(),
            },
            KindTag::JurisdictionSet => EventKind::JurisdictionSet {
                jurisdiction: v.jurisdiction.unwrap_or(Jurisdiction::UNKNOWN),
                evidence: evidence(),
            },
            KindTag::AgeSet => EventKind::AgeSet {
                age: v.age.unwrap_or(Age::Years(0)),
                evidence: evidence(),
            },
        };
        Event {
            id,
            subject: v.subject.to_owned(),
            at: v.at.0,
            kind,
        }
    }

    /// The id, a hash of the content.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let event = ledger.give(Grant::new("ann", "news", t, ev()))?.into_event();
    /// assert_eq!(event.id().to_string().len(), 64);
    /// assert_eq!(Event::from_json(&event.to_json()?)?.id(), event.id());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn id(&self) -> EventId {
        self.id
    }

    /// The subject.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let event = ledger.register("ann", t)?.into_event();
    /// assert_eq!(event.subject(), "ann");
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// When the change happened (its event time, which orders it).
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let event = ledger.register("ann", t)?.into_event();
    /// assert_eq!(event.at(), t);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn at(&self) -> OffsetDateTime {
        timestamp::from_nanos(self.at)
    }

    pub(crate) fn at_nanos(&self) -> Nanos {
        self.at
    }

    /// What changed.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let event = ledger.register("ann", t)?.into_event();
    /// assert_eq!(event.kind(), &EventKind::Registered);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn kind(&self) -> &EventKind {
        &self.kind
    }

    /// The event as one line of JSON.
    ///
    /// # Errors
    ///
    /// None in practice; serde_json's own errors are passed on as [`Error::Json`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let event = ledger.register("ann", t)?.into_event();
    /// let json = event.to_json()?;
    /// assert!(json.contains(r#""kind":"registered""#));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::json("event", &e))
    }

    /// Reads an event from JSON, checking its syntax, format version and id.
    /// Checking it against a catalog happens in [`crate::Ledger::apply`].
    ///
    /// # Errors
    ///
    /// Malformed JSON (with line and column), a missing or unexpected field,
    /// an unsupported format version, a malformed name or time, an expiry not
    /// after the event time, or an id that does not match the content.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let event = ledger.give(Grant::new("ann", "news", t, ev()))?.into_event();
    /// let json = event.to_json()?;
    /// assert_eq!(Event::from_json(&json)?, event);
    /// // Content altered in storage no longer matches the id.
    /// assert!(Event::from_json(&json.replace("ann", "ben")).is_err());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Event> {
        read(json, |v, id| Ok(Event::from_view(v, id)))
    }
}

/// Giving and refusing consent must say which notice the subject saw.
pub(crate) fn require_notice(purpose: &str, evidence: &Evidence) -> Result<()> {
    require_notice_view(purpose, Some(&EvidenceView::from(evidence)))
}

pub(crate) fn require_notice_view(
    purpose: &str,
    evidence: Option<&EvidenceView<'_>>,
) -> Result<()> {
    if evidence.and_then(|e| e.notice_version).is_none() {
        return Err(Error::NoticeMissing {
            purpose: purpose.to_owned(),
        });
    }
    Ok(())
}

// ---- the serialized form ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub(crate) enum KindTag {
    Registered,
    Given,
    Refused,
    Withdrawn,
    WithdrawnAll,
    Objected,
    OptOutSet,
    OptOutCleared,
    Erased,
    // Appended: the canonical bytes write the tag as its index.
    JurisdictionSet,
    AgeSet,
}

impl KindTag {
    /// The snake_case name used in JSON.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            KindTag::Registered => "registered",
            KindTag::Given => "given",
            KindTag::Refused => "refused",
            KindTag::Withdrawn => "withdrawn",
            KindTag::WithdrawnAll => "withdrawn_all",
            KindTag::Objected => "objected",
            KindTag::OptOutSet => "opt_out_set",
            KindTag::OptOutCleared => "opt_out_cleared",
            KindTag::Erased => "erased",
            KindTag::JurisdictionSet => "jurisdiction_set",
            KindTag::AgeSet => "age_set",
        }
    }

    pub(crate) fn of(kind: &EventKind) -> KindTag {
        match kind {
            EventKind::Registered => KindTag::Registered,
            EventKind::Given { .. } => KindTag::Given,
            EventKind::Refused { .. } => KindTag::Refused,
            EventKind::Withdrawn { .. } => KindTag::Withdrawn,
            EventKind::WithdrawnAll { .. } => KindTag::WithdrawnAll,
            EventKind::Objected { .. } => KindTag::Objected,
            EventKind::OptOutSet { .. } => KindTag::OptOutSet,
            EventKind::OptOutCleared { .. } => KindTag::OptOutCleared,
            EventKind::Erased => KindTag::Erased,
            EventKind::JurisdictionSet { .. } => KindTag::JurisdictionSet,
            EventKind::AgeSet { .. } => KindTag::AgeSet,
        }
    }
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let view = EventView {
            id: Some(self.id),
            ..EventView::of(&self.subject, self.at, &self.kind)
        };
        view.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let repr = EventRepr::deserialize(d)?;
        checked(repr, |v, id| Ok(Event::from_view(v, id))).map_err(serde::de::Error::custom)
    }
}
