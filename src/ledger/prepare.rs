//! Changes as values: building and checking the event for a change without
//! applying it (for hosts that persist before they apply), recording one, and
//! recording a whole banner choice all or nothing.
//!
//! In the `Ledger` docs: the "Changes" group.

use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::ledger::store::Slot;
use crate::ledger::{Applied, Grant, Ledger};
use crate::model::evidence::Evidence;
use crate::model::facts::{Age, Jurisdiction};
use crate::wire::event::{Event, EventKind, require_notice};
use crate::wire::timestamp::{self, NEVER, Nanos};

use super::changes::{cap, check_not_outdated, default_expiry};

/// One change a host asks for, as a value: what [`Ledger::give`],
/// [`Ledger::refuse`] and the other change calls take. For
/// [`Ledger::prepare`] (build and check the event, change nothing) and
/// [`Ledger::record`].
///
/// # Examples
///
/// ```
/// use consentry::{Change, CollectionMethod, Evidence};
/// use time::macros::datetime;
///
/// let unsubscribe = Change::withdraw(
///     "user-1",
///     "newsletter",
///     datetime!(2026-04-01 10:00 UTC),
///     Evidence::new(CollectionMethod::EmailLink),
/// );
/// # let _ = unsubscribe;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// [`Ledger::give`].
    Give(Grant),
    /// [`Ledger::refuse`].
    Refuse {
        /// The subject.
        subject: String,
        /// The purpose refused.
        purpose: String,
        /// When.
        at: OffsetDateTime,
        /// How it was collected (with the notice version shown).
        evidence: Evidence,
    },
    /// [`Ledger::withdraw`].
    Withdraw {
        /// The subject.
        subject: String,
        /// The purpose withdrawn.
        purpose: String,
        /// When.
        at: OffsetDateTime,
        /// How it was collected.
        evidence: Evidence,
    },
    /// [`Ledger::withdraw_all`].
    WithdrawAll {
        /// The subject.
        subject: String,
        /// When.
        at: OffsetDateTime,
        /// How it was collected.
        evidence: Evidence,
    },
    /// [`Ledger::object`].
    Object {
        /// The subject.
        subject: String,
        /// The purpose objected to.
        purpose: String,
        /// When.
        at: OffsetDateTime,
        /// How it was collected.
        evidence: Evidence,
    },
    /// [`Ledger::set_jurisdiction`].
    SetJurisdiction {
        /// The subject.
        subject: String,
        /// The jurisdiction.
        jurisdiction: Jurisdiction,
        /// When.
        at: OffsetDateTime,
        /// How it was established.
        evidence: Evidence,
    },
    /// [`Ledger::set_age`].
    SetAge {
        /// The subject.
        subject: String,
        /// A birth date or a stated age.
        age: Age,
        /// When.
        at: OffsetDateTime,
        /// How it was established.
        evidence: Evidence,
    },
    /// [`Ledger::set_global_opt_out`].
    SetGlobalOptOut {
        /// The subject.
        subject: String,
        /// When.
        at: OffsetDateTime,
        /// How it was collected.
        evidence: Evidence,
    },
    /// [`Ledger::clear_global_opt_out`].
    ClearGlobalOptOut {
        /// The subject.
        subject: String,
        /// When.
        at: OffsetDateTime,
        /// How it was collected.
        evidence: Evidence,
    },
    /// [`Ledger::register`].
    Register {
        /// The subject.
        subject: String,
        /// When.
        at: OffsetDateTime,
    },
    /// [`Ledger::erase`].
    Erase {
        /// The subject.
        subject: String,
        /// When.
        at: OffsetDateTime,
    },
}

impl Change {
    /// [`Change::Give`].
    pub fn give(grant: Grant) -> Change {
        Change::Give(grant)
    }

