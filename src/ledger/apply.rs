//! Applying events: the one path every change takes, whether it comes from
//! a call on this ledger, the host's log or another instance.
//!
//! In the `Ledger` docs: "Persisting and replicating: replaying events".

use crate::error::{Error, Result};
use crate::ledger::store::{Cold, GIVEN, OBJECTED, REFUSED, Row, RowFlags, Slot, WITHDRAWN};
use crate::ledger::traces::KEPT_OPT_OUT;
use crate::ledger::{Applied, Ledger};
use crate::model::category::CategorySet;
use crate::wire::canonical::{EventView, Names};
use crate::wire::event::{Event, KindTag};
use crate::wire::id::EventId;
use crate::wire::timestamp::{NEVER, Nanos, Rfc3339};

use super::changes::cap;

/// A per-purpose change, checked against the catalog.
pub(super) struct Resolved {
    purpose: u16,
    kind: u8,
    categories: CategorySet,
    expires: Nanos,
    renewal: bool,
    notice_ok: bool,
    /// [`EvidenceView::regime_bits`](crate::model::evidence::EvidenceView::regime_bits).
    evidence: u8,
}

/// # Persisting and replicating: replaying events
///
/// Applying events from the host's log or from another instance, in any
/// order, any number of times.
impl Ledger {
    /// Applies an event, from this ledger or another, from the host's log or
    /// another instance. The event is checked against the catalog first; an
    /// invalid one is an error and changes nothing.
    ///
    /// Applying the same set of events in any order, any number of times,
    /// gives the same state: per subject and purpose the latest event time
    /// wins; at equal times objected beats withdrawn beats refused beats
    /// given, then the larger [`EventId`] wins (should two different events
    /// ever share an id, the larger canonical content). A withdraw-all
    /// withdraws every grant of the subject given at or before its time. An
    /// erasure drops everything at or before its time and discards
    /// later-arriving events that are not after it.
    ///
    /// # Errors
    ///
    /// An undeclared purpose or category, a category outside the purpose, a
    /// notice version never published, an objection the purpose does not
    /// allow.
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
    /// let mut replica = ledger.clone();
    /// let event = ledger.give(Grant::new("ann", "news", t, ev()))?.into_event();
    /// assert_eq!(replica.apply(&event)?, Applied::Changed);
    /// assert_eq!(replica.apply(&event)?, Applied::Duplicate);
    /// assert!(replica.is_permitted("ann", "news", "email", t));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn apply(&mut self, event: &Event) -> Result<Applied> {
        self.apply_view(&event.view(), event.id())
    }

    /// Reads one event's JSON and applies it: [`Event::from_json`] then
    /// [`Ledger::apply`], without building an owned [`Event`] (the content
    /// is checked and applied straight from the JSON text). For replaying a
    /// host's log.
    ///
    /// # Errors
    ///
    /// The errors of [`Event::from_json`] and of [`Ledger::apply`]; the
    /// ledger is unchanged then.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::{Applied, Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef};
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder().category("contact").purpose(
    /// #     PurposeDef::new("newsletter", LegalBasis::Consent)
    /// #         .title("Newsletter").description("A monthly e-mail.").categories(["contact"]),
    /// # ).build()?;
    /// let mut web = Ledger::new(catalog.clone());
    /// let at = datetime!(2026-03-01 10:00 UTC);
    /// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let line = web.give(Grant::new("ann", "newsletter", at, banner))?.into_event().to_json()?;
    ///
    /// let mut restarted = Ledger::new(catalog);
    /// assert_eq!(restarted.apply_json(&line)?, Applied::Changed);
    /// assert_eq!(restarted.apply_json(&line)?, Applied::Duplicate);
    /// assert!(restarted.is_permitted("ann", "newsletter", "contact", at));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn apply_json(&mut self, json: &str) -> Result<Applied> {
        crate::wire::read::read(json, |view, id| self.apply_view(view, id))
    }

    fn apply_view(&mut self, event: &EventView<'_>, id: EventId) -> Result<Applied> {
        let at = event.at.0;
        let resolved = self.resolve(event)?;
        // INVARIANT: nothing is added (subject, category set, evidence) until
        // the event is known to win, so a superseded, duplicate or erased
        // event leaves no trace.
        let existing = self.store.names.find(event.subject);
        let erased = existing.and_then(|s| self.store.row(s, Slot::Erased).map(|e| e.from));
        if event.kind != KindTag::Erased && erased.is_some_and(|e| at <= e) {
            return Ok(Applied::Erased);
        }
        let s = existing.unwrap_or(u32::MAX);
        let (slot, mut row) = match (event.kind, &resolved) {
            (KindTag::Registered, _) => (Slot::Registered, mark_row(s, at, false)),
            (KindTag::Erased, _) => (Slot::Erased, mark_row(s, at, false)),
            (KindTag::WithdrawnAll, _) => (Slot::WithdrawnAll, mark_row(s, at, false)),
            (KindTag::OptOutSet, _) => (Slot::OptOut, mark_row(s, at, true)),
            (KindTag::OptOutCleared, _) => (Slot::OptOut, mark_row(s, at, false)),
            (KindTag::JurisdictionSet, _) => {
                let code = event.jurisdiction.map_or(0, |j| j.pack());
                (
                    Slot::Jurisdiction,
                    Row::new(at, code, s, 0, RowFlags::empty()),
                )
            }
            (KindTag::AgeSet, _) => {
                let (word, birth) = event.age.map_or((0, false), |a| a.pack());
                (Slot::Age, Row::new(at, word, s, 0, RowFlags::mark(birth)))
            }
            (_, Some(r)) => (
                Slot::Purpose(r.purpose),
                Row::new(
                    at,
                    if r.kind == GIVEN { r.expires } else { NEVER },
                    s,
                    0,
                    RowFlags::record(r.kind, r.renewal, r.notice_ok, r.evidence),
                ),
            ),
            (_, None) => return Ok(Applied::Superseded),
        };
        // Last writer wins: compare (time, kind or on/off), then ids.
        let verdict: Option<Applied> = 'lww: {
            if let Some(s) = existing
                && let (Some(old), Some(old_cold)) =
                    (self.store.row(s, slot), self.store.cold(s, slot))
            {
                let (old, old_cold) = (*old, *old_cold);
                let rank = |r: &Row| match slot {
                    Slot::Purpose(_) => r.kind(),
                    Slot::OptOut => u8::from(r.flags.contains(RowFlags::ON)),
                    _ => 0,
                };
                match (old.from, rank(&old)).cmp(&(row.from, rank(&row))) {
                    std::cmp::Ordering::Greater => break 'lww Some(Applied::Superseded),
                    std::cmp::Ordering::Equal => {
                        let old_id = self.row_id(s, slot, &old, &old_cold);
                        let new_id = incoming_id(event, id, &row);
                        let order = match old_id.cmp(&new_id) {
                            // Equal ids: a duplicate only if the content is
                            // equal too, so that no id collision can make one
                            // event pass for another; otherwise the larger
                            // canonical byte string wins. On the stack: a
                            // replay meets duplicates often.
                            std::cmp::Ordering::Equal => self
                                .row_view(s, slot, &old, &old_cold)
                                .cmp_canonical(&as_held(event, &row).unwrap_or(*event)),
                            unequal => unequal,
                        };
                        match order {
                            std::cmp::Ordering::Equal => break 'lww Some(Applied::Duplicate),
                            std::cmp::Ordering::Greater => break 'lww Some(Applied::Superseded),
                            std::cmp::Ordering::Less => {}
                        }
                    }
                    std::cmp::Ordering::Less => {}
                }
            }
            // A pruned record still supersedes what it superseded.
            if let (Slot::Purpose(p), Some(s)) = (slot, existing)
                && self.store.row(s, slot).is_none()
                && let Some(floor) = self.store.floor(s, p)
            {
                match (floor.at, floor.kind).cmp(&(row.from, row.kind())) {
                    std::cmp::Ordering::Greater => break 'lww Some(Applied::Superseded),
                    std::cmp::Ordering::Equal => {
                        match floor.id.cmp(&incoming_id(event, id, &row)) {
                            std::cmp::Ordering::Equal => break 'lww Some(Applied::Duplicate),
                            std::cmp::Ordering::Greater => break 'lww Some(Applied::Superseded),
                            std::cmp::Ordering::Less => {}
                        }
                    }
                    std::cmp::Ordering::Less => {}
                }
            }
            None
        };
        // The anchor beside the row (see `traces.rs`) follows every event
        // of its slot, winning or not.
        let anchored = match (existing, self.anchor_key(slot)) {
            (Some(s), Some(key)) => {
                self.update_anchor(s, key, slot, &row, event, id, &resolved, verdict.is_none())?
            }
            _ => None,
        };
        if let Some(v) = verdict {
            return Ok(anchored.unwrap_or(v));
        }
        // The event wins: intern what it needs (a failure here, only past
        // the storage limits, adds nothing visible), then store it.
        // Each step that fails releases what the earlier ones took.
        if let Some(j) = event.jurisdiction {
            self.store.places.has_room_for(j)?;
        }
        if let Some(r) = resolved.as_ref().filter(|r| r.kind == GIVEN) {
            row.set_set(self.store.intern_set(r.categories)?);
        }
        let cold = match &event.evidence {
            Some(e) => match self.store.intern_evidence(e) {
                Ok(cold) => cold,
                Err(err) => {
                    self.store.release_set(row.set());
                    return Err(err);
                }
            },
            None => Cold::default(),
        };
        let s = match existing {
            Some(s) => s,
            None => match self.store.subject(event.subject) {
                Ok(s) => s,
                Err(err) => {
                    self.store.release_set(row.set());
                    self.store.release_evidence(&cold);
                    return Err(err);
                }
            },
        };
        row.subject = s;
        self.store.put(s, slot, row, cold);
        if slot == Slot::Jurisdiction {
            self.sync_places();
        }
        if let Slot::Purpose(p) = slot {
            self.store.clear_floor(s, p);
        }
        if slot == Slot::Erased {
            for other in self.store.slots(s) {
                if other != Slot::Erased && self.store.row(s, other).is_some_and(|r| r.from <= at) {
                    self.store.remove(s, other);
                }
            }
            self.store.clear_floors_until(s, at);
            self.store.clear_kept_until(s, at);
        }
        Ok(Applied::Changed)
    }

    /// Applies several events, all or nothing: every event is checked
    /// against the catalog first, and if any is invalid (or storing them
    /// would pass an interning limit, see the README's "Limits") the ledger
    /// is left unchanged. Returns what [`Ledger::apply`] said of each, in
    /// order.
    ///
    /// # Errors
    ///
    /// The first event's error, as [`Ledger::apply`] would give it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::{Applied, Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef};
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder().category("contact").purpose(
    /// #     PurposeDef::new("newsletter", LegalBasis::Consent)
    /// #         .title("Newsletter").description("A monthly e-mail.").categories(["contact"]),
    /// # ).build()?;
    /// let mut web = Ledger::new(catalog.clone());
    /// let at = datetime!(2026-03-01 10:00 UTC);
    /// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let events = [
    ///     web.give(Grant::new("ann", "newsletter", at, banner.clone()))?.into_event(),
    ///     web.refuse("bob", "newsletter", at, banner)?.into_event(),
    /// ];
    /// let mut other = Ledger::new(catalog);
    /// assert_eq!(other.apply_all(&events)?, [Applied::Changed, Applied::Changed]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn apply_all(&mut self, events: &[Event]) -> Result<Vec<Applied>> {
        let views: Vec<EventView<'_>> = events.iter().map(Event::view).collect();
        for v in &views {
            self.resolve(v)?;
        }
        if self.store.has_room_for(&views) {
            // INVARIANT: checked against the catalog and within every
            // interning limit, no event can fail now.
            return events
                .iter()
                .map(|e| self.apply_view(&e.view(), e.id()))
                .collect();
        }
        // Near a limit: apply to a copy, keep it only if every event went in.
        // The copy keeps this ledger's handle tag: it numbers the same
        // subjects alike and only adds, so handles taken before stay valid.
        let mut next = self.clone();
        next.tag = self.tag;
        let applied = events
            .iter()
            .map(|e| next.apply_view(&e.view(), e.id()))
            .collect::<Result<Vec<_>>>()?;
        *self = next;
        Ok(applied)
    }

    /// Checks an event against the catalog; per-purpose kinds resolve to ids.
    pub(super) fn resolve(&self, event: &EventView<'_>) -> Result<Option<Resolved>> {
        let at = event.at.0;
        let kind = match event.kind {
            KindTag::Given => GIVEN,
            KindTag::Refused => REFUSED,
            KindTag::Withdrawn => WITHDRAWN,
            KindTag::Objected => OBJECTED,
            _ => return Ok(None),
        };
        let purpose = event.purpose.unwrap_or_default();
        let Some(h) = self.catalog.purpose_index(purpose) else {
            return Err(Error::UnknownPurpose(crate::error::shown(purpose)));
        };
        let p = self.purpose(purpose)?;
        let notice = event.evidence.and_then(|e| e.notice_version);
        if let Some(v) = notice
            && v > p.notice_version()
        {
            return Err(Error::NoticeNeverPublished {
                purpose: purpose.to_owned(),
                given: v,
                current: p.notice_version(),
            });
        }
        let mut resolved = Resolved {
            purpose: h,
            kind,
            categories: CategorySet::empty(),
            expires: NEVER,
            renewal: false,
            notice_ok: notice.is_some_and(|v| v >= p.min_notice_version()),
            evidence: event.evidence.map_or(0, |e| e.regime_bits()),
        };
        match kind {
            GIVEN => {
                let names = event.categories.map(Names::iter);
                resolved.categories = self.catalog.category_set(p, names.into_iter().flatten())?;
                let requested = event.expires_at.map_or(NEVER, |t| t.0);
                resolved.expires = cap(p, at, requested);
                resolved.renewal = event.renewal.unwrap_or(false);
            }
            OBJECTED if !p.allows_objection() => {
                return Err(Error::ObjectionNotApplicable {
                    purpose: purpose.to_owned(),
                    basis: p.basis(),
                });
            }
            _ => {}
        }
        Ok(Some(resolved))
    }
}

