//! A subject's jurisdiction and age: recorded as marks, and kept beside
//! the head as one 4-byte word the check reads (the regime is resolved when
//! the marks change, the age band by the date of each check).
//!
//! In the `Ledger` docs: the "Regimes: jurisdiction and age" group.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hashbrown::HashMap;
use time::{Date, OffsetDateTime};

use crate::error::{Error, Result};
use crate::ledger::store::{RowFlags, Slot, Store};
use crate::ledger::{Ledger, Recorded};
use crate::model::evidence::Evidence;
use crate::model::facts::{Age, Jurisdiction};
use crate::model::regimes::CatalogRegimes;
use crate::wire::timestamp::{self, Nanos};

use super::prepare::Change;

/// Most distinct jurisdictions one ledger's subjects are in.
pub const MAX_JURISDICTIONS: usize = (1 << PLACE_BITS) - 1;

/// Bits of the word for the jurisdiction (its interned index plus one).
const PLACE_BITS: u32 = 12;
/// Bits of the word for the age: the latest birth date consistent with it,
/// as (year - `BASE_YEAR` + 1, month, day) in 11, 4 and 5 bits; 0 for
/// unknown. Whole years then need no calendar arithmetic.
const AGE_BITS: u32 = 32 - PLACE_BITS;
pub(crate) const AGE_MASK: u32 = (1 << AGE_BITS) - 1;
/// The earliest birth year the word holds: 150 years (the oldest age)
/// before the first year of the range (1678).
const BASE_YEAR: i32 = 1500;
/// The Julian day of 1970-01-01.
const UNIX_EPOCH_DAY: i64 = 2_440_588;
const NANOS_PER_DAY: i64 = 86_400_000_000_000;

/// A calendar day as a check reads it: its Julian day number and its year,
/// month and day of month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Day {
    pub(crate) julian: i32,
    year: i32,
    month: u8,
    day: u8,
}

impl Day {
    fn of(date: Date) -> Day {
        Day {
            julian: date.to_julian_day(),
            year: date.year(),
            month: date.month() as u8,
            day: date.day(),
        }
    }

    /// The whole years from a birth date packed in a word to this day.
    #[inline]
    fn years_since(self, packed: u32) -> u8 {
        let year = BASE_YEAR + (packed >> 9) as i32 - 1;
        let (month, day) = (((packed >> 5) & 0xF) as u8, (packed & 0x1F) as u8);
        let before_birthday = (self.month, self.day) < (month, day);
        let years = self.year - year - i32::from(before_birthday);
        u8::try_from(years.max(0)).unwrap_or(u8::MAX)
    }
}

/// The last day converted, shared by the checks of a ledger (requests
/// come in bursts on one day): a Julian day and its calendar date in one
/// word, read and written with relaxed atomics.
#[derive(Debug, Default)]
pub(crate) struct DayCache(AtomicU64);

impl Clone for DayCache {
    fn clone(&self) -> Self {
        DayCache(AtomicU64::new(self.0.load(Ordering::Relaxed)))
    }
}

impl DayCache {
    /// The day of an instant.
    #[inline]
    pub(crate) fn day(&self, at: Nanos) -> Day {
        let word = self.0.load(Ordering::Relaxed);
        // A hit costs a multiplication and a compare, not a division.
        let cached = (word >> 32) as u32 as i32;
        let start = (i64::from(cached) - UNIX_EPOCH_DAY).wrapping_mul(NANOS_PER_DAY);
        if word != 0 && (at.wrapping_sub(start) as u64) < NANOS_PER_DAY as u64 {
            return Day {
                julian: cached,
                year: i32::from((word >> 16) as u16) - 32_768,
                month: (word >> 8) as u8,
                day: word as u8,
            };
        }
        let d = day_of(at);
        let packed = (u64::from(d.julian as u32) << 32)
            | (u64::from((d.year + 32_768) as u16) << 16)
            | (u64::from(d.month) << 8)
            | u64::from(d.day);
        self.0.store(packed, Ordering::Relaxed);
        d
    }
}

/// The jurisdictions subjects are in, interned, and the regime each gets
/// under the catalog they were last resolved for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Places {
    list: Vec<Jurisdiction>,
    index: HashMap<Jurisdiction, u16>,
    /// Per place, the regime index under the catalog regimes at `for_regimes`.
    regimes: Vec<u16>,
    /// The address of the catalog regimes `regimes` was resolved for.
    for_regimes: usize,
}

impl Places {
    /// The index of `j`, interning it.
    fn intern(&mut self, j: Jurisdiction) -> Result<u16> {
        if let Some(&i) = self.index.get(&j) {
            return Ok(i);
        }
        self.has_room_for(j)?;
        // INVARIANT: below MAX_JURISDICTIONS < u16::MAX.
        let i = self.list.len() as u16;
        self.list.push(j);
        self.index.insert(j, i);
        Ok(i)
    }

