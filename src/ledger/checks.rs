//! Checks: whether a use is permitted, and the decision explaining why.
//!
//! In the `Ledger` docs: the "Checks" group.

use time::OffsetDateTime;

use crate::error::{Error, Result, shown};
use crate::instant::Timestamp;
use crate::ledger::decision::{ConsentStatus, Decision};
use crate::ledger::store::{GIVEN, OBJECTED, REFUSED, Row, RowFlags, Slot, WITHDRAWN};
use crate::ledger::traces::KEPT_OPT_OUT;
use crate::ledger::{Ledger, SubjectHandle};
use crate::model::basis::LegalBasis;
use crate::model::catalog::{CategoryHandle, PurposeHandle};
use crate::model::category::{Category, CategorySet};
use crate::model::purpose::Purpose;
use crate::regime::Mechanism;
use crate::wire::timestamp::{self, NEVER, Nanos};

/// The ledger's internal answer; [`Decision`] is built from it on demand, so
/// `is_permitted` converts no time and hashes no id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Granted { subject: u32, purpose: u16 },
    NotConsentBased(LegalBasis),
    NoConsent,
    Refused(Nanos),
    Withdrawn(Nanos, bool),
    Expired(Nanos, Nanos),
    NotYetValid(Nanos),
    CategoryNotCovered,
    NoticeOutdated { subject: u32, purpose: u16 },
    Objected(Nanos),
    OptedOut(Nanos),
    ExplicitConsentRequired,
    CategoryNotInPurpose,
    Erased(Nanos),
    ForeignHandle,
    UnknownPurpose,
    UnknownCategory,
    NotRequired(Mechanism),
    Prohibited,
    ParentalConsentRequired { jointly: bool },
    MinorOptInRequired,
    ConsentRequired,
}

impl Outcome {
    #[inline]
    pub(super) fn is_permitted(self) -> bool {
        matches!(
            self,
            Outcome::Granted { .. } | Outcome::NotConsentBased(_) | Outcome::NotRequired(_)
        )
    }
}

/// # Checks
///
/// Whether a use of personal data is permitted, and why. Checks never fail:
/// anything unknown or in doubt is denied.
impl Ledger {
    /// Whether `subject`'s data of `category` may be used for `purpose` at
    /// instant `at`. Never fails: anything unknown or in doubt is denied.
    /// Hashes each name once and does not allocate.
    ///
    /// # Examples
    ///
    /// See [`Ledger`].
    #[must_use]
    #[inline]
    pub fn is_permitted(
        &self,
        subject: &str,
        purpose: &str,
        category: &str,
        at: impl Into<Timestamp>,
    ) -> bool {
        let (Some(p), Some(c)) = (
            self.catalog.purpose_index(purpose),
            self.catalog.category_index(category),
        ) else {
            return false;
        };
        let s = self.store.names.find(subject);
        self.outcome(s, p, c, at.into().unix_nanos()).is_permitted()
    }

