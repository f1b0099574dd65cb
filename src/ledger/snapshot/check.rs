//! Checking a snapshot's subjects: read from JSON (event ids included), or
//! moved to another catalog.

use crate::error::shown;
use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::ledger::changes::cap;
use crate::ledger::store::{Cold, Floor, GIVEN, OBJECTED, Row, RowFlags, Slot};
use crate::ledger::strings::StrPool;
use crate::ledger::traces::KEPT_OPT_OUT;
use crate::limits;
use crate::model::catalog::Catalog;
use crate::model::category::CategorySet;
use crate::model::evidence::EvidenceView;
use crate::model::evidence::check_view;
use crate::model::purpose::Purpose;
use crate::wire::event::require_notice_view;
use crate::wire::id::{EventId, V1Id};
use crate::wire::timestamp::{self, NEVER, Nanos};

use super::at;
use super::read::{EvidenceRepr, MarkRepr, SubjectRepr, Text};

impl Ledger {
    /// Checks subject `s` of `src` under this ledger's catalog, then stores it.
    pub(super) fn move_subject(&mut self, src: &Ledger, s: u32) -> Result<()> {
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
                let has_evidence = slot.has_evidence();
                rows.push(Pending {
                    slot,
                    row: *r,
                    set: CategorySet::empty(),
                    evidence: has_evidence.then_some(evidence),
                    kept: false,
                });
                continue;
            };
            let purpose = src.catalog.purpose_by_index(p).map_or("", Purpose::name);
            let pending = self
                .moved_record(src, r, evidence, purpose, id, erased_at, false)
                .map_err(at(|| {
                    format!("records[{j}] ({})", crate::error::quoted(purpose))
                }))?;
            j += 1;
            rows.push(pending);
        }
        // The anchors kept beside rows; one of a purpose no longer direct
        // marketing decides nothing any more and is left out.
        for (key, r, c) in st.kept_of(s) {
            let evidence = st.evidence_view(c);
            let slot = crate::ledger::replication::kept_slot(*key);
            let Slot::Purpose(p) = slot else {
                rows.push(Pending {
                    slot,
                    row: *r,
                    set: CategorySet::empty(),
                    evidence: Some(evidence),
                    kept: true,
                });
                continue;
            };
            let purpose = src.catalog.purpose_by_index(p).map_or("", Purpose::name);
            if !self
                .catalog
                .purpose(purpose)
                .is_some_and(Purpose::is_direct_marketing)
            {
                continue;
            }
            let pending = self
                .moved_record(src, r, evidence, purpose, id, erased_at, true)
                .map_err(at(|| format!("kept ({})", crate::error::quoted(purpose))))?;
            rows.push(pending);
        }
        // The traces of pruned records, by purpose name.
        let mut floors = Vec::new();
        for &(p, f) in st.floors_of(s) {
            let purpose = src.catalog.purpose_by_index(p).map_or("", Purpose::name);
            let to = self
                .floor_purpose(purpose, f.kind)
                .map_err(at(|| format!("pruned ({})", crate::error::quoted(purpose))))?;
            floors.push((to, f));
        }
        self.store_subject(id, rows, floors)
    }

    /// A record of `src` (or an answer kept beside one) checked under this
    /// ledger's catalog, its expiry capped, ready to store.
    #[allow(clippy::too_many_arguments)]
    fn moved_record<'a>(
        &self,
        src: &'a Ledger,
        r: &Row,
        evidence: EvidenceView<'a>,
        purpose: &'a str,
        id: &str,
        erased_at: Option<Nanos>,
        kept: bool,
    ) -> Result<Pending<'a>> {
        let given = r.kind() == GIVEN;
        let record = RecordIn {
            purpose,
            kind: r.kind(),
            at: Time::At(r.from),
            expires_at: (given && r.until != NEVER).then_some(Time::At(r.until)),
            categories: given.then_some(NamesIn::Held(&src.catalog, src.store.set(r.set()))),
            renewal: r.flags.contains(RowFlags::RENEWAL),
            evidence,
        };
        let checked = self.check_record(&record, id, erased_at)?;
        let mut row = checked.row;
        row.until = checked.capped;
        Ok(Pending {
            slot: Slot::Purpose(checked.purpose),
            row,
            set: checked.set,
            evidence: Some(evidence),
            kept,
        })
    }

    /// Checks one subject of a snapshot completely, its records' and marks'
    /// event ids included, then stores it; a subject with nothing recorded
    /// is only remembered in `bare`, for the duplicate check.
    pub(super) fn load_subject(
        &mut self,
        s: &SubjectRepr<'_>,
        bare: &mut StrPool,
        version: u64,
    ) -> Result<()> {
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
            Err(j) if j >= s.records.len() => {
                let k = j - s.records.len();
                let purpose = s.kept.get(k).map_or("", |r| r.purpose.as_str());
                format!("kept[{k}] ({})", crate::error::quoted(purpose))
            }
            Err(j) => {
                let purpose = s.records.get(j).map_or("", |r| r.purpose.as_str());
                format!("records[{j}] ({})", crate::error::quoted(purpose))
            }
        };
        let marks = [
            ("registered", Slot::Registered, &s.registered),
            ("erased", Slot::Erased, &s.erased),
            ("withdrawn_all", Slot::WithdrawnAll, &s.withdrawn_all),
            ("global_opt_out", Slot::OptOut, &s.global_opt_out),
            ("jurisdiction", Slot::Jurisdiction, &s.jurisdiction),
            ("age", Slot::Age, &s.age),
        ];
        let mut erased_at = None;
        for (name, slot, m) in marks {
            let Some(m) = m else { continue };
            let row = load_mark(slot, m).map_err(at(|| name.to_owned()))?;
            // A place past the ledger's limit is refused here, as on every
            // other path, not decided under the default regime.
            if let Some(j) = m.jurisdiction {
                self.store
                    .places
                    .has_room_for(j)
                    .map_err(at(|| name.to_owned()))?;
            }
            if slot == Slot::Erased {
                erased_at = Some(row.from);
            }
            rows.push(Pending {
                slot,
                row,
                set: CategorySet::empty(),
                evidence: m.evidence.as_ref().map(EvidenceRepr::view),
                kept: false,
            });
            ids.push((m.event.as_str(), Ok(name)));
        }
        if let Some(m) = &s.global_opt_out_set {
            let name = "global_opt_out_set";
            let row = load_mark(Slot::OptOut, m).map_err(at(|| name.to_owned()))?;
            rows.push(Pending {
                slot: Slot::OptOut,
                row,
                set: CategorySet::empty(),
                evidence: m.evidence.as_ref().map(EvidenceRepr::view),
                kept: true,
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
                kept: false,
            });
            ids.push((r.event.as_str(), Err(j)));
            caps.push(checked.capped);
        }
        for (k, r) in s.kept.iter().enumerate() {
            let j = s.records.len() + k;
            let checked = self
                .check_record(&r.view(), id, erased_at)
                .map_err(at(|| place(Err(j))))?;
            let slot = Slot::Purpose(checked.purpose);
            rows.push(Pending {
                slot,
                row: checked.row,
                set: checked.set,
                evidence: Some(r.evidence.view()),
                kept: true,
            });
            ids.push((r.event.as_str(), Err(j)));
            caps.push(checked.capped);
        }
        // Purposes with a pruned record's trace: a kept answer may stand
        // beside a trace instead of a record.
        let traced: Vec<u16> = s
            .pruned
            .iter()
            .filter_map(|f| self.catalog.purpose_index(f.purpose.as_str()))
            .collect();
        if let Err((i, problem)) = self.check_kept(&rows, &traced) {
            let location = place(ids.get(i).map_or(Ok("kept"), |(_, w)| *w));
            return Err(Error::Snapshot {
                location,
                error: Box::new(Error::InvalidRecord { problem }),
            });
        }
        // The content as written must hash to the id it carries, by the
        // rule `Ledger::row_id` uses (the bytes of `content_view`).
        // Measured (callgrind, 4 grants a subject with evidence): ~1,500
        // instructions a record with the one-shot hash, ~2,400 streamed;
        // about 12% of the whole load. Ids compare as values, whatever their
        // width; should a format version with another id rule be read, its
        // own rule belongs here (the reader knows the version it read):
        // version 1 ids are XXH3-128 of the version 1 bytes.
        for (p, (text, place_of)) in rows.iter().zip(&ids) {
            let check = || -> Result<()> {
                let view = self.content_view(id, p.slot, &p.row, p.set, p.evidence);
                // The expected id is written out only for the error.
                let mismatch = if version == 1 {
                    let expected = view.content_id_v1();
                    (text.parse::<V1Id>()? != expected).then(|| expected.to_string())
                } else {
                    let expected = view.content_id_buffered();
                    (text.parse::<EventId>()? != expected).then(|| expected.to_string())
                };
                match mismatch {
                    Some(expected) => Err(Error::EventIdMismatch {
                        found: shown(text),
                        expected,
                    }),
                    None => Ok(()),
                }
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
        let floors = s
            .pruned
            .iter()
            .enumerate()
            .map(|(j, f)| {
                let place =
                    || format!("pruned[{j}] ({})", crate::error::quoted(f.purpose.as_str()));
                let (p, floor) = self
                    .check_floor(
                        f.purpose.as_str(),
                        f.at.as_str(),
                        f.kind(),
                        f.event.as_str(),
                    )
                    .map_err(at(place))?;
                if let Some(e) = erased_at
                    && floor.at <= e
                {
                    return Err(Error::Snapshot {
                        location: place(),
                        error: Box::new(erased_error(id, e)),
                    });
                }
                if rows.iter().any(|r| !r.kept && r.slot == Slot::Purpose(p)) {
                    return Err(Error::Snapshot {
                        location: place(),
                        error: Box::new(Error::InvalidRecord {
                            problem: "a purpose has a record or a pruned record's trace, not both"
                                .into(),
                        }),
                    });
                }
                Ok((p, floor))
            })
            .collect::<Result<Vec<_>>>()?;
        if rows.is_empty() && floors.is_empty() {
            bare.intern(id)?;
            return Ok(());
        }
        self.store_subject(id, rows, floors)
    }

    /// Checks that each kept anchor is one the ledger would keep: a grant
    /// or objection of a direct-marketing purpose whose record is a later
    /// refusal or withdrawal (or was pruned), or a `set` of the opt-out
    /// signal before a later `clear`; one per slot.
    fn check_kept(
        &self,
        rows: &[Pending<'_>],
        traced: &[u16],
    ) -> std::result::Result<(), (usize, String)> {
        for (i, k) in rows.iter().enumerate().filter(|(_, p)| p.kept) {
            let fail = |problem: &str| Err((i, problem.to_owned()));
            if rows
                .iter()
                .enumerate()
                .any(|(j, p)| j != i && p.kept && p.slot == k.slot)
            {
                return fail("two kept answers for one purpose or signal");
            }
            let held = rows.iter().find(|p| !p.kept && p.slot == k.slot);
            match k.slot {
                Slot::OptOut => {
                    let ok = k.row.flags.contains(RowFlags::ON)
                        && held.is_some_and(|h| {
                            !h.row.flags.contains(RowFlags::ON) && h.row.from > k.row.from
                        });
                    if !ok {
                        return fail(
                            "the kept `set` of the opt-out signal must be on and precede a later `clear`",
                        );
                    }
                }
                Slot::Purpose(p) => {
                    let dm = self
                        .catalog
                        .purpose_by_index(p)
                        .is_some_and(Purpose::is_direct_marketing);
                    let anchor = matches!(k.row.kind(), GIVEN | OBJECTED);
                    let later = match held {
                        Some(h) => {
                            !matches!(h.row.kind(), GIVEN | OBJECTED)
                                && (h.row.from, h.row.kind()) > (k.row.from, k.row.kind())
                        }
                        // The later refusal or withdrawal was pruned.
                        None => traced.contains(&p),
                    };
                    if !(dm && anchor && later) {
                        return fail(
                            "a kept answer must be a grant or objection of a direct-marketing purpose, before a later refusal or withdrawal",
                        );
                    }
                }
                _ => return fail("only records and the opt-out signal keep answers"),
            }
        }
        Ok(())
    }

    /// Checks the trace of a pruned record.
    fn check_floor(&self, purpose: &str, at: &str, kind: u8, event: &str) -> Result<(u16, Floor)> {
        let p = self.floor_purpose(purpose, kind)?;
        let floor = Floor {
            at: timestamp::parse(at)?,
            kind,
            id: event.parse()?,
        };
        Ok((p, floor))
    }

    /// The purpose of a pruned record's trace, if `Ledger::prune` can drop
    /// a record of that kind for it: never an objection, and never a record
    /// of a purpose that silence permits but a refusal denies (legitimate
    /// interest).
    fn floor_purpose(&self, purpose: &str, kind: u8) -> Result<u16> {
        let unknown = || Error::UnknownPurpose(shown(purpose));
        let p = self.catalog.purpose_index(purpose).ok_or_else(unknown)?;
        let def = self.catalog.purpose_by_index(p).ok_or_else(unknown)?;
        let kept = !def.basis().is_consent() && def.basis().honours_refusal();
        if kind == OBJECTED || kept {
            return Err(Error::InvalidRecord {
                problem: format!(
                    "pruning never drops {} of purpose {} ({})",
                    if kind == OBJECTED {
                        "an objection"
                    } else {
                        "a record"
                    },
                    crate::error::quoted(purpose),
                    def.basis()
                ),
            });
        }
        Ok(p)
    }

    /// Interns what checked rows need and stores them under subject `id`.
    fn store_subject(
        &mut self,
        id: &str,
        rows: Vec<Pending<'_>>,
        floors: Vec<(u16, Floor)>,
    ) -> Result<()> {
        let mut stored = Vec::with_capacity(rows.len());
        let kept: Vec<bool> = rows.iter().map(|p| p.kept).collect();
        for p in rows {
            let mut row = p.row;
            if !p.set.is_empty() {
                row.set_set(self.store.intern_set(p.set)?);
            }
            let cold = match &p.evidence {
                Some(e) => self.store.intern_evidence(e)?,
                None => Cold::default(),
            };
            stored.push((p.slot, row, cold));
        }
        let subject = self.store.subject(id)?;
        for ((slot, mut row, cold), kept) in stored.into_iter().zip(kept) {
            row.subject = subject;
            if kept {
                let key = match slot {
                    Slot::Purpose(p) => p,
                    _ => KEPT_OPT_OUT,
                };
                self.store.set_kept(subject, key, row, cold);
            } else {
                self.store.put(subject, slot, row, cold);
            }
        }
        for (p, floor) in floors {
            if self.store.row(subject, Slot::Purpose(p)).is_none() {
                self.store.set_floor(subject, p, floor);
            }
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
        let unknown = || Error::UnknownPurpose(shown(r.purpose));
        let handle = self.catalog.purpose_index(r.purpose).ok_or_else(unknown)?;
        let p = self.catalog.purpose_by_index(handle).ok_or_else(unknown)?;
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
            return Err(Error::NoticeNeverPublished {
                purpose: r.purpose.to_owned(),
                given: v,
                current: p.notice_version(),
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
        let row = Row::new(
            time,
            expires,
            0,
            0,
            RowFlags::record(r.kind, r.renewal, notice_ok, r.evidence.regime_bits()),
        );
        let capped = if r.kind == GIVEN {
            cap(p, time, expires)
        } else {
            expires
        };
        Ok(Checked {
            purpose: handle,
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
    /// An anchor kept beside the slot's row (see `ledger/traces.rs`), not
    /// the row itself.
    kept: bool,
}

/// What `Ledger::check_record` gives back.
struct Checked {
    purpose: u16,
    row: Row,
    set: CategorySet,
    capped: Nanos,
}

/// A record by name: as read from JSON, or as held by a ledger being moved
/// to another catalog.
pub(super) struct RecordIn<'a> {
    pub(super) purpose: &'a str,
    pub(super) kind: u8,
    pub(super) at: Time<'a>,
    pub(super) expires_at: Option<Time<'a>>,
    pub(super) categories: Option<NamesIn<'a>>,
    pub(super) renewal: bool,
    pub(super) evidence: EvidenceView<'a>,
}

/// A time as read (parsed when checked, so errors come in a fixed order) or
/// as held.
#[derive(Clone, Copy)]
pub(super) enum Time<'a> {
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
pub(super) enum NamesIn<'a> {
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
    let needs_evidence = slot.has_evidence();
    for (field, wanted, present) in [
        (
            "jurisdiction",
            slot == Slot::Jurisdiction,
            m.jurisdiction.is_some(),
        ),
        ("age", slot == Slot::Age, m.age.is_some()),
    ] {
        if wanted != present {
            return Err(Error::InvalidRecord {
                problem: if wanted {
                    format!("this mark needs field `{field}`")
                } else {
                    format!("field `{field}` belongs only to the {field} mark")
                },
            });
        }
    }
    if let Some(age) = m.age {
        age.check(timestamp::from_nanos(time).date())?;
    }
    if needs_evidence != m.evidence.is_some() {
        return Err(Error::InvalidRecord {
            problem: if needs_evidence {
                "this mark needs field `evidence`".into()
            } else {
                "this mark has no field `evidence`".into()
            },
        });
    }
    let (until, flags) = match (m.jurisdiction, m.age) {
        (Some(j), _) => (j.pack(), RowFlags::empty()),
        (_, Some(age)) => {
            let (word, birth) = age.pack();
            (word, RowFlags::mark(birth))
        }
        _ => (NEVER, RowFlags::mark(m.on == Some(true))),
    };
    Ok(Row::new(time, until, 0, 0, flags))
}

fn erased_error(subject: &str, erased_at: Nanos) -> Error {
    Error::SubjectErased {
        subject: subject.to_owned(),
        erased_at: timestamp::format(erased_at),
    }
}
