//! Consent strings read into events: TC, GPP and US Privacy strings, through
//! the catalog's [`Standards`](crate::Standards) and a banner [`Choice`].

use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::ledger::{Choice, Ledger, Recorded};
use crate::model::catalog::Catalog;
use crate::model::evidence::Evidence;
#[cfg(any(feature = "gpp", feature = "usp"))]
use crate::model::standards::UsOptOut;
use crate::wire::event::Event;

/// A standard consent string format the ledger imports
/// ([`Ledger::import_signal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignalFormat {
    /// An IAB TCF v2 TC string (feature `tcf`).
    #[cfg(feature = "tcf")]
    Tcf,
    /// An IAB Global Privacy Platform string (feature `gpp`): its US
    /// sections, `uspv1`, and `tcfeuv2` with the `tcf` feature.
    #[cfg(feature = "gpp")]
    Gpp,
    /// An IAB US Privacy string, `1YNN` (feature `usp`).
    #[cfg(feature = "usp")]
    UsPrivacy,
}

impl SignalFormat {
    /// The evidence channel its events carry: `tcf`, `gpp` or `usp`.
    #[must_use]
    pub const fn channel(self) -> &'static str {
        match self {
            #[cfg(feature = "tcf")]
            SignalFormat::Tcf => "tcf",
            #[cfg(feature = "gpp")]
            SignalFormat::Gpp => "gpp",
            #[cfg(feature = "usp")]
            SignalFormat::UsPrivacy => "usp",
        }
    }

    /// The name used in errors.
    const fn import_name(self) -> &'static str {
        match self {
            #[cfg(feature = "tcf")]
            SignalFormat::Tcf => "TC string import",
            #[cfg(feature = "gpp")]
            SignalFormat::Gpp => "GPP string import",
            #[cfg(feature = "usp")]
            SignalFormat::UsPrivacy => "US Privacy string import",
        }
    }
}

/// What a string says, per catalog purpose (in declaration order): `None`
/// nothing, `Some(true)` accepted, `Some(false)` refused.
struct Reading {
    answers: Vec<Option<bool>>,
    /// A GPC sub-section with the signal set.
    gpc: bool,
    /// The canonical proof reference.
    proof: String,
    /// Per purpose: whether it needs an opt-in for the subject at the
    /// instant (read for US opt-outs only).
    #[cfg(any(feature = "gpp", feature = "usp"))]
    opt_in: Vec<bool>,
}

impl Reading {
    fn new(catalog: &Catalog) -> Self {
        Reading {
            answers: vec![None; catalog.purposes.len()],
            gpc: false,
            proof: String::new(),
            #[cfg(any(feature = "gpp", feature = "usp"))]
            opt_in: Vec::new(),
        }
    }

    /// Records an answer for purpose `i`; a refusal from any source wins.
    fn say(&mut self, i: usize, yes: bool) {
        if let Some(slot) = self.answers.get_mut(i) {
            *slot = Some(!matches!(slot, Some(false)) && yes);
        }
    }
}

/// The US opt-out values a string carries, per kind.
#[cfg(any(feature = "gpp", feature = "usp"))]
#[derive(Default)]
struct UsAnswers {
    /// Per [`UsOptOut::ALL`] index: opted out somewhere, did not opt out
    /// somewhere.
    seen: [(bool, bool); 3],
}

#[cfg(any(feature = "gpp", feature = "usp"))]
impl UsAnswers {
    /// `opted_out`: `Some(true)` opted out, `Some(false)` did not opt out,
    /// `None` not applicable.
    fn add(&mut self, kind: UsOptOut, opted_out: Option<bool>) {
        let i = kind.index();
        if let (Some(slot), Some(out)) = (self.seen.get_mut(i), opted_out) {
            if out {
                slot.0 = true;
            } else {
                slot.1 = true;
            }
        }
    }

    /// Refuses every purpose mapped to an opt-out that was exercised;
    /// accepts a purpose that needs no opt-in when none of its mapped
    /// opt-outs was exercised and at least one was offered.
    fn apply(&self, catalog: &Catalog, reading: &mut Reading) {
        for (i, p) in catalog.purposes.iter().enumerate() {
            let kinds = p.standards.us_opt_outs();
            if kinds.is_empty() {
                continue;
            }
            let state = |k: &UsOptOut| self.seen.get(k.index()).copied().unwrap_or((false, false));
            if kinds.iter().any(|k| state(k).0) {
                reading.say(i, false);
            } else if !reading.opt_in.get(i).copied().unwrap_or(true)
                && kinds.iter().any(|k| state(k).1)
            {
                reading.say(i, true);
            }
        }
    }
}

