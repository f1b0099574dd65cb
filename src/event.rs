//! Change events: what the host persists, replays and exchanges.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::catalog::Catalog;
use crate::category::CategorySet;
use crate::error::{Error, NameKind, Result};
use crate::evidence::Evidence;
use crate::limits::{self, CATEGORY_CAPACITY};
use crate::timestamp::{self, Nanos, Rfc3339};

/// The event format version this crate writes and reads.
pub const EVENT_FORMAT_VERSION: u32 = 1;

/// The id of an event: a 128-bit hash (FNV-1a) of its content, written as 32
/// lowercase hex digits.
///
/// Because the id is derived from the content, the same change always has the
/// same id, a replayed duplicate is recognised, and an event whose content
/// was altered no longer matches its id (a check against corruption, not
/// against forgery: the hash is not cryptographic). Ids also break ties
/// between events of one subject with equal times and kinds: the larger id wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct EventId(u128);

impl EventId {
    /// The id as a number.
    #[must_use]
    pub const fn as_u128(self) -> u128 {
        self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl FromStr for EventId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let well_formed =
            s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        match u128::from_str_radix(s, 16) {
            Ok(n) if well_formed => Ok(EventId(n)),
            _ => Err(Error::InvalidEvent {
                problem: format!("id `{}` is not 32 lowercase hex digits", s.escape_debug()),
            }),
        }
    }
}

impl Serialize for EventId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What an event changes.
#[derive(Debug, Clone, PartialEq, Eq)]
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
        expires_at: Option<OffsetDateTime>,
        /// Whether it renewed a grant still valid when it was given.
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
}

impl EventKind {
    /// The snake_case name used in JSON.
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
        }
    }

    /// The purpose the event concerns, for per-purpose kinds.
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
    #[must_use]
    pub fn evidence(&self) -> Option<&Evidence> {
        match self {
            EventKind::Given { evidence, .. }
            | EventKind::Refused { evidence, .. }
            | EventKind::Withdrawn { evidence, .. }
            | EventKind::WithdrawnAll { evidence }
            | EventKind::Objected { evidence, .. }
            | EventKind::OptOutSet { evidence }
            | EventKind::OptOutCleared { evidence } => Some(evidence),
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
        if let EventKind::Given { categories, .. } = &mut kind {
            categories.sort_unstable();
            categories.dedup();
        }
        let id = EventView::of(subject, at, &kind).content_id();
        let event = Event {
            id,
            subject: subject.to_owned(),
            at,
            kind,
        };
        event.check_syntax()?;
        Ok(event)
    }

    /// The id, a hash of the content.
    #[must_use]
    pub fn id(&self) -> EventId {
        self.id
    }

    /// The subject.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// When the change happened (its event time, which orders it).
    #[must_use]
    pub fn at(&self) -> OffsetDateTime {
        timestamp::from_nanos(self.at)
    }

    pub(crate) fn at_nanos(&self) -> Nanos {
        self.at
    }

    /// What changed.
    #[must_use]
    pub fn kind(&self) -> &EventKind {
        &self.kind
    }

    /// The event as one line of JSON.
    ///
    /// # Errors
    ///
    /// None in practice; serde_json's own errors are passed on as [`Error::Json`].
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Json {
            what: "event",
            message: e.to_string(),
        })
    }

    /// Reads an event from JSON, checking its syntax, format version and id.
    /// Checking it against a catalog happens in [`crate::Ledger::apply`].
    ///
    /// # Errors
    ///
    /// Malformed JSON (with line and column), a missing or unexpected field,
    /// an unsupported format version, a malformed name or time, an expiry not
    /// after the event time, or an id that does not match the content.
    pub fn from_json(json: &str) -> Result<Event> {
        let repr: EventRepr = serde_json::from_str(json).map_err(|e| Error::Json {
            what: "event",
            message: e.to_string(),
        })?;
        Event::try_from(repr)
    }

    fn check_syntax(&self) -> Result<()> {
        limits::check_subject(&self.subject)?;
        if let Some(p) = self.kind.purpose() {
            limits::check_name(NameKind::Purpose, p)?;
        }
        if let Some(e) = self.kind.evidence() {
            e.check()?;
        }
        match &self.kind {
            EventKind::Given {
                categories,
                expires_at,
                evidence,
                purpose,
                ..
            } => {
                if categories.is_empty() {
                    return Err(Error::InvalidEvent {
                        problem: "a `given` event names no categories".into(),
                    });
                }
                if categories.len() > CATEGORY_CAPACITY {
                    return Err(Error::LimitExceeded {
                        what: "number of categories in an event",
                        limit: CATEGORY_CAPACITY,
                        found: categories.len(),
                    });
                }
                for c in categories {
                    limits::check_name(NameKind::Category, c)?;
                }
                if let Some(exp) = expires_at {
                    let exp = timestamp::to_nanos(*exp)?;
                    if exp <= self.at {
                        return Err(Error::ExpiryNotAfterGiven {
                            purpose: purpose.clone(),
                            given_at: timestamp::format(self.at),
                            expires_at: timestamp::format(exp),
                        });
                    }
                }
                require_notice(purpose, evidence)?;
            }
            EventKind::Refused { purpose, evidence } => require_notice(purpose, evidence)?,
            _ => {}
        }
        Ok(())
    }
}

