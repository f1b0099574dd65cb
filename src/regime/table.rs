//! Regimes resolved ahead of time: a table a ledger builds once from its
//! regimes, a 4-byte key per subject computed when the subject's marks
//! change, and a lookup per check that neither evaluates nor allocates.

use time::Date;

use super::eval::{AgeBand, Regime};
use super::resolved::{PackedRule, RuleSet};
use super::types::{Condition, Mechanism, Signal};
use crate::error::{Error, Result};

/// The index of a regime in a [`RegimeTable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegimeId(u16);

impl RegimeId {
    /// The id of the regime at `index` in its table.
    pub(crate) fn from_index(index: u16) -> RegimeId {
        RegimeId(index)
    }

    /// Its index in the table.
    #[must_use]
    pub fn index(self) -> u16 {
        self.0
    }
}

/// What a subject's rules depend on, in 4 bytes: its regime, its age band
/// in that regime, and whether an opt-out signal is recorded for it.
///
/// Layout of [`RegimeKey::to_bits`]: the regime index in the high 16 bits,
/// the band in the next 8, the signal in the lowest bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RegimeKey(u32);

impl RegimeKey {
    /// The key as a `u32`, to keep beside a subject.
    #[must_use]
    pub fn to_bits(self) -> u32 {
        self.0
    }

    /// A key kept as a `u32`. Any value is accepted: a key naming no
    /// regime of the table resolves to rules that deny everything.
    #[must_use]
    pub fn from_bits(bits: u32) -> RegimeKey {
        RegimeKey(bits)
    }

    fn regime(self) -> usize {
        usize::from((self.0 >> 16) as u16)
    }

    fn band(self) -> usize {
        usize::from((self.0 >> 8) as u8)
    }

    fn signal(self) -> usize {
        (self.0 & 1) as usize
    }
}

/// One regime's rule sets, for every period between two of its
/// transitions, age band and signal.
#[derive(Debug, Clone)]
struct Resolved {
    /// The Julian days the rules change on, ascending; period `p` is
    /// `[days[p - 1], days[p])`.
    days: Vec<i32>,
    /// The age thresholds that start a band, ascending.
    thresholds: Vec<u8>,
    bands: usize,
    /// Indexed by `(period * bands + band) * 2 + signal`.
    sets: Vec<RuleSet>,
}

/// Rules that deny everything: what an unknown key resolves to.
const DENY_ALL: RuleSet = RuleSet::uniform(PackedRule::new(Mechanism::Prohibited, Condition::None));

/// Regimes resolved ahead of time for every age band, signal and period
/// between the dates their rules change.
///
/// A ledger would build one from the regimes its catalog is subject to,
/// compute a subject's [`RegimeKey`] when the subject's jurisdiction, age or
/// signal changes ([`RegimeTable::key`]), keep those 4 bytes, and on each
/// check read [`RegimeTable::rules`] for the check's date: a binary search
/// over a few dates and an index, no evaluation and no allocation.
///
/// # Examples
///
/// ```
/// use consentry::regime::{Mechanism, PurposeKind, Regime, RegimeTable, Signal};
/// use time::macros::date;
/// let table = RegimeTable::new(vec![Regime::california(), Regime::connecticut()])?;
/// let ct = table.position("US-CT").unwrap();
/// let teen = table.key(ct, Some(17), Signal::Absent);
/// let ads = PurposeKind::TargetedAdvertising;
/// assert_eq!(table.rules(teen, date!(2026 - 06 - 30)).get(ads).mechanism(), Mechanism::OptIn);
/// assert_eq!(table.rules(teen, date!(2026 - 07 - 01)).get(ads).mechanism(), Mechanism::Prohibited);
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RegimeTable {
    regimes: Vec<Regime>,
    resolved: Vec<Resolved>,
}

impl RegimeTable {
    /// Resolves `regimes`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRegime`] if two regimes share a code, or there are
    /// more than 65,536.
    pub fn new(regimes: Vec<Regime>) -> Result<RegimeTable> {
        if regimes.len() > usize::from(u16::MAX) + 1 {
            return Err(Error::InvalidRegime {
                regime: regimes
                    .first()
                    .map(|r| r.code().to_owned())
                    .unwrap_or_default(),
                problem: format!("a table holds at most 65536 regimes, not {}", regimes.len()),
            });
        }
        for (i, r) in regimes.iter().enumerate() {
            if regimes
                .iter()
                .take(i)
                .any(|earlier| earlier.code() == r.code())
            {
                return Err(Error::InvalidRegime {
                    regime: r.code().to_owned(),
                    problem: "the code is given twice".to_owned(),
                });
            }
        }
        let resolved = regimes.iter().map(resolve).collect();
        Ok(RegimeTable { regimes, resolved })
    }