    /// Whether `j` can be interned (known, or room for one more).
    pub(crate) fn has_room_for(&self, j: Jurisdiction) -> Result<()> {
        if self.index.contains_key(&j) || self.list.len() < MAX_JURISDICTIONS {
            return Ok(());
        }
        Err(Error::LimitExceeded {
            what: "number of distinct jurisdictions in a ledger",
            limit: MAX_JURISDICTIONS,
            found: self.list.len() + 1,
        })
    }

    /// Resolves every place's regime under `regimes` (once per catalog).
    pub(crate) fn sync(&mut self, regimes: Option<&Arc<CatalogRegimes>>) {
        let Some(r) = regimes else { return };
        let at = Arc::as_ptr(r) as usize;
        if at != self.for_regimes {
            self.regimes.clear();
            self.for_regimes = at;
        }
        for j in self.list.iter().skip(self.regimes.len()) {
            self.regimes.push(r.index_for(Some(*j)));
        }
    }

    /// The regime index of the place in `word` under `regimes`.
    #[inline]
    pub(crate) fn regime(&self, word: u32, regimes: &Arc<CatalogRegimes>) -> u16 {
        let Some(place) = (word >> AGE_BITS).checked_sub(1) else {
            return regimes.default;
        };
        if Arc::as_ptr(regimes) as usize == self.for_regimes
            && let Some(&r) = self.regimes.get(place as usize)
        {
            return r;
        }
        regimes.index_for(self.list.get(place as usize).copied())
    }
}

/// The latest birth date consistent with the age recorded at `at`.
fn birth_of(age: Age, at: Nanos) -> Date {
    age.birth_date_on(timestamp::from_nanos(at).date())
}

/// The day of an instant, without the cache (for a record's own time).
pub(crate) fn day_of(at: Nanos) -> Day {
    let at = at.clamp(timestamp::MIN, timestamp::LAST);
    let julian = i32::try_from(at.div_euclid(NANOS_PER_DAY) + UNIX_EPOCH_DAY).unwrap_or(0);
    Day::of(Date::from_julian_day(julian).unwrap_or(Date::MIN))
}

/// The age in whole years on `day` of the subject whose word is `word`;
/// `None` when unknown.
#[inline]
pub(crate) fn age_on(word: u32, day: Day) -> Option<u8> {
    let packed = word & AGE_MASK;
    (packed != 0).then(|| day.years_since(packed))
}

/// A birth date packed for the word (0 if outside what it holds).
fn pack_birth(born: Date) -> u32 {
    let year = born.year() - BASE_YEAR + 1;
    match u32::try_from(year) {
        Ok(y) if (1..(1 << 11)).contains(&y) => {
            (y << 9) | (u32::from(born.month() as u8) << 5) | u32::from(born.day())
        }
        _ => 0,
    }
}

impl Slot {
    /// Whether the slot's rows carry evidence (every one but the
    /// registration and erasure marks).
    pub(crate) fn has_evidence(self) -> bool {
        !matches!(self, Slot::Registered | Slot::Erased)
    }
}

impl Store {
    /// Recomputes the subject's word after its row for `slot` changed.
    pub(crate) fn refresh_facts(&mut self, s: u32, slot: Slot) {
        if !matches!(slot, Slot::Jurisdiction | Slot::Age) {
            return;
        }
        let place = self
            .row(s, Slot::Jurisdiction)
            .and_then(|r| Jurisdiction::unpack(r.until))
            // INVARIANT: the apply path checked there is room.
            .and_then(|j| self.places.intern(j).ok())
            .map_or(0, |i| u32::from(i) + 1);
        let age = self
            .row(s, Slot::Age)
            .and_then(|r| {
                let age = Age::unpack(r.until, r.flags.contains(RowFlags::ON))?;
                Some(pack_birth(birth_of(age, r.from)))
            })
            .unwrap_or(0);
        if let Some(w) = self.facts.get_mut(s as usize) {
            *w = (place << AGE_BITS) | age;
        }
    }

    /// The subject's recorded jurisdiction.
    pub(crate) fn jurisdiction(&self, s: u32) -> Option<Jurisdiction> {
        Jurisdiction::unpack(self.row(s, Slot::Jurisdiction)?.until)
    }

    /// The subject's word (0 for an unknown subject).
    #[inline]
    pub(crate) fn facts(&self, s: u32) -> u32 {
        self.facts.get(s as usize).copied().unwrap_or(0)
    }
}

