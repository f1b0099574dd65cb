//! The two-bit values of the US sections (0, 1, 2; 3 is never valid), one
//! type per meaning so that `1` reads as what the specification says it is.

use crate::codec::error::DecodeProblem;

/// A two-bit field value.
pub(crate) trait TwoBit: Sized + Copy {
    /// The value for bits `0..=2`, `None` for 3 (or, for fields without a
    /// "not applicable", 0).
    fn from_bits(bits: u64) -> Option<Self>;
    /// The bits.
    fn bits(self) -> u64;
    /// What the field accepts, for errors.
    const EXPECTED: &'static str;
}

macro_rules! two_bit {
    ($(#[$doc:meta])* $name:ident { $(#[$d0:meta])* $v0:ident, $(#[$d1:meta])* $v1:ident, $(#[$d2:meta])* $v2:ident $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $(#[$d0])*
            #[default]
            $v0,
            $(#[$d1])*
            $v1,
            $(#[$d2])*
            $v2,
        }

        impl $name {
            /// All three values, in the order of their codes (0, 1, 2).
            pub const ALL: [Self; 3] = [Self::$v0, Self::$v1, Self::$v2];

            /// The value's code: 0, 1 or 2.
            #[must_use]
            pub const fn code(self) -> u8 {
                self as u8
            }
        }

        impl TwoBit for $name {
            fn from_bits(bits: u64) -> Option<Self> {
                match bits {
                    0 => Some(Self::$v0),
                    1 => Some(Self::$v1),
                    2 => Some(Self::$v2),
                    _ => None,
                }
            }
            fn bits(self) -> u64 {
                self as u64
            }
            const EXPECTED: &'static str = "0..=2";
        }
    };
}

two_bit! {
    /// Whether a notice was given (`...Notice` fields).
    Notice {
        /// 0: not applicable (the business does not do what the notice is
        /// about).
        NotApplicable,
        /// 1: yes, notice was provided.
        Provided,
        /// 2: no, notice was not provided.
        NotProvided,
    }
}

two_bit! {
    /// The answer to an opt-out (`...OptOut` fields, and California's and
    /// Utah's `SensitiveDataProcessing`).
    OptOut {
        /// 0: not applicable (no notice, or the notice was not applicable).
        NotApplicable,
        /// 1: opted out.
        OptedOut,
        /// 2: did not opt out.
        DidNotOptOut,
    }
}

two_bit! {
    /// The answer to a consent (`...Consents` fields, and
    /// `SensitiveDataProcessing` outside California and Utah).
    Consent {
        /// 0: not applicable (the business does not process that data).
        NotApplicable,
        /// 1: no consent.
        NoConsent,
        /// 2: consent.
        Consent,
    }
}

two_bit! {
    /// `MspaOptOutOptionMode` and `MspaServiceProviderMode`.
    MspaMode {
        /// 0: not applicable.
        NotApplicable,
        /// 1: yes.
        Yes,
        /// 2: no.
        No,
    }
}

/// `MspaCoveredTransaction`: 1 yes, 2 no; 0 and 3 are not valid.
pub(crate) fn covered_from_bits(bits: u64) -> Result<bool, DecodeProblem> {
    match bits {
        1 => Ok(true),
        2 => Ok(false),
        value => Err(DecodeProblem::OutOfRange {
            value,
            expected: "1..=2 (1 yes, 2 no)",
        }),
    }
}

/// The code of `MspaCoveredTransaction`.
pub(crate) const fn covered_bits(covered: bool) -> u64 {
    if covered { 1 } else { 2 }
}

/// The `Version` field of the `usnat` section: 1 or 2.
///
/// It does not choose the field layout: the IAB's libraries pick the layout
/// from the segment's length (iabgpp-java writes version 1 with 16 sensitive
/// data categories, iabgpp-es version 2), and keep the version as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UsNatVersion {
    /// 1.
    V1,
    /// 2.
    #[default]
    V2,
}

impl UsNatVersion {
    /// The version number.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Self::V1 => 1,
            Self::V2 => 2,
        }
    }

    pub(crate) const fn from_code(code: u64) -> Option<Self> {
        match code {
            1 => Some(Self::V1),
            2 => Some(Self::V2),
            _ => None,
        }
    }
}
