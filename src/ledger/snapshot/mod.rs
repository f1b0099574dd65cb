//! The serialized form of a ledger: catalog and records by name, validated on load.
//!
//! A [`Snapshot`] holds a ledger already checked under the snapshot's own
//! catalog. Writing streams from it through borrowed views; reading streams
//! into it one subject at a time (each subject checked completely, its
//! records' event ids included, then stored), so loading holds the JSON,
//! the ledger being built and one subject, never a copy of the whole state
//! in owned intermediate structures.
//!
//! In the `Ledger` docs: the "Persisting and replicating: snapshots" group.

use std::fmt;

use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::ledger::store::Slot;
use crate::model::catalog::Catalog;

mod check;
mod read;
mod write;

/// The snapshot format version this crate writes and reads.
pub const SNAPSHOT_FORMAT_VERSION: u32 = 2;

/// A ledger's whole state in serializable form: the catalog and every
/// subject's records, marks and evidence, by name. Derived indexes are not
/// serialized; they are rebuilt on load.
///
/// A `Snapshot` only ever holds valid state: one read from storage
/// ([`Snapshot::from_json`], or serde) has been checked completely, each
/// record's and mark's event id included (see [`Snapshot::from_json`]).
/// Two snapshots are equal when they serialize the same: equal states give
/// equal snapshots, whatever order the events arrived in.
///
/// Times are written in RFC 3339, UTC, to the nanosecond: an instant read
/// back is the instant written.
///
/// # Examples
///
/// ```
/// use consentry::{Catalog, Ledger, LegalBasis, PurposeDef, Snapshot};
///
/// let catalog = Catalog::builder()
///     .category("contact")
///     .purpose(
///         PurposeDef::new("newsletter", LegalBasis::Consent)
///             .title("Newsletter")
///             .description("A monthly e-mail.")
///             .categories(["contact"]),
///     )
///     .build()?;
/// let ledger = Ledger::new(catalog);
/// let json = ledger.snapshot().to_json()?;
/// let restored = Ledger::restore(Snapshot::from_json(&json)?)?;
/// assert_eq!(restored.snapshot(), ledger.snapshot());
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Clone)]
pub struct Snapshot {
    watermark: Option<u64>,
    /// INVARIANT: valid under its own catalog; when read from storage, every
    /// record and mark matched its event id.
    ledger: Ledger,
}

