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
//!   row indices (six inline; past six, five, and the rest, marks first, in
//!   a spill list), so a check by handle reads the head and one row.
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

use hashbrown::DefaultHashBuilder;

use crate::error::Result;
use crate::ledger::intern::{Counted, RcPool};
use crate::ledger::profiles::Profile;
use crate::ledger::strings::StrPool;
use crate::model::category::CategorySet;
use crate::wire::timestamp::Nanos;

pub(crate) use crate::ledger::facts::{DayCache, Places};
pub(crate) use crate::ledger::traces::Floor;

/// The erasure mark's bit in a head's mask.
const ERASED_BIT: u64 = 1 << 63;
/// Rows a head holds inline; past that, the first `KEPT` stay inline and
/// the rest spill into a separate list.
const INLINE: usize = 6;
/// Rows a head with a spill list keeps inline (its last slot indexes the
/// list).
const KEPT: usize = INLINE - 1;
/// Purposes with an index below this have a bit in the head's mask; the
/// others (catalogs with more purposes) are found through a side map.
pub(crate) const FAST_PURPOSES: u16 = 58;

/// Where a row lives: a purpose's record, or one of the subject marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    Purpose(u16),
    Registered,
    WithdrawnAll,
    OptOut,
    Erased,
    /// The subject's jurisdiction: the code packed in `until`.
    Jurisdiction,
    /// The subject's age: years or a birth date's Julian day in `until`,
    /// [`RowFlags::ON`] for a birth date.
    Age,
}

impl Slot {
    pub(crate) const MARKS: [Slot; 6] = [
        Slot::Registered,
        Slot::WithdrawnAll,
        Slot::OptOut,
        Slot::Erased,
        Slot::Jurisdiction,
        Slot::Age,
    ];

    /// The bit in a head's mask, if the slot has one.
    #[inline]
    fn bit(self) -> Option<u32> {
        match self {
            Slot::Purpose(p) if p < FAST_PURPOSES => Some(u32::from(p)),
            Slot::Purpose(_) => None,
            Slot::Jurisdiction => Some(58),
            Slot::Age => Some(59),
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

bitflags::bitflags! {
    /// A row's flag byte: the record kind in the two low bits, then flags.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(crate) struct RowFlags: u8 {
        /// The record kind, a two-bit field ([`GIVEN`] to [`OBJECTED`]).
        const KIND = 0b11;
        /// A grant that renewed an earlier one.
        const RENEWAL = 1 << 2;
        /// A grant or refusal made under the purpose's current notice.
        const NOTICE_OK = 1 << 3;
        /// An opt-out mark that is set (not cleared); an age mark that is a
        /// birth date.
        const ON = 1 << 4;
        /// On a purpose's record: the evidence says consent was expressly
        /// explicit. (Bit 4 is [`RowFlags::ON`] on marks.)
        const EXPLICIT = 1 << 4;
        /// On a purpose's record: the person was told the choice conflicts
        /// with their opt-out signal. (Bit 5 is [`RowFlags::DORMANT`] on
        /// the erasure mark.)
        const SIGNAL_SHOWN = 1 << 5;
        /// On a purpose's record: who gave it, [`GivenBy`] as two bits.
        ///
        /// [`GivenBy`]: crate::GivenBy
        const GIVEN_BY = 0b1100_0000;
        /// On an erasure mark: no registration or grant since the erasure,
        /// so the subject is denied everything. Derived from the subject's
        /// rows, kept up to date by [`Store::put`] and [`Store::remove`].
        const DORMANT = 1 << 5;
    }
}

impl RowFlags {
    /// The flags of a purpose's record.
    /// `evidence` is [`EvidenceView::regime_bits`] of the record's
    /// evidence.
    ///
    /// [`EvidenceView::regime_bits`]: crate::model::evidence::EvidenceView::regime_bits
    pub(crate) fn record(kind: u8, renewal: bool, notice_ok: bool, evidence: u8) -> RowFlags {
        let mut f = RowFlags::from_bits_retain(kind) & RowFlags::KIND;
        f.set(RowFlags::RENEWAL, renewal);
        f.set(RowFlags::NOTICE_OK, notice_ok);
        use crate::model::evidence::{BIT_EXPLICIT, BIT_SIGNAL_SHOWN, GIVEN_BY_BITS};
        f |= RowFlags::from_bits_retain((evidence & GIVEN_BY_BITS) << 6);
        f.set(RowFlags::EXPLICIT, evidence & BIT_EXPLICIT != 0);
        f.set(RowFlags::SIGNAL_SHOWN, evidence & BIT_SIGNAL_SHOWN != 0);
        f
    }

    /// Who gave a purpose's record.
    #[inline]
    pub(crate) fn given_by(self) -> crate::model::evidence::GivenBy {
        crate::model::evidence::GivenBy::from_index(self.bits() >> 6)
    }

    /// The flags of an opt-out mark, set or cleared; of other marks (`false`).
    pub(crate) fn mark(on: bool) -> RowFlags {
        if on { RowFlags::ON } else { RowFlags::empty() }
    }
}

/// A record or mark, as the check reads it. 24 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    /// The record's time (for a grant, the start of validity).
    pub(crate) from: Nanos,
    /// For a grant, the exclusive end of validity (`NEVER` for none).
    pub(crate) until: Nanos,
    pub(crate) subject: u32,
    /// Index into the interned category sets: low 16 bits here, high 8 bits
    /// in `set_hi` (a byte that would otherwise be padding).
    set_lo: u16,
    set_hi: u8,
    pub(crate) flags: RowFlags,
}

/// Most distinct category sets a ledger holds at once: the largest index
/// that fits in a row's 24 bits.
pub(crate) const MAX_SETS: u32 = (1 << 24) - 1;

impl Row {
    /// A row; `set` must be below [`MAX_SETS`] (interning guarantees it).
    #[inline]
    pub(crate) const fn new(
        from: Nanos,
        until: Nanos,
        subject: u32,
        set: u32,
        flags: RowFlags,
    ) -> Row {
        Row {
            from,
            until,
            subject,
            set_lo: set as u16,
            set_hi: (set >> 16) as u8,
            flags,
        }
    }

