//! The serialized form of a ledger: catalog and records by name, validated on load.
//!
//! A [`Snapshot`] holds a ledger already checked under the snapshot's own
//! catalog. Writing streams from it through borrowed views; reading streams
//! into it one subject at a time (each subject checked completely, its
//! records' event ids included, then stored), so loading holds the JSON,
//! the ledger being built and one subject, never a copy of the whole state
//! in owned intermediate structures.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::catalog::{Catalog, CatalogRepr, Purpose, PurposeHandle};
use crate::category::CategorySet;
use crate::error::{Error, Result};
use crate::event::{EventId, EvidenceView, Names, require_notice_view};
use crate::evidence::{CollectionMethod, check_view};
use crate::ledger::{Ledger, cap};
use crate::limits;
use crate::store::{
    Cold, GIVEN, NOTICE_OK, OBJECTED, ON, REFUSED, RENEWAL, Row, Slot, StrPool, WITHDRAWN,
};
use crate::timestamp::{self, NEVER, Nanos, Rfc3339};

/// The snapshot format version this crate writes and reads.
pub const SNAPSHOT_FORMAT_VERSION: u32 = 1;

/// A ledger's whole state in serializable form: the catalog and every
/// subject's records, marks and evidence, by name. Derived indexes are not
/// serialized; they are rebuilt on load.
///
/// A `Snapshot` only ever holds valid state: one read from storage
/// ([`Snapshot::from_json`], or serde) has been checked completely, each
/// record's and mark's event id included (see [`Snapshot::from_json`]).
/// Two snapshots are equal when they serialize the same: equal states give
/// equal snapshots, whatever order the events arrived in.
///
/// Times are written in RFC 3339, UTC, to the nanosecond: an instant read
/// back is the instant written.
///
/// # Examples
///
/// ```
/// use consentry::{Catalog, Ledger, LegalBasis, PurposeDef, Snapshot};
///
/// let catalog = Catalog::builder()
///     .category("contact")
///     .purpose(
///         PurposeDef::new("newsletter", LegalBasis::Consent)
///             .title("Newsletter")
///             .description("A monthly e-mail.")
///             .categories(["contact"]),
///     )
///     .build()?;
/// let ledger = Ledger::new(catalog);
/// let json = ledger.snapshot().to_json()?;
/// let restored = Ledger::restore(Snapshot::from_json(&json)?)?;
/// assert_eq!(restored.snapshot(), ledger.snapshot());
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Clone)]
pub struct Snapshot {
    watermark: Option<u64>,
    /// INVARIANT: valid under its own catalog; when read from storage, every
    /// record and mark matched its event id.
    ledger: Ledger,
}

