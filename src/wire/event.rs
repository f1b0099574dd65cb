//! Change events: what the host persists, replays and exchanges.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::error::{Error, NameKind, Result};
use crate::limits::{self, CATEGORY_CAPACITY};
use crate::model::catalog::Catalog;
use crate::model::category::CategorySet;
use crate::model::evidence::Evidence;
use crate::wire::timestamp::{self, Nanos, Rfc3339};

/// The event format version this crate writes. It also reads version 1
/// (XXH3-128 ids), verifying their ids as written.
pub const EVENT_FORMAT_VERSION: u32 = 2;

/// The oldest event format version this crate reads.
const OLDEST_EVENT_FORMAT_VERSION: u64 = 1;

/// The tag that starts the canonical bytes of a version 2 event.
const TAG_V2: &[u8] = b"consentry-event-v2";
/// The tag that started the canonical bytes of a version 1 event.
const TAG_V1: &[u8] = b"consentry-event-v1";

/// The id of an event: the SHA-256 hash of its content in a canonical byte
/// form, written as 64 lowercase hex digits.
///
/// Because the id is derived from the content, the same change always has the
/// same id, a replayed duplicate is recognised, and an event whose content
/// was altered no longer matches its id. The hash is collision resistant:
/// two different events never share an id, even crafted ones. An id does
/// not say who wrote an event (anyone can compute one); a host that needs
/// authenticity signs or MACs its log.
///
/// Ids are ordered byte by byte (the order of their hex text); they break
/// ties between events of one subject with equal times and kinds: the
/// larger id wins.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId([u8; 32]);

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("EventId")
            .field(&format_args!("{self}"))
            .finish()
    }
}

impl EventId {
    /// The 32 bytes of the SHA-256 digest.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 64 lowercase hex digits.
    fn hex(&self) -> [u8; 64] {
        hex(&self.0)
    }
}

/// `bytes` as lowercase hex digits, most significant first (`N` is twice
/// `M`).
fn hex<const M: usize, const N: usize>(bytes: &[u8; M]) -> [u8; N] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digit = |n: u8| HEX.get(usize::from(n)).copied().unwrap_or(b'0');
    let mut buf = [0u8; N];
    for (pair, b) in buf.chunks_exact_mut(2).zip(bytes) {
        if let [hi, lo] = pair {
            *hi = digit(b >> 4);
            *lo = digit(b & 0xf);
        }
    }
    buf
}

/// `N` bytes from exactly `2 * N` lowercase hex digits.
fn parse_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N {
        return None;
    }
    let value = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (slot, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
        let [hi, lo] = pair else { return None };
        *slot = value(*hi)? << 4 | value(*lo)?;
    }
    Some(out)
}

fn not_hex(s: &str, digits: usize) -> Error {
    Error::InvalidEvent {
        problem: format!(
            "id {} is not {digits} lowercase hex digits",
            crate::error::quoted(s)
        ),
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // INVARIANT: only ASCII hex digits are written.
        f.write_str(std::str::from_utf8(&self.hex()).unwrap_or_default())
    }
}

impl FromStr for EventId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        parse_hex(s).map(EventId).ok_or_else(|| not_hex(s, 64))
    }
}

/// The id of a format version 1 event: XXH3-128 (seed 0) of its version 1
/// canonical bytes, written as 32 lowercase hex digits. Only read, to verify
/// old events and snapshots; it decides nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct V1Id([u8; 16]);

impl fmt::Display for V1Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // INVARIANT: only ASCII hex digits are written.
        f.write_str(std::str::from_utf8(&hex::<16, 32>(&self.0)).unwrap_or_default())
    }
}

impl FromStr for V1Id {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        parse_hex(s).map(V1Id).ok_or_else(|| not_hex(s, 32))
    }
}

/// An event id as a snapshot stores it: a version 2 id, or the version 1 id
/// of a snapshot written by an older release (kept to be checked on load).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoredId {
    /// 32 hex digits, from a format version 1 snapshot.
    V1(V1Id),
    /// 64 hex digits.
    V2(EventId),
}

impl Serialize for StoredId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            StoredId::V1(id) => s.collect_str(id),
            StoredId::V2(id) => s.collect_str(id),
        }
    }
}