    /// The id of the regime with `code` (exactly as the regime spells it).
    #[must_use]
    pub fn position(&self, code: &str) -> Option<RegimeId> {
        let i = self.regimes.iter().position(|r| r.code() == code)?;
        u16::try_from(i).ok().map(RegimeId)
    }

    /// The regime of `id`.
    #[must_use]
    pub fn regime(&self, id: RegimeId) -> Option<&Regime> {
        self.regimes.get(usize::from(id.0))
    }

    /// The key of a subject under regime `id`, of `age` (`None`: not known)
    /// and with or without an opt-out `signal`.
    #[must_use]
    pub fn key(&self, id: RegimeId, age: Option<u8>, signal: Signal) -> RegimeKey {
        let band = match self.regime(id) {
            Some(r) => r.age_band(age),
            None => AgeBand::from_index(0),
        };
        let signal = u32::from(signal == Signal::Present);
        RegimeKey((u32::from(id.0) << 16) | (u32::from(band.index()) << 8) | signal)
    }

    /// The rules of the subject with `key` on `date` (a rule that applies
    /// from a date applies from 00:00 on it: pass the date of the instant in
    /// the time zone the host decides, UTC by default). A key naming no
    /// regime of this table denies everything.
    #[must_use]
    pub fn rules(&self, key: RegimeKey, date: Date) -> RuleSet {
        self.rule_set(key.regime(), key.band(), key.signal(), date.to_julian_day())
    }
}

impl RegimeTable {
    /// The rules of regime index `regime` for someone of `age` (unknown:
    /// the adult band), with or without the signal, on Julian day `day`:
    /// [`RegimeTable::key`] then [`RegimeTable::rules`] without building a
    /// key or a date (what a check pays).
    #[inline]
    pub(crate) fn rules_on_day(
        &self,
        regime: u16,
        age: Option<u8>,
        signal: bool,
        day: i32,
    ) -> RuleSet {
        let regime = usize::from(regime);
        let band = self.resolved.get(regime).map_or(0, |r| match age {
            Some(age) => r.thresholds.partition_point(|a| *a <= age),
            None => r.thresholds.len(),
        });
        self.rule_set(regime, band, usize::from(signal), day)
    }

    /// The rule set of regime index `regime`, age band `band` (bands past
    /// the regime's last are its adult band, as `Regime::rule_in_band`
    /// treats them), signal `signal` (0 or 1), on Julian day `day`.
    #[inline]
    fn rule_set(&self, regime: usize, band: usize, signal: usize, day: i32) -> RuleSet {
        let Some(r) = self.resolved.get(regime) else {
            return DENY_ALL;
        };
        let period = r.days.partition_point(|t| *t <= day);
        let band = band.min(r.bands.saturating_sub(1));
        let at = (period * r.bands + band) * 2 + signal;
        r.sets.get(at).copied().unwrap_or(DENY_ALL)
    }
}

fn resolve(regime: &Regime) -> Resolved {
    let transitions = regime.transitions();
    let bands = regime.band_count();
    let mut sets = Vec::with_capacity((transitions.len() + 1) * bands * 2);
    // Period 0 is before the first transition: ask on the day before it (or
    // on any day, when nothing is dated).
    let firsts = std::iter::once(transitions.first().and_then(|d| d.previous_day()))
        .chain(transitions.iter().copied().map(Some));
    for first in firsts {
        for band in 0..bands {
            let band = AgeBand::from_index(u8::try_from(band).unwrap_or(u8::MAX));
            for signal in [Signal::Absent, Signal::Present] {
                sets.push(match first {
                    Some(day) => regime.resolve_on(band, signal, day),
                    None => regime.resolve(band, signal),
                });
            }
        }
    }
    Resolved {
        days: transitions.iter().map(|d| d.to_julian_day()).collect(),
        thresholds: regime.thresholds().as_slice().to_vec(),
        bands,
        sets,
    }
}
