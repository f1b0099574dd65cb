//! Purposes: as declared (PurposeDef) and as the catalog holds them after
//! checking (Purpose).

use hashbrown::HashMap;

use time::Duration;

use crate::error::{Error, NameKind, Result};
use crate::limits;
use crate::model::basis::LegalBasis;
use crate::model::category::{Category, CategorySet};
use crate::model::kinds;
use crate::model::standards::Standards;
use crate::regime::{KindSet, Mechanism};
use crate::wire::timestamp::{self, Nanos};

/// A purpose as declared, before the catalog checks it: name, basis, texts,
/// categories, notice versions, validity and marks.
///
/// Required values go in [`PurposeDef::new`]; the rest are chained. Every value
/// is checked by [`CatalogBuilder::build`](crate::CatalogBuilder::build).
///
/// # Examples
///
/// ```
/// use consentry::{LegalBasis, PurposeDef};
/// use time::Duration;
///
/// let newsletter = PurposeDef::new("marketing.email", LegalBasis::Consent)
///     .title("Newsletter")
///     .description("A monthly e-mail about new products.")
///     .categories(["contact.email"])
///     .notice_version(3)
///     .min_notice_version(2)
///     .default_validity(Duration::days(365))
///     .max_validity(Duration::days(395))
///     .direct_marketing();
/// # let _ = newsletter;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct PurposeDef {
    pub(crate) name: String,
    pub(crate) basis: LegalBasis,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) categories: Vec<String>,
    pub(crate) notice_version: u32,
    pub(crate) min_notice_version: Option<u32>,
    pub(crate) default_validity: Option<Duration>,
    pub(crate) max_validity: Option<Duration>,
    pub(crate) default_validity_months: Option<u32>,
    pub(crate) max_validity_months: Option<u32>,
    pub(crate) sale_or_sharing: bool,
    pub(crate) direct_marketing: bool,
    pub(crate) cooldown_months: Option<u32>,
    pub(crate) standards: Standards,
    /// Declared kinds (see `kinds.rs`); empty for the default.
    pub(crate) kinds: KindSet,
    /// Mechanisms overridden per regime code.
    pub(crate) mechanisms: Vec<(String, Mechanism)>,
}