impl<'de> Deserialize<'de> for StoredId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <Cow<'de, str>>::deserialize(d)?;
        let id = match s.len() {
            32 => parse_hex(&s).map(|b| StoredId::V1(V1Id(b))),
            _ => parse_hex(&s).map(|b| StoredId::V2(EventId(b))),
        };
        id.ok_or_else(|| {
            serde::de::Error::custom(format_args!(
                "event id `{}` is not 64 lowercase hex digits (32 in format version 1)",
                s.escape_debug()
            ))
        })
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
        };
        Event {
            id,
            subject: v.subject.to_owned(),
            at: v.at.0,
            kind,
        }
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
        let mut buf = Vec::with_capacity(512);
        EventView {
            id: Some(self.id),
            ..EventView::of(&self.subject, self.at, &self.kind)
        }
        .write_json(&mut buf);
        String::from_utf8(buf).map_err(|e| Error::Json {
            what: "event",
            category: crate::error::JsonCategory::Data,
            line: 0,
            column: 0,
            message: crate::error::prose(&e.to_string()),
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
}

/// An event as read, borrowing from the JSON where it can.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "event")]
struct EventRepr<'a> {
    v: u64,
    #[serde(default, borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    subject: Cow<'a, str>,
    #[serde(borrow)]
    at: Cow<'a, str>,
    kind: KindTag,
    #[serde(default, borrow)]
    purpose: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "bounded_names")]
    categories: Option<Vec<Cow<'a, str>>>,
    #[serde(default, borrow)]
    expires_at: Option<Cow<'a, str>>,
    #[serde(default)]
    renewal: Option<bool>,
    #[serde(default, borrow)]
    evidence: Option<EvidenceRepr<'a>>,
}

/// An event's categories, counted as they are read (at most
/// [`CATEGORY_CAPACITY`], duplicates included) and borrowed from the JSON
/// where they can be.
fn bounded_names<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Vec<Cow<'a, str>>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(transparent)]
    struct Name<'a>(#[serde(borrow)] Cow<'a, str>);
    let names = limits::bounded_opt::<D, Name<'de>, limits::Categories>(d)?;
    Ok(names.map(|names| names.into_iter().map(|n| n.0).collect()))
}

/// Evidence as read, borrowing from the JSON where it can.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "evidence")]
struct EvidenceRepr<'a> {
    method: crate::model::evidence::CollectionMethod,
    #[serde(default)]
    notice_version: Option<u32>,
    #[serde(default, borrow)]
    channel: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    proof: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    jurisdiction: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    language: Option<Cow<'a, str>>,
}

impl EvidenceRepr<'_> {
    fn view(&self) -> EvidenceView<'_> {
        EvidenceView {
            method: self.method,
            notice_version: self.notice_version,
            channel: self.channel.as_deref(),
            proof: self.proof.as_deref(),
            jurisdiction: self.jurisdiction.as_deref(),
            language: self.language.as_deref(),
        }
    }
}

/// Category names as an event writes them: sorted, from a list or a set.
#[derive(Clone, Copy)]
pub(crate) enum Names<'a> {
    /// Already sorted names.
    Slice(&'a [String]),
    /// Already sorted names, as read.
    Cows(&'a [Cow<'a, str>]),
    /// A set of a catalog's categories, written in name order.
    Set(&'a Catalog, CategorySet),
}

impl<'a> Names<'a> {
    /// The names, in order.
    pub(crate) fn iter(self) -> NamesIter<'a> {
        match self {
            Names::Slice(list) => NamesIter::Slice(list.iter()),
            Names::Cows(list) => NamesIter::Cows(list.iter()),
            Names::Set(catalog, set) => NamesIter::Set(catalog, set, 0),
        }
    }

    fn len(self) -> usize {
        match self {
            Names::Slice(list) => list.len(),
            Names::Cows(list) => list.len(),
            Names::Set(_, set) => set.bits().count_ones() as usize,
        }
    }
}

/// The iterator of [`Names::iter`].
pub(crate) enum NamesIter<'a> {
    Slice(std::slice::Iter<'a, String>),
    Cows(std::slice::Iter<'a, Cow<'a, str>>),
    /// The catalog, the set, and the next position in name order.
    Set(&'a Catalog, CategorySet, usize),
}

impl<'a> Iterator for NamesIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            NamesIter::Slice(it) => it.next().map(String::as_str),
            NamesIter::Cows(it) => it.next().map(|c| &**c),
            NamesIter::Set(catalog, set, pos) => loop {
                let (index, name) = catalog.sorted_category(*pos)?;
                *pos += 1;
                if set.contains(CategorySet::single(index)) {
                    return Some(name);
                }
            },
        }
    }
}