    #[inline]
    pub(crate) fn kind(&self) -> u8 {
        (self.flags & RowFlags::KIND).bits()
    }

    /// The index of the row's category set.
    #[inline]
    pub(crate) const fn set(&self) -> u32 {
        self.set_lo as u32 | (self.set_hi as u32) << 16
    }

    /// Points the row at category set `set` (below [`MAX_SETS`]).
    #[inline]
    pub(crate) fn set_set(&mut self, set: u32) {
        self.set_lo = set as u16;
        self.set_hi = (set >> 16) as u8;
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
    /// Bit `i` set when the subject has a row in column `i` (see
    /// [`Slot::bit`]). A bitmap read by rank (`count_ones` below a bit) to
    /// find the row, not a set of named flags, so a plain integer.
    mask: u64,
    /// Row indices in mask-bit order when at most `INLINE` bits are set;
    /// otherwise the first `KEPT` of them, and `slots[KEPT]` indexes
    /// `Store::spill`, which holds the rest.
    slots: [u32; INLINE],
}

/// All of a ledger's subjects, records, marks and evidence.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    /// Subject ids; a subject's index is its id's index here. Its table
    /// holds where each id is, saving an access per check by name.
    pub(crate) names: StrPool,
    pub(crate) heads: Vec<Head>,
    /// Per subject, its jurisdiction and age as the check reads them (see
    /// `facts.rs`).
    pub(crate) facts: Vec<u32>,
    /// The jurisdictions subjects are in, interned for `facts`.
    pub(crate) places: Places,
    /// The last day a check converted (see `facts.rs`).
    pub(crate) day_cache: DayCache,
    spill: Vec<Vec<u32>>,
    spill_free: Vec<u32>,
    /// Rows of purposes past `FAST_PURPOSES`: per subject, (purpose, row)
    /// sorted by purpose.
    far: HashMap<u32, Vec<(u16, u32)>, DefaultHashBuilder>,
    /// What [`crate::Ledger::prune`] dropped, per subject and purpose: the
    /// dropped record's time, kind and id, so that an event it superseded,
    /// arriving late, is superseded still (pruning changes no decision).
    /// Cleared when a later event takes the slot, or by an erasure. Keyed
    /// by subject (a few purposes each, sorted) so that what is done per
    /// subject costs nothing when the subject has no trace.
    pub(super) floors: HashMap<u32, Vec<(u16, Floor)>, DefaultHashBuilder>,
    /// Answers kept beside a slot's latest one because they still decide
    /// (see `traces.rs`): per subject, by key, the row and its evidence,
    /// holding references like a stored row.
    pub(super) kept: HashMap<u32, Vec<(u16, Row, Cold)>, DefaultHashBuilder>,
    /// One column per purpose, then one per mark.
    pub(crate) columns: Vec<Column>,
    purposes: u16,
    /// Interned category sets, counted by the rows using them.
    pub(crate) sets: Counted<CategorySet>,
    /// Interned evidence profiles, counted by the rows using them.
    pub(crate) profiles: Counted<Profile>,
    /// Channels, jurisdictions, languages: a small vocabulary the host
    /// chooses, hashed with foldhash; counted by the profiles using them.
    pub(crate) texts: RcPool<DefaultHashBuilder>,
    /// The channel, jurisdiction and language looked up last, checked
    /// before hashing: bulk loads repeat them.
    pub(crate) last_texts: [u32; 4],
    /// Proof references, counted by the rows using them.
    pub(crate) proofs: RcPool,
    /// Rows in all columns (the cost of renumbering proof references).
    rows: usize,
}

impl Store {
    pub(crate) fn new(purposes: u16) -> Self {
        // Set 0 is the empty set (refusals, marks); profile 0 is "no evidence".
        Store {
            names: StrPool::default(),
            heads: Vec::new(),
            facts: Vec::new(),
            places: Places::default(),
            day_cache: DayCache::default(),
            spill: Vec::new(),
            spill_free: Vec::new(),
            far: HashMap::default(),
            floors: HashMap::default(),
            kept: HashMap::default(),
            columns: vec![Column::default(); usize::from(purposes) + Slot::MARKS.len()],
            purposes,
            sets: Counted::new(MAX_SETS, "number of distinct category sets held"),
            profiles: Counted::new(u32::MAX, "number of distinct evidence profiles held"),
            texts: RcPool::default(),
            last_texts: [0; 4],
            proofs: RcPool::default(),
            rows: 0,
        }
    }

