//! Changes: the calls that record consent and refusals. Each builds an
//! event and applies it (`apply.rs`), the one path every change takes.
//!
//! In the `Ledger` docs: the "Changes" group.

use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::ledger::store::{GIVEN, RowFlags, Slot};
use crate::ledger::{Grant, Ledger};
use crate::model::evidence::Evidence;
use crate::model::purpose::Purpose;
use crate::wire::event::{Event, EventKind, require_notice};
use crate::wire::timestamp::{self, NEVER, Nanos};

/// # Changes
///
/// Recording what a subject said or did. Each call returns the [`Event`] to
/// persist, or an error that leaves the ledger unchanged.
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
    /// # let ev = || Evidence::new(CollectionMethod::Banner).notice_version(1);
    /// let event = ledger.give(Grant::new("ann", "news", t, ev()))?;
    /// assert_eq!(event.kind().as_str(), "given");
    /// assert!(ledger.is_permitted("ann", "news", "email", t));
    /// // An undeclared purpose is an error, and changes nothing.
    /// assert!(ledger.give(Grant::new("ann", "ads", t, ev())).is_err());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn give(&mut self, grant: Grant) -> Result<Event> {
        let at = timestamp::to_nanos(grant.at)?;
        let p = self.purpose(&grant.purpose)?;
        grant.evidence.check()?;
        require_notice(p.name(), &grant.evidence)?;
        check_not_outdated(p, &grant.evidence)?;
        let categories = match &grant.categories {
            Some(names) => {
                // The limit counts what was asked for, duplicates included.
                if names.len() > crate::limits::CATEGORY_CAPACITY {
                    return Err(Error::LimitExceeded {
                        what: "number of categories in a grant",
                        limit: crate::limits::CATEGORY_CAPACITY,
                        found: names.len(),
                    });
                }
                self.catalog
                    .category_set(p, names.iter().map(String::as_str))?;
                names.clone()
            }
            None => p.categories().map(str::to_owned).collect(),
        };
        let expires = match grant.expires_at {
            Some(t) => {
                // An expiry past the supported range is cut at its end and
                // then capped like any other; one before it is an error.
                let t = match timestamp::check_nanos(t) {
                    n if n > timestamp::LAST => timestamp::LAST,
                    _ => timestamp::to_nanos(t)?,
                };
                if t <= at {
                    return Err(Error::ExpiryNotAfterGiven {
                        purpose: p.name().to_owned(),
                        given_at: timestamp::format(at),
                        expires_at: timestamp::format(t),
                    });
                }
                cap(p, at, t)
            }
            None => cap(p, at, default_expiry(p, at)),
        };
        let renewal = self.valid_grant_at(&grant.subject, p, at);
        let kind = EventKind::Given {
            purpose: grant.purpose,
            categories,
            expires_at: (expires != NEVER).then(|| timestamp::from_nanos(expires)),
            renewal,
            evidence: grant.evidence,
        };
        self.record_change(&grant.subject, at, kind)
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
    /// # let ev = || Evidence::new(CollectionMethod::Banner).notice_version(1);
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
    ) -> Result<Event> {
        let p = self.purpose(purpose)?;
        require_notice(p.name(), &evidence)?;
        let kind = EventKind::Refused {
            purpose: purpose.to_owned(),
            evidence,
        };
        self.record_change(subject, timestamp::to_nanos(at)?, kind)
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
    /// # let ev = || Evidence::new(CollectionMethod::Banner).notice_version(1);
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
    ) -> Result<Event> {
        self.purpose(purpose)?;
        let kind = EventKind::Withdrawn {
            purpose: purpose.to_owned(),
            evidence,
        };
        self.record_change(subject, timestamp::to_nanos(at)?, kind)
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
    /// # let ev = || Evidence::new(CollectionMethod::Banner).notice_version(1);
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
    ) -> Result<Event> {
        let kind = EventKind::WithdrawnAll { evidence };
        self.record_change(subject, timestamp::to_nanos(at)?, kind)
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
    ) -> Result<Event> {
        self.purpose(purpose)?;
        let kind = EventKind::Objected {
            purpose: purpose.to_owned(),
            evidence,
        };
        self.record_change(subject, timestamp::to_nanos(at)?, kind)
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
    /// # let ev = || Evidence::new(CollectionMethod::Banner).notice_version(1);
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
    ) -> Result<Event> {
        let kind = EventKind::OptOutSet { evidence };
        self.record_change(subject, timestamp::to_nanos(at)?, kind)
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
    /// # let ev = || Evidence::new(CollectionMethod::Banner).notice_version(1);
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
    ) -> Result<Event> {
        let kind = EventKind::OptOutCleared { evidence };
        self.record_change(subject, timestamp::to_nanos(at)?, kind)
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
    /// # let ev = || Evidence::new(CollectionMethod::Banner).notice_version(1);
    /// let event = ledger.register("ann", t)?;
    /// assert_eq!(event.kind(), &EventKind::Registered);
    /// assert_eq!(ledger.subjects().collect::<Vec<_>>(), ["ann"]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn register(&mut self, subject: &str, at: OffsetDateTime) -> Result<Event> {
        self.record_change(subject, timestamp::to_nanos(at)?, EventKind::Registered)
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
    /// # let ev = || Evidence::new(CollectionMethod::Banner).notice_version(1);
    /// ledger.give(Grant::new("ann", "news", t, ev()))?;
    /// let later = datetime!(2026-04-01 10:00 UTC);
    /// ledger.erase("ann", later)?;
    /// assert!(matches!(ledger.decide("ann", "news", "email", later), Decision::Erased { .. }));
    /// assert_eq!(ledger.subject_count(), 0);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn erase(&mut self, subject: &str, at: OffsetDateTime) -> Result<Event> {
        let event = Event::new(subject, timestamp::to_nanos(at)?, EventKind::Erased)?;
        self.apply(&event)?;
        Ok(event)
    }

    fn record_change(&mut self, subject: &str, at: Nanos, kind: EventKind) -> Result<Event> {
        let event = Event::new(subject, at, kind)?;
        if let Some(e) = self
            .store
            .names
            .find(subject)
            .and_then(|s| self.store.row(s, Slot::Erased))
            .filter(|e| at <= e.from)
        {
            return Err(Error::SubjectErased {
                subject: subject.to_owned(),
                erased_at: timestamp::format(e.from),
            });
        }
        self.apply(&event)?;
        Ok(event)
    }
}

