//! Instants as integers: nanoseconds since the Unix epoch, UTC.
//!
//! The public API takes and returns [`OffsetDateTime`]; inside, every instant is
//! an `i64` of nanoseconds so that a validity test is two integer compares.
//! The range this covers (1677-09-21 to 2262-04-11) is cut to whole years,
//! 1678-01-01 to 2261-12-31, so the limit is easy to state.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

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
    format_any(from_nanos(n))
}

fn format_any(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| format!("{} (unix seconds)", t.unix_timestamp()))
}

/// Parses RFC 3339 text (any offset) into a stored instant.
pub(crate) fn parse(text: &str) -> Result<Nanos> {
    let t = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| Error::InvalidTime {
        text: text.to_owned(),
        problem: e.to_string(),
    })?;
    to_nanos(t)
}