impl PurposeDef {
    /// Starts declaring purpose `name` under `basis`.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let news = catalog.purpose("news").expect("declared");
    /// assert_eq!((news.name(), news.basis()), ("news", LegalBasis::Consent));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn new(name: impl Into<String>, basis: LegalBasis) -> Self {
        PurposeDef {
            name: name.into(),
            basis,
            title: String::new(),
            description: String::new(),
            categories: Vec::new(),
            notice_version: 1,
            min_notice_version: None,
            default_validity: None,
            max_validity: None,
            default_validity_months: None,
            max_validity_months: None,
            sale_or_sharing: false,
            direct_marketing: false,
            cooldown_months: None,
            standards: Standards::new(),
            kinds: KindSet::EMPTY,
            mechanisms: Vec::new(),
        }
    }

    /// The short title shown to the subject (required).
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let news = catalog.purpose("news").expect("declared");
    /// assert_eq!(news.title(), "Newsletter");
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// What the processing is, in words the subject understands (required).
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let news = catalog.purpose("news").expect("declared");
    /// assert_eq!(news.description(), "A monthly e-mail.");
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The data categories the purpose may use (at least one). Declaring a
    /// category allows its descendants too.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let news = catalog.purpose("news").expect("declared");
    /// assert_eq!(news.categories().collect::<Vec<_>>(), ["email"]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn categories<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.categories.extend(names.into_iter().map(Into::into));
        self
    }

    /// The version of the notice currently shown (default 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .notice_version(3)
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let news = catalog.purpose("news").expect("declared");
    /// assert_eq!(news.notice_version(), 3);
    /// assert_eq!(news.min_notice_version(), 3); // by default, the current one
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn notice_version(mut self, version: u32) -> Self {
        self.notice_version = version;
        self
    }

    /// The oldest notice version whose consent still counts. Defaults to the
    /// current notice version: unless told otherwise, a new notice version
    /// asks everyone again.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .notice_version(3)
    ///             .min_notice_version(2)
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let news = catalog.purpose("news").expect("declared");
    /// assert_eq!(news.min_notice_version(), 2);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn min_notice_version(mut self, version: u32) -> Self {
        self.min_notice_version = Some(version);
        self
    }

    /// How long consent lasts when the request names no expiry. Defaults to
    /// the maximum validity, or no expiry if there is none.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .default_validity(time::Duration::days(365))
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let news = catalog.purpose("news").expect("declared");
    /// assert_eq!(news.default_validity(), Some(time::Duration::days(365)));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn default_validity(mut self, validity: Duration) -> Self {
        self.default_validity = Some(validity);
        self
    }

    /// The longest consent may last; a longer request is capped to it.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .max_validity(time::Duration::days(395))
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let news = catalog.purpose("news").expect("declared");
    /// assert_eq!(news.max_validity(), Some(time::Duration::days(395)));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn max_validity(mut self, validity: Duration) -> Self {
        self.max_validity = Some(validity);
        self
    }

    /// How long consent lasts when the request names no expiry, in calendar
    /// months: a grant given on 1 March for 13 months lasts until 1 April of
    /// the next year at the same time of day (UTC); a day past the end of the
    /// target month becomes its last day (31 August + 6 months = 28 or 29
    /// February). Instead of [`PurposeDef::default_validity`], not with it.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .default_validity_months(12)
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let news = catalog.purpose("news").expect("declared");
    /// assert_eq!(news.default_validity_months(), Some(12));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn default_validity_months(mut self, months: u32) -> Self {
        self.default_validity_months = Some(months);
        self
    }

    /// The longest consent may last, in calendar months (see
    /// [`PurposeDef::default_validity_months`] for how months count): the
    /// 13 months of the IAB TCF and of the CNIL's guidance are
    /// `max_validity_months(13)`, not 395 days (which ends a day early from
    /// 1 March). Instead of [`PurposeDef::max_validity`], not with it.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::*;
    /// use time::macros::datetime;
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .max_validity_months(13)
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let evidence = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// ledger.give(Grant::new("ann", "news", datetime!(2026-03-01 10:00 UTC), evidence))?;
    /// let record = ledger.subject_records("ann").expect("known");
    /// let expires = record.record("news").and_then(|r| r.expires_at());
    /// assert_eq!(expires, Some(datetime!(2027-04-01 10:00 UTC)));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn max_validity_months(mut self, months: u32) -> Self {
        self.max_validity_months = Some(months);
        self
    }

    /// Marks the purpose as sale, sharing or targeted advertising: a global
    /// opt-out signal (GPC) denies it.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .sale_or_sharing()
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let news = catalog.purpose("news").expect("declared");
    /// assert!(news.is_sale_or_sharing());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn sale_or_sharing(mut self) -> Self {
        self.sale_or_sharing = true;
        self
    }

    /// Marks the purpose as direct marketing: the subject may object to it
    /// whatever its basis, and the objection is absolute.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .direct_marketing()
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let news = catalog.purpose("news").expect("declared");
    /// assert!(news.is_direct_marketing());
    /// assert!(news.allows_objection()); // an objection is absolute
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn direct_marketing(mut self) -> Self {
        self.direct_marketing = true;
        self
    }

    /// How many calendar months to wait, after the subject refused, withdrew,
    /// objected to or opted out of the purpose, before asking them again (see
    /// [`crate::Ledger::should_ask`]); `0` allows asking again at once.
    ///
    /// Defaults to [`Purpose::OPT_OUT_COOLDOWN_MONTHS`] (12) for sale/sharing
    /// purposes, as the CCPA requires before asking a consumer who opted out
    /// to opt back in, and to [`Purpose::DEFAULT_COOLDOWN_MONTHS`] (6)
    /// otherwise. At most [`Purpose::MAX_COOLDOWN_MONTHS`].
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("browsing")
    ///     .purpose(
    ///         PurposeDef::new("analytics", LegalBasis::Consent)
    ///             .title("Analytics")
    ///             .description("Counting visits.")
    ///             .categories(["browsing"])
    ///             .cooldown_months(3),
    ///     )
    ///     .build()?;
    /// assert_eq!(catalog.purpose("analytics").map(|p| p.cooldown_months()), Some(3));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn cooldown_months(mut self, months: u32) -> Self {
        self.cooldown_months = Some(months);
        self
    }
}

