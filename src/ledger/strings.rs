//! Subject ids: one string arena and an open-addressing table of indices
//! into it, keyed by SipHash (see [`super::store`] for the layout as a
//! whole).

use std::hash::BuildHasher;

use crate::error::{Error, Result};

/// Subject ids in one arena, found by a keyed SipHash-1-3 hash of their
/// text (DoS-resistant: these strings come from users). Ids are never
/// removed: an erased subject keeps its id (see the README, "What erasure
/// keeps"), so indices are stable for the ledger's life.
#[derive(Clone, Default)]
pub(crate) struct StrPool {
    bytes: String,
    /// INVARIANT: `ends[i]` is the end of string `i` in `bytes`; string `i`
    /// starts at `ends[i - 1]` (0 for the first).
    ends: Vec<u32>,
    /// Linear probing, a power of two long (or empty), at most 3/4 full.
    /// Each entry holds what a lookup needs (hash tag, index, where the
    /// text is), so a lookup by name touches one entry and the text.
    // Measured at 1M subjects, where every random access misses the
    // caches: hashbrown's table costs a miss for the control bytes and one
    // for the entry; this one, one for both.
    table: Vec<Entry>,
    hasher: std::hash::RandomState,
}

/// Marks a vacant entry (no string has this index: see `intern`).
const VACANT: u32 = u32::MAX;
/// Bits of `Entry::tag_len` holding the length; the rest hold the tag.
const LEN_BITS: u32 = 9;
const LEN_MASK: u32 = (1 << LEN_BITS) - 1;

/// One string's place: 12 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// High bits: 23 bits of the hash, compared before the text. Low 9
    /// bits: the length, or `LEN_MASK` for a string that long or longer
    /// (its length is then read from `ends`; subject ids are shorter).
    tag_len: u32,
    index: u32,
    start: u32,
}

impl Entry {
    const EMPTY: Entry = Entry {
        tag_len: 0,
        index: VACANT,
        start: 0,
    };

    #[inline]
    fn tag(hash: u64) -> u32 {
        (hash >> (64 - (32 - LEN_BITS))) as u32
    }

    #[inline]
    fn is_vacant(self) -> bool {
        self.index == VACANT
    }

    #[inline]
    fn text(self, pool: &StrPool) -> &str {
        let start = self.start as usize;
        let len = match self.tag_len & LEN_MASK {
            LEN_MASK => pool.end(self.index).saturating_sub(start),
            len => len as usize,
        };
        pool.bytes.get(start..start + len).unwrap_or("")
    }

    /// Whether the entry holds `s`, whose hash is `hash`.
    #[inline]
    fn holds(self, pool: &StrPool, hash: u64, s: &str) -> bool {
        self.tag_len >> LEN_BITS == Entry::tag(hash) && self.text(pool) == s
    }
}

