//! The ledger's memory layout: interned subject ids, a 32-byte head per
//! subject, and one column of 24-byte rows per purpose and per subject mark.
//!
//! - Subject ids live in one string arena; a `hashbrown` table of `u32`
//!   indices finds them with one hash and one comparison. The hash is
//!   SipHash-1-3 keyed from the OS's randomness (std's `RandomState`): subject
//!   ids and proof references can be chosen by whoever signs up, so the
//!   tables that hold them must resist hash flooding. Catalog names, declared
//!   by the controller, use the faster foldhash.
//! - A subject's head holds a bitmask of the columns it has a row in and the
//!   row indices (up to six inline, more in a spill list), so a check by
//!   handle reads the head and one row.
//! - Rows of one purpose are contiguous: an audience scan reads one column.
//! - Repeated evidence (method, notice version, channel, jurisdiction,
//!   language) is interned as a profile; proof references are interned with a
//!   reference count, removed from the table and overwritten in the arena
//!   when the last record using them goes (erasure). Copies left behind when
//!   a buffer grew are freed without being cleared (Rust does not zero freed
//!   memory), and the arena does not shrink until the ledger is rebuilt from
//!   a snapshot.
//!
//! Event ids are not stored: they are hashes of content the row holds, and
//! are recomputed when a decision or a tie-break needs one.

use std::collections::HashMap;
use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

use crate::category::CategorySet;
use crate::error::{Error, Result};
use crate::timestamp::Nanos;

/// Rows a head holds inline; more spill into a separate list.
const INLINE: usize = 6;
/// Purposes with an index below this have a bit in the head's mask; the
/// others (catalogs with more purposes) are found through a side map.
pub(crate) const FAST_PURPOSES: u16 = 60;

/// Where a row lives: a purpose's record, or one of the subject marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    Purpose(u16),
    Registered,
    WithdrawnAll,
    OptOut,
    Erased,
}

impl Slot {
    pub(crate) const MARKS: [Slot; 4] = [
        Slot::Registered,
        Slot::WithdrawnAll,
        Slot::OptOut,
        Slot::Erased,
    ];

    /// The bit in a head's mask, if the slot has one.
    #[inline]
    fn bit(self) -> Option<u32> {
        match self {
            Slot::Purpose(p) if p < FAST_PURPOSES => Some(u32::from(p)),
            Slot::Purpose(_) => None,
            Slot::Registered => Some(60),
            Slot::WithdrawnAll => Some(61),
            Slot::OptOut => Some(62),
            Slot::Erased => Some(63),
        }
    }
}

/// The record kinds, in tie-break order at equal times: the more protective
/// answer wins (objected > withdrawn > refused > given).
pub(crate) const GIVEN: u8 = 0;
pub(crate) const REFUSED: u8 = 1;
pub(crate) const WITHDRAWN: u8 = 2;
pub(crate) const OBJECTED: u8 = 3;
/// `flags` bits.
pub(crate) const KIND: u8 = 0b11;
pub(crate) const RENEWAL: u8 = 0b100;
pub(crate) const NOTICE_OK: u8 = 0b1000;
pub(crate) const ON: u8 = 0b1_0000;

/// A record or mark, as the check reads it. 24 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    /// The record's time (for a grant, the start of validity).
    pub(crate) from: Nanos,
    /// For a grant, the exclusive end of validity (`NEVER` for none).
    pub(crate) until: Nanos,
    pub(crate) subject: u32,
    /// Index into the interned category sets.
    pub(crate) set: u16,
    pub(crate) flags: u8,
}

impl Row {
    #[inline]
    pub(crate) fn kind(&self) -> u8 {
        self.flags & KIND
    }
}

/// What the check does not read: the evidence. 8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Cold {
    /// Index into the interned evidence profiles.
    pub(crate) profile: u32,
    /// Interned proof reference plus one; 0 for none.
    pub(crate) proof: u32,
}

/// One purpose's (or mark's) rows, with their evidence alongside.
#[derive(Debug, Clone, Default)]
pub(crate) struct Column {
    pub(crate) rows: Vec<Row>,
    pub(crate) cold: Vec<Cold>,
}