impl Snapshot {
    /// The snapshot as JSON.
    ///
    /// # Errors
    ///
    /// None in practice; serde_json's own errors are passed on as [`Error::Json`].
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Json {
            what: "snapshot",
            message: e.to_string(),
        })
    }

    /// Reads a snapshot's JSON and checks everything [`Ledger::restore`]
    /// needs: the format version, the catalog, and every subject, record and
    /// mark (names declared, times valid, nothing held at or before an
    /// erasure...). Each record and mark must also match its `event` id: the
    /// id is recomputed from the content as written, so an edited record
    /// (a refusal turned into a grant, an expiry pushed back) is refused.
    ///
    /// The top-level keys may come in any order (a database's JSON type may
    /// reorder them). Subjects with nothing recorded are not kept. Peak
    /// memory while reading stays within a few times the JSON's size plus
    /// the ledger it builds.
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedVersion`] for a format version this crate does
    /// not read; [`Error::Json`] with the line and column of the problem
    /// (malformed JSON, a missing, unknown or mistyped field, nesting deeper
    /// than 128); and, located in an [`Error::Snapshot`], an invalid catalog,
    /// subject, record or mark ([`Ledger::restore_with_catalog`] lists them)
    /// or an event id that does not match its content
    /// ([`Error::EventIdMismatch`]).
    pub fn from_json(json: &str) -> Result<Snapshot> {
        let top: Top<'_> = serde_json::from_str(json).map_err(|e| Error::Json {
            what: "snapshot",
            message: e.to_string(),
        })?;
        check_version(top.format_version)?;
        let repr: CatalogRepr = serde_json::from_str(top.catalog.get())
            .map_err(|e| json_error_in(json, top.catalog, &e))?;
        let mut loader = Loader::new(build_catalog(repr)?);
        let mut de = serde_json::Deserializer::from_str(top.subjects.get());
        let read = SubjectsSeed(&mut loader)
            .deserialize(&mut de)
            .and_then(|()| de.end());
        if let Err(e) = read {
            return Err(match loader.failure.take() {
                Some(failure) => failure,
                None => json_error_in(json, top.subjects, &e),
            });
        }
        Ok(Snapshot {
            watermark: top.watermark,
            ledger: loader.finish(),
        })
    }

    /// Records the position in the host's event log that this snapshot
    /// includes (e.g. the largest sequence number applied). The engine does
    /// not interpret it; [`Snapshot::watermark`] gives it back after loading,
    /// so the host knows which events to replay: those after it.
    ///
    /// Replaying an event the snapshot already includes is harmless
    /// ([`Ledger::apply`] is idempotent), so an at-least-once replay from the
    /// watermark is safe.
    #[must_use]
    pub fn with_watermark(mut self, position: u64) -> Self {
        self.watermark = Some(position);
        self
    }

    /// The host's log position recorded with [`Snapshot::with_watermark`].
    #[must_use]
    pub fn watermark(&self) -> Option<u64> {
        self.watermark
    }

    /// The number of subjects in the snapshot, erased ones included
    /// (subjects read with nothing recorded are not kept).
    #[must_use]
    pub fn subject_count(&self) -> usize {
        let st = &self.ledger.store;
        (0..st.subject_count() as u32)
            .filter(|s| st.has_rows(*s))
            .count()
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("format_version", &SNAPSHOT_FORMAT_VERSION)
            .field("watermark", &self.watermark)
            .field("subjects", &self.subject_count())
            .field("ledger", &self.ledger)
            .finish()
    }
}

impl PartialEq for Snapshot {
    /// Equal when they serialize the same, compared one subject at a time.
    fn eq(&self, other: &Self) -> bool {
        if self.watermark != other.watermark
            || self.ledger.catalog.to_repr() != other.ledger.catalog.to_repr()
        {
            return false;
        }
        let (a, b) = (
            sorted_subjects(&self.ledger),
            sorted_subjects(&other.ledger),
        );
        let (mut x, mut y) = (Vec::new(), Vec::new());
        a.len() == b.len()
            && a.iter().zip(&b).all(|(&s, &t)| {
                x.clear();
                y.clear();
                let left = SubjectView(&self.ledger, s);
                let right = SubjectView(&other.ledger, t);
                serde_json::to_writer(&mut x, &left).is_ok()
                    && serde_json::to_writer(&mut y, &right).is_ok()
                    && x == y
            })
    }
}

impl Eq for Snapshot {}

fn at(location: impl FnOnce() -> String) -> impl FnOnce(Error) -> Error {
    move |error| Error::Snapshot {
        location: location(),
        error: Box::new(error),
    }
}

/// Puts an error of subject `i` under its location.
fn locate(i: usize, id: &str, error: Error) -> Error {
    let location = format!("subjects[{i}] (`{}`)", id.escape_debug());
    match error {
        Error::Snapshot {
            location: inner,
            error,
        } => Error::Snapshot {
            location: format!("{location}.{inner}"),
            error,
        },
        other => Error::Snapshot {
            location,
            error: Box::new(other),
        },
    }
}

/// The subjects a snapshot writes (those with a row, erased ones included),
/// sorted by id.
fn sorted_subjects(l: &Ledger) -> Vec<u32> {
    let st = &l.store;
    let mut order: Vec<u32> = (0..st.subject_count() as u32)
        .filter(|s| st.has_rows(*s))
        .collect();
    order.sort_unstable_by(|a, b| st.names.get(*a).cmp(st.names.get(*b)));
    order
}

impl Ledger {
    /// The ledger's whole state, for the host to store (a copy of the
    /// ledger: serializing it streams from that copy). Subjects are sorted
    /// by id, so equal states give equal snapshots whatever order the
    /// events arrived in.
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            watermark: None,
            ledger: self.clone(),
        }
    }

    /// Rebuilds a ledger from a snapshot, with the snapshot's own catalog.
    /// The snapshot was checked when it was read, so this cannot fail any
    /// more and costs nothing: the ledger it holds is handed over.
    ///
    /// # Errors
    ///
    /// None: reading the snapshot ([`Snapshot::from_json`]) did the checks.
    /// The `Result` is kept for compatibility.
    pub fn restore(snapshot: Snapshot) -> Result<Ledger> {
        Ok(snapshot.ledger)
    }

    /// Rebuilds a ledger from a snapshot's records under `catalog` (for
    /// example the application's current catalog, which may have evolved
    /// since the snapshot was taken). The snapshot's own catalog is ignored;
    /// each record, already checked against its event id when the snapshot
    /// was read, must be valid under `catalog`. Expiries beyond the catalog's
    /// current maximum validity are then capped.
    ///
    /// # Errors
    ///
    /// Located in an [`Error::Snapshot`] (here and when the snapshot is
    /// read): a duplicate subject, a malformed subject id or time, a record
    /// for an undeclared purpose, an undeclared category or one outside the
    /// purpose, an expiry not after the record's time, a notice version never
    /// published, two records for one purpose, an objection the purpose does
    /// not allow, or anything held at or before the subject's erasure.
    pub fn restore_with_catalog(snapshot: Snapshot, catalog: Catalog) -> Result<Ledger> {
        let src = snapshot.ledger;
        let mut ledger = Ledger::new(catalog);
        let order = sorted_subjects(&src);
        let bytes = order.iter().map(|s| src.store.names.get(*s).len()).sum();
        ledger.store.reserve_subjects(order.len(), bytes);
        for p in src.catalog.purposes() {
            if let (Some(from), Some(to)) = (
                src.catalog.purpose_handle(p.name()),
                ledger.catalog.purpose_handle(p.name()),
            ) {
                let n = src
                    .store
                    .column(Slot::Purpose(from.0))
                    .map_or(0, |c| c.rows.len());
                ledger.store.reserve_rows(Slot::Purpose(to.0), n);
            }
        }
        for (i, s) in order.into_iter().enumerate() {
            ledger
                .move_subject(&src, s)
                .map_err(|e| locate(i, src.store.names.get(s), e))?;
        }
        ledger.store.shrink_to_fit();
        Ok(ledger)
    }

    /// Checks subject `s` of `src` under this ledger's catalog, then stores it.
    fn move_subject(&mut self, src: &Ledger, s: u32) -> Result<()> {
        let st = &src.store;
        let id = st.names.get(s);
        let erased_at = st.row(s, Slot::Erased).map(|r| r.from);
        let mut rows = Vec::new();
        let mut j = 0;
        for slot in st.slots(s) {
            let (Some(r), Some(c)) = (st.row(s, slot), st.cold(s, slot)) else {
                continue;
            };
            let evidence = st.evidence_view(c);
            let Slot::Purpose(p) = slot else {
                let has_evidence = matches!(slot, Slot::WithdrawnAll | Slot::OptOut);
                rows.push(Pending {
                    slot,
                    row: *r,
                    set: CategorySet::empty(),
                    evidence: has_evidence.then_some(evidence),
                });
                continue;
            };
            let purpose = src
                .catalog
                .purpose_at(PurposeHandle(p))
                .map_or("", Purpose::name);
            let given = r.kind() == GIVEN;
            let record = RecordIn {
                purpose,
                kind: r.kind(),
                at: Time::At(r.from),
                expires_at: (given && r.until != NEVER).then_some(Time::At(r.until)),
                categories: given.then_some(NamesIn::Held(&src.catalog, st.set(r.set))),
                renewal: r.flags & RENEWAL != 0,
                evidence,
            };
            let checked = self.check_record(&record, id, erased_at).map_err(at(|| {
                format!("records[{j}] (`{}`)", purpose.escape_debug())
            }))?;
            j += 1;
            rows.push(Pending {
                slot: Slot::Purpose(checked.purpose),
                row: Row {
                    until: checked.capped,
                    ..checked.row
                },
                set: checked.set,
                evidence: Some(evidence),
            });
        }
        self.store_subject(id, rows)
    }

    /// Checks one subject of a snapshot completely, its records' and marks'
    /// event ids included, then stores it; a subject with nothing recorded
    /// is only remembered in `bare`, for the duplicate check.
    fn load_subject(&mut self, s: &SubjectRepr<'_>, bare: &mut StrPool) -> Result<()> {
        let id = s.id.as_str();
        limits::check_subject(id)?;
        if self.store.names.find(id).is_some() || bare.find(id).is_some() {
            return Err(Error::DuplicateSubject(id.to_owned()));
        }
        // Everything is checked first, then interned, then stored: a
        // failure anywhere leaves the ledger as it was.
        let mut rows: Vec<Pending<'_>> = Vec::with_capacity(s.records.len() + 1);
        // Per row: the id it carries, and where it is (a mark's name, or
        // the record's index).
        let mut ids: Vec<(&str, Result<&'static str, usize>)> =
            Vec::with_capacity(s.records.len() + 1);
        let place = |at: Result<&'static str, usize>| match at {
            Ok(name) => name.to_owned(),
            Err(j) => {
                let purpose = s.records.get(j).map_or("", |r| r.purpose.as_str());
                format!("records[{j}] (`{}`)", purpose.escape_debug())
            }
        };
        let marks = [
            ("registered", Slot::Registered, &s.registered),
            ("erased", Slot::Erased, &s.erased),
            ("withdrawn_all", Slot::WithdrawnAll, &s.withdrawn_all),
            ("global_opt_out", Slot::OptOut, &s.global_opt_out),
        ];
        let mut erased_at = None;
        for (name, slot, m) in marks {
            let Some(m) = m else { continue };
            let row = load_mark(slot, m).map_err(at(|| name.to_owned()))?;
            if slot == Slot::Erased {
                erased_at = Some(row.from);
            }
            rows.push(Pending {
                slot,
                row,
                set: CategorySet::empty(),
                evidence: m.evidence.as_ref().map(EvidenceRepr::view),
            });
            ids.push((m.event.as_str(), Ok(name)));
        }
        if let Some(e) = erased_at
            && let Some((_, (_, name))) = rows
                .iter()
                .zip(&ids)
                .find(|(p, _)| p.slot != Slot::Erased && p.row.from <= e)
        {
            return Err(Error::Snapshot {
                location: place(*name),
                error: Box::new(erased_error(id, e)),
            });
        }
        let mut caps = Vec::with_capacity(s.records.len());
        for (j, r) in s.records.iter().enumerate() {
            let checked = self
                .check_record(&r.view(), id, erased_at)
                .map_err(at(|| place(Err(j))))?;
            let slot = Slot::Purpose(checked.purpose);
            if rows.iter().any(|p| p.slot == slot) {
                return Err(Error::DuplicateRecord {
                    subject: id.to_owned(),
                    purpose: r.purpose.as_str().to_owned(),
                });
            }
            rows.push(Pending {
                slot,
                row: checked.row,
                set: checked.set,
                evidence: Some(r.evidence.view()),
            });
            ids.push((r.event.as_str(), Err(j)));
            caps.push(checked.capped);
        }
        // The content as written must hash to the id it carries.
        for (p, (text, place_of)) in rows.iter().zip(&ids) {
            let check = || -> Result<()> {
                let found: EventId = text.parse()?;
                let expected = self
                    .content_view(id, p.slot, &p.row, p.set, p.evidence)
                    .content_id();
                if found != expected {
                    return Err(Error::EventIdMismatch {
                        found: (*text).to_owned(),
                        expected: expected.to_string(),
                    });
                }
                Ok(())
            };
            check().map_err(at(|| place(*place_of)))?;
        }
        // Then expiries are capped to the catalog's maximum validity.
        let records = rows
            .iter_mut()
            .filter(|p| matches!(p.slot, Slot::Purpose(_)));
        for (p, capped) in records.zip(caps) {
            p.row.until = capped;
        }
        if rows.is_empty() {
            bare.intern(id, false)?;
            return Ok(());
        }
        self.store_subject(id, rows)
    }

    /// Interns what checked rows need and stores them under subject `id`.
    fn store_subject(&mut self, id: &str, rows: Vec<Pending<'_>>) -> Result<()> {
        let mut stored = Vec::with_capacity(rows.len());
        for p in rows {
            let mut row = p.row;
            if !p.set.is_empty() {
                row.set = self.store.intern_set(p.set)?;
            }
            let cold = match &p.evidence {
                Some(e) => self.store.intern_evidence(e)?,
                None => Cold::default(),
            };
            stored.push((p.slot, row, cold));
        }
        let subject = self.store.subject(id)?;
        for (slot, mut row, cold) in stored {
            row.subject = subject;
            self.store.put(subject, slot, row, cold);
        }
        Ok(())
    }

    /// Checks a record by name against this ledger's catalog. The row keeps
    /// the expiry as written (what its event id covers); `capped` is the
    /// expiry to store.
    fn check_record(
        &self,
        r: &RecordIn<'_>,
        subject: &str,
        erased_at: Option<Nanos>,
    ) -> Result<Checked> {
        let unknown = || Error::UnknownPurpose(r.purpose.to_owned());
        let handle = self.catalog.purpose_handle(r.purpose).ok_or_else(unknown)?;
        let p = self.catalog.purpose_at(handle).ok_or_else(unknown)?;
        let time = r.at.nanos()?;
        if let Some(e) = erased_at
            && time <= e
        {
            return Err(erased_error(subject, e));
        }
        check_view(&r.evidence)?;
        if let Some(v) = r.evidence.notice_version
            && v > p.notice_version()
        {
            return Err(Error::NoticeVersion {
                purpose: r.purpose.to_owned(),
                problem: format!(
                    "notice version {v} was never published (current version {})",
                    p.notice_version()
                ),
            });
        }
        if r.kind == OBJECTED && !p.allows_objection() {
            return Err(Error::ObjectionNotApplicable {
                purpose: r.purpose.to_owned(),
                basis: p.basis(),
            });
        }
        let (mut set, mut expires) = (CategorySet::empty(), NEVER);
        if r.kind == GIVEN {
            require_notice_view(r.purpose, Some(&r.evidence))?;
            let names = r.categories.as_ref().ok_or_else(|| Error::InvalidRecord {
                problem: "a `given` record needs field `categories`".into(),
            })?;
            if names.is_empty() {
                return Err(Error::InvalidRecord {
                    problem: "a `given` record names no categories".into(),
                });
            }
            set = names.set(&self.catalog, p)?;
            if let Some(e) = r.expires_at {
                let e = e.nanos()?;
                if e <= time {
                    return Err(Error::ExpiryNotAfterGiven {
                        purpose: r.purpose.to_owned(),
                        given_at: timestamp::format(time),
                        expires_at: timestamp::format(e),
                    });
                }
                expires = e;
            }
        } else {
            for (field, present) in [
                ("categories", r.categories.is_some()),
                ("expires_at", r.expires_at.is_some()),
                ("renewal", r.renewal),
            ] {
                if present {
                    return Err(Error::InvalidRecord {
                        problem: format!("only a `given` record has field `{field}`"),
                    });
                }
            }
        }
        let notice_ok = r
            .evidence
            .notice_version
            .is_some_and(|v| v >= p.min_notice_version());
        let row = Row {
            from: time,
            until: expires,
            subject: 0,
            set: 0,
            flags: r.kind
                | if r.renewal { RENEWAL } else { 0 }
                | if notice_ok { NOTICE_OK } else { 0 },
        };
        let capped = if r.kind == GIVEN {
            cap(p, time, expires)
        } else {
            expires
        };
        Ok(Checked {
            purpose: handle.0,
            row,
            set,
            capped,
        })
    }
}

/// A checked row of a subject being loaded, not stored yet.
struct Pending<'a> {
    slot: Slot,
    row: Row,
    /// The categories of a grant, not interned yet (`row.set` is 0).
    set: CategorySet,
    evidence: Option<EvidenceView<'a>>,
}

/// What [`Ledger::check_record`] gives back.
struct Checked {
    purpose: u16,
    row: Row,
    set: CategorySet,
    capped: Nanos,
}

/// A record by name: as read from JSON, or as held by a ledger being moved
/// to another catalog.
struct RecordIn<'a> {
    purpose: &'a str,
    kind: u8,
    at: Time<'a>,
    expires_at: Option<Time<'a>>,
    categories: Option<NamesIn<'a>>,
    renewal: bool,
    evidence: EvidenceView<'a>,
}

/// A time as read (parsed when checked, so errors come in a fixed order) or
/// as held.
#[derive(Clone, Copy)]
enum Time<'a> {
    Text(&'a str),
    At(Nanos),
}

impl Time<'_> {
    fn nanos(self) -> Result<Nanos> {
        match self {
            Time::Text(t) => timestamp::parse(t),
            Time::At(n) => Ok(n),
        }
    }
}

/// A grant's category names: as read, or a set of another catalog.
enum NamesIn<'a> {
    Read(&'a [Text<'a>]),
    Held(&'a Catalog, CategorySet),
}

impl NamesIn<'_> {
    fn is_empty(&self) -> bool {
        match self {
            NamesIn::Read(list) => list.is_empty(),
            NamesIn::Held(_, set) => set.is_empty(),
        }
    }

    /// The set under `catalog`, each name checked against purpose `p`.
    fn set(&self, catalog: &Catalog, p: &Purpose) -> Result<CategorySet> {
        match self {
            NamesIn::Read(list) => catalog.category_set(p, list.iter().map(Text::as_str)),
            NamesIn::Held(from, set) => catalog.category_set(p, from.names_sorted(*set)),
        }
    }
}

/// Checks a subject mark of a snapshot.
fn load_mark(slot: Slot, m: &MarkRepr<'_>) -> Result<Row> {
    let time = timestamp::parse(m.at.as_str())?;
    if let Some(e) = &m.evidence {
        check_view(&e.view())?;
    }
    let is_signal = slot == Slot::OptOut;
    if is_signal != m.on.is_some() {
        return Err(Error::InvalidRecord {
            problem: if is_signal {
                "the opt-out signal needs field `on`".into()
            } else {
                "field `on` belongs only to the opt-out signal".into()
            },
        });
    }
    let needs_evidence = matches!(slot, Slot::WithdrawnAll | Slot::OptOut);
    if needs_evidence != m.evidence.is_some() {
        return Err(Error::InvalidRecord {
            problem: if needs_evidence {
                "this mark needs field `evidence`".into()
            } else {
                "this mark has no field `evidence`".into()
            },
        });
    }
    Ok(Row {
        from: time,
        until: NEVER,
        subject: 0,
        set: 0,
        flags: if m.on == Some(true) { ON } else { 0 },
    })
}

fn erased_error(subject: &str, erased_at: Nanos) -> Error {
    Error::SubjectErased {
        subject: subject.to_owned(),
        erased_at: timestamp::format(erased_at),
    }
}

fn check_version(found: u64) -> Result<()> {
    if found != u64::from(SNAPSHOT_FORMAT_VERSION) {
        return Err(Error::UnsupportedVersion {
            what: "snapshot",
            found,
            supported: SNAPSHOT_FORMAT_VERSION,
        });
    }
    Ok(())
}

fn build_catalog(repr: CatalogRepr) -> Result<Catalog> {
    Catalog::try_from(repr).map_err(at(|| "catalog".to_owned()))
}

/// A JSON error inside `part` of `json`, with its line and column in `json`.
fn json_error_in(json: &str, part: &RawValue, e: &serde_json::Error) -> Error {
    let message = e.to_string();
    let error = |message| Error::Json {
        what: "snapshot",
        message,
    };
    let (line, column) = (e.line(), e.column());
    let offset = (part.get().as_ptr() as usize).wrapping_sub(json.as_ptr() as usize);
    let (Some(before), Some(base)) = (
        json.get(..offset),
        message.strip_suffix(&format!(" at line {line} column {column}")),
    ) else {
        return error(message);
    };
    let start_line = before.bytes().filter(|b| *b == b'\n').count();
    let (line, column) = if line == 1 {
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        (start_line + 1, offset - start + column)
    } else {
        (start_line + line, column)
    };
    error(format!("{base} at line {line} column {column}"))
}

// ---- writing: borrowed views of the ledger ----

const MARKS: [(&str, Slot); 4] = [
    ("registered", Slot::Registered),
    ("erased", Slot::Erased),
    ("withdrawn_all", Slot::WithdrawnAll),
    ("global_opt_out", Slot::OptOut),
];

impl Serialize for Snapshot {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut out = s.serialize_struct("snapshot", 4)?;
        out.serialize_field("format_version", &u64::from(SNAPSHOT_FORMAT_VERSION))?;
        match self.watermark {
            Some(w) => out.serialize_field("watermark", &w)?,
            None => out.skip_field("watermark")?,
        }
        out.serialize_field("catalog", &self.ledger.catalog)?;
        out.serialize_field("subjects", &SubjectsView(&self.ledger))?;
        out.end()
    }
}

/// Every subject a snapshot writes, sorted by id.
struct SubjectsView<'a>(&'a Ledger);

impl Serialize for SubjectsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let l = self.0;
        s.collect_seq(sorted_subjects(l).into_iter().map(|i| SubjectView(l, i)))
    }
}

/// One subject: id, marks, records.
struct SubjectView<'a>(&'a Ledger, u32);

impl Serialize for SubjectView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let (l, i) = (self.0, self.1);
        let st = &l.store;
        let mut out = s.serialize_struct("SubjectRepr", 6)?;
        out.serialize_field("id", st.names.get(i))?;
        for (name, slot) in MARKS {
            match (st.row(i, slot), st.cold(i, slot)) {
                (Some(row), Some(cold)) => out.serialize_field(
                    name,
                    &RowView {
                        ledger: l,
                        subject: i,
                        slot,
                        row,
                        cold,
                    },
                )?,
                _ => out.skip_field(name)?,
            }
        }
        let records: Vec<Slot> = st
            .slots(i)
            .into_iter()
            .filter(|s| matches!(s, Slot::Purpose(_)))
            .collect();
        if records.is_empty() {
            out.skip_field("records")?;
        } else {
            out.serialize_field("records", &RecordsView(l, i, &records))?;
        }
        out.end()
    }
}

struct RecordsView<'a>(&'a Ledger, u32, &'a [Slot]);

impl Serialize for RecordsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let (l, i) = (self.0, self.1);
        s.collect_seq(self.2.iter().filter_map(|&slot| {
            Some(RowView {
                ledger: l,
                subject: i,
                slot,
                row: l.store.row(i, slot)?,
                cold: l.store.cold(i, slot)?,
            })
        }))
    }
}

/// A record or a mark, as written.
struct RowView<'a> {
    ledger: &'a Ledger,
    subject: u32,
    slot: Slot,
    row: &'a Row,
    cold: &'a Cold,
}

impl Serialize for RowView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let (l, r) = (self.ledger, self.row);
        let event = l.row_id(self.subject, self.slot, r, self.cold);
        let evidence = l.store.evidence_view(self.cold);
        let Slot::Purpose(p) = self.slot else {
            let mut out = s.serialize_struct("MarkRepr", 4)?;
            out.serialize_field("at", &Rfc3339(r.from))?;
            out.serialize_field("event", &event)?;
            if self.slot == Slot::OptOut {
                out.serialize_field("on", &(r.flags & ON != 0))?;
            } else {
                out.skip_field("on")?;
            }
            if matches!(self.slot, Slot::WithdrawnAll | Slot::OptOut) {
                out.serialize_field("evidence", &evidence)?;
            } else {
                out.skip_field("evidence")?;
            }
            return out.end();
        };
        let given = r.kind() == GIVEN;
        let mut out = s.serialize_struct("RecordRepr", 8)?;
        let purpose = l.catalog.purpose_at(PurposeHandle(p));
        out.serialize_field("purpose", purpose.map_or("", Purpose::name))?;
        out.serialize_field(
            "status",
            match r.kind() {
                GIVEN => "given",
                REFUSED => "refused",
                WITHDRAWN => "withdrawn",
                _ => "objected",
            },
        )?;
        out.serialize_field("at", &Rfc3339(r.from))?;
        if given && r.until != NEVER {
            out.serialize_field("expires_at", &Rfc3339(r.until))?;
        } else {
            out.skip_field("expires_at")?;
        }
        if given {
            let names = Names::Set(&l.catalog, l.store.set(r.set));
            out.serialize_field("categories", &names)?;
        } else {
            out.skip_field("categories")?;
        }
        if r.flags & RENEWAL != 0 {
            out.serialize_field("renewal", &true)?;
        } else {
            out.skip_field("renewal")?;
        }
        out.serialize_field("event", &event)?;
        out.serialize_field("evidence", &evidence)?;
        out.end()
    }
}

// ---- reading: the top level ----

/// The top level as `Snapshot::from_json` reads it: the catalog and the
/// subjects are kept as borrowed JSON text, so they can be read in the order
/// they must be (version, catalog, subjects) whatever the keys' order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "struct Snapshot")]
struct Top<'a> {
    format_version: u64,
    #[serde(default)]
    watermark: Option<u64>,
    #[serde(borrow)]
    catalog: &'a RawValue,
    #[serde(borrow)]
    subjects: &'a RawValue,
}

/// A ledger being built from a snapshot's subjects.
struct Loader {
    ledger: Ledger,
    /// Ids of subjects read with nothing recorded: not stored in the ledger,
    /// but a second subject with the same id is still a duplicate.
    bare: StrPool,
    /// Subjects read so far.
    next: usize,
    /// The error that stopped reading, with its type (serde carries only
    /// its text).
    failure: Option<Error>,
}

impl Loader {
    fn new(catalog: Catalog) -> Self {
        Loader {
            ledger: Ledger::new(catalog),
            bare: StrPool::default(),
            next: 0,
            failure: None,
        }
    }

    fn load(&mut self, subject: &SubjectRepr<'_>) -> Result<()> {
        let i = self.next;
        self.next += 1;
        self.ledger
            .load_subject(subject, &mut self.bare)
            .map_err(|e| locate(i, subject.id.as_str(), e))
    }

    fn finish(mut self) -> Ledger {
        self.ledger.store.shrink_to_fit();
        self.ledger
    }
}

/// Reads the `subjects` array into a loader, one subject at a time.
struct SubjectsSeed<'l>(&'l mut Loader);

impl<'de> DeserializeSeed<'de> for SubjectsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SubjectsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(subject) = seq.next_element::<SubjectRepr<'de>>()? {
            if let Err(e) = self.0.load(&subject) {
                let message = e.to_string();
                self.0.failure = Some(e);
                return Err(de::Error::custom(message));
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    FormatVersion,
    Watermark,
    Catalog,
    Subjects,
}

/// Reads a snapshot from any serde deserializer, checking it as
/// [`Snapshot::from_json`] does. `subjects` streams into the ledger when the
/// version and catalog come first (as [`Snapshot`] writes them); otherwise
/// it is buffered (as a `serde_json::Value`) until they have been read.
impl<'de> Deserialize<'de> for Snapshot {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        const FIELDS: &[&str] = &["format_version", "watermark", "catalog", "subjects"];
        d.deserialize_struct("Snapshot", FIELDS, TopVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Snapshot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct Snapshot")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Snapshot, A::Error> {
        let fail = |e: Error| <A::Error as de::Error>::custom(e);
        let mut version = None;
        let mut watermark: Option<Option<u64>> = None;
        let mut catalog: Option<serde_json::Value> = None;
        let mut loader: Option<Loader> = None;
        let mut subjects: Option<Option<serde_json::Value>> = None;
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::FormatVersion => {
                    if version.is_some() {
                        return Err(de::Error::duplicate_field("format_version"));
                    }
                    let v: u64 = map.next_value()?;
                    check_version(v).map_err(fail)?;
                    version = Some(v);
                }
                Field::Watermark => {
                    if watermark.is_some() {
                        return Err(de::Error::duplicate_field("watermark"));
                    }
                    watermark = Some(map.next_value()?);
                }
                Field::Catalog => {
                    if catalog.is_some() || loader.is_some() {
                        return Err(de::Error::duplicate_field("catalog"));
                    }
                    if version.is_some() {
                        let repr: CatalogRepr = map.next_value()?;
                        loader = Some(Loader::new(build_catalog(repr).map_err(fail)?));
                    } else {
                        catalog = Some(map.next_value()?);
                    }
                }
                Field::Subjects => {
                    if subjects.is_some() {
                        return Err(de::Error::duplicate_field("subjects"));
                    }
                    subjects = Some(match (&version, loader.as_mut()) {
                        (Some(_), Some(l)) => {
                            map.next_value_seed(SubjectsSeed(l))?;
                            None
                        }
                        _ => Some(map.next_value()?),
                    });
                }
            }
        }
        if version.is_none() {
            return Err(de::Error::missing_field("format_version"));
        }
        if let Some(value) = catalog {
            let repr = CatalogRepr::deserialize(value).map_err(de::Error::custom)?;
            loader = Some(Loader::new(build_catalog(repr).map_err(fail)?));
        }
        let Some(mut loader) = loader else {
            return Err(de::Error::missing_field("catalog"));
        };
        match subjects {
            None => return Err(de::Error::missing_field("subjects")),
            Some(Some(value)) => {
                if let Err(e) = SubjectsSeed(&mut loader).deserialize(value) {
                    return Err(match loader.failure.take() {
                        Some(failure) => fail(failure),
                        None => de::Error::custom(e),
                    });
                }
            }
            Some(None) => {}
        }
        Ok(Snapshot {
            watermark: watermark.flatten(),
            ledger: loader.finish(),
        })
    }
}

// ---- reading: one subject, borrowed from the JSON ----

/// A string read from JSON, borrowed unless it had escapes.
struct Text<'a>(Cow<'a, str>);

impl Text<'_> {
    fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubjectRepr<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(default, borrow)]
    registered: Option<MarkRepr<'a>>,
    #[serde(default, borrow)]
    erased: Option<MarkRepr<'a>>,
    #[serde(default, borrow)]
    withdrawn_all: Option<MarkRepr<'a>>,
    #[serde(default, borrow)]
    global_opt_out: Option<MarkRepr<'a>>,
    #[serde(default, borrow)]
    records: Vec<RecordRepr<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkRepr<'a> {
    #[serde(borrow)]
    at: Text<'a>,
    #[serde(borrow)]
    event: Text<'a>,
    /// Only for the opt-out signal.
    #[serde(default)]
    on: Option<bool>,
    #[serde(default, borrow)]
    evidence: Option<EvidenceRepr<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusRepr {
    Given,
    Refused,
    Withdrawn,
    Objected,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordRepr<'a> {
    #[serde(borrow)]
    purpose: Text<'a>,
    status: StatusRepr,
    #[serde(borrow)]
    at: Text<'a>,
    #[serde(default, borrow)]
    expires_at: Option<Text<'a>>,
    #[serde(default, borrow)]
    categories: Option<Vec<Text<'a>>>,
    #[serde(default)]
    renewal: bool,
    #[serde(borrow)]
    event: Text<'a>,
    #[serde(borrow)]
    evidence: EvidenceRepr<'a>,
}

impl RecordRepr<'_> {
    fn view(&self) -> RecordIn<'_> {
        RecordIn {
            purpose: self.purpose.as_str(),
            kind: match self.status {
                StatusRepr::Given => GIVEN,
                StatusRepr::Refused => REFUSED,
                StatusRepr::Withdrawn => WITHDRAWN,
                StatusRepr::Objected => OBJECTED,
            },
            at: Time::Text(self.at.as_str()),
            expires_at: self.expires_at.as_ref().map(|t| Time::Text(t.as_str())),
            categories: self.categories.as_deref().map(NamesIn::Read),
            renewal: self.renewal,
            evidence: self.evidence.view(),
        }
    }
}

/// Evidence as read, borrowed where it can be.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "struct Evidence")]
struct EvidenceRepr<'a> {
    method: CollectionMethod,
    #[serde(default)]
    notice_version: Option<u32>,
    #[serde(default, borrow)]
    channel: Option<Text<'a>>,
    #[serde(default, borrow)]
    proof: Option<Text<'a>>,
    #[serde(default, borrow)]
    jurisdiction: Option<Text<'a>>,
    #[serde(default, borrow)]
    language: Option<Text<'a>>,
}

impl EvidenceRepr<'_> {
    fn view(&self) -> EvidenceView<'_> {
        EvidenceView {
            method: self.method,
            notice_version: self.notice_version,
            channel: self.channel.as_ref().map(Text::as_str),
            proof: self.proof.as_ref().map(Text::as_str),
            jurisdiction: self.jurisdiction.as_ref().map(Text::as_str),
            language: self.language.as_ref().map(Text::as_str),
        }
    }
}
