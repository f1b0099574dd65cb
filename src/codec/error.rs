//! The one error of every codec: what format, which field, which bit.

use std::fmt;

/// A consent string that cannot be read.
///
/// It names the format (`"tcf"`, ...), the field being read, and the bit
/// offset where reading it failed, counted from the start of the decoded
/// bytes of the segment (for a base64 problem: six times the character's
/// index in the segment's text). The message is one lowercase line:
///
/// ```text
/// tcf core segment, field `vendor consents range entry`, bit 230: end of input (needs 16 bits, 3 left)
/// ```
///
/// A string that fails to decode gives no partial result: there is no
/// "half-read" consent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{format}, field `{field}`, bit {offset}: {problem}")]
#[non_exhaustive]
pub struct DecodeError {
    /// The format and segment, e.g. `"tcf core segment"`.
    pub format: &'static str,
    /// The field being read, e.g. `"vendor consents max id"`.
    pub field: &'static str,
    /// Bit offset in the segment where the field starts (or where reading
    /// stopped).
    pub offset: usize,
    /// What is wrong.
    pub problem: DecodeProblem,
}

impl DecodeError {
    /// An error in `format`, at `field` and bit `offset`.
    #[must_use]
    pub const fn new(
        format: &'static str,
        field: &'static str,
        offset: usize,
        problem: DecodeProblem,
    ) -> Self {
        DecodeError {
            format,
            field,
            offset,
            problem,
        }
    }
}

/// What is wrong with a consent string, for [`DecodeError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeProblem {
    /// The input ended inside a field.
    EndOfInput {
        /// Bits the field needs.
        needed: usize,
        /// Bits left in the input.
        left: usize,
    },
    /// The string (or a segment of it) is empty.
    Empty,
    /// A character outside the base64url alphabet (`A-Z a-z 0-9 - _`, and
    /// `=` padding at the end).
    BadBase64Char {
        /// Index of the character in the segment's text.
        index: usize,
        /// The character.
        found: char,
    },
    /// A base64url text whose length no byte string has (one character
    /// past a multiple of four), or padding in the wrong place.
    BadBase64Length {
        /// Length of the segment's text, in characters.
        len: usize,
    },
    /// A version this codec does not read.
    UnsupportedVersion {
        /// The version found.
        found: u64,
        /// The versions supported, e.g. `"2"`.
        supported: &'static str,
    },
    /// A value outside its field's range.
    OutOfRange {
        /// The value found.
        value: u64,
        /// The range accepted, e.g. `"1..=24"`.
        expected: &'static str,
    },
    /// An id not strictly above the previous entry's (entries must be
    /// ascending and not overlap).
    NotAscending {
        /// The highest id of the previous entry.
        previous: u64,
        /// The id found.
        found: u64,
    },
    /// A range whose end is below its start.
    EndBeforeStart {
        /// The start.
        start: u64,
        /// The end.
        end: u64,
    },
    /// A segment type that appears twice, or where it may not.
    UnexpectedSegment {
        /// The segment type found.
        segment_type: u64,
    },
    /// A field wider than the reader supports (a bug in the caller).
    TooWide {
        /// Bits asked for.
        bits: u32,
    },
    /// A character that the field does not accept (text formats: US Privacy).
    UnexpectedChar {
        /// Index of the character in the text.
        index: usize,
        /// The character.
        found: char,
        /// What the field accepts, e.g. "`Y`, `N` or `-`".
        expected: &'static str,
    },
    /// A text of the wrong length.
    WrongLength {
        /// The length found, in bytes.
        found: usize,
        /// The length expected.
        expected: usize,
    },
    /// A value the specification forbids in this combination; says which rule.
    Forbidden {
        /// The rule broken.
        rule: &'static str,
    },
    /// A one bit in the zero padding after the last field.
    NonZeroPadding,
    /// More characters than the fields and their padding need.
    TrailingCharacters {
        /// Characters in the segment.
        chars: usize,
        /// Characters the fields take with the IAB libraries' padding.
        expected: usize,
    },
    /// A GPP header whose section ids do not match the sections that follow.
    SectionCount {
        /// Sections the header lists (or at least, when it lists more than
        /// the string has).
        header: usize,
        /// Sections in the string.
        found: usize,
    },
    /// A key that the format does not know (Consent Mode).
    UnknownKey {
        /// The key (cut after 80 bytes).
        key: String,
    },
    /// A key given twice (Consent Mode).
    RepeatedKey,
    /// A value of the wrong kind (Consent Mode), as JSON (cut).
    BadValue {
        /// The value found.
        found: String,
        /// What the key accepts.
        expected: &'static str,
    },
    /// Text that is not the JSON object expected (Consent Mode).
    Json {
        /// The JSON parser's message.
        message: String,
    },
}