/// The TC string's answers and its proof reference.
#[cfg(feature = "tcf")]
fn read_tcf(catalog: &Catalog, tc: &crate::codec::tcf::TcString, reading: &mut Reading) {
    use crate::model::basis::LegalBasis;
    for (i, p) in catalog.purposes.iter().enumerate() {
        let s = &p.standards;
        if !s.in_tcf() {
            continue;
        }
        let set = if p.basis == LegalBasis::LegitimateInterest {
            tc.purposes_li_transparency()
        } else {
            tc.purposes_consent()
        };
        let features = tc.special_feature_optins();
        let yes = s.tcf_purposes().iter().all(|id| set.contains(*id))
            && s.tcf_special_features()
                .iter()
                .all(|id| features.contains(*id));
        reading.say(i, yes);
    }
    if !reading.proof.is_empty() {
        reading.proof.push(';');
    }
    reading.proof.push_str(&tcf_proof(tc));
}

/// `cmp=..;cmp_version=..;policy=..;vendor_list=..`: what a TC string says
/// about where it came from.
#[cfg(feature = "tcf")]
pub(crate) fn tcf_proof(tc: &crate::codec::tcf::TcString) -> String {
    format!(
        "cmp={};cmp_version={};policy={};vendor_list={}",
        tc.cmp_id(),
        tc.cmp_version(),
        tc.policy_version(),
        tc.vendor_list_version()
    )
}

#[cfg(feature = "usp")]
fn usp_opted_out(usp: &crate::codec::usp::UsPrivacy) -> Option<bool> {
    use crate::codec::usp::UspFlag;
    match usp.opt_out_sale() {
        UspFlag::Yes => Some(true),
        UspFlag::No => Some(false),
        UspFlag::NotApplicable => None,
    }
}

#[cfg(feature = "gpp")]
fn gpp_opted_out(o: crate::codec::gpp::OptOut) -> Option<bool> {
    use crate::codec::gpp::OptOut;
    match o {
        OptOut::OptedOut => Some(true),
        OptOut::DidNotOptOut => Some(false),
        OptOut::NotApplicable => None,
    }
}

#[cfg(feature = "gpp")]
fn read_gpp(catalog: &Catalog, gpp: &crate::codec::gpp::GppString, reading: &mut Reading) {
    use crate::codec::gpp::Section;
    use UsOptOut::{Sale, Sharing, TargetedAdvertising as Targeted};
    let ids: Vec<String> = gpp.section_ids().map(|id| id.to_string()).collect();
    reading.proof = format!("sid={}", ids.join(","));
    let mut us = UsAnswers::default();
    let mut gpc = |g: Option<crate::codec::gpp::GpcSubsection>| {
        if g.is_some_and(|g| g.gpc) {
            reading.gpc = true;
        }
    };
    #[cfg(feature = "tcf")]
    let mut tcf = None;
    // One arm per section type: the opt-outs it carries, and its GPC
    // sub-section where it has one.
    macro_rules! us {
        ($s:ident: $($kind:ident = $field:ident),+ $(; $gpc:ident)?) => {{
            $( us.add($kind, gpp_opted_out($s.$field)); )+
            $( gpc($s.$gpc); )?
        }};
    }
    for section in gpp.sections() {
        match section {
            #[cfg(feature = "tcf")]
            Section::TcfEuV2(s) => tcf = Some(s.tc_string()),
            Section::UspV1(usp) => us.add(Sale, usp_opted_out(usp)),
            Section::UsNat(s) => us!(s: Sale = sale_opt_out, Sharing = sharing_opt_out,
                Targeted = targeted_advertising_opt_out; gpc),
            Section::UsNatV1(s) => us!(s: Sale = sale_opt_out, Sharing = sharing_opt_out,
                Targeted = targeted_advertising_opt_out; gpc),
            Section::UsCa(s) => us!(s: Sale = sale_opt_out, Sharing = sharing_opt_out; gpc),
            Section::UsVa(s) => {
                us!(s: Sale = sale_opt_out, Targeted = targeted_advertising_opt_out)
            }
            Section::UsCo(s) => {
                us!(s: Sale = sale_opt_out, Targeted = targeted_advertising_opt_out; gpc)
            }
            Section::UsUt(s) => {
                us!(s: Sale = sale_opt_out, Targeted = targeted_advertising_opt_out)
            }
            Section::UsCt(s) => {
                us!(s: Sale = sale_opt_out, Targeted = targeted_advertising_opt_out; gpc)
            }
            // Canada's TCF and sections this build keeps as text answer
            // for no catalog purpose.
            _ => {}
        }
    }
    #[cfg(feature = "tcf")]
    if let Some(tc) = tcf {
        read_tcf(catalog, tc, reading);
    }
    us.apply(catalog, reading);
}

