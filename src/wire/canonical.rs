//! The canonical form of an event: the view serde writes as JSON, and the
//! bytes its id hashes, written without allocating.

use std::borrow::Cow;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, NameKind, Result};
use crate::limits::{self, CATEGORY_CAPACITY};
use crate::model::catalog::Catalog;
use crate::model::category::CategorySet;
use crate::model::evidence::EvidenceView;
use crate::model::facts::{Age, Jurisdiction};
use crate::wire::event::{EVENT_FORMAT_VERSION, EventKind, KindTag, require_notice_view};
use crate::wire::id::{EventId, V1Id};
use crate::wire::timestamp::{self, Nanos, Rfc3339};

/// The tag that starts the canonical bytes of a version 2 event.
const TAG_V2: &[u8] = b"consentry-event-v2";
/// The tag that started the canonical bytes of a version 1 event.
const TAG_V1: &[u8] = b"consentry-event-v1";

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
    pub(crate) jurisdiction: Option<Jurisdiction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) age: Option<Age>,
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
            jurisdiction: None,
            age: None,
            evidence: None,
        }
    }

    pub(crate) fn of(subject: &'a str, at: Nanos, kind: &'a EventKind) -> Self {
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
        match kind {
            EventKind::JurisdictionSet { jurisdiction, .. } => v.jurisdiction = Some(*jurisdiction),
            EventKind::AgeSet { age, .. } => v.age = Some(*age),
            _ => {}
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
            KindTag::AgeSet => {
                if let Some(age) = self.age {
                    age.check(timestamp::from_nanos(self.at.0).date())?;
                }
            }
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
        // Written after everything else and only when set, so the bytes
        // (and ids) of events without them are unchanged; each starts with
        // its own tag, so no two contents share bytes.
        if let Some(e) = &self.evidence
            && (e.regime_bits() != 0 || e.verification.is_some())
        {
            out.put(&[0xE1, e.regime_bits()]);
            opt_text(out, e.verification);
        }
        if let Some(j) = self.jurisdiction {
            out.put(&[0xE2]);
            text(out, j.as_str());
        }
        if let Some(age) = self.age {
            let (word, birth) = age.pack();
            out.put(&[0xE3, u8::from(birth)]);
            out.put(&word.to_le_bytes());
        }
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
pub(crate) fn forced_or(id: EventId) -> EventId {
    #[cfg(test)]
    if let Some(forced) = FORCED_ID.get() {
        return forced;
    }
    id
}

/// Where canonical bytes go: a buffer or a hasher.
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

#[cfg(test)]
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