/// The anchors kept beside a slot's row (see `traces.rs`).
impl Ledger {
    /// The anchor key of a slot: the opt-out signal, or a direct-marketing
    /// purpose.
    pub(super) fn anchor_key(&self, slot: Slot) -> Option<u16> {
        match slot {
            Slot::OptOut => Some(KEPT_OPT_OUT),
            Slot::Purpose(p)
                if self
                    .catalog
                    .purpose_by_index(p)
                    .is_some_and(crate::model::purpose::Purpose::is_direct_marketing) =>
            {
                Some(p)
            }
            _ => None,
        }
    }

    /// Updates the anchor of `key` for an incoming event whose row is
    /// `row` (`wins`: it takes the slot). Returns what to report for an
    /// event that does not take the slot but changes or repeats the anchor.
    #[allow(clippy::too_many_arguments)]
    fn update_anchor(
        &mut self,
        s: u32,
        key: u16,
        slot: Slot,
        row: &Row,
        event: &EventView<'_>,
        id: EventId,
        resolved: &Option<Resolved>,
        wins: bool,
    ) -> Result<Option<Applied>> {
        let held = match (self.store.row(s, slot), self.store.cold(s, slot)) {
            (Some(r), Some(c)) => Some((*r, *c)),
            _ => None,
        };
        let held_is_anchor = held.is_some_and(|(r, _)| is_anchor(slot, &r));
        let kept = self.store.kept(s, key).map(|(r, c)| (*r, *c));
        // The anchor so far: the row itself, the kept one, or the trace of a
        // pruned grant (a time, kind and id to beat).
        let old: Option<(Nanos, u8, EventId)> = match (held, kept) {
            (Some((r, c)), _) if held_is_anchor => {
                Some((r.from, rank(slot, &r), self.row_id(s, slot, &r, &c)))
            }
            (_, Some((r, c))) => Some((r.from, rank(slot, &r), self.row_id(s, slot, &r, &c))),
            _ => match slot {
                Slot::Purpose(p) => self
                    .store
                    .floor(s, p)
                    .filter(|f| f.kind == GIVEN)
                    .map(|f| (f.at, f.kind, f.id)),
                _ => None,
            },
        };
        let incoming_is_anchor = is_anchor(slot, row);
        let incoming = (row.from, rank(slot, row), incoming_id(event, id, row));
        if incoming_is_anchor && kept.is_some() && old.is_some_and(|o| o == incoming) && !wins {
            return Ok(Some(Applied::Duplicate));
        }
        let incoming_beats = incoming_is_anchor && old.is_none_or(|o| o < incoming);
        let row_after_is_anchor = if wins {
            incoming_is_anchor
        } else {
            held_is_anchor
        };
        if row_after_is_anchor {
            // The row is the anchor: nothing is kept apart.
            if kept.is_some() {
                self.store.drop_kept(s, key);
            }
            return Ok(None);
        }
        if incoming_beats {
            // A losing grant or objection (or `set`) becomes the anchor.
            let mut kept_row = *row;
            if let Some(r) = resolved.as_ref().filter(|r| r.kind == GIVEN) {
                kept_row.set_set(self.store.intern_set(r.categories)?);
            }
            let cold = match &event.evidence {
                Some(e) => match self.store.intern_evidence(e) {
                    Ok(cold) => cold,
                    Err(err) => {
                        self.store.release_set(kept_row.set());
                        return Err(err);
                    }
                },
                None => Cold::default(),
            };
            self.store.set_kept(s, key, kept_row, cold);
            // An objection or a `set` kept now decides; a grant kept behind
            // a later refusal decides nothing (it only keeps an older
            // objection, arriving later, superseded).
            let decides = slot == Slot::OptOut || kept_row.kind() == OBJECTED;
            return Ok(Some(if decides {
                Applied::Changed
            } else {
                Applied::Superseded
            }));
        }
        if wins
            && held_is_anchor
            && let Some((r, c)) = held
        {
            // The row that was the anchor gives way to a refusal, a
            // withdrawal or a `clear`: it is kept apart.
            self.store.retain(&r, &c)?;
            self.store.set_kept(s, key, r, c);
        }
        Ok(None)
    }
}

