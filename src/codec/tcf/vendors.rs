//! The vendor sections of a TC string (bit field or range form) and the
//! publisher restrictions.

use crate::codec::DecodeError;
use crate::codec::DecodeProblem;
use crate::codec::bits::{BitReader, BitWriter};

use super::sets::{VendorRanges, VendorSet};
use super::{PublisherRestriction, RestrictionType};

/// Width of a vendor id, a max vendor id.
const VENDOR_ID_BITS: u32 = 16;
/// Width of a range section's entry count.
const NUM_ENTRIES_BITS: u32 = 12;
/// Bits of one lone-id range entry (`IsARange` + id).
const SINGLE_ENTRY_BITS: usize = 17;
/// Bits of one start-end range entry.
const RANGE_ENTRY_BITS: usize = 33;
/// Bits of the smallest publisher restriction (purpose, type, count).
const MIN_RESTRICTION_BITS: usize = 20;

/// The field names of one vendor section, for errors.
#[derive(Debug)]
pub(super) struct Names {
    pub max_id: &'static str,
    pub encoding: &'static str,
    pub bit_field: &'static str,
    pub num_entries: &'static str,
    pub is_range: &'static str,
    pub start: &'static str,
    pub end: &'static str,
}

macro_rules! names {
    ($name:ident, $p:literal) => {
        pub(super) const $name: Names = Names {
            max_id: concat!($p, " max vendor id"),
            encoding: concat!($p, " encoding type"),
            bit_field: concat!($p, " bit field"),
            num_entries: concat!($p, " range entry count"),
            is_range: concat!($p, " range entry type"),
            start: concat!($p, " range start vendor id"),
            end: concat!($p, " range end vendor id"),
        };
    };
}

names!(VENDOR_CONSENTS, "vendor consents");
names!(VENDOR_LI, "vendor legitimate interests");
names!(DISCLOSED, "disclosed vendors");
names!(ALLOWED, "allowed vendors");
names!(RESTRICTION, "publisher restriction");

/// Reads a vendor section: `MaxVendorId`, `IsRangeEncoding`, then a bit
/// field of `MaxVendorId` bits or range entries with ids up to it.
pub(super) fn read_section(r: &mut BitReader<'_>, n: &Names) -> Result<VendorSet, DecodeError> {
    let max_id = r.read_u64(VENDOR_ID_BITS, n.max_id)?;
    let is_range = r.read_bool(n.encoding)?;
    // max_id < 2^16.
    let max = max_id as usize;
    if is_range {
        // Room up to max_id (at most 8 KiB), so that ranges do not regrow it.
        let mut set = VendorSet::with_capacity(max);
        read_entries(
            r,
            n,
            max_id,
            "1..=max vendor id",
            Order::Ascending,
            |s, e| {
                set.set_range(usize::from(s), usize::from(e));
            },
        )?;
        return Ok(set);
    }
    // Checked before allocating: the bit field must be in the input.
    if max > r.remaining() {
        return Err(r.error(
            n.bit_field,
            DecodeProblem::EndOfInput {
                needed: max,
                left: r.remaining(),
            },
        ));
    }
    let mut set = VendorSet::with_capacity(max);
    let mut first = 1;
    while first <= max {
        let count = (max + 1 - first).min(56);
        // count <= 56.
        let field = r.read_u64(count as u32, n.bit_field)?;
        // The field's first bit (its top one) is id `first`: reversed, bit
        // j is id first + j.
        set.or_bits(first, field.reverse_bits() >> (64 - count));
        first += count;
    }
    Ok(set)
}

/// Whether a section's range entries must ascend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// Each entry starts above the previous entry's end (vendor sections).
    Ascending,
    /// Any order, overlaps allowed (publisher restrictions: iabtcf-es
    /// decodes such strings as valid, its issue 201).
    Any,
}

/// Reads a range section's entry count and entries, each id in
/// `1..=max_id`, each end at or above its start; hands each to `sink`.
fn read_entries(
    r: &mut BitReader<'_>,
    n: &Names,
    max_id: u64,
    expected: &'static str,
    order: Order,
    mut sink: impl FnMut(u16, u16),
) -> Result<(), DecodeError> {
    let count = r.read_u64(NUM_ENTRIES_BITS, n.num_entries)?;
    let mut previous_end = 0u64;
    for _ in 0..count {
        let entry = r.position();
        let at = entry + 1;
        // One read for a whole entry while one can be there (the longest
        // is 33 bits; a peek holds 57): 1 + 16 (+ 16) bits. Near the end,
        // field by field, so that a cut entry names its field.
        let (is_range, start, peeked_end) = if r.remaining() >= RANGE_ENTRY_BITS {
            let w = r.peek();
            let is_range = w >> 63 == 1;
            let bits = if is_range {
                RANGE_ENTRY_BITS
            } else {
                SINGLE_ENTRY_BITS
            };
            r.skip(bits, n.is_range)?;
            (is_range, (w >> 47) & 0xFFFF, Some((w >> 31) & 0xFFFF))
        } else {
            let is_range = r.read_bool(n.is_range)?;
            (is_range, r.read_u64(VENDOR_ID_BITS, n.start)?, None)
        };
        if start == 0 || start > max_id {
            let problem = DecodeProblem::OutOfRange {
                value: start,
                expected,
            };
            return Err(r.error_at(n.start, at, problem));
        }
        if order == Order::Ascending && start <= previous_end {
            let problem = DecodeProblem::NotAscending {
                previous: previous_end,
                found: start,
            };
            return Err(r.error_at(n.start, at, problem));
        }
        let end = if is_range {
            let at = entry + SINGLE_ENTRY_BITS;
            let end = match peeked_end {
                Some(end) => end,
                None => r.read_u64(VENDOR_ID_BITS, n.end)?,
            };
            if end < start {
                return Err(r.error_at(n.end, at, DecodeProblem::EndBeforeStart { start, end }));
            }
            if end > max_id {
                let problem = DecodeProblem::OutOfRange {
                    value: end,
                    expected,
                };
                return Err(r.error_at(n.end, at, problem));
            }
            end
        } else {
            start
        };
        // 1 <= start <= end <= max_id < 2^16.
        sink(start as u16, end as u16);
        previous_end = end;
    }
    Ok(())
}