/// A declared purpose, as the catalog holds it after checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose {
    pub(crate) name: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) basis: LegalBasis,
    pub(crate) category_names: Vec<String>,
    pub(crate) notice_version: u32,
    pub(crate) min_notice_version: u32,
    pub(crate) default_validity: Option<Duration>,
    pub(crate) max_validity: Option<Duration>,
    pub(crate) sale_or_sharing: bool,
    pub(crate) direct_marketing: bool,
    /// As declared; `None` for the default of the purpose's kind.
    pub(crate) cooldown_months: Option<u32>,
    /// As declared (empty for the default); see [`Purpose::kinds`].
    pub(crate) kinds: KindSet,
    /// Mechanisms overridden per regime code, sorted by code.
    pub(crate) mechanisms: Vec<(String, Mechanism)>,
    /// The declared categories.
    pub(crate) declared: CategorySet,
    /// The declared categories and their descendants: what the purpose may use.
    pub(crate) allowed: CategorySet,
    pub(crate) default_validity_months: Option<u32>,
    pub(crate) max_validity_months: Option<u32>,
    /// What the expiry of a grant without one is computed from.
    pub(crate) default_span: Option<Span>,
    /// What a requested expiry is capped to.
    pub(crate) max_span: Option<Span>,
    pub(crate) standards: Standards,
}

/// A validity: an exact duration or calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Span {
    Nanos(i64),
    Months(u32),
}

impl Span {
    /// The end of a validity starting at `at`, cut at the last storable
    /// instant (never extended).
    pub(crate) fn end(self, at: Nanos) -> Nanos {
        match self {
            Span::Nanos(d) => timestamp::add_within_range(at, d),
            Span::Months(m) => timestamp::add_months(at, m),
        }
    }
}