/// Whether a row can be an anchor: a grant or an objection, or a `set`.
pub(super) fn is_anchor(slot: Slot, r: &Row) -> bool {
    match slot {
        Slot::OptOut => r.flags.contains(RowFlags::ON),
        _ => matches!(r.kind(), GIVEN | OBJECTED),
    }
}

/// The tie-break rank of a row at equal times, as last writer wins uses it.
fn rank(slot: Slot, r: &Row) -> u8 {
    match slot {
        Slot::Purpose(_) => r.kind(),
        Slot::OptOut => u8::from(r.flags.contains(RowFlags::ON)),
        _ => 0,
    }
}

/// The id an incoming event would have as held: its own id, unless capping
/// by this catalog changed its expiry.
fn incoming_id(event: &EventView<'_>, id: EventId, row: &Row) -> EventId {
    as_held(event, row).map_or(id, |held| held.content_id())
}

/// The content of an incoming event as `row` would hold it, if capping by
/// this catalog changed its expiry.
fn as_held<'a>(event: &EventView<'a>, row: &Row) -> Option<EventView<'a>> {
    let requested = event.expires_at.map_or(NEVER, |t| t.0);
    (event.kind == KindTag::Given && requested != row.until).then(|| EventView {
        expires_at: (row.until != NEVER).then_some(Rfc3339(row.until)),
        ..*event
    })
}