/// A subject's head: which columns it has a row in, and where. 32 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Head {
    mask: u64,
    /// Row indices in mask-bit order when at most `INLINE` bits are set;
    /// otherwise `slots[0]` indexes `Store::spill`.
    slots: [u32; INLINE],
}

/// Evidence apart from the proof reference: few distinct values, interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Profile {
    pub(crate) method: u8,
    /// 0 for none.
    pub(crate) notice: u32,
    /// Interned text plus one; 0 for none.
    pub(crate) channel: u32,
    pub(crate) jurisdiction: u32,
    pub(crate) language: u32,
}

/// Interned strings in one arena, found by a keyed SipHash-1-3 hash of their
/// text (DoS-resistant: these strings come from users).
#[derive(Clone, Default)]
pub(crate) struct StrPool<H = std::hash::RandomState, E = u32> {
    bytes: String,
    /// INVARIANT: `ends[i]` is the end of string `i` in `bytes`; string `i`
    /// starts at `ends[i - 1]` (0 for the first).
    ends: Vec<u32>,
    /// Per string: its index, and for the subject table where its text is
    /// (`Span`), so a lookup compares without first reading `ends`.
    // Measured: at 1M subjects every random access costs a cache and a TLB
    // miss; checks by name took 1.85x the lower-bound sketch with bare
    // indices here, 1.48x with spans. Spans cost 8 bytes more a bucket, so
    // only the subject table has them (the proof table would add ~4 bytes
    // a grant for no check-path gain).
    index: HashTable<E>,
    hasher: H,
    /// Reference counts, for pools whose strings can be released.
    counts: Vec<u32>,
}

/// What a pool's table holds per string.
pub(crate) trait PoolEntry: Copy {
    fn new(index: u32, start: u32, len: u32) -> Self;
    fn index(self) -> u32;
    fn text<'a>(self, bytes: &'a str, ends: &[u32]) -> &'a str;
}

/// The bare index: 4 bytes a string, one more access to find its text.
impl PoolEntry for u32 {
    #[inline]
    fn new(index: u32, _: u32, _: u32) -> Self {
        index
    }
    #[inline]
    fn index(self) -> u32 {
        self
    }
    #[inline]
    fn text<'a>(self, bytes: &'a str, ends: &[u32]) -> &'a str {
        slice(bytes, ends, self)
    }
}

/// The index and the text's place: 12 bytes a string, for the table on the
/// check path.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Span {
    index: u32,
    start: u32,
    len: u32,
}

impl PoolEntry for Span {
    #[inline]
    fn new(index: u32, start: u32, len: u32) -> Self {
        Span { index, start, len }
    }
    #[inline]
    fn index(self) -> u32 {
        self.index
    }
    #[inline]
    fn text<'a>(self, bytes: &'a str, _: &[u32]) -> &'a str {
        let start = self.start as usize;
        bytes.get(start..start + self.len as usize).unwrap_or("")
    }
}

impl<H, E> std::fmt::Debug for StrPool<H, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StrPool")
            .field("strings", &self.ends.len())
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

#[inline]
fn slice<'a>(bytes: &'a str, ends: &[u32], i: u32) -> &'a str {
    let i = i as usize;
    let end = ends.get(i).copied().unwrap_or(0) as usize;
    let start = match i.checked_sub(1) {
        Some(j) => ends.get(j).copied().unwrap_or(0) as usize,
        None => 0,
    };
    bytes.get(start..end).unwrap_or("")
}

impl<H: BuildHasher, E: PoolEntry> StrPool<H, E> {
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    #[inline]
    pub(crate) fn get(&self, i: u32) -> &str {
        slice(&self.bytes, &self.ends, i)
    }

    /// Finds a string with one hash of it.
    #[inline]
    pub(crate) fn find(&self, s: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(s);
        self.index
            .find(hash, |e| e.text(&self.bytes, &self.ends) == s)
            .map(|e| e.index())
    }

