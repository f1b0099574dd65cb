//! Replication: the state as events, merging ledgers, and the content and
//! id of each stored row.
//!
//! In the `Ledger` docs: the "Persisting and replicating: events and merging" group.

use crate::error::{Error, Result, shown};
use crate::ledger::store::{Cold, Floor, GIVEN, REFUSED, Row, RowFlags, Slot, WITHDRAWN};
use crate::ledger::traces::KEPT_OPT_OUT;
use crate::ledger::{Applied, Ledger};
use crate::model::category::CategorySet;
use crate::model::evidence::{Evidence, EvidenceView};
use crate::model::purpose::Purpose;
use crate::wire::canonical::{EventView, Names};
use crate::wire::event::{Event, KindTag};
use crate::wire::id::EventId;
use crate::wire::timestamp::{NEVER, Nanos, Rfc3339};

/// # Persisting and replicating: events and merging
///
/// The state as events (a compacted log), and merging another instance's state.
impl Ledger {
    /// Owned evidence of a row.
    pub(crate) fn evidence(&self, c: &Cold) -> Evidence {
        self.store.evidence_view(c).to_owned()
    }

    /// The content of a row as an event, borrowed.
    pub(super) fn row_view<'a>(&'a self, s: u32, slot: Slot, r: &Row, c: &Cold) -> EventView<'a> {
        self.content_view(
            self.store.names.get(s),
            slot,
            r,
            self.store.set(r.set()),
            Some(self.store.evidence_view(c)),
        )
    }

    /// The content of a row as an event, from its parts: what
    /// [`Ledger::row_id`] hashes, also for a row not stored yet (a snapshot
    /// being loaded checks its records' ids with it). `set` stands for
    /// `r.set`; `evidence` is ignored for the marks that have none.
    pub(crate) fn content_view<'a>(
        &'a self,
        subject: &'a str,
        slot: Slot,
        r: &Row,
        set: CategorySet,
        evidence: Option<EvidenceView<'a>>,
    ) -> EventView<'a> {
        match slot {
            Slot::Registered => EventView::bare(subject, r.from, KindTag::Registered),
            Slot::Erased => EventView::bare(subject, r.from, KindTag::Erased),
            Slot::WithdrawnAll => EventView {
                evidence,
                ..EventView::bare(subject, r.from, KindTag::WithdrawnAll)
            },
            Slot::OptOut => EventView {
                evidence,
                ..EventView::bare(
                    subject,
                    r.from,
                    if r.flags.contains(RowFlags::ON) {
                        KindTag::OptOutSet
                    } else {
                        KindTag::OptOutCleared
                    },
                )
            },
            Slot::Jurisdiction => EventView {
                evidence,
                jurisdiction: Some(
                    crate::model::facts::Jurisdiction::unpack(r.until)
                        .unwrap_or(crate::model::facts::Jurisdiction::UNKNOWN),
                ),
                ..EventView::bare(subject, r.from, KindTag::JurisdictionSet)
            },
            Slot::Age => EventView {
                evidence,
                age: Some(
                    crate::model::facts::Age::unpack(r.until, r.flags.contains(RowFlags::ON))
                        .unwrap_or(crate::model::facts::Age::Years(0)),
                ),
                ..EventView::bare(subject, r.from, KindTag::AgeSet)
            },
            Slot::Purpose(p) => {
                let purpose = self.catalog.purpose_by_index(p).map(Purpose::name);
                let tag = match r.kind() {
                    GIVEN => KindTag::Given,
                    REFUSED => KindTag::Refused,
                    WITHDRAWN => KindTag::Withdrawn,
                    _ => KindTag::Objected,
                };
                let mut v = EventView {
                    purpose,
                    evidence,
                    ..EventView::bare(subject, r.from, tag)
                };
                if tag == KindTag::Given {
                    v.categories = Some(Names::Set(&self.catalog, set));
                    v.expires_at = (r.until != NEVER).then_some(Rfc3339(r.until));
                    v.renewal = r.flags.contains(RowFlags::RENEWAL).then_some(true);
                }
                v
            }
        }
    }

    /// The id of the event a row holds (a hash of its content).
    pub(crate) fn row_id(&self, s: u32, slot: Slot, r: &Row, c: &Cold) -> EventId {
        self.row_view(s, slot, r, c).content_id()
    }

    /// The state as events: for every subject, one event per record and mark
    /// held, in an order that replays to the same state (any order does).
    ///
    /// Applying these events to an empty ledger over the same catalog gives
    /// this ledger's state; applying them to another ledger merges the two
    /// (see [`Ledger::merge`]). A host can also use them to compact its log.
    /// Each event has the id of the event that produced the record, except
    /// where the record differs from that event (an expiry capped by a later
    /// catalog), where it is the id of the content as held.
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
    /// ledger.give(Grant::new("ann", "news", t, ev()))?;
    /// ledger.register("ben", t)?;
    /// let kinds: Vec<_> = ledger.events().map(|e| e.kind().as_str()).collect();
    /// assert_eq!(kinds, ["given", "registered"]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        (0..self.store.subject_count() as u32).flat_map(move |s| self.subject_events(s))
    }

    fn subject_events(&self, s: u32) -> Vec<Event> {
        let mut events: Vec<Event> = self
            .store
            .slots(s)
            .into_iter()
            .filter_map(|slot| {
                let (r, c) = (self.store.row(s, slot)?, self.store.cold(s, slot)?);
                let view = self.row_view(s, slot, r, c);
                Some(Event::from_view(&view, view.content_id()))
            })
            .collect();
        // The anchors kept beside rows are events too (see `traces.rs`).
        for (key, r, c) in self.store.kept_of(s) {
            let view = self.row_view(s, kept_slot(*key), r, c);
            events.push(Event::from_view(&view, view.content_id()));
        }
        events
    }

    /// Brings into this ledger everything `other` holds, by applying
    /// [`other.events()`](Ledger::events) and taking in the traces of the
    /// records `other` pruned ([`Ledger::prune`]). Merging is commutative,
    /// associative and idempotent: two ledgers that merge each other hold the
    /// same state, whatever each had seen and in whatever order.
    ///
    /// Returns how many events changed this ledger.
    ///
    /// # Errors
    ///
    /// If any of `other`'s events is invalid under this ledger's catalog (an
    /// undeclared purpose or category...), the first such error. A merge
    /// that fails changes nothing: it is all or nothing
    /// ([`Ledger::apply_all`]).
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
    /// let mut other = ledger.clone();
    /// ledger.give(Grant::new("ann", "news", t, ev()))?;
    /// other.register("ben", t)?;
    /// assert_eq!(ledger.merge(&other)?, 1); // one event changed the state
    /// assert_eq!(ledger.subject_count(), 2);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn merge(&mut self, other: &Ledger) -> Result<usize> {
        let events: Vec<Event> = other.events().collect();
        // The traces of what `other` pruned travel too (they are not
        // events): each still supersedes what its record superseded.
        let mut floors = Vec::with_capacity(other.store.subjects_with_floors());
        let mut bytes = 0usize;
        for (s, p, floor) in other.store.all_floors() {
            let name = other.catalog.purpose_by_index(p).map_or("", Purpose::name);
            let to = self
                .catalog
                .purpose_index(name)
                .ok_or_else(|| Error::UnknownPurpose(shown(name)))?;
            let subject = other.store.names.get(s);
            bytes = bytes.saturating_add(subject.len());
            floors.push((subject, to, *floor));
        }
        if !self.store.names.has_room(bytes) {
            return Err(Error::LimitExceeded {
                what: "subject id storage in bytes",
                limit: u32::MAX as usize,
                found: bytes,
            });
        }
        let applied = self.apply_all(&events)?;
        for (subject, p, floor) in floors {
            self.merge_floor(subject, p, floor);
        }
        Ok(applied.iter().filter(|a| **a == Applied::Changed).count())
    }

    /// Takes in the trace of a record another ledger pruned, as that record
    /// would have been taken in: it supersedes an older record (which goes)
    /// and an older trace; an erasure at or after it discards it.
    fn merge_floor(&mut self, subject: &str, p: u16, floor: Floor) {
        let Ok(s) = self.store.subject(subject) else {
            return; // INVARIANT: room was checked before the merge began.
        };
        if self
            .store
            .row(s, Slot::Erased)
            .is_some_and(|e| floor.at <= e.from)
        {
            return;
        }
        let slot = Slot::Purpose(p);
        let key = |at: Nanos, kind: u8, id: EventId| (at, kind, id);
        let incoming = key(floor.at, floor.kind, floor.id);
        if let (Some(r), Some(c)) = (self.store.row(s, slot), self.store.cold(s, slot)) {
            let held = key(r.from, r.kind(), self.row_id(s, slot, r, c));
            if incoming > held {
                // A grant or objection of a direct-marketing purpose stays
                // as its anchor (see `traces.rs`), as where the later record
                // came and was pruned.
                let (r, c) = (*r, *c);
                if let Some(k) = self.anchor_key(slot)
                    && super::apply::is_anchor(slot, &r)
                    && self.store.retain(&r, &c).is_ok()
                {
                    self.store.set_kept(s, k, r, c);
                }
                self.store.remove(s, slot);
                self.store.set_floor(s, p, floor);
            }
            return;
        }
        let newer = match self.store.floor(s, p) {
            Some(g) => incoming > key(g.at, g.kind, g.id),
            None => true,
        };
        if newer {
            self.store.set_floor(s, p, floor);
        }
    }
}

