//! GPP's bit-packed text: six bits per base64url character, most significant
//! bit first, zero bits padding the end (Global-Privacy-Platform,
//! `Core/Consent String Specification.md`, "Creating a GPP String"; the
//! alphabet is the URL-safe one, `-` and `_` for 62 and 63, as the IAB's
//! libraries write it: iabgpp-es `AbstractBase64UrlEncoder.ts`).
//!
//! Also the Fibonacci integers and ranges of the header ("About Fibonacci
//! Encoding", "Range (Fibonacci)" in the same document).

use crate::codec::error::{DecodeError, DecodeProblem};

/// How the bits of a GPP segment are padded to whole characters.
///
/// Both are read; writing uses the one read, so a decoded string encodes back
/// to the same text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Padding {
    /// Zero bits to a whole number of bytes, then to a whole number of
    /// characters: what the IAB's libraries write (iabgpp-es
    /// `CompressedBase64UrlEncoder.ts`), e.g. the header `DBABMA`.
    #[default]
    Byte,
    /// Zero bits to the next whole character only, as the specification's
    /// examples are written, e.g. the header `DBABM`.
    Sextet,
}

impl Padding {
    /// The number of characters `bits` bits take with this padding.
    #[must_use]
    pub const fn chars_for(self, bits: usize) -> usize {
        match self {
            Self::Byte => bits.div_ceil(8).saturating_mul(8).div_ceil(6),
            Self::Sextet => bits.div_ceil(6),
        }
    }
}

/// The 6-bit value of a base64url character.
const fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Reads bits from a segment's text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    text: &'a [u8],
    /// The bits of the first [`HEAD_CHARS`] characters, from the top bit
    /// down: every US section and most headers fit, so most reads are an
    /// inlined shift. Decoding the bench's three-section string took 2.6 µs
    /// reading character by character out of line, 1.26 µs this way (same
    /// loaded 2-core machine, `cargo bench --bench signals`).
    head: u128,
    // INVARIANT: pos <= text.len() * 6.
    pos: usize,
    format: &'static str,
}

/// Characters held in [`Reader::head`]: 21 × 6 = 126 bits.
const HEAD_CHARS: usize = 21;
const HEAD_BITS: usize = HEAD_CHARS * 6;

/// The largest Fibonacci code word read (F(2)..F(64) and the terminator):
/// its value fits a u64 with room; anything longer is rejected.
const MAX_FIBONACCI_BITS: usize = 60;