    /// Finds or adds a string; counts a reference if the pool counts them.
    pub(crate) fn intern(&mut self, s: &str, counted: bool) -> Result<u32> {
        let hash = self.hasher.hash_one(s);
        let (bytes, ends) = (&self.bytes, &self.ends);
        if let Some(e) = self.index.find(hash, |e| e.text(bytes, ends) == s) {
            let i = e.index();
            if counted && let Some(c) = self.counts.get_mut(i as usize) {
                *c = c.saturating_add(1);
            }
            return Ok(i);
        }
        let (Ok(start), Ok(end), Ok(i)) = (
            u32::try_from(self.bytes.len()),
            u32::try_from(self.bytes.len() + s.len()),
            u32::try_from(self.ends.len()),
        ) else {
            return Err(Error::LimitExceeded {
                what: "interned string storage in bytes",
                limit: u32::MAX as usize,
                found: self.bytes.len() + s.len(),
            });
        };
        self.bytes.push_str(s);
        self.ends.push(end);
        if counted {
            self.counts.resize(self.ends.len(), 0);
            if let Some(c) = self.counts.get_mut(i as usize) {
                *c = 1;
            }
        }
        let entry = E::new(i, start, end - start);
        let (bytes, ends, hasher) = (&self.bytes, &self.ends, &self.hasher);
        self.index
            .insert_unique(hash, entry, |e| hasher.hash_one(e.text(bytes, ends)));
        Ok(i)
    }

    /// Drops a reference; the last one removes the string from the index
    /// and overwrites its bytes in the arena.
    pub(crate) fn release(&mut self, i: u32) {
        let Some(c) = self.counts.get_mut(i as usize) else {
            return;
        };
        *c = c.saturating_sub(1);
        if *c > 0 {
            return;
        }
        let text = slice(&self.bytes, &self.ends, i);
        if text.bytes().all(|b| b == 0) {
            return; // already wiped
        }
        let hash = self.hasher.hash_one(text);
        if let Ok(entry) = self.index.find_entry(hash, |e| e.index() == i) {
            entry.remove();
        }
        let end = self.ends.get(i as usize).copied().unwrap_or(0) as usize;
        let start = i
            .checked_sub(1)
            .and_then(|j| self.ends.get(j as usize))
            .copied()
            .unwrap_or(0) as usize;
        if let Some(range) = self.bytes.get(start..end) {
            let zeros = "\0".repeat(range.len());
            self.bytes.replace_range(start..end, &zeros);
        }
    }

    pub(crate) fn reserve(&mut self, strings: usize, bytes: usize) {
        self.bytes.reserve(bytes);
        self.ends.reserve(strings);
        let (b, e, h) = (&self.bytes, &self.ends, &self.hasher);
        self.index.reserve(strings, |x| h.hash_one(x.text(b, e)));
    }

    fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.counts.shrink_to_fit();
        let (b, e, h) = (&self.bytes, &self.ends, &self.hasher);
        self.index.shrink_to_fit(|x| h.hash_one(x.text(b, e)));
    }
}

/// All of a ledger's subjects, records, marks and evidence.
#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    /// Subject ids; a subject's index is its id's index here. Its table
    /// holds where each id is, saving an access per check by name.
    pub(crate) names: StrPool<std::hash::RandomState, Span>,
    pub(crate) heads: Vec<Head>,
    spill: Vec<Vec<u32>>,
    spill_free: Vec<u32>,
    /// Rows of purposes past `FAST_PURPOSES`: per subject, (purpose, row)
    /// sorted by purpose.
    far: HashMap<u32, Vec<(u16, u32)>, DefaultHashBuilder>,
    /// One column per purpose, then one per mark.
    pub(crate) columns: Vec<Column>,
    purposes: u16,
    /// Interned category sets.
    pub(crate) sets: Vec<CategorySet>,
    set_index: HashMap<CategorySet, u16, DefaultHashBuilder>,
    pub(crate) profiles: Vec<Profile>,
    profile_index: HashMap<Profile, u32, DefaultHashBuilder>,
    /// Channels, jurisdictions, languages: a small vocabulary the host
    /// chooses, hashed with foldhash.
    pub(crate) texts: StrPool<DefaultHashBuilder>,
    /// The channel, jurisdiction and language interned last, checked before
    /// hashing: bulk loads repeat them.
    last_texts: [u32; 3],
    /// Proof references, reference-counted.
    pub(crate) proofs: StrPool,
}

