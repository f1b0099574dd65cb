//! Checks in batches, and every purpose of one subject at once.
//!
//! At a million subjects a check waits on memory: the subject's table entry,
//! its id, its head, its record are each a cache miss, and each needs the
//! one before. A batch runs the checks in groups of [`LANES`] stage by
//! stage (find every subject, then read every head, then every record, then
//! decide), so the misses of independent checks are in flight together
//! instead of one after the other. The answers are the single checks'.

use std::iter::FusedIterator;

use crate::instant::Timestamp;
use crate::ledger::checks::Outcome;
use crate::ledger::store::{Head, Row};
use crate::ledger::{Ledger, SubjectHandle};
use crate::model::catalog::{CategoryHandle, PurposeHandle};
use crate::model::category::CategorySet;
use crate::model::purpose::Purpose;
use crate::wire::timestamp::Nanos;

/// Checks a batch runs stage by stage together: enough misses in flight
/// to fill the memory system, few enough that the staged state stays in
/// the first-level cache.
const LANES: usize = 32;

/// One check of a batch, resolved: subject index (if known), purpose and
/// category indices (if declared; a foreign handle counts as undeclared
/// with its own outcome).
#[derive(Clone, Copy)]
struct Lane {
    subject: Option<u32>,
    purpose: Option<u16>,
    category: Option<u8>,
    foreign: bool,
}

impl Lane {
    const EMPTY: Lane = Lane {
        subject: None,
        purpose: None,
        category: None,
        foreign: false,
    };
}

/// # Batches
///
/// Many checks at once, with the answers of the single checks, for the
/// host that has them together: a page rendering that asks about several
/// purposes, a message queue consumer, an export. Neither call allocates
/// when `out` has room.
impl Ledger {
    /// [`Ledger::is_permitted`] for each `(subject, purpose, category)` of
    /// `checks` at one instant: `out` is cleared and gets one answer per
    /// check, in order. Faster than the single checks at scale (see the
    /// README's Performance section); allocates only to grow `out`.
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
    /// let mut answers = Vec::new();
    /// ledger.is_permitted_many(
    ///     &[("ann", "news", "email"), ("ben", "news", "email"), ("ann", "ads", "email")],
    ///     t,
    ///     &mut answers,
    /// );
    /// assert_eq!(answers, [true, false, false]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn is_permitted_many(
        &self,
        checks: &[(&str, &str, &str)],
        at: impl Into<Timestamp>,
        out: &mut Vec<bool>,
    ) {
        let at = at.into().unix_nanos();
        out.clear();
        out.reserve(checks.len());
        for chunk in checks.chunks(LANES) {
            let names = &self.store.names;
            let mut lanes = [Lane::EMPTY; LANES];
            // Stage 1: hash every subject id; resolve the catalog names
            // (small maps, in cache).
            let mut hashes = [0u64; LANES];
            for ((lane, hash), (subject, purpose, category)) in
                lanes.iter_mut().zip(&mut hashes).zip(chunk)
            {
                *hash = names.hash(subject);
                lane.purpose = self.catalog.purpose_index(purpose);
                lane.category = self.catalog.category_index(category);
            }
            // Stage 2: every id's table entry; stage 3: every id's text.
            let firsts = hashes.map(|h| names.first(h));
            for (((lane, hash), first), (subject, _, _)) in
                lanes.iter_mut().zip(hashes).zip(firsts).zip(chunk)
            {
                lane.subject = names.find_from(hash, first, subject);
            }
            self.decide_lanes(lanes.get(..chunk.len()).unwrap_or(&[]), at, out);
        }
    }

    /// [`Ledger::is_permitted_many`] by handles ([`Ledger::is_permitted_by`]
    /// for each check): hashes nothing. A handle of another ledger or
    /// catalog is denied.
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
    /// let (ann, ben) = (ledger.subject_handle("ann").unwrap(), ledger.subject_handle("ben").unwrap());
    /// let news = ledger.catalog().purpose_handle("news").unwrap();
    /// let email = ledger.catalog().category_handle("email").unwrap();
    /// let mut answers = Vec::new();
    /// ledger.is_permitted_many_by(&[(ann, news, email), (ben, news, email)], t, &mut answers);
    /// assert_eq!(answers, [true, false]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn is_permitted_many_by(
        &self,
        checks: &[(SubjectHandle, PurposeHandle, CategoryHandle)],
        at: impl Into<Timestamp>,
        out: &mut Vec<bool>,
    ) {
        let at = at.into().unix_nanos();
        out.clear();
        out.reserve(checks.len());
        let fingerprint = self.catalog.fingerprint();
        for chunk in checks.chunks(LANES) {
            let mut lanes = [Lane::EMPTY; LANES];
            for (lane, (s, p, c)) in lanes.iter_mut().zip(chunk) {
                *lane =
                    if s.ledger != self.tag || p.catalog != fingerprint || c.catalog != fingerprint
                    {
                        Lane {
                            foreign: true,
                            ..Lane::EMPTY
                        }
                    } else {
                        Lane {
                            subject: Some(s.index),
                            purpose: Some(p.index),
                            category: Some(c.index),
                            foreign: false,
                        }
                    };
            }
            self.decide_lanes(lanes.get(..chunk.len()).unwrap_or(&[]), at, out);
        }
    }

    /// Stages 2 to 4 of a batch: every head, then every record, then the
    /// decisions, pushed to `out`.
    #[inline]
    fn decide_lanes(&self, lanes: &[Lane], at: Nanos, out: &mut Vec<bool>) {
        let st = &self.store;
        let mut heads = [Head::default(); LANES];
        for (h, lane) in heads.iter_mut().zip(lanes) {
            if let Some(s) = lane.subject {
                *h = st.head(s);
            }
        }
        let mut records: [Option<Row>; LANES] = [None; LANES];
        for ((r, h), lane) in records.iter_mut().zip(&heads).zip(lanes) {
            if let (Some(s), Some(p)) = (lane.subject, lane.purpose) {
                *r = st.record_in(h, s, p);
            }
        }
        for (lane, record) in lanes.iter().zip(records) {
            let outcome = match (lane.purpose, lane.category) {
                _ if lane.foreign => Outcome::ForeignHandle,
                (Some(p), Some(c)) => self.outcome_with(lane.subject, p, c, at, record),
                _ => Outcome::UnknownPurpose,
            };
            out.push(outcome.is_permitted());
        }
    }

    /// Every purpose `subject`'s data of `category` may be used for at
    /// `at`: the purposes for which [`Ledger::is_permitted`] is `true`, in
    /// declaration order, from one lookup of the subject. What a tag
    /// manager's consent flags or a partner's consent string is built
    /// from. Empty for an undeclared category; does not allocate.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["email"]),
    ///     )
    ///     .purpose(
    ///         PurposeDef::new("ads", LegalBasis::Consent)
    ///             .title("Advertising")
    ///             .description("Offers from partners.")
    ///             .categories(["email"]),
    ///     )
    ///     .purpose(
    ///         PurposeDef::new("billing", LegalBasis::Contract)
    ///             .title("Billing")
    ///             .description("Invoices.")
    ///             .categories(["email"]),
    ///     )
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// ledger.give(Grant::new("ann", "news", t, ev()))?;
    /// let names: Vec<&str> = ledger.permitted_purposes("ann", "email", t).map(Purpose::name).collect();
    /// assert_eq!(names, ["news", "billing"]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn permitted_purposes(
        &self,
        subject: &str,
        category: &str,
        at: impl Into<Timestamp>,
    ) -> PermittedPurposes<'_> {
        let at = at.into().unix_nanos();
        match self.catalog.category_index(category) {
            Some(c) => PermittedPurposes::new(self, self.store.names.find(subject), c, at),
            None => PermittedPurposes::empty(self),
        }
    }

    /// [`Ledger::permitted_purposes`] by handles: hashes nothing. Empty for
    /// a handle of another ledger or catalog.
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
    /// let ann = ledger.subject_handle("ann").expect("known");
    /// let email = ledger.catalog().category_handle("email").expect("declared");
    /// assert_eq!(ledger.permitted_purposes_by(ann, email, t).count(), 1);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn permitted_purposes_by(
        &self,
        subject: SubjectHandle,
        category: CategoryHandle,
        at: impl Into<Timestamp>,
    ) -> PermittedPurposes<'_> {
        let at = at.into().unix_nanos();
        if subject.ledger != self.tag || category.catalog != self.catalog.fingerprint() {
            return PermittedPurposes::empty(self);
        }
        PermittedPurposes::new(self, Some(subject.index), category.index, at)
    }
}