/// The number of entries of the range form of `set` when it takes fewer
/// than `limit` bits after the encoding bit; `None` otherwise (stops
/// counting there, so a dense set costs little).
fn shorter_range_form(set: &VendorSet, limit: usize) -> Option<usize> {
    let mut bits = NUM_ENTRIES_BITS as usize;
    let mut count = 0;
    for (s, e) in set.runs() {
        bits += if s == e {
            SINGLE_ENTRY_BITS
        } else {
            RANGE_ENTRY_BITS
        };
        if bits >= limit {
            return None;
        }
        count += 1;
    }
    (bits < limit).then_some(count)
}

/// Writes a vendor section in its shorter form: `MaxVendorId` is the
/// highest id in the set; the range form when it is strictly shorter than
/// the bit field, the bit field otherwise (ties go to the bit field).
pub(super) fn write_section(w: &mut BitWriter, set: &VendorSet) {
    let max = set.max_id();
    w.write_u64(u64::from(max), VENDOR_ID_BITS);
    let max = usize::from(max);
    // Shorter than the bit field means fewer than 3,855 entries: the
    // 12-bit count holds it.
    if let Some(count) = shorter_range_form(set, max) {
        w.write_bool(true);
        write_entries(w, count, set.runs());
        return;
    }
    w.write_bool(false);
    let mut first = 1;
    while first <= max {
        let count = (max + 1 - first).min(64);
        let bits = set.bits_at(first, count);
        // count in 1..=64.
        w.write_u64(bits.reverse_bits() >> (64 - count), count as u32);
        first += count;
    }
}

/// Writes a range section's count (below 4096, checked by the callers)
/// and entries.
fn write_entries(w: &mut BitWriter, count: usize, runs: impl Iterator<Item = (u16, u16)>) {
    w.write_u64(count as u64, NUM_ENTRIES_BITS);
    for (s, e) in runs {
        w.write_bool(s != e);
        w.write_u64(u64::from(s), VENDOR_ID_BITS);
        if s != e {
            w.write_u64(u64::from(e), VENDOR_ID_BITS);
        }
    }
}

/// Reads `NumPubRestrictions` and the restrictions.
pub(super) fn read_restrictions(
    r: &mut BitReader<'_>,
) -> Result<Vec<PublisherRestriction>, DecodeError> {
    let count = r.read_u64(12, "publisher restriction count")?;
    // Capacity capped by what the input can hold.
    let cap = usize::try_from(count)
        .unwrap_or(0)
        .min(r.remaining() / MIN_RESTRICTION_BITS);
    let mut out = Vec::with_capacity(cap);
    for _ in 0..count {
        let at = r.position();
        let purpose = r.read_u64(6, "publisher restriction purpose id")?;
        if purpose == 0 {
            let problem = DecodeProblem::OutOfRange {
                value: 0,
                expected: "1..=63",
            };
            return Err(r.error_at("publisher restriction purpose id", at, problem));
        }
        let at = r.position();
        let kind = match r.read_u64(2, "publisher restriction type")? {
            0 => RestrictionType::NotAllowed,
            1 => RestrictionType::RequireConsent,
            2 => RestrictionType::RequireLegitimateInterest,
            value => {
                let problem = DecodeProblem::OutOfRange {
                    value,
                    expected: "0..=2",
                };
                return Err(r.error_at("publisher restriction type", at, problem));
            }
        };
        let mut vendors = VendorRanges::new();
        let max = u64::from(u16::MAX);
        read_entries(r, &RESTRICTION, max, "1..=65535", Order::Any, |s, e| {
            vendors.add_decoded(s, e);
        })?;
        // purpose in 1..=63 (6 bits).
        out.push(PublisherRestriction::from_parts(
            purpose as u8,
            kind,
            vendors,
        ));
    }
    Ok(out)
}

/// Writes `NumPubRestrictions` and the restrictions.
pub(super) fn write_restrictions(w: &mut BitWriter, restrictions: &[PublisherRestriction]) {
    w.write_u64(restrictions.len() as u64, 12);
    for p in restrictions {
        w.write_u64(u64::from(p.purpose()), 6);
        w.write_u64(p.kind() as u64, 2);
        let ranges = p.vendors().ranges();
        // At most MAX_RESTRICTION_RANGES (VendorRanges checks).
        write_entries(w, ranges.len(), ranges.iter().copied());
    }
}