impl<'a> Reader<'a> {
    /// A reader of `text`; errors name `format`.
    ///
    /// # Errors
    ///
    /// [`DecodeProblem::Empty`] for no text, [`DecodeProblem::BadBase64Char`]
    /// for a character outside the alphabet.
    pub(crate) fn new(format: &'static str, text: &'a str) -> Result<Self, DecodeError> {
        let bytes = text.as_bytes();
        if bytes.is_empty() {
            return Err(DecodeError::new(format, "text", 0, DecodeProblem::Empty));
        }
        let mut head = 0u128;
        for (index, b) in bytes.iter().enumerate() {
            let Some(v) = sextet(*b) else {
                let found = text
                    .get(index..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('\u{fffd}');
                return Err(DecodeError::new(
                    format,
                    "text",
                    index.saturating_mul(6),
                    DecodeProblem::BadBase64Char { index, found },
                ));
            };
            if index < HEAD_CHARS {
                head |= u128::from(v) << (122 - index * 6);
            }
        }
        Ok(Self {
            text: bytes,
            head,
            pos: 0,
            format,
        })
    }

    /// The bit offset of the next read.
    pub(crate) const fn position(&self) -> usize {
        self.pos
    }

    #[inline]
    fn len(&self) -> usize {
        self.text.len().saturating_mul(6)
    }

    /// The error for `field` at bit `offset`.
    pub(crate) const fn error_at(
        &self,
        field: &'static str,
        offset: usize,
        problem: DecodeProblem,
    ) -> DecodeError {
        DecodeError::new(self.format, field, offset, problem)
    }

    /// Reads an unsigned integer of `bits` bits (at most 64).
    #[inline]
    pub(crate) fn read(&mut self, bits: u32, field: &'static str) -> Result<u64, DecodeError> {
        let needed = bits as usize;
        if needed != 0 && bits <= 64 && self.pos + needed <= HEAD_BITS.min(self.len()) {
            // 1 <= needed <= 64 and pos + needed <= 126: the shifts stay in
            // range and the value fits a u64.
            let value = ((self.head << self.pos) >> (128 - needed)) as u64;
            self.pos += needed;
            return Ok(value);
        }
        self.read_slow(bits, field)
    }

    /// [`Reader::read`] past the first [`HEAD_CHARS`] characters, or failing.
    #[cold]
    #[inline(never)]
    fn read_slow(&mut self, bits: u32, field: &'static str) -> Result<u64, DecodeError> {
        let needed = bits as usize;
        let left = self.len().saturating_sub(self.pos);
        if bits > 64 {
            return Err(self.error_at(field, self.pos, DecodeProblem::TooWide { bits }));
        }
        if needed > left {
            return Err(self.error_at(field, self.pos, DecodeProblem::EndOfInput { needed, left }));
        }
        let mut value = 0u64;
        let mut todo = needed;
        while todo > 0 {
            let char_index = self.pos / 6;
            let used = self.pos % 6;
            let c = self
                .text
                .get(char_index)
                .and_then(|c| sextet(*c))
                .unwrap_or(0);
            let take = (6 - used).min(todo);
            let chunk = (u64::from(c) >> (6 - used - take)) & ((1u64 << take) - 1);
            value = (value << take) | chunk;
            self.pos += take;
            todo -= take;
        }
        Ok(value)
    }

    /// Reads one bit (1 is true).
    #[inline]
    pub(crate) fn read_bool(&mut self, field: &'static str) -> Result<bool, DecodeError> {
        Ok(self.read(1, field)? == 1)
    }

    /// Reads a Fibonacci-coded integer (at least 1).
    pub(crate) fn read_fibonacci(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        let start = self.pos;
        let (mut a, mut b) = (1u64, 2u64); // F(2), F(3)
        let mut value = 0u64;
        let mut previous = false;
        for _ in 0..MAX_FIBONACCI_BITS {
            let bit = self
                .read_bool(field)
                .map_err(|e| DecodeError { offset: start, ..e })?;
            if bit && previous {
                return Ok(value);
            }
            if bit {
                value = value.saturating_add(a);
            }
            previous = bit;
            let next = a.saturating_add(b);
            a = b;
            b = next;
        }
        Err(self.error_at(
            field,
            start,
            DecodeProblem::OutOfRange {
                value,
                expected: "a Fibonacci code of at most 60 bits",
            },
        ))
    }

    /// Checks that what is left is zero padding, and says which padding it is.
    ///
    /// # Errors
    ///
    /// [`DecodeProblem::NonZeroPadding`] for a one bit after the last field,
    /// [`DecodeProblem::TrailingCharacters`] for more characters than either
    /// padding needs.
    pub(crate) fn finish(self) -> Result<Padding, DecodeError> {
        let used = self.pos;
        let len = self.len();
        let mut rest = Reader { pos: used, ..self };
        if len <= HEAD_BITS && used < len && (self.head << used) >> (128 - (len - used)) == 0 {
            rest.pos = len;
        }
        while rest.pos < rest.len() {
            let at = rest.pos;
            if rest.read_bool("padding")? {
                return Err(rest.error_at("padding", at, DecodeProblem::NonZeroPadding));
            }
        }
        let chars = self.text.len();
        if chars == Padding::Byte.chars_for(used) {
            Ok(Padding::Byte)
        } else if chars == Padding::Sextet.chars_for(used) {
            Ok(Padding::Sextet)
        } else {
            Err(self.error_at(
                "padding",
                used,
                DecodeProblem::TrailingCharacters {
                    chars,
                    expected: Padding::Byte.chars_for(used),
                },
            ))
        }
    }
}

/// Writes bits, then text.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    // One bit per byte: segments are short (tens of bits), so clarity wins.
    bits: Vec<bool>,
}

