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

/// A declared data category, as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub(crate) name: String,
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
}
