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
pub(crate) const MIN: Nanos = -9_214_560_000_000_000_000;
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

/// `at` plus `months` calendar months, in UTC, at the same time of day; a
/// day past the end of the target month becomes its last day (31 August +
/// 6 months = 28 or 29 February). Cut at [`LAST`] (never extended).
pub(crate) fn add_months(at: Nanos, months: u32) -> Nanos {
    let t = from_nanos(at);
    let index = i64::from(t.year()) * 12 + i64::from(u8::from(t.month())) - 1 + i64::from(months);
    let Ok(year) = i32::try_from(index.div_euclid(12)) else {
        return LAST;
    };
    let Some(month) = u8::try_from(index.rem_euclid(12) + 1)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
    else {
        return LAST;
    };
    let day = t.day().min(time::util::days_in_month(month, year));
    time::Date::from_calendar_date(year, month, day)
        .ok()
        .and_then(|d| in_range(d.with_time(t.time()).assume_utc()))
        .unwrap_or(LAST)
}

/// An instant brought into the supported range (the nearest end if
/// outside), for writing a time that must read back: a report or export
/// for an instant past 2261 says 2261-12-31T23:59:59.999999999Z.
pub(crate) fn storable(t: OffsetDateTime) -> Nanos {
    check_nanos(t).clamp(MIN, LAST)
}

/// Converts the instant of a check. It never fails: instants outside the
/// range saturate, which keeps every comparison with a stored instant (all
/// strictly inside the range) the same.
#[inline]
pub(crate) fn check_nanos(t: OffsetDateTime) -> Nanos {
    let n = t.unix_timestamp_nanos();
    n.clamp(i128::from(MIN) - 1, i128::from(MAX_EXCLUSIVE)) as i64
}

/// [`check_nanos`] for an instant already in nanoseconds.
#[inline]
pub(crate) const fn saturate(n: Nanos) -> Nanos {
    if n < MIN - 1 {
        MIN - 1
    } else if n > MAX_EXCLUSIVE {
        MAX_EXCLUSIVE
    } else {
        n
    }
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

/// An instant written as RFC 3339 in UTC (`2026-03-01T10:00:00.5Z`: seconds
/// always, a fraction only when non-zero, without trailing zeros), by the
/// `time` crate: the serialized form of every time in events and snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rfc3339(pub(crate) Nanos);

impl Rfc3339 {
    /// Writes the text into `buf` (at most 30 bytes for a stored instant)
    /// and returns it: no allocation.
    pub(crate) fn write(self, buf: &mut [u8; 40]) -> &str {
        let mut out = std::io::Cursor::new(&mut buf[..]);
        let written = match from_nanos(self.0).format_into(&mut out, &WellKnownRfc3339) {
            Ok(_) => out.position() as usize,
            Err(_) => 0,
        };
        // INVARIANT: `time` writes ASCII; a failed write leaves "".
        std::str::from_utf8(buf.get(..written).unwrap_or_default()).unwrap_or_default()
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

/// For `#[serde(with = "crate::wire::timestamp::rfc3339")]` on a public
/// type's `OffsetDateTime` field: RFC 3339 text in UTC as events write it
/// (clamped to the stored range), read back with [`parse`] (any offset, within
/// the stored range). The `time` crate's own serde support is not used: a
/// library must not turn on its human-readable feature.
pub(crate) mod rfc3339 {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use time::OffsetDateTime;

    pub(crate) fn serialize<S: Serializer>(
        t: &OffsetDateTime,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        super::Rfc3339(super::storable(*t)).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<OffsetDateTime, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse(&text)
            .map(super::from_nanos)
            .map_err(serde::de::Error::custom)
    }
}

/// [`rfc3339`] for an `Option<OffsetDateTime>` field (`null` for `None`;
/// pair it with `default` and `skip_serializing_if = "Option::is_none"`).
pub(crate) mod rfc3339_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    #[allow(clippy::ref_option)] // the signature serde's `with` calls
    pub(crate) fn serialize<S: Serializer>(
        t: &Option<OffsetDateTime>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_some(&super::Rfc3339(super::storable(*t))),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Option<OffsetDateTime>, D::Error> {
        let text = <Option<std::borrow::Cow<'de, str>>>::deserialize(d)?;
        text.map(|text| {
            super::parse(&text)
                .map(super::from_nanos)
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}

/// Any instant as RFC 3339 text, for an error message: in UTC when the
/// `time` crate can represent its UTC form, else as given, in its own
/// offset (`9999-12-31T23:59:59-00:01` is past the end of `time`'s range
/// in UTC). Never panics: a checked conversion, and a hand-written fallback
/// for what RFC 3339 cannot express (years outside 0 to 9999, offsets with
/// seconds).
pub(crate) fn format_any(t: OffsetDateTime) -> String {
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

/// Parses RFC 3339 text (any offset) into a stored instant, with the `time`
/// crate. An error names the text as given (escaped and cut, see
/// [`shown`]), whatever its offset.
// A hand-written fast path for the UTC form this crate writes was removed:
// in one run of `cargo bench --bench perf -- restore_10k`, snapshot load and
// event replay were no slower without it (within the run's noise, well
// under the 20% that would justify keeping hand-written code).
pub(crate) fn parse(text: &str) -> Result<Nanos> {
    let invalid = |problem: String| Error::InvalidTime {
        text: shown(text),
        problem,
    };
    // What the `time` crate lets through and RFC 3339 does not: any byte
    // between date and time (it skips one), and fractions finer than the
    // nanoseconds stored (it cuts them, so two texts would give one id).
    let b = text.as_bytes();
    if let Some(&sep) = b.get(10)
        && !matches!(sep, b'T' | b't' | b' ')
    {
        return Err(invalid(
            "the date and the time must be separated by `T` (RFC 3339)".into(),
        ));
    }
    if b.get(19) == Some(&b'.') {
        let digits = b
            .get(20..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits > 9 {
            return Err(invalid(format!(
                "{digits} fraction digits; at most 9 (nanoseconds) are stored"
            )));
        }
    }
    let t = OffsetDateTime::parse(text, &WellKnownRfc3339)
        .map_err(|e| invalid(prose(&e.to_string())))?;
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

    /// What RFC 3339 text is read, and what is refused, at the edges.
    #[test]
    fn parses_rfc3339_edges() {
        let at = |text: &str| parse(text).ok().map(|n| Rfc3339(n).to_string());
        for (text, read) in [
            ("2024-02-29T00:00:00Z", Some("2024-02-29T00:00:00Z")),
            ("2026-01-01T00:00:00+02:00", Some("2025-12-31T22:00:00Z")),
            (
                "2026-01-01T00:00:00.000000001Z",
                Some("2026-01-01T00:00:00.000000001Z"),
            ),
            ("2026-02-29T00:00:00Z", None),
            ("2026-13-01T00:00:00Z", None),
            ("2026-04-31T00:00:00Z", None),
            ("2026-01-01T24:00:00Z", None),
            ("2026-01-01T00:60:00Z", None),
            ("2026-01-01T00:00:00.Z", None),
            ("1677-12-31T23:59:59Z", None),
            ("2262-01-01T00:00:00Z", None),
            ("+2026-01-01T00:00:00Z", None),
            ("2026-1-01T00:00:00Z", None),
        ] {
            assert_eq!(at(text).as_deref(), read, "{text}");
        }
        assert!(matches!(
            parse("2262-01-01T00:00:00Z"),
            Err(Error::TimeOutOfRange(_))
        ));
        assert!(matches!(
            parse("2026-13-01T00:00:00Z"),
            Err(Error::InvalidTime { .. })
        ));
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
