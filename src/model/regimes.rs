//! The regimes a catalog enables: which law applies in which jurisdiction,
//! the default for everyone else, and the per-purpose overrides, resolved
//! once when the catalog is built (see [`crate::regime`]).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::catalog::CatalogBuilder;
use crate::model::facts::Jurisdiction;
use crate::model::purpose::Purpose;
use crate::regime::{
    Binding, KindSet, Mechanism, Objection, Precedence, PurposeKind, Regime, RegimeId, RegimeRepr,
    RegimeTable, UnboundSignal,
};

/// Most regimes one catalog enables (the default included).
pub const MAX_CATALOG_REGIMES: usize = 255;

/// The code of the default regime the catalog makes when none is given.
pub const MOST_PROTECTIVE_CODE: &str = "MOST-PROTECTIVE";

/// What [`CatalogBuilder`] collects about regimes.
#[derive(Debug, Clone, Default)]
pub(crate) struct RegimeDecls {
    /// Each regime with the jurisdiction codes it applies to, as given
    /// (none: the regime's own code).
    entries: Vec<(Vec<String>, Regime)>,
    /// Boxed: a regime is large, and the builder is moved by value.
    default: Option<Box<Regime>>,
}

/// The regimes of a built catalog.
#[derive(Debug, Clone)]
pub(crate) struct CatalogRegimes {
    /// As declared: the jurisdictions each regime applies to.
    pub(crate) entries: Vec<(Vec<Jurisdiction>, Regime)>,
    /// The default as declared (`None`: the most protective, made).
    pub(crate) declared_default: Option<Regime>,
    /// Every regime, in declaration order, then the default (unless it is
    /// one of them).
    pub(crate) table: RegimeTable,
    /// Jurisdiction to regime index, sorted by jurisdiction.
    lookup: Vec<(Jurisdiction, u16)>,
    /// The default regime's index.
    pub(crate) default: u16,
    /// Per regime: what wins when a consent follows the signal.
    pub(crate) precedence: Vec<Precedence>,
    /// Per regime and kind: whether a purpose on a basis other than
    /// consent keeps it where the rule is opt-in. A law that gives a right
    /// to object to processing of the kind on another basis (GDPR Art.
    /// 21(1), LGPD Art. 18 §2) lets the controller rely on it; for the
    /// most protective default, only if every enabled regime does.
    pub(crate) basis_stands: Vec<[bool; PurposeKind::COUNT]>,
    /// Per purpose index: (regime index, mechanism), sorted.
    pub(crate) overrides: Vec<Vec<(u16, Mechanism)>>,
    /// Per purpose index: its kinds ([`Purpose::kinds`]), resolved once.
    pub(crate) kinds: Vec<KindSet>,
    /// Per regime: the kinds an opt-out signal reaches, and from which
    /// Julian day (`i32::MIN`: always; `i32::MAX`: never), whatever the
    /// mechanism (a signal opts out of an earlier opt-in too).
    pub(crate) signals: Vec<(KindSet, i32)>,
}

impl PartialEq for CatalogRegimes {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
            && self.declared_default == other.declared_default
            && self.overrides == other.overrides
    }
}

impl Eq for CatalogRegimes {}

impl CatalogBuilder {
    /// Enables `regime` for the jurisdiction its code names (a preset's
    /// code is its jurisdiction: `"DE"`, `"US-CA"`). For a regime whose
    /// code is not a jurisdiction code, or that applies to several, use
    /// [`CatalogBuilder::regime_for`].
    ///
    /// With regimes enabled, decisions follow the law of each subject's
    /// jurisdiction ([`crate::Ledger::set_jurisdiction`]); a subject with
    /// no known jurisdiction gets the default regime
    /// ([`CatalogBuilder::default_regime`]; unless given, the most
    /// protective of the enabled regimes, [`Regime::most_protective`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::regime::Regime;
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
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
    ///     .regime_for(["US-ME"], Regime::maine_broadband())
    ///     .build()?;
    /// assert_eq!(catalog.regime_for_jurisdiction("US-CA").map(|r| r.code()), Some("US-CA"));
    /// assert_eq!(catalog.regime_for_jurisdiction("US-ME").map(|r| r.code()), Some("US-ME-ISP"));
    /// // Anywhere else: the most protective of the three.
    /// assert_eq!(
    ///     catalog.regime_for_jurisdiction("JP").map(|r| r.code()),
    ///     Some("MOST-PROTECTIVE")
    /// );
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn regime(mut self, regime: Regime) -> Self {
        self.regimes.entries.push((Vec::new(), regime));
        self
    }

