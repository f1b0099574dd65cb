//! Instants as integers: nanoseconds since the Unix epoch, UTC.
//!
//! The public API takes and returns [`OffsetDateTime`]; inside, every instant is
//! an `i64` of nanoseconds so that a validity test is two integer compares.
//! The range this covers (1677-09-21 to 2262-04-11) is cut to whole years,
//! 1678-01-01 to 2261-12-31, so the limit is easy to state.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339 as WellKnownRfc3339;

use crate::error::{Error, Result, prose, shown};

/// An instant in nanoseconds since 1970-01-01T00:00:00Z.
pub(crate) type Nanos = i64;

/// "No expiry": after every storable instant.
pub(crate) const NEVER: Nanos = i64::MAX;

/// 1678-01-01T00:00:00Z.
const MIN: Nanos = -9_214_560_000_000_000_000;
/// 2262-01-01T00:00:00Z, exclusive.
const MAX_EXCLUSIVE: Nanos = 9_214_646_400_000_000_000;

/// Converts an instant given by a caller for storage, refusing instants
/// outside the supported range.
pub(crate) fn to_nanos(t: OffsetDateTime) -> Result<Nanos> {
    in_range(t).ok_or_else(|| Error::TimeOutOfRange(shown(&format_any(t))))
}

/// The instant in nanoseconds if it is in the supported range. Total for
/// every `OffsetDateTime`, whatever its offset: `unix_timestamp_nanos` is
/// plain arithmetic on the local date, time and offset, and never converts
/// to UTC (which panics when the UTC date is past the `time` crate's range).
fn in_range(t: OffsetDateTime) -> Option<Nanos> {
    let n = t.unix_timestamp_nanos();
    if n < i128::from(MIN) || n >= i128::from(MAX_EXCLUSIVE) {
        return None;
    }
    // INVARIANT: the range check above keeps `n` within i64.
    Some(n as i64)
}

/// The last storable instant: 2261-12-31T23:59:59.999999999Z.
pub(crate) const LAST: Nanos = MAX_EXCLUSIVE - 1;

/// `at + duration`, brought back to [`LAST`] if it would fall past the range:
/// an expiry computed near the end of the range is cut short there (never
/// extended), so it can always be stored, written and read back.
pub(crate) fn add_within_range(at: Nanos, duration: Nanos) -> Nanos {
    at.saturating_add(duration).min(LAST)
}

/// Converts the instant of a check. It never fails: instants outside the
/// range saturate, which keeps every comparison with a stored instant (all
/// strictly inside the range) the same.
#[inline]
pub(crate) fn check_nanos(t: OffsetDateTime) -> Nanos {
    let n = t.unix_timestamp_nanos();
    n.clamp(i128::from(MIN) - 1, i128::from(MAX_EXCLUSIVE)) as i64
}

/// Back to an `OffsetDateTime` in UTC. Total for every stored instant; an
/// out-of-range value (which storage never holds) maps to the Unix epoch.
pub(crate) fn from_nanos(n: Nanos) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(n)).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// RFC 3339 text in UTC with as many fractional digits as needed.
pub(crate) fn format(n: Nanos) -> String {
    Rfc3339(n).to_string()
}

/// Formats an instant as RFC 3339 in UTC (`2026-03-01T10:00:00.5Z`: seconds
/// always, a fraction only when non-zero, without trailing zeros) without
/// allocating: the serialized form of every time in events and snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rfc3339(pub(crate) Nanos);

impl Rfc3339 {
    /// Writes the text into `buf` and returns it.
    pub(crate) fn write(self, buf: &mut [u8; 40]) -> &str {
        let secs = self.0.div_euclid(1_000_000_000);
        let mut frac = self.0.rem_euclid(1_000_000_000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        // Fixed positions: YYYY-MM-DDTHH:MM:SS, then an optional fraction.
        fn digits(buf: &mut [u8], at: usize, value: i64, width: usize) {
            let mut v = value.unsigned_abs();
            for i in (at..at + width).rev() {
                if let Some(slot) = buf.get_mut(i) {
                    *slot = b'0' + (v % 10) as u8;
                }
                v /= 10;
            }
        }
        *buf = *b"0000-00-00T00:00:00.000000000Z\0\0\0\0\0\0\0\0\0\0";
        digits(buf, 0, year, 4);
        digits(buf, 5, month, 2);
        digits(buf, 8, day, 2);
        digits(buf, 11, sod / 3600, 2);
        digits(buf, 14, sod / 60 % 60, 2);
        digits(buf, 17, sod % 60, 2);
        let mut len = 19;
        if frac != 0 {
            let mut width = 9;
            while frac % 10 == 0 {
                frac /= 10;
                width -= 1;
            }
            digits(buf, 20, frac, width);
            len = 20 + width;
        }
        if let Some(slot) = buf.get_mut(len) {
            *slot = b'Z';
        }
        // INVARIANT: only ASCII digits and punctuation were written.
        std::str::from_utf8(buf.get(..=len).unwrap_or_default()).unwrap_or_default()
    }
}

impl std::fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.write(&mut [0; 40]))
    }
}

impl serde::Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.write(&mut [0; 40]))
    }
}

