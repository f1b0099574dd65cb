//! The serialized form of a ledger: catalog and records by name, validated on load.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, CatalogRepr};
use crate::error::{Error, Result};
use crate::event::EventId;
use crate::evidence::{Evidence, StoredEvidence};
use crate::ledger::{Ledger, Mark, Record, RecordKind, SubjectState, cap};
use crate::limits;
use crate::timestamp::{self, NEVER, Nanos};

/// The snapshot format version this crate writes and reads.
pub const SNAPSHOT_FORMAT_VERSION: u32 = 1;

/// A ledger's whole state in serializable form: the catalog and every
/// subject's records, marks and evidence, by name. Derived indexes are not
/// serialized; they are rebuilt on load.
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "snapshot")]
pub struct Snapshot {
    format_version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    watermark: Option<u64>,
    catalog: CatalogRepr,
    subjects: Vec<SubjectRepr>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubjectRepr {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    registered: Option<MarkRepr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    erased: Option<MarkRepr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    withdrawn_all: Option<MarkRepr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    global_opt_out: Option<MarkRepr>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    records: Vec<RecordRepr>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkRepr {
    at: String,
    event: EventId,
    /// Only for the opt-out signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    on: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    evidence: Option<Evidence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusRepr {
    Given,
    Refused,
    Withdrawn,
    Objected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordRepr {
    purpose: String,
    status: StatusRepr,
    at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    categories: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    renewal: bool,
    event: EventId,
    evidence: Evidence,
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

    /// Reads a snapshot's JSON. Only the shape is checked here;
    /// [`Ledger::restore`] checks the content.
    ///
    /// # Errors
    ///
    /// [`Error::Json`] with the line and column of the problem (malformed
    /// JSON, a missing, unknown or mistyped field, nesting deeper than 128).
    pub fn from_json(json: &str) -> Result<Snapshot> {
        serde_json::from_str(json).map_err(|e| Error::Json {
            what: "snapshot",
            message: e.to_string(),
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

    /// The number of subjects in the snapshot, erased ones included.
    #[must_use]
    pub fn subject_count(&self) -> usize {
        self.subjects.len()
    }
}

fn at(location: impl FnOnce() -> String) -> impl FnOnce(Error) -> Error {
    move |error| Error::Snapshot {
        location: location(),
        error: Box::new(error),
    }
}

impl Ledger {
    /// The ledger's whole state, for the host to store.
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        let pool = &self.pool;
        let mark = |m: &Mark, with_on: bool| MarkRepr {
            at: timestamp::format(m.time),
            event: m.id,
            on: with_on.then_some(m.on),
            evidence: m.evidence.as_ref().map(|e| e.load(pool)),
        };
        // Subjects sorted by id: equal states give equal snapshots, whatever
        // order the events arrived in.
        let mut order: Vec<(&str, &SubjectState)> = self
            .names
            .iter()
            .map(|n| &**n)
            .zip(&self.subjects)
            .collect();
        order.sort_unstable_by_key(|(name, _)| *name);
        let subjects = order
            .into_iter()
            .map(|(name, s)| SubjectRepr {
                id: name.to_string(),
                registered: s.registered.as_ref().map(|m| mark(m, false)),
                erased: s.erased.as_ref().map(|m| mark(m, false)),
                withdrawn_all: s.withdrawn_all.as_ref().map(|m| mark(m, false)),
                global_opt_out: s.opt_out.as_ref().map(|m| mark(m, true)),
                records: s
                    .records
                    .iter()
                    .map(|r| {
                        let purpose = self
                            .catalog
                            .purposes()
                            .nth(usize::from(r.purpose))
                            .map(|p| p.name().to_owned())
                            .unwrap_or_default();
                        RecordRepr {
                            purpose,
                            status: match r.kind {
                                RecordKind::Given => StatusRepr::Given,
                                RecordKind::Refused => StatusRepr::Refused,
                                RecordKind::Withdrawn => StatusRepr::Withdrawn,
                                RecordKind::Objected => StatusRepr::Objected,
                            },
                            at: timestamp::format(r.time),
                            expires_at: (r.kind == RecordKind::Given && r.expires != NEVER)
                                .then(|| timestamp::format(r.expires)),
                            categories: (r.kind == RecordKind::Given)
                                .then(|| self.catalog.category_names(r.categories)),
                            renewal: r.renewal,
                            event: r.id,
                            evidence: r.evidence.load(pool),
                        }
                    })
                    .collect(),
            })
            .collect();
        Snapshot {
            format_version: u64::from(SNAPSHOT_FORMAT_VERSION),
            watermark: None,
            catalog: self.catalog.to_repr(),
            subjects,
        }
    }

    /// Rebuilds a ledger from a snapshot, with the snapshot's own catalog.
    ///
    /// # Errors
    ///
    /// An unsupported format version, an invalid catalog, or any invalid
    /// subject or record ([`Ledger::restore_with_catalog`]), located in an
    /// [`Error::Snapshot`].
    pub fn restore(snapshot: Snapshot) -> Result<Ledger> {
        check_version(&snapshot)?;
        let catalog =
            Catalog::try_from(snapshot.catalog.clone()).map_err(at(|| "catalog".to_owned()))?;
        Ledger::restore_with_catalog(snapshot, catalog)
    }

    /// Rebuilds a ledger from a snapshot's records under `catalog` (for
    /// example the application's current catalog, which may have evolved
    /// since the snapshot was taken). The snapshot's own catalog is ignored;
    /// each record must be valid under `catalog`. Expiries beyond the
    /// catalog's current maximum validity are capped.
    ///
    /// # Errors
    ///
    /// An unsupported format version; a duplicate subject; and, located in an
    /// [`Error::Snapshot`]: a malformed subject id or time, a record for an
    /// undeclared purpose, an undeclared category or one outside the
    /// purpose, an expiry not after the record's time, a notice version never
    /// published, two records for one purpose, an objection the purpose does
    /// not allow, or anything held at or before the subject's erasure.
    pub fn restore_with_catalog(snapshot: Snapshot, catalog: Catalog) -> Result<Ledger> {
        check_version(&snapshot)?;
        let mut ledger = Ledger::new(catalog);
        ledger.subjects.reserve(snapshot.subjects.len());
        ledger.names.reserve(snapshot.subjects.len());
        ledger.index.reserve(snapshot.subjects.len());
        let mut seen = HashSet::with_capacity(snapshot.subjects.len());
        for (i, subject) in snapshot.subjects.into_iter().enumerate() {
            let location = |id: &str| format!("subjects[{i}] (`{}`)", id.escape_debug());
            if !seen.insert(subject.id.clone()) {
                return Err(Error::Snapshot {
                    location: location(&subject.id),
                    error: Box::new(Error::DuplicateSubject(subject.id)),
                });
            }
            let id = subject.id.clone();
            let state = ledger.load_subject(subject).map_err(|e| match e {
                Error::Snapshot {
                    location: inner,
                    error,
                } => Error::Snapshot {
                    location: format!("{}.{inner}", location(&id)),
                    error,
                },
                other => Error::Snapshot {
                    location: location(&id),
                    error: Box::new(other),
                },
            })?;
            // INVARIANT: fewer than 2^32 subjects fit in memory.
            let index = ledger.subjects.len() as u32;
            ledger.index.insert(id.as_str().into(), index);
            ledger.names.push(id.into());
            ledger.subjects.push(state);
        }
        Ok(ledger)
    }

    fn load_subject(&mut self, s: SubjectRepr) -> Result<SubjectState> {
        limits::check_subject(&s.id)?;
        let mut state = SubjectState::default();
        let pool = &mut self.pool;
        let mut load_mark =
            |name: &str, m: Option<MarkRepr>, is_signal: bool| -> Result<Option<Mark>> {
                let Some(m) = m else { return Ok(None) };
                let time = timestamp::parse(&m.at).map_err(at(|| name.to_owned()))?;
                if let Some(e) = &m.evidence {
                    e.check().map_err(at(|| name.to_owned()))?;
                }
                if is_signal != m.on.is_some() {
                    return Err(Error::Snapshot {
                        location: name.to_owned(),
                        error: Box::new(Error::InvalidEvent {
                            problem: if is_signal {
                                "the opt-out signal needs field `on`".into()
                            } else {
                                "field `on` belongs only to the opt-out signal".into()
                            },
                        }),
                    });
                }
                Ok(Some(Mark {
                    time,
                    id: m.event,
                    on: m.on.unwrap_or(true),
                    evidence: m.evidence.as_ref().map(|e| StoredEvidence::store(e, pool)),
                }))
            };
        state.registered = load_mark("registered", s.registered, false)?;
        state.erased = load_mark("erased", s.erased, false)?;
        state.withdrawn_all = load_mark("withdrawn_all", s.withdrawn_all, false)?;
        state.opt_out = load_mark("global_opt_out", s.global_opt_out, true)?;
        let erased_at = state.erased.as_ref().map(|m| m.time);
        for (name, m) in [
            ("registered", &state.registered),
            ("withdrawn_all", &state.withdrawn_all),
            ("global_opt_out", &state.opt_out),
        ] {
            if let (Some(m), Some(e)) = (m, erased_at)
                && m.time <= e
            {
                return Err(Error::Snapshot {
                    location: name.to_owned(),
                    error: Box::new(erased_error(&s.id, e)),
                });
            }
        }
        let mut records: Vec<Record> = Vec::with_capacity(s.records.len());
        for (j, r) in s.records.into_iter().enumerate() {
            let purpose_name = r.purpose.clone();
            let record = self.load_record(r, &s.id, erased_at).map_err(at(|| {
                format!("records[{j}] (`{}`)", purpose_name.escape_debug())
            }))?;
            records.push(record);
        }
        records.sort_by_key(|r| r.purpose);
        for pair in records.windows(2) {
            if let [a, b] = pair
                && a.purpose == b.purpose
            {
                let purpose = self
                    .catalog
                    .purposes()
                    .nth(usize::from(a.purpose))
                    .map(|p| p.name().to_owned())
                    .unwrap_or_default();
                return Err(Error::DuplicateRecord {
                    subject: s.id.clone(),
                    purpose,
                });
            }
        }
        state.records = records;
        Ok(state)
    }

    fn load_record(
        &mut self,
        r: RecordRepr,
        subject: &str,
        erased_at: Option<Nanos>,
    ) -> Result<Record> {
        let Some(handle) = self.catalog.purpose_handle(&r.purpose) else {
            return Err(Error::UnknownPurpose(r.purpose));
        };
        let Some(p) = self.catalog.purpose_at(handle) else {
            return Err(Error::UnknownPurpose(r.purpose));
        };
        let time = timestamp::parse(&r.at)?;
        if let Some(e) = erased_at
            && time <= e
        {
            return Err(erased_error(subject, e));
        }
        r.evidence.check()?;
        if let Some(v) = r.evidence.notice()
            && v > p.notice_version()
        {
            return Err(Error::NoticeVersion {
                purpose: r.purpose,
                problem: format!(
                    "notice version {v} was never published (current version {})",
                    p.notice_version()
                ),
            });
        }
        let kind = match r.status {
            StatusRepr::Given => RecordKind::Given,
            StatusRepr::Refused => RecordKind::Refused,
            StatusRepr::Withdrawn => RecordKind::Withdrawn,
            StatusRepr::Objected => RecordKind::Objected,
        };
        if kind == RecordKind::Objected && !p.allows_objection() {
            return Err(Error::ObjectionNotApplicable {
                purpose: r.purpose,
                basis: p.basis(),
            });
        }
        let (mut categories, mut expires) = (Default::default(), NEVER);
        if kind == RecordKind::Given {
            crate::event::require_notice(&r.purpose, &r.evidence)?;
            let names = r.categories.ok_or_else(|| Error::InvalidRecord {
                problem: "a `given` record needs field `categories`".into(),
            })?;
            if names.is_empty() {
                return Err(Error::InvalidRecord {
                    problem: "a `given` record names no categories".into(),
                });
            }
            categories = self.catalog.category_set(p, &names)?;
            if let Some(e) = &r.expires_at {
                let e = timestamp::parse(e)?;
                if e <= time {
                    return Err(Error::ExpiryNotAfterGiven {
                        purpose: r.purpose,
                        given_at: timestamp::format(time),
                        expires_at: timestamp::format(e),
                    });
                }
                expires = e;
            }
            expires = cap(p, time, expires);
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
        Ok(Record {
            time,
            expires,
            id: r.event,
            categories,
            evidence: StoredEvidence::store(&r.evidence, &mut self.pool),
            purpose: handle_index(handle),
            kind,
            renewal: r.renewal,
        })
    }
}

fn handle_index(h: crate::catalog::PurposeHandle) -> u16 {
    h.0
}

fn erased_error(subject: &str, erased_at: Nanos) -> Error {
    Error::SubjectErased {
        subject: subject.to_owned(),
        erased_at: timestamp::format(erased_at),
    }
}

fn check_version(s: &Snapshot) -> Result<()> {
    if s.format_version != u64::from(SNAPSHOT_FORMAT_VERSION) {
        return Err(Error::UnsupportedVersion {
            what: "snapshot",
            found: s.format_version,
            supported: SNAPSHOT_FORMAT_VERSION,
        });
    }
    Ok(())
}