impl Serialize for Names<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// Evidence as an event writes it, borrowed.
#[derive(Clone, Copy, Serialize)]
pub(crate) struct EvidenceView<'a> {
    pub(crate) method: crate::model::evidence::CollectionMethod,
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

impl EvidenceView<'_> {
    /// An owned copy.
    pub(crate) fn to_owned(self) -> Evidence {
        let mut e = Evidence::new(self.method);
        if let Some(n) = self.notice_version {
            e = e.notice_version(n);
        }
        if let Some(x) = self.channel {
            e = e.channel(x);
        }
        if let Some(x) = self.proof {
            e = e.proof(x);
        }
        if let Some(x) = self.jurisdiction {
            e = e.jurisdiction(x);
        }
        if let Some(x) = self.language {
            e = e.language(x);
        }
        e
    }
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

    /// Checks the syntax of the content (not against a catalog).
    pub(crate) fn check(&self) -> Result<()> {
        limits::check_subject(self.subject)?;
        if let Some(p) = self.purpose {
            limits::check_name(NameKind::Purpose, p)?;
        }
        if let Some(e) = &self.evidence {
            crate::model::evidence::check_view(e)?;
        }
        let purpose = self.purpose.unwrap_or_default();
        match self.kind {
            KindTag::Given => {
                let categories = self.categories.unwrap_or(Names::Slice(&[]));
                if categories.len() == 0 {
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
                for c in categories.iter() {
                    limits::check_name(NameKind::Category, c)?;
                }
                if let Some(exp) = self.expires_at
                    && exp.0 <= self.at.0
                {
                    return Err(Error::ExpiryNotAfterGiven {
                        purpose: purpose.to_owned(),
                        given_at: timestamp::format(self.at.0),
                        expires_at: timestamp::format(exp.0),
                    });
                }
                require_notice_view(purpose, self.evidence.as_ref())?;
            }
            KindTag::Refused => require_notice_view(purpose, self.evidence.as_ref())?,
            _ => {}
        }
        Ok(())
    }

    /// The id: the SHA-256 hash of the canonical bytes (see
    /// [`EventView::write_canonical`]). Streams into the hasher: no
    /// allocation.
    pub(crate) fn content_id(&self) -> EventId {
        let mut hasher = Sha256::new();
        self.write_canonical(&mut hasher);
        forced_or(EventId(hasher.finalize().into()))
    }

    /// [`EventView::content_id`] through a stack buffer: the one-shot hash
    /// is faster than many small streamed updates. For ingestion.
    pub(crate) fn content_id_buffered(&self) -> EventId {
        let mut buf = StackBuf::new();
        self.write_canonical(&mut buf);
        forced_or(EventId(Sha256::digest(buf.bytes()).into()))
    }

    /// Compares the canonical bytes of two events byte by byte (what
    /// decides between two events with equal ids). Allocates nothing for
    /// events under 1 KB.
    pub(crate) fn cmp_canonical(&self, other: &EventView<'_>) -> std::cmp::Ordering {
        let (mut mine, mut theirs) = (StackBuf::new(), StackBuf::new());
        self.write_canonical(&mut mine);
        other.write_canonical(&mut theirs);
        mine.bytes().cmp(theirs.bytes())
    }

    /// The id the content had in format version 1: XXH3-128 (seed 0) of
    /// the version 1 canonical bytes (the version 2 bytes with the tag
    /// `consentry-event-v1`). For verifying old events and snapshots.
    pub(crate) fn content_id_v1(&self) -> V1Id {
        let mut buf = StackBuf::new();
        buf.put(TAG_V1);
        self.write_fields(&mut buf);
        V1Id(xxhash_rust::xxh3::xxh3_128(buf.bytes()).to_be_bytes())
    }

    /// The canonical bytes an id hashes, documented in the README ("Event
    /// ids"): a version tag, then every field of the content in a fixed
    /// order, strings as a little-endian `u32` length and their UTF-8
    /// bytes, instants as little-endian `i64` nanoseconds, optional fields
    /// behind a 0/1 byte.
    // Measured (callgrind): hashing the canonical JSON cost ~2,800
    // instructions per event, a third of parsing it; these bytes cost a
    // fraction of that and are simpler to reproduce in another language.
    pub(crate) fn write_canonical(&self, out: &mut impl Sink) {
        out.put(TAG_V2);
        self.write_fields(out);
    }

    /// The canonical bytes after the tag, the same in versions 1 and 2.
    fn write_fields(&self, out: &mut impl Sink) {
        fn text(out: &mut impl Sink, s: &str) {
            out.put(&(s.len() as u32).to_le_bytes());
            out.put(s.as_bytes());
        }
        fn opt_text(out: &mut impl Sink, s: Option<&str>) {
            match s {
                Some(s) => {
                    out.put(&[1]);
                    text(out, s);
                }
                None => out.put(&[0]),
            }
        }
        text(out, self.subject);
        out.put(&self.at.0.to_le_bytes());
        out.put(&[self.kind as u8]);
        opt_text(out, self.purpose);
        match self.categories {
            Some(names) => {
                out.put(&[1]);
                out.put(&(names.len() as u32).to_le_bytes());
                for name in names.iter() {
                    text(out, name);
                }
            }
            None => out.put(&[0]),
        }
        match self.expires_at {
            Some(t) => {
                out.put(&[1]);
                out.put(&t.0.to_le_bytes());
            }
            None => out.put(&[0]),
        }
        out.put(&[u8::from(self.renewal == Some(true))]);
        match &self.evidence {
            Some(e) => {
                out.put(&[1, crate::model::evidence::method_index(e.method)]);
                match e.notice_version {
                    Some(n) => {
                        out.put(&[1]);
                        out.put(&n.to_le_bytes());
                    }
                    None => out.put(&[0]),
                }
                opt_text(out, e.channel);
                opt_text(out, e.proof);
                opt_text(out, e.jurisdiction);
                opt_text(out, e.language);
            }
            None => out.put(&[0]),
        }
    }

    /// Writes the canonical JSON: exactly what serde_json writes for this
    /// struct (a test checks it), without serde's per-token overhead.
    // Measured (callgrind): serde_json took ~5,300 instructions per event,
    // more than parsing it; this writer takes a fraction of that.
    pub(crate) fn write_json(&self, out: &mut impl Sink) {
        out.put(b"{\"v\":");
        put_u64(out, self.v);
        if let Some(id) = self.id {
            out.put(b",\"id\":\"");
            out.put(&id.hex());
            out.put(b"\"");
        }
        out.put(b",\"subject\":");
        put_str(out, self.subject);
        out.put(b",\"at\":\"");
        out.put(self.at.write(&mut [0; 40]).as_bytes());
        out.put(b"\",\"kind\":\"");
        out.put(self.kind.as_str().as_bytes());
        out.put(b"\"");
        if let Some(p) = self.purpose {
            out.put(b",\"purpose\":");
            put_str(out, p);
        }
        if let Some(names) = self.categories {
            out.put(b",\"categories\":[");
            let mut first = true;
            let mut one = |name: &str| {
                if !first {
                    out.put(b",");
                }
                first = false;
                put_str(out, name);
            };
            names.iter().for_each(&mut one);
            out.put(b"]");
        }
        if let Some(t) = self.expires_at {
            out.put(b",\"expires_at\":\"");
            out.put(t.write(&mut [0; 40]).as_bytes());
            out.put(b"\"");
        }
        if let Some(r) = self.renewal {
            out.put(if r {
                b",\"renewal\":true"
            } else {
                b",\"renewal\":false"
            });
        }
        if let Some(e) = self.evidence {
            out.put(b",\"evidence\":{\"method\":\"");
            out.put(e.method.as_str().as_bytes());
            out.put(b"\"");
            if let Some(n) = e.notice_version {
                out.put(b",\"notice_version\":");
                put_u64(out, u64::from(n));
            }
            for (key, value) in [
                (&b",\"channel\":"[..], e.channel),
                (b",\"proof\":", e.proof),
                (b",\"jurisdiction\":", e.jurisdiction),
                (b",\"language\":", e.language),
            ] {
                if let Some(v) = value {
                    out.put(key);
                    put_str(out, v);
                }
            }
            out.put(b"}");
        }
        out.put(b"}");
    }
}