/// Giving and refusing consent must say which notice the subject saw.
pub(crate) fn require_notice(purpose: &str, evidence: &Evidence) -> Result<()> {
    if evidence.notice().is_none() {
        return Err(Error::NoticeVersion {
            purpose: purpose.to_owned(),
            problem: "the evidence does not say which notice version was shown".into(),
        });
    }
    Ok(())
}

// ---- the serialized form ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "event")]
struct EventRepr {
    v: u64,
    #[serde(default)]
    id: Option<String>,
    subject: String,
    at: String,
    kind: KindTag,
    #[serde(default)]
    purpose: Option<String>,
    #[serde(default)]
    categories: Option<Vec<String>>,
    #[serde(default)]
    expires_at: Option<String>,
    #[serde(default)]
    renewal: Option<bool>,
    #[serde(default)]
    evidence: Option<Evidence>,
}

/// Category names as an event writes them: sorted, from a list or a set.
#[derive(Clone, Copy)]
pub(crate) enum Names<'a> {
    /// Already sorted names.
    Slice(&'a [String]),
    /// A set of a catalog's categories, written in name order.
    Set(&'a Catalog, CategorySet),
}

impl Serialize for Names<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match *self {
            Names::Slice(names) => s.collect_seq(names),
            Names::Set(catalog, set) => s.collect_seq(catalog.names_sorted(set)),
        }
    }
}

/// Evidence as an event writes it, borrowed.
#[derive(Clone, Copy, Serialize)]
pub(crate) struct EvidenceView<'a> {
    pub(crate) method: crate::evidence::CollectionMethod,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) notice_version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) channel: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) proof: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) jurisdiction: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) language: Option<&'a str>,
}

impl<'a> From<&'a Evidence> for EvidenceView<'a> {
    fn from(e: &'a Evidence) -> Self {
        EvidenceView {
            method: e.method(),
            notice_version: e.notice(),
            channel: e.channel_name(),
            proof: e.proof_ref(),
            jurisdiction: e.jurisdiction_code(),
            language: e.language_tag(),
        }
    }
}

/// An event's content, borrowed: what is written as JSON and what the id
/// hashes. Writing it allocates nothing, so the id of a stored record can be
/// computed on demand instead of being stored.
#[derive(Clone, Copy, Serialize)]
#[serde(rename = "event")]
pub(crate) struct EventView<'a> {
    pub(crate) v: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<EventId>,
    pub(crate) subject: &'a str,
    pub(crate) at: Rfc3339,
    pub(crate) kind: KindTag,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) purpose: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) categories: Option<Names<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<Rfc3339>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) renewal: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) evidence: Option<EvidenceView<'a>>,
}

impl<'a> EventView<'a> {
    /// A view with no id, no purpose, no categories and no evidence.
    pub(crate) fn bare(subject: &'a str, at: Nanos, kind: KindTag) -> Self {
        EventView {
            v: u64::from(EVENT_FORMAT_VERSION),
            id: None,
            subject,
            at: Rfc3339(at),
            kind,
            purpose: None,
            categories: None,
            expires_at: None,
            renewal: None,
            evidence: None,
        }
    }

    fn of(subject: &'a str, at: Nanos, kind: &'a EventKind) -> Self {
        let mut v = EventView::bare(subject, at, KindTag::of(kind));
        v.purpose = kind.purpose();
        v.evidence = kind.evidence().map(EvidenceView::from);
        if let EventKind::Given {
            categories,
            expires_at,
            renewal,
            ..
        } = kind
        {
            v.categories = Some(Names::Slice(categories));
            v.expires_at = expires_at.map(|t| Rfc3339(timestamp::check_nanos(t)));
            v.renewal = renewal.then_some(true);
        }
        v
    }

