//! The catalog: the controller's declared data categories and purposes.

use hashbrown::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Duration;

use crate::error::{Error, NameKind, Result};
use crate::limits::{self, CATEGORY_CAPACITY, MAX_PURPOSES};
use crate::model::category::CategorySet;

/// The legal basis of a purpose: what makes processing lawful, and so what
/// the engine decides when the subject has said nothing.
///
/// | basis | subject said nothing | refused / withdrawn | objected |
/// |---|---|---|---|
/// | `Consent`, `ExplicitConsent` | denied | denied | denied |
/// | `LegitimateInterest` | permitted | denied | denied |
/// | `PublicTask` | permitted | permitted | denied |
/// | `Contract`, `LegalObligation`, `VitalInterests` | permitted | permitted | not accepted |
///
/// An objection is accepted for legitimate interest and public task, and for
/// any purpose marked direct marketing ([`PurposeDef::direct_marketing`]).
///
/// Whatever the basis, sensitive categories need a valid consent record and
/// sale/sharing purposes are denied under a global opt-out.
///
/// # Examples
///
/// ```
/// use consentry::LegalBasis;
/// let basis: LegalBasis = "legitimate_interest".parse()?;
/// assert!(!basis.is_consent());
/// assert_eq!(basis.to_string(), "legitimate interest");
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// Consent (GDPR Art. 6(1)(a)): denied until the subject says yes.
    Consent,
    /// Explicit consent (GDPR Art. 9(2)(a)), required for sensitive data.
    ExplicitConsent,
    /// Legitimate interest (Art. 6(1)(f)) and opt-out regimes: permitted until
    /// the subject objects, refuses or opts out.
    LegitimateInterest,
    /// Performance of a contract with the subject (Art. 6(1)(b)).
    Contract,
    /// A legal obligation of the controller (Art. 6(1)(c)).
    LegalObligation,
    /// Vital interests of the subject or another person (Art. 6(1)(d)).
    VitalInterests,
    /// A task in the public interest (Art. 6(1)(e)); open to objection.
    PublicTask,
}

impl LegalBasis {
    /// All bases, in declaration order.
    pub const ALL: [LegalBasis; 7] = [
        LegalBasis::Consent,
        LegalBasis::ExplicitConsent,
        LegalBasis::LegitimateInterest,
        LegalBasis::Contract,
        LegalBasis::LegalObligation,
        LegalBasis::VitalInterests,
        LegalBasis::PublicTask,
    ];

    /// Whether processing needs the subject's consent (consent or explicit consent).
    #[must_use]
    pub const fn is_consent(self) -> bool {
        matches!(self, LegalBasis::Consent | LegalBasis::ExplicitConsent)
    }

    /// Whether a refusal or withdrawal denies the purpose: true for the consent
    /// bases and legitimate interest.
    #[must_use]
    pub const fn honours_refusal(self) -> bool {
        matches!(
            self,
            LegalBasis::Consent | LegalBasis::ExplicitConsent | LegalBasis::LegitimateInterest
        )
    }

    /// Whether the subject may object (GDPR Art. 21): legitimate interest and public task.
    #[must_use]
    pub const fn allows_objection(self) -> bool {
        matches!(
            self,
            LegalBasis::LegitimateInterest | LegalBasis::PublicTask
        )
    }

    /// The snake_case name used in JSON and by [`FromStr`].
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LegalBasis::Consent => "consent",
            LegalBasis::ExplicitConsent => "explicit_consent",
            LegalBasis::LegitimateInterest => "legitimate_interest",
            LegalBasis::Contract => "contract",
            LegalBasis::LegalObligation => "legal_obligation",
            LegalBasis::VitalInterests => "vital_interests",
            LegalBasis::PublicTask => "public_task",
        }
    }
}

impl fmt::Display for LegalBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LegalBasis::Consent => "consent",
            LegalBasis::ExplicitConsent => "explicit consent",
            LegalBasis::LegitimateInterest => "legitimate interest",
            LegalBasis::Contract => "contract",
            LegalBasis::LegalObligation => "legal obligation",
            LegalBasis::VitalInterests => "vital interests",
            LegalBasis::PublicTask => "public task",
        })
    }
}

