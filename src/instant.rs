//! [`Timestamp`]: the instant of a check, converted once.

use time::OffsetDateTime;

use crate::wire::timestamp::{self, Nanos};

/// The instant a check asks about, as the engine compares it: nanoseconds
/// since 1970-01-01T00:00:00Z.
///
/// Every check takes an `impl Into<Timestamp>`, so an [`OffsetDateTime`]
/// works as before; converting it costs a few nanoseconds of calendar
/// arithmetic. A host that runs several checks for one request converts its
/// `now` once and passes the `Timestamp` to each (it is `Copy`).
///
/// Instants outside the range the ledger stores (1678-01-01 to 2261-12-31,
/// see the README) saturate to just outside it, so every comparison with a
/// stored instant is the same as with the exact value: a check in the year
/// 9999 sees every grant with an expiry as expired, and one with none as
/// valid.
///
/// # Examples
///
/// ```
/// use consentry::Timestamp;
/// use time::macros::datetime;
///
/// let t = datetime!(2026-03-01 10:00 UTC);
/// let at = Timestamp::from(t);
/// assert_eq!(at.unix_nanos(), 1_772_359_200_000_000_000);
/// assert_eq!(Timestamp::from_unix_nanos(1_772_359_200_000_000_000), at);
/// assert_eq!(at.to_offset_date_time(), t);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(Nanos);

impl Timestamp {
    /// The instant `nanos` nanoseconds after 1970-01-01T00:00:00Z (before
    /// it, if negative), saturated to just outside the stored range.
    #[must_use]
    #[inline]
    pub const fn from_unix_nanos(nanos: i64) -> Timestamp {
        Timestamp(timestamp::saturate(nanos))
    }

    /// The instant `seconds` seconds after 1970-01-01T00:00:00Z (before it,
    /// if negative), saturated like [`Timestamp::from_unix_nanos`].
    #[must_use]
    #[inline]
    pub const fn from_unix_seconds(seconds: i64) -> Timestamp {
        Timestamp::from_unix_nanos(seconds.saturating_mul(1_000_000_000))
    }

    /// The current instant of the system clock. The only call in the crate
    /// that reads the clock; checks never do.
    #[must_use]
    pub fn now() -> Timestamp {
        Timestamp::from(OffsetDateTime::now_utc())
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z, as held (saturated).
    #[must_use]
    #[inline]
    pub const fn unix_nanos(self) -> i64 {
        self.0
    }

    /// The instant as an [`OffsetDateTime`] in UTC.
    #[must_use]
    pub fn to_offset_date_time(self) -> OffsetDateTime {
        timestamp::from_nanos(self.0)
    }
}

impl From<OffsetDateTime> for Timestamp {
    #[inline]
    fn from(t: OffsetDateTime) -> Timestamp {
        Timestamp(timestamp::check_nanos(t))
    }
}

impl From<Timestamp> for OffsetDateTime {
    fn from(t: Timestamp) -> OffsetDateTime {
        t.to_offset_date_time()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn conversions_agree_with_the_checks_own() {
        for t in [
            datetime!(1970-01-01 0:00 UTC),
            datetime!(2026-03-01 10:00:00.000_000_001 UTC),
            datetime!(1678-01-01 0:00 UTC),
            datetime!(2261-12-31 23:59:59.999_999_999 UTC),
            datetime!(1500-01-01 0:00 UTC),
            datetime!(2500-01-01 0:00 UTC),
        ] {
            let at = Timestamp::from(t);
            assert_eq!(at.unix_nanos(), timestamp::check_nanos(t));
            assert_eq!(Timestamp::from_unix_nanos(at.unix_nanos()), at);
        }
        // Raw values saturate as converted instants do.
        assert_eq!(
            Timestamp::from_unix_nanos(i64::MAX),
            Timestamp::from(datetime!(2500-01-01 0:00 UTC))
        );
        assert_eq!(
            Timestamp::from_unix_nanos(i64::MIN),
            Timestamp::from(datetime!(1500-01-01 0:00 UTC))
        );
        assert_eq!(
            Timestamp::from_unix_seconds(1_772_359_200),
            Timestamp::from(datetime!(2026-03-01 10:00 UTC))
        );
        assert_eq!(
            Timestamp::from_unix_seconds(i64::MAX),
            Timestamp::from_unix_nanos(i64::MAX)
        );
    }
}
