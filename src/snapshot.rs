//! The serialized form of a ledger: catalog and records by name, validated on load.

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, CatalogRepr};
use crate::error::{Error, Result, quoted, shown};
use crate::event::EvidenceView;
use crate::event::StoredId;
use crate::evidence::Evidence;
use crate::ledger::{Ledger, cap};
use crate::limits;
use crate::store::{Cold, GIVEN, NOTICE_OK, OBJECTED, ON, REFUSED, RENEWAL, Row, Slot, WITHDRAWN};
use crate::timestamp::{self, NEVER, Nanos};

/// The snapshot format version this crate writes. It also reads version 1,
/// whose event ids are the 32-hex-digit ids of event format version 1.
pub const SNAPSHOT_FORMAT_VERSION: u32 = 2;

/// The oldest snapshot format version this crate reads.
const OLDEST_SNAPSHOT_FORMAT_VERSION: u64 = 1;

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
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "limits::bounded::<_, _, limits::Records>"
    )]
    records: Vec<RecordRepr>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkRepr {
    at: String,
    event: StoredId,
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
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "limits::bounded_opt::<_, _, limits::Categories>"
    )]
    categories: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    renewal: bool,
    event: StoredId,
    evidence: Evidence,
}

impl Snapshot {
    /// The snapshot as JSON.
    ///
    /// # Errors
    ///
    /// None in practice; serde_json's own errors are passed on as [`Error::Json`].
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::json("snapshot", &e))
    }

    /// Reads a snapshot's JSON. Only the shape is checked here;
    /// [`Ledger::restore`] checks the content.
    ///
    /// # Errors
    ///
    /// [`Error::Json`] with the line and column of the problem (malformed
    /// JSON, a missing, unknown or mistyped field, nesting deeper than 128).
    pub fn from_json(json: &str) -> Result<Snapshot> {
        serde_json::from_str(json).map_err(|e| Error::json("snapshot", &e))
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
    /// The ledger's whole state, for the host to store. Subjects are sorted
    /// by id, so equal states give equal snapshots whatever order the events
    /// arrived in.
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        let st = &self.store;
        let mut order: Vec<u32> = (0..st.subject_count() as u32)
            .filter(|s| !st.slots(*s).is_empty())
            .collect();
        order.sort_unstable_by(|a, b| st.names.get(*a).cmp(st.names.get(*b)));
        let subjects = order
            .into_iter()
            .map(|s| {
                let mark = |slot: Slot| -> Option<MarkRepr> {
                    let (r, c) = (st.row(s, slot)?, st.cold(s, slot)?);
                    Some(MarkRepr {
                        at: timestamp::format(r.from),
                        event: StoredId::V2(self.row_id(s, slot, r, c)),
                        on: (slot == Slot::OptOut).then_some(r.flags & ON != 0),
                        evidence: matches!(slot, Slot::WithdrawnAll | Slot::OptOut)
                            .then(|| self.evidence(c)),
                    })
                };
                let records = st
                    .slots(s)
                    .into_iter()
                    .filter_map(|slot| {
                        let Slot::Purpose(p) = slot else { return None };
                        let (r, c) = (st.row(s, slot)?, st.cold(s, slot)?);
                        let given = r.kind() == GIVEN;
                        Some(RecordRepr {
                            purpose: self
                                .catalog
                                .purpose_by_index(p)
                                .map(|p| p.name().to_owned())
                                .unwrap_or_default(),
                            status: match r.kind() {
                                GIVEN => StatusRepr::Given,
                                REFUSED => StatusRepr::Refused,
                                WITHDRAWN => StatusRepr::Withdrawn,
                                _ => StatusRepr::Objected,
                            },
                            at: timestamp::format(r.from),
                            expires_at: (given && r.until != NEVER)
                                .then(|| timestamp::format(r.until)),
                            categories: given.then(|| {
                                self.catalog
                                    .names_sorted(st.set(r.set()))
                                    .map(str::to_owned)
                                    .collect()
                            }),
                            renewal: r.flags & RENEWAL != 0,
                            event: StoredId::V2(self.row_id(s, slot, r, c)),
                            evidence: self.evidence(c),
                        })
                    })
                    .collect();
                SubjectRepr {
                    id: st.names.get(s).to_owned(),
                    registered: mark(Slot::Registered),
                    erased: mark(Slot::Erased),
                    withdrawn_all: mark(Slot::WithdrawnAll),
                    global_opt_out: mark(Slot::OptOut),
                    records,
                }
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
    /// An unsupported format version; and, located in an [`Error::Snapshot`]:
    /// a duplicate subject, a malformed subject id or time, a record for an
    /// undeclared purpose, an undeclared category or one outside the
    /// purpose, an expiry not after the record's time, a notice version never
    /// published, two records for one purpose, an objection the purpose does
    /// not allow, or anything held at or before the subject's erasure.
    pub fn restore_with_catalog(snapshot: Snapshot, catalog: Catalog) -> Result<Ledger> {
        check_version(&snapshot)?;
        let mut ledger = Ledger::new(catalog);
        let bytes: usize = snapshot.subjects.iter().map(|s| s.id.len()).sum();
        ledger
            .store
            .reserve_subjects(snapshot.subjects.len(), bytes);
        let mut per_purpose = vec![0usize; ledger.catalog.purposes().len()];
        for s in &snapshot.subjects {
            for r in &s.records {
                if let Some(h) = ledger.catalog.purpose_index(&r.purpose)
                    && let Some(n) = per_purpose.get_mut(usize::from(h))
                {
                    *n += 1;
                }
            }
        }
        for (p, n) in per_purpose.into_iter().enumerate() {
            ledger.store.reserve_rows(Slot::Purpose(p as u16), n);
        }
        for (i, subject) in snapshot.subjects.into_iter().enumerate() {
            let location = |id: &str| format!("subjects[{i}] ({id})");
            // Only a bounded, escaped copy of the id: it may be huge.
            let id = quoted(&subject.id);
            ledger.load_subject(subject).map_err(|e| match e {
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
        }
        ledger.store.shrink_to_fit();
        Ok(ledger)
    }

    /// Checks one subject of a snapshot completely, then stores it.
    fn load_subject(&mut self, s: SubjectRepr) -> Result<()> {
        limits::check_subject(&s.id)?;
        if self.store.names.find(&s.id).is_some() {
            return Err(Error::DuplicateSubject(shown(&s.id)));
        }
        // Everything is checked first, then interned, then stored: a
        // failure anywhere leaves the ledger as it was.
        let mut rows: Vec<(Slot, Row, Option<EvidenceView<'_>>, Cold)> =
            Vec::with_capacity(s.records.len() + 1);
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
            rows.push((
                slot,
                row,
                m.evidence.as_ref().map(Into::into),
                Cold::default(),
            ));
        }
        if let Some(e) = erased_at
            && let Some((slot, ..)) = rows
                .iter()
                .find(|(slot, r, ..)| *slot != Slot::Erased && r.from <= e)
        {
            let name = match slot {
                Slot::Registered => "registered",
                Slot::WithdrawnAll => "withdrawn_all",
                _ => "global_opt_out",
            };
            return Err(Error::Snapshot {
                location: name.to_owned(),
                error: Box::new(erased_error(&s.id, e)),
            });
        }
        for (j, r) in s.records.iter().enumerate() {
            let (p, row) = self
                .load_record(r, &s.id, erased_at)
                .map_err(at(|| format!("records[{j}] ({})", quoted(&r.purpose))))?;
            if rows.iter().any(|(slot, ..)| *slot == Slot::Purpose(p)) {
                return Err(Error::DuplicateRecord {
                    subject: shown(&s.id),
                    purpose: shown(&r.purpose),
                });
            }
            rows.push((
                Slot::Purpose(p),
                row,
                Some((&r.evidence).into()),
                Cold::default(),
            ));
        }
        for (_, _, evidence, cold) in &mut rows {
            if let Some(e) = evidence {
                *cold = self.store.intern_evidence(e)?;
            }
        }
        let subject = self.store.subject(&s.id)?;
        for (slot, mut row, _, cold) in rows {
            row.subject = subject;
            self.store.put(subject, slot, row, cold);
        }
        Ok(())
    }

    fn load_record(
        &mut self,
        r: &RecordRepr,
        subject: &str,
        erased_at: Option<Nanos>,
    ) -> Result<(u16, Row)> {
        let Some(handle) = self.catalog.purpose_index(&r.purpose) else {
            return Err(Error::UnknownPurpose(shown(&r.purpose)));
        };
        let Some(p) = self.catalog.purpose_by_index(handle) else {
            return Err(Error::UnknownPurpose(shown(&r.purpose)));
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
                purpose: r.purpose.clone(),
                problem: format!(
                    "notice version {v} was never published (current version {})",
                    p.notice_version()
                ),
            });
        }
        let kind = match r.status {
            StatusRepr::Given => GIVEN,
            StatusRepr::Refused => REFUSED,
            StatusRepr::Withdrawn => WITHDRAWN,
            StatusRepr::Objected => OBJECTED,
        };
        if kind == OBJECTED && !p.allows_objection() {
            return Err(Error::ObjectionNotApplicable {
                purpose: r.purpose.clone(),
                basis: p.basis(),
            });
        }
        let (mut set, mut expires) = (0, NEVER);
        if kind == GIVEN {
            crate::event::require_notice(&r.purpose, &r.evidence)?;
            let names = r.categories.as_ref().ok_or_else(|| Error::InvalidRecord {
                problem: "a `given` record needs field `categories`".into(),
            })?;
            if names.is_empty() {
                return Err(Error::InvalidRecord {
                    problem: "a `given` record names no categories".into(),
                });
            }
            set = self.store.intern_set(
                self.catalog
                    .category_set(p, names.iter().map(String::as_str))?,
            )?;
            if let Some(e) = &r.expires_at {
                let e = timestamp::parse(e)?;
                if e <= time {
                    return Err(Error::ExpiryNotAfterGiven {
                        purpose: r.purpose.clone(),
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
        let notice_ok = r
            .evidence
            .notice()
            .is_some_and(|v| v >= p.min_notice_version());
        let row = Row::new(
            time,
            expires,
            0,
            set,
            kind | if r.renewal { RENEWAL } else { 0 } | if notice_ok { NOTICE_OK } else { 0 },
        );
        Ok((handle, row))
    }
}

/// Checks a subject mark of a snapshot.
fn load_mark(slot: Slot, m: &MarkRepr) -> Result<Row> {
    let time = timestamp::parse(&m.at)?;
    if let Some(e) = &m.evidence {
        e.check()?;
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
    Ok(Row::new(
        time,
        NEVER,
        0,
        0,
        if m.on == Some(true) { ON } else { 0 },
    ))
}

fn erased_error(subject: &str, erased_at: Nanos) -> Error {
    Error::SubjectErased {
        subject: shown(subject),
        erased_at: timestamp::format(erased_at),
    }
}

fn check_version(s: &Snapshot) -> Result<()> {
    if !(OLDEST_SNAPSHOT_FORMAT_VERSION..=u64::from(SNAPSHOT_FORMAT_VERSION))
        .contains(&s.format_version)
    {
        return Err(Error::UnsupportedVersion {
            what: "snapshot",
            found: s.format_version,
            supported: SNAPSHOT_FORMAT_VERSION,
        });
    }
    Ok(())
}
