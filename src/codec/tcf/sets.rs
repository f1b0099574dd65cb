//! The id sets of a TC string: small fixed-width flag sets (purposes,
//! special features, custom purposes), vendor sets (a bitset) and the
//! vendor ranges of publisher restrictions.

use std::fmt;

use super::ValueError;

/// Highest vendor id a TC string can hold (16-bit ids).
pub const MAX_VENDOR_ID: u16 = u16::MAX;
/// Most ranges one publisher restriction can hold (a 12-bit count).
pub const MAX_RESTRICTION_RANGES: usize = 4095;

/// A set of ids `1..=N` (`N` at most 64), one bit each: purposes
/// ([`PurposeSet`]), special features ([`SpecialFeatureSet`]), custom
/// purposes ([`CustomPurposeSet`]).
///
/// # Examples
///
/// ```
/// use consentry::codec::tcf::PurposeSet;
///
/// let mut p = PurposeSet::new();
/// p.insert(1)?;
/// p.insert(24)?;
/// assert!(p.contains(24) && !p.contains(2));
/// assert!(p.insert(25).is_err());
/// assert_eq!(p.iter().collect::<Vec<_>>(), [1, 24]);
/// # Ok::<(), consentry::codec::tcf::ValueError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IdFlags<const N: u8> {
    // INVARIANT: bit i set means id i + 1; no bit at or above N is set.
    bits: u64,
}

/// Purposes `1..=24` (core and publisher TC purpose consents and
/// legitimate interests).
pub type PurposeSet = IdFlags<24>;
/// Special features `1..=12`.
pub type SpecialFeatureSet = IdFlags<12>;
/// Publisher custom purposes `1..=63`.
pub type CustomPurposeSet = IdFlags<63>;

impl<const N: u8> IdFlags<N> {
    /// The highest id the set can hold.
    pub const MAX: u8 = N;

    /// An empty set.
    #[must_use]
    pub const fn new() -> Self {
        IdFlags { bits: 0 }
    }

    /// The set whose id `i + 1` is in it when bit `i` of `bits` is set.
    ///
    /// # Errors
    ///
    /// [`ValueError`] when a bit at or above `N` is set.
    pub fn from_bits(bits: u64) -> Result<Self, ValueError> {
        if N < 64 && bits >> N != 0 {
            return Err(ValueError::new(
                "flag set",
                bits,
                "no bit at or above the set's width",
            ));
        }
        Ok(IdFlags { bits })
    }

    /// The bits (`bit i` is id `i + 1`).
    #[must_use]
    pub const fn bits(&self) -> u64 {
        self.bits
    }

    /// Whether `id` is in the set (ids outside `1..=N` never are).
    #[must_use]
    pub const fn contains(&self, id: u8) -> bool {
        id >= 1 && id <= N && self.bits >> (id - 1) & 1 == 1
    }

    /// Adds `id`; returns whether it was new.
    ///
    /// # Errors
    ///
    /// [`ValueError`] for an id outside `1..=N`.
    pub fn insert(&mut self, id: u8) -> Result<bool, ValueError> {
        if id == 0 || id > N {
            return Err(ValueError::new("id", u64::from(id), Self::range_text()));
        }
        let had = self.contains(id);
        self.bits |= 1 << (id - 1);
        Ok(!had)
    }

    /// Removes `id`; returns whether it was there.
    pub fn remove(&mut self, id: u8) -> bool {
        let had = self.contains(id);
        if had {
            self.bits &= !(1 << (id - 1));
        }
        had
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// The highest id in the set, 0 when empty.
    #[must_use]
    pub const fn max_id(&self) -> u8 {
        // At most 64: fits a u8.
        (64 - self.bits.leading_zeros()) as u8
    }

    /// The ids, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (1..=N).filter(|&id| self.contains(id))
    }

    const fn range_text() -> &'static str {
        match N {
            12 => "1..=12",
            24 => "1..=24",
            63 => "1..=63",
            _ => "1..=N",
        }
    }
}

impl<const N: u8> fmt::Debug for IdFlags<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// A set of vendor ids `1..=65535`, as a bitset.
///
/// Built for fast decoding and lookups: `contains` is one shift and one
/// AND; memory is one bit per id up to the highest one (at most 8 KiB).
///
/// # Examples
///
/// ```
/// use consentry::codec::tcf::VendorSet;
///
/// let mut v = VendorSet::new();
/// v.insert(755)?;
/// v.insert_range(10, 12)?;
/// assert!(v.contains(11) && v.contains(755) && !v.contains(13));
/// assert_eq!(v.max_id(), 755);
/// assert_eq!(v.len(), 4);
/// assert!(v.insert(0).is_err());
/// # Ok::<(), consentry::codec::tcf::ValueError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct VendorSet {
    // INVARIANT: bit `id % 64` of word `id / 64` is set when `id` is in the
    // set; bit 0 of word 0 (id 0) is never set; the last word is non-zero
    // (no trailing zero words), so equal sets compare equal.
    words: Vec<u64>,
}