/// # Importing consent strings
///
/// A TC string, GPP string or US Privacy string that a consent management
/// platform (CMP) wrote for a subject becomes the events it implies, through
/// the catalog's [`Standards`](crate::Standards): a [`Choice`] of the
/// purposes it answers for, recorded all or nothing like a banner click.
///
/// **What a string answers**, per catalog purpose:
///
/// - *TC string* (and a GPP string's `tcfeuv2` section), for a purpose
///   mapped to TCF purposes or special features: accepted when **every**
///   mapped TCF purpose has its consent bit set (its legitimate-interest
///   bit, for a legitimate-interest purpose) and every mapped special
///   feature is opted in; refused otherwise. The core segment is read; the
///   vendor sections and the publisher TC segment are not.
/// - *GPP US sections and US Privacy strings*, for a purpose mapped to US
///   opt-outs: refused when the person opted out of **any** of them in any
///   section; accepted when at least one of them was offered and none was
///   exercised, and only for a purpose that needs no opt-in for the subject
///   at `at`: one whose rule under the subject's regime is an opt-out or
///   notice only, or, in a catalog without regimes, one not based on
///   consent. Not opting out is not an opt-in, so a purpose that needs one
///   gets nothing from it. "Not applicable" answers nothing.
/// - When a GPP string answers one purpose both ways (its `tcfeuv2` section
///   accepts, a US section opts out), the refusal wins.
/// - A GPP section's GPC sub-section with the signal set records the global
///   opt-out (as [`Ledger::observe_gpc`] would: once; feature `gpc`).
///
/// **The instant** of the events is the caller's `at` (when the host
/// received the string), not the string's own times: TCF v2.2 rounds a TC
/// string's `Created` and `LastUpdated` down to the day (iabtcf-es pull
/// request 316), which would order a string behind a same-day answer given
/// later, and GPP and US Privacy strings carry no time at all.
///
/// **The evidence** is the caller's (collection method, jurisdiction,
/// language), with the channel set to the format (`tcf`, `gpp`, `usp`) and
/// the proof reference to what the string says of its origin:
/// `cmp=..;cmp_version=..;policy=..;vendor_list=..` for a TC string,
/// `sid=..` (the GPP section ids, then the TC string's fields if it has a
/// `tcfeuv2` section) for a GPP string, `usp=1YNN` for a US Privacy string.
/// Each purpose's current notice version is filled in, as for a banner.
///
/// A string that does not decode records nothing and is an
/// [`Error::InvalidSignal`] naming the field and bit offset.
impl Ledger {
    /// Builds and checks the events a consent string implies for `subject`
    /// at `at`, and changes nothing: persist them, then
    /// [`Ledger::apply_all`] them. Empty when the string answers for no
    /// catalog purpose.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSignal`] for a string that does not decode; otherwise
    /// what [`Ledger::prepare_choice`] returns (an invalid subject id or
    /// evidence, a subject erased at or after `at`).
    ///
    /// # Examples
    ///
    /// See [`Ledger::import_signal`].
    pub fn prepare_signal(
        &self,
        subject: &str,
        format: SignalFormat,
        text: &str,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Result<Vec<Event>> {
        let reading = self.read_signal(subject, format, text, at)?;
        let evidence = evidence
            .with_channel(format.channel())
            .with_proof(reading.proof);
        let mut choice = Choice::new(subject, at, evidence.clone());
        let mut any = false;
        for (p, answer) in self.catalog.purposes.iter().zip(&reading.answers) {
            match answer {
                Some(true) => choice = choice.accept(p.name()),
                Some(false) => choice = choice.refuse(p.name()),
                None => continue,
            }
            any = true;
        }
        #[cfg_attr(not(feature = "gpc"), allow(unused_mut))]
        let mut events = if any {
            self.prepare_choice(&choice)?
        } else {
            Vec::new()
        };
        #[cfg(feature = "gpc")]
        if reading.gpc {
            let set = crate::codec::gpc::Gpc::Set;
            if let Some(change) = self.gpc_change(subject, set, at, evidence) {
                events.push(self.prepare(change)?);
            }
        }
        #[cfg(not(feature = "gpc"))]
        let _ = (reading.gpc, evidence);
        Ok(events)
    }

    /// Records the events a consent string implies for `subject` at `at`
    /// (see [`Ledger::prepare_signal`]), all or nothing; one [`Recorded`]
    /// per event.
    ///
    /// # Errors
    ///
    /// As [`Ledger::prepare_signal`], or a ledger-wide limit reached while
    /// applying; the ledger is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::*;
    /// use time::macros::datetime;
    ///
    /// let catalog = Catalog::builder()
    ///     .category("browsing")
    ///     .purpose(
    ///         PurposeDef::new("ads", LegalBasis::Consent)
    ///             .title("Personalised ads")
    ///             .description("Ads based on what you browse.")
    ///             .categories(["browsing"])
    ///             .sale_or_sharing()
    ///             .standards(Standards::advertising()),
    ///     )
    ///     .purpose(
    ///         PurposeDef::new("stats", LegalBasis::Consent)
    ///             .title("Statistics")
    ///             .description("Counting visits.")
    ///             .categories(["browsing"])
    ///             .standards(Standards::analytics()),
    ///     )
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let cmp = Evidence::new(CollectionMethod::Banner).with_jurisdiction("FR");
    ///
    /// // Consent to TCF purposes 1 to 10: "ads" (2, 3, 4, 7) and "stats" (1, 8, 9).
    /// let tc = "CQgYw8AQgYw8AAbADAENB4EAAP_AAAAAAAqIAAAAAAAA";
    /// let recorded = ledger.import_signal("ann", SignalFormat::Tcf, tc, t, cmp.clone())?;
    /// assert_eq!(recorded.len(), 2);
    /// assert!(ledger.is_permitted("ann", "ads", "browsing", t));
    /// let evidence = recorded[0].event().kind().evidence().expect("a choice has evidence");
    /// assert_eq!(evidence.channel(), Some("tcf"));
    /// assert_eq!(evidence.proof(), Some("cmp=27;cmp_version=3;policy=4;vendor_list=120"));
    ///
    /// // A malformed string records nothing.
    /// let err = ledger.import_signal("ben", SignalFormat::Tcf, "COvFy!", t, cmp).unwrap_err();
    /// assert!(err.to_string().starts_with("TC string import: "));
    /// assert!(ledger.subject_records("ben").is_none());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn import_signal(
        &mut self,
        subject: &str,
        format: SignalFormat,
        text: &str,
        at: OffsetDateTime,
        evidence: Evidence,
    ) -> Result<Vec<Recorded>> {
        let events = self.prepare_signal(subject, format, text, at, evidence)?;
        self.record_all(events)
    }