#[cfg(test)]
thread_local! {
    /// Unit tests only: when set, every event id computed on this thread is
    /// this one, as if every pair of events collided.
    pub(crate) static FORCED_ID: std::cell::Cell<Option<EventId>> =
        const { std::cell::Cell::new(None) };
}

/// `id`, or in unit tests the id forced by `FORCED_ID`.
#[inline]
fn forced_or(id: EventId) -> EventId {
    #[cfg(test)]
    if let Some(forced) = FORCED_ID.get() {
        return forced;
    }
    id
}

/// Where canonical JSON goes: a buffer or a hasher.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

/// A buffer on the stack for typical events, spilling to the heap for
/// large ones.
struct StackBuf {
    bytes: [u8; 1024],
    len: usize,
    spill: Vec<u8>,
}

impl StackBuf {
    fn new() -> StackBuf {
        StackBuf {
            bytes: [0; 1024],
            len: 0,
            spill: Vec::new(),
        }
    }

    /// What was written.
    fn bytes(&self) -> &[u8] {
        if self.spill.is_empty() {
            self.bytes.get(..self.len).unwrap_or_default()
        } else {
            &self.spill
        }
    }
}

impl Sink for StackBuf {
    fn put(&mut self, data: &[u8]) {
        if self.spill.is_empty() {
            if let Some(dst) = self.bytes.get_mut(self.len..self.len + data.len()) {
                dst.copy_from_slice(data);
                self.len += data.len();
                return;
            }
            self.spill
                .extend_from_slice(self.bytes.get(..self.len).unwrap_or_default());
        }
        self.spill.extend_from_slice(data);
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Sink for Sha256 {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

fn put_u64(out: &mut impl Sink, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    out.put(buf.get(i..).unwrap_or_default());
}

/// A JSON string as serde_json writes it: `"` and `\\` escaped, control
/// characters as `\\n`-style or `\\u00XX` escapes, everything else as is.
fn put_str(out: &mut impl Sink, s: &str) {
    out.put(b"\"");
    let bytes = s.as_bytes();
    if !bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\') {
        out.put(bytes);
        out.put(b"\"");
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.put(bytes.get(start..i).unwrap_or_default());
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let hex = |n: u8| HEX.get(usize::from(n)).copied().unwrap_or(b'0');
            out.put(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b & 0xf)]);
        } else {
            out.put(escape);
        }
        start = i + 1;
    }
    out.put(bytes.get(start..).unwrap_or_default());
    out.put(b"\"");
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
        }
    }
}