    /// Enables `regime` for the jurisdictions given (ISO 3166 codes; a
    /// country code also covers its subdivisions that have no regime of
    /// their own).
    pub fn regime_for<I, S>(mut self, jurisdictions: I, regime: Regime) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let codes = jurisdictions.into_iter().map(Into::into).collect();
        self.regimes.entries.push((codes, regime));
        self
    }

    /// The regime for subjects whose jurisdiction is unknown or has no
    /// regime of its own. Default: the most protective of the enabled
    /// regimes (code `MOST-PROTECTIVE`).
    pub fn default_regime(mut self, regime: Regime) -> Self {
        self.regimes.default = Some(Box::new(regime));
        self
    }
}

impl crate::model::catalog::Catalog {
    /// The regime that applies in `jurisdiction` (an ISO 3166 code): its
    /// own, its country's, or the default. `None` when the catalog enables
    /// no regime, or the code is not ISO 3166.
    #[must_use]
    pub fn regime_for_jurisdiction(&self, jurisdiction: &str) -> Option<&Regime> {
        let regimes = self.regimes.as_deref()?;
        let j = Jurisdiction::new(jurisdiction).ok()?;
        regimes.regime(regimes.index_for(Some(j)))
    }

    /// The regime for subjects whose jurisdiction is unknown or has no
    /// regime of its own.
    #[must_use]
    pub fn default_regime(&self) -> Option<&Regime> {
        let regimes = self.regimes.as_deref()?;
        regimes.regime(regimes.default)
    }

    /// The regimes the catalog enables, each with the jurisdictions it
    /// applies to (the default regime is not listed).
    pub fn regimes(&self) -> impl Iterator<Item = (&[Jurisdiction], &Regime)> {
        self.regimes
            .iter()
            .flat_map(|r| r.entries.iter().map(|(j, r)| (j.as_slice(), r)))
    }
}