impl VendorSet {
    /// An empty set.
    #[must_use]
    pub const fn new() -> Self {
        VendorSet { words: Vec::new() }
    }

    /// The set of the given ids.
    ///
    /// # Errors
    ///
    /// [`ValueError`] for id 0.
    pub fn from_ids(ids: impl IntoIterator<Item = u16>) -> Result<Self, ValueError> {
        let mut set = VendorSet::new();
        for id in ids {
            set.insert(id)?;
        }
        Ok(set)
    }

    /// Whether `id` is in the set.
    #[must_use]
    pub fn contains(&self, id: u16) -> bool {
        let id = usize::from(id);
        self.words
            .get(id / 64)
            .is_some_and(|w| w >> (id % 64) & 1 == 1)
    }

    /// Adds `id`; returns whether it was new.
    ///
    /// # Errors
    ///
    /// [`ValueError`] for id 0 (vendor ids start at 1).
    pub fn insert(&mut self, id: u16) -> Result<bool, ValueError> {
        let had = self.contains(id);
        self.insert_range(id, id)?;
        Ok(!had)
    }

    /// Adds the ids `start..=end`.
    ///
    /// # Errors
    ///
    /// [`ValueError`] when `start` is 0 or `end` is below `start`.
    pub fn insert_range(&mut self, start: u16, end: u16) -> Result<(), ValueError> {
        check_range(start, end)?;
        self.set_range(usize::from(start), usize::from(end));
        Ok(())
    }

    /// Removes `id`; returns whether it was there.
    pub fn remove(&mut self, id: u16) -> bool {
        let id = usize::from(id);
        let Some(word) = self.words.get_mut(id / 64) else {
            return false;
        };
        let had = *word >> (id % 64) & 1 == 1;
        *word &= !(1u64 << (id % 64));
        self.trim();
        had
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The number of ids in the set.
    #[must_use]
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The highest id in the set, 0 when empty.
    #[must_use]
    pub fn max_id(&self) -> u16 {
        let Some(last) = self.words.last() else {
            return 0;
        };
        let bit = 63 - last.leading_zeros() as usize;
        // At most 65535 by the invariant (ids are u16).
        u16::try_from((self.words.len() - 1) * 64 + bit).unwrap_or(MAX_VENDOR_ID)
    }

    /// The ids, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros() as usize;
                w &= w - 1;
                u16::try_from(i * 64 + bit).ok()
            })
        })
    }

    /// The maximal runs of consecutive ids, ascending, as `(start, end)`
    /// (`start == end` for a lone id).
    pub fn runs(&self) -> impl Iterator<Item = (u16, u16)> + '_ {
        // Word-wise: the next set bit at or after `pos`, then the next
        // clear bit after it (encoding spends most of its time here).
        let mut pos = 0usize;
        std::iter::from_fn(move || {
            let start = self.next_bit(pos, false)?;
            let end = self.next_bit(start, true).unwrap_or(self.words.len() * 64) - 1;
            pos = end + 1;
            Some((u16::try_from(start).ok()?, u16::try_from(end).ok()?))
        })
    }

    /// The first bit at or after `from` that is set (`clear == false`) or
    /// clear (`clear == true`, `None` past the last word).
    fn next_bit(&self, from: usize, clear: bool) -> Option<usize> {
        let mut i = from / 64;
        let mut mask = u64::MAX << (from % 64);
        while let Some(&w) = self.words.get(i) {
            let w = if clear { !w } else { w } & mask;
            if w != 0 {
                return Some(i * 64 + w.trailing_zeros() as usize);
            }
            i += 1;
            mask = u64::MAX;
        }
        None
    }

    /// Sets bits `start..=end` (both in `1..=65535`, `start <= end`).
    #[inline]
    pub(crate) fn set_range(&mut self, start: usize, end: usize) {
        let (first, last) = (start / 64, end / 64);
        if self.words.len() <= last {
            self.words.resize(last + 1, 0);
        }
        let low = u64::MAX << (start % 64);
        let high = u64::MAX >> (63 - end % 64);
        if first == last {
            if let Some(w) = self.words.get_mut(first) {
                *w |= low & high;
            }
            return;
        }
        if let Some(w) = self.words.get_mut(first) {
            *w |= low;
        }
        if let Some(middle) = self.words.get_mut(first + 1..last) {
            middle.fill(u64::MAX);
        }
        if let Some(w) = self.words.get_mut(last) {
            *w |= high;
        }
    }

    /// ORs `bits` (bit `j` is id `first + j`, `j < count`, `count <= 64`)
    /// into the set; `first >= 1`, `first + count - 1 <= 65535`.
    #[inline]
    pub(crate) fn or_bits(&mut self, first: usize, bits: u64) {
        if bits == 0 {
            return;
        }
        let top = first + 63 - bits.leading_zeros() as usize;
        if self.words.len() <= top / 64 {
            self.words.resize(top / 64 + 1, 0);
        }
        let (w, shift) = (first / 64, first % 64);
        if let Some(word) = self.words.get_mut(w) {
            *word |= bits << shift;
        }
        if shift != 0
            && let Some(word) = self.words.get_mut(w + 1)
        {
            *word |= bits >> (64 - shift);
        }
    }

    /// `count` bits (at most 64) from id `first`: bit `j` is id `first + j`.
    pub(crate) fn bits_at(&self, first: usize, count: usize) -> u64 {
        let (w, shift) = (first / 64, first % 64);
        let lo = self.words.get(w).copied().unwrap_or(0) >> shift;
        let hi = if shift == 0 {
            0
        } else {
            self.words.get(w + 1).copied().unwrap_or(0) << (64 - shift)
        };
        let all = lo | hi;
        if count >= 64 {
            all
        } else {
            all & ((1u64 << count) - 1)
        }
    }

    /// An empty set with room for ids up to `max_id`.
    pub(crate) fn with_capacity(max_id: usize) -> Self {
        VendorSet {
            words: Vec::with_capacity(max_id / 64 + 1),
        }
    }

    /// Drops trailing zero words (restores the invariant).
    fn trim(&mut self) {
        while self.words.last() == Some(&0) {
            self.words.pop();
        }
    }
}

