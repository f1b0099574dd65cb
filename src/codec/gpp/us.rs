//! The US sections: US National (`usnat`, both field layouts) and the state
//! sections `usca`, `usva`, `usco`, `usut`, `usct`.
//!
//! Each is a core segment of two-bit fields (plus the 6-bit version) and, for
//! `usnat`, `usca`, `usco` and `usct`, an optional GPC sub-section after a
//! `.`. Field layouts: Global-Privacy-Platform `Sections/US-National/IAB
//! Privacy’s Multi-State Privacy Agreement (MSPA) US National Technical
//! Specification.md` and `Sections/US-States/{CA,VA,CO,UT,CT}/GPP Extension:
//! ... Privacy Technical Specification.md`.

use super::sextet::{Padding, Reader, Writer};
use super::values::{
    Consent, MspaMode, Notice, OptOut, TwoBit, UsNatVersion, covered_bits, covered_from_bits,
};
use crate::codec::error::{DecodeError, DecodeProblem};

/// A field of a core segment: one two-bit value or a fixed list of them.
pub(crate) trait Field: Sized {
    fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, DecodeError>;
    fn write(&self, w: &mut Writer);
}

impl<T: TwoBit> Field for T {
    #[inline]
    fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, DecodeError> {
        let at = r.position();
        let bits = r.read(2, field)?;
        T::from_bits(bits).ok_or_else(|| {
            r.error_at(
                field,
                at,
                DecodeProblem::OutOfRange {
                    value: bits,
                    expected: T::EXPECTED,
                },
            )
        })
    }
    fn write(&self, w: &mut Writer) {
        w.write(self.bits(), 2);
    }
}

impl<T: TwoBit + Default, const N: usize> Field for [T; N] {
    #[inline]
    fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, DecodeError> {
        let mut out = [T::default(); N];
        for slot in &mut out {
            *slot = T::read(r, field)?;
        }
        Ok(out)
    }
    fn write(&self, w: &mut Writer) {
        for v in self {
            v.write(w);
        }
    }
}

/// The GPC sub-section of a US section: whether the Global Privacy Control
/// signal was set (`SubsectionType` 1, then `Gpc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct GpcSubsection {
    /// The `Gpc` field: the signal was present (`Sec-GPC: 1`).
    pub gpc: bool,
    /// How the sub-section's bits are padded.
    pub padding: Padding,
}

impl GpcSubsection {
    /// A sub-section with the IAB libraries' padding.
    #[must_use]
    pub const fn new(gpc: bool) -> Self {
        Self {
            gpc,
            padding: Padding::Byte,
        }
    }

    pub(crate) fn decode(format: &'static str, text: &str) -> Result<Self, DecodeError> {
        let mut r = Reader::new(format, text)?;
        let at = r.position();
        let kind = r.read(2, "SubsectionType")?;
        if kind != 1 {
            return Err(r.error_at(
                "SubsectionType",
                at,
                DecodeProblem::OutOfRange {
                    value: kind,
                    expected: "1 (GPC)",
                },
            ));
        }
        let gpc = r.read_bool("Gpc")?;
        let padding = r.finish()?;
        Ok(Self { gpc, padding })
    }

    pub(crate) fn encode(&self, out: &mut String) {
        let mut w = Writer::new();
        w.write(1, 2);
        w.write_bool(self.gpc);
        out.push_str(&w.finish(self.padding));
    }
}

/// Reads the optional sub-section after the core segment: a GPC
/// sub-section where the section has one (`has_gpc`), nothing otherwise.
fn read_subsection(
    format: &'static str,
    rest: Option<&str>,
    at: usize,
    has_gpc: bool,
) -> Result<Option<GpcSubsection>, DecodeError> {
    match rest {
        None => Ok(None),
        Some(text) if has_gpc && !text.contains('.') => {
            GpcSubsection::decode(format, text).map(Some)
        }
        Some(_) => Err(DecodeError::new(
            format,
            "sub-section",
            at,
            DecodeProblem::UnexpectedSegment {
                segment_type: if has_gpc { 2 } else { 1 },
            },
        )),
    }
}