impl std::fmt::Debug for StrPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StrPool")
            .field("strings", &self.ends.len())
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl StrPool {
    #[inline]
    fn end(&self, i: u32) -> usize {
        self.ends.get(i as usize).copied().unwrap_or(0) as usize
    }

    #[inline]
    pub(crate) fn get(&self, i: u32) -> &str {
        let end = self.end(i);
        let start = match i.checked_sub(1) {
            Some(j) => self.end(j),
            None => 0,
        };
        self.bytes.get(start..end).unwrap_or("")
    }

    /// The hash a lookup of `s` starts from.
    #[inline]
    pub(crate) fn hash(&self, s: &str) -> u64 {
        self.hasher.hash_one(s)
    }

    /// The entry where a lookup of `hash` starts (vacant for an empty
    /// pool): the first memory access of a lookup, which a batch makes
    /// for many strings before comparing any.
    #[inline]
    pub(crate) fn first(&self, hash: u64) -> Entry {
        let mask = self.table.len().wrapping_sub(1);
        self.table
            .get(hash as usize & mask)
            .copied()
            .unwrap_or(Entry::EMPTY)
    }

    /// Finds a string with one hash of it.
    #[inline]
    pub(crate) fn find(&self, s: &str) -> Option<u32> {
        let hash = self.hash(s);
        self.find_from(hash, self.first(hash), s)
    }

    /// Finds `s` (hash `hash`) given the entry its lookup starts at.
    #[inline]
    pub(crate) fn find_from(&self, hash: u64, first: Entry, s: &str) -> Option<u32> {
        if first.is_vacant() {
            return None;
        }
        if first.holds(self, hash, s) {
            return Some(first.index);
        }
        self.probe(hash, s).ok()
    }

    /// Linear probing from `hash`'s slot: `Ok(index)` if `s` is there,
    /// `Err(slot)` with the vacant slot where it would go otherwise
    /// (`Err(usize::MAX)` for an empty table, which has none).
    fn probe(&self, hash: u64, s: &str) -> std::result::Result<u32, usize> {
        let mask = self.table.len().wrapping_sub(1);
        let mut pos = hash as usize & mask;
        // At most 3/4 full, so a vacant slot ends every probe; the bound
        // only makes termination evident.
        for _ in 0..self.table.len() {
            let Some(e) = self.table.get(pos).copied() else {
                break;
            };
            if e.is_vacant() {
                return Err(pos);
            }
            if e.holds(self, hash, s) {
                return Ok(e.index);
            }
            pos = (pos + 1) & mask;
        }
        Err(usize::MAX)
    }

    /// Finds or adds a string.
    pub(crate) fn intern(&mut self, s: &str) -> Result<u32> {
        let hash = self.hash(s);
        if let Ok(i) = self.probe(hash, s) {
            return Ok(i);
        }
        let too_many = || Error::LimitExceeded {
            what: "subject id storage in bytes",
            limit: u32::MAX as usize,
            found: self.bytes.len() + s.len(),
        };
        let (Ok(start), Ok(end), Ok(i)) = (
            u32::try_from(self.bytes.len()),
            u32::try_from(self.bytes.len() + s.len()),
            u32::try_from(self.ends.len()),
        ) else {
            return Err(too_many());
        };
        if i == VACANT {
            return Err(too_many());
        }
        self.grow_for(self.ends.len() + 1);
        self.bytes.push_str(s);
        self.ends.push(end);
        self.place(hash, i, start, end - start);
        Ok(i)
    }

    /// Puts string `i` (hash `hash`, at `start`, `len` bytes long) in the
    /// table, which has room (see `grow_for`).
    fn place(&mut self, hash: u64, i: u32, start: u32, len: u32) {
        let mask = self.table.len().wrapping_sub(1);
        let mut pos = hash as usize & mask;
        let entry = Entry {
            tag_len: Entry::tag(hash) << LEN_BITS | len.min(LEN_MASK),
            index: i,
            start,
        };
        for _ in 0..self.table.len() {
            match self.table.get_mut(pos) {
                Some(slot) if slot.is_vacant() => {
                    *slot = entry;
                    return;
                }
                Some(_) => pos = (pos + 1) & mask,
                None => return,
            }
        }
    }

    /// Makes the table big enough for `strings` strings at most 3/4 full,
    /// rebuilding it if it must grow.
    fn grow_for(&mut self, strings: usize) {
        if strings.saturating_mul(4) <= self.table.len().saturating_mul(3) {
            return;
        }
        self.rebuild(strings);
    }

    /// A new table for `strings` strings (at least those held), every
    /// string placed again.
    fn rebuild(&mut self, strings: usize) {
        let want = strings.max(self.ends.len()).saturating_mul(4) / 3 + 1;
        let len = want.checked_next_power_of_two().unwrap_or(want).max(16);
        self.table = vec![Entry::EMPTY; len];
        let mut start = 0u32;
        for i in 0..self.ends.len() {
            // `i` fits: `intern` gave it out as a u32.
            let i = i as u32;
            let end = self.end(i) as u32;
            let hash = self.hash(self.get(i));
            self.place(hash, i, start, end.saturating_sub(start));
            start = end;
        }
    }

    /// Whether `bytes` more bytes of new ids surely fit.
    pub(crate) fn has_room(&self, bytes: usize) -> bool {
        self.bytes.len().saturating_add(bytes) <= u32::MAX as usize
    }

    pub(crate) fn reserve(&mut self, strings: usize, bytes: usize) {
        self.bytes.reserve(bytes);
        self.ends.reserve(strings);
        self.grow_for(self.ends.len().saturating_add(strings));
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
        let smallest = (self.ends.len().saturating_mul(4) / 3 + 1)
            .checked_next_power_of_two()
            .unwrap_or(usize::MAX)
            .max(16);
        if self.table.len() > smallest {
            self.rebuild(self.ends.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_string_and_only_those() {
        let mut pool = StrPool::default();
        assert_eq!(pool.find("a"), None);
        assert_eq!(pool.first(pool.hash("a")).index, VACANT);
        let long = "x".repeat(700);
        let mut ids: Vec<String> = (0..5_000).map(|i| format!("user-{i}")).collect();
        ids.push(String::new());
        ids.push(long.clone());
        ids.push(format!("{long}y"));
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(pool.intern(id).expect("fits"), i as u32);
            // Interning again finds it.
            assert_eq!(pool.intern(id).expect("fits"), i as u32);
        }
        pool.shrink_to_fit();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(pool.find(id), Some(i as u32), "{id}");
            assert_eq!(pool.get(i as u32), id.as_str());
            let h = pool.hash(id);
            assert_eq!(pool.find_from(h, pool.first(h), id), Some(i as u32));
        }
        for missing in [
            "user-5000",
            "user-",
            "x",
            &"x".repeat(699),
            &"x".repeat(701),
        ] {
            assert_eq!(pool.find(missing), None, "{missing}");
        }
        assert!(pool.table.len().is_power_of_two());
        assert!(pool.ends.len() * 4 <= pool.table.len() * 3);
        // Shrinking keeps it at most 3/4 full and finds everything.
        let mut small = StrPool::default();
        small.reserve(100_000, 0);
        small.intern("only").expect("fits");
        small.shrink_to_fit();
        assert_eq!(small.table.len(), 16);
        assert_eq!(small.find("only"), Some(0));
    }
}