impl fmt::Display for DecodeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeProblem::EndOfInput { needed, left } => {
                write!(f, "end of input (needs {needed} bits, {left} left)")
            }
            DecodeProblem::Empty => f.write_str("empty input"),
            DecodeProblem::BadBase64Char { index, found } => {
                write!(
                    f,
                    "invalid base64url character `{}` at character {index}",
                    found.escape_default()
                )
            }
            DecodeProblem::BadBase64Length { len } => {
                write!(f, "invalid base64url length or padding ({len} characters)")
            }
            DecodeProblem::UnsupportedVersion { found, supported } => {
                write!(f, "unsupported version {found} (supported: {supported})")
            }
            DecodeProblem::OutOfRange { value, expected } => {
                write!(f, "value {value} out of range (expected {expected})")
            }
            DecodeProblem::NotAscending { previous, found } => write!(
                f,
                "id {found} is not above the previous entry's {previous} (entries must ascend)"
            ),
            DecodeProblem::EndBeforeStart { start, end } => {
                write!(f, "range end {end} is below its start {start}")
            }
            DecodeProblem::UnexpectedSegment { segment_type } => {
                write!(f, "unexpected or repeated segment type {segment_type}")
            }
            DecodeProblem::TooWide { bits } => {
                write!(f, "a {bits}-bit field is wider than 64 bits")
            }
            DecodeProblem::UnexpectedChar {
                index,
                found,
                expected,
            } => write!(
                f,
                "found `{}` at character {index} (expected {expected})",
                found.escape_default()
            ),
            DecodeProblem::WrongLength { found, expected } => {
                write!(f, "length {found} (expected {expected})")
            }
            DecodeProblem::Forbidden { rule } => f.write_str(rule),
            DecodeProblem::NonZeroPadding => f.write_str("non-zero bit in the padding"),
            DecodeProblem::TrailingCharacters { chars, expected } => write!(
                f,
                "{chars} characters where the fields take {expected} (trailing characters)"
            ),
            DecodeProblem::SectionCount { header, found } => write!(
                f,
                "the header lists {header} sections but the string has {found}"
            ),
            DecodeProblem::UnknownKey { key } => {
                write!(f, "unknown key `{}`", key.escape_default())
            }
            DecodeProblem::RepeatedKey => f.write_str("key given twice"),
            DecodeProblem::BadValue { found, expected } => {
                write!(f, "value {} (expected {expected})", found.escape_default())
            }
            DecodeProblem::Json { message } => {
                write!(f, "not a JSON object: {}", message.escape_default())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_format_field_offset_and_problem() {
        let e = DecodeError::new(
            "tcf core segment",
            "version",
            0,
            DecodeProblem::UnsupportedVersion {
                found: 1,
                supported: "2",
            },
        );
        assert_eq!(
            e.to_string(),
            "tcf core segment, field `version`, bit 0: unsupported version 1 (supported: 2)"
        );
        let e = DecodeError::new(
            "tcf",
            "base64url text",
            12,
            DecodeProblem::BadBase64Char {
                index: 2,
                found: '\n',
            },
        );
        assert_eq!(
            e.to_string(),
            "tcf, field `base64url text`, bit 12: invalid base64url character `\\n` at character 2"
        );
    }

    #[test]
    fn is_send_sync_static() {
        fn check<T: Send + Sync + 'static + std::error::Error>() {}
        check::<DecodeError>();
    }
}
