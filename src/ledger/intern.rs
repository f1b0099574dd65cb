//! Reference-counted interning of what records share: category sets,
//! evidence profiles, proof references and evidence texts.
//!
//! Every stored row holds one reference to its category set, its evidence
//! profile and its proof reference; a profile holds one reference to each of
//! its texts. When the last reference goes (a record replaced, pruned or
//! erased), the value is freed: its index is reused, and a freed string is
//! wiped at once (an erased subject's proof reference does not linger in
//! memory). Limits therefore count what is *live*, never what was ever seen,
//! so no sequence of changes by one subject can exhaust them.

use std::hash::{BuildHasher, Hash};

use hashbrown::{DefaultHashBuilder, HashMap, HashTable};

use crate::error::{Error, Result};

/// Interned values with reference counts and a free list. Index 0 is the
/// "nothing" value (the empty set, no evidence): pinned, never counted.
#[derive(Debug, Clone)]
pub(crate) struct Counted<T> {
    values: Vec<T>,
    /// INVARIANT: `counts[i] == 0` exactly for free slots (and slot 0, pinned).
    counts: Vec<u32>,
    free: Vec<u32>,
    index: HashMap<T, u32, DefaultHashBuilder>,
    limit: u32,
    what: &'static str,
}

impl<T: Copy + Eq + Hash + Default> Counted<T> {
    /// A table holding only `T::default()` at index 0; at most `limit`
    /// values (index 0 included) live at once.
    pub(crate) fn new(limit: u32, what: &'static str) -> Self {
        let mut index = HashMap::default();
        index.insert(T::default(), 0);
        Counted {
            values: vec![T::default()],
            counts: vec![0],
            free: Vec::new(),
            index,
            limit,
            what,
        }
    }

    /// The value at `i` (the default for an index out of range).
    #[inline]
    pub(crate) fn get(&self, i: u32) -> T {
        self.values.get(i as usize).copied().unwrap_or_default()
    }

    /// Every slot's value, by index (free slots hold a stale value).
    pub(crate) fn values(&self) -> &[T] {
        &self.values
    }

    /// The index of `v`, if interned.
    pub(crate) fn find(&self, v: &T) -> Option<u32> {
        self.index.get(v).copied()
    }

    /// Finds or adds `v` and counts a reference to it.
    pub(crate) fn acquire(&mut self, v: T) -> Result<u32> {
        if let Some(&i) = self.index.get(&v) {
            if i != 0
                && let Some(c) = self.counts.get_mut(i as usize)
            {
                *c = c.saturating_add(1);
            }
            return Ok(i);
        }
        let i = match self.free.pop() {
            Some(i) => i,
            None => {
                let n = self.values.len();
                match u32::try_from(n) {
                    Ok(i) if i < self.limit => {
                        self.values.push(T::default());
                        self.counts.push(0);
                        i
                    }
                    _ => {
                        return Err(Error::LimitExceeded {
                            what: self.what,
                            limit: self.limit as usize,
                            found: n + 1,
                        });
                    }
                }
            }
        };
        if let (Some(slot), Some(c)) = (
            self.values.get_mut(i as usize),
            self.counts.get_mut(i as usize),
        ) {
            *slot = v;
            *c = 1;
        }
        self.index.insert(v, i);
        Ok(i)
    }

    /// Drops a reference; returns the value if that was the last one (it
    /// is then freed and its index reused).
    pub(crate) fn release(&mut self, i: u32) -> Option<T> {
        if i == 0 {
            return None;
        }
        let c = self.counts.get_mut(i as usize)?;
        if *c == 0 {
            return None;
        }
        *c -= 1;
        if *c > 0 {
            return None;
        }
        let v = self.get(i);
        self.index.remove(&v);
        if let Some(slot) = self.values.get_mut(i as usize) {
            *slot = T::default();
        }
        self.free.push(i);
        Some(v)
    }

    /// Lowers the limit (tests reach it without millions of values).
    #[cfg(test)]
    pub(crate) fn set_limit(&mut self, limit: u32) {
        self.limit = limit;
    }

    /// Whether `more` new values surely fit, whatever is freed meanwhile.
    pub(crate) fn has_room(&self, more: usize) -> bool {
        self.values.len().saturating_add(more) <= self.limit as usize
    }

    /// How many values are live (index 0 not counted).
    pub(crate) fn live(&self) -> usize {
        self.values.len() - 1 - self.free.len()
    }

