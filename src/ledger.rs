//! The consent state: one current record per subject and purpose. Every
//! change goes through [`Ledger::apply`].

use std::collections::HashMap;
use std::fmt;

use time::OffsetDateTime;

use crate::catalog::{Catalog, Category, CategoryHandle, LegalBasis, Purpose, PurposeHandle};
use crate::category::CategorySet;
use crate::decision::{ConsentStatus, Decision};
use crate::error::{Error, Result};
use crate::event::{Event, EventId, EventKind, require_notice};
use crate::evidence::{Evidence, Interner, StoredEvidence};
use crate::limits;
use crate::timestamp::{self, NEVER, Nanos};

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
///     Evidence::new(CollectionMethod::Banner).notice_version(3),
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Applied {
    /// The event changed the state.
    Changed,
    /// The same event is already in effect.
    Duplicate,
    /// A later event (or an equal-time one that wins the tie-break) already
    /// holds; this one changes nothing.
    Superseded,
    /// The subject was erased at or after the event's time; it is discarded.
    Erased,
}

/// A subject resolved once, for repeated checks ([`Ledger::check`]). Valid
/// for the ledger that issued it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubjectHandle(pub(crate) u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum RecordKind {
    // INVARIANT: the order is the tie-break at equal times: the more
    // protective answer wins (objected > withdrawn > refused > given).
    Given,
    Refused,
    Withdrawn,
    Objected,
}

/// A subject's latest answer for one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) time: Nanos,
    /// Exclusive end of validity; `NEVER` for none. Only for `Given`.
    pub(crate) expires: Nanos,
    pub(crate) id: EventId,
    /// The categories as named; coverage of a category `c` is
    /// `categories ∩ ancestors(c) ≠ ∅`.
    pub(crate) categories: CategorySet,
    pub(crate) evidence: StoredEvidence,
    pub(crate) purpose: u16,
    pub(crate) kind: RecordKind,
    pub(crate) renewal: bool,
}

impl Record {
    fn key(&self) -> (Nanos, RecordKind, EventId) {
        (self.time, self.kind, self.id)
    }
}

/// A subject-wide mark: registration, erasure, withdraw-all, opt-out signal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mark {
    pub(crate) time: Nanos,
    pub(crate) id: EventId,
    /// For the opt-out signal: on (true) or cleared (false). Otherwise true.
    pub(crate) on: bool,
    pub(crate) evidence: Option<StoredEvidence>,
}

impl Mark {
    /// Later time wins; at equal times "on" beats "off", then the larger id.
    fn key(&self) -> (Nanos, bool, EventId) {
        (self.time, self.on, self.id)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SubjectState {
    pub(crate) registered: Option<Mark>,
    pub(crate) erased: Option<Mark>,
    pub(crate) withdrawn_all: Option<Mark>,
    pub(crate) opt_out: Option<Mark>,
    /// INVARIANT: sorted by purpose, at most one per purpose, all later than
    /// `erased`.
    pub(crate) records: Vec<Record>,
}

impl SubjectState {
    /// Known: something other than an erasure mark is held.
    pub(crate) fn is_known(&self) -> bool {
        self.registered.is_some()
            || self.withdrawn_all.is_some()
            || self.opt_out.is_some()
            || !self.records.is_empty()
    }

    pub(crate) fn record(&self, purpose: u16) -> Option<&Record> {
        self.records
            .binary_search_by_key(&purpose, |r| r.purpose)
            .ok()
            .and_then(|i| self.records.get(i))
    }

    /// Whether a withdraw-all supersedes this (given) record.
    fn withdrawn_by_all(&self, r: &Record) -> Option<&Mark> {
        self.withdrawn_all
            .as_ref()
            .filter(|w| r.kind == RecordKind::Given && r.time <= w.time)
    }

    fn erased_at_or_after(&self, time: Nanos) -> bool {
        self.erased.as_ref().is_some_and(|e| time <= e.time)
    }
}

/// The consent ledger: the catalog and every subject's current answers.
///
/// Changes ([`give`](Ledger::give), [`refuse`](Ledger::refuse),
/// [`withdraw`](Ledger::withdraw), ...) each return an [`Event`] for the host
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
/// let evidence = Evidence::new(CollectionMethod::Banner).notice_version(1);
/// let event = ledger.give(Grant::new("user-1", "newsletter", at, evidence))?;
/// assert!(ledger.is_permitted("user-1", "newsletter", "contact.email", at));
/// assert!(!ledger.is_permitted("user-2", "newsletter", "contact.email", at));
/// # let _ = event;
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Clone)]
pub struct Ledger {
    pub(crate) catalog: Catalog,
    pub(crate) index: HashMap<Box<str>, u32>,
    pub(crate) names: Vec<Box<str>>,
    pub(crate) subjects: Vec<SubjectState>,
    pub(crate) pool: Interner,
}

