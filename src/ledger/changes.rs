//! Changes: the calls that record consent and refusals. Each builds and
//! checks an event (`prepare.rs`) and applies it (`apply.rs`), the one path
//! every change takes.
//!
//! In the `Ledger` docs: the "Changes" group.

use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::ledger::prepare::{Change, Recorded};
use crate::ledger::store::{GIVEN, RowFlags, Slot};
use crate::ledger::{Grant, Ledger};
use crate::model::evidence::Evidence;
use crate::model::purpose::Purpose;
use crate::wire::timestamp::{NEVER, Nanos};

/// # Changes
///
/// Recording what a subject said or did. Each call returns the
/// [`Recorded`] event to persist and whether it took effect, or an error
/// that leaves the ledger unchanged.
impl Ledger {
    /// Records consent given, for the categories and until the expiry the
    /// grant names (default: all the purpose's categories, the purpose's
    /// default validity; an expiry past the maximum validity is capped).
    ///
    /// # Errors
    ///
    /// An invalid subject id or evidence, an undeclared purpose or category, a
    /// category outside the purpose, an expiry not after `at`, a notice
    /// version missing, never published or no longer accepted, an instant out
    /// of range, or a subject erased at or after `at`. The ledger is unchanged.
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
    /// let event = ledger.give(Grant::new("ann", "news", t, ev()))?.into_event();
    /// assert_eq!(event.kind().as_str(), "given");
    /// assert!(ledger.is_permitted("ann", "news", "email", t));
    /// // An undeclared purpose is an error, and changes nothing.
    /// assert!(ledger.give(Grant::new("ann", "ads", t, ev())).is_err());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn give(&mut self, grant: Grant) -> Result<Recorded> {
        self.record(Change::Give(grant))
    }

    /// Records a refusal of `purpose`.
    ///
    /// # Errors
    ///
    /// As for [`Ledger::give`].
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
    /// ledger.refuse("ann", "news", t, ev())?;
    /// assert!(matches!(ledger.decide("ann", "news", "email", t), Decision::Refused { .. }));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn refuse(
        &mut self,
        subject: &str,
        purpose: &str,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Result<Recorded> {
        self.record(Change::refuse(subject, purpose, at, evidence))
    }

    /// Records the withdrawal of consent to `purpose`. It takes effect for
    /// every check at or after `at`.
    ///
    /// # Errors
    ///
    /// An invalid subject id or evidence, an undeclared purpose, an instant
    /// out of range, or a subject erased at or after `at`.
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
    /// let later = datetime!(2026-04-01 10:00 UTC);
    /// ledger.withdraw("ann", "news", later, Evidence::new(CollectionMethod::EmailLink))?;
    /// assert!(!ledger.is_permitted("ann", "news", "email", later));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn withdraw(
        &mut self,
        subject: &str,
        purpose: &str,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Result<Recorded> {
        self.record(Change::withdraw(subject, purpose, at, evidence))
    }

    /// Withdraws, in one call, every consent the subject gave at or before
    /// `at`. Consent given later is not affected.
    ///
    /// # Errors
    ///
    /// An invalid subject id or evidence, an instant out of range, or a
    /// subject erased at or after `at`.
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
    /// let later = datetime!(2026-04-01 10:00 UTC);
    /// ledger.withdraw_all("ann", later, Evidence::new(CollectionMethod::SettingsPage))?;
    /// assert!(matches!(
    ///     ledger.decide("ann", "news", "email", later),
    ///     Decision::Withdrawn { all: true, .. }
    /// ));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn withdraw_all(
        &mut self,
        subject: &str,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Result<Recorded> {
        self.record(Change::withdraw_all(subject, at, evidence))
    }

    /// Records an objection to `purpose` (GDPR Art. 21). It denies the purpose
    /// whatever its basis until the subject gives consent to it later.
    ///
    /// # Errors
    ///
    /// [`Error::ObjectionNotApplicable`] unless the purpose's basis is
    /// legitimate interest or public task or it is direct marketing; and the
    /// errors of [`Ledger::withdraw`].
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, CollectionMethod, Error, Evidence, Ledger, LegalBasis, PurposeDef};
    /// # use time::macros::datetime;
    ///
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("stats", LegalBasis::LegitimateInterest)
    ///             .title("Statistics")
    ///             .description("Counting visits.")
    ///             .categories(["email"]),
    ///     )
    ///     .purpose(
    ///         PurposeDef::new("orders", LegalBasis::Contract)
    ///             .title("Orders")
    ///             .description("Delivering what you bought.")
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// assert!(ledger.is_permitted("ann", "stats", "email", t));
    /// ledger.object("ann", "stats", t, Evidence::new(CollectionMethod::Form))?;
    /// assert!(!ledger.is_permitted("ann", "stats", "email", t));
    /// // A contract purpose accepts no objection.
    /// let err = ledger.object("ann", "orders", t, Evidence::new(CollectionMethod::Form));
    /// assert!(matches!(err, Err(Error::ObjectionNotApplicable { .. })));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn object(
        &mut self,
        subject: &str,
        purpose: &str,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Result<Recorded> {
        self.record(Change::object(subject, purpose, at, evidence))
    }

    /// Records a global opt-out signal (Global Privacy Control): every
    /// sale/sharing purpose is denied for the subject until it is cleared.
    ///
    /// # Errors
    ///
    /// An invalid subject id or evidence, an instant out of range, or a
    /// subject erased at or after `at`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("browsing")
    /// #     .purpose(
    /// #         PurposeDef::new("ads", LegalBasis::Consent)
    /// #             .title("Ads")
    /// #             .description("Ads chosen for you.")
    /// #             .categories(["browsing"])
    /// #             .sale_or_sharing(),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// ledger.give(Grant::new("ann", "ads", t, ev()))?;
    /// let gpc = Evidence::new(CollectionMethod::BrowserSignal);
    /// ledger.set_global_opt_out("ann", t, gpc)?;
    /// assert!(matches!(ledger.decide("ann", "ads", "browsing", t), Decision::OptedOut { .. }));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn set_global_opt_out(
        &mut self,
        subject: &str,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Result<Recorded> {
        self.record(Change::set_global_opt_out(subject, at, evidence))
    }

    /// Clears the global opt-out signal from `at` on.
    ///
    /// # Errors
    ///
    /// As for [`Ledger::set_global_opt_out`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("browsing")
    /// #     .purpose(
    /// #         PurposeDef::new("ads", LegalBasis::Consent)
    /// #             .title("Ads")
    /// #             .description("Ads chosen for you.")
    /// #             .categories(["browsing"])
    /// #             .sale_or_sharing(),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// ledger.give(Grant::new("ann", "ads", t, ev()))?;
    /// ledger.set_global_opt_out("ann", t, Evidence::new(CollectionMethod::BrowserSignal))?;
    /// let later = datetime!(2026-04-01 10:00 UTC);
    /// ledger.clear_global_opt_out("ann", later, Evidence::new(CollectionMethod::BrowserSignal))?;
    /// assert!(ledger.is_permitted("ann", "ads", "browsing", later));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn clear_global_opt_out(
        &mut self,
        subject: &str,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Result<Recorded> {
        self.record(Change::clear_global_opt_out(subject, at, evidence))
    }

    /// Makes a subject known without any consent record: it is listed by
    /// [`Ledger::subjects`] and in audiences of purposes that need no
    /// consent, and a registration after an erasure starts a new
    /// relationship (an erased subject is denied everything until then). A
    /// subject never seen is decided by each purpose's default already.
    ///
    /// # Errors
    ///
    /// An invalid subject id, an instant out of range, or a subject erased at
    /// or after `at`.
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
    /// let event = ledger.register("ann", t)?.into_event();
    /// assert_eq!(event.kind(), &EventKind::Registered);
    /// assert_eq!(ledger.subjects().collect::<Vec<_>>(), ["ann"]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn register(&mut self, subject: &str, at: OffsetDateTime) -> Result<Recorded> {
        self.record(Change::register(subject, at))
    }

    /// Erases a subject: every record, mark and piece of evidence held for it
    /// at or before `at` is dropped. What is kept is the subject id and the
    /// erasure's time, so that a late or replayed older event cannot bring
    /// the subject back; a later event (a new sign-up) can.
    ///
    /// # Errors
    ///
    /// An invalid subject id or an instant out of range.
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
    /// let later = datetime!(2026-04-01 10:00 UTC);
    /// ledger.erase("ann", later)?;
    /// assert!(matches!(ledger.decide("ann", "news", "email", later), Decision::Erased { .. }));
    /// assert_eq!(ledger.subject_count(), 0);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn erase(&mut self, subject: &str, at: OffsetDateTime) -> Result<Recorded> {
        self.record(Change::erase(subject, at))
    }
}