impl FromStr for LegalBasis {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        LegalBasis::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| Error::UnknownBasis(crate::error::shown(s)))
    }
}

/// A purpose as declared, before the catalog checks it: name, basis, texts,
/// categories, notice versions, validity and marks.
///
/// Required values go in [`PurposeDef::new`]; the rest are chained. Every value
/// is checked by [`CatalogBuilder::build`].
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
    name: String,
    basis: LegalBasis,
    title: String,
    description: String,
    categories: Vec<String>,
    notice_version: u32,
    min_notice_version: Option<u32>,
    default_validity: Option<Duration>,
    max_validity: Option<Duration>,
    sale_or_sharing: bool,
    direct_marketing: bool,
    cooldown_months: Option<u32>,
}

impl PurposeDef {
    /// Starts declaring purpose `name` under `basis`.
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
            sale_or_sharing: false,
            direct_marketing: false,
            cooldown_months: None,
        }
    }

    /// The short title shown to the subject (required).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// What the processing is, in words the subject understands (required).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The data categories the purpose may use (at least one). Declaring a
    /// category allows its descendants too.
    pub fn categories<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.categories.extend(names.into_iter().map(Into::into));
        self
    }

    /// The version of the notice currently shown (default 1).
    pub fn notice_version(mut self, version: u32) -> Self {
        self.notice_version = version;
        self
    }

    /// The oldest notice version whose consent still counts. Defaults to the
    /// current notice version: unless told otherwise, a new notice version
    /// asks everyone again.
    pub fn min_notice_version(mut self, version: u32) -> Self {
        self.min_notice_version = Some(version);
        self
    }

    /// How long consent lasts when the request names no expiry. Defaults to
    /// the maximum validity, or no expiry if there is none.
    pub fn default_validity(mut self, validity: Duration) -> Self {
        self.default_validity = Some(validity);
        self
    }

    /// The longest consent may last; a longer request is capped to it.
    pub fn max_validity(mut self, validity: Duration) -> Self {
        self.max_validity = Some(validity);
        self
    }

    /// Marks the purpose as sale, sharing or targeted advertising: a global
    /// opt-out signal (GPC) denies it.
    pub fn sale_or_sharing(mut self) -> Self {
        self.sale_or_sharing = true;
        self
    }

    /// Marks the purpose as direct marketing: the subject may object to it
    /// whatever its basis, and the objection is absolute.
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

/// Builds a [`Catalog`]; [`CatalogBuilder::build`] checks every declaration.
///
/// # Examples
///
/// ```
/// use consentry::{Catalog, LegalBasis, PurposeDef};
///
/// let catalog = Catalog::builder()
///     .controller("Acme Shop Ltd")
///     .category("contact")
///     .category("contact.email")
///     .sensitive_category("health")
///     .purpose(
///         PurposeDef::new("marketing.email", LegalBasis::Consent)
///             .title("Newsletter")
///             .description("A monthly e-mail about new products.")
///             .categories(["contact.email"]),
///     )
///     .build()?;
/// assert_eq!(catalog.purposes().count(), 1);
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct CatalogBuilder {
    controller: Option<String>,
    categories: Vec<(String, bool)>,
    purposes: Vec<PurposeDef>,
}

impl CatalogBuilder {
    /// Names the controller (the organisation responsible), shown in reports
    /// and receipts.
    pub fn controller(mut self, name: impl Into<String>) -> Self {
        self.controller = Some(name.into());
        self
    }

    /// Declares a data category. A dotted name needs its parent declared
    /// before it.
    pub fn category(mut self, name: impl Into<String>) -> Self {
        self.categories.push((name.into(), false));
        self
    }

    /// Declares a sensitive data category (GDPR Art. 9, CPRA sensitive
    /// personal information). Its descendants are sensitive too.
    pub fn sensitive_category(mut self, name: impl Into<String>) -> Self {
        self.categories.push((name.into(), true));
        self
    }