    /// [`Change::Refuse`].
    pub fn refuse(
        subject: impl Into<String>,
        purpose: impl Into<String>,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Change {
        Change::Refuse {
            subject: subject.into(),
            purpose: purpose.into(),
            at,
            evidence,
        }
    }

    /// [`Change::Withdraw`].
    pub fn withdraw(
        subject: impl Into<String>,
        purpose: impl Into<String>,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Change {
        Change::Withdraw {
            subject: subject.into(),
            purpose: purpose.into(),
            at,
            evidence,
        }
    }

    /// [`Change::WithdrawAll`].
    pub fn withdraw_all(
        subject: impl Into<String>,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Change {
        Change::WithdrawAll {
            subject: subject.into(),
            at,
            evidence,
        }
    }

    /// [`Change::Object`].
    pub fn object(
        subject: impl Into<String>,
        purpose: impl Into<String>,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Change {
        Change::Object {
            subject: subject.into(),
            purpose: purpose.into(),
            at,
            evidence,
        }
    }

    /// [`Change::SetJurisdiction`].
    pub fn set_jurisdiction(
        subject: impl Into<String>,
        jurisdiction: Jurisdiction,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Change {
        Change::SetJurisdiction {
            subject: subject.into(),
            jurisdiction,
            at,
            evidence,
        }
    }

    /// [`Change::SetAge`].
    pub fn set_age(
        subject: impl Into<String>,
        age: Age,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Change {
        Change::SetAge {
            subject: subject.into(),
            age,
            at,
            evidence,
        }
    }

    /// [`Change::SetGlobalOptOut`].
    pub fn set_global_opt_out(
        subject: impl Into<String>,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Change {
        Change::SetGlobalOptOut {
            subject: subject.into(),
            at,
            evidence,
        }
    }

    /// [`Change::ClearGlobalOptOut`].
    pub fn clear_global_opt_out(
        subject: impl Into<String>,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Change {
        Change::ClearGlobalOptOut {
            subject: subject.into(),
            at,
            evidence,
        }
    }

    /// [`Change::Register`].
    pub fn register(subject: impl Into<String>, at: OffsetDateTime) -> Change {
        Change::Register {
            subject: subject.into(),
            at,
        }
    }

    /// [`Change::Erase`].
    pub fn erase(subject: impl Into<String>, at: OffsetDateTime) -> Change {
        Change::Erase {
            subject: subject.into(),
            at,
        }
    }
}

/// What a change call recorded: the event to persist, and whether it took
/// effect. A change can be valid and still not take effect: an answer older
/// than one the ledger holds (a late click, an old link) is
/// [`Applied::Superseded`], the same answer twice is [`Applied::Duplicate`].
/// Persist the event either way: events are order-free, and the log must
/// hold what was said.
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
/// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
/// let yes = ledger.give(Grant::new("ann", "news", datetime!(2026-03-02 9:00 UTC), banner.clone()))?;
/// assert!(yes.took_effect());
/// // A "no" clicked earlier arrives late: valid, recorded, but a later answer holds.
/// let late = ledger.refuse("ann", "news", datetime!(2026-03-01 9:00 UTC), banner)?;
/// assert_eq!(late.applied(), Applied::Superseded);
/// assert!(ledger.is_permitted("ann", "news", "email", datetime!(2026-03-03 0:00 UTC)));
/// let for_the_log: Event = late.into_event();
/// # let _ = for_the_log;
/// # Ok::<(), consentry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    event: Event,
    applied: Applied,
}

impl Recorded {
    /// The event to persist.
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// The event to persist, by value.
    pub fn into_event(self) -> Event {
        self.event
    }

    /// What applying it did.
    pub fn applied(&self) -> Applied {
        self.applied
    }

    /// Whether it changed the ledger ([`Applied::Changed`]).
    #[must_use]
    pub fn took_effect(&self) -> bool {
        self.applied == Applied::Changed
    }
}

impl From<Recorded> for Event {
    fn from(r: Recorded) -> Event {
        r.event
    }
}

/// A choice made on a consent banner or a settings page: several purposes,
/// each accepted or refused, at one instant, with one piece of evidence.
/// [`Ledger::record_choice`] records it all or nothing.
///
/// Each purpose's notice version is filled in from the catalog (the version
/// the banner shows is the current one) unless the evidence names one, which
/// then applies to every purpose. An accepted purpose covers all its
/// categories for its default validity.
///
/// # Examples
///
/// ```
/// use consentry::{Choice, CollectionMethod, Evidence};
/// use time::macros::datetime;
///
/// let choice = Choice::new(
///     "user-1",
///     datetime!(2026-03-01 10:00 UTC),
///     Evidence::new(CollectionMethod::Banner).with_proof("rcpt-0001"),
/// )
/// .accept("newsletter")
/// .refuse("ads.targeting");
/// assert_eq!(choice.answers().count(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Choice {
    subject: String,
    at: OffsetDateTime,
    evidence: Evidence,
    answers: Vec<(String, bool)>,
}

impl Choice {
    /// A choice by `subject` at `at`, with no answers yet.
    pub fn new(subject: impl Into<String>, at: OffsetDateTime, evidence: Evidence) -> Self {
        Choice {
            subject: subject.into(),
            at,
            evidence,
            answers: Vec::new(),
        }
    }

    /// Consent to `purpose`.
    pub fn accept(mut self, purpose: impl Into<String>) -> Self {
        self.answers.push((purpose.into(), true));
        self
    }

    /// A refusal of `purpose`.
    pub fn refuse(mut self, purpose: impl Into<String>) -> Self {
        self.answers.push((purpose.into(), false));
        self
    }

    /// The answers in order: each purpose and whether it was accepted.
    pub fn answers(&self) -> impl Iterator<Item = (&str, bool)> {
        self.answers.iter().map(|(p, yes)| (p.as_str(), *yes))
    }
}

/// # Changes: as values, write-ahead, and whole banner choices
///
/// For hosts that persist before they apply (write-ahead), and for a banner
/// that answers several purposes at once.
impl Ledger {
    /// Builds and checks the event for `change` against this ledger, as the
    /// change call would, and changes nothing. Persist it, then
    /// [`Ledger::apply`] it: a crash between the two leaves the log ahead of
    /// memory, which a replay repairs, never the other way round.
    ///
    /// # Errors
    ///
    /// What the change call would return (see [`Ledger::give`] and the
    /// others). Applying the event afterwards can still fail only on a
    /// ledger-wide limit ([`Error::LimitExceeded`]), or if the ledger was
    /// changed in between.
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
    /// # let mut log: Vec<String> = Vec::new();
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let event = ledger.prepare(Change::give(Grant::new("ann", "news", t, banner)))?;
    /// assert!(!ledger.is_permitted("ann", "news", "email", t)); // nothing applied yet
    /// log.push(event.to_json()?); // persist first...
    /// ledger.apply(&event)?; // ...then apply
    /// assert!(ledger.is_permitted("ann", "news", "email", t));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn prepare(&self, change: Change) -> Result<Event> {
        let to_nanos = timestamp::to_nanos;
        match change {
            Change::Give(grant) => self.prepare_give(grant),
            Change::Refuse {
                subject,
                purpose,
                at,
                evidence,
            } => {
                let p = self.purpose(&purpose)?;
                require_notice(p.name(), &evidence)?;
                let kind = EventKind::Refused { purpose, evidence };
                self.prepare_event(&subject, to_nanos(at)?, kind)
            }
            Change::Withdraw {
                subject,
                purpose,
                at,
                evidence,
            } => {
                self.purpose(&purpose)?;
                let kind = EventKind::Withdrawn { purpose, evidence };
                self.prepare_event(&subject, to_nanos(at)?, kind)
            }
            Change::WithdrawAll {
                subject,
                at,
                evidence,
            } => self.prepare_event(
                &subject,
                to_nanos(at)?,
                EventKind::WithdrawnAll { evidence },
            ),
            Change::Object {
                subject,
                purpose,
                at,
                evidence,
            } => {
                self.purpose(&purpose)?;
                let kind = EventKind::Objected { purpose, evidence };
                self.prepare_event(&subject, to_nanos(at)?, kind)
            }
            Change::SetGlobalOptOut {
                subject,
                at,
                evidence,
            } => self.prepare_event(&subject, to_nanos(at)?, EventKind::OptOutSet { evidence }),
            Change::SetJurisdiction {
                subject,
                jurisdiction,
                at,
                evidence,
            } => self.prepare_event(
                &subject,
                to_nanos(at)?,
                EventKind::JurisdictionSet {
                    jurisdiction,
                    evidence,
                },
            ),
            Change::SetAge {
                subject,
                age,
                at,
                evidence,
            } => self.prepare_event(&subject, to_nanos(at)?, EventKind::AgeSet { age, evidence }),
            Change::ClearGlobalOptOut {
                subject,
                at,
                evidence,
            } => self.prepare_event(
                &subject,
                to_nanos(at)?,
                EventKind::OptOutCleared { evidence },
            ),
            Change::Register { subject, at } => {
                self.prepare_event(&subject, to_nanos(at)?, EventKind::Registered)
            }
            Change::Erase { subject, at } => Event::new(&subject, to_nanos(at)?, EventKind::Erased),
        }
    }

    /// Records `change`: [`Ledger::prepare`], then [`Ledger::apply`]. What
    /// [`Ledger::give`] and the other change calls do.
    ///
    /// # Errors
    ///
    /// As [`Ledger::prepare`]; the ledger is then unchanged.
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
    /// let recorded = ledger.record(Change::register("ann", datetime!(2026-03-01 10:00 UTC)))?;
    /// assert!(recorded.took_effect());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn record(&mut self, change: Change) -> Result<Recorded> {
        let event = self.prepare(change)?;
        let applied = self.apply(&event)?;
        Ok(Recorded { event, applied })
    }

    /// Builds and checks the events of a whole banner choice (see
    /// [`Choice`]), one per purpose in the order answered, and changes
    /// nothing: persist them all, then [`Ledger::apply_all`] them.
    ///
    /// # Errors
    ///
    /// A choice with no answers or with a purpose answered twice
    /// ([`Error::InvalidEvent`]), or the first answer's error as
    /// [`Ledger::prepare`] would return it (an undeclared purpose, say).
    ///
    /// # Examples
    ///
    /// See [`Ledger::record_choice`]; the quickstart example persists before
    /// it applies.
    pub fn prepare_choice(&self, choice: &Choice) -> Result<Vec<Event>> {
        if choice.answers.is_empty() {
            return Err(Error::InvalidEvent {
                problem: "a choice answers no purpose".into(),
            });
        }
        let mut events = Vec::with_capacity(choice.answers.len());
        for (i, (purpose, accepted)) in choice.answers.iter().enumerate() {
            if choice.answers.iter().take(i).any(|(p, _)| p == purpose) {
                return Err(Error::InvalidEvent {
                    problem: format!(
                        "purpose {} is answered twice in one choice",
                        crate::error::quoted(purpose)
                    ),
                });
            }
            let p = self.purpose(purpose)?;
            let mut evidence = choice.evidence.clone();
            if evidence.notice_version().is_none() {
                evidence = evidence.with_notice_version(p.notice_version());
            }
            let change = if *accepted {
                Change::give(Grant::new(&choice.subject, purpose, choice.at, evidence))
            } else {
                Change::refuse(&choice.subject, purpose, choice.at, evidence)
            };
            events.push(self.prepare(change)?);
        }
        Ok(events)
    }

    /// Records a whole banner choice all or nothing: every answer's event
    /// is checked first, then all are applied ([`Ledger::apply_all`]), or
    /// none is and the ledger is unchanged. Returns one [`Recorded`] per
    /// answer, in order.
    ///
    /// # Errors
    ///
    /// As [`Ledger::prepare_choice`], or a ledger-wide limit reached while
    /// applying; the ledger is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .category("browsing")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"])
    /// #             .notice_version(3),
    /// #     )
    /// #     .purpose(
    /// #         PurposeDef::new("ads", LegalBasis::Consent)
    /// #             .title("Ads")
    /// #             .description("Ads that follow you.")
    /// #             .categories(["browsing"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let banner = Evidence::new(CollectionMethod::Banner).with_proof("rcpt-0001");
    /// let choice = Choice::new("ann", t, banner.clone()).accept("news").refuse("ads");
    /// let recorded = ledger.record_choice(choice)?;
    /// assert_eq!(recorded.len(), 2);
    /// // Each purpose's current notice version was filled in.
    /// assert_eq!(recorded[0].event().kind().evidence().and_then(|e| e.notice_version()), Some(3));
    /// assert!(ledger.is_permitted("ann", "news", "email", t));
    ///
    /// // A typo in the third answer: nothing of the choice is recorded.
    /// let bad = Choice::new("ben", t, banner).accept("news").refuse("ads").accept("newz");
    /// assert!(ledger.record_choice(bad).is_err());
    /// assert!(!ledger.is_permitted("ben", "news", "email", t));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn record_choice(&mut self, choice: Choice) -> Result<Vec<Recorded>> {
        let events = self.prepare_choice(&choice)?;
        self.record_all(events)
    }

    /// Applies checked `events` all or nothing ([`Ledger::apply_all`]) and
    /// pairs each with what applying it did.
    pub(super) fn record_all(&mut self, events: Vec<Event>) -> Result<Vec<Recorded>> {
        let applied = self.apply_all(&events)?;
        Ok(events
            .into_iter()
            .zip(applied)
            .map(|(event, applied)| Recorded { event, applied })
            .collect())
    }

    /// The event of a grant, checked.
    fn prepare_give(&self, grant: Grant) -> Result<Event> {
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
                let asked = t;
                let past_end = timestamp::check_nanos(t) > timestamp::LAST;
                let t = if past_end {
                    timestamp::LAST
                } else {
                    timestamp::to_nanos(t)?
                };
                if t <= at {
                    // Given at the range's last instant: no room for an
                    // expiry after it.
                    return Err(if past_end {
                        Error::TimeOutOfRange(crate::error::shown(&timestamp::format_any(asked)))
                    } else {
                        Error::ExpiryNotAfterGiven {
                            purpose: p.name().to_owned(),
                            given_at: timestamp::format(at),
                            expires_at: timestamp::format(t),
                        }
                    });
                }
                cap(p, at, t)
            }
            None => cap(p, at, default_expiry(p, at)),
        };
        if expires <= at {
            // The default validity, cut at the end of the range, leaves no
            // time after a grant at its last instant.
            return Err(Error::TimeOutOfRange(crate::error::shown(&format!(
                "{} plus the validity of purpose {}",
                timestamp::format(at),
                p.name()
            ))));
        }
        let renewal = self.valid_grant_at(&grant.subject, p, at);
        let kind = EventKind::Given {
            purpose: grant.purpose,
            categories,
            expires_at: (expires != NEVER).then(|| timestamp::from_nanos(expires)),
            renewal,
            evidence: grant.evidence,
        };
        self.prepare_event(&grant.subject, at, kind)
    }

    /// The event of a change other than an erasure, checked: its content,
    /// the subject not erased at or after `at`, and the catalog.
    fn prepare_event(&self, subject: &str, at: Nanos, kind: EventKind) -> Result<Event> {
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
        self.resolve(&event.view())?;
        Ok(event)
    }
}
