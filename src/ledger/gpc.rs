//! A request's Global Privacy Control signal, recorded once.

use time::OffsetDateTime;

use crate::codec::gpc::Gpc;
use crate::error::Result;
use crate::ledger::store::{RowFlags, Slot};
use crate::ledger::{Change, Ledger, Recorded};
use crate::model::evidence::Evidence;
use crate::wire::timestamp;

/// # Global Privacy Control on requests
///
/// A browser with Global Privacy Control sends `Sec-GPC: 1` on every
/// request. The subject's opt-out signal should be recorded when it starts,
/// not once per request: these calls turn a request's signal into a
/// [`Change`] (a global opt-out set at the request's instant) only when it
/// changes what the ledger holds.
///
/// A request **without** the signal changes nothing: the absence of the
/// header is not an opt-in (the browser may not send it on every request,
/// and a signal going away does not consent to sale or sharing; see the
/// README, "CCPA: the Do Not Sell or Share link vs the browser's signal").
/// A host that learns the person turned the signal off, and wants to
/// record that, calls [`Ledger::clear_global_opt_out`].
impl Ledger {
    /// The change a request's signal implies for `subject` at `at`: a
    /// global opt-out set, if `gpc` is [`Gpc::Set`] and the subject's
    /// signal is not already on at `at`, and no later set or clear is
    /// recorded (a request older than the latest mark changes nothing:
    /// the latest mark decides). `None` otherwise. Changes nothing itself:
    /// for a host that persists before applying ([`Ledger::prepare`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use consentry::codec::gpc::Gpc;
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
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let signal = || Evidence::new(CollectionMethod::BrowserSignal).with_channel("web");
    /// let gpc = Gpc::from_header_values(["1"]);
    /// let change = ledger.gpc_change("ann", gpc, t, signal()).expect("the first request sets it");
    /// let event = ledger.prepare(change)?; // persist it, then:
    /// ledger.apply(&event)?;
    /// // Later requests with the signal change nothing.
    /// assert!(ledger.gpc_change("ann", gpc, t + time::Duration::hours(1), signal()).is_none());
    /// // Nor does a request without it.
    /// assert!(ledger.gpc_change("ann", Gpc::NotSet, t, signal()).is_none());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn gpc_change(
        &self,
        subject: &str,
        gpc: Gpc,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Option<Change> {
        if gpc != Gpc::Set {
            return None;
        }
        let n = timestamp::check_nanos(at);
        let latest = self
            .store
            .names
            .find(subject)
            .and_then(|s| self.store.row(s, Slot::OptOut));
        match latest {
            // Already on, or a later mark decides (at the same instant a
            // set wins over a clear: the more protective answer).
            Some(mark) if mark.from > n || mark.flags.contains(RowFlags::ON) => None,
            _ => Some(Change::set_global_opt_out(subject, at, evidence)),
        }
    }

    /// [`Ledger::gpc_change`], recorded: `Ok(None)` when the request's
    /// signal changes nothing, the recorded global opt-out otherwise (its
    /// event for the host to persist).
    ///
    /// # Errors
    ///
    /// As for [`Ledger::set_global_opt_out`]: an invalid subject id or
    /// evidence, an instant out of range, a subject erased at or after
    /// `at`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use consentry::codec::gpc::Gpc;
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
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let signal = || Evidence::new(CollectionMethod::BrowserSignal);
    /// let header: &[u8] = b" 1 ";
    /// let gpc = Gpc::from_header_value(header);
    /// assert!(ledger.observe_gpc("ann", gpc, t, signal())?.is_some());
    /// assert!(ledger.observe_gpc("ann", gpc, t + time::Duration::minutes(5), signal())?.is_none());
    /// assert!(matches!(ledger.decide("ann", "ads", "browsing", t), Decision::OptedOut { .. }));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn observe_gpc(
        &mut self,
        subject: &str,
        gpc: Gpc,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Result<Option<Recorded>> {
        match self.gpc_change(subject, gpc, at, evidence) {
            Some(change) => self.record(change).map(Some),
            None => Ok(None),
        }
    }
}