    /// Declares a purpose.
    pub fn purpose(mut self, purpose: PurposeDef) -> Self {
        self.purposes.push(purpose);
        self
    }

    /// Checks every declaration and builds the catalog.
    ///
    /// # Errors
    ///
    /// The first problem found, naming the offending item: a malformed or
    /// duplicate name, a category whose parent is not declared, more than
    /// [`CATEGORY_CAPACITY`] categories, a purpose without title, description
    /// or categories, an undeclared category, a notice version of 0 or a
    /// minimum above the current one, a validity that is not a positive whole
    /// number of seconds or a default above the maximum, a cooldown above
    /// [`Purpose::MAX_COOLDOWN_MONTHS`], or a sensitive category under plain
    /// consent (it needs explicit consent).
    pub fn build(self) -> Result<Catalog> {
        if let Some(c) = &self.controller {
            limits::check_text("controller name length in bytes", c)?;
        }
        if self.categories.len() > CATEGORY_CAPACITY {
            return Err(Error::TooManyCategories {
                declared: self.categories.len(),
                capacity: CATEGORY_CAPACITY,
            });
        }
        if self.purposes.len() > MAX_PURPOSES {
            return Err(Error::LimitExceeded {
                what: "number of purposes",
                limit: MAX_PURPOSES,
                found: self.purposes.len(),
            });
        }
        let mut categories: Vec<Category> = Vec::with_capacity(self.categories.len());
        let mut category_index = HashMap::with_capacity(self.categories.len());
        for (i, (name, sensitive)) in self.categories.into_iter().enumerate() {
            limits::check_name(NameKind::Category, &name)?;
            if category_index.contains_key(&name) {
                return Err(Error::DuplicateCategory(name));
            }
            let parent = match name.rsplit_once('.') {
                None => None,
                Some((parent, _)) => match category_index.get(parent) {
                    Some(&p) => Some(p),
                    None => {
                        return Err(Error::MissingParent {
                            parent: parent.to_owned(),
                            category: name,
                        });
                    }
                },
            };
            // INVARIANT: i < CATEGORY_CAPACITY = 128, checked above.
            let index = i as u8;
            let mut ancestors = CategorySet::single(index);
            let mut inherited_sensitive = false;
            if let Some(p) = parent.and_then(|p: u8| categories.get(usize::from(p))) {
                ancestors |= p.ancestors;
                inherited_sensitive = p.sensitive;
            }
            category_index.insert(name.clone(), index);
            categories.push(Category {
                name,
                sensitive: sensitive || inherited_sensitive,
                declared_sensitive: sensitive,
                parent,
                ancestors,
                descendants: CategorySet::empty(),
                needs_explicit: false,
            });
        }
        // Descendant sets and the sensitivity of checks, now that all are known.
        for i in 0..categories.len() {
            let Some(c) = categories.get(i) else { continue };
            let (ancestors, sensitive) = (c.ancestors, c.sensitive);
            for a in ancestors.indices() {
                if let Some(anc) = categories.get_mut(usize::from(a)) {
                    anc.descendants |= CategorySet::single(i as u8);
                    // Using a parent uses its sensitive descendants.
                    anc.needs_explicit |= sensitive;
                }
            }
        }

        let mut purposes = Vec::with_capacity(self.purposes.len());
        let mut purpose_index = HashMap::with_capacity(self.purposes.len());
        for def in self.purposes {
            let purpose = Purpose::check(def, &categories, &category_index)?;
            if purpose_index.contains_key(&purpose.name) {
                return Err(Error::DuplicatePurpose(purpose.name));
            }
            // INVARIANT: at most MAX_PURPOSES (< u16::MAX) purposes, checked above.
            purpose_index.insert(purpose.name.clone(), purposes.len() as u16);
            purposes.push(purpose);
        }
        let mut alpha: Vec<u8> = (0..categories.len() as u8).collect();
        alpha.sort_by(|a, b| {
            let name = |i: &u8| categories.get(usize::from(*i)).map(|c| c.name.as_str());
            name(a).cmp(&name(b))
        });
        let fingerprint = fingerprint(
            categories.iter().map(|c| c.name.as_str()),
            purposes.iter().map(|p| p.name.as_str()),
        );
        Ok(Catalog {
            fingerprint,
            alpha,
            controller: self.controller,
            categories,
            category_index,
            purposes,
            purpose_index,
        })
    }
}

