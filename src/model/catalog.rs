//! The catalog: the controller's declared data categories and purposes.

use hashbrown::HashMap;

use crate::error::{Error, NameKind, Result};
use crate::limits::{self, CATEGORY_CAPACITY, MAX_PURPOSES};
use crate::model::category::{Category, CategoryDef, CategorySet, title_from_name};
use crate::model::purpose::{Purpose, PurposeDef};
use crate::model::regimes::{CatalogRegimes, RegimeDecls};
use std::sync::Arc;

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
    categories: Vec<CategoryDef>,
    purposes: Vec<PurposeDef>,
    pub(crate) regimes: RegimeDecls,
}

impl CatalogBuilder {
    /// Names the controller (the organisation responsible), shown in reports
    /// and receipts.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::Catalog;
    ///
    /// let catalog = Catalog::builder().controller("Acme Shop Ltd").category("email").build()?;
    /// assert_eq!(catalog.controller(), Some("Acme Shop Ltd"));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn controller(mut self, name: impl Into<String>) -> Self {
        self.controller = Some(name.into());
        self
    }

    /// Declares a data category: a name, or a [`CategoryDef`] with a title
    /// and description for people. A dotted name needs its parent declared
    /// before it.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, CategoryDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("contact")
    ///     .category(CategoryDef::new("contact.email").title("E-mail address"))
    ///     .build()?;
    /// assert!(catalog.category("contact.email").is_some());
    /// // A dotted name needs its parent declared first.
    /// assert!(Catalog::builder().category("contact.email").build().is_err());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn category(mut self, category: impl Into<CategoryDef>) -> Self {
        self.categories.push(category.into());
        self
    }

    /// Declares a sensitive data category (GDPR Art. 9, CPRA sensitive
    /// personal information). Its descendants are sensitive too.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, LegalBasis, PurposeDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .sensitive_category("health")
    ///     .category("health.allergies")
    ///     .purpose(
    ///         PurposeDef::new("care", LegalBasis::ExplicitConsent)
    ///             .title("Care")
    ///             .description("Treating you.")
    ///             .categories(["health"]),
    ///     )
    ///     .build()?;
    /// assert_eq!(catalog.category("health.allergies").map(|c| c.is_sensitive()), Some(true));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn sensitive_category(mut self, category: impl Into<CategoryDef>) -> Self {
        self.categories.push(category.into().sensitive());
        self
    }

    /// Declares a purpose.
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
    /// assert!(catalog.purpose("news").is_some());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn purpose(mut self, purpose: PurposeDef) -> Self {
        self.purposes.push(purpose);
        self
    }

    /// Checks every declaration and builds the catalog.
    ///
    /// # Errors
    ///
    /// The first problem found, naming the offending item: a malformed or
    /// duplicate name, a category whose parent is not declared or whose title
    /// or description is blank or too long, more than
    /// [`CATEGORY_CAPACITY`] categories, a purpose without title, description
    /// or categories, an undeclared category, a notice version of 0 or a
    /// minimum above the current one, a validity that is not a positive whole
    /// number of seconds or a default above the maximum, a cooldown above
    /// [`Purpose::MAX_COOLDOWN_MONTHS`], or a sensitive category under plain
    /// consent (it needs explicit consent).
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
    /// assert_eq!(catalog.categories().len(), 1);
    /// // A purpose using an undeclared category is an error.
    /// let bad = Catalog::builder()
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["email"]),
    ///     )
    ///     .build();
    /// assert!(bad.is_err());
    /// # Ok::<(), consentry::Error>(())
    /// ```
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
        for (i, def) in self.categories.into_iter().enumerate() {
            let CategoryDef {
                name,
                title: declared_title,
                description,
                sensitive,
            } = def;
            limits::check_name(NameKind::Category, &name)?;
            check_category_text(&name, "title", declared_title.as_deref())?;
            check_category_text(&name, "description", description.as_deref())?;
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
                title: declared_title
                    .clone()
                    .unwrap_or_else(|| title_from_name(&name)),
                declared_title,
                description,
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
        crate::model::standards::check_unique(&purposes)?;
        let mut alpha: Vec<u8> = (0..categories.len() as u8).collect();
        alpha.sort_by(|a, b| {
            let name = |i: &u8| categories.get(usize::from(*i)).map(|c| c.name.as_str());
            name(a).cmp(&name(b))
        });
        let fingerprint = fingerprint(
            categories.iter().map(|c| c.name.as_str()),
            purposes.iter().map(|p| p.name.as_str()),
        );
        let regimes = self.regimes.build(&purposes)?;
        Ok(Catalog {
            fingerprint,
            alpha,
            controller: self.controller,
            categories,
            category_index,
            purposes,
            purpose_index,
            regimes,
        })
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
    pub(crate) controller: Option<String>,
    pub(crate) categories: Vec<Category>,
    pub(crate) category_index: HashMap<String, u8>,
    pub(crate) purposes: Vec<Purpose>,
    pub(crate) purpose_index: HashMap<String, u16>,
    /// Category indices in name order.
    pub(crate) alpha: Vec<u8>,
    /// A fingerprint of the purpose and category names in order: what
    /// handles are valid for.
    pub(crate) fingerprint: u64,
    /// The regimes enabled, resolved (see `regimes.rs`); `None` when the
    /// catalog enables none.
    pub(crate) regimes: Option<Arc<CatalogRegimes>>,
}

