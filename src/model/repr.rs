//! The catalog's serialized form: names only, rebuilt through the builder
//! on load.

use serde::{Deserialize, Serialize};
use time::Duration;

use crate::error::{Error, Result};
use crate::limits;
use crate::model::basis::LegalBasis;
use crate::model::catalog::Catalog;
use crate::model::category::CategoryDef;
use crate::model::purpose::PurposeDef;
use crate::model::regimes::{CatalogRegimes, RegimeEntryRepr, RegimeRef};
use crate::model::standards::Standards;
use crate::regime::{KindSet, Mechanism};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CatalogRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) controller: Option<String>,
    #[serde(deserialize_with = "limits::bounded::<_, _, limits::Categories>")]
    pub(crate) categories: Vec<CategoryRepr>,
    #[serde(deserialize_with = "limits::bounded::<_, _, limits::Purposes>")]
    pub(crate) purposes: Vec<PurposeRepr>,
    /// Absent when the catalog enables no regime.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) regimes: Vec<RegimeEntryRepr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) default_regime: Option<RegimeRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CategoryRepr {
    pub(crate) name: String,
    /// Absent in catalogs written before categories had titles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) sensitive: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PurposeRepr {
    pub(crate) name: String,
    pub(crate) basis: LegalBasis,
    pub(crate) title: String,
    pub(crate) description: String,
    #[serde(deserialize_with = "limits::bounded::<_, _, limits::Categories>")]
    pub(crate) categories: Vec<String>,
    pub(crate) notice_version: u32,
    pub(crate) min_notice_version: u32,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) default_validity_secs: Option<i64>,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_validity_secs: Option<i64>,
    /// Calendar months (instead of seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) default_validity_months: Option<u32>,
    /// Calendar months (instead of seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_validity_months: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) sale_or_sharing: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) direct_marketing: bool,
    /// Calendar months; absent for the default (snapshots written before
    /// cooldowns existed load with the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cooldown_months: Option<u32>,
    /// Absent: the purpose is in no standard signal.
    #[serde(default, skip_serializing_if = "Standards::is_empty")]
    pub(crate) standards: Standards,
    /// Declared kinds; absent for the default of the purpose's marks.
    #[serde(default, skip_serializing_if = "no_kinds")]
    pub(crate) kinds: KindSet,
    /// Mechanisms overridden per regime code.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) mechanisms: BTreeMap<String, Mechanism>,
}

impl From<PurposeDef> for PurposeRepr {
    fn from(d: PurposeDef) -> Self {
        PurposeRepr {
            name: d.name,
            basis: d.basis,
            title: d.title,
            description: d.description,
            categories: d.categories,
            notice_version: d.notice_version,
            min_notice_version: d.min_notice_version.unwrap_or(d.notice_version),
            default_validity_secs: d.default_validity.map(|v| v.whole_seconds()),
            max_validity_secs: d.max_validity.map(|v| v.whole_seconds()),
            default_validity_months: d.default_validity_months,
            max_validity_months: d.max_validity_months,
            sale_or_sharing: d.sale_or_sharing,
            direct_marketing: d.direct_marketing,
            cooldown_months: d.cooldown_months,
            standards: d.standards,
            kinds: d.kinds,
            mechanisms: d.mechanisms.into_iter().collect(),
        }
    }
}

impl Catalog {
    pub(crate) fn to_repr(&self) -> CatalogRepr {
        let (regimes, default_regime) = self
            .regimes
            .as_deref()
            .map(CatalogRegimes::to_repr)
            .unwrap_or_default();
        CatalogRepr {
            regimes,
            default_regime,
            controller: self.controller.clone(),
            categories: self
                .categories
                .iter()
                .map(|c| CategoryRepr {
                    name: c.name.clone(),
                    title: c.declared_title.clone(),
                    description: c.description.clone(),
                    sensitive: c.declared_sensitive,
                })
                .collect(),
            purposes: self
                .purposes
                .iter()
                .map(|p| PurposeRepr::from(p.to_def()))
                .collect(),
        }
    }
}

impl TryFrom<CatalogRepr> for Catalog {
    type Error = Error;

    fn try_from(repr: CatalogRepr) -> Result<Catalog> {
        let mut b = Catalog::builder();
        if let Some(c) = repr.controller {
            b = b.controller(c);
        }
        for c in repr.categories {
            let mut d = CategoryDef::new(c.name);
            if let Some(t) = c.title {
                d = d.title(t);
            }
            if let Some(t) = c.description {
                d = d.description(t);
            }
            if c.sensitive {
                d = d.sensitive();
            }
            b = b.category(d);
        }
        for p in repr.purposes {
            let mut d = PurposeDef::new(p.name, p.basis)
                .title(p.title)
                .description(p.description)
                .categories(p.categories)
                .notice_version(p.notice_version)
                .min_notice_version(p.min_notice_version);
            if let Some(s) = p.default_validity_secs {
                d = d.default_validity(Duration::seconds(s));
            }
            if let Some(s) = p.max_validity_secs {
                d = d.max_validity(Duration::seconds(s));
            }
            if let Some(m) = p.default_validity_months {
                d = d.default_validity_months(m);
            }
            if let Some(m) = p.max_validity_months {
                d = d.max_validity_months(m);
            }
            if p.sale_or_sharing {
                d = d.sale_or_sharing();
            }
            if p.direct_marketing {
                d = d.direct_marketing();
            }
            if let Some(months) = p.cooldown_months {
                d = d.cooldown_months(months);
            }
            d = d.standards(p.standards);
            for kind in p.kinds.iter() {
                d = d.kind(kind);
            }
            for (code, mechanism) in p.mechanisms {
                d = d.mechanism_in(code, mechanism);
            }
            b = b.purpose(d);
        }
        for (i, entry) in repr.regimes.into_iter().enumerate() {
            let (list, regime) = entry.regime(i)?;
            b = b.regime_for(list.iter().map(ToString::to_string), regime);
        }
        if let Some(d) = repr.default_regime {
            b = b.default_regime(d.resolve()?);
        }
        b.build()
    }
}

impl Serialize for Catalog {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_repr().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Catalog {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let repr = CatalogRepr::deserialize(d)?;
        Catalog::try_from(repr).map_err(serde::de::Error::custom)
    }
}

fn no_kinds(kinds: &KindSet) -> bool {
    kinds.is_empty()
}
