//! Traces of pruned records, kept per subject beside the store's rows (see
//! `Store::floors`).

use crate::ledger::store::Store;
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
}