impl RegimeDecls {
    /// Checks the declarations against the purposes and resolves them.
    pub(crate) fn build(self, purposes: &[Purpose]) -> Result<Option<Arc<CatalogRegimes>>> {
        if self.entries.is_empty() && self.default.is_none() {
            if let Some((p, (code, _))) = purposes
                .iter()
                .find_map(|p| p.mechanisms.first().map(|m| (p, m)))
            {
                return Err(unknown_override(p, code));
            }
            return Ok(None);
        }
        if self.entries.len() + 1 > MAX_CATALOG_REGIMES {
            return Err(Error::LimitExceeded {
                what: "number of regimes a catalog enables besides its default",
                limit: MAX_CATALOG_REGIMES - 1,
                found: self.entries.len(),
            });
        }
        let mut entries = Vec::with_capacity(self.entries.len());
        let mut lookup: Vec<(Jurisdiction, u16)> = Vec::new();
        for (i, (codes, regime)) in self.entries.into_iter().enumerate() {
            let named = |problem: String| Error::InvalidRegime {
                regime: regime.code().to_owned(),
                problem,
            };
            let list = if codes.is_empty() {
                let own = Jurisdiction::new(regime.code()).map_err(|_| {
                    named(
                        "its code is not a jurisdiction code: name the jurisdictions it applies to (`regime_for`)"
                            .to_owned(),
                    )
                })?;
                vec![own]
            } else {
                codes
                    .iter()
                    .map(|c| Jurisdiction::new(c))
                    .collect::<Result<Vec<_>>>()?
            };
            for j in &list {
                if let Some((_, other)) = lookup.iter().find(|(k, _)| k == j) {
                    let other = entries
                        .get(usize::from(*other))
                        .map_or("", |(_, r): &(Vec<Jurisdiction>, Regime)| r.code());
                    return Err(named(format!(
                        "jurisdiction {} already has regime {}",
                        crate::error::quoted(j.as_str()),
                        crate::error::quoted(other)
                    )));
                }
                // INVARIANT: i < MAX_CATALOG_REGIMES, checked above.
                lookup.push((*j, i as u16));
            }
            entries.push((list, regime));
        }
        lookup.sort_unstable();
        let mut regimes: Vec<Regime> = entries.iter().map(|(_, r)| r.clone()).collect();
        let default = match &self.default {
            Some(r) => Regime::clone(r),
            None => Regime::most_protective(
                MOST_PROTECTIVE_CODE,
                "The most protective of the catalog's regimes",
                &regimes,
            )?,
        };
        // A default that is one of the enabled regimes is that regime.
        let same = regimes.iter().position(|r| r.code() == default.code());
        let default_index = match same {
            Some(i) if regimes.get(i) == Some(&default) => i,
            Some(_) => {
                return Err(Error::InvalidRegime {
                    regime: default.code().to_owned(),
                    problem: "the default regime has the code of an enabled regime but other rules"
                        .to_owned(),
                });
            }
            None => {
                regimes.push(default);
                regimes.len() - 1
            }
        };
        let precedence = regimes
            .iter()
            .map(|r| r.signal_rule().precedence())
            .collect();
        let signals = regimes
            .iter()
            .map(|r| {
                let rule = r.signal_rule();
                let from = match (rule.binding(), r.unbound_signal()) {
                    // Honoured by choice where it does not bind (yet).
                    (_, UnboundSignal::Honour) => i32::MIN,
                    (Binding::Binding, UnboundSignal::Ignore) => {
                        rule.since().map_or(i32::MIN, |d| d.to_julian_day())
                    }
                    (Binding::NotBinding, UnboundSignal::Ignore) => i32::MAX,
                };
                (rule.kinds(), from)
            })
            .collect();
        let stands_for = |r: &Regime, k: PurposeKind| r.objection(k).0 != Objection::None;
        let stands = |r: &Regime| PurposeKind::ALL.map(|k| stands_for(r, k));
        let mut basis_stands: Vec<[bool; PurposeKind::COUNT]> =
            regimes.iter().map(stands).collect();
        if self.default.is_none()
            && let Some(made) = basis_stands.get_mut(default_index)
        {
            *made = PurposeKind::ALL.map(|k| entries.iter().all(|(_, r)| stands_for(r, k)));
        }
        let table = RegimeTable::new(regimes)?;
        let mut overrides = Vec::with_capacity(purposes.len());
        for p in purposes {
            let mut list = Vec::with_capacity(p.mechanisms.len());
            for (code, mechanism) in &p.mechanisms {
                let id = table
                    .position(code)
                    .ok_or_else(|| unknown_override(p, code))?;
                list.push((id.index(), *mechanism));
            }
            list.sort_unstable();
            overrides.push(list);
        }
        Ok(Some(Arc::new(CatalogRegimes {
            // INVARIANT: below MAX_CATALOG_REGIMES.
            default: default_index as u16,
            entries,
            declared_default: self.default.map(|r| *r),
            table,
            lookup,
            precedence,
            signals,
            basis_stands,
            kinds: purposes.iter().map(Purpose::kinds).collect(),
            overrides,
        })))
    }
}

fn unknown_override(p: &Purpose, code: &str) -> Error {
    Error::InvalidPurpose {
        purpose: p.name().to_owned(),
        problem: format!(
            "overrides the mechanism for regime {}, which the catalog does not enable",
            crate::error::quoted(code)
        ),
    }
}

impl CatalogRegimes {
    /// The index of the regime for a jurisdiction: its own, its country's,
    /// or the default.
    pub(crate) fn index_for(&self, j: Option<Jurisdiction>) -> u16 {
        let Some(j) = j else { return self.default };
        let find = |k: &Jurisdiction| {
            self.lookup
                .binary_search_by(|(x, _)| x.cmp(k))
                .ok()
                .and_then(|i| self.lookup.get(i))
                .map(|(_, r)| *r)
        };
        find(&j)
            .or_else(|| Jurisdiction::new(j.country()).ok().and_then(|c| find(&c)))
            .unwrap_or(self.default)
    }

    /// The regime at `index`.
    pub(crate) fn regime(&self, index: u16) -> Option<&Regime> {
        self.table.regime(RegimeId::from_index(index))
    }