impl fmt::Debug for VendorSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Vendor ids as sorted, disjoint, non-adjacent ranges: the vendors of a
/// publisher restriction.
///
/// Publisher restrictions are range-encoded in the string, so they are kept
/// as ranges: memory grows with the number of ranges read, never with the
/// ids they span.
///
/// # Examples
///
/// ```
/// use consentry::codec::tcf::VendorRanges;
///
/// let mut r = VendorRanges::new();
/// r.insert_range(8, 9)?;
/// r.insert_range(1, 3)?;
/// r.insert_range(4, 4)?; // merged with 1..=3
/// assert_eq!(r.ranges(), [(1, 4), (8, 9)]);
/// assert!(r.contains(9) && !r.contains(5));
/// # Ok::<(), consentry::codec::tcf::ValueError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct VendorRanges {
    // INVARIANT: each start <= end, start >= 1; each start > previous end + 1.
    ranges: Vec<(u16, u16)>,
}

impl VendorRanges {
    /// No vendor.
    #[must_use]
    pub const fn new() -> Self {
        VendorRanges { ranges: Vec::new() }
    }

    /// The ranges, ascending, as `(start, end)` inclusive.
    #[must_use]
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.ranges
    }

    /// Whether `id` is in a range.
    #[must_use]
    pub fn contains(&self, id: u16) -> bool {
        let i = self.ranges.partition_point(|&(_, end)| end < id);
        self.ranges.get(i).is_some_and(|&(start, _)| start <= id)
    }

    /// Whether there is no vendor.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Adds `start..=end`, merging it with the ranges it touches.
    ///
    /// # Errors
    ///
    /// [`ValueError`] when `start` is 0, `end` is below `start`, or the
    /// result would hold more than [`MAX_RESTRICTION_RANGES`] ranges (the
    /// most a string can carry); the set is then unchanged.
    pub fn insert_range(&mut self, start: u16, end: u16) -> Result<(), ValueError> {
        check_range(start, end)?;
        // The ranges that overlap or touch start..=end: from the first whose
        // end + 1 >= start to the last whose start <= end + 1.
        let lo = self
            .ranges
            .partition_point(|&(_, e)| u32::from(e) + 1 < u32::from(start));
        let hi = self
            .ranges
            .partition_point(|&(s, _)| u32::from(s) <= u32::from(end) + 1);
        let mut merged = (start, end);
        if let Some(touched) = self.ranges.get(lo..hi) {
            for &(s, e) in touched {
                merged = (merged.0.min(s), merged.1.max(e));
            }
        }
        // lo <= hi <= len: the ranges below lo end before start - 1, so
        // they also start at or below end + 1.
        let new_len = (self.ranges.len() + 1).saturating_sub(hi.saturating_sub(lo));
        if new_len > MAX_RESTRICTION_RANGES {
            return Err(ValueError::new(
                "restriction range count",
                new_len as u64,
                "at most 4095",
            ));
        }
        if lo <= hi && hi <= self.ranges.len() {
            self.ranges.splice(lo..hi, [merged]);
        }
        Ok(())
    }

    /// Adds a decoded entry (`1 <= start <= end`, at most 4095 of them,
    /// so the count limit holds): appended when above every range held,
    /// merged otherwise.
    pub(crate) fn add_decoded(&mut self, start: u16, end: u16) {
        match self.ranges.last_mut() {
            None => self.ranges.push((start, end)),
            Some(last) if u32::from(last.1) + 1 == u32::from(start) => last.1 = end,
            Some(last) if last.1 < start => self.ranges.push((start, end)),
            Some(_) => {
                // At most as many ranges as entries read: within the limit.
                let _ = self.insert_range(start, end);
            }
        }
    }
}