/// Reads an event's JSON, checks its syntax, version and id, and hands the
/// checked content, borrowed from the JSON, to `f`.
pub(crate) fn read<T>(
    json: &str,
    f: impl FnOnce(&EventView<'_>, EventId) -> Result<T>,
) -> Result<T> {
    let repr: EventRepr<'_> = serde_json::from_str(json).map_err(|e| Error::json("event", &e))?;
    checked(repr, f)
}

fn checked<T>(
    mut r: EventRepr<'_>,
    f: impl FnOnce(&EventView<'_>, EventId) -> Result<T>,
) -> Result<T> {
    if !(OLDEST_EVENT_FORMAT_VERSION..=u64::from(EVENT_FORMAT_VERSION)).contains(&r.v) {
        return Err(Error::UnsupportedVersion {
            what: "event",
            found: r.v,
            supported: EVENT_FORMAT_VERSION,
        });
    }
    let Some(id_text) = r.id.take() else {
        return Err(Error::InvalidEvent {
            problem: "missing field `id`".into(),
        });
    };
    // A version 1 event carries its XXH3 id, checked against the version 1
    // bytes; from then on it is known by its version 2 id only.
    let found = if r.v == 1 {
        StoredId::V1(id_text.parse()?)
    } else {
        StoredId::V2(id_text.parse()?)
    };
    limits::check_subject(&r.subject)?;
    let at = timestamp::parse(&r.at)?;
    let tag = r.kind;
    let name = tag.as_str();
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
    match (needs_purpose, r.purpose.is_some()) {
        (false, true) => return Err(unexpected("purpose")),
        (true, false) => return Err(missing("purpose")),
        _ => {}
    }
    match (needs_evidence, r.evidence.is_some()) {
        (false, true) => return Err(unexpected("evidence")),
        (true, false) => return Err(missing("evidence")),
        _ => {}
    }
    if is_given {
        if r.categories.is_none() {
            return Err(missing("categories"));
        }
    } else {
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
    let expires_at = match &r.expires_at {
        Some(t) => Some(Rfc3339(timestamp::parse(t)?)),
        None => None,
    };
    if let Some(categories) = &mut r.categories {
        // Canonical order, as the event's creator hashed it.
        categories.sort_unstable();
        categories.dedup();
    }
    let view = EventView {
        v: u64::from(EVENT_FORMAT_VERSION),
        id: None,
        subject: &r.subject,
        at: Rfc3339(at),
        kind: tag,
        purpose: r.purpose.as_deref(),
        categories: r.categories.as_deref().map(Names::Cows),
        expires_at,
        renewal: r.renewal.filter(|x| *x),
        evidence: r.evidence.as_ref().map(EvidenceRepr::view),
    };
    view.check()?;
    let mismatch = |expected: String| Error::EventIdMismatch {
        found: id_text.to_string(),
        expected,
    };
    let id = view.content_id_buffered();
    match found {
        StoredId::V2(found) if found != id => return Err(mismatch(id.to_string())),
        StoredId::V1(found) => {
            let v1 = view.content_id_v1();
            if found != v1 {
                return Err(mismatch(v1.to_string()));
            }
        }
        StoredId::V2(_) => {}
    }
    f(&view, id)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::evidence::CollectionMethod;

    #[test]
    fn event_ids_round_trip_as_hex() {
        let mut counting = [0u8; 32];
        for (i, b) in counting.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37);
        }
        for bytes in [[0; 32], [0xff; 32], counting] {
            let text = EventId(bytes).to_string();
            let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(text, expected);
            assert_eq!(text.parse::<EventId>().ok(), Some(EventId(bytes)));
            let v1 = V1Id(*bytes.first_chunk().expect("16 bytes"));
            let short = v1.to_string();
            assert_eq!(short, expected.get(..32).expect("64 digits"));
            assert_eq!(short.parse::<V1Id>().ok(), Some(v1));
        }
        for bad in [
            "",
            "0",
            &"0".repeat(32),
            &"0".repeat(63),
            &"0".repeat(65),
            &"A".repeat(64),
            &"g".repeat(64),
            &"é".repeat(32),
        ] {
            assert!(bad.parse::<EventId>().is_err(), "{bad}");
        }
        for bad in [
            "",
            &"0".repeat(31),
            &"0".repeat(64),
            &"A".repeat(32),
            &"é".repeat(16),
        ] {
            assert!(bad.parse::<V1Id>().is_err(), "{bad}");
        }
    }

    /// Ids order byte by byte, as their hex text does.
    #[test]
    fn event_ids_order_as_their_text() {
        let mut low = [0u8; 32];
        let mut high = [0u8; 32];
        low[31] = 0xff;
        high[0] = 0x01;
        assert!(EventId(low) < EventId(high));
        assert!(EventId(low).to_string() < EventId(high).to_string());
    }

    /// The hand-written writer produces exactly serde_json's output for the
    /// same view, so ids and JSON stay what the format documents.
    #[test]
    fn writer_matches_serde_json() {
        let tricky = [
            "plain",
            "quote\" and backslash \\",
            "tab\tnew\nline\r\u{8}\u{c}\u{1}\u{1f}",
            "unicode é ✓ 𝄞 /slash",
            "",
        ];
        let at = 1_772_359_200_123_456_789;
        for (i, text) in tricky.iter().enumerate() {
            let names = vec!["contact".to_owned(), "contact.email".to_owned()];
            let evidence = EvidenceView {
                method: CollectionMethod::ALL[i % CollectionMethod::ALL.len()],
                notice_version: (i % 2 == 0).then_some(u32::MAX - i as u32),
                channel: Some(text),
                proof: (i % 3 != 0).then_some(text),
                jurisdiction: Some("EU"),
                language: (i % 2 == 1).then_some(text),
            };
            for kind in [KindTag::Given, KindTag::Erased, KindTag::OptOutSet] {
                let mut v = EventView::bare(text, at + i as i64, kind);
                v.id = (i % 2 == 0).then_some(EventId([i as u8 * 40; 32]));
                if kind == KindTag::Given {
                    v.purpose = Some(text);
                    v.categories = Some(Names::Slice(&names));
                    v.expires_at = Some(Rfc3339(at + 1_000_000_000));
                    v.renewal = (i % 2 == 0).then_some(true);
                }
                if kind != KindTag::Erased {
                    v.evidence = Some(evidence);
                }
                let mut ours = Vec::new();
                v.write_json(&mut ours);
                let theirs = serde_json::to_vec(&v).expect("serializes");
                assert_eq!(
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&theirs)
                );
            }
        }
    }
}