impl fmt::Debug for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ledger")
            .field("purposes", &self.catalog.purposes().len())
            .field("categories", &self.catalog.categories().len())
            .field("subjects", &self.subjects.len())
            .finish_non_exhaustive()
    }
}

/// A per-purpose change, checked against the catalog.
struct Resolved {
    purpose: u16,
    kind: RecordKind,
    categories: CategorySet,
    expires: Nanos,
    renewal: bool,
}

impl Ledger {
    /// An empty ledger over `catalog`.
    #[must_use]
    pub fn new(catalog: Catalog) -> Self {
        Ledger {
            catalog,
            index: HashMap::new(),
            names: Vec::new(),
            subjects: Vec::new(),
            pool: Interner::default(),
        }
    }

    /// The catalog.
    #[must_use]
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// How many subjects the ledger knows (erased ones not counted).
    #[must_use]
    pub fn subject_count(&self) -> usize {
        self.subjects.iter().filter(|s| s.is_known()).count()
    }

    /// Every known subject id, in the order first seen.
    pub fn subjects(&self) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .zip(&self.subjects)
            .filter(|(_, s)| s.is_known())
            .map(|(n, _)| &**n)
    }

    // ------------------------------------------------------------------
    // Checks
    // ------------------------------------------------------------------

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
        at: OffsetDateTime,
    ) -> bool {
        self.decide(subject, purpose, category, at).is_permitted()
    }

    /// The decision for `subject`, `purpose`, `category` at `at`, with its
    /// reason. [`Decision::is_permitted`] equals [`Ledger::is_permitted`].
    #[must_use]
    pub fn decide(
        &self,
        subject: &str,
        purpose: &str,
        category: &str,
        at: OffsetDateTime,
    ) -> Decision {
        let Some(p) = self.catalog.purpose_handle(purpose) else {
            return Decision::UnknownPurpose;
        };
        let Some(c) = self.catalog.category_handle(category) else {
            return Decision::UnknownCategory;
        };
        let s = self.subject_handle(subject);
        self.decide_handles(s, p, c, timestamp::check_nanos(at))
    }

    /// Resolves a subject id once, for repeated checks by handle. `None` if
    /// the ledger has never seen the subject.
    #[must_use]
    pub fn subject_handle(&self, subject: &str) -> Option<SubjectHandle> {
        self.index.get(subject).copied().map(SubjectHandle)
    }

    /// [`Ledger::decide`] by handles resolved once with
    /// [`Ledger::subject_handle`], [`Catalog::purpose_handle`] and
    /// [`Catalog::category_handle`]. Hashes nothing. A handle from another
    /// ledger or catalog gives a meaningless (but never panicking) answer.
    #[must_use]
    pub fn check(
        &self,
        subject: SubjectHandle,
        purpose: PurposeHandle,
        category: CategoryHandle,
        at: OffsetDateTime,
    ) -> Decision {
        self.decide_handles(Some(subject), purpose, category, timestamp::check_nanos(at))
    }

    fn decide_handles(
        &self,
        subject: Option<SubjectHandle>,
        purpose: PurposeHandle,
        category: CategoryHandle,
        at: Nanos,
    ) -> Decision {
        let (Some(p), Some(c)) = (
            self.catalog.purpose_at(purpose),
            self.catalog.category_at(category),
        ) else {
            return Decision::UnknownPurpose;
        };
        let state = subject.and_then(|s| self.subjects.get(s.0 as usize));
        evaluate(state, p, purpose.0, c, category.0, at)
    }

    /// The status of `subject`'s consent to `purpose` at `at`.
    /// [`ConsentStatus::Unknown`] for an unknown subject or purpose.
    #[must_use]
    pub fn status(&self, subject: &str, purpose: &str, at: OffsetDateTime) -> ConsentStatus {
        let at = timestamp::check_nanos(at);
        let (Some(s), Some(ph)) = (
            self.subject_handle(subject)
                .and_then(|h| self.subjects.get(h.0 as usize)),
            self.catalog.purpose_handle(purpose),
        ) else {
            return ConsentStatus::Unknown;
        };
        let Some(p) = self.catalog.purpose_at(ph) else {
            return ConsentStatus::Unknown;
        };
        let Some(r) = s.record(ph.0) else {
            return ConsentStatus::Unknown;
        };
        if at < r.time {
            // The record is later than the instant: what held then is unknown.
            return ConsentStatus::Unknown;
        }
        if s.withdrawn_by_all(r).is_some() {
            return ConsentStatus::Withdrawn;
        }
        match r.kind {
            RecordKind::Refused => ConsentStatus::Refused,
            RecordKind::Withdrawn => ConsentStatus::Withdrawn,
            RecordKind::Objected => ConsentStatus::Objected,
            RecordKind::Given if at >= r.expires => ConsentStatus::Expired,
            RecordKind::Given if r.evidence.notice() < p.min_notice_version() => {
                ConsentStatus::Invalidated
            }
            RecordKind::Given if r.renewal => ConsentStatus::Renewed,
            RecordKind::Given => ConsentStatus::Given,
        }
    }

    /// Everything the ledger holds about `subject`: its records (one per
    /// purpose answered, in catalog order) and marks. `None` if the ledger has
    /// never seen the subject; an erased subject has only its erasure mark.
    #[must_use]
    pub fn subject_records(&self, subject: &str) -> Option<crate::record::SubjectRecords> {
        use crate::record::{Answer, ConsentRecord, SubjectMark, SubjectRecords};
        let h = self.subject_handle(subject)?;
        let s = self.subjects.get(h.0 as usize)?;
        let mark = |m: &Mark| SubjectMark {
            at: timestamp::from_nanos(m.time),
            event: m.id,
            evidence: m.evidence.as_ref().map(|e| e.load(&self.pool)),
        };
        let records = s
            .records
            .iter()
            .filter_map(|r| {
                let p = self.catalog.purposes().nth(usize::from(r.purpose))?;
                Some(ConsentRecord {
                    purpose: p.name().to_owned(),
                    answer: match r.kind {
                        RecordKind::Given => Answer::Given,
                        RecordKind::Refused => Answer::Refused,
                        RecordKind::Withdrawn => Answer::Withdrawn,
                        RecordKind::Objected => Answer::Objected,
                    },
                    at: timestamp::from_nanos(r.time),
                    expires_at: (r.kind == RecordKind::Given && r.expires != NEVER)
                        .then(|| timestamp::from_nanos(r.expires)),
                    categories: if r.kind == RecordKind::Given {
                        self.catalog.category_names(r.categories)
                    } else {
                        Vec::new()
                    },
                    renewal: r.renewal,
                    event: r.id,
                    evidence: r.evidence.load(&self.pool),
                    withdrawn_by_all: s.withdrawn_by_all(r).map(|w| timestamp::from_nanos(w.time)),
                })
            })
            .collect();
        Some(SubjectRecords {
            subject: subject.to_owned(),
            registered: s.registered.as_ref().map(mark),
            withdrawn_all: s.withdrawn_all.as_ref().map(mark),
            global_opt_out: s.opt_out.as_ref().map(|m| (m.on, mark(m))),
            erased: s.erased.as_ref().map(mark),
            records,
        })
    }

    /// Drops the record of `subject` for `purpose` (for pruning). Returns
    /// whether there was one.
    #[allow(dead_code)] // for pruning, in the report module
    pub(crate) fn remove_record(&mut self, subject: &str, purpose: &str) -> bool {
        let (Some(h), Some(p)) = (
            self.subject_handle(subject),
            self.catalog.purpose_handle(purpose),
        ) else {
            return false;
        };
        let Some(s) = self.subjects.get_mut(h.0 as usize) else {
            return false;
        };
        match s.records.binary_search_by_key(&p.0, |r| r.purpose) {
            Ok(i) => {
                s.records.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    // ------------------------------------------------------------------
    // Changes
    // ------------------------------------------------------------------

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
    pub fn give(&mut self, grant: Grant) -> Result<Event> {
        let at = timestamp::to_nanos(grant.at)?;
        let p = self.purpose(&grant.purpose)?;
        grant.evidence.check()?;
        require_notice(p.name(), &grant.evidence)?;
        check_not_outdated(p, &grant.evidence)?;
        let categories = match &grant.categories {
            Some(names) => {
                self.catalog.category_set(p, names)?;
                names.clone()
            }
            None => p.categories().map(str::to_owned).collect(),
        };
        let expires = match grant.expires_at {
            Some(t) => {
                let t = timestamp::to_nanos(t)?;
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
    pub fn clear_global_opt_out(
        &mut self,
        subject: &str,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Result<Event> {
        let kind = EventKind::OptOutCleared { evidence };
        self.record_change(subject, timestamp::to_nanos(at)?, kind)
    }

    /// Makes a subject known without any consent record, so that purposes
    /// that do not need consent (contract, legitimate interest...) are
    /// permitted for them. An unknown subject is never permitted anything.
    ///
    /// # Errors
    ///
    /// An invalid subject id, an instant out of range, or a subject erased at
    /// or after `at`.
    pub fn register(&mut self, subject: &str, at: OffsetDateTime) -> Result<Event> {
        self.record_change(subject, timestamp::to_nanos(at)?, EventKind::Registered)
    }

    /// Erases a subject: every record, mark and piece of evidence held for it
    /// at or before `at` is dropped. What is kept is the subject id and the
    /// erasure's time and event id, so that a late or replayed older event
    /// cannot bring the subject back; a later event (a new sign-up) can.
    ///
    /// # Errors
    ///
    /// An invalid subject id or an instant out of range.
    pub fn erase(&mut self, subject: &str, at: OffsetDateTime) -> Result<Event> {
        let event = Event::new(subject, timestamp::to_nanos(at)?, EventKind::Erased)?;
        self.apply(&event)?;
        Ok(event)
    }

    fn record_change(&mut self, subject: &str, at: Nanos, kind: EventKind) -> Result<Event> {
        let event = Event::new(subject, at, kind)?;
        if let Some(e) = self
            .subject_handle(subject)
            .and_then(|h| self.subjects.get(h.0 as usize))
            .and_then(|s| s.erased.as_ref())
            .filter(|e| at <= e.time)
        {
            return Err(Error::SubjectErased {
                subject: subject.to_owned(),
                erased_at: timestamp::format(e.time),
            });
        }
        self.apply(&event)?;
        Ok(event)
    }

    /// Applies an event, from this ledger or another, from the host's log or
    /// another instance. The event is checked against the catalog first; an
    /// invalid one is an error and changes nothing.
    ///
    /// Applying the same set of events in any order, any number of times,
    /// gives the same state: per subject and purpose the latest event time
    /// wins; at equal times objected beats withdrawn beats refused beats
    /// given, then the larger [`EventId`] wins. A withdraw-all withdraws every
    /// grant of the subject given at or before its time. An erasure drops
    /// everything at or before its time and discards later-arriving events
    /// that are not after it.
    ///
    /// # Errors
    ///
    /// An undeclared purpose or category, a category outside the purpose, a
    /// notice version never published, an objection the purpose does not
    /// allow.
    pub fn apply(&mut self, event: &Event) -> Result<Applied> {
        let at = event.at_nanos();
        let resolved = self.resolve(event)?;
        let pool = &mut self.pool;
        let idx = match self.index.get(event.subject()) {
            Some(&i) => i,
            None => {
                limits::check_subject(event.subject())?;
                // INVARIANT: a ledger holds fewer than 2^32 subjects (memory
                // runs out first at the limits' sizes).
                let i = self.subjects.len() as u32;
                self.index.insert(event.subject().into(), i);
                self.names.push(event.subject().into());
                self.subjects.push(SubjectState::default());
                i
            }
        };
        let Some(s) = self.subjects.get_mut(idx as usize) else {
            return Ok(Applied::Superseded);
        };
        if !matches!(event.kind(), EventKind::Erased) && s.erased_at_or_after(at) {
            return Ok(Applied::Erased);
        }
        let evidence = event
            .kind()
            .evidence()
            .map(|e| StoredEvidence::store(e, pool));
        let mark = |on| Mark {
            time: at,
            id: event.id(),
            on,
            evidence: evidence.clone(),
        };
        let outcome = match event.kind() {
            EventKind::Registered => put_mark(&mut s.registered, mark(true)),
            EventKind::WithdrawnAll { .. } => put_mark(&mut s.withdrawn_all, mark(true)),
            EventKind::OptOutSet { .. } => put_mark(&mut s.opt_out, mark(true)),
            EventKind::OptOutCleared { .. } => put_mark(&mut s.opt_out, mark(false)),
            EventKind::Erased => {
                let outcome = put_mark(&mut s.erased, mark(true));
                if outcome == Applied::Changed {
                    erase_before(s, at);
                }
                outcome
            }
            _ => match (resolved, evidence) {
                (Some(r), Some(evidence)) => put_record(
                    s,
                    Record {
                        time: at,
                        expires: r.expires,
                        id: event.id(),
                        categories: r.categories,
                        evidence,
                        purpose: r.purpose,
                        kind: r.kind,
                        renewal: r.renewal,
                    },
                ),
                _ => Applied::Superseded,
            },
        };
        Ok(outcome)
    }

    /// The state as events: for every subject, one event per record and mark
    /// held, in an order that replays to the same state (any order does).
    ///
    /// Applying these events to an empty ledger over the same catalog gives
    /// this ledger's state; applying them to another ledger merges the two
    /// (see [`Ledger::merge`]). A host can also use them to compact its log.
    /// Each event has the id of the event that produced the record, except
    /// where the record differs from that event (an expiry capped by a later
    /// catalog), where it is the id of the content as held.
    pub fn events(&self) -> impl Iterator<Item = Event> + '_ {
        self.names
            .iter()
            .zip(&self.subjects)
            .flat_map(move |(name, s)| self.subject_events(name, s))
    }

    fn subject_events(&self, subject: &str, s: &SubjectState) -> Vec<Event> {
        let evidence = |m: &Mark| {
            m.evidence
                .as_ref()
                .map(|e| e.load(&self.pool))
                .unwrap_or(Evidence::new(crate::evidence::CollectionMethod::Other))
        };
        let mut kinds = Vec::with_capacity(4 + s.records.len());
        if let Some(m) = &s.erased {
            kinds.push((m.time, EventKind::Erased));
        }
        if let Some(m) = &s.registered {
            kinds.push((m.time, EventKind::Registered));
        }
        if let Some(m) = &s.withdrawn_all {
            kinds.push((
                m.time,
                EventKind::WithdrawnAll {
                    evidence: evidence(m),
                },
            ));
        }
        if let Some(m) = &s.opt_out {
            let evidence = evidence(m);
            kinds.push((
                m.time,
                if m.on {
                    EventKind::OptOutSet { evidence }
                } else {
                    EventKind::OptOutCleared { evidence }
                },
            ));
        }
        for r in &s.records {
            let Some(p) = self.catalog.purposes().nth(usize::from(r.purpose)) else {
                continue;
            };
            let purpose = p.name().to_owned();
            let evidence = r.evidence.load(&self.pool);
            kinds.push((
                r.time,
                match r.kind {
                    RecordKind::Given => EventKind::Given {
                        purpose,
                        categories: self.catalog.category_names(r.categories),
                        expires_at: (r.expires != NEVER).then(|| timestamp::from_nanos(r.expires)),
                        renewal: r.renewal,
                        evidence,
                    },
                    RecordKind::Refused => EventKind::Refused { purpose, evidence },
                    RecordKind::Withdrawn => EventKind::Withdrawn { purpose, evidence },
                    RecordKind::Objected => EventKind::Objected { purpose, evidence },
                },
            ));
        }
        // Everything held passed these checks on the way in; an event that
        // somehow does not is left out rather than invented.
        kinds
            .into_iter()
            .filter_map(|(at, kind)| Event::new(subject, at, kind).ok())
            .collect()
    }

    /// Brings into this ledger everything `other` holds, by applying
    /// [`other.events()`](Ledger::events). Merging is commutative,
    /// associative and idempotent: two ledgers that merge each other hold the
    /// same state, whatever each had seen and in whatever order.
    ///
    /// Returns how many events changed this ledger.
    ///
    /// # Errors
    ///
    /// If any of `other`'s events is invalid under this ledger's catalog (an
    /// undeclared purpose or category...), the first such error; nothing is
    /// applied then.
    pub fn merge(&mut self, other: &Ledger) -> Result<usize> {
        let events: Vec<Event> = other.events().collect();
        for e in &events {
            self.resolve(e)?;
        }
        let mut changed = 0;
        for e in &events {
            if self.apply(e)? == Applied::Changed {
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// Checks an event against the catalog; per-purpose kinds resolve to ids.
    fn resolve(&self, event: &Event) -> Result<Option<Resolved>> {
        let at = event.at_nanos();
        let (purpose, kind) = match event.kind() {
            EventKind::Given { purpose, .. } => (purpose, RecordKind::Given),
            EventKind::Refused { purpose, .. } => (purpose, RecordKind::Refused),
            EventKind::Withdrawn { purpose, .. } => (purpose, RecordKind::Withdrawn),
            EventKind::Objected { purpose, .. } => (purpose, RecordKind::Objected),
            _ => return Ok(None),
        };
        let Some(h) = self.catalog.purpose_handle(purpose) else {
            return Err(Error::UnknownPurpose(purpose.clone()));
        };
        let p = self.purpose(purpose)?;
        if let Some(e) = event.kind().evidence()
            && let Some(v) = e.notice()
            && v > p.notice_version()
        {
            return Err(Error::NoticeVersion {
                purpose: purpose.clone(),
                problem: format!(
                    "notice version {v} was never published (current version {})",
                    p.notice_version()
                ),
            });
        }
        let mut resolved = Resolved {
            purpose: h.0,
            kind,
            categories: CategorySet::empty(),
            expires: NEVER,
            renewal: false,
        };
        match event.kind() {
            EventKind::Given {
                categories,
                expires_at,
                renewal,
                ..
            } => {
                resolved.categories = self.catalog.category_set(p, categories)?;
                let requested = match expires_at {
                    Some(t) => timestamp::to_nanos(*t)?,
                    None => NEVER,
                };
                resolved.expires = cap(p, at, requested);
                resolved.renewal = *renewal;
            }
            EventKind::Objected { .. } if !p.allows_objection() => {
                return Err(Error::ObjectionNotApplicable {
                    purpose: purpose.clone(),
                    basis: p.basis(),
                });
            }
            _ => {}
        }
        Ok(Some(resolved))
    }

    fn purpose(&self, name: &str) -> Result<&Purpose> {
        self.catalog
            .purpose(name)
            .ok_or_else(|| Error::UnknownPurpose(name.to_owned()))
    }

    /// Whether `subject` holds a grant for `p` valid at `at` (for renewals).
    fn valid_grant_at(&self, subject: &str, p: &Purpose, at: Nanos) -> bool {
        let (Some(h), Some(s)) = (
            self.catalog.purpose_handle(p.name()),
            self.subject_handle(subject)
                .and_then(|s| self.subjects.get(s.0 as usize)),
        ) else {
            return false;
        };
        s.record(h.0).is_some_and(|r| {
            r.kind == RecordKind::Given
                && s.withdrawn_by_all(r).is_none()
                && r.time <= at
                && at < r.expires
                && r.evidence.notice() >= p.min_notice_version()
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
    p.default_nanos.map_or(NEVER, |d| at.saturating_add(d))
}

/// Caps a requested expiry to the purpose's maximum validity.
pub(crate) fn cap(p: &Purpose, at: Nanos, requested: Nanos) -> Nanos {
    match p.max_nanos {
        Some(max) => requested.min(at.saturating_add(max)),
        None => requested,
    }
}

fn put_mark(slot: &mut Option<Mark>, mark: Mark) -> Applied {
    match slot {
        Some(old) if old.id == mark.id => Applied::Duplicate,
        Some(old) if old.key() > mark.key() => Applied::Superseded,
        _ => {
            *slot = Some(mark);
            Applied::Changed
        }
    }
}

fn put_record(s: &mut SubjectState, record: Record) -> Applied {
    match s
        .records
        .binary_search_by_key(&record.purpose, |r| r.purpose)
    {
        Ok(i) => match s.records.get_mut(i) {
            Some(old) if old.id == record.id => Applied::Duplicate,
            Some(old) if old.key() > record.key() => Applied::Superseded,
            Some(old) => {
                *old = record;
                Applied::Changed
            }
            None => Applied::Superseded,
        },
        Err(i) => {
            s.records.insert(i, record);
            Applied::Changed
        }
    }
}

/// Drops everything held for the subject at or before `at`.
fn erase_before(s: &mut SubjectState, at: Nanos) {
    s.records.retain(|r| r.time > at);
    for slot in [&mut s.registered, &mut s.withdrawn_all, &mut s.opt_out] {
        if slot.as_ref().is_some_and(|m| m.time <= at) {
            *slot = None;
        }
    }
}

/// The decision rules, in order. See the README's "Decision rules".
#[inline]
fn evaluate(
    state: Option<&SubjectState>,
    p: &Purpose,
    purpose: u16,
    c: &Category,
    category: u8,
    at: Nanos,
) -> Decision {
    if !p.allowed.contains(CategorySet::single(category)) {
        return Decision::CategoryNotInPurpose;
    }
    let Some(s) = state.filter(|s| s.is_known()) else {
        return Decision::UnknownSubject;
    };
    let record = s.record(purpose);
    if let Some(r) = record.filter(|r| r.kind == RecordKind::Objected) {
        return Decision::Objected {
            at: timestamp::from_nanos(r.time),
        };
    }
    if p.is_sale_or_sharing()
        && let Some(signal) = &s.opt_out
        && (signal.on || at < signal.time)
    {
        return Decision::OptedOut {
            at: timestamp::from_nanos(signal.time),
        };
    }
    let sensitive = c.needs_explicit;
    if sensitive && p.basis() == LegalBasis::Consent {
        return Decision::ExplicitConsentRequired;
    }
    let needs_consent = p.basis().is_consent() || sensitive;
    match record {
        None if needs_consent && sensitive && !p.basis().is_consent() => {
            Decision::ExplicitConsentRequired
        }
        None if needs_consent => Decision::NoConsent,
        None => Decision::NotConsentBased { basis: p.basis() },
        Some(r) => {
            if let Some(w) = s.withdrawn_by_all(r) {
                if needs_consent || p.basis().honours_refusal() {
                    return Decision::Withdrawn {
                        at: timestamp::from_nanos(w.time),
                        all: true,
                    };
                }
                return Decision::NotConsentBased { basis: p.basis() };
            }
            match r.kind {
                RecordKind::Refused | RecordKind::Withdrawn
                    if !(needs_consent || p.basis().honours_refusal()) =>
                {
                    Decision::NotConsentBased { basis: p.basis() }
                }
                RecordKind::Refused => Decision::Refused {
                    at: timestamp::from_nanos(r.time),
                },
                RecordKind::Withdrawn => Decision::Withdrawn {
                    at: timestamp::from_nanos(r.time),
                    all: false,
                },
                RecordKind::Objected => Decision::Objected {
                    at: timestamp::from_nanos(r.time),
                },
                RecordKind::Given if !needs_consent => {
                    Decision::NotConsentBased { basis: p.basis() }
                }
                RecordKind::Given => grant_decision(r, p, c, at),
            }
        }
    }
}

fn grant_decision(r: &Record, p: &Purpose, c: &Category, at: Nanos) -> Decision {
    if at < r.time {
        return Decision::NotYetValid {
            given_at: timestamp::from_nanos(r.time),
        };
    }
    if at >= r.expires {
        return Decision::Expired {
            given_at: timestamp::from_nanos(r.time),
            expired_at: timestamp::from_nanos(r.expires),
        };
    }
    if r.evidence.notice() < p.min_notice_version() {
        return Decision::NoticeOutdated {
            version: r.evidence.notice(),
            min_version: p.min_notice_version(),
        };
    }
    if !r.categories.intersects(c.ancestors) {
        return Decision::CategoryNotCovered;
    }
    Decision::Granted {
        record: r.id,
        given_at: timestamp::from_nanos(r.time),
        expires_at: (r.expires != NEVER).then(|| timestamp::from_nanos(r.expires)),
    }
}
