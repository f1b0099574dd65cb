//! Where a subject is and how old: the facts regimes decide by.
//!
//! A [`Jurisdiction`] is an ISO 3166 code (`"DE"`, `"US-CA"`); an [`Age`]
//! is a birth date or an age in years stated at the time of the event. Both
//! are recorded as subject marks ([`crate::Ledger::set_jurisdiction`],
//! [`crate::Ledger::set_age`]); the latest of each wins, like the other
//! marks.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::{Error, Result};

/// A jurisdiction: an ISO 3166-1 alpha-2 country code, optionally followed
/// by `-` and an ISO 3166-2 subdivision of one to three letters or digits
/// (`"FR"`, `"US-CA"`, `"ES-CT"`). Parsed in any case, held in upper case.
///
/// # Examples
///
/// ```
/// use consentry::Jurisdiction;
/// let ca: Jurisdiction = "us-ca".parse()?;
/// assert_eq!(ca.as_str(), "US-CA");
/// assert_eq!(ca.country(), "US");
/// assert!("USA".parse::<Jurisdiction>().is_err());
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Jurisdiction {
    /// The code's bytes, upper case, zero-padded.
    bytes: [u8; 6],
    len: u8,
}

impl Jurisdiction {
    /// `ZZ`, the ISO 3166 user-assigned code for an unknown place.
    pub(crate) const UNKNOWN: Jurisdiction = Jurisdiction {
        bytes: *b"ZZ\0\0\0\0",
        len: 2,
    };

    /// Parses and normalizes a code.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidJurisdiction`] naming the code, when it is not two
    /// letters with an optional `-` and one to three letters or digits.
    pub fn new(code: &str) -> Result<Jurisdiction> {
        let invalid = || Error::InvalidJurisdiction(crate::error::shown(code));
        let b = code.as_bytes();
        let (country, sub) = match code.split_once('-') {
            Some((c, s)) => (c.as_bytes(), Some(s.as_bytes())),
            None => (b, None),
        };
        if country.len() != 2 || !country.iter().all(u8::is_ascii_alphabetic) {
            return Err(invalid());
        }
        if let Some(s) = sub
            && (s.is_empty() || s.len() > 3 || !s.iter().all(u8::is_ascii_alphanumeric))
        {
            return Err(invalid());
        }
        let mut bytes = [0u8; 6];
        for (slot, c) in bytes.iter_mut().zip(b) {
            *slot = c.to_ascii_uppercase();
        }
        Ok(Jurisdiction {
            bytes,
            len: b.len() as u8,
        })
    }

    /// The code, upper case.
    #[must_use]
    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// The country part (`"US"` of `"US-CA"`).
    #[must_use]
    pub fn country(&self) -> &str {
        self.as_str().get(..2).unwrap_or_default()
    }

    /// The code packed in 8 bytes, as a row stores it.
    pub(crate) fn pack(self) -> i64 {
        let mut word = [0u8; 8];
        for (w, b) in word.iter_mut().zip(self.bytes) {
            *w = b;
        }
        i64::from_le_bytes(word)
    }

    /// The code a row stored; `None` if the bytes are not a valid code.
    pub(crate) fn unpack(word: i64) -> Option<Jurisdiction> {
        let bytes = word.to_le_bytes();
        let len = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
        let text = std::str::from_utf8(bytes.get(..len)?).ok()?;
        Jurisdiction::new(text).ok()
    }
}

impl fmt::Debug for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Jurisdiction({})", self.as_str())
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Jurisdiction {
    type Err = Error;
    fn from_str(s: &str) -> Result<Jurisdiction> {
        Jurisdiction::new(s)
    }
}

impl Serialize for Jurisdiction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Jurisdiction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Jurisdiction::new(&s).map_err(serde::de::Error::custom)
    }
}

