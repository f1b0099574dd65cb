//! A subject's state written as the standard consent signals: TC, GPP and
//! US Privacy strings, and Google Consent Mode flags, through the catalog's
//! [`Standards`](crate::Standards).

use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::ledger::Ledger;

/// One vendor of the host's vendor list, for a TC string
/// ([`ExportOptions::vendor`]): its id in the IAB Global Vendor List and
/// the TCF purposes and special features it declares there.
///
/// A vendor gets its consent bit when it declares at least one purpose or
/// special feature on consent and every one of them is set in the exported
/// string; its legitimate-interest bit when it declares at least one
/// purpose on legitimate interest and every one of them has its
/// legitimate-interest bit. The ledger holds answers per purpose, not per
/// vendor, so a vendor is as permitted as the purposes it needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[must_use]
pub struct TcfVendor {
    id: u16,
    purposes: Vec<u8>,
    legitimate_interests: Vec<u8>,
    special_features: Vec<u8>,
}

impl TcfVendor {
    /// Vendor `id` (as in the Global Vendor List), declaring nothing yet.
    pub const fn new(id: u16) -> Self {
        TcfVendor {
            id,
            purposes: Vec::new(),
            legitimate_interests: Vec::new(),
            special_features: Vec::new(),
        }
    }

    /// The TCF purposes it declares on consent (the GVL's `purposes`).
    pub fn purposes(mut self, ids: impl IntoIterator<Item = u8>) -> Self {
        self.purposes.extend(ids);
        self
    }

    /// The TCF purposes it declares on legitimate interest (`legIntPurposes`).
    pub fn legitimate_interests(mut self, ids: impl IntoIterator<Item = u8>) -> Self {
        self.legitimate_interests.extend(ids);
        self
    }

    /// The special features it declares (`specialFeatures`).
    pub fn special_features(mut self, ids: impl IntoIterator<Item = u8>) -> Self {
        self.special_features.extend(ids);
        self
    }
}

/// What the host supplies to write consent strings: its CMP's registration
/// and the vendor list shown (TC strings), and its MSPA status (GPP).
///
/// # Examples
///
/// ```
/// use consentry::{ExportOptions, TcfVendor};
///
/// let options = ExportOptions::new(300, 2, 120) // CMP id, CMP version, vendor list version
///     .consent_language("FR")
///     .publisher_cc("FR")
///     .vendor(TcfVendor::new(755).purposes([1, 2, 3, 4, 7, 9, 10]))
///     .vendor(TcfVendor::new(25).purposes([1]).legitimate_interests([7, 8]));
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[must_use]
pub struct ExportOptions {
    cmp_id: u16,
    cmp_version: u16,
    vendor_list_version: u16,
    policy_version: u8,
    consent_screen: u8,
    consent_language: String,
    publisher_cc: String,
    vendors: Vec<TcfVendor>,
    lspa_covered: Option<bool>,
    mspa_covered_transaction: bool,
}

impl ExportOptions {
    /// The TCF policy version written by default: 4, TCF v2.2's.
    pub const DEFAULT_POLICY_VERSION: u8 = 4;

    /// Options for the CMP `cmp_id` (its IAB registration), version
    /// `cmp_version`, showing Global Vendor List version
    /// `vendor_list_version`. Defaults: policy version
    /// [`ExportOptions::DEFAULT_POLICY_VERSION`], consent screen 1, language
    /// `EN`, publisher country `AA` (unknown), no vendors, US Privacy LSPA
    /// `-`, not an MSPA covered transaction.
    pub fn new(cmp_id: u16, cmp_version: u16, vendor_list_version: u16) -> Self {
        ExportOptions {
            cmp_id,
            cmp_version,
            vendor_list_version,
            policy_version: Self::DEFAULT_POLICY_VERSION,
            consent_screen: 1,
            consent_language: "EN".into(),
            publisher_cc: "AA".into(),
            vendors: Vec::new(),
            lspa_covered: None,
            mspa_covered_transaction: false,
        }
    }

    /// The TCF policy version (`TcfPolicyVersion`).
    pub const fn policy_version(mut self, version: u8) -> Self {
        self.policy_version = version;
        self
    }

    /// The CMP's screen number where consent was given (`ConsentScreen`).
    pub const fn consent_screen(mut self, screen: u8) -> Self {
        self.consent_screen = screen;
        self
    }

    /// The language of the consent texts, two letters (`ConsentLanguage`).
    pub fn consent_language(mut self, code: impl Into<String>) -> Self {
        self.consent_language = code.into();
        self
    }

    /// The publisher's country, two letters (`PublisherCC`).
    pub fn publisher_cc(mut self, code: impl Into<String>) -> Self {
        self.publisher_cc = code.into();
        self
    }