impl Writer {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Writes the low `bits` bits of `value`, most significant first.
    pub(crate) fn write(&mut self, value: u64, bits: u32) {
        for i in (0..bits.min(64)).rev() {
            self.bits.push((value >> i) & 1 == 1);
        }
    }

    /// Bits written so far.
    pub(crate) fn len(&self) -> usize {
        self.bits.len()
    }

    pub(crate) fn write_bool(&mut self, value: bool) {
        self.bits.push(value);
    }

    /// Writes `value` (at least 1; 0 is written as 1) as a Fibonacci code.
    pub(crate) fn write_fibonacci(&mut self, value: u64) {
        let value = value.max(1);
        let mut fibs = vec![1u64, 2];
        while let [.., a, b] = fibs[..] {
            match a.checked_add(b) {
                Some(next) if next <= value => fibs.push(next),
                _ => break,
            }
        }
        let mut code = vec![false; fibs.len()];
        let mut rest = value;
        for (i, f) in fibs.iter().enumerate().rev() {
            if *f <= rest {
                rest -= f;
                if let Some(slot) = code.get_mut(i) {
                    *slot = true;
                }
            }
        }
        // Drop unused high positions: the code word ends at its highest one.
        while code.last() == Some(&false) {
            code.pop();
        }
        self.bits.extend(code);
        self.bits.push(true);
    }

    /// The text: the bits padded with zeros as `padding` says.
    pub(crate) fn finish(self, padding: Padding) -> String {
        let chars = padding.chars_for(self.bits.len());
        let mut out = String::with_capacity(chars);
        for i in 0..chars {
            let mut v = 0usize;
            for j in 0..6 {
                let bit = self.bits.get(i * 6 + j).copied().unwrap_or(false);
                v = (v << 1) | usize::from(bit);
            }
            out.push(char::from(ALPHABET.get(v).copied().unwrap_or(b'A')));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fibonacci_codes_from_the_specification() {
        // "About Fibonacci Encoding": 1 = 11, 2 = 011, 3 = 0011, 4 = 1011,
        // 5 = 00011, 6 = 10011, 7 = 01011.
        let table = [
            (1, "11"),
            (2, "011"),
            (3, "0011"),
            (4, "1011"),
            (5, "00011"),
            (6, "10011"),
            (7, "01011"),
        ];
        for (value, code) in table {
            let mut w = Writer::new();
            w.write_fibonacci(value);
            let got: String = w.bits.iter().map(|b| if *b { '1' } else { '0' }).collect();
            assert_eq!(got, code, "{value}");
        }
        for value in 1..2000u64 {
            let mut w = Writer::new();
            w.write_fibonacci(value);
            w.write(0, 3);
            let text = w.finish(Padding::Sextet);
            let mut r = Reader::new("t", &text).unwrap();
            assert_eq!(r.read_fibonacci("v").unwrap(), value);
        }
    }

    #[test]
    fn padding_rules() {
        assert_eq!(Padding::Byte.chars_for(29), 6);
        assert_eq!(Padding::Sextet.chars_for(29), 5);
        assert_eq!(Padding::Byte.chars_for(60), 11);
        assert_eq!(Padding::Sextet.chars_for(60), 10);
        assert_eq!(Padding::Byte.chars_for(72), 12);
        assert_eq!(Padding::Sextet.chars_for(72), 12);
        assert_eq!(Padding::Byte.chars_for(3), 2);
    }
}