    /// The decision for `subject`, `purpose`, `category` at `at`, with its
    /// reason. [`Decision::is_permitted`] equals [`Ledger::is_permitted`].
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
    /// assert!(matches!(ledger.decide("ann", "news", "email", t), Decision::Granted { .. }));
    /// assert_eq!(ledger.decide("ben", "news", "email", t), Decision::NoConsent);
    /// assert_eq!(ledger.decide("ann", "ads", "email", t), Decision::UnknownPurpose);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn decide(
        &self,
        subject: &str,
        purpose: &str,
        category: &str,
        at: impl Into<Timestamp>,
    ) -> Decision {
        let Some(p) = self.catalog.purpose_index(purpose) else {
            return Decision::UnknownPurpose;
        };
        let Some(c) = self.catalog.category_index(category) else {
            return Decision::UnknownCategory;
        };
        let s = self.store.names.find(subject);
        self.decision(self.outcome(s, p, c, at.into().unix_nanos()))
    }

    /// [`Ledger::decide`], strict about names: an undeclared purpose or
    /// category is an error instead of a deny, so that a typo in the code
    /// (`"newsleter"`) is loud rather than looking like a refusal. For
    /// development, tests and low-rate paths; on a hot path, resolve names
    /// to handles once at start-up ([`crate::Catalog::purpose_handle`],
    /// [`crate::Catalog::category_handle`]: `None` for an undeclared name,
    /// which the host turns into a start-up error), and check by handle.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPurpose`] or [`Error::UnknownCategory`], naming the
    /// name as given.
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
    /// # let ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// assert_eq!(ledger.try_decide("ann", "news", "email", t)?, Decision::NoConsent);
    /// let typo = ledger.try_decide("ann", "newsleter", "email", t).unwrap_err();
    /// assert_eq!(typo.to_string(), "purpose `newsleter` is not declared");
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn try_decide(
        &self,
        subject: &str,
        purpose: &str,
        category: &str,
        at: impl Into<Timestamp>,
    ) -> Result<Decision> {
        match self.decide(subject, purpose, category, at) {
            Decision::UnknownPurpose => Err(Error::UnknownPurpose(shown(purpose))),
            Decision::UnknownCategory => Err(Error::UnknownCategory(shown(category))),
            decision => Ok(decision),
        }
    }

    /// [`Ledger::is_permitted`], strict about names (see
    /// [`Ledger::try_decide`]).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownPurpose`] or [`Error::UnknownCategory`], naming the
    /// name as given.
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
    /// # let ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// assert!(!ledger.try_is_permitted("ann", "news", "email", t)?);
    /// assert!(ledger.try_is_permitted("ann", "news", "e-mail", t).is_err());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn try_is_permitted(
        &self,
        subject: &str,
        purpose: &str,
        category: &str,
        at: impl Into<Timestamp>,
    ) -> Result<bool> {
        let p = self
            .catalog
            .purpose_index(purpose)
            .ok_or_else(|| Error::UnknownPurpose(shown(purpose)))?;
        let c = self
            .catalog
            .category_index(category)
            .ok_or_else(|| Error::UnknownCategory(shown(category)))?;
        let s = self.store.names.find(subject);
        Ok(self.outcome(s, p, c, at.into().unix_nanos()).is_permitted())
    }

    /// Resolves a subject id once, for repeated checks by handle. `None` if
    /// the ledger has never seen the subject.
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
    /// assert!(ledger.subject_handle("ann").is_some());
    /// assert!(ledger.subject_handle("ben").is_none()); // never seen
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn subject_handle(&self, subject: &str) -> Option<SubjectHandle> {
        self.store.names.find(subject).map(|index| SubjectHandle {
            index,
            ledger: self.tag,
        })
    }

    /// [`Ledger::decide`] by handles resolved once with
    /// [`Ledger::subject_handle`], [`Catalog::purpose_handle`](crate::Catalog::purpose_handle) and
    /// [`Catalog::category_handle`](crate::Catalog::category_handle). Hashes nothing. A handle of another
    /// ledger (or another catalog) is denied with
    /// [`Decision::ForeignHandle`].
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
    /// let ann = ledger.subject_handle("ann").expect("ann is known");
    /// let news = ledger.catalog().purpose_handle("news").expect("declared");
    /// let email = ledger.catalog().category_handle("email").expect("declared");
    /// assert!(ledger.check(ann, news, email, t).is_permitted());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn check(
        &self,
        subject: SubjectHandle,
        purpose: PurposeHandle,
        category: CategoryHandle,
        at: impl Into<Timestamp>,
    ) -> Decision {
        self.decision(self.outcome_by(subject, purpose, category, at.into().unix_nanos()))
    }

    /// [`Ledger::is_permitted`] by handles: the fastest check. A handle of
    /// another ledger or catalog is denied.
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
    /// let ann = ledger.subject_handle("ann").expect("ann is known");
    /// let news = ledger.catalog().purpose_handle("news").expect("declared");
    /// let email = ledger.catalog().category_handle("email").expect("declared");
    /// assert!(ledger.is_permitted_by(ann, news, email, t));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn is_permitted_by(
        &self,
        subject: SubjectHandle,
        purpose: PurposeHandle,
        category: CategoryHandle,
        at: impl Into<Timestamp>,
    ) -> bool {
        self.outcome_by(subject, purpose, category, at.into().unix_nanos())
            .is_permitted()
    }

    /// The outcome by handles, after checking they are this ledger's.
    #[inline]
    fn outcome_by(
        &self,
        subject: SubjectHandle,
        purpose: PurposeHandle,
        category: CategoryHandle,
        at: Nanos,
    ) -> Outcome {
        let fingerprint = self.catalog.fingerprint();
        if subject.ledger != self.tag
            || purpose.catalog != fingerprint
            || category.catalog != fingerprint
        {
            return Outcome::ForeignHandle;
        }
        self.outcome(Some(subject.index), purpose.index, category.index, at)
    }

    /// Whether subject index `s` is permitted (for scans).
    #[inline]
    pub(crate) fn permitted_at(&self, s: u32, purpose: u16, category: u8, at: Nanos) -> bool {
        self.outcome(Some(s), purpose, category, at).is_permitted()
    }

    /// The decision rules, in order. See the README's "Decision rules".
    // A short path for the common grant (head and one row, skipping the
    // rest of the rules) measured the same as the full rules at 1M subjects
    // (~130 ns by handle, in one process, interleaved): the two cache misses
    // dominate, so the rules stay in one place.
    #[inline]
    pub(super) fn outcome(
        &self,
        subject: Option<u32>,
        purpose: u16,
        category: u8,
        at: Nanos,
    ) -> Outcome {
        let record = subject.and_then(|s| self.store.row(s, Slot::Purpose(purpose)).copied());
        self.outcome_with(subject, purpose, category, at, record)
    }

    /// [`Ledger::outcome`] with the subject's record of the purpose already
    /// read (a batch reads the records of many checks before deciding any).
    #[inline]
    pub(super) fn outcome_with(
        &self,
        subject: Option<u32>,
        purpose: u16,
        category: u8,
        at: Nanos,
        record: Option<Row>,
    ) -> Outcome {
        let Some(p) = self.catalog.purpose_by_index(purpose) else {
            return Outcome::UnknownPurpose;
        };
        let Some(c) = self.catalog.category_by_index(category) else {
            return Outcome::UnknownCategory;
        };
        if !p.allowed.contains(CategorySet::single(category)) {
            return Outcome::CategoryNotInPurpose;
        }
        let st = &self.store;
        // A subject never seen has said nothing: it has no rows.
        let s = subject.unwrap_or(u32::MAX);
        if let Some(erased) = st.dormant_erasure(s) {
            return Outcome::Erased(erased);
        }
        if let Some(r) = record
            && r.kind() == OBJECTED
        {
            return Outcome::Objected(r.from);
        }
        // A direct-marketing objection holds until a later grant, whatever
        // refusal or withdrawal came after it (kept beside the row).
        if p.is_direct_marketing()
            && let Some((k, _)) = st.kept(s, purpose)
            && k.kind() == OBJECTED
        {
            return Outcome::Objected(k.from);
        }
        if let Some(regimes) = &self.catalog.regimes {
            let regime = self.store.places.regime(st.facts(s), regimes);
            return self
                .judge(regimes, regime, p, purpose, c, s, at, record)
                .outcome;
        }
        if p.is_sale_or_sharing()
            && let Some(set) = self.signal_set(s, at)
        {
            return Outcome::OptedOut(set);
        }
        self.basis_outcome(p, purpose, c, s, at, record)
    }

    /// When the subject's opt-out signal that holds at `at` was set.
    #[inline]
    pub(super) fn signal_set(&self, s: u32, at: Nanos) -> Option<Nanos> {
        let st = &self.store;
        let signal = st.row(s, Slot::OptOut)?;
        // Named by when it was set: the row while on; once cleared, the
        // latest `set` kept beside it. A clear with no `set` known (none
        // received, or erased since) says it was never on.
        if signal.flags.contains(RowFlags::ON) {
            Some(signal.from)
        } else if at < signal.from {
            st.kept(s, KEPT_OPT_OUT).map(|(k, _)| k.from)
        } else {
            None
        }
    }

    /// The decision rules by the purpose's legal basis, from the category
    /// on (after the erasure, objection and signal rules).
    #[inline]
    pub(super) fn basis_outcome(
        &self,
        p: &Purpose,
        purpose: u16,
        c: &Category,
        s: u32,
        at: Nanos,
        record: Option<Row>,
    ) -> Outcome {
        let sensitive = c.needs_explicit;
        let basis = p.basis();
        if sensitive && basis == LegalBasis::Consent {
            return Outcome::ExplicitConsentRequired;
        }
        let needs_consent = basis.is_consent() || sensitive;
        let Some(r) = record else {
            return if !needs_consent {
                Outcome::NotConsentBased(basis)
            } else if sensitive && !basis.is_consent() {
                Outcome::ExplicitConsentRequired
            } else {
                Outcome::NoConsent
            };
        };
        let honours_refusal = needs_consent || basis.honours_refusal();
        self.record_outcome(basis, purpose, c, s, at, r, needs_consent, honours_refusal)
    }

    /// The decision rules for the subject's record of a purpose: refused,
    /// withdrawn, valid at `at`, under the current notice, covering the
    /// category.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn record_outcome(
        &self,
        basis: LegalBasis,
        purpose: u16,
        c: &Category,
        s: u32,
        at: Nanos,
        r: Row,
        needs_consent: bool,
        honours_refusal: bool,
    ) -> Outcome {
        let st = &self.store;
        if r.kind() == GIVEN
            && let Some(w) = st.row(s, Slot::WithdrawnAll)
            && r.from <= w.from
        {
            return if honours_refusal {
                Outcome::Withdrawn(w.from, true)
            } else {
                Outcome::NotConsentBased(basis)
            };
        }
        match r.kind() {
            REFUSED | WITHDRAWN if !honours_refusal => Outcome::NotConsentBased(basis),
            REFUSED => Outcome::Refused(r.from),
            WITHDRAWN => Outcome::Withdrawn(r.from, false),
            _ if !needs_consent => Outcome::NotConsentBased(basis),
            _ if at < r.from => Outcome::NotYetValid(r.from),
            _ if at >= r.until => Outcome::Expired(r.from, r.until),
            _ if !r.flags.contains(RowFlags::NOTICE_OK) => Outcome::NoticeOutdated {
                subject: s,
                purpose,
            },
            _ if !st.set(r.set()).intersects(c.ancestors) => Outcome::CategoryNotCovered,
            _ => Outcome::Granted {
                subject: s,
                purpose,
            },
        }
    }

    /// The public decision for an outcome: times converted, ids hashed.
    pub(super) fn decision(&self, o: Outcome) -> Decision {
        let t = timestamp::from_nanos;
        match o {
            Outcome::Granted { subject, purpose } => {
                let slot = Slot::Purpose(purpose);
                match (
                    self.store.row(subject, slot),
                    self.store.cold(subject, slot),
                ) {
                    (Some(r), Some(c)) => Decision::Granted {
                        record: self.row_id(subject, slot, r, c),
                        given_at: t(r.from),
                        expires_at: (r.until != NEVER).then(|| t(r.until)),
                    },
                    _ => Decision::NoConsent,
                }
            }
            Outcome::NotConsentBased(basis) => Decision::NotConsentBased { basis },
            Outcome::NoConsent => Decision::NoConsent,
            Outcome::Refused(at) => Decision::Refused { at: t(at) },
            Outcome::Withdrawn(at, all) => Decision::Withdrawn { at: t(at), all },
            Outcome::Expired(given, until) => Decision::Expired {
                given_at: t(given),
                expired_at: t(until),
            },
            Outcome::NotYetValid(given) => Decision::NotYetValid { given_at: t(given) },
            Outcome::CategoryNotCovered => Decision::CategoryNotCovered,
            Outcome::NoticeOutdated { subject, purpose } => {
                let version = self
                    .store
                    .cold(subject, Slot::Purpose(purpose))
                    .map_or(0, |c| self.store.profile(c).notice);
                let min_version = self
                    .catalog
                    .purpose_by_index(purpose)
                    .map_or(0, Purpose::min_notice_version);
                Decision::NoticeOutdated {
                    version,
                    min_version,
                }
            }
            Outcome::Objected(at) => Decision::Objected { at: t(at) },
            Outcome::OptedOut(at) => Decision::OptedOut { at: t(at) },
            Outcome::ExplicitConsentRequired => Decision::ExplicitConsentRequired,
            Outcome::CategoryNotInPurpose => Decision::CategoryNotInPurpose,
            Outcome::Erased(at) => Decision::Erased { at: t(at) },
            Outcome::ForeignHandle => Decision::ForeignHandle,
            Outcome::UnknownPurpose => Decision::UnknownPurpose,
            Outcome::UnknownCategory => Decision::UnknownCategory,
            Outcome::NotRequired(mechanism) => Decision::NotRequired { mechanism },
            Outcome::Prohibited => Decision::Prohibited,
            Outcome::ParentalConsentRequired { jointly } => {
                Decision::ParentalConsentRequired { jointly }
            }
            Outcome::MinorOptInRequired => Decision::MinorOptInRequired,
            Outcome::ConsentRequired => Decision::ConsentRequired,
        }
    }

    /// The status of `subject`'s consent to `purpose` at `at`.
    /// [`ConsentStatus::Unknown`] for an unknown subject or purpose, or when
    /// the record is later than `at`. An unexpired grant of a sale/sharing
    /// purpose under the subject's global opt-out signal is
    /// [`ConsentStatus::OptedOut`]: the signal wins over the earlier
    /// consent, as in the decision rules.
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
    /// assert_eq!(ledger.status("ann", "news", t), ConsentStatus::Given);
    /// assert_eq!(ledger.status("ben", "news", t), ConsentStatus::Unknown);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn status(&self, subject: &str, purpose: &str, at: impl Into<Timestamp>) -> ConsentStatus {
        let at = at.into().unix_nanos();
        let (Some(s), Some(ph)) = (
            self.store.names.find(subject),
            self.catalog.purpose_index(purpose),
        ) else {
            return ConsentStatus::Unknown;
        };
        if let Some((k, _)) = self.store.kept(s, ph)
            && k.kind() == OBJECTED
            && k.from <= at
            && self
                .catalog
                .purpose_by_index(ph)
                .is_some_and(Purpose::is_direct_marketing)
        {
            // A direct-marketing objection holds over a later refusal, also
            // before that refusal's time and once it is pruned.
            return ConsentStatus::Objected;
        }
        let Some(r) = self.store.row(s, Slot::Purpose(ph)) else {
            return ConsentStatus::Unknown;
        };
        if at < r.from {
            // The record is later than the instant: what held then is unknown.
            return ConsentStatus::Unknown;
        }
        if r.kind() == GIVEN
            && self
                .store
                .row(s, Slot::WithdrawnAll)
                .is_some_and(|w| r.from <= w.from)
        {
            return ConsentStatus::Withdrawn;
        }
        // As the decision rules: while the signal is on (or, once cleared,
        // before it was cleared), it denies a sale/sharing purpose.
        let opted_out = || {
            if self.catalog.regimes.is_some() {
                // Under a regime, as its decision says (the signal may reach
                // other kinds, and a later consent may win over it).
                let category = self.store.set(r.set()).indices().next().unwrap_or(0);
                return matches!(
                    self.outcome(Some(s), ph, category, at),
                    Outcome::OptedOut(_)
                );
            }
            self.catalog
                .purpose_by_index(ph)
                .is_some_and(|p| p.is_sale_or_sharing())
                && self.store.row(s, Slot::OptOut).is_some_and(|o| {
                    o.flags.contains(RowFlags::ON)
                        || (at < o.from && self.store.kept(s, KEPT_OPT_OUT).is_some())
                })
        };
        match r.kind() {
            REFUSED => ConsentStatus::Refused,
            WITHDRAWN => ConsentStatus::Withdrawn,
            OBJECTED => ConsentStatus::Objected,
            _ if at >= r.until => ConsentStatus::Expired,
            _ if !r.flags.contains(RowFlags::NOTICE_OK) => ConsentStatus::Invalidated,
            _ if opted_out() => ConsentStatus::OptedOut,
            _ if r.flags.contains(RowFlags::RENEWAL) => ConsentStatus::Renewed,
            _ => ConsentStatus::Given,
        }
    }
}

/// The anchors kept beside rows, for the rights views.
impl Ledger {
    /// When `subject` objected to direct-marketing `purpose`, if that
    /// objection still holds over a later refusal or withdrawal.
    pub(crate) fn kept_objection(&self, subject: &str, purpose: &str) -> Option<OffsetDateTime> {
        let s = self.store.names.find(subject)?;
        let p = self.catalog.purpose_index(purpose)?;
        let (k, _) = self.store.kept(s, p)?;
        (k.kind() == OBJECTED).then(|| timestamp::from_nanos(k.from))
    }

    /// When `subject`'s opt-out signal was last set, if it was cleared since.
    pub(crate) fn opt_out_set_before_clear(&self, subject: &str) -> Option<OffsetDateTime> {
        let s = self.store.names.find(subject)?;
        let (k, _) = self.store.kept(s, KEPT_OPT_OUT)?;
        Some(timestamp::from_nanos(k.from))
    }
}
