//! The consent state: one current record per subject and purpose. Every
//! change goes through [`Ledger::apply`].
//!
//! The ledger layer: its public face, the storage layout ([`store`]), the
//! decision rules ([`decision`]) and snapshots. It imports the model and the
//! wire format, never the rights views.

pub(crate) mod decision;
pub(crate) mod facts;
pub(crate) mod intern;
pub(crate) mod profiles;
pub(crate) mod store;
pub(crate) mod strings;
pub(crate) mod traces;

use std::fmt;

use time::OffsetDateTime;

use crate::ledger::store::Store;
use crate::model::catalog::Catalog;
use crate::model::evidence::Evidence;

/// A request to record consent: who, to what, when, with which evidence, and
/// optionally for which categories and until when.
///
/// # Examples
///
/// ```
/// use consentry::{CollectionMethod, Evidence, Grant};
/// use time::macros::datetime;
///
/// let grant = Grant::new(
///     "user-42",
///     "marketing.email",
///     datetime!(2026-03-01 10:00 UTC),
///     Evidence::new(CollectionMethod::Banner).with_notice_version(3),
/// )
/// .categories(["contact.email"])
/// .expires_at(datetime!(2027-03-01 10:00 UTC));
/// # let _ = grant;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Grant {
    subject: String,
    purpose: String,
    at: OffsetDateTime,
    evidence: Evidence,
    categories: Option<Vec<String>>,
    expires_at: Option<OffsetDateTime>,
}

impl Grant {
    /// Consent by `subject` to `purpose` given at `at`, covering all the
    /// purpose's categories for the purpose's default validity.
    pub fn new(
        subject: impl Into<String>,
        purpose: impl Into<String>,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Self {
        Grant {
            subject: subject.into(),
            purpose: purpose.into(),
            at,
            evidence,
            categories: None,
            expires_at: None,
        }
    }

    /// Covers only these categories (each among the purpose's, or a
    /// descendant of one) and their descendants.
    pub fn categories<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.categories = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Asks for validity until `expires_at` (exclusive), capped to the
    /// purpose's maximum.
    pub fn expires_at(mut self, expires_at: OffsetDateTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }
}

/// What [`Ledger::apply`] did with an event. Every outcome is a success: the
/// state is the same whichever order events arrive in.
///
/// Serializes (with serde) as its snake_case name.
///
/// # Examples
///
/// ```
/// use consentry::Applied;
/// assert_eq!(serde_json::to_string(&Applied::Superseded)?, r#""superseded""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Applied {
    /// The event changed the state.
    Changed,
    /// The same event (same id and same content) is already in effect.
    Duplicate,
    /// A later event (or an equal-time one that wins the tie-break) already
    /// holds; this one changes nothing.
    Superseded,
    /// The subject was erased at or after the event's time; it is discarded.
    Erased,
}

/// A subject resolved once, for repeated checks ([`Ledger::check`]).
///
/// Valid only for the ledger that issued it: a handle carries a tag of its
/// ledger, drawn at random when the ledger is created, cloned or restored,
/// and a check with a handle of another ledger (a copy included, or the
/// same state restored from a snapshot) is denied
/// ([`Decision::ForeignHandle`](crate::Decision::ForeignHandle)), never answered for another subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubjectHandle {
    pub(crate) index: u32,
    pub(crate) ledger: u64,
}

