//! The as-of audit: the decision as it stood at a past instant, rebuilt from
//! the host's stored events, with the record that justified it.
//!
//! In the `Ledger` docs: the "Subject rights: as-of audit" group.

use std::borrow::Borrow;
use std::fmt;

use time::OffsetDateTime;

use crate::error::Result;
use crate::ledger::Ledger;
use crate::ledger::decision::Decision;
use crate::ledger::records::ConsentRecord;
use crate::model::catalog::Catalog;
use crate::rights::report::{rfc3339, utc};
use crate::wire::event::{Event, EventKind};

/// The answer to "was this processing permitted at that past instant?" (see
/// [`Ledger::audit`]): the decision as it stood, and the record it rested on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    subject: String,
    purpose: String,
    category: String,
    at: OffsetDateTime,
    decision: Decision,
    record: Option<ConsentRecord>,
    replayed: usize,
}

impl Audit {
    /// Rebuilds `subject`'s state at `at` under `catalog` from `events` (the
    /// host's stored events, any order, duplicates allowed) and decides.
    ///
    /// Only the subject's events with a time at or before `at` are replayed,
    /// into a fresh ledger; [`Decision`] is then what [`Ledger::decide`]
    /// answers at `at`, and the record is the subject's record for the
    /// purpose as it stood (what a `Granted` rests on; the refusal,
    /// withdrawal or objection behind a denial; `None` if there was none).
    /// Events for the subject's other purposes only tell that the subject
    /// was known: they are replayed as registrations, so they need not be
    /// valid under `catalog` (a purpose since removed does not stop an
    /// audit of another).
    ///
    /// Use the catalog as it was at `at`: a notice version raised since then
    /// would mark a grant valid at the time as outdated.
    ///
    /// # Errors
    ///
    /// The first event for `purpose`, or subject-wide event, that `catalog`
    /// rejects ([`Ledger::apply`]).
    pub fn replay<I>(
        catalog: &Catalog,
        events: I,
        subject: &str,
        purpose: &str,
        category: &str,
        at: OffsetDateTime,
    ) -> Result<Audit>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        let mut ledger = Ledger::new(catalog.clone());
        let mut replayed = 0;
        for event in events {
            let event = event.borrow();
            if event.subject() != subject || event.at() > at {
                continue;
            }
            match event.kind().purpose() {
                // Another purpose's events count only for whether an erased
                // subject came back (a grant does); one the catalog no
                // longer declares is taken as what it showed: a grant as a
                // registration, anything else as nothing.
                Some(p) if p != purpose => {
                    if ledger.apply(event).is_err()
                        && matches!(event.kind(), EventKind::Given { .. })
                    {
                        let known = Event::new(subject, event.at_nanos(), EventKind::Registered)?;
                        ledger.apply(&known)?;
                    }
                }
                _ => {
                    ledger.apply(event)?;
                }
            }
            replayed += 1;
        }
        let decision = ledger.decide(subject, purpose, category, at);
        let held = ledger
            .subject_records(subject)
            .and_then(|h| h.record(purpose).cloned());
        // An objection kept beside a later refusal is what denies.
        let record = match decision {
            crate::Decision::Objected { .. }
                if held
                    .as_ref()
                    .is_none_or(|r| r.answer() != crate::Answer::Objected) =>
            {
                ledger.kept_objection_record(subject, purpose).or(held)
            }
            _ => held,
        };
        Ok(Audit {
            decision,
            record,
            subject: subject.to_owned(),
            purpose: purpose.to_owned(),
            category: category.to_owned(),
            at: utc(at),
            replayed,
        })
    }

    /// The subject.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The purpose.
    #[must_use]
    pub fn purpose(&self) -> &str {
        &self.purpose
    }

    /// The category.
    #[must_use]
    pub fn category(&self) -> &str {
        &self.category
    }

    /// The instant audited.
    #[must_use]
    pub fn at(&self) -> OffsetDateTime {
        self.at
    }

    /// The decision as it stood at [`Audit::at`].
    #[must_use]
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// Whether the processing was permitted.
    #[must_use]
    pub fn was_permitted(&self) -> bool {
        self.decision.is_permitted()
    }

    /// The subject's record for the purpose as it stood: the consent a
    /// `Granted` rests on (its evidence proves it), or the answer behind a
    /// denial; `None` if there was none.
    #[must_use]
    pub fn record(&self) -> Option<&ConsentRecord> {
        self.record.as_ref()
    }

    /// How many of the events were the subject's at or before the instant.
    #[must_use]
    pub fn events_replayed(&self) -> usize {
        self.replayed
    }
}

impl fmt::Display for Audit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` for `{}` ({}) at {}: {}",
            self.subject,
            self.purpose,
            self.category,
            rfc3339(self.at),
            self.decision
        )?;
        if let Some(r) = &self.record {
            write!(
                f,
                "; record {} of {} ({})",
                r.event(),
                rfc3339(r.at()),
                crate::rights::report::evidence_text(r.evidence())
            )?;
        }
        Ok(())
    }
}

/// # Subject rights: as-of audit
///
/// The decision as it stood at a past instant, rebuilt from stored events.
impl Ledger {
    /// [`Audit::replay`] under this ledger's catalog: was `subject`'s data of
    /// `category` permitted for `purpose` at the past instant `at`, going by
    /// the host's stored `events`? The ledger's own state is not used (it
    /// holds only the latest answers); pass the catalog as it was at `at` to
    /// [`Audit::replay`] if it has changed since.
    ///
    /// # Errors
    ///
    /// As for [`Audit::replay`].
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef};
    /// use time::macros::datetime;
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
    /// let mut ledger = Ledger::new(catalog);
    /// let mut log = Vec::new(); // the host's event store
    /// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1).with_proof("rcpt-1");
    /// log.push(ledger.give(Grant::new("ann", "newsletter", datetime!(2026-02-01 9:00 UTC), banner))?.into_event());
    /// let link = Evidence::new(CollectionMethod::EmailLink);
    /// log.push(ledger.withdraw("ann", "newsletter", datetime!(2026-04-01 9:00 UTC), link)?.into_event());
    ///
    /// // Today the e-mail would be denied; on 3 March it was permitted.
    /// let sent = datetime!(2026-03-03 8:00 UTC);
    /// assert!(!ledger.is_permitted("ann", "newsletter", "contact", sent));
    /// let audit = ledger.audit(&log, "ann", "newsletter", "contact", sent)?;
    /// assert!(audit.was_permitted());
    /// assert_eq!(audit.record().and_then(|r| r.evidence().proof()), Some("rcpt-1"));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn audit<I>(
        &self,
        events: I,
        subject: &str,
        purpose: &str,
        category: &str,
        at: OffsetDateTime,
    ) -> Result<Audit>
    where
        I: IntoIterator,
        I::Item: Borrow<Event>,
    {
        Audit::replay(self.catalog(), events, subject, purpose, category, at)
    }
}
