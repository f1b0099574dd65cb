//! What the store keeps per subject beside its rows: the traces of pruned
//! records (`Store::floors`), and answers kept because they still decide
//! (`Store::kept`).
//!
//! A slot's row is the latest answer (last writer wins). Two rules need one
//! more: a direct-marketing objection holds until a later grant, whatever
//! refusal or withdrawal comes after it (GDPR Art. 21(3)); and the wait
//! before asking again after an opt-out signal counts from when it was set,
//! even once cleared (Cal. Civ. Code 1798.135(c)(4)). So beside the row the
//! store keeps the latest *anchor*: for a direct-marketing purpose the
//! latest grant or objection, for the opt-out signal the latest `set`. Both
//! are maxima over the events seen, so they are order-free like the row.
//! An anchor is kept apart only when it is not the row itself (the row is a
//! refusal or withdrawal, or the signal is cleared), so most subjects have
//! none.

use crate::error::Result;
use crate::ledger::store::{Cold, Row, Store};
use crate::wire::timestamp::Nanos;

/// The trace of a pruned record: what a late event must beat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Floor {
    pub(crate) at: Nanos,
    pub(crate) kind: u8,
    pub(crate) id: crate::wire::id::EventId,
}

impl Store {
    /// Keeps the trace of a record about to be pruned.
    pub(crate) fn set_floor(&mut self, s: u32, purpose: u16, floor: Floor) {
        let list = self.floors.entry(s).or_default();
        match list.binary_search_by_key(&purpose, |(p, _)| *p) {
            Ok(i) => {
                if let Some(slot) = list.get_mut(i) {
                    slot.1 = floor;
                }
            }
            Err(i) => list.insert(i, (purpose, floor)),
        }
        self.refresh_dormant(s);
    }

    /// The trace of the subject's pruned record of `purpose`, if any.
    #[inline]
    pub(crate) fn floor(&self, s: u32, purpose: u16) -> Option<&Floor> {
        if self.floors.is_empty() {
            return None;
        }
        self.floors
            .get(&s)?
            .iter()
            .find(|(p, _)| *p == purpose)
            .map(|(_, f)| f)
    }

    /// Every trace: subject, purpose, trace.
    pub(crate) fn all_floors(&self) -> impl Iterator<Item = (u32, u16, &Floor)> {
        self.floors
            .iter()
            .flat_map(|(&s, list)| list.iter().map(move |(p, f)| (s, *p, f)))
    }

    /// How many subjects have traces.
    pub(crate) fn subjects_with_floors(&self) -> usize {
        self.floors.len()
    }

    /// Drops the trace of a pruned record once a later event holds the slot.
    pub(crate) fn clear_floor(&mut self, s: u32, purpose: u16) {
        if self.floors.is_empty() {
            return;
        }
        let Some(list) = self.floors.get_mut(&s) else {
            return;
        };
        let before = list.len();
        list.retain(|(p, _)| *p != purpose);
        let removed = list.len() != before;
        if list.is_empty() {
            self.floors.remove(&s);
        }
        if removed {
            self.refresh_dormant(s);
        }
    }

    /// Drops the traces an erasure at `at` discards.
    pub(crate) fn clear_floors_until(&mut self, s: u32, at: Nanos) {
        if let Some(list) = self.floors.get_mut(&s) {
            list.retain(|(_, f)| f.at > at);
            if list.is_empty() {
                self.floors.remove(&s);
            }
            self.refresh_dormant(s);
        }
    }

    /// The traces of the subject's pruned records, by purpose index.
    pub(crate) fn floors_of(&self, s: u32) -> &[(u16, Floor)] {
        if self.floors.is_empty() {
            return &[];
        }
        self.floors.get(&s).map_or(&[], Vec::as_slice)
    }

    /// The anchor kept for `key` ([`KEPT_OPT_OUT`] or a purpose index).
    #[inline]
    pub(crate) fn kept(&self, s: u32, key: u16) -> Option<(&Row, &Cold)> {
        if self.kept.is_empty() {
            return None;
        }
        self.kept
            .get(&s)?
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, r, c)| (r, c))
    }

    /// Every anchor kept for the subject: key, row, evidence.
    pub(crate) fn kept_of(&self, s: u32) -> &[(u16, Row, Cold)] {
        if self.kept.is_empty() {
            return &[];
        }
        self.kept.get(&s).map_or(&[], Vec::as_slice)
    }

    /// Keeps `row` as the anchor for `key`; the caller has taken the
    /// references it holds. Releases the anchor it replaces.
    pub(crate) fn set_kept(&mut self, s: u32, key: u16, mut row: Row, cold: Cold) {
        row.subject = s;
        let list = self.kept.entry(s).or_default();
        let old = match list.iter_mut().find(|(k, _, _)| *k == key) {
            Some(slot) => Some(std::mem::replace(slot, (key, row, cold))),
            None => {
                list.push((key, row, cold));
                None
            }
        };
        if let Some((_, r, c)) = old {
            self.release(&r, &c);
        }
    }

    /// Drops the anchor for `key`, if any.
    pub(crate) fn drop_kept(&mut self, s: u32, key: u16) {
        if self.kept.is_empty() {
            return;
        }
        let Some(list) = self.kept.get_mut(&s) else {
            return;
        };
        let Some(i) = list.iter().position(|(k, _, _)| *k == key) else {
            return;
        };
        let (_, r, c) = list.swap_remove(i);
        if list.is_empty() {
            self.kept.remove(&s);
        }
        self.release(&r, &c);
    }

    /// Drops the anchors an erasure at `at` discards.
    pub(crate) fn clear_kept_until(&mut self, s: u32, at: Nanos) {
        let keys: Vec<u16> = self
            .kept_of(s)
            .iter()
            .filter(|(_, r, _)| r.from <= at)
            .map(|(k, _, _)| *k)
            .collect();
        for k in keys {
            self.drop_kept(s, k);
        }
    }

    /// Takes another reference to what a stored row and its evidence hold,
    /// for a copy of them (an anchor that was the row).
    pub(crate) fn retain(&mut self, row: &Row, cold: &Cold) -> Result<()> {
        if row.set() != 0 {
            self.sets.acquire(self.sets.get(row.set()))?;
        }
        if cold.profile != 0 {
            self.profiles.acquire(self.profiles.get(cold.profile))?;
        }
        if let Some(i) = cold.proof.checked_sub(1) {
            self.proofs.retain(i);
        }
        Ok(())
    }
}

/// The key of the opt-out signal's kept `set` in [`Store::kept`].
pub(crate) const KEPT_OPT_OUT: u16 = u16::MAX;