    /// The id: the FNV-1a 128 hash of the canonical JSON without the id.
    pub(crate) fn content_id(&self) -> EventId {
        let mut hasher = Fnv(FNV_OFFSET);
        let body = EventView { id: None, ..*self };
        // INVARIANT: writing to `Fnv` cannot fail, and these types always
        // serialize; if it ever did, the id would cover what was written.
        let _ = serde_json::to_writer(&mut hasher, &body);
        EventId(hasher.0)
    }
}

const FNV_OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
const FNV_PRIME: u128 = 0x0000000001000000000000000000013b;

/// FNV-1a 128 as an `io::Write`, so serde_json streams into it.
struct Fnv(u128);

impl std::io::Write for Fnv {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        for b in bytes {
            self.0 ^= u128::from(*b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl KindTag {
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
        }
    }
}

impl TryFrom<EventRepr> for Event {
    type Error = Error;

    fn try_from(r: EventRepr) -> Result<Event> {
        if r.v != u64::from(EVENT_FORMAT_VERSION) {
            return Err(Error::UnsupportedVersion {
                what: "event",
                found: r.v,
                supported: EVENT_FORMAT_VERSION,
            });
        }
        let Some(id_text) = r.id else {
            return Err(Error::InvalidEvent {
                problem: "missing field `id`".into(),
            });
        };
        let found: EventId = id_text.parse()?;
        limits::check_subject(&r.subject)?;
        let at = timestamp::parse(&r.at)?;
        let tag = r.kind;
        let name = match tag {
            KindTag::Registered => "registered",
            KindTag::Given => "given",
            KindTag::Refused => "refused",
            KindTag::Withdrawn => "withdrawn",
            KindTag::WithdrawnAll => "withdrawn_all",
            KindTag::Objected => "objected",
            KindTag::OptOutSet => "opt_out_set",
            KindTag::OptOutCleared => "opt_out_cleared",
            KindTag::Erased => "erased",
        };
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        let missing = |field: &str| Error::InvalidEvent {
            problem: format!("{article} `{name}` event needs field `{field}`"),
        };
        let unexpected = |field: &str| Error::InvalidEvent {
            problem: format!("{article} `{name}` event has no field `{field}`"),
        };
        let needs_purpose = matches!(
            tag,
            KindTag::Given | KindTag::Refused | KindTag::Withdrawn | KindTag::Objected
        );
        let needs_evidence = !matches!(tag, KindTag::Registered | KindTag::Erased);
        let is_given = tag == KindTag::Given;
        if !needs_purpose && r.purpose.is_some() {
            return Err(unexpected("purpose"));
        }
        if !needs_evidence && r.evidence.is_some() {
            return Err(unexpected("evidence"));
        }
        if !is_given {
            for (field, present) in [
                ("categories", r.categories.is_some()),
                ("expires_at", r.expires_at.is_some()),
                ("renewal", r.renewal.is_some()),
            ] {
                if present {
                    return Err(unexpected(field));
                }
            }
        }
        let purpose = match (needs_purpose, r.purpose.clone()) {
            (true, None) => return Err(missing("purpose")),
            (_, p) => p.unwrap_or_default(),
        };
        let evidence = match (needs_evidence, r.evidence.clone()) {
            (true, None) => return Err(missing("evidence")),
            (_, e) => e,
        };
        let evidence = || evidence.clone().ok_or_else(|| missing("evidence"));
        let kind = match tag {
            KindTag::Registered => EventKind::Registered,
            KindTag::Erased => EventKind::Erased,
            KindTag::Given => EventKind::Given {
                purpose,
                categories: r.categories.clone().ok_or_else(|| missing("categories"))?,
                expires_at: match &r.expires_at {
                    Some(t) => Some(timestamp::from_nanos(timestamp::parse(t)?)),
                    None => None,
                },
                renewal: r.renewal.unwrap_or(false),
                evidence: evidence()?,
            },
            KindTag::Refused => EventKind::Refused {
                purpose,
                evidence: evidence()?,
            },
            KindTag::Withdrawn => EventKind::Withdrawn {
                purpose,
                evidence: evidence()?,
            },
            KindTag::Objected => EventKind::Objected {
                purpose,
                evidence: evidence()?,
            },
            KindTag::WithdrawnAll => EventKind::WithdrawnAll {
                evidence: evidence()?,
            },
            KindTag::OptOutSet => EventKind::OptOutSet {
                evidence: evidence()?,
            },
            KindTag::OptOutCleared => EventKind::OptOutCleared {
                evidence: evidence()?,
            },
        };
        let event = Event::new(&r.subject, at, kind)?;
        if event.id != found {
            return Err(Error::EventIdMismatch {
                found: id_text,
                expected: event.id.to_string(),
            });
        }
        Ok(event)
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
        Event::try_from(repr).map_err(serde::de::Error::custom)
    }
}