impl Store {
    pub(crate) fn new(purposes: u16) -> Self {
        let mut store = Store {
            columns: vec![Column::default(); usize::from(purposes) + Slot::MARKS.len()],
            purposes,
            ..Store::default()
        };
        // Set 0 is the empty set (refusals, marks); profile 0 is "no evidence".
        store.sets.push(CategorySet::empty());
        store.set_index.insert(CategorySet::empty(), 0);
        store.profiles.push(Profile::default());
        store.profile_index.insert(Profile::default(), 0);
        store
    }

    #[inline]
    fn column_index(&self, slot: Slot) -> usize {
        match slot {
            Slot::Purpose(p) => usize::from(p),
            Slot::Registered => usize::from(self.purposes),
            Slot::WithdrawnAll => usize::from(self.purposes) + 1,
            Slot::OptOut => usize::from(self.purposes) + 2,
            Slot::Erased => usize::from(self.purposes) + 3,
        }
    }

    #[inline]
    pub(crate) fn column(&self, slot: Slot) -> Option<&Column> {
        self.columns.get(self.column_index(slot))
    }

    pub(crate) fn subject_count(&self) -> usize {
        self.heads.len()
    }

    /// The subject's index, adding it if new.
    pub(crate) fn subject(&mut self, id: &str) -> Result<u32> {
        if let Some(i) = self.names.find(id) {
            return Ok(i);
        }
        let i = self.names.intern(id, false)?;
        self.heads.push(Head::default());
        Ok(i)
    }

    /// Whether the subject has anything besides an erasure mark.
    #[inline]
    pub(crate) fn is_known(&self, s: u32) -> bool {
        let Some(h) = self.heads.get(s as usize) else {
            return false;
        };
        h.mask & !(1 << 63) != 0 || (!self.far.is_empty() && self.far.contains_key(&s))
    }

    /// Whether the subject has any row, its erasure mark included (what a
    /// snapshot writes).
    #[inline]
    pub(crate) fn has_rows(&self, s: u32) -> bool {
        self.heads.get(s as usize).is_some_and(|h| h.mask != 0)
            || (!self.far.is_empty() && self.far.contains_key(&s))
    }

    /// Whether the subject has a row in the slot's column, and which.
    #[inline]
    pub(crate) fn row_index(&self, s: u32, slot: Slot) -> Option<u32> {
        let Some(bit) = slot.bit() else {
            let Slot::Purpose(p) = slot else { return None };
            let list = self.far.get(&s)?;
            let i = list.binary_search_by_key(&p, |(q, _)| *q).ok()?;
            return list.get(i).map(|(_, r)| *r);
        };
        let h = self.heads.get(s as usize)?;
        if h.mask & (1 << bit) == 0 {
            return None;
        }
        let rank = (h.mask & ((1u64 << bit) - 1)).count_ones() as usize;
        if h.mask.count_ones() as usize <= INLINE {
            h.slots.get(rank).copied()
        } else {
            self.spill
                .get(h.slots[0] as usize)
                .and_then(|list| list.get(rank))
                .copied()
        }
    }

    /// The subject's row in the slot's column.
    #[inline]
    pub(crate) fn row(&self, s: u32, slot: Slot) -> Option<&Row> {
        let r = self.row_index(s, slot)?;
        self.column(slot)?.rows.get(r as usize)
    }

    pub(crate) fn cold(&self, s: u32, slot: Slot) -> Option<&Cold> {
        let r = self.row_index(s, slot)?;
        self.column(slot)?.cold.get(r as usize)
    }

    /// The slots a subject has rows in: marks first, then purposes in order.
    pub(crate) fn slots(&self, s: u32) -> Vec<Slot> {
        let mut out = Vec::new();
        let Some(h) = self.heads.get(s as usize) else {
            return out;
        };
        for m in Slot::MARKS {
            if let Some(bit) = m.bit()
                && h.mask & (1 << bit) != 0
            {
                out.push(m);
            }
        }
        for p in 0..FAST_PURPOSES.min(self.purposes) {
            if h.mask & (1 << p) != 0 {
                out.push(Slot::Purpose(p));
            }
        }
        if let Some(list) = self.far.get(&s) {
            out.extend(list.iter().map(|(p, _)| Slot::Purpose(*p)));
        }
        out
    }

