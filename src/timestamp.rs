//! Instants as integers: nanoseconds since the Unix epoch, UTC.
//!
//! The public API takes and returns [`OffsetDateTime`]; inside, every instant is
//! an `i64` of nanoseconds so that a validity test is two integer compares.
//! The range this covers (1677-09-21 to 2262-04-11) is cut to whole years,
//! 1678-01-01 to 2261-12-31, so the limit is easy to state.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339 as WellKnownRfc3339;

use crate::error::{Error, Result};

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
    let n = t.unix_timestamp_nanos();
    if n < i128::from(MIN) || n >= i128::from(MAX_EXCLUSIVE) {
        return Err(Error::TimeOutOfRange(format_any(t)));
    }
    // INVARIANT: the range check above keeps `n` within i64.
    Ok(n as i64)
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
        let mut len = 0;
        let mut put = |b: u8| {
            if let Some(slot) = buf.get_mut(len) {
                *slot = b;
                len += 1;
            }
        };
        let digits = |value: i64, width: u32, put: &mut dyn FnMut(u8)| {
            for i in (0..width).rev() {
                let d = (value / 10i64.pow(i)).rem_euclid(10);
                put(b'0' + d as u8);
            }
        };
        digits(year, 4, &mut put);
        put(b'-');
        digits(month, 2, &mut put);
        put(b'-');
        digits(day, 2, &mut put);
        put(b'T');
        digits(sod / 3600, 2, &mut put);
        put(b':');
        digits(sod / 60 % 60, 2, &mut put);
        put(b':');
        digits(sod % 60, 2, &mut put);
        if frac != 0 {
            put(b'.');
            let mut width = 9;
            while frac % 10 == 0 {
                frac /= 10;
                width -= 1;
            }
            digits(frac, width, &mut put);
        }
        put(b'Z');
        // INVARIANT: only ASCII digits and punctuation were written.
        std::str::from_utf8(buf.get(..len).unwrap_or_default()).unwrap_or_default()
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

fn format_any(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&WellKnownRfc3339)
        .unwrap_or_else(|_| format!("{} (unix seconds)", t.unix_timestamp()))
}

/// Parses RFC 3339 text (any offset) into a stored instant.
pub(crate) fn parse(text: &str) -> Result<Nanos> {
    let t = OffsetDateTime::parse(text, &WellKnownRfc3339).map_err(|e| Error::InvalidTime {
        text: text.to_owned(),
        problem: e.to_string(),
    })?;
    to_nanos(t)
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
            if x % 3 == 0 {
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

    #[test]
    fn range_ends() {
        assert_eq!(format(MIN), "1678-01-01T00:00:00Z");
        assert_eq!(format(MAX_EXCLUSIVE - 1), "2261-12-31T23:59:59.999999999Z");
        assert!(to_nanos(from_nanos(MAX_EXCLUSIVE - 1)).is_ok());
        assert!(parse("2262-01-01T00:00:00Z").is_err());
        assert!(parse("1677-12-31T23:59:59.999999999Z").is_err());
    }
}
