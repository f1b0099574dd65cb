//! GPP strings: the sections a host asks for, or those of a jurisdiction.

use time::OffsetDateTime;

use super::{ExportOptions, gpp_sections_for};
use crate::codec::gpp::{
    GpcSubsection, GppString, Notice, OptOut, Section, UsCa, UsCo, UsCt, UsNat, UsUt, UsVa,
};
use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::model::standards::UsOptOut;

/// A mapped opt-out's notice and answer; not applicable when unmapped.
fn field(opted_out: Option<bool>) -> (Notice, OptOut) {
    match opted_out {
        None => (Notice::NotApplicable, OptOut::NotApplicable),
        Some(true) => (Notice::Provided, OptOut::OptedOut),
        Some(false) => (Notice::Provided, OptOut::DidNotOptOut),
    }
}

impl Ledger {
    /// `subject`'s state at `at` as a GPP string with the sections `ids`
    /// (2 `tcfeuv2`, 6 `uspv1`, 7 `usnat`, 8 `usca`, 9 `usva`, 10 `usco`, 11
    /// `usut`, 12 `usct`), written as the section "Exporting consent
    /// strings" of [`Ledger`] says.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSignal`] for a section id this crate does not write
    /// (or `tcfeuv2` without the `tcf` feature), or as [`Ledger::export_tcf`]
    /// for `tcfeuv2`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("browsing")
    /// #     .purpose(
    /// #         PurposeDef::new("ads", LegalBasis::LegitimateInterest)
    /// #             .title("Ads")
    /// #             .description("Ads based on what you browse.")
    /// #             .categories(["browsing"])
    /// #             .sale_or_sharing()
    /// #             .standards(Standards::new().with_us_opt_outs(UsOptOut::ALL)),
    /// #     )
    /// #     .build()?;
    /// # let ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let options = ExportOptions::new(300, 2, 120);
    /// let gpp = ledger.export_gpp("ann", t, &[6, 8], &options)?;
    /// assert_eq!(gpp.section_ids().collect::<Vec<_>>(), [6, 8]);
    /// // Never asked: a legitimate-interest purpose is permitted, so not opted out.
    /// assert_eq!(gpp.encode(), "DBACTMA~1YN-~BUoAAACA.QA");
    /// # Ok::<(), consentry::Error>(())
    /// ```
    pub fn export_gpp(
        &self,
        subject: &str,
        at: OffsetDateTime,
        ids: &[u16],
        options: &ExportOptions,
    ) -> Result<GppString> {
        let permitted = self.permitted_standard_purposes(subject, at);
        let answer = |kind| field(self.us_opted_out(&permitted, kind));
        let (sale_notice, sale) = answer(UsOptOut::Sale);
        let (sharing_notice, sharing) = answer(UsOptOut::Sharing);
        let (targeted_notice, targeted) = answer(UsOptOut::TargetedAdvertising);
        let gpc = Some(GpcSubsection::new(self.opt_out_signal_on(subject, at)));
        let covered = options.mspa_covered_transaction;
        // The state sections with the opt-outs of sale and targeted
        // advertising, and a GPC sub-section where the section has one.
        macro_rules! sale_and_targeted {
            ($section:ident $(; $gpc:ident)?) => {
                $section {
                    sale_opt_out_notice: sale_notice,
                    targeted_advertising_opt_out_notice: targeted_notice,
                    sale_opt_out: sale,
                    targeted_advertising_opt_out: targeted,
                    mspa_covered_transaction: covered,
                    $($gpc,)?
                    ..$section::default()
                }
            };
        }
        let mut gpp = GppString::new();
        for &id in ids {
            let section = match id {
                #[cfg(feature = "tcf")]
                2 => Section::TcfEuV2(crate::codec::gpp::TcfEuV2::new(
                    self.export_tcf(subject, at, options)?,
                )),
                6 => Section::UspV1(self.export_us_privacy(subject, at, options)),
                7 => Section::UsNat(UsNat {
                    sharing_notice,
                    sale_opt_out_notice: sale_notice,
                    sharing_opt_out_notice: sharing_notice,
                    targeted_advertising_opt_out_notice: targeted_notice,
                    sale_opt_out: sale,
                    sharing_opt_out: sharing,
                    targeted_advertising_opt_out: targeted,
                    mspa_covered_transaction: covered,
                    gpc,
                    ..UsNat::default()
                }),
                8 => Section::UsCa(UsCa {
                    sale_opt_out_notice: sale_notice,
                    sharing_opt_out_notice: sharing_notice,
                    sale_opt_out: sale,
                    sharing_opt_out: sharing,
                    mspa_covered_transaction: covered,
                    gpc,
                    ..UsCa::default()
                }),
                9 => Section::UsVa(sale_and_targeted!(UsVa)),
                10 => Section::UsCo(sale_and_targeted!(UsCo; gpc)),
                11 => Section::UsUt(sale_and_targeted!(UsUt)),
                12 => Section::UsCt(sale_and_targeted!(UsCt; gpc)),
                other => {
                    return Err(Error::InvalidSignal {
                        format: "GPP export",
                        problem: format!(
                            "section {other} is not written (supported: {})",
                            if cfg!(feature = "tcf") {
                                "2, 6, 7, 8, 9, 10, 11, 12"
                            } else {
                                "6, 7, 8, 9, 10, 11, 12; 2 needs the `tcf` feature"
                            }
                        ),
                    });
                }
            };
            gpp.insert(section);
        }
        Ok(gpp)
    }

    /// [`Ledger::export_gpp`] with the sections of `jurisdiction` (see
    /// [`gpp_sections_for`]): `US-CA` writes `usnat` and `usca`, `FR` writes
    /// `tcfeuv2`.
    ///
    /// # Errors
    ///
    /// As [`gpp_sections_for`] and [`Ledger::export_gpp`].
    pub fn export_gpp_for(
        &self,
        subject: &str,
        at: OffsetDateTime,
        jurisdiction: &str,
        options: &ExportOptions,
    ) -> Result<GppString> {
        self.export_gpp(subject, at, gpp_sections_for(jurisdiction)?, options)
    }
}