impl Ledger {
    pub(super) fn purpose(&self, name: &str) -> Result<&Purpose> {
        self.catalog
            .purpose(name)
            .ok_or_else(|| Error::UnknownPurpose(crate::error::shown(name)))
    }

    /// Whether `subject` holds a grant for `p` valid at `at` (for renewals).
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
                && r.from <= at
                && at < r.until
                && r.flags.contains(RowFlags::NOTICE_OK)
        })
    }
}

fn check_not_outdated(p: &Purpose, evidence: &Evidence) -> Result<()> {
    match evidence.notice() {
        Some(v) if v < p.min_notice_version() => Err(Error::NoticeVersion {
            purpose: p.name().to_owned(),
            problem: format!(
                "notice version {v} is no longer accepted (minimum {}); show the current notice (version {})",
                p.min_notice_version(),
                p.notice_version()
            ),
        }),
        _ => Ok(()),
    }
}

/// The expiry when none is asked for: the purpose's default, or never.
fn default_expiry(p: &Purpose, at: Nanos) -> Nanos {
    p.default_span.map_or(NEVER, |d| d.end(at))
}

/// Caps a requested expiry to the purpose's maximum validity.
pub(crate) fn cap(p: &Purpose, at: Nanos, requested: Nanos) -> Nanos {
    match p.max_span {
        Some(max) => requested.min(max.end(at)),
        None => requested,
    }
}