impl Catalog {
    /// Starts declaring a catalog.
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
    /// assert_eq!(catalog.purposes().len(), 1);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn builder() -> CatalogBuilder {
        CatalogBuilder::default()
    }

    /// The controller's name, if declared.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::Catalog;
    ///
    /// let catalog = Catalog::builder().controller("Acme Shop Ltd").category("email").build()?;
    /// assert_eq!(catalog.controller(), Some("Acme Shop Ltd"));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn controller(&self) -> Option<&str> {
        self.controller.as_deref()
    }

    /// The purpose named `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// assert_eq!(catalog.purpose("news").map(|p| p.basis()), Some(LegalBasis::Consent));
    /// assert!(catalog.purpose("ads").is_none());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn purpose(&self, name: &str) -> Option<&Purpose> {
        self.purpose_handle(name).and_then(|h| self.purpose_at(h))
    }

    /// The data category named `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// assert_eq!(catalog.category("email").map(|c| c.is_sensitive()), Some(false));
    /// assert!(catalog.category("health").is_none());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn category(&self, name: &str) -> Option<&Category> {
        self.category_handle(name).and_then(|h| self.category_at(h))
    }

    /// Every purpose, in declaration order.
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
    ///     .purpose(
    ///         PurposeDef::new("orders", LegalBasis::Contract)
    ///             .title("Orders")
    ///             .description("Delivering what you bought.")
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let names: Vec<_> = catalog.purposes().map(|p| p.name()).collect();
    /// assert_eq!(names, ["news", "orders"]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn purposes(&self) -> impl ExactSizeIterator<Item = &Purpose> {
        self.purposes.iter()
    }

    /// Every data category, in declaration order.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::Catalog;
    ///
    /// let catalog = Catalog::builder().category("contact").category("contact.email").build()?;
    /// let names: Vec<_> = catalog.categories().map(|c| c.name()).collect();
    /// assert_eq!(names, ["contact", "contact.email"]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn categories(&self) -> impl ExactSizeIterator<Item = &Category> {
        self.categories.iter()
    }

    /// Resolves a purpose name once, for repeated checks by handle.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// let news = catalog.purpose_handle("news").expect("declared");
    /// assert_eq!(catalog.purpose_at(news).map(|p| p.name()), Some("news"));
    /// assert!(catalog.purpose_handle("ads").is_none());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn purpose_handle(&self, name: &str) -> Option<PurposeHandle> {
        self.purpose_index(name).map(|index| PurposeHandle {
            index,
            catalog: self.fingerprint,
        })
    }

    /// Resolves a category name once, for repeated checks by handle.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// let email = catalog.category_handle("email").expect("declared");
    /// assert_eq!(catalog.category_at(email).map(|c| c.name()), Some("email"));
    /// assert!(catalog.category_handle("health").is_none());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn category_handle(&self, name: &str) -> Option<CategoryHandle> {
        self.category_index(name).map(|index| CategoryHandle {
            index,
            catalog: self.fingerprint,
        })
    }

    /// The purpose behind a handle (`None` for a handle of another catalog).
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// let news = catalog.purpose_handle("news").expect("declared");
    /// assert_eq!(catalog.purpose_at(news).map(|p| p.name()), Some("news"));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn purpose_at(&self, handle: PurposeHandle) -> Option<&Purpose> {
        if handle.catalog != self.fingerprint {
            return None;
        }
        self.purpose_by_index(handle.index)
    }

    /// The category behind a handle (`None` for a handle of another catalog).
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// let email = catalog.category_handle("email").expect("declared");
    /// assert_eq!(catalog.category_at(email).map(|c| c.name()), Some("email"));
    /// # Ok::<(), consentry::Error>(())
    /// ```
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
}

/// Checks a category's optional title or description: not blank, at most
/// [`limits::MAX_TEXT_LEN`] bytes.
fn check_category_text(name: &str, field: &'static str, text: Option<&str>) -> Result<()> {
    // The messages below state the limit.
    const _: () = assert!(limits::MAX_TEXT_LEN == 4096);
    let Some(text) = text else { return Ok(()) };
    let problem = match (
        field,
        text.trim().is_empty(),
        text.len() > limits::MAX_TEXT_LEN,
    ) {
        ("title", true, _) => "its title is blank (leave it out to use one made from the name)",
        ("title", _, true) => "its title is longer than 4096 bytes",
        (_, true, _) => "its description is blank (leave it out if there is none)",
        (_, _, true) => "its description is longer than 4096 bytes",
        _ => return Ok(()),
    };
    Err(Error::InvalidName {
        kind: NameKind::Category,
        name: crate::error::shown(name),
        problem,
    })
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