    /// A vendor of the vendor list shown; see [`TcfVendor`].
    pub fn vendor(mut self, vendor: TcfVendor) -> Self {
        self.vendors.push(vendor);
        self
    }

    /// Whether the publisher signed the IAB's Limited Service Provider
    /// Agreement (the US Privacy string's third letter; `-` unless set).
    pub const fn lspa_covered(mut self, covered: bool) -> Self {
        self.lspa_covered = Some(covered);
        self
    }

    /// Whether the transaction is a covered transaction under the IAB's
    /// Multi-State Privacy Agreement (`MspaCoveredTransaction` of the GPP US
    /// sections; not covered unless set).
    pub const fn mspa_covered_transaction(mut self, covered: bool) -> Self {
        self.mspa_covered_transaction = covered;
        self
    }
}

/// The GPP section ids to write for a jurisdiction (ISO 3166-1 country or
/// ISO 3166-2 subdivision code, as the evidence's jurisdiction): `usnat` (7)
/// and the state's own section for California (`US-CA`: 8), Virginia (9),
/// Colorado (10), Utah (11) and Connecticut (12); `usnat` alone for `US` and
/// another state; `tcfeuv2` (2) for `EU`, `EEA` and each EEA country (and
/// its subdivisions, `FR-75`).
///
/// # Errors
///
/// [`Error::InvalidSignal`] for a jurisdiction no GPP section covers (pass
/// the section ids to [`Ledger::export_gpp`] instead).
///
/// # Examples
///
/// ```
/// assert_eq!(consentry::gpp_sections_for("US-CA")?, [7, 8]);
/// assert_eq!(consentry::gpp_sections_for("DE")?, [2]);
/// assert!(consentry::gpp_sections_for("BR").is_err());
/// # Ok::<(), consentry::Error>(())
/// ```
pub fn gpp_sections_for(jurisdiction: &str) -> Result<&'static [u16]> {
    let code = jurisdiction.to_ascii_uppercase();
    let (country, region) = match code.split_once('-') {
        Some((c, r)) => (c, Some(r)),
        None => (code.as_str(), None),
    };
    match (country, region) {
        ("US", Some("CA")) => Ok(&[7, 8]),
        ("US", Some("VA")) => Ok(&[7, 9]),
        ("US", Some("CO")) => Ok(&[7, 10]),
        ("US", Some("UT")) => Ok(&[7, 11]),
        ("US", Some("CT")) => Ok(&[7, 12]),
        ("US", _) => Ok(&[7]),
        // `EL`: the EU's own code for Greece (ISO's is `GR`).
        (c, _) if matches!(c, "EU" | "EEA" | "EL") || crate::regime::is_eea_country(c) => Ok(&[2]),
        _ => Err(Error::InvalidSignal {
            format: "GPP export",
            problem: format!(
                "no GPP section for jurisdiction {}; pass the section ids",
                crate::error::quoted(jurisdiction)
            ),
        }),
    }
}

/// # Exporting consent strings
///
/// A subject's state at an instant, written as the standard signals through
/// the catalog's [`Standards`](crate::Standards). A catalog purpose counts
/// as permitted when [`Ledger::is_permitted`] is true for every category it
/// declares (one [`Ledger::permitted_purposes`] lookup per category).
///
/// - **TC string** ([`Ledger::export_tcf`]): the consent bits of the TCF
///   purposes mapped from a permitted consent purpose, the
///   legitimate-interest bits of those mapped from a permitted
///   legitimate-interest purpose, the special features of a permitted
///   purpose; every other bit clear. `Created` and `LastUpdated` are `at`
///   rounded down to the day (TCF v2.2); `IsServiceSpecific` is set (global
///   consent is gone from the TCF); the disclosed-vendors segment lists the
///   vendors supplied.
/// - **GPP string** ([`Ledger::export_gpp`]): the sections asked for (see
///   [`gpp_sections_for`]). In a US section, an opt-out the catalog maps is
///   written with its notice `Provided` and `OptedOut` when its purpose is
///   denied, `DidNotOptOut` when permitted; an opt-out the catalog does not
///   map, and every other field, is `NotApplicable`. The GPC sub-section
///   says whether the subject's global opt-out signal is on at `at`.
/// - **US Privacy string** ([`Ledger::export_us_privacy`]): `1Y?-` with `Y`
///   (opted out) or `N` for the purpose mapped to the opt-out of sale;
///   `1---` when none is.
/// - **Consent Mode** ([`Ledger::export_consent_mode`]): each type some
///   purpose maps, `granted` when every purpose mapped to it is permitted;
///   the other types are not mentioned.
///
/// The values are returned, not their text, so a host can adjust a field
/// before it encodes them.
impl Ledger {
    /// Whether each catalog purpose (in declaration order) is permitted for
    /// every category it declares; `false` for a purpose in no standard.
    fn permitted_standard_purposes(&self, subject: &str, at: OffsetDateTime) -> Vec<bool> {
        let s = self.store.names.find(subject);
        let at = crate::wire::timestamp::check_nanos(at);
        let catalog = &self.catalog;
        (0u16..)
            .zip(&catalog.purposes)
            .map(|(i, p)| {
                !p.standards.is_empty()
                    && p.categories().all(|c| {
                        catalog
                            .category_index(c)
                            .is_some_and(|c| self.outcome(s, i, c, at).is_permitted())
                    })
            })
            .collect()
    }