/// A declared data category, as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    name: String,
    sensitive: bool,
    declared_sensitive: bool,
    parent: Option<u8>,
    /// This category and its ancestors.
    pub(crate) ancestors: CategorySet,
    /// This category and its descendants.
    pub(crate) descendants: CategorySet,
    /// Whether using it uses sensitive data: it, an ancestor or a descendant
    /// is sensitive.
    pub(crate) needs_explicit: bool,
}

impl Category {
    /// The dotted name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the category is sensitive, declared so or under a sensitive parent.
    #[must_use]
    pub fn is_sensitive(&self) -> bool {
        self.sensitive
    }

    /// Whether processing this category touches sensitive data: it is
    /// sensitive or has a sensitive descendant. Such processing always needs
    /// explicit consent.
    #[must_use]
    pub fn needs_explicit_consent(&self) -> bool {
        self.needs_explicit
    }
}

/// A declared purpose, as the catalog holds it after checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose {
    name: String,
    title: String,
    description: String,
    basis: LegalBasis,
    category_names: Vec<String>,
    notice_version: u32,
    min_notice_version: u32,
    default_validity: Option<Duration>,
    max_validity: Option<Duration>,
    sale_or_sharing: bool,
    direct_marketing: bool,
    /// As declared; `None` for the default of the purpose's kind.
    cooldown_months: Option<u32>,
    /// The declared categories.
    pub(crate) declared: CategorySet,
    /// The declared categories and their descendants: what the purpose may use.
    pub(crate) allowed: CategorySet,
    pub(crate) default_nanos: Option<i64>,
    pub(crate) max_nanos: Option<i64>,
}