/// The consent ledger: the catalog and every subject's current answers.
///
/// Changes ([`give`](Ledger::give), [`refuse`](Ledger::refuse),
/// [`withdraw`](Ledger::withdraw), ...) each return an [`Event`](crate::Event) for the host
/// to persist, or an error that leaves the ledger unchanged. Checks
/// ([`is_permitted`](Ledger::is_permitted), [`decide`](Ledger::decide)) never
/// fail and deny when in doubt.
///
/// # Examples
///
/// ```
/// use consentry::{Catalog, CollectionMethod, Evidence, Grant, LegalBasis, Ledger, PurposeDef};
/// use time::macros::datetime;
///
/// let catalog = Catalog::builder()
///     .category("contact")
///     .category("contact.email")
///     .purpose(
///         PurposeDef::new("newsletter", LegalBasis::Consent)
///             .title("Newsletter")
///             .description("A monthly e-mail about new products.")
///             .categories(["contact.email"]),
///     )
///     .build()?;
/// let mut ledger = Ledger::new(catalog);
/// let at = datetime!(2026-03-01 10:00 UTC);
/// let evidence = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
/// let event = ledger.give(Grant::new("user-1", "newsletter", at, evidence))?.into_event();
/// assert!(ledger.is_permitted("user-1", "newsletter", "contact.email", at));
/// assert!(!ledger.is_permitted("user-2", "newsletter", "contact.email", at));
/// # let _ = event;
/// # Ok::<(), consentry::Error>(())
/// ```
pub struct Ledger {
    pub(crate) catalog: Catalog,
    pub(crate) store: Store,
    /// What this ledger's subject handles carry. INVARIANT: one tag names
    /// one numbering of subjects: indices are never reused under it (ids are
    /// never removed), and a copy, which may number its next subjects
    /// otherwise, draws its own.
    tag: u64,
}

/// A copy is another ledger: it draws its own handle tag, so a handle of
/// the original is refused by the copy (and the other way round) instead of
/// answering for whichever subject the copy numbers alike later.
impl Clone for Ledger {
    fn clone(&self) -> Self {
        Ledger {
            catalog: self.catalog.clone(),
            store: self.store.clone(),
            tag: fresh_tag(),
        }
    }
}

/// A random handle tag: `RandomState` is keyed from the OS's randomness once
/// per thread and differs for every instance.
fn fresh_tag() -> u64 {
    std::hash::BuildHasher::hash_one(&std::hash::RandomState::new(), 0u8)
}

impl fmt::Debug for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ledger")
            .field("purposes", &self.catalog.purposes().len())
            .field("categories", &self.catalog.categories().len())
            .field("subjects", &self.store.subject_count())
            .finish_non_exhaustive()
    }
}

// The `impl Ledger` blocks, in the order a user meets them: construction,
// checks, changes, persisting and replicating, then what is held about a
// subject (the subject rights views follow from `crate::rights`). rustdoc
// lists the impl blocks of a module's submodules in declaration order, before
// the module's own: hence construction in a submodule of its own, and these
// lines in this order.
mod construction {
    use super::{Catalog, Ledger, Store};

    /// # Construction
    ///
    /// Making a ledger over a catalog, and the subjects it holds.
    impl Ledger {
        /// An empty ledger over `catalog`.
        ///
        /// # Examples
        ///
        /// ```
        /// use consentry::{Catalog, Ledger, LegalBasis, PurposeDef};
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
        /// let ledger = Ledger::new(catalog);
        /// assert_eq!(ledger.subject_count(), 0);
        /// # Ok::<(), consentry::Error>(())
        /// ```
        #[must_use]
        pub fn new(catalog: Catalog) -> Self {
            let purposes = catalog.purposes().len() as u16;
            let tag = super::fresh_tag();
            Ledger {
                catalog,
                store: Store::new(purposes),
                tag,
            }
        }

        /// The catalog.
        ///
        /// # Examples
        ///
        /// ```
        /// # use consentry::*;
        /// # use time::macros::datetime;
        /// # let catalog = Catalog::builder()
        /// #     .category("email")
        /// #     .purpose(
        /// #         PurposeDef::new("news", LegalBasis::Consent)
        /// #             .title("Newsletter")
        /// #             .description("A monthly e-mail.")
        /// #             .categories(["email"]),
        /// #     )
        /// #     .build()?;
        /// # let mut ledger = Ledger::new(catalog);
        /// # let t = datetime!(2026-03-01 10:00 UTC);
        /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
        /// assert!(ledger.catalog().purpose("news").is_some());
        /// # Ok::<(), consentry::Error>(())
        /// ```
        #[must_use]
        pub fn catalog(&self) -> &Catalog {
            &self.catalog
        }

