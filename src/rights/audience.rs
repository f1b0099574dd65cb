//! Audiences: the subjects permitted for a purpose and category at an
//! instant, for campaigns and bulk jobs.
//!
//! In the `Ledger` docs: the "Audiences" group.

use crate::instant::Timestamp;

use crate::ledger::Ledger;

/// # Audiences
///
/// The subjects permitted for a purpose and category, for campaigns and bulk jobs.
impl Ledger {
    /// Every known subject whose data of `category` may be used for
    /// `purpose` at `at`: exactly the subjects for which
    /// [`Ledger::is_permitted`] is true, in no particular order. Empty for an
    /// undeclared purpose or category.
    ///
    /// For a purpose that needs consent this reads only that purpose's
    /// column of records (no per-subject lookup, no allocation per record);
    /// otherwise it checks every known subject.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef};
    /// use time::macros::datetime;
    ///
    /// let catalog = Catalog::builder()
    ///     .category("contact")
    ///     .category("contact.email")
    ///     .purpose(
    ///         PurposeDef::new("newsletter", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["contact"]),
    ///     )
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// ledger.give(Grant::new("ann", "newsletter", t, banner.clone()))?;
    /// ledger.refuse("bob", "newsletter", t, banner.clone())?;
    /// ledger.give(Grant::new("cy", "newsletter", t, banner))?;
    ///
    /// let audience: Vec<&str> = ledger.audience("newsletter", "contact.email", t).collect();
    /// assert_eq!(audience, ["ann", "cy"]);
    /// assert_eq!(ledger.audience_count("newsletter", "contact.email", t), 2);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn audience(
        &self,
        purpose: &str,
        category: &str,
        at: impl Into<Timestamp>,
    ) -> impl Iterator<Item = &str> {
        self.scan(purpose, category, at.into())
            .map(|s| self.store.names.get(s))
    }

    /// How many subjects [`Ledger::audience`] yields.
    ///
    /// # Examples
    ///
    /// See [`Ledger::audience`].
    #[must_use]
    pub fn audience_count(&self, purpose: &str, category: &str, at: impl Into<Timestamp>) -> usize {
        self.scan(purpose, category, at.into()).count_fast()
    }
}