    /// Whether `subject`'s global opt-out signal is on at `at`.
    #[cfg(feature = "gpp")]
    fn opt_out_signal_on(&self, subject: &str, at: OffsetDateTime) -> bool {
        self.subject_records(subject)
            .and_then(|r| r.global_opt_out())
            .is_some_and(|s| s.is_on() && s.since() <= at)
    }

    /// `subject`'s state at `at` as a TC string (see the section above for
    /// what each bit says), with the CMP fields and vendors of `options`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSignal`] for an option the TC string cannot hold (a
    /// CMP id above 4095, a language that is not two letters, vendor id 0)
    /// or an `at` before 1970.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::*;
    /// use consentry::codec::tcf::TcString;
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
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// ledger.record_choice(Choice::new("ann", t, Evidence::new(CollectionMethod::Banner)).accept("ads"))?;
    ///
    /// let options = ExportOptions::new(300, 2, 120).vendor(TcfVendor::new(755).purposes([2, 3, 4]));
    /// let tc: TcString = ledger.export_tcf("ann", t, &options)?;
    /// assert_eq!(tc.purposes_consent().iter().collect::<Vec<_>>(), [2, 3, 4, 7]);
    /// assert!(tc.vendor_consents().contains(755));
    /// assert_eq!(tc.last_updated(), datetime!(2026-03-01 0:00 UTC));
    /// assert_eq!(TcString::decode(&tc.encode()).ok(), Some(tc));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[cfg(feature = "tcf")]
    pub fn export_tcf(
        &self,
        subject: &str,
        at: OffsetDateTime,
        options: &ExportOptions,
    ) -> Result<crate::codec::tcf::TcString> {
        use crate::codec::tcf::{TcString, ValueError, VendorSet};
        use crate::model::basis::LegalBasis;
        let invalid = |e: ValueError| Error::InvalidSignal {
            format: "TC string export",
            problem: e.to_string(),
        };
        let permitted = self.permitted_standard_purposes(subject, at);
        let mut tc = TcString::new();
        let day = at
            .to_offset(time::UtcOffset::UTC)
            .replace_time(time::Time::MIDNIGHT);
        tc.set_created(day).map_err(invalid)?;
        tc.set_last_updated(day).map_err(invalid)?;
        tc.set_cmp_id(options.cmp_id).map_err(invalid)?;
        tc.set_cmp_version(options.cmp_version).map_err(invalid)?;
        tc.set_consent_screen(options.consent_screen)
            .map_err(invalid)?;
        tc.set_consent_language(&options.consent_language)
            .map_err(invalid)?;
        tc.set_publisher_cc(&options.publisher_cc)
            .map_err(invalid)?;
        tc.set_vendor_list_version(options.vendor_list_version)
            .map_err(invalid)?;
        tc.set_policy_version(options.policy_version)
            .map_err(invalid)?;
        tc.set_is_service_specific(true);
        for (p, ok) in self.catalog.purposes.iter().zip(&permitted) {
            if !ok {
                continue;
            }
            let s = &p.standards;
            for &id in s.tcf_purposes() {
                if p.basis == LegalBasis::LegitimateInterest {
                    tc.purposes_li_transparency_mut()
                        .insert(id)
                        .map_err(invalid)?;
                } else {
                    tc.purposes_consent_mut().insert(id).map_err(invalid)?;
                }
            }
            for &id in s.tcf_special_features() {
                tc.special_feature_optins_mut()
                    .insert(id)
                    .map_err(invalid)?;
            }
        }
        let (consents, lis, features) = (
            tc.purposes_consent(),
            tc.purposes_li_transparency(),
            tc.special_feature_optins(),
        );
        let mut disclosed = VendorSet::new();
        for v in &options.vendors {
            disclosed.insert(v.id).map_err(invalid)?;
            let consent = (!v.purposes.is_empty() || !v.special_features.is_empty())
                && v.purposes.iter().all(|id| consents.contains(*id))
                && v.special_features.iter().all(|id| features.contains(*id));
            if consent {
                tc.vendor_consents_mut().insert(v.id).map_err(invalid)?;
            }
            let li = !v.legitimate_interests.is_empty()
                && v.legitimate_interests.iter().all(|id| lis.contains(*id));
            if li {
                tc.vendor_legitimate_interests_mut()
                    .insert(v.id)
                    .map_err(invalid)?;
            }
        }
        if !options.vendors.is_empty() {
            *tc.disclosed_vendors_mut() = Some(disclosed);
        }
        Ok(tc)
    }