impl Snapshot {
    /// The snapshot as JSON.
    ///
    /// # Errors
    ///
    /// None in practice; serde_json's own errors are passed on as [`Error::Json`].
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
    /// let json = ledger.snapshot().to_json()?;
    /// assert_eq!(Snapshot::from_json(&json)?.subject_count(), 1);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::json("snapshot", &e))
    }

    /// Reads a snapshot's JSON and checks everything [`Ledger::restore`]
    /// needs: the format version, the catalog, and every subject, record and
    /// mark (names declared, times valid, nothing held at or before an
    /// erasure...). Each record and mark must also match its `event` id: the
    /// id is recomputed from the content as written, so an edited record
    /// (a refusal turned into a grant, an expiry pushed back) is refused.
    ///
    /// The top-level keys may come in any order (a database's JSON type may
    /// reorder them). Subjects with nothing recorded are not kept. Peak
    /// memory while reading stays within a few times the JSON's size plus
    /// the ledger it builds.
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedVersion`] for a format version this crate does
    /// not read; [`Error::Json`] with the line and column of the problem
    /// (malformed JSON, a missing, unknown or mistyped field, nesting deeper
    /// than 128); and, located in an [`Error::Snapshot`], an invalid catalog,
    /// subject, record or mark ([`Ledger::restore_with_catalog`] lists them)
    /// or an event id that does not match its content
    /// ([`Error::EventIdMismatch`]).
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
    /// let json = ledger.snapshot().to_json()?;
    /// let snapshot = Snapshot::from_json(&json)?;
    /// assert_eq!(snapshot, ledger.snapshot());
    /// assert!(Snapshot::from_json("{}").is_err());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Snapshot> {
        read::from_json(json)
    }

    /// Records the position in the host's event log that this snapshot
    /// includes (e.g. the largest sequence number applied). The engine does
    /// not interpret it; [`Snapshot::watermark`] gives it back after loading,
    /// so the host knows which events to replay: those after it.
    ///
    /// Replaying an event the snapshot already includes is harmless
    /// ([`Ledger::apply`] is idempotent), so an at-least-once replay from the
    /// watermark is safe.
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
    /// let json = ledger.snapshot().with_watermark(42).to_json()?;
    /// assert_eq!(Snapshot::from_json(&json)?.watermark(), Some(42));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn with_watermark(mut self, position: u64) -> Self {
        self.watermark = Some(position);
        self
    }

    /// The host's log position recorded with [`Snapshot::with_watermark`].
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
    /// assert_eq!(ledger.snapshot().watermark(), None);
    /// assert_eq!(ledger.snapshot().with_watermark(7).watermark(), Some(7));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn watermark(&self) -> Option<u64> {
        self.watermark
    }

    /// The number of subjects in the snapshot, erased ones included
    /// (subjects read with nothing recorded are not kept).
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
    /// assert_eq!(ledger.snapshot().subject_count(), 2);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn subject_count(&self) -> usize {
        let st = &self.ledger.store;
        (0..st.subject_count() as u32)
            .filter(|s| st.has_rows(*s))
            .count()
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("format_version", &SNAPSHOT_FORMAT_VERSION)
            .field("watermark", &self.watermark)
            .field("subjects", &self.subject_count())
            .field("ledger", &self.ledger)
            .finish()
    }
}

impl PartialEq for Snapshot {
    /// Equal when they serialize the same, compared one subject at a time.
    fn eq(&self, other: &Self) -> bool {
        if self.watermark != other.watermark
            || self.ledger.catalog.to_repr() != other.ledger.catalog.to_repr()
        {
            return false;
        }
        let (a, b) = (
            sorted_subjects(&self.ledger),
            sorted_subjects(&other.ledger),
        );
        let (mut x, mut y) = (Vec::new(), Vec::new());
        a.len() == b.len()
            && a.iter().zip(&b).all(|(&s, &t)| {
                x.clear();
                y.clear();
                let left = write::SubjectView(&self.ledger, s);
                let right = write::SubjectView(&other.ledger, t);
                serde_json::to_writer(&mut x, &left).is_ok()
                    && serde_json::to_writer(&mut y, &right).is_ok()
                    && x == y
            })
    }
}

impl Eq for Snapshot {}

fn at(location: impl FnOnce() -> String) -> impl FnOnce(Error) -> Error {
    move |error| Error::Snapshot {
        location: location(),
        error: Box::new(error),
    }
}

/// Puts an error of subject `i` under its location.
fn locate(i: usize, id: &str, error: Error) -> Error {
    let location = format!("subjects[{i}] ({})", crate::error::quoted(id));
    match error {
        Error::Snapshot {
            location: inner,
            error,
        } => Error::Snapshot {
            location: format!("{location}.{inner}"),
            error,
        },
        other => Error::Snapshot {
            location,
            error: Box::new(other),
        },
    }
}

/// The subjects a snapshot writes (those with a row, erased ones included),
/// sorted by id.
fn sorted_subjects(l: &Ledger) -> Vec<u32> {
    let st = &l.store;
    let mut order: Vec<u32> = (0..st.subject_count() as u32)
        .filter(|s| st.has_rows(*s))
        .collect();
    order.sort_unstable_by(|a, b| st.names.get(*a).cmp(st.names.get(*b)));
    order
}

/// # Persisting and replicating: snapshots
///
/// The whole state as a [`Snapshot`], and a ledger rebuilt from one.
impl Ledger {
    /// The ledger's whole state, for the host to store (a copy of the
    /// ledger: serializing it streams from that copy). Subjects are sorted
    /// by id, so equal states give equal snapshots whatever order the
    /// events arrived in.
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
    /// let snapshot = ledger.snapshot();
    /// assert_eq!(snapshot.subject_count(), 1);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            watermark: None,
            ledger: self.clone(),
        }
    }

    /// Rebuilds a ledger from a snapshot, with the snapshot's own catalog.
    /// The snapshot was checked when it was read, so this cannot fail any
    /// more and costs nothing: the ledger it holds is handed over.
    ///
    /// # Errors
    ///
    /// None: reading the snapshot ([`Snapshot::from_json`]) did the checks.
    /// The `Result` is kept for compatibility.
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
    /// let json = ledger.snapshot().to_json()?;
    /// let restored = Ledger::restore(Snapshot::from_json(&json)?)?;
    /// assert!(restored.is_permitted("ann", "news", "email", t));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn restore(snapshot: Snapshot) -> Result<Ledger> {
        let mut ledger = snapshot.ledger;
        ledger.sync_places();
        Ok(ledger)
    }

    /// Rebuilds a ledger from a snapshot's records under `catalog` (for
    /// example the application's current catalog, which may have evolved
    /// since the snapshot was taken). The snapshot's own catalog is ignored;
    /// each record, already checked against its event id when the snapshot
    /// was read, must be valid under `catalog`. Expiries beyond the catalog's
    /// current maximum validity are then capped.
    ///
    /// # Errors
    ///
    /// Located in an [`Error::Snapshot`] (here and when the snapshot is
    /// read): a duplicate subject, a malformed subject id or time, a record
    /// for an undeclared purpose, an undeclared category or one outside the
    /// purpose, an expiry not after the record's time, a notice version never
    /// published, two records for one purpose, an objection the purpose does
    /// not allow, or anything held at or before the subject's erasure.
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
    /// let snapshot = ledger.snapshot();
    /// // The application has declared a purpose since.
    /// let current = Catalog::builder()
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
    /// let restored = Ledger::restore_with_catalog(snapshot, current)?;
    /// assert!(restored.is_permitted("ann", "news", "email", t));
    /// assert!(restored.catalog().purpose("orders").is_some());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn restore_with_catalog(snapshot: Snapshot, catalog: Catalog) -> Result<Ledger> {
        Ledger::rebuilt(&snapshot.ledger, catalog)
    }

    /// Changes the catalog of a live ledger (raising a minimum notice
    /// version, declaring a purpose or a category, changing a validity),
    /// checked exactly as [`Ledger::restore_with_catalog`] checks a snapshot
    /// against a new catalog, without a snapshot round trip. On success every
    /// decision follows the new catalog (expiries past a new, lower maximum
    /// validity are capped); on error nothing changes.
    ///
    /// The ledger is rebuilt: it takes about as long as a restore and needs
    /// memory for both copies while it runs. Handles taken before are
    /// foreign afterwards ([`crate::Decision::ForeignHandle`]): resolve them
    /// again. Write the new catalog where the host keeps its configuration;
    /// events carry no catalog.
    ///
    /// # Errors
    ///
    /// As [`Ledger::restore_with_catalog`]: an [`Error::Snapshot`] locating
    /// the first subject and record the new catalog does not allow (a
    /// record for a purpose no longer declared, a category no longer in the
    /// purpose, a notice version never published, an objection the purpose
    /// no longer allows).
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// let news = |notice, min| {
    ///     PurposeDef::new("news", LegalBasis::Consent)
    ///         .title("Newsletter")
    ///         .description("A monthly e-mail.")
    ///         .categories(["email"])
    ///         .notice_version(notice)
    ///         .min_notice_version(min)
    /// };
    /// let v1 = Catalog::builder().category("email").purpose(news(1, 1)).build()?;
    /// let mut ledger = Ledger::new(v1);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// ledger.give(Grant::new("ann", "news", t, banner))?;
    /// assert!(ledger.is_permitted("ann", "news", "email", t));
    ///
    /// // A new notice that voids consent given under the old one.
    /// let v2 = Catalog::builder().category("email").purpose(news(2, 2)).build()?;
    /// ledger.set_catalog(v2)?;
    /// assert!(matches!(
    ///     ledger.decide("ann", "news", "email", t),
    ///     Decision::NoticeOutdated { .. }
    /// ));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn set_catalog(&mut self, catalog: Catalog) -> Result<()> {
        *self = Ledger::rebuilt(self, catalog)?;
        Ok(())
    }

    /// A new ledger under `catalog` holding everything `src` holds.
    fn rebuilt(src: &Ledger, catalog: Catalog) -> Result<Ledger> {
        let mut ledger = Ledger::new(catalog);
        let order = sorted_subjects(src);
        let bytes = order.iter().map(|s| src.store.names.get(*s).len()).sum();
        ledger.store.reserve_subjects(order.len(), bytes);
        for p in src.catalog.purposes() {
            if let (Some(from), Some(to)) = (
                src.catalog.purpose_index(p.name()),
                ledger.catalog.purpose_index(p.name()),
            ) {
                let n = src
                    .store
                    .column(Slot::Purpose(from))
                    .map_or(0, |c| c.rows.len());
                ledger.store.reserve_rows(Slot::Purpose(to), n);
            }
        }
        for (i, s) in order.into_iter().enumerate() {
            ledger
                .move_subject(src, s)
                .map_err(|e| locate(i, src.store.names.get(s), e))?;
        }
        ledger.store.shrink_to_fit();
        ledger.sync_places();
        Ok(ledger)
    }
}