impl Purpose {
    pub(crate) fn check(
        def: PurposeDef,
        categories: &[Category],
        category_index: &HashMap<String, u8>,
    ) -> Result<Purpose> {
        limits::check_name(NameKind::Purpose, &def.name)?;
        let name = def.name;
        let bad = |problem: String| Error::InvalidPurpose {
            purpose: name.clone(),
            problem,
        };
        if def.title.trim().is_empty() {
            return Err(bad("has no title".into()));
        }
        if def.description.trim().is_empty() {
            return Err(bad("has no description".into()));
        }
        limits::check_text("title length in bytes", &def.title).map_err(|e| bad(e.to_string()))?;
        limits::check_text("description length in bytes", &def.description)
            .map_err(|e| bad(e.to_string()))?;
        if def.categories.is_empty() {
            return Err(bad("declares no data categories".into()));
        }
        let mut declared = CategorySet::empty();
        let mut allowed = CategorySet::empty();
        let mut category_names = Vec::with_capacity(def.categories.len());
        for c in def.categories {
            let Some(&i) = category_index.get(&c) else {
                return Err(bad(format!(
                    "uses undeclared category {}",
                    crate::error::quoted(&c)
                )));
            };
            let Some(cat) = categories.get(usize::from(i)) else {
                return Err(Error::UnknownCategory(c));
            };
            if declared.contains(CategorySet::single(i)) {
                return Err(bad(format!("lists category `{c}` twice")));
            }
            if def.basis == LegalBasis::Consent && cat.sensitive {
                return Err(bad(format!(
                    "uses sensitive category `{c}` under plain consent; sensitive data needs explicit consent"
                )));
            }
            declared |= CategorySet::single(i);
            allowed |= cat.descendants;
            category_names.push(c);
        }
        let min_notice_version = def.min_notice_version.unwrap_or(def.notice_version);
        if def.notice_version == 0
            || min_notice_version == 0
            || min_notice_version > def.notice_version
        {
            return Err(Error::InvalidNoticeVersions {
                purpose: name,
                current: def.notice_version,
                minimum: min_notice_version,
            });
        }
        let seconds = |what: &str, d: Option<Duration>| -> Result<Option<i64>> {
            let Some(d) = d else { return Ok(None) };
            if !d.is_positive() || d.subsec_nanoseconds() != 0 {
                return Err(bad(format!(
                    "{what} validity must be a positive whole number of seconds, not {d}"
                )));
            }
            d.whole_seconds()
                .checked_mul(1_000_000_000)
                .map(Some)
                .ok_or_else(|| bad(format!("{what} validity {d} is too long")))
        };
        let max_nanos = seconds("maximum", def.max_validity)?;
        let default_nanos = seconds("default", def.default_validity)?;
        let months = |what: &str, m: Option<u32>, exact: Option<i64>| -> Result<Option<u32>> {
            match m {
                Some(_) if exact.is_some() => Err(bad(format!(
                    "declares its {what} validity both as a duration and in months; choose one"
                ))),
                Some(0) => Err(bad(format!(
                    "{what} validity of 0 months; it must be at least 1"
                ))),
                Some(m) if m > Purpose::MAX_VALIDITY_MONTHS => Err(bad(format!(
                    "{what} validity of {m} months exceeds the limit of {} months",
                    Purpose::MAX_VALIDITY_MONTHS
                ))),
                m => Ok(m),
            }
        };
        let max_months = months("maximum", def.max_validity_months, max_nanos)?;
        let default_months = months("default", def.default_validity_months, default_nanos)?;
        let span = |nanos: Option<i64>, months: Option<u32>| {
            nanos.map(Span::Nanos).or(months.map(Span::Months))
        };
        let max_span = span(max_nanos, max_months);
        let default_span = span(default_nanos, default_months).or(max_span);
        // Same kinds compare exactly; a default in months against a maximum
        // duration (or the reverse) is capped to the maximum when used.
        let exceeds = match (default_span, max_span) {
            (Some(Span::Nanos(d)), Some(Span::Nanos(m))) => (d > m).then(|| {
                format!(
                    "default validity {} exceeds maximum validity {}",
                    Duration::nanoseconds(d),
                    Duration::nanoseconds(m)
                )
            }),
            (Some(Span::Months(d)), Some(Span::Months(m))) => (d > m).then(|| {
                format!("default validity of {d} months exceeds maximum validity of {m} months")
            }),
            _ => None,
        };
        if let Some(problem) = exceeds {
            return Err(bad(problem));
        }
        if let Some(months) = def.cooldown_months
            && months > Purpose::MAX_COOLDOWN_MONTHS
        {
            return Err(bad(format!(
                "cooldown of {months} months exceeds the limit of {} months",
                Purpose::MAX_COOLDOWN_MONTHS
            )));
        }
        if let Some(problem) = def.standards.problem(def.basis, def.sale_or_sharing) {
            return Err(bad(problem));
        }
        Ok(Purpose {
            standards: def.standards,
            title: def.title,
            description: def.description,
            basis: def.basis,
            category_names,
            notice_version: def.notice_version,
            min_notice_version,
            default_validity: match default_span {
                Some(Span::Nanos(d)) => Some(Duration::nanoseconds(d)),
                _ => None,
            },
            max_validity: def.max_validity,
            default_validity_months: match default_span {
                Some(Span::Months(m)) => Some(m),
                _ => None,
            },
            max_validity_months: max_months,
            sale_or_sharing: def.sale_or_sharing,
            direct_marketing: def.direct_marketing,
            cooldown_months: def.cooldown_months,
            kinds: def.kinds,
            mechanisms: kinds::check_mechanisms(def.mechanisms).map_err(bad)?,
            declared,
            allowed,
            default_span,
            max_span,
            name,
        })
    }

    /// The dotted name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The title shown to the subject.
    #[must_use]
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The description shown to the subject.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The legal basis.
    #[must_use]
    pub fn basis(&self) -> LegalBasis {
        self.basis
    }

    /// The declared categories, in declaration order (their descendants are allowed too).
    pub fn categories(&self) -> impl ExactSizeIterator<Item = &str> {
        self.category_names.iter().map(String::as_str)
    }