/// How old a subject is: a birth date, or an age in whole years as stated
/// at the time it was recorded.
///
/// A stated age is read the most protective way: someone who said "15" on
/// 1 March 2026 is taken to turn 16 on 1 March 2027 at the earliest, and
/// is 15 until then.
///
/// Serialized as `{"birth_date": "2011-05-02"}` or `{"years": 15}`.
///
/// # Examples
///
/// ```
/// use consentry::Age;
/// use time::macros::date;
/// let stated = Age::Years(15);
/// assert_eq!(stated.years_on(date!(2027-02-28), date!(2026-03-01)), 15);
/// assert_eq!(stated.years_on(date!(2027-03-01), date!(2026-03-01)), 16);
/// let born = Age::BirthDate(date!(2010-06-15));
/// assert_eq!(born.years_on(date!(2026-06-14), date!(2026-01-01)), 15);
/// assert_eq!(born.years_on(date!(2026-06-15), date!(2026-01-01)), 16);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Age {
    /// Born on this date.
    BirthDate(#[serde(with = "date_text")] Date),
    /// This many whole years old when recorded.
    Years(u8),
}

/// The oldest age recorded in years (a person is younger than this).
pub const MAX_AGE_YEARS: u8 = 150;

impl Age {
    /// The age in whole years on `day`, for a statement recorded on
    /// `recorded` (a stated age grows by one year per full year since).
    /// 0 before the birth date; saturates at 255.
    #[must_use]
    pub fn years_on(self, day: Date, recorded: Date) -> u8 {
        full_years(self.birth_date_on(recorded), day)
    }

    /// The birth date, or for a stated age the latest birth date consistent
    /// with it: `n` years before the day it was stated (28 February for a
    /// statement on 29 February of a year `n` years after a common year).
    #[must_use]
    pub fn birth_date_on(self, recorded: Date) -> Date {
        match self {
            Age::BirthDate(born) => born,
            Age::Years(n) => {
                let year = recorded.year() - i32::from(n);
                recorded
                    .replace_year(year)
                    .or_else(|_| recorded.replace_day(28).and_then(|d| d.replace_year(year)))
                    .unwrap_or(Date::MIN)
            }
        }
    }

    /// Checks the age against the date it is recorded on.
    pub(crate) fn check(self, recorded: Date) -> Result<()> {
        let problem = match self {
            Age::Years(n) if n > MAX_AGE_YEARS => {
                format!("an age of {n} years is past {MAX_AGE_YEARS}")
            }
            Age::BirthDate(born) if born > recorded => {
                format!("the birth date {born} is after the time it is recorded ({recorded})")
            }
            Age::BirthDate(born) if full_years(born, recorded) > MAX_AGE_YEARS => {
                format!("the birth date {born} is more than {MAX_AGE_YEARS} years ago")
            }
            _ => return Ok(()),
        };
        Err(Error::InvalidAge(problem))
    }

    /// The age packed in a row's 8 bytes: years, or the birth date's
    /// Julian day with the `birth` flag.
    pub(crate) fn pack(self) -> (i64, bool) {
        match self {
            Age::Years(n) => (i64::from(n), false),
            Age::BirthDate(d) => (i64::from(d.to_julian_day()), true),
        }
    }

    /// The age a row stored.
    pub(crate) fn unpack(word: i64, birth: bool) -> Option<Age> {
        if birth {
            let day = i32::try_from(word).ok()?;
            Date::from_julian_day(day).ok().map(Age::BirthDate)
        } else {
            u8::try_from(word).ok().map(Age::Years)
        }
    }
}

impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Age::BirthDate(d) => write!(f, "born {d}"),
            Age::Years(n) => write!(f, "{n} years old"),
        }
    }
}

/// Whole years from `from` to `to` (0 if `to` is earlier), birthdays on
/// 29 February falling on 1 March in other years.
fn full_years(from: Date, to: Date) -> u8 {
    if to <= from {
        return 0;
    }
    let mut years = to.year() - from.year();
    let before_birthday = (to.month() as u8, to.day()) < (from.month() as u8, from.day());
    // 29 February: in a year without it the birthday is 1 March, which the
    // comparison above already gives ((3, 1) > (2, 29)).
    if before_birthday {
        years -= 1;
    }
    u8::try_from(years.max(0)).unwrap_or(u8::MAX)
}

/// `Date` as `YYYY-MM-DD` text (four-digit years), as regimes write dates.
mod date_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    use crate::regime::date_opt;

    pub(super) fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        date_opt::serialize(&Some(*d), s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        date_opt::parse(&s).map_err(serde::de::Error::custom)
    }
}