    /// The row indices of a head, in mask-bit order.
    fn head_rows(&self, h: &Head) -> ([u32; 64], usize) {
        let mut rows = [0u32; 64];
        let n = h.mask.count_ones() as usize;
        let list: &[u32] = if n <= INLINE {
            &h.slots
        } else {
            self.spill
                .get(h.slots[0] as usize)
                .map(Vec::as_slice)
                .unwrap_or(&[])
        };
        for (dst, src) in rows.iter_mut().zip(list.iter().take(n)) {
            *dst = *src;
        }
        (rows, n)
    }

    /// Rewrites a head's rows after its mask changed to `mask`.
    fn set_head(&mut self, s: u32, mask: u64, rows: &[u32]) {
        let Some(old) = self.heads.get(s as usize).copied() else {
            return;
        };
        let old_spill = (old.mask.count_ones() as usize > INLINE).then_some(old.slots[0]);
        let mut head = Head {
            mask,
            slots: [0; INLINE],
        };
        if rows.len() <= INLINE {
            for (dst, src) in head.slots.iter_mut().zip(rows) {
                *dst = *src;
            }
            if let Some(i) = old_spill {
                if let Some(list) = self.spill.get_mut(i as usize) {
                    list.clear();
                    list.shrink_to_fit();
                }
                self.spill_free.push(i);
            }
        } else {
            let i = match old_spill {
                Some(i) => i,
                None => match self.spill_free.pop() {
                    Some(i) => i,
                    None => {
                        self.spill.push(Vec::new());
                        (self.spill.len() - 1) as u32
                    }
                },
            };
            if let Some(list) = self.spill.get_mut(i as usize) {
                list.clear();
                list.extend_from_slice(rows);
            }
            head.slots[0] = i;
        }
        if let Some(h) = self.heads.get_mut(s as usize) {
            *h = head;
        }
    }

    /// Points the subject's slot at row `r`, adding the slot if new.
    fn link(&mut self, s: u32, slot: Slot, r: u32) {
        let Some(bit) = slot.bit() else {
            if let Slot::Purpose(p) = slot {
                let list = self.far.entry(s).or_default();
                match list.binary_search_by_key(&p, |(q, _)| *q) {
                    Ok(i) => {
                        if let Some(e) = list.get_mut(i) {
                            e.1 = r;
                        }
                    }
                    Err(i) => list.insert(i, (p, r)),
                }
            }
            return;
        };
        let Some(h) = self.heads.get(s as usize).copied() else {
            return;
        };
        let (mut rows, n) = self.head_rows(&h);
        let rank = (h.mask & ((1u64 << bit) - 1)).count_ones() as usize;
        if h.mask & (1 << bit) != 0 {
            if let Some(x) = rows.get_mut(rank) {
                *x = r;
            }
            let n = n.min(64);
            self.set_head(s, h.mask, rows.get(..n).unwrap_or(&[]));
            return;
        }
        rows.copy_within(rank..63, rank + 1);
        if let Some(x) = rows.get_mut(rank) {
            *x = r;
        }
        let n = (n + 1).min(64);
        self.set_head(s, h.mask | (1 << bit), rows.get(..n).unwrap_or(&[]));
    }

    fn unlink(&mut self, s: u32, slot: Slot) {
        let Some(bit) = slot.bit() else {
            if let Slot::Purpose(p) = slot
                && let Some(list) = self.far.get_mut(&s)
            {
                list.retain(|(q, _)| *q != p);
                if list.is_empty() {
                    self.far.remove(&s);
                }
            }
            return;
        };
        let Some(h) = self.heads.get(s as usize).copied() else {
            return;
        };
        if h.mask & (1 << bit) == 0 {
            return;
        }
        let (mut rows, n) = self.head_rows(&h);
        let rank = (h.mask & ((1u64 << bit) - 1)).count_ones() as usize;
        rows.copy_within(rank + 1..64, rank);
        let n = n.saturating_sub(1);
        self.set_head(s, h.mask & !(1 << bit), rows.get(..n).unwrap_or(&[]));
    }

