//! The US Privacy string (`1YNN`): IAB Tech Lab, "US Privacy String", final
//! version 1 (InteractiveAdvertisingBureau/USPrivacy,
//! `CCPA/US Privacy String.md`).
//!
//! Four ASCII characters: the specification version (`1`), then whether notice
//! and the opportunity to opt out were given, whether the person opted out of
//! the sale of their personal information, and whether the transaction is
//! covered by the Limited Service Provider Agreement, each `Y`, `N` or `-`.

use std::fmt;
use std::str::FromStr;

use super::error::{DecodeError, DecodeProblem};

/// One answer of a US Privacy string: `Y`, `N` or `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UspFlag {
    /// `Y`.
    Yes,
    /// `N`.
    No,
    /// `-`: not applicable, or unknown (see [`UsPrivacy`] for where each
    /// position allows it).
    NotApplicable,
}

impl UspFlag {
    /// The character that encodes this answer.
    #[must_use]
    pub const fn as_char(self) -> char {
        match self {
            Self::Yes => 'Y',
            Self::No => 'N',
            Self::NotApplicable => '-',
        }
    }

    const fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            b'Y' => Some(Self::Yes),
            b'N' => Some(Self::No),
            b'-' => Some(Self::NotApplicable),
            _ => None,
        }
    }
}

/// A decoded US Privacy string, version 1.
///
/// The specification's rules are enforced both ways: the opt-out-of-sale
/// position may be `-` only when the CCPA does not apply, which is signalled
/// by `1---` (all three positions `-`). `1Y-N` is rejected; `1-Y-` (notice and
/// agreement unknown) is accepted.
///
/// # Examples
///
/// ```
/// use consentry::codec::usp::{UsPrivacy, UspFlag};
///
/// let usp: UsPrivacy = "1YNN".parse()?;
/// assert_eq!(usp.notice(), UspFlag::Yes);
/// assert!(!usp.opted_out_of_sale());
/// assert_eq!(usp.to_string(), "1YNN");
/// assert_eq!(UsPrivacy::NOT_APPLICABLE.to_string(), "1---");
/// # Ok::<(), consentry::codec::DecodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UsPrivacy {
    notice: UspFlag,
    opt_out_sale: UspFlag,
    lspa_covered: UspFlag,
}

/// The format named in errors.
const FORMAT: &str = "us privacy string";
/// What positions 1 to 3 accept.
const YNH: &str = "`Y`, `N` or `-`";

/// The names of the positions, for errors: index 0 is the version.
const POSITION_NAMES: [&str; 4] = ["version", "notice", "opt_out_sale", "lspa_covered"];

impl UsPrivacy {
    /// The only specification version there is.
    pub const VERSION: u8 = 1;

    /// `1---`: the CCPA does not apply to this transaction.
    pub const NOT_APPLICABLE: Self = Self {
        notice: UspFlag::NotApplicable,
        opt_out_sale: UspFlag::NotApplicable,
        lspa_covered: UspFlag::NotApplicable,
    };

    /// A string where the CCPA applies: the opt-out of sale is known (`Y` or
    /// `N`), notice and the agreement may be unknown (`-`).
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::codec::usp::{UsPrivacy, UspFlag};
    ///
    /// let usp = UsPrivacy::applies(UspFlag::NotApplicable, true, UspFlag::NotApplicable);
    /// assert_eq!(usp.to_string(), "1-Y-");
    /// ```
    #[must_use]
    pub const fn applies(notice: UspFlag, opted_out_of_sale: bool, lspa_covered: UspFlag) -> Self {
        Self {
            notice,
            opt_out_sale: if opted_out_of_sale {
                UspFlag::Yes
            } else {
                UspFlag::No
            },
            lspa_covered,
        }
    }

    /// Decodes a US Privacy string.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] naming the position (its field, bit offset 8 per
    /// character, and character index) and what was there: a length other
    /// than 4 bytes, a version other than `1`, a character other than `Y`,
    /// `N` or `-`, or `-` for the opt-out when the CCPA applies.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        let bytes = text.as_bytes();
        let [version, notice, opt_out, lspa] = bytes else {
            return Err(DecodeError::new(
                FORMAT,
                "string",
                0,
                DecodeProblem::WrongLength {
                    found: bytes.len(),
                    expected: 4,
                },
            ));
        };
        let flag = |index: usize, byte: u8, expected: &'static str| {
            let field = POSITION_NAMES.get(index).copied().unwrap_or("string");
            let parsed = if index == 0 {
                (byte == b'1').then_some(UspFlag::Yes)
            } else {
                UspFlag::from_byte(byte)
            };
            parsed.ok_or_else(|| {
                DecodeError::new(
                    FORMAT,
                    field,
                    index * 8,
                    DecodeProblem::UnexpectedChar {
                        index,
                        found: found_char(text, index),
                        expected,
                    },
                )
            })
        };
        flag(0, *version, "`1`, the only version")?;
        let usp = Self {
            notice: flag(1, *notice, YNH)?,
            opt_out_sale: flag(2, *opt_out, YNH)?,
            lspa_covered: flag(3, *lspa, YNH)?,
        };
        if usp.opt_out_sale == UspFlag::NotApplicable && usp != Self::NOT_APPLICABLE {
            return Err(DecodeError::new(
                FORMAT,
                "opt_out_sale",
                16,
                DecodeProblem::Forbidden {
                    rule: "`-` for the opt-out of sale only in `1---` (the CCPA does not apply)",
                },
            ));
        }
        Ok(usp)
    }

    /// The four-character string.
    #[must_use]
    pub fn encode(&self) -> String {
        self.to_string()
    }

    /// Whether notice and the opportunity to opt out were given.
    #[must_use]
    pub const fn notice(&self) -> UspFlag {
        self.notice
    }

    /// The opt-out-of-sale position as written: `NotApplicable` only in `1---`.
    #[must_use]
    pub const fn opt_out_sale(&self) -> UspFlag {
        self.opt_out_sale
    }

    /// Whether the person opted out of the sale of their personal information.
    #[must_use]
    pub const fn opted_out_of_sale(&self) -> bool {
        matches!(self.opt_out_sale, UspFlag::Yes)
    }

    /// Whether the transaction is covered by the Limited Service Provider
    /// Agreement.
    #[must_use]
    pub const fn lspa_covered(&self) -> UspFlag {
        self.lspa_covered
    }

    /// Whether the CCPA applies: `false` only for `1---`.
    #[must_use]
    pub const fn ccpa_applies(&self) -> bool {
        !matches!(self.opt_out_sale, UspFlag::NotApplicable)
    }
}

/// The character starting at byte `index` (the decoder only looks at
/// 4-byte texts, so a non-ASCII character there may start earlier: then the
/// replacement character).
fn found_char(text: &str, index: usize) -> char {
    text.get(index..)
        .and_then(|rest| rest.chars().next())
        .unwrap_or('\u{fffd}')
}

impl fmt::Display for UsPrivacy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "1{}{}{}",
            self.notice.as_char(),
            self.opt_out_sale.as_char(),
            self.lspa_covered.as_char()
        )
    }
}

impl FromStr for UsPrivacy {
    type Err = DecodeError;

    fn from_str(text: &str) -> Result<Self, DecodeError> {
        Self::decode(text)
    }
}