impl fmt::Debug for VendorRanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.ranges.iter().map(|&(s, e)| s..=e))
            .finish()
    }
}

/// A vendor range as a setter takes it: ids from 1, `end` not below `start`.
fn check_range(start: u16, end: u16) -> Result<(), ValueError> {
    if start == 0 {
        return Err(ValueError::new("vendor id", 0, "1..=65535"));
    }
    if end < start {
        return Err(ValueError::new(
            "vendor range end",
            u64::from(end),
            "at least the range start",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        let mut s = SpecialFeatureSet::new();
        assert!(s.insert(12).unwrap());
        assert!(!s.insert(12).unwrap());
        assert!(s.insert(13).is_err());
        assert!(s.insert(0).is_err());
        assert_eq!(s.max_id(), 12);
        assert!(s.remove(12));
        assert!(s.is_empty());
        assert!(SpecialFeatureSet::from_bits(1 << 12).is_err());
        assert_eq!(CustomPurposeSet::from_bits(1 << 62).unwrap().max_id(), 63);
        assert_eq!(
            format!("{:?}", PurposeSet::from_bits(0b101).unwrap()),
            "{1, 3}"
        );
    }

    #[test]
    fn vendor_ranges_and_runs() {
        let mut v = VendorSet::new();
        v.insert_range(60, 130).unwrap();
        v.insert(1).unwrap();
        v.insert(65535).unwrap();
        assert_eq!(v.len(), 73);
        assert!(v.contains(60) && v.contains(64) && v.contains(127) && v.contains(130));
        assert!(!v.contains(59) && !v.contains(131) && !v.contains(0));
        assert_eq!(
            v.runs().collect::<Vec<_>>(),
            [(1, 1), (60, 130), (65535, 65535)]
        );
        assert_eq!(v.max_id(), 65535);
        assert!(v.remove(65535));
        assert_eq!(v.max_id(), 130);
        assert_eq!(v.words.len(), 3, "trailing zero words are dropped");
        let same = VendorSet::from_ids([1].into_iter().chain(60..=130)).unwrap();
        assert_eq!(v, same);
    }

    #[test]
    fn or_bits_spans_words() {
        let mut v = VendorSet::new();
        v.or_bits(60, 0b1_0001);
        assert_eq!(v.iter().collect::<Vec<_>>(), [60, 64]);
        v.or_bits(1, 1 << 63);
        assert!(v.contains(64));
        v.or_bits(128, 0);
        assert_eq!(v.max_id(), 64);
    }

    #[test]
    fn ranges_merge() {
        let mut r = VendorRanges::new();
        r.insert_range(10, 20).unwrap();
        r.insert_range(30, 40).unwrap();
        r.insert_range(21, 29).unwrap();
        assert_eq!(r.ranges(), [(10, 40)]);
        r.insert_range(1, 5).unwrap();
        r.insert_range(65535, 65535).unwrap();
        r.insert_range(3, 12).unwrap();
        assert_eq!(r.ranges(), [(1, 40), (65535, 65535)]);
        assert!(r.contains(65535) && r.contains(1) && !r.contains(41) && !r.contains(0));
        assert!(r.insert_range(0, 1).is_err());
        assert!(r.insert_range(5, 4).is_err());
        let mut p = VendorRanges::new();
        p.add_decoded(1, 2);
        p.add_decoded(3, 3);
        p.add_decoded(5, 6);
        p.add_decoded(2, 2);
        assert_eq!(p.ranges(), [(1, 3), (5, 6)]);
        p.add_decoded(4, 4);
        assert_eq!(p.ranges(), [(1, 6)]);
    }
}