    /// Rewrites every live value with `f` (for a compaction of what the
    /// values point to); `f` must keep distinct values distinct.
    pub(crate) fn remap(&mut self, mut f: impl FnMut(T) -> T) {
        self.index.clear();
        self.index.insert(T::default(), 0);
        for (i, (v, c)) in self.values.iter_mut().zip(&self.counts).enumerate() {
            if *c > 0 {
                *v = f(*v);
                self.index.insert(*v, i as u32);
            }
        }
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        // Trailing free slots can go; inner ones stay (indices are stable).
        while self.values.len() > 1 && self.counts.last() == Some(&0) {
            self.values.pop();
            self.counts.pop();
        }
        let len = self.values.len() as u32;
        self.free.retain(|i| *i < len);
        self.values.shrink_to_fit();
        self.counts.shrink_to_fit();
        self.free.shrink_to_fit();
        self.index.shrink_to_fit();
    }
}

/// Interned strings in one arena with reference counts. A freed string is
/// wiped at once and its bytes counted as garbage; [`RcPool::compact`]
/// rebuilds the arena and renumbers the live strings when the garbage
/// outweighs them (the owner then rewrites its references).
#[derive(Clone, Default)]
pub(crate) struct RcPool<H = std::hash::RandomState> {
    bytes: String,
    /// INVARIANT: `ends[i]` is the end of string `i` in `bytes`; string `i`
    /// starts at `ends[i - 1]` (0 for the first).
    ends: Vec<u32>,
    /// INVARIANT: 0 exactly for freed strings.
    counts: Vec<u32>,
    index: HashTable<u32>,
    hasher: H,
    dead_bytes: usize,
    dead: usize,
}

impl<H> std::fmt::Debug for RcPool<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RcPool")
            .field("strings", &(self.ends.len() - self.dead))
            .field("bytes", &(self.bytes.len() - self.dead_bytes))
            .finish()
    }
}

impl<H: BuildHasher> RcPool<H> {
    #[inline]
    fn range(&self, i: u32) -> (usize, usize) {
        let i = i as usize;
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        let start = match i.checked_sub(1) {
            Some(j) => self.ends.get(j).copied().unwrap_or(0) as usize,
            None => 0,
        };
        (start, end)
    }

    /// String `i` (empty once freed).
    #[inline]
    pub(crate) fn get(&self, i: u32) -> &str {
        let (start, end) = self.range(i);
        self.bytes.get(start..end).unwrap_or("")
    }

    /// The index of `s`, if interned and live.
    pub(crate) fn find(&self, s: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(s);
        self.index.find(hash, |&i| self.get(i) == s).copied()
    }