/// # Regimes: jurisdiction and age
///
/// Where a subject is and how old, recorded as events with evidence (the
/// latest of each wins, in any order, like the other subject marks). With
/// regimes enabled in the catalog ([`crate::CatalogBuilder::regime`]),
/// decisions follow the law of the subject's jurisdiction and age.
impl Ledger {
    /// Records the subject's jurisdiction (an ISO 3166 code: `"DE"`,
    /// `"US-CA"`) from `at` on, with how it was established.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidJurisdiction`] for a code that is not ISO 3166;
    /// the errors of [`Ledger::record`].
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::regime::Regime;
    /// use consentry::*;
    /// use time::macros::datetime;
    /// let catalog = Catalog::builder()
    ///     .category("browsing")
    ///     .purpose(
    ///         PurposeDef::new("ads", LegalBasis::Consent)
    ///             .title("Personalised ads")
    ///             .description("Ads chosen from what you browse.")
    ///             .categories(["browsing"])
    ///             .sale_or_sharing(),
    ///     )
    ///     .regime(Regime::for_jurisdiction("DE").expect("a preset"))
    ///     .regime(Regime::california())
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let stated = Evidence::new(CollectionMethod::Form).with_channel("web");
    /// ledger.set_jurisdiction("ann", "US-CA", t, stated.clone())?;
    /// ledger.set_jurisdiction("ben", "DE", t, stated)?;
    /// // California: permitted until she opts out; Germany: opt-in.
    /// assert!(ledger.is_permitted("ann", "ads", "browsing", t));
    /// assert_eq!(ledger.decide("ben", "ads", "browsing", t), Decision::NoConsent);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn set_jurisdiction(
        &mut self,
        subject: &str,
        jurisdiction: &str,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Result<Recorded> {
        let j = Jurisdiction::new(jurisdiction)?;
        self.record(Change::set_jurisdiction(subject, j, at, evidence))
    }

    /// Records the subject's age (a birth date, or years as stated at
    /// `at`) from `at` on, with how it was established.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidAge`] for an age past [`crate::MAX_AGE_YEARS`] or a
    /// birth date after `at`; the errors of [`Ledger::record`].
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::*;
    /// use time::macros::{date, datetime};
    /// # let catalog = Catalog::builder().category("c").build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let declared = Evidence::new(CollectionMethod::Form);
    /// ledger.set_age("ann", Age::BirthDate(date!(2011-05-02)), t, declared)?;
    /// assert_eq!(ledger.age_on("ann", date!(2026-05-01)), Some(14));
    /// assert_eq!(ledger.age_on("ann", date!(2026-05-02)), Some(15));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn set_age(
        &mut self,
        subject: &str,
        age: Age,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Result<Recorded> {
        self.record(Change::set_age(subject, age, at, evidence))
    }

    /// The subject's jurisdiction as last recorded.
    #[must_use]
    pub fn jurisdiction(&self, subject: &str) -> Option<Jurisdiction> {
        self.store.jurisdiction(self.store.names.find(subject)?)
    }

    /// The subject's age as last recorded, and when it was recorded.
    #[must_use]
    pub fn age(&self, subject: &str) -> Option<(Age, OffsetDateTime)> {
        let s = self.store.names.find(subject)?;
        let r = self.store.row(s, Slot::Age)?;
        let age = Age::unpack(r.until, r.flags.contains(RowFlags::ON))?;
        Some((age, timestamp::from_nanos(r.from)))
    }

    /// The subject's age in whole years on `day`, as the regimes read it
    /// (a stated age the most protective way: see [`Age`]).
    #[must_use]
    pub fn age_on(&self, subject: &str, day: Date) -> Option<u8> {
        let s = self.store.names.find(subject)?;
        age_on(self.store.facts(s), Day::of(day))
    }

    /// The regime that applies to the subject (its jurisdiction's, or the
    /// catalog's default); `None` when the catalog enables no regime.
    #[must_use]
    pub fn regime_of(&self, subject: &str) -> Option<&crate::regime::Regime> {
        let regimes = self.catalog.regimes.as_ref()?;
        let word = self
            .store
            .names
            .find(subject)
            .map_or(0, |s| self.store.facts(s));
        regimes.regime(self.store.places.regime(word, regimes))
    }

    /// Resolves new places' regimes under the catalog (after changes).
    pub(crate) fn sync_places(&mut self) {
        self.store.places.sync(self.catalog.regimes.as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The packed word and the day cache give the ages `Age::years_on`
    /// gives, birthdays on 29 February included.
    #[test]
    fn packed_ages_agree_with_the_calendar() {
        let cache = DayCache::default();
        let mut births = Vec::new();
        let mut b = Date::from_calendar_date(1990, time::Month::January, 1).expect("date");
        while b.year() < 2030 {
            births.push(b);
            b = b.saturating_add(time::Duration::days(37));
        }
        births.push(Date::from_calendar_date(2012, time::Month::February, 29).expect("date"));
        for born in births {
            let word = pack_birth(born);
            for offset in [
                0i64, 1, 364, 365, 366, 4_000, 5_843, 5_844, 5_845, 6_209, 6_210,
            ] {
                for delta in [-1i64, 0, 1] {
                    let day = born.saturating_add(time::Duration::days(offset + delta));
                    let at = (i64::from(day.to_julian_day()) - UNIX_EPOCH_DAY) * NANOS_PER_DAY + 7;
                    let want = Age::BirthDate(born).years_on(day, day);
                    assert_eq!(age_on(word, cache.day(at)), Some(want), "{born} on {day}");
                    // A second read hits the cache and agrees.
                    assert_eq!(cache.day(at), Day::of(day));
                }
            }
        }
        assert_eq!(age_on(0, Day::of(Date::MIN)), None);
    }
}