    /// The notice version currently shown.
    #[must_use]
    pub fn notice_version(&self) -> u32 {
        self.notice_version
    }

    /// The oldest notice version whose consent still counts.
    #[must_use]
    pub fn min_notice_version(&self) -> u32 {
        self.min_notice_version
    }

    /// How long consent lasts when no expiry is asked for, as an exact
    /// duration (`None`: no expiry, or a validity in months, see
    /// [`Purpose::default_validity_months`]).
    #[must_use]
    pub fn default_validity(&self) -> Option<Duration> {
        self.default_validity
    }

    /// The longest consent may last, as an exact duration (`None`: no
    /// maximum, or a maximum in months, see [`Purpose::max_validity_months`]).
    #[must_use]
    pub fn max_validity(&self) -> Option<Duration> {
        self.max_validity
    }

    /// How long consent lasts when no expiry is asked for, in calendar
    /// months, if declared in months (or falling back to a maximum in
    /// months).
    #[must_use]
    pub fn default_validity_months(&self) -> Option<u32> {
        self.default_validity_months
    }

    /// The longest consent may last, in calendar months, if declared in
    /// months.
    #[must_use]
    pub fn max_validity_months(&self) -> Option<u32> {
        self.max_validity_months
    }

    /// The longest validity a purpose may declare in months: 1200 (100 years).
    pub const MAX_VALIDITY_MONTHS: u32 = 1200;

    /// Whether it is sale, sharing or targeted advertising (denied under a global opt-out).
    #[must_use]
    pub fn is_sale_or_sharing(&self) -> bool {
        self.sale_or_sharing
    }

    /// Whether it is direct marketing (open to an absolute objection).
    #[must_use]
    pub fn is_direct_marketing(&self) -> bool {
        self.direct_marketing
    }

    /// Whether the subject may object to it: legitimate interest, public task,
    /// or any direct marketing purpose.
    #[must_use]
    pub fn allows_objection(&self) -> bool {
        self.basis.allows_objection() || self.direct_marketing
    }

    /// The default cooldown, in calendar months, before asking again a
    /// subject who refused, withdrew or objected: 6.
    pub const DEFAULT_COOLDOWN_MONTHS: u32 = 6;

    /// The default cooldown, in calendar months, for sale/sharing purposes:
    /// 12, as the CCPA requires before asking a consumer who opted out of
    /// sale or sharing to opt back in.
    pub const OPT_OUT_COOLDOWN_MONTHS: u32 = 12;

    /// The longest cooldown a purpose may declare: 1200 months (100 years).
    pub const MAX_COOLDOWN_MONTHS: u32 = 1200;

    /// How many calendar months to wait before asking again a subject who
    /// refused, withdrew, objected or opted out: as declared with
    /// [`PurposeDef::cooldown_months`], else
    /// [`Purpose::OPT_OUT_COOLDOWN_MONTHS`] for a sale/sharing purpose and
    /// [`Purpose::DEFAULT_COOLDOWN_MONTHS`] for any other.
    #[must_use]
    pub fn cooldown_months(&self) -> u32 {
        match self.cooldown_months {
            Some(months) => months,
            None if self.sale_or_sharing => Purpose::OPT_OUT_COOLDOWN_MONTHS,
            None => Purpose::DEFAULT_COOLDOWN_MONTHS,
        }
    }

    pub(crate) fn to_def(&self) -> PurposeDef {
        PurposeDef {
            name: self.name.clone(),
            basis: self.basis,
            title: self.title.clone(),
            description: self.description.clone(),
            categories: self.category_names.clone(),
            notice_version: self.notice_version,
            min_notice_version: Some(self.min_notice_version),
            default_validity: self.default_validity,
            max_validity: self.max_validity,
            default_validity_months: self.default_validity_months,
            max_validity_months: self.max_validity_months,
            sale_or_sharing: self.sale_or_sharing,
            direct_marketing: self.direct_marketing,
            cooldown_months: self.cooldown_months,
            standards: self.standards.clone(),
            kinds: self.kinds,
            mechanisms: self.mechanisms.clone(),
        }
    }
}