/// The purposes one subject's data of one category may be used for at one
/// instant, in declaration order: see [`Ledger::permitted_purposes`].
#[derive(Debug, Clone)]
pub struct PermittedPurposes<'a> {
    ledger: &'a Ledger,
    subject: Option<u32>,
    category: u8,
    at: Nanos,
    /// The next purpose index to decide.
    next: u16,
    /// One past the last purpose index (0 when empty).
    end: u16,
}

impl<'a> PermittedPurposes<'a> {
    fn new(ledger: &'a Ledger, subject: Option<u32>, category: u8, at: Nanos) -> Self {
        PermittedPurposes {
            ledger,
            subject,
            category,
            at,
            next: 0,
            end: u16::try_from(ledger.catalog.purposes().len()).unwrap_or(u16::MAX),
        }
    }

    fn empty(ledger: &'a Ledger) -> Self {
        PermittedPurposes {
            ledger,
            subject: None,
            category: 0,
            at: 0,
            next: 0,
            end: 0,
        }
    }
}

impl<'a> Iterator for PermittedPurposes<'a> {
    type Item = &'a Purpose;

    fn next(&mut self) -> Option<&'a Purpose> {
        let ledger = self.ledger;
        let single = CategorySet::single(self.category);
        while self.next < self.end {
            let index = self.next;
            self.next += 1;
            let Some(p) = ledger.catalog.purpose_by_index(index) else {
                break;
            };
            // A purpose that does not declare the category is denied
            // whatever the records say: skip it without reading them.
            if p.allowed.contains(single)
                && ledger
                    .outcome(self.subject, index, self.category, self.at)
                    .is_permitted()
            {
                return Some(p);
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(usize::from(self.end.saturating_sub(self.next))))
    }
}

impl FusedIterator for PermittedPurposes<'_> {}