    /// Whether each purpose mapped to US opt-outs needs an opt-in for
    /// `subject` at `at`: as the rule of the subject's regime says (opt-out
    /// and notice-only rules need none), or without regimes, as the
    /// purpose's basis says (consent and explicit consent do).
    #[cfg(any(feature = "gpp", feature = "usp"))]
    fn opt_in_needed(&self, subject: &str, at: OffsetDateTime) -> Vec<bool> {
        use crate::regime::Mechanism;
        self.catalog
            .purposes
            .iter()
            .map(|p| {
                let Some(category) = p.categories().next() else {
                    return true;
                };
                if p.standards.us_opt_outs().is_empty() {
                    return true;
                }
                match self.explain(subject, p.name(), category, at).mechanism() {
                    Some(Mechanism::NoticeOnly | Mechanism::OptOut) => false,
                    Some(_) => true,
                    None => p.basis.is_consent(),
                }
            })
            .collect()
    }

    /// Decodes `text` and reads what it answers for each catalog purpose
    /// for `subject` at `at`.
    fn read_signal(
        &self,
        subject: &str,
        format: SignalFormat,
        text: &str,
        at: OffsetDateTime,
    ) -> Result<Reading> {
        let invalid = |e: crate::codec::DecodeError| Error::InvalidSignal {
            format: format.import_name(),
            problem: e.to_string(),
        };
        let mut reading = Reading::new(&self.catalog);
        #[cfg(not(any(feature = "gpp", feature = "usp")))]
        let _ = (subject, at);
        match format {
            #[cfg(feature = "tcf")]
            SignalFormat::Tcf => {
                let tc = crate::codec::tcf::TcString::decode(text).map_err(invalid)?;
                read_tcf(&self.catalog, &tc, &mut reading);
            }
            #[cfg(feature = "gpp")]
            SignalFormat::Gpp => {
                let gpp = crate::codec::gpp::GppString::decode(text).map_err(invalid)?;
                reading.opt_in = self.opt_in_needed(subject, at);
                read_gpp(&self.catalog, &gpp, &mut reading);
            }
            #[cfg(feature = "usp")]
            SignalFormat::UsPrivacy => {
                let usp = crate::codec::usp::UsPrivacy::decode(text).map_err(invalid)?;
                reading.opt_in = self.opt_in_needed(subject, at);
                let mut us = UsAnswers::default();
                us.add(UsOptOut::Sale, usp_opted_out(&usp));
                us.apply(&self.catalog, &mut reading);
                reading.proof = format!("usp={}", usp.encode());
            }
        }
        Ok(reading)
    }
}