    /// The opt-out answer of `kind` for a US section: `None` when no
    /// purpose maps it (the section says not applicable).
    #[cfg(any(feature = "gpp", feature = "usp"))]
    fn us_opted_out(
        &self,
        permitted: &[bool],
        kind: crate::model::standards::UsOptOut,
    ) -> Option<bool> {
        self.catalog
            .purposes
            .iter()
            .zip(permitted)
            .find(|(p, _)| p.standards.us_opt_outs().contains(&kind))
            .map(|(_, ok)| !ok)
    }

    /// `subject`'s state at `at` as a US Privacy string: `1YYN`-style, the
    /// opt-out of sale from the purpose mapped to it, `1---` when none is.
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
    /// #             .title("Personalised ads")
    /// #             .description("Ads based on what you browse.")
    /// #             .categories(["browsing"])
    /// #             .sale_or_sharing()
    /// #             .standards(Standards::advertising()),
    /// #     )
    /// #     .build()?;
    /// # let ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let options = ExportOptions::new(300, 2, 120).lspa_covered(false);
    /// // Never asked: a consent purpose is denied, so opted out.
    /// assert_eq!(ledger.export_us_privacy("ann", t, &options).to_string(), "1YYN");
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[cfg(feature = "usp")]
    #[must_use]
    pub fn export_us_privacy(
        &self,
        subject: &str,
        at: OffsetDateTime,
        options: &ExportOptions,
    ) -> crate::codec::usp::UsPrivacy {
        use crate::codec::usp::{UsPrivacy, UspFlag};
        let permitted = self.permitted_standard_purposes(subject, at);
        let sale = crate::model::standards::UsOptOut::Sale;
        match self.us_opted_out(&permitted, sale) {
            None => UsPrivacy::NOT_APPLICABLE,
            Some(out) => {
                let lspa = match options.lspa_covered {
                    Some(true) => UspFlag::Yes,
                    Some(false) => UspFlag::No,
                    None => UspFlag::NotApplicable,
                };
                UsPrivacy::applies(UspFlag::Yes, out, lspa)
            }
        }
    }

    /// `subject`'s state at `at` as Google Consent Mode flags (the object
    /// `gtag('consent', 'update', ...)` takes; `to_json()` writes it).
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("browsing")
    /// #     .purpose(
    /// #         PurposeDef::new("stats", LegalBasis::Consent)
    /// #             .title("Statistics")
    /// #             .description("Counting visits.")
    /// #             .categories(["browsing"])
    /// #             .standards(Standards::analytics()),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// ledger.record_choice(Choice::new("ann", t, Evidence::new(CollectionMethod::Banner)).accept("stats"))?;
    /// let flags = ledger.export_consent_mode("ann", t);
    /// assert_eq!(flags.to_json(), r#"{"analytics_storage":"granted"}"#);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[cfg(feature = "consent_mode")]
    #[must_use]
    pub fn export_consent_mode(
        &self,
        subject: &str,
        at: OffsetDateTime,
    ) -> crate::codec::consent_mode::ConsentMode {
        use crate::codec::consent_mode::{ConsentMode, ConsentModeStatus};
        let permitted = self.permitted_standard_purposes(subject, at);
        // Per type: mapped at all, and every mapping purpose permitted.
        let mut state = [(false, true); 7];
        for (p, ok) in self.catalog.purposes.iter().zip(&permitted) {
            for t in p.standards.consent_mode() {
                if let Some(slot) = state.get_mut(t.index()) {
                    *slot = (true, slot.1 && *ok);
                }
            }
        }
        let mut mode = ConsentMode::new();
        for (t, (mapped, granted)) in crate::ConsentType::ALL.into_iter().zip(state) {
            if mapped {
                let status = if granted {
                    ConsentModeStatus::Granted
                } else {
                    ConsentModeStatus::Denied
                };
                mode.set(t, Some(status));
            }
        }
        mode
    }
}

#[cfg(feature = "gpp")]
mod gpp;