/// Any instant as RFC 3339 text, for an error message: in UTC when the
/// `time` crate can represent its UTC form, else as given, in its own
/// offset (`9999-12-31T23:59:59-00:01` is past the end of `time`'s range
/// in UTC). Never panics: a checked conversion, and a hand-written fallback
/// for what RFC 3339 cannot express (years outside 0 to 9999, offsets with
/// seconds).
fn format_any(t: OffsetDateTime) -> String {
    if let Some(text) = OffsetDateTime::from_unix_timestamp_nanos(t.unix_timestamp_nanos())
        .ok()
        .and_then(|u| u.format(&WellKnownRfc3339).ok())
    {
        return text;
    }
    let year = t.year();
    let year = if (0..=9999).contains(&year) {
        format!("{year:04}")
    } else {
        format!("{year:+05}")
    };
    let mut frac = format!(".{:09}", t.nanosecond());
    while frac.ends_with('0') {
        frac.pop();
    }
    if frac == "." {
        frac.clear();
    }
    let offset = t.offset();
    let (h, m, s) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    let seconds = if s == 0 {
        String::new()
    } else {
        format!(":{:02}", s.unsigned_abs())
    };
    format!(
        "{year}-{:02}-{:02}T{:02}:{:02}:{:02}{frac}{sign}{:02}:{:02}{seconds}",
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        h.unsigned_abs(),
        m.unsigned_abs(),
    )
}

/// Parses RFC 3339 text (any offset) into a stored instant.
pub(crate) fn parse(text: &str) -> Result<Nanos> {
    if let Some(n) = parse_canonical(text) {
        return Ok(n);
    }
    parse_general(text)
}

/// The fast path for what this crate writes: `YYYY-MM-DDTHH:MM:SS[.f]Z`
/// with 1 to 9 fraction digits, in range. Anything else (other offsets,
/// lowercase `t`/`z`, leap seconds, errors) goes to the general parser.
// Measured: the general parser was a third of the cost of reading an event.
fn parse_canonical(text: &str) -> Option<Nanos> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &c in b.get(range)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    };
    if b.len() < 20
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || b.get(10) != Some(&b'T')
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
        || b.last() != Some(&b'Z')
    {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let frac = match b.len() {
        20 => 0,
        n if (22..=30).contains(&n) && b.get(19) == Some(&b'.') => {
            let f = digits(20..n - 1)?;
            f * 10i64.pow(30 - n as u32)
        }
        _ => return None,
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day < 1 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days since 1970-01-01 from the civil date (H. Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let n = ((days * 86_400 + hour * 3600 + minute * 60 + second) as i128) * 1_000_000_000
        + i128::from(frac);
    if n < i128::from(MIN) || n >= i128::from(MAX_EXCLUSIVE) {
        return None; // the general parser reports it
    }
    Some(n as i64)
}

/// Reads any RFC 3339 text. An error names the text as given (escaped and
/// cut, see [`shown`]), whatever its offset.
fn parse_general(text: &str) -> Result<Nanos> {
    let t = OffsetDateTime::parse(text, &WellKnownRfc3339).map_err(|e| Error::InvalidTime {
        text: shown(text),
        problem: prose(&e.to_string()),
    })?;
    in_range(t).ok_or_else(|| Error::TimeOutOfRange(shown(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our formatter writes what the `time` crate writes, for every kind of
    /// instant in range (ids hash this text, so it must never drift).
    #[test]
    fn rfc3339_matches_the_time_crate() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut samples = vec![MIN, MAX_EXCLUSIVE - 1, 0, -1, 1, 951_782_400_000_000_000];
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let span = (MAX_EXCLUSIVE as i128 - MIN as i128) as u128;
            let mut n = (i128::from(MIN) + (u128::from(x) * 0x1_0000_0001 % span) as i128) as i64;
            if x.is_multiple_of(3) {
                n -= n.rem_euclid(1_000_000_000); // whole seconds
            } else if x % 3 == 1 {
                n -= n.rem_euclid(1_000_000); // milliseconds
            }
            samples.push(n);
        }
        for n in samples {
            assert_eq!(Rfc3339(n).to_string(), format_any(from_nanos(n)), "{n}");
            assert_eq!(parse(&Rfc3339(n).to_string()), Ok(n));
        }
    }

    /// The fast path reads what the general parser reads, and refuses what
    /// it refuses (leaving the error message to it).
    #[test]
    fn canonical_parser_agrees_with_the_time_crate() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let span = (MAX_EXCLUSIVE as i128 - MIN as i128) as u128;
            let n = (i128::from(MIN) + (u128::from(x) % span) as i128) as i64;
            let text = Rfc3339(n).to_string();
            assert_eq!(parse_canonical(&text), Some(n), "{text}");
            assert_eq!(parse_general(&text), Ok(n), "{text}");
        }
        for text in [
            "2026-02-29T00:00:00Z",
            "2024-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:60:00Z",
            "2026-12-31T23:59:60Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00.1234567890Z",
            "2026-01-01T00:00:00+02:00",
            "2026-01-01t00:00:00z",
            "2026-01-01T00:00:00.000000001Z",
            "1677-12-31T23:59:59Z",
            "2262-01-01T00:00:00Z",
            "+2026-01-01T00:00:00Z",
            "2026-1-01T00:00:00Z",
        ] {
            let general = parse_general(text).ok();
            if let Some(fast) = parse_canonical(text) {
                assert_eq!(Some(fast), general, "{text}");
            }
            assert_eq!(parse(text).ok(), general, "{text}");
        }
    }

    #[test]
    fn range_ends() {
        assert_eq!(format(MIN), "1678-01-01T00:00:00Z");
        assert_eq!(format(MAX_EXCLUSIVE - 1), "2261-12-31T23:59:59.999999999Z");
        assert!(to_nanos(from_nanos(MAX_EXCLUSIVE - 1)).is_ok());
        assert!(parse("2262-01-01T00:00:00Z").is_err());
        assert!(parse("1677-12-31T23:59:59.999999999Z").is_err());
    }
}