    /// The mechanism purpose `p` overrides under regime `r`.
    #[inline]
    pub(crate) fn override_for(&self, p: u16, r: u16) -> Option<Mechanism> {
        self.overrides
            .get(usize::from(p))?
            .iter()
            .find(|(x, _)| *x == r)
            .map(|(_, m)| *m)
    }

    pub(crate) fn to_repr(&self) -> (Vec<RegimeEntryRepr>, Option<RegimeRef>) {
        let entries = self
            .entries
            .iter()
            .map(|(list, r)| {
                let own =
                    list.len() == 1 && list.first().map(Jurisdiction::as_str) == Some(r.code());
                let (preset, rules) = match RegimeRef::of(r) {
                    RegimeRef::Preset(code) => (Some(code), None),
                    RegimeRef::Rules(rules) => (None, Some(rules)),
                };
                RegimeEntryRepr {
                    jurisdictions: if own { Vec::new() } else { list.clone() },
                    preset,
                    rules,
                }
            })
            .collect();
        (entries, self.declared_default.as_ref().map(RegimeRef::of))
    }
}

/// A regime in a catalog's JSON: a preset by code, or written out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum RegimeRef {
    /// A preset's code ([`Regime::presets`]).
    Preset(String),
    /// A regime's rules ([`Regime::to_json`]).
    Rules(Box<RegimeRepr>),
}

/// The preset whose code is exactly `code`, built alone (not the whole
/// list of [`Regime::presets`]: a catalog is written with every snapshot).
fn preset_with_code(code: &str) -> Option<Regime> {
    // Maine's broadband law is the one preset no jurisdiction code names.
    Regime::for_jurisdiction(code)
        .filter(|p| p.code() == code)
        .or_else(|| Some(Regime::maine_broadband()).filter(|p| p.code() == code))
}

impl RegimeRef {
    fn of(r: &Regime) -> RegimeRef {
        match preset_with_code(r.code()) {
            Some(p) if p == *r => RegimeRef::Preset(r.code().to_owned()),
            _ => RegimeRef::Rules(Box::new(RegimeRepr::from(r.clone()))),
        }
    }

    pub(crate) fn resolve(self) -> Result<Regime> {
        match self {
            RegimeRef::Preset(code) => {
                preset_with_code(&code).ok_or_else(|| Error::InvalidRegime {
                    regime: code,
                    problem: "no preset has this code".to_owned(),
                })
            }
            RegimeRef::Rules(repr) => Regime::try_from(*repr),
        }
    }
}

/// One regime of a catalog's JSON and the jurisdictions it applies to
/// (none: its own code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegimeEntryRepr {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) jurisdictions: Vec<Jurisdiction>,
    /// A preset's code, or
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) preset: Option<String>,
    /// a regime's rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) rules: Option<Box<RegimeRepr>>,
}

impl RegimeEntryRepr {
    /// The regime: exactly one of `preset` and `rules`. `index`: where
    /// the entry is in the catalog's `regimes`, for the error.
    pub(crate) fn regime(self, index: usize) -> Result<(Vec<Jurisdiction>, Regime)> {
        let regime = match (self.preset, self.rules) {
            (Some(code), None) => RegimeRef::Preset(code).resolve()?,
            (None, Some(rules)) => RegimeRef::Rules(rules).resolve()?,
            _ => {
                return Err(Error::InvalidRegime {
                    regime: format!("regimes[{index}]"),
                    problem: "a catalog's regime names exactly one of `preset` and `rules`"
                        .to_owned(),
                });
            }
        };
        Ok((self.jurisdictions, regime))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every preset is found by its code alone, as it is, and nothing else
    /// is (a lower-case code, a jurisdiction whose preset has another code).
    #[test]
    fn every_preset_is_found_by_its_exact_code() {
        for p in Regime::presets() {
            assert_eq!(
                preset_with_code(p.code()).as_ref(),
                Some(&p),
                "{}",
                p.code()
            );
            assert_eq!(RegimeRef::of(&p), RegimeRef::Preset(p.code().to_owned()));
        }
        for other in ["de", "US-NY", "UK", "JP", "US-ME", ""] {
            assert!(preset_with_code(other).is_none(), "{other}");
        }
    }
}