macro_rules! us_section {
    (
        $(#[$doc:meta])*
        $name:ident {
            api: $api:literal, id: $id:literal, version: $version:literal, ver { $($ver:ident)? }, sub { $($gpc:ident)? },
            fields {
                $( $(#[$fdoc:meta])* $field:ident : $ty:ty = $spec:literal, )*
            }
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name {
            $(
                /// The `Version` field (see [`UsNatVersion`]).
                pub $ver: UsNatVersion,
            )?
            $( $(#[$fdoc])* pub $field: $ty, )*
            /// `MspaCoveredTransaction`: the transaction is a "Covered
            /// Transaction" under the MSPA (1 yes, 2 no; no other value).
            pub mspa_covered_transaction: bool,
            /// `MspaOptOutOptionMode`.
            pub mspa_opt_out_option_mode: MspaMode,
            /// `MspaServiceProviderMode`.
            pub mspa_service_provider_mode: MspaMode,
            $(
                /// The GPC sub-section, if the string has one.
                pub $gpc: Option<GpcSubsection>,
            )?
            /// How the core segment's bits are padded.
            pub padding: Padding,
        }

        impl Default for $name {
            /// Every field 0 (not applicable), not a covered transaction
            /// (`MspaCoveredTransaction` 2), no GPC sub-section.
            fn default() -> Self {
                Self {
                    $( $ver: UsNatVersion::default(), )?
                    $( $field: Default::default(), )*
                    mspa_covered_transaction: false,
                    mspa_opt_out_option_mode: MspaMode::NotApplicable,
                    mspa_service_provider_mode: MspaMode::NotApplicable,
                    $( $gpc: None, )?
                    padding: Padding::Byte,
                }
            }
        }

        impl $name {
            /// The section id in the GPP header.
            pub const ID: u16 = $id;
            /// The section's name in the GPP client-side API.
            pub const API_PREFIX: &'static str = $api;
            /// The version written by default (the specification's newest).
            pub const VERSION: u8 = $version;
            const FORMAT: &'static str = concat!("gpp ", $api, " section");

            /// Decodes the section's text (core segment and sub-sections).
            ///
            /// # Errors
            ///
            /// A [`DecodeError`] naming the field and bit offset.
            pub fn decode(text: &str) -> Result<Self, DecodeError> {
                let (core, rest) = match text.split_once('.') {
                    Some((core, rest)) => (core, Some(rest)),
                    None => (text, None),
                };
                let mut r = Reader::new(Self::FORMAT, core)?;
                let at = r.position();
                let version = r.read(6, "Version")?;
                let has_version = false $( || !stringify!($ver).is_empty() )?;
                let _version = if has_version {
                    UsNatVersion::from_code(version)
                } else {
                    (version == u64::from(Self::VERSION)).then_some(UsNatVersion::V1)
                };
                let Some(_version) = _version else {
                    return Err(r.error_at(
                        "Version",
                        at,
                        DecodeProblem::UnsupportedVersion {
                            found: version,
                            supported: if has_version { "1, 2" } else { stringify!($version) },
                        },
                    ));
                };
                $( let $ver = _version; )?
                $( let $field = <$ty as Field>::read(&mut r, $spec)?; )*
                let at = r.position();
                let covered = r.read(2, "MspaCoveredTransaction")?;
                let mspa_covered_transaction = covered_from_bits(covered)
                    .map_err(|p| r.error_at("MspaCoveredTransaction", at, p))?;
                let mspa_opt_out_option_mode = <MspaMode as Field>::read(&mut r, "MspaOptOutOptionMode")?;
                let mspa_service_provider_mode =
                    <MspaMode as Field>::read(&mut r, "MspaServiceProviderMode")?;
                let padding = r.finish()?;
                let sub_at = core.len().saturating_add(1).saturating_mul(6);
                let has_gpc = false $( || !stringify!($gpc).is_empty() )?;
                let _sub = read_subsection(Self::FORMAT, rest, sub_at, has_gpc)?;
                $( let $gpc = _sub; )?
                Ok(Self {
                    $( $ver, )?
                    $( $field, )*
                    mspa_covered_transaction,
                    mspa_opt_out_option_mode,
                    mspa_service_provider_mode,
                    $( $gpc, )?
                    padding,
                })
            }

            /// The section's text, exactly as decoded for a decoded section.
            #[must_use]
            pub fn encode(&self) -> String {
                let mut out = String::new();
                self.encode_into(&mut out);
                out
            }

            pub(crate) fn encode_into(&self, out: &mut String) {
                let mut w = Writer::new();
                let version = None $( .or(Some(self.$ver.code())) )?;
                w.write(u64::from(version.unwrap_or(Self::VERSION)), 6);
                $( Field::write(&self.$field, &mut w); )*
                w.write(covered_bits(self.mspa_covered_transaction), 2);
                Field::write(&self.mspa_opt_out_option_mode, &mut w);
                Field::write(&self.mspa_service_provider_mode, &mut w);
                out.push_str(&w.finish(self.padding));
                $(
                    if let Some(gpc) = &self.$gpc {
                        out.push('.');
                        gpc.encode(out);
                    }
                )?
            }
        }
    };
}

us_section! {
    /// The MSPA US National section (`usnat`, id 7) in its current field
    /// layout: 16 sensitive data categories and 3 known-child consents. A
    /// core segment of 10 or 11 characters is the first layout, [`UsNatV1`];
    /// any other length is this one, whatever the version field says (as the
    /// IAB's libraries read it).
    UsNat {
        api: "usnat", id: 7, version: 2, ver { version }, sub { gpc },
        fields {
            /// `SharingNotice`.
            sharing_notice: Notice = "SharingNotice",
            /// `SaleOptOutNotice`.
            sale_opt_out_notice: Notice = "SaleOptOutNotice",
            /// `SharingOptOutNotice`.
            sharing_opt_out_notice: Notice = "SharingOptOutNotice",
            /// `TargetedAdvertisingOptOutNotice`.
            targeted_advertising_opt_out_notice: Notice = "TargetedAdvertisingOptOutNotice",
            /// `SensitiveDataProcessingOptOutNotice`.
            sensitive_data_processing_opt_out_notice: Notice = "SensitiveDataProcessingOptOutNotice",
            /// `SensitiveDataLimitUseNotice`.
            sensitive_data_limit_use_notice: Notice = "SensitiveDataLimitUseNotice",
            /// `SaleOptOut`.
            sale_opt_out: OptOut = "SaleOptOut",
            /// `SharingOptOut`.
            sharing_opt_out: OptOut = "SharingOptOut",
            /// `TargetedAdvertisingOptOut`.
            targeted_advertising_opt_out: OptOut = "TargetedAdvertisingOptOut",
            /// `SensitiveDataProcessing`: one consent per category of sensitive
            /// data, in the specification's order.
            sensitive_data_processing: [Consent; 16] = "SensitiveDataProcessing",
            /// `KnownChildSensitiveDataConsents`.
            known_child_sensitive_data_consents: [Consent; 3] = "KnownChildSensitiveDataConsents",
            /// `PersonalDataConsents`.
            personal_data_consents: Consent = "PersonalDataConsents",
        }
    }
}

us_section! {
    /// The MSPA US National section (`usnat`, id 7) in its first field layout:
    /// 12 sensitive data categories and 2 known-child consents (before the
    /// second amended MSPA), a core segment of 10 or 11 characters.
    UsNatV1 {
        api: "usnat", id: 7, version: 2, ver { version }, sub { gpc },
        fields {
            /// `SharingNotice`.
            sharing_notice: Notice = "SharingNotice",
            /// `SaleOptOutNotice`.
            sale_opt_out_notice: Notice = "SaleOptOutNotice",
            /// `SharingOptOutNotice`.
            sharing_opt_out_notice: Notice = "SharingOptOutNotice",
            /// `TargetedAdvertisingOptOutNotice`.
            targeted_advertising_opt_out_notice: Notice = "TargetedAdvertisingOptOutNotice",
            /// `SensitiveDataProcessingOptOutNotice`.
            sensitive_data_processing_opt_out_notice: Notice = "SensitiveDataProcessingOptOutNotice",
            /// `SensitiveDataLimitUseNotice`.
            sensitive_data_limit_use_notice: Notice = "SensitiveDataLimitUseNotice",
            /// `SaleOptOut`.
            sale_opt_out: OptOut = "SaleOptOut",
            /// `SharingOptOut`.
            sharing_opt_out: OptOut = "SharingOptOut",
            /// `TargetedAdvertisingOptOut`.
            targeted_advertising_opt_out: OptOut = "TargetedAdvertisingOptOut",
            /// `SensitiveDataProcessing`.
            sensitive_data_processing: [Consent; 12] = "SensitiveDataProcessing",
            /// `KnownChildSensitiveDataConsents`.
            known_child_sensitive_data_consents: [Consent; 2] = "KnownChildSensitiveDataConsents",
            /// `PersonalDataConsents`.
            personal_data_consents: Consent = "PersonalDataConsents",
        }
    }
}

us_section! {
    /// The California section (`usca`, id 8).
    UsCa {
        api: "usca", id: 8, version: 1, ver { }, sub { gpc },
        fields {
            /// `SaleOptOutNotice`.
            sale_opt_out_notice: Notice = "SaleOptOutNotice",
            /// `SharingOptOutNotice`.
            sharing_opt_out_notice: Notice = "SharingOptOutNotice",
            /// `SensitiveDataLimitUseNotice`.
            sensitive_data_limit_use_notice: Notice = "SensitiveDataLimitUseNotice",
            /// `SaleOptOut`.
            sale_opt_out: OptOut = "SaleOptOut",
            /// `SharingOptOut`.
            sharing_opt_out: OptOut = "SharingOptOut",
            /// `SensitiveDataProcessing`: opt-outs of the use of each category
            /// of sensitive personal information.
            sensitive_data_processing: [OptOut; 9] = "SensitiveDataProcessing",
            /// `KnownChildSensitiveDataConsents`: consent to sell, and to
            /// share, the personal information of consumers under 16.
            known_child_sensitive_data_consents: [Consent; 2] = "KnownChildSensitiveDataConsents",
            /// `PersonalDataConsents`.
            personal_data_consents: Consent = "PersonalDataConsents",
        }
    }
}

us_section! {
    /// The Virginia section (`usva`, id 9); it has no GPC sub-section.
    UsVa {
        api: "usva", id: 9, version: 1, ver { }, sub { },
        fields {
            /// `SharingNotice`.
            sharing_notice: Notice = "SharingNotice",
            /// `SaleOptOutNotice`.
            sale_opt_out_notice: Notice = "SaleOptOutNotice",
            /// `TargetedAdvertisingOptOutNotice`.
            targeted_advertising_opt_out_notice: Notice = "TargetedAdvertisingOptOutNotice",
            /// `SaleOptOut`.
            sale_opt_out: OptOut = "SaleOptOut",
            /// `TargetedAdvertisingOptOut`.
            targeted_advertising_opt_out: OptOut = "TargetedAdvertisingOptOut",
            /// `SensitiveDataProcessing`.
            sensitive_data_processing: [Consent; 8] = "SensitiveDataProcessing",
            /// `KnownChildSensitiveDataConsents`.
            known_child_sensitive_data_consents: Consent = "KnownChildSensitiveDataConsents",
        }
    }
}

us_section! {
    /// The Colorado section (`usco`, id 10).
    UsCo {
        api: "usco", id: 10, version: 1, ver { }, sub { gpc },
        fields {
            /// `SharingNotice`.
            sharing_notice: Notice = "SharingNotice",
            /// `SaleOptOutNotice`.
            sale_opt_out_notice: Notice = "SaleOptOutNotice",
            /// `TargetedAdvertisingOptOutNotice`.
            targeted_advertising_opt_out_notice: Notice = "TargetedAdvertisingOptOutNotice",
            /// `SaleOptOut`.
            sale_opt_out: OptOut = "SaleOptOut",
            /// `TargetedAdvertisingOptOut`.
            targeted_advertising_opt_out: OptOut = "TargetedAdvertisingOptOut",
            /// `SensitiveDataProcessing`.
            sensitive_data_processing: [Consent; 7] = "SensitiveDataProcessing",
            /// `KnownChildSensitiveDataConsents`.
            known_child_sensitive_data_consents: Consent = "KnownChildSensitiveDataConsents",
        }
    }
}

us_section! {
    /// The Utah section (`usut`, id 11); it has no GPC sub-section.
    UsUt {
        api: "usut", id: 11, version: 1, ver { }, sub { },
        fields {
            /// `SharingNotice`.
            sharing_notice: Notice = "SharingNotice",
            /// `SaleOptOutNotice`.
            sale_opt_out_notice: Notice = "SaleOptOutNotice",
            /// `TargetedAdvertisingOptOutNotice`.
            targeted_advertising_opt_out_notice: Notice = "TargetedAdvertisingOptOutNotice",
            /// `SensitiveDataProcessingOptOutNotice`.
            sensitive_data_processing_opt_out_notice: Notice = "SensitiveDataProcessingOptOutNotice",
            /// `SaleOptOut`.
            sale_opt_out: OptOut = "SaleOptOut",
            /// `TargetedAdvertisingOptOut`.
            targeted_advertising_opt_out: OptOut = "TargetedAdvertisingOptOut",
            /// `SensitiveDataProcessing`: opt-outs, per category.
            sensitive_data_processing: [OptOut; 8] = "SensitiveDataProcessing",
            /// `KnownChildSensitiveDataConsents`.
            known_child_sensitive_data_consents: Consent = "KnownChildSensitiveDataConsents",
        }
    }
}

us_section! {
    /// The Connecticut section (`usct`, id 12).
    UsCt {
        api: "usct", id: 12, version: 1, ver { }, sub { gpc },
        fields {
            /// `SharingNotice`.
            sharing_notice: Notice = "SharingNotice",
            /// `SaleOptOutNotice`.
            sale_opt_out_notice: Notice = "SaleOptOutNotice",
            /// `TargetedAdvertisingOptOutNotice`.
            targeted_advertising_opt_out_notice: Notice = "TargetedAdvertisingOptOutNotice",
            /// `SaleOptOut`.
            sale_opt_out: OptOut = "SaleOptOut",
            /// `TargetedAdvertisingOptOut`.
            targeted_advertising_opt_out: OptOut = "TargetedAdvertisingOptOut",
            /// `SensitiveDataProcessing`.
            sensitive_data_processing: [Consent; 8] = "SensitiveDataProcessing",
            /// `KnownChildSensitiveDataConsents`.
            known_child_sensitive_data_consents: [Consent; 3] = "KnownChildSensitiveDataConsents",
        }
    }
}