        /// Every known subject id, in the order first seen.
        ///
        /// # Examples
        ///
        /// ```
        /// # use consentry::*;
        /// # use time::macros::datetime;
        /// # let catalog = Catalog::builder()
        /// #     .category("email")
        /// #     .purpose(
        /// #         PurposeDef::new("news", LegalBasis::Consent)
        /// #             .title("Newsletter")
        /// #             .description("A monthly e-mail.")
        /// #             .categories(["email"]),
        /// #     )
        /// #     .build()?;
        /// # let mut ledger = Ledger::new(catalog);
        /// # let t = datetime!(2026-03-01 10:00 UTC);
        /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
        /// ledger.give(Grant::new("ann", "news", t, ev()))?;
        /// ledger.register("ben", t)?;
        /// assert_eq!(ledger.subjects().collect::<Vec<_>>(), ["ann", "ben"]);
        /// # Ok::<(), consentry::Error>(())
        /// ```
        pub fn subjects(&self) -> impl Iterator<Item = &str> {
            (0..self.store.subject_count() as u32)
                .filter(|s| self.store.is_known(*s))
                .map(|s| self.store.names.get(s))
        }

        /// How many subjects the ledger knows (erased ones not counted).
        ///
        /// # Examples
        ///
        /// ```
        /// # use consentry::*;
        /// # use time::macros::datetime;
        /// # let catalog = Catalog::builder()
        /// #     .category("email")
        /// #     .purpose(
        /// #         PurposeDef::new("news", LegalBasis::Consent)
        /// #             .title("Newsletter")
        /// #             .description("A monthly e-mail.")
        /// #             .categories(["email"]),
        /// #     )
        /// #     .build()?;
        /// # let mut ledger = Ledger::new(catalog);
        /// # let t = datetime!(2026-03-01 10:00 UTC);
        /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
        /// ledger.register("ann", t)?;
        /// ledger.register("ben", t)?;
        /// ledger.erase("ben", t)?;
        /// assert_eq!(ledger.subject_count(), 1);
        /// # Ok::<(), consentry::Error>(())
        /// ```
        #[must_use]
        pub fn subject_count(&self) -> usize {
            (0..self.store.subject_count() as u32)
                .filter(|s| self.store.is_known(*s))
                .count()
        }

        /// Releases memory left over from growth: call it after a bulk load or
        /// a large batch of changes if memory matters more than the next insert.
        ///
        /// # Examples
        ///
        /// ```
        /// # use consentry::*;
        /// # use time::macros::datetime;
        /// # let catalog = Catalog::builder()
        /// #     .category("email")
        /// #     .purpose(
        /// #         PurposeDef::new("news", LegalBasis::Consent)
        /// #             .title("Newsletter")
        /// #             .description("A monthly e-mail.")
        /// #             .categories(["email"]),
        /// #     )
        /// #     .build()?;
        /// # let mut ledger = Ledger::new(catalog);
        /// # let t = datetime!(2026-03-01 10:00 UTC);
        /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
        /// ledger.give(Grant::new("ann", "news", t, ev()))?;
        /// ledger.shrink_to_fit();
        /// assert!(ledger.is_permitted("ann", "news", "email", t));
        /// # Ok::<(), consentry::Error>(())
        /// ```
        pub fn shrink_to_fit(&mut self) {
            self.store.shrink_to_fit();
        }
    }
}

mod checks;
pub(crate) mod regime_check;

mod batch;

#[cfg(feature = "gpc")]
mod gpc;
pub use batch::PermittedPurposes;

mod changes;

#[cfg(any(feature = "tcf", feature = "gpp", feature = "usp"))]
mod signal_import;
#[cfg(any(feature = "tcf", feature = "gpp", feature = "usp"))]
pub use signal_import::SignalFormat;
#[cfg(any(
    feature = "tcf",
    feature = "gpp",
    feature = "usp",
    feature = "consent_mode"
))]
mod signal_export;
#[cfg(any(
    feature = "tcf",
    feature = "gpp",
    feature = "usp",
    feature = "consent_mode"
))]
pub use signal_export::{ExportOptions, TcfVendor, gpp_sections_for};

mod prepare;
pub use prepare::{Change, Choice, Recorded};

mod apply;

pub(crate) mod snapshot;

mod replication;

pub(crate) mod records;