    /// Puts the subject's row for a slot, replacing any; returns the
    /// replaced row and evidence. Releases the replaced proof reference.
    pub(crate) fn put(&mut self, s: u32, slot: Slot, row: Row, cold: Cold) {
        let ci = self.column_index(slot);
        if let Some(r) = self.row_index(s, slot) {
            let old_proof = self
                .columns
                .get(ci)
                .and_then(|c| c.cold.get(r as usize))
                .map(|c| c.proof);
            if let Some(col) = self.columns.get_mut(ci)
                && let (Some(dst), Some(cdst)) =
                    (col.rows.get_mut(r as usize), col.cold.get_mut(r as usize))
            {
                *dst = row;
                *cdst = cold;
            }
            if let Some(p) = old_proof {
                self.release_proof(p);
            }
            return;
        }
        let Some(col) = self.columns.get_mut(ci) else {
            return;
        };
        let r = col.rows.len() as u32;
        col.rows.push(row);
        col.cold.push(cold);
        self.link(s, slot, r);
    }

    /// Removes the subject's row for a slot; returns it.
    pub(crate) fn remove(&mut self, s: u32, slot: Slot) -> Option<(Row, Cold)> {
        let r = self.row_index(s, slot)?;
        let ci = self.column_index(slot);
        let col = self.columns.get_mut(ci)?;
        let last = col.rows.len().checked_sub(1)?;
        if r as usize > last {
            return None;
        }
        let row = col.rows.swap_remove(r as usize);
        let cold = col.cold.swap_remove(r as usize);
        let moved = (r as usize != last)
            .then(|| col.rows.get(r as usize).map(|m| m.subject))
            .flatten();
        self.unlink(s, slot);
        if let Some(m) = moved {
            self.link(m, slot, r);
        }
        self.release_proof(cold.proof);
        Some((row, cold))
    }

    fn release_proof(&mut self, proof: u32) {
        if let Some(i) = proof.checked_sub(1) {
            self.proofs.release(i);
        }
    }

    pub(crate) fn intern_set(&mut self, set: CategorySet) -> Result<u16> {
        if let Some(&i) = self.set_index.get(&set) {
            return Ok(i);
        }
        let i = u16::try_from(self.sets.len()).map_err(|_| Error::LimitExceeded {
            what: "number of distinct category sets in a ledger",
            limit: usize::from(u16::MAX),
            found: self.sets.len() + 1,
        })?;
        self.sets.push(set);
        self.set_index.insert(set, i);
        Ok(i)
    }

    #[inline]
    pub(crate) fn set(&self, i: u16) -> CategorySet {
        self.sets.get(usize::from(i)).copied().unwrap_or_default()
    }

    /// Interns evidence: the profile and the (counted) proof reference.
    pub(crate) fn intern_evidence(&mut self, e: &crate::event::EvidenceView<'_>) -> Result<Cold> {
        let (texts, last_texts) = (&mut self.texts, &mut self.last_texts);
        let mut text = |field: usize, s: Option<&str>| -> Result<u32> {
            let Some(s) = s else { return Ok(0) };
            let Some(last) = last_texts.get_mut(field) else {
                return Ok(texts.intern(s, false)? + 1);
            };
            if *last != 0 && texts.get(*last - 1) == s {
                return Ok(*last);
            }
            *last = texts.intern(s, false)? + 1;
            Ok(*last)
        };
        let profile = Profile {
            method: crate::evidence::method_index(e.method),
            notice: e.notice_version.unwrap_or(0),
            channel: text(0, e.channel)?,
            jurisdiction: text(1, e.jurisdiction)?,
            language: text(2, e.language)?,
        };
        let profile = match self.profile_index.get(&profile) {
            Some(&i) => i,
            None => {
                let i = u32::try_from(self.profiles.len()).map_err(|_| Error::LimitExceeded {
                    what: "number of distinct evidence profiles",
                    limit: u32::MAX as usize,
                    found: self.profiles.len(),
                })?;
                self.profiles.push(profile);
                self.profile_index.insert(profile, i);
                i
            }
        };
        let proof = match e.proof {
            Some(p) => self.proofs.intern(p, true)? + 1,
            None => 0,
        };
        Ok(Cold { profile, proof })
    }

    #[inline]
    pub(crate) fn profile(&self, cold: &Cold) -> Profile {
        self.profiles
            .get(cold.profile as usize)
            .copied()
            .unwrap_or_default()
    }