    /// Finds or adds `s` and counts a reference to it.
    pub(crate) fn acquire(&mut self, s: &str) -> Result<u32> {
        let hash = self.hasher.hash_one(s);
        if let Some(&i) = self.index.find(hash, |&i| self.get(i) == s) {
            if let Some(c) = self.counts.get_mut(i as usize) {
                *c = c.saturating_add(1);
            }
            return Ok(i);
        }
        let (Ok(end), Ok(i)) = (
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
        self.counts.push(1);
        let Self {
            bytes,
            ends,
            hasher,
            index,
            ..
        } = self;
        let text = |j: u32| slice(bytes, ends, j);
        index.insert_unique(hash, i, |&j| hasher.hash_one(text(j)));
        Ok(i)
    }

    /// Counts another reference to live string `i` (for a copy of a row).
    pub(crate) fn retain(&mut self, i: u32) {
        if let Some(c) = self.counts.get_mut(i as usize)
            && *c > 0
        {
            *c = c.saturating_add(1);
        }
    }

    /// Drops a reference; the last one removes the string from the index
    /// and wipes its bytes.
    pub(crate) fn release(&mut self, i: u32) {
        let Some(c) = self.counts.get_mut(i as usize) else {
            return;
        };
        if *c == 0 {
            return;
        }
        *c -= 1;
        if *c > 0 {
            return;
        }
        let (start, end) = self.range(i);
        let hash = self.hasher.hash_one(self.get(i));
        if let Ok(entry) = self.index.find_entry(hash, |&j| j == i) {
            entry.remove();
        }
        if let Some(range) = self.bytes.get(start..end) {
            let zeros = "\0".repeat(range.len());
            self.bytes.replace_range(start..end, &zeros);
        }
        self.dead_bytes += end - start;
        self.dead += 1;
    }

    /// Whether `bytes` more bytes of new strings surely fit.
    pub(crate) fn has_room(&self, bytes: usize) -> bool {
        self.bytes.len().saturating_add(bytes) <= u32::MAX as usize
    }

    /// Bytes held for freed strings (their text and index entries).
    pub(crate) fn garbage(&self) -> usize {
        self.dead_bytes + 8 * self.dead
    }

    /// Bytes held for live strings, counted as [`RcPool::garbage`] is.
    pub(crate) fn live_size(&self) -> usize {
        (self.bytes.len() - self.dead_bytes) + 8 * (self.ends.len() - self.dead)
    }

    /// Rebuilds the arena with the live strings only, in their order, and
    /// returns the renumbering: `remap[old]` is the new index, `u32::MAX`
    /// for a freed string.
    pub(crate) fn compact(&mut self) -> Vec<u32> {
        let live = self.ends.len() - self.dead;
        let mut bytes = String::with_capacity(self.bytes.len() - self.dead_bytes);
        let mut ends = Vec::with_capacity(live);
        let mut counts = Vec::with_capacity(live);
        let mut remap = Vec::with_capacity(self.ends.len());
        for (i, &c) in self.counts.iter().enumerate() {
            if c == 0 {
                remap.push(u32::MAX);
                continue;
            }
            remap.push(ends.len() as u32);
            bytes.push_str(self.get(i as u32));
            // INVARIANT: the new arena is no larger than the old one.
            ends.push(bytes.len() as u32);
            counts.push(c);
        }
        self.bytes = bytes;
        self.ends = ends;
        self.counts = counts;
        self.dead_bytes = 0;
        self.dead = 0;
        let mut index = HashTable::with_capacity(live);
        for i in 0..live as u32 {
            let text = slice(&self.bytes, &self.ends, i);
            let hasher = &self.hasher;
            let (b, e) = (&self.bytes, &self.ends);
            index.insert_unique(hasher.hash_one(text), i, |&j| {
                hasher.hash_one(slice(b, e, j))
            });
        }
        self.index = index;
        remap
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.counts.shrink_to_fit();
        let Self {
            bytes,
            ends,
            hasher,
            index,
            ..
        } = self;
        index.shrink_to_fit(|&j| hasher.hash_one(slice(bytes, ends, j)));
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

impl super::store::Store {
    /// Whether storing `events` surely cannot pass an interning limit: so
    /// many new sets and profiles, and their strings, fit in any case.
    pub(crate) fn has_room_for(&self, events: &[crate::wire::canonical::EventView<'_>]) -> bool {
        let (mut ids, mut texts, mut proofs) = (0usize, 0usize, 0usize);
        for e in events {
            ids = ids.saturating_add(e.subject.len());
            if let Some(ev) = &e.evidence {
                for t in [ev.channel, ev.jurisdiction, ev.language, ev.verification]
                    .into_iter()
                    .flatten()
                {
                    texts = texts.saturating_add(t.len());
                }
                proofs = proofs.saturating_add(ev.proof.map_or(0, str::len));
            }
        }
        self.sets.has_room(events.len())
            && self.profiles.has_room(events.len())
            && self.names.has_room(ids)
            && self.texts.has_room(texts)
            && self.proofs.has_room(proofs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_values_are_freed_and_reused() {
        let mut t: Counted<u64> = Counted::new(4, "things");
        let a = t.acquire(7).expect("room");
        assert_eq!(t.acquire(7).expect("room"), a);
        let b = t.acquire(8).expect("room");
        let c = t.acquire(9).expect("room");
        // Index 0 and three live values: the table is full.
        assert!(t.acquire(10).is_err());
        assert_eq!(t.release(a), None);
        assert_eq!(t.release(a), Some(7));
        assert_eq!(t.find(&7), None);
        // The freed index is reused.
        assert_eq!(t.acquire(10).expect("room"), a);
        assert_eq!((t.get(b), t.get(c), t.get(a)), (8, 9, 10));
        assert_eq!(t.live(), 3);
        // The default value is pinned at 0 and never counted.
        assert_eq!(t.acquire(0).expect("room"), 0);
        assert_eq!(t.release(0), None);
    }

    #[test]
    fn pool_wipes_and_compacts() {
        let mut p: RcPool = RcPool::default();
        let a = p.acquire("rcpt-1").expect("ok");
        assert_eq!(p.acquire("rcpt-1").expect("ok"), a);
        let b = p.acquire("rcpt-2").expect("ok");
        p.release(a);
        assert_eq!(p.find("rcpt-1"), Some(a));
        p.release(a);
        assert_eq!(p.find("rcpt-1"), None);
        assert!(!p.bytes.contains("rcpt-1"));
        assert_eq!(p.garbage(), 6 + 8);
        let remap = p.compact();
        assert_eq!(remap, vec![u32::MAX, 0]);
        assert_eq!(p.garbage(), 0);
        assert_eq!(p.find("rcpt-2"), Some(0));
        assert_eq!(p.get(0), "rcpt-2");
        assert_eq!(p.bytes, "rcpt-2");
        let _ = b;
    }
}