fn mark_row(subject: u32, at: Nanos, on: bool) -> Row {
    Row::new(at, NEVER, subject, 0, RowFlags::mark(on))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use crate::{
        Applied, Catalog, CollectionMethod, Event, Evidence, Grant, Ledger, LegalBasis, PurposeDef,
    };
    use time::macros::datetime;

    /// An event that loses (superseded, duplicate, before an erasure) adds
    /// nothing: no category set, no evidence, no subject.
    #[test]
    fn losing_events_leave_no_trace() {
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
        let ev = |proof: &str| {
            Evidence::new(CollectionMethod::Api)
                .with_notice_version(1)
                .with_proof(proof)
        };
        let mut source = Ledger::new(catalog.clone());
        let old = source
            .give(Grant::new("s", "p", datetime!(2026-01-01 0:00 UTC), ev("old")).categories(["b"]))
            .expect("valid")
            .into_event();
        let mut l = Ledger::new(catalog);
        l.give(Grant::new("s", "p", datetime!(2026-02-01 0:00 UTC), ev("new")).categories(["a"]))
            .expect("valid");
        l.erase("gone", datetime!(2026-03-01 0:00 UTC))
            .expect("valid");
        let (sets, profiles, proofs, subjects) = (
            l.store.sets.live(),
            l.store.profiles.live(),
            l.store.proofs.find("old"),
            l.store.subject_count(),
        );
        assert_eq!(l.apply(&old).expect("valid"), Applied::Superseded);
        let mut late = Ledger::new(l.catalog().clone());
        let for_gone = late
            .give(
                Grant::new("gone", "p", datetime!(2026-01-15 0:00 UTC), ev("x")).categories(["c"]),
            )
            .expect("valid")
            .into_event();
        assert_eq!(l.apply(&for_gone).expect("valid"), Applied::Erased);
        assert_eq!(l.store.sets.live(), sets);
        assert_eq!(l.store.profiles.live(), profiles);
        assert_eq!(l.store.proofs.find("old"), proofs);
        assert_eq!(l.store.proofs.find("x"), None);
        assert_eq!(l.store.subject_count(), subjects);
    }

    /// Two different events with the same id (a hash collision, which a
    /// weak hash let an attacker craft) are not duplicates: the larger
    /// canonical byte string wins, whatever the order, so instances that
    /// receive them in different orders still converge. Every id is forced
    /// equal here, as if the hash collided on every pair.
    #[test]
    fn equal_ids_with_different_content_are_not_duplicates() {
        let catalog = Catalog::builder()
            .category("a")
            .purpose(
                PurposeDef::new("p", LegalBasis::Consent)
                    .title("P")
                    .description("P.")
                    .categories(["a"]),
            )
            .build()
            .expect("valid");
        let at = datetime!(2026-01-01 0:00 UTC);
        let ev = |proof: &str| {
            Evidence::new(CollectionMethod::Api)
                .with_notice_version(1)
                .with_proof(proof)
        };
        crate::wire::canonical::FORCED_ID.set(Some(
            crate::EventId::from_str(&"7".repeat(64)).expect("hex"),
        ));
        let made = |f: &dyn Fn(&mut Ledger) -> crate::Result<crate::Recorded>| {
            f(&mut Ledger::new(catalog.clone()))
                .expect("valid")
                .into_event()
        };
        let short = made(&|l| {
            l.give(Grant::new("s", "p", at, ev("one")).expires_at(datetime!(2026-01-02 0:00 UTC)))
        });
        let long = made(&|l| {
            l.give(Grant::new("s", "p", at, ev("two")).expires_at(datetime!(2027-01-01 0:00 UTC)))
        });
        let all_one = made(&|l| l.withdraw_all("s", at, ev("one")));
        let all_two = made(&|l| l.withdraw_all("s", at, ev("two")));
        let canonical = |e: &Event| {
            let mut bytes = Vec::new();
            e.view().write_canonical(&mut bytes);
            bytes
        };

        for (x, y) in [(&short, &long), (&all_one, &all_two)] {
            assert_eq!(x.id(), y.id());
            assert_ne!(x, y);
            let (winner, loser) = if canonical(x) > canonical(y) {
                (x, y)
            } else {
                (y, x)
            };
            let mut expected = Ledger::new(catalog.clone());
            expected.apply(winner).expect("valid");
            for order in [[x, y], [y, x]] {
                let mut l = Ledger::new(catalog.clone());
                let outcomes = order.map(|e| l.apply(e).expect("valid"));
                assert!(!outcomes.contains(&Applied::Duplicate), "{outcomes:?}");
                // The very same content again is a duplicate.
                assert_eq!(l.apply(winner).expect("valid"), Applied::Duplicate);
                assert_eq!(l.apply(loser).expect("valid"), Applied::Superseded);
                assert_eq!(l.snapshot(), expected.snapshot());
            }
        }
        crate::wire::canonical::FORCED_ID.set(None);
    }
}