impl Purpose {
    fn check(
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
        if def.notice_version == 0 {
            return Err(Error::NoticeVersion {
                purpose: name,
                problem: "notice versions start at 1".into(),
            });
        }
        let min_notice_version = def.min_notice_version.unwrap_or(def.notice_version);
        if min_notice_version == 0 || min_notice_version > def.notice_version {
            return Err(Error::NoticeVersion {
                purpose: name,
                problem: format!(
                    "minimum notice version {min_notice_version} must be between 1 and the current version {}",
                    def.notice_version
                ),
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
        let default_nanos = seconds("default", def.default_validity)?.or(max_nanos);
        if let (Some(d), Some(m)) = (default_nanos, max_nanos)
            && d > m
        {
            return Err(bad(format!(
                "default validity {} exceeds maximum validity {}",
                Duration::nanoseconds(d),
                Duration::nanoseconds(m)
            )));
        }
        if let Some(months) = def.cooldown_months
            && months > Purpose::MAX_COOLDOWN_MONTHS
        {
            return Err(bad(format!(
                "cooldown of {months} months exceeds the limit of {} months",
                Purpose::MAX_COOLDOWN_MONTHS
            )));
        }
        Ok(Purpose {
            title: def.title,
            description: def.description,
            basis: def.basis,
            category_names,
            notice_version: def.notice_version,
            min_notice_version,
            default_validity: default_nanos.map(Duration::nanoseconds),
            max_validity: def.max_validity,
            sale_or_sharing: def.sale_or_sharing,
            direct_marketing: def.direct_marketing,
            cooldown_months: def.cooldown_months,
            declared,
            allowed,
            default_nanos,
            max_nanos,
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

    /// How long consent lasts when no expiry is asked for (`None`: no expiry).
    #[must_use]
    pub fn default_validity(&self) -> Option<Duration> {
        self.default_validity
    }

    /// The longest consent may last (`None`: no maximum).
    #[must_use]
    pub fn max_validity(&self) -> Option<Duration> {
        self.max_validity
    }

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

    fn to_def(&self) -> PurposeDef {
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
            sale_or_sharing: self.sale_or_sharing,
            direct_marketing: self.direct_marketing,
            cooldown_months: self.cooldown_months,
        }
    }
}

/// A purpose resolved once, for checks by handle ([`crate::Ledger::check`]).
///
/// Valid for any catalog that declares the same purposes and categories in
/// the same order (a clone, or the catalog a snapshot restores): a handle
/// carries a fingerprint of its catalog's names, and a check with a handle
/// of another catalog is denied ([`crate::Decision::ForeignHandle`]), never
/// answered for another purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PurposeHandle {
    pub(crate) index: u16,
    pub(crate) catalog: u64,
}

/// A data category resolved once, for checks by handle. Valid for any
/// catalog with the same names in the same order, like [`PurposeHandle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CategoryHandle {
    pub(crate) index: u8,
    pub(crate) catalog: u64,
}

/// The controller's declared data categories and purposes, checked.
///
/// Built with [`Catalog::builder`]; serializable (names only) so a snapshot
/// carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    controller: Option<String>,
    categories: Vec<Category>,
    category_index: HashMap<String, u8>,
    purposes: Vec<Purpose>,
    purpose_index: HashMap<String, u16>,
    /// Category indices in name order.
    alpha: Vec<u8>,
    /// A fingerprint of the purpose and category names in order: what
    /// handles are valid for.
    fingerprint: u64,
}

impl Catalog {
    /// Starts declaring a catalog.
    pub fn builder() -> CatalogBuilder {
        CatalogBuilder::default()
    }

    /// The controller's name, if declared.
    #[must_use]
    pub fn controller(&self) -> Option<&str> {
        self.controller.as_deref()
    }

    /// The purpose named `name`.
    #[must_use]
    pub fn purpose(&self, name: &str) -> Option<&Purpose> {
        self.purpose_handle(name).and_then(|h| self.purpose_at(h))
    }

    /// The data category named `name`.
    #[must_use]
    pub fn category(&self, name: &str) -> Option<&Category> {
        self.category_handle(name).and_then(|h| self.category_at(h))
    }

    /// Every purpose, in declaration order.
    pub fn purposes(&self) -> impl ExactSizeIterator<Item = &Purpose> {
        self.purposes.iter()
    }

    /// Every data category, in declaration order.
    pub fn categories(&self) -> impl ExactSizeIterator<Item = &Category> {
        self.categories.iter()
    }

    /// Resolves a purpose name once, for repeated checks by handle.
    #[must_use]
    pub fn purpose_handle(&self, name: &str) -> Option<PurposeHandle> {
        self.purpose_index(name).map(|index| PurposeHandle {
            index,
            catalog: self.fingerprint,
        })
    }

    /// Resolves a category name once, for repeated checks by handle.
    #[must_use]
    pub fn category_handle(&self, name: &str) -> Option<CategoryHandle> {
        self.category_index(name).map(|index| CategoryHandle {
            index,
            catalog: self.fingerprint,
        })
    }

    /// The purpose behind a handle (`None` for a handle of another catalog).
    #[must_use]
    pub fn purpose_at(&self, handle: PurposeHandle) -> Option<&Purpose> {
        if handle.catalog != self.fingerprint {
            return None;
        }
        self.purpose_by_index(handle.index)
    }

    /// The category behind a handle (`None` for a handle of another catalog).
    #[must_use]
    pub fn category_at(&self, handle: CategoryHandle) -> Option<&Category> {
        if handle.catalog != self.fingerprint {
            return None;
        }
        self.category_by_index(handle.index)
    }

    /// Whether handles of this catalog are valid here.
    #[inline]
    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The index of a purpose name.
    #[inline]
    pub(crate) fn purpose_index(&self, name: &str) -> Option<u16> {
        self.purpose_index.get(name).copied()
    }

    /// The index of a category name.
    #[inline]
    pub(crate) fn category_index(&self, name: &str) -> Option<u8> {
        self.category_index.get(name).copied()
    }

    /// The purpose at an index.
    #[inline]
    pub(crate) fn purpose_by_index(&self, index: u16) -> Option<&Purpose> {
        self.purposes.get(usize::from(index))
    }

    /// The category at an index.
    #[inline]
    pub(crate) fn category_by_index(&self, index: u8) -> Option<&Category> {
        self.categories.get(usize::from(index))
    }

    /// The `pos`-th category in name order: its index and name.
    pub(crate) fn sorted_category(&self, pos: usize) -> Option<(u8, &str)> {
        let i = *self.alpha.get(pos)?;
        Some((i, self.categories.get(usize::from(i))?.name.as_str()))
    }

    /// The names of a category set, in name order (as events write them).
    pub(crate) fn names_sorted(&self, set: CategorySet) -> impl Iterator<Item = &str> {
        self.alpha
            .iter()
            .filter(move |i| set.contains(CategorySet::single(**i)))
            .filter_map(|i| self.categories.get(usize::from(*i)))
            .map(|c| c.name.as_str())
    }

    /// The names of a category set, in declaration order.
    pub(crate) fn category_names(&self, set: CategorySet) -> Vec<String> {
        set.indices()
            .filter_map(|i| self.categories.get(usize::from(i)))
            .map(|c| c.name.clone())
            .collect()
    }

    /// The set for category names, each checked against purpose `purpose`.
    pub(crate) fn category_set<'n>(
        &self,
        purpose: &Purpose,
        names: impl IntoIterator<Item = &'n str>,
    ) -> Result<CategorySet> {
        let mut set = CategorySet::empty();
        for name in names {
            let Some(&i) = self.category_index.get(name) else {
                return Err(Error::UnknownCategory(crate::error::shown(name)));
            };
            let bit = CategorySet::single(i);
            if !purpose.allowed.contains(bit) {
                return Err(Error::CategoryOutsidePurpose {
                    purpose: purpose.name.clone(),
                    category: name.to_owned(),
                });
            }
            set |= bit;
        }
        Ok(set)
    }

    pub(crate) fn to_repr(&self) -> CatalogRepr {
        CatalogRepr {
            controller: self.controller.clone(),
            categories: self
                .categories
                .iter()
                .map(|c| CategoryRepr {
                    name: c.name.clone(),
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

/// FNV-1a (64-bit) over the category names, then the purpose names, each
/// followed by a 0 byte (names hold no 0 byte). Not a security measure: it
/// tells a catalog's handles from another catalog's.
fn fingerprint<'a>(
    categories: impl Iterator<Item = &'a str>,
    purposes: impl Iterator<Item = &'a str>,
) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for name in categories {
        eat(name.as_bytes());
        eat(&[0]);
    }
    eat(&[0xff]);
    for name in purposes {
        eat(name.as_bytes());
        eat(&[0]);
    }
    h
}

// ---- serialized form: names only, rebuilt through the builder on load ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CatalogRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    controller: Option<String>,
    #[serde(deserialize_with = "limits::bounded::<_, _, limits::Categories>")]
    categories: Vec<CategoryRepr>,
    #[serde(deserialize_with = "limits::bounded::<_, _, limits::Purposes>")]
    purposes: Vec<PurposeRepr>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryRepr {
    name: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    sensitive: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PurposeRepr {
    name: String,
    basis: LegalBasis,
    title: String,
    description: String,
    #[serde(deserialize_with = "limits::bounded::<_, _, limits::Categories>")]
    categories: Vec<String>,
    notice_version: u32,
    min_notice_version: u32,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default_validity_secs: Option<i64>,
    /// Seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_validity_secs: Option<i64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    sale_or_sharing: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    direct_marketing: bool,
    /// Calendar months; absent for the default (snapshots written before
    /// cooldowns existed load with the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cooldown_months: Option<u32>,
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
            sale_or_sharing: d.sale_or_sharing,
            direct_marketing: d.direct_marketing,
            cooldown_months: d.cooldown_months,
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
            b = if c.sensitive {
                b.sensitive_category(c.name)
            } else {
                b.category(c.name)
            };
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
            if p.sale_or_sharing {
                d = d.sale_or_sharing();
            }
            if p.direct_marketing {
                d = d.direct_marketing();
            }
            if let Some(months) = p.cooldown_months {
                d = d.cooldown_months(months);
            }
            b = b.purpose(d);
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