/// The slot an anchor kept under `key` belongs to.
pub(crate) fn kept_slot(key: u16) -> Slot {
    if key == KEPT_OPT_OUT {
        Slot::OptOut
    } else {
        Slot::Purpose(key)
    }
}

#[cfg(test)]
mod tests {

    use crate::{Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef};
    use time::macros::datetime;

    /// A merge that fails part-way (here: past the limit of distinct
    /// category sets) changes nothing. Before the fix it had applied the
    /// events before the failing one.
    #[test]
    fn a_failed_merge_changes_nothing() {
        let catalog = Catalog::builder()
            .category("a")
            .category("b")
            .category("c")
            .purpose(
                PurposeDef::new("p", LegalBasis::Consent)
                    .title("P")
                    .description("P.")
                    .categories(["a", "b", "c"]),
            )
            .build()
            .expect("valid");
        let ev = || Evidence::new(CollectionMethod::Api).with_notice_version(1);
        let at = datetime!(2026-01-01 0:00 UTC);
        let mut other = Ledger::new(catalog.clone());
        for (s, c) in [("s1", "a"), ("s2", "b"), ("s3", "c")] {
            other
                .give(Grant::new(s, "p", at, ev()).categories([c]))
                .expect("valid")
                .into_event();
        }
        let mut l = Ledger::new(catalog);
        l.give(Grant::new("s0", "p", at, ev()).categories(["a", "b"]))
            .expect("valid");
        // The empty set, {a, b}, and room for one more: the merge needs three.
        l.store.sets.set_limit(3);
        let before = l.snapshot();
        let err = l.merge(&other).expect_err("past the limit");
        assert!(err.to_string().contains("category sets"), "{err}");
        assert_eq!(l.snapshot(), before);
        assert!(!l.is_permitted("s1", "p", "a", at));
    }
}
