//! Data categories: the bitset of one catalog's categories (one bit per
//! declared category) and a declared category as the catalog holds it.

bitflags::bitflags! {
    /// A set of the data categories of one catalog, bit `i` standing for the
    /// category declared `i`-th. Names, never bits, are what gets serialized.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub(crate) struct CategorySet: u128 {
        // Every bit may be used: which ones are meaningful depends on the catalog.
        const _ = !0;
    }
}

impl CategorySet {
    /// The set holding only category `index`; empty past the capacity.
    #[inline]
    pub(crate) const fn single(index: u8) -> Self {
        match 1u128.checked_shl(index as u32) {
            Some(bit) => Self::from_bits_retain(bit),
            None => Self::empty(),
        }
    }

    /// The indices of the categories in the set, in ascending order.
    pub(crate) fn indices(self) -> impl Iterator<Item = u8> {
        let bits = self.bits();
        (0..128u8).filter(move |i| bits >> i & 1 == 1)
    }
}

/// A data category to declare: its dotted name and, optionally, a title
/// and a description for people, and whether it is sensitive. Passed to
/// [`CatalogBuilder::category`](crate::CatalogBuilder::category); a bare
/// name converts into one.
///
/// Without a title, reports show one made from the name
/// ([`Category::title`]). Titles and descriptions are for people only:
/// checks, events, snapshots and handles use the name, so adding or changing
/// them changes no decision and no stored data.
///
/// # Examples
///
/// ```
/// use consentry::{Catalog, CategoryDef};
///
/// let catalog = Catalog::builder()
///     .category(CategoryDef::new("contact").title("Contact details"))
///     .category(
///         CategoryDef::new("contact.email")
///             .title("E-mail address")
///             .description("The address you gave us at sign-up."),
///     )
///     .category("contact.phone")
///     .category(CategoryDef::new("health").title("Health").sensitive())
///     .build()?;
/// let email = catalog.category("contact.email").unwrap();
/// assert_eq!(email.title(), "E-mail address");
/// assert_eq!(email.description(), Some("The address you gave us at sign-up."));
/// // No title declared: one made from the name.
/// assert_eq!(catalog.category("contact.phone").unwrap().title(), "Contact: phone");
/// assert!(catalog.category("health").unwrap().is_sensitive());
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[must_use]
pub struct CategoryDef {
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) sensitive: bool,
}

impl CategoryDef {
    /// A category named `name` (dotted: its parent must be declared before
    /// it), not sensitive, with no title or description.
    pub fn new(name: impl Into<String>) -> Self {
        CategoryDef {
            name: name.into(),
            title: None,
            description: None,
            sensitive: false,
        }
    }

    /// The short title shown to people, such as "E-mail address". At most
    /// [`MAX_TEXT_LEN`](crate::limits::MAX_TEXT_LEN) bytes, not blank.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// A sentence saying what the data is. At most
    /// [`MAX_TEXT_LEN`](crate::limits::MAX_TEXT_LEN) bytes, not blank.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Marks the category sensitive (GDPR Art. 9, CPRA sensitive personal
    /// information), as [`CatalogBuilder::sensitive_category`] does.
    ///
    /// [`CatalogBuilder::sensitive_category`]: crate::CatalogBuilder::sensitive_category
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
}

impl From<&str> for CategoryDef {
    fn from(name: &str) -> Self {
        CategoryDef::new(name)
    }
}

impl From<String> for CategoryDef {
    fn from(name: String) -> Self {
        CategoryDef::new(name)
    }
}

impl From<&String> for CategoryDef {
    fn from(name: &String) -> Self {
        CategoryDef::new(name.as_str())
    }
}

/// The title made from a category name when none is declared: each dotted
/// segment with `_` and `-` read as spaces, the first letter capitalised,
/// the segments joined by `": "`.
pub(crate) fn title_from_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    for (i, segment) in name.split('.').enumerate() {
        if i > 0 {
            out.push_str(": ");
        }
        for (j, c) in segment.chars().enumerate() {
            match c {
                '_' | '-' => out.push(' '),
                c if i == 0 && j == 0 => out.push(c.to_ascii_uppercase()),
                c => out.push(c),
            }
        }
    }
    out
}

/// A declared data category, as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub(crate) name: String,
    /// The declared title, if any.
    pub(crate) declared_title: Option<String>,
    /// The declared title, or the one made from the name.
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) sensitive: bool,
    pub(crate) declared_sensitive: bool,
    pub(crate) parent: Option<u8>,
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

    /// The title shown to people: the declared one, or else one made from
    /// the name: each dotted segment with `_` and `-` read as spaces, the
    /// first letter capitalised, the segments joined by `": "`
    /// (`contact.email` is "Contact: email", `browsing_history` is
    /// "Browsing history").
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, CategoryDef};
    ///
    /// let catalog = Catalog::builder()
    ///     .category("location")
    ///     .category("location.precise")
    ///     .category(CategoryDef::new("location.city").title("Your town"))
    ///     .build()?;
    /// assert_eq!(catalog.category("location.precise").unwrap().title(), "Location: precise");
    /// assert_eq!(catalog.category("location.city").unwrap().title(), "Your town");
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The declared description, if any.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_indices() {
        let s = CategorySet::single(0) | CategorySet::single(5) | CategorySet::single(127);
        assert_eq!(s.indices().collect::<Vec<_>>(), vec![0, 5, 127]);
        assert!(CategorySet::single(128).is_empty());
        assert!(s.intersects(CategorySet::single(5)));
        assert!(!s.intersects(CategorySet::single(6)));
    }

    #[track_caller]
    fn check_title(name: &str, title: &str) {
        assert_eq!(title_from_name(name), title, "{name}");
    }

    #[test]
    fn titles_from_names() {
        check_title("contact", "Contact");
        check_title("contact.email", "Contact: email");
        check_title("browsing_history", "Browsing history");
        check_title("location.precise-gps", "Location: precise gps");
        check_title("a.b.c", "A: b: c");
        check_title("3d_scans", "3d scans");
    }
}
