//! Writing a snapshot: serde views borrowed from the ledger, streamed.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::ledger::Ledger;
use crate::ledger::store::{Cold, Floor, GIVEN, REFUSED, Row, RowFlags, Slot, WITHDRAWN};
use crate::ledger::traces::KEPT_OPT_OUT;
use crate::model::purpose::Purpose;
use crate::wire::canonical::Names;
use crate::wire::timestamp::{NEVER, Rfc3339};

use super::{SNAPSHOT_FORMAT_VERSION, Snapshot, sorted_subjects};

const MARKS: [(&str, Slot); 6] = [
    ("registered", Slot::Registered),
    ("erased", Slot::Erased),
    ("withdrawn_all", Slot::WithdrawnAll),
    ("global_opt_out", Slot::OptOut),
    ("jurisdiction", Slot::Jurisdiction),
    ("age", Slot::Age),
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
pub(super) struct SubjectView<'a>(pub(super) &'a Ledger, pub(super) u32);

impl Serialize for SubjectView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let (l, i) = (self.0, self.1);
        let st = &l.store;
        let mut out = s.serialize_struct("SubjectRepr", 9)?;
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
        let floors = st.floors_of(i);
        if floors.is_empty() {
            out.skip_field("pruned")?;
        } else {
            out.serialize_field("pruned", &FloorsView(l, floors))?;
        }
        // The anchors kept beside rows: a direct-marketing grant or
        // objection under `kept`, the opt-out signal's last `set` under
        // `global_opt_out_set` (see `ledger/traces.rs`).
        let kept = st.kept_of(i);
        let set = kept.iter().find(|(k, _, _)| *k == KEPT_OPT_OUT);
        match set {
            Some((_, row, cold)) => out.serialize_field(
                "global_opt_out_set",
                &RowView {
                    ledger: l,
                    subject: i,
                    slot: Slot::OptOut,
                    row,
                    cold,
                },
            )?,
            None => out.skip_field("global_opt_out_set")?,
        }
        let mut records: Vec<&(u16, Row, Cold)> =
            kept.iter().filter(|(k, _, _)| *k != KEPT_OPT_OUT).collect();
        if records.is_empty() {
            out.skip_field("kept")?;
        } else {
            records.sort_by_key(|(k, _, _)| *k);
            let views: Vec<RowView<'_>> = records
                .into_iter()
                .map(|(k, row, cold)| RowView {
                    ledger: l,
                    subject: i,
                    slot: Slot::Purpose(*k),
                    row,
                    cold,
                })
                .collect();
            out.serialize_field("kept", &views)?;
        }
        out.end()
    }
}

/// The traces of a subject's pruned records.
struct FloorsView<'a>(&'a Ledger, &'a [(u16, Floor)]);

impl Serialize for FloorsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let l = self.0;
        s.collect_seq(self.1.iter().map(|(p, f)| {
            let answer = match f.kind {
                GIVEN => "given",
                REFUSED => "refused",
                WITHDRAWN => "withdrawn",
                _ => "objected",
            };
            serde_json::json!({
                "purpose": l.catalog.purpose_by_index(*p).map_or("", Purpose::name),
                "at": Rfc3339(f.at),
                "answer": answer,
                "event": f.id,
            })
        }))
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
            let mut out = s.serialize_struct("MarkRepr", 6)?;
            out.serialize_field("at", &Rfc3339(r.from))?;
            out.serialize_field("event", &event)?;
            if self.slot == Slot::OptOut {
                out.serialize_field("on", &r.flags.contains(RowFlags::ON))?;
            } else {
                out.skip_field("on")?;
            }
            match crate::model::facts::Jurisdiction::unpack(r.until) {
                Some(j) if self.slot == Slot::Jurisdiction => {
                    out.serialize_field("jurisdiction", &j)?;
                }
                _ => out.skip_field("jurisdiction")?,
            }
            match crate::model::facts::Age::unpack(r.until, r.flags.contains(RowFlags::ON)) {
                Some(age) if self.slot == Slot::Age => out.serialize_field("age", &age)?,
                _ => out.skip_field("age")?,
            }
            if self.slot.has_evidence() {
                out.serialize_field("evidence", &evidence)?;
            } else {
                out.skip_field("evidence")?;
            }
            return out.end();
        };
        let given = r.kind() == GIVEN;
        let mut out = s.serialize_struct("RecordRepr", 8)?;
        let purpose = l.catalog.purpose_by_index(p);
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
            let names = Names::Set(&l.catalog, l.store.set(r.set()));
            out.serialize_field("categories", &names)?;
        } else {
            out.skip_field("categories")?;
        }
        if r.flags.contains(RowFlags::RENEWAL) {
            out.serialize_field("renewal", &true)?;
        } else {
            out.skip_field("renewal")?;
        }
        out.serialize_field("event", &event)?;
        out.serialize_field("evidence", &evidence)?;
        out.end()
    }
}