impl Ledger {
    pub(super) fn purpose(&self, name: &str) -> Result<&Purpose> {
        self.catalog
            .purpose(name)
            .ok_or_else(|| Error::UnknownPurpose(crate::error::shown(name)))
    }

    /// Whether `subject` holds a grant for `p` given before `at` and still
    /// valid at `at` (for renewals). A grant given at `at` itself is not
    /// renewed by another at the same instant: the same grant twice must
    /// build the same event, a `Duplicate`.
    pub(super) fn valid_grant_at(&self, subject: &str, p: &Purpose, at: Nanos) -> bool {
        let (Some(h), Some(s)) = (
            self.catalog.purpose_index(p.name()),
            self.store.names.find(subject),
        ) else {
            return false;
        };
        let withdrawn_at = self.store.row(s, Slot::WithdrawnAll).map(|w| w.from);
        self.store.row(s, Slot::Purpose(h)).is_some_and(|r| {
            r.kind() == GIVEN
                && withdrawn_at.is_none_or(|w| r.from > w)
                && r.from < at
                && at < r.until
                && r.flags.contains(RowFlags::NOTICE_OK)
        })
    }
}

pub(super) fn check_not_outdated(p: &Purpose, evidence: &Evidence) -> Result<()> {
    match evidence.notice_version() {
        Some(v) if v < p.min_notice_version() => Err(Error::NoticeOutdated {
            purpose: p.name().to_owned(),
            given: v,
            minimum: p.min_notice_version(),
            current: p.notice_version(),
        }),
        _ => Ok(()),
    }
}

/// The expiry when none is asked for: the purpose's default, or never.
pub(super) fn default_expiry(p: &Purpose, at: Nanos) -> Nanos {
    p.default_span.map_or(NEVER, |d| d.end(at))
}

/// Caps a requested expiry to the purpose's maximum validity.
pub(crate) fn cap(p: &Purpose, at: Nanos, requested: Nanos) -> Nanos {
    match p.max_span {
        Some(max) => requested.min(max.end(at)),
        None => requested,
    }
}