    #[inline]
    fn column_index(&self, slot: Slot) -> usize {
        match slot {
            Slot::Purpose(p) => usize::from(p),
            Slot::Registered => usize::from(self.purposes),
            Slot::WithdrawnAll => usize::from(self.purposes) + 1,
            Slot::OptOut => usize::from(self.purposes) + 2,
            Slot::Erased => usize::from(self.purposes) + 3,
            Slot::Jurisdiction => usize::from(self.purposes) + 4,
            Slot::Age => usize::from(self.purposes) + 5,
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
        let i = self.names.intern(id)?;
        self.heads.push(Head::default());
        self.facts.push(0);
        Ok(i)
    }

    /// Whether the subject has anything besides an erasure mark.
    #[inline]
    pub(crate) fn is_known(&self, s: u32) -> bool {
        let Some(h) = self.heads.get(s as usize) else {
            return false;
        };
        h.mask & !ERASED_BIT != 0 || (!self.far.is_empty() && self.far.contains_key(&s))
    }

    /// When the subject was erased, if no registration or grant has come
    /// since (the subject is then denied everything).
    #[inline]
    pub(crate) fn dormant_erasure(&self, s: u32) -> Option<Nanos> {
        let h = self.heads.get(s as usize)?;
        if h.mask & ERASED_BIT == 0 {
            return None;
        }
        self.row(s, Slot::Erased)
            .filter(|e| e.flags.contains(RowFlags::DORMANT))
            .map(|e| e.from)
    }

    /// Recomputes the erasure mark's [`RowFlags::DORMANT`] flag after a change.
    pub(super) fn refresh_dormant(&mut self, s: u32) {
        if self
            .heads
            .get(s as usize)
            .is_none_or(|h| h.mask & ERASED_BIT == 0)
        {
            return;
        }
        // A pruned grant counts as the grant it was (see `floors`).
        let active = self.slots(s).into_iter().any(|slot| match slot {
            Slot::Registered => true,
            Slot::Purpose(_) => self.row(s, slot).is_some_and(|r| r.kind() == GIVEN),
            _ => false,
        }) || self
            .floors
            .get(&s)
            .is_some_and(|list| list.iter().any(|(_, f)| f.kind == GIVEN));
        let ci = self.column_index(Slot::Erased);
        if let Some(r) = self.row_index(s, Slot::Erased)
            && let Some(row) = self
                .columns
                .get_mut(ci)
                .and_then(|c| c.rows.get_mut(r as usize))
        {
            row.flags.set(RowFlags::DORMANT, !active);
        }
    }

    /// Whether the subject has any row, its erasure mark included (what a
    /// snapshot writes).
    #[inline]
    pub(crate) fn has_rows(&self, s: u32) -> bool {
        self.heads.get(s as usize).is_some_and(|h| h.mask != 0)
            || (!self.far.is_empty() && self.far.contains_key(&s))
            || !self.floors_of(s).is_empty()
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
        self.rank_in(h, bit)
    }

    /// The row index of mask bit `bit` in head `h`, if set.
    #[inline]
    fn rank_in(&self, h: &Head, bit: u32) -> Option<u32> {
        if h.mask & (1 << bit) == 0 {
            return None;
        }
        let rank = (h.mask & ((1u64 << bit) - 1)).count_ones() as usize;
        if rank < KEPT || h.mask.count_ones() as usize <= INLINE {
            h.slots.get(rank).copied()
        } else {
            self.spill
                .get(h.slots[KEPT] as usize)
                .and_then(|list| list.get(rank - KEPT))
                .copied()
        }
    }

    /// A copy of the subject's head (empty for an unknown index): the first
    /// stage of a batch, whose loads overlap across checks.
    #[inline]
    pub(crate) fn head(&self, s: u32) -> Head {
        self.heads.get(s as usize).copied().unwrap_or_default()
    }

    /// The subject's record of `purpose`, found from a copy of its head
    /// ([`Store::head`]): the second stage of a batch.
    #[inline]
    pub(crate) fn record_in(&self, h: &Head, s: u32, purpose: u16) -> Option<Row> {
        let slot = Slot::Purpose(purpose);
        let r = match slot.bit() {
            Some(bit) => self.rank_in(h, bit)?,
            None => self.row_index(s, slot)?,
        };
        self.column(slot)?.rows.get(r as usize).copied()
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
        let (inline, spilled): (&[u32], &[u32]) = if n <= INLINE {
            (&h.slots, &[])
        } else {
            let rest = self
                .spill
                .get(h.slots[KEPT] as usize)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            (h.slots.get(..KEPT).unwrap_or(&[]), rest)
        };
        for (dst, src) in rows.iter_mut().zip(inline.iter().chain(spilled).take(n)) {
            *dst = *src;
        }
        (rows, n)
    }

    /// Rewrites a head's rows after its mask changed to `mask`.
    fn set_head(&mut self, s: u32, mask: u64, rows: &[u32]) {
        let Some(old) = self.heads.get(s as usize).copied() else {
            return;
        };
        let old_spill = (old.mask.count_ones() as usize > INLINE).then_some(old.slots[KEPT]);
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
            let (kept, rest) = rows.split_at(KEPT);
            for (dst, src) in head.slots.iter_mut().zip(kept) {
                *dst = *src;
            }
            if let Some(list) = self.spill.get_mut(i as usize) {
                list.clear();
                list.extend_from_slice(rest);
            }
            head.slots[KEPT] = i;
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

    /// Puts the subject's row for a slot, replacing any. The row and its
    /// evidence each carry one reference to their category set, profile and
    /// proof reference (taken by [`Store::intern_set`] and
    /// [`Store::intern_evidence`]); the replaced row's references are
    /// released.
    pub(crate) fn put(&mut self, s: u32, slot: Slot, row: Row, cold: Cold) {
        let ci = self.column_index(slot);
        if let Some(r) = self.row_index(s, slot) {
            let mut old = None;
            if let Some(col) = self.columns.get_mut(ci)
                && let (Some(dst), Some(cdst)) =
                    (col.rows.get_mut(r as usize), col.cold.get_mut(r as usize))
            {
                old = Some((*dst, *cdst));
                *dst = row;
                *cdst = cold;
            }
            if let Some((row, cold)) = old {
                self.release(&row, &cold);
            }
            self.refresh_dormant(s);
            self.refresh_facts(s, slot);
            return;
        }
        let Some(col) = self.columns.get_mut(ci) else {
            return;
        };
        let r = col.rows.len() as u32;
        col.rows.push(row);
        col.cold.push(cold);
        self.rows += 1;
        self.link(s, slot, r);
        self.refresh_dormant(s);
        self.refresh_facts(s, slot);
    }

    /// Removes the subject's row for a slot and releases what it used;
    /// returns it.
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
        self.rows -= 1;
        self.unlink(s, slot);
        if let Some(m) = moved {
            self.link(m, slot, r);
        }
        self.release(&row, &cold);
        self.refresh_dormant(s);
        self.refresh_facts(s, slot);
        Some((row, cold))
    }

    /// Releases the references a row and its evidence hold, then compacts
    /// the string arenas if freed strings outweigh live ones.
    pub(super) fn release(&mut self, row: &Row, cold: &Cold) {
        self.sets.release(row.set());
        self.release_evidence(cold);
        self.compact_if_wasteful();
    }

    /// Drops a reference to a category set (for a row never stored).
    pub(crate) fn release_set(&mut self, set: u32) {
        self.sets.release(set);
    }

    /// Rebuilds a string arena when its garbage exceeds what a rebuild
    /// costs (its live strings, and the references to renumber), and 1 KiB:
    /// amortized, each freed byte pays for its share of one rebuild.
    fn compact_if_wasteful(&mut self) {
        const MIN: usize = 1024;
        let proof_cost = self.proofs.live_size() + 8 * self.rows;
        if self.proofs.garbage() > MIN.max(proof_cost) {
            let remap = self.proofs.compact();
            let kept = self.kept.values_mut().flatten().map(|(_, _, c)| c);
            for c in self
                .columns
                .iter_mut()
                .flat_map(|col| &mut col.cold)
                .chain(kept)
            {
                if let Some(i) = c.proof.checked_sub(1) {
                    c.proof = remap.get(i as usize).map_or(0, |n| n.wrapping_add(1));
                }
            }
        }
        let text_cost = self.texts.live_size() + 24 * self.profiles.live();
        if self.texts.garbage() > MIN.max(text_cost) {
            let remap = self.texts.compact();
            let renumber = |t: u32| match t.checked_sub(1) {
                Some(i) => remap.get(i as usize).map_or(0, |n| n.wrapping_add(1)),
                None => 0,
            };
            self.profiles.remap(|p| Profile {
                channel: renumber(p.channel),
                jurisdiction: renumber(p.jurisdiction),
                language: renumber(p.language),
                verification: renumber(p.verification),
                ..p
            });
            self.last_texts = [0; 4];
        }
    }

    /// Interns a category set, taking a reference to it.
    pub(crate) fn intern_set(&mut self, set: CategorySet) -> Result<u32> {
        self.sets.acquire(set)
    }

    #[inline]
    pub(crate) fn set(&self, i: u32) -> CategorySet {
        self.sets.get(i)
    }

    /// Frees the slack left by growth (after a bulk load or many changes).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.names.shrink_to_fit();
        self.heads.shrink_to_fit();
        self.facts.shrink_to_fit();
        self.spill.shrink_to_fit();
        self.far.shrink_to_fit();
        self.floors.shrink_to_fit();
        for c in &mut self.columns {
            c.rows.shrink_to_fit();
            c.cold.shrink_to_fit();
        }
        self.sets.shrink_to_fit();
        self.profiles.shrink_to_fit();
        self.texts.shrink_to_fit();
        self.proofs.shrink_to_fit();
    }

    /// Reserves room for `subjects` more subjects with `bytes` of ids.
    pub(crate) fn reserve_subjects(&mut self, subjects: usize, bytes: usize) {
        self.names.reserve(subjects, bytes);
        self.heads.reserve(subjects);
        self.facts.reserve(subjects);
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
#[path = "store_tests.rs"]
mod tests;