    /// The evidence of a row, borrowed.
    pub(crate) fn evidence_view(&self, cold: &Cold) -> crate::event::EvidenceView<'_> {
        let p = self.profile(cold);
        let text = |i: u32| i.checked_sub(1).map(|i| self.texts.get(i));
        crate::event::EvidenceView {
            method: crate::evidence::method_of(p.method),
            notice_version: (p.notice != 0).then_some(p.notice),
            channel: text(p.channel),
            proof: cold.proof.checked_sub(1).map(|i| self.proofs.get(i)),
            jurisdiction: text(p.jurisdiction),
            language: text(p.language),
        }
    }

    /// Frees the slack left by growth (after a bulk load or many changes).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.names.shrink_to_fit();
        self.heads.shrink_to_fit();
        self.spill.shrink_to_fit();
        self.far.shrink_to_fit();
        for c in &mut self.columns {
            c.rows.shrink_to_fit();
            c.cold.shrink_to_fit();
        }
        self.texts.shrink_to_fit();
        self.proofs.shrink_to_fit();
    }

    /// Reserves room for `subjects` more subjects with `bytes` of ids.
    pub(crate) fn reserve_subjects(&mut self, subjects: usize, bytes: usize) {
        self.names.reserve(subjects, bytes);
        self.heads.reserve(subjects);
    }

    /// Reserves room for `rows` more rows in a slot's column.
    pub(crate) fn reserve_rows(&mut self, slot: Slot, rows: usize) {
        let ci = self.column_index(slot);
        if let Some(c) = self.columns.get_mut(ci) {
            c.rows.reserve_exact(rows);
            c.cold.reserve_exact(rows);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(subject: u32, from: i64) -> Row {
        Row {
            from,
            until: i64::MAX,
            subject,
            set: 0,
            flags: 0,
        }
    }

    #[test]
    fn heads_spill_and_come_back() {
        let mut st = Store::new(70);
        let s = st.subject("a").expect("ok");
        let t = st.subject("b").expect("ok");
        let slots: Vec<Slot> = (0..10)
            .map(Slot::Purpose)
            .chain([Slot::Registered, Slot::OptOut, Slot::Purpose(65)])
            .collect();
        for (i, slot) in slots.iter().enumerate() {
            st.put(s, *slot, row(s, i as i64), Cold::default());
            st.put(t, *slot, row(t, 100 + i as i64), Cold::default());
            for (j, done) in slots.iter().enumerate().take(i + 1) {
                assert_eq!(st.row(s, *done).map(|r| r.from), Some(j as i64));
                assert_eq!(st.row(t, *done).map(|r| r.from), Some(100 + j as i64));
            }
        }
        assert_eq!(st.slots(s).len(), slots.len());
        // Remove every other slot of `s`; `t`'s rows move and stay found.
        for (i, slot) in slots.iter().enumerate().step_by(2) {
            assert_eq!(st.remove(s, *slot).map(|(r, _)| r.from), Some(i as i64));
        }
        for (i, slot) in slots.iter().enumerate() {
            let expected = (i % 2 == 1).then_some(i as i64);
            assert_eq!(st.row(s, *slot).map(|r| r.from), expected, "{slot:?}");
            assert_eq!(st.row(t, *slot).map(|r| r.from), Some(100 + i as i64));
        }
        assert!(st.is_known(s));
        for slot in &slots {
            st.remove(s, *slot);
        }
        assert!(!st.is_known(s));
        assert!(st.is_known(t));
    }

    #[test]
    fn pool_interns_and_wipes() {
        let mut p: StrPool = StrPool::default();
        let a = p.intern("rcpt-1", true).expect("ok");
        assert_eq!(p.intern("rcpt-1", true).expect("ok"), a);
        let b = p.intern("rcpt-2", true).expect("ok");
        assert_eq!((p.get(a), p.get(b)), ("rcpt-1", "rcpt-2"));
        p.release(a);
        assert_eq!(p.find("rcpt-1"), Some(a));
        p.release(a);
        assert_eq!(p.find("rcpt-1"), None);
        assert!(!p.bytes.contains("rcpt-1"));
        assert_eq!(p.find("rcpt-2"), Some(b));
        assert_eq!(p.len(), 2);
    }
}
