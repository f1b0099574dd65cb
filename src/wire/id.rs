//! Event ids: the SHA-256 id of format version 2, the XXH3 id of version 1
//! (only verified), and their hex text.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The id of an event: the SHA-256 hash of its content in a canonical byte
/// form, written as 64 lowercase hex digits.
///
/// Because the id is derived from the content, the same change always has the
/// same id, a replayed duplicate is recognised, and an event whose content
/// was altered no longer matches its id. The hash is collision resistant:
/// two different events never share an id, even crafted ones. An id does
/// not say who wrote an event (anyone can compute one); a host that needs
/// authenticity signs or MACs its log.
///
/// Ids are ordered byte by byte (the order of their hex text); they break
/// ties between events of one subject with equal times and kinds: the
/// larger id wins.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(pub(crate) [u8; 32]);

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("EventId")
            .field(&format_args!("{self}"))
            .finish()
    }
}

impl EventId {
    /// The 32 bytes of the SHA-256 digest.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// # let ev = || Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let id = ledger.register("ann", t)?.into_event().id();
    /// let bytes = id.as_bytes();
    /// assert_eq!(bytes.len(), 32);
    /// assert_eq!(format!("{:02x}", bytes[0]), id.to_string()[..2]);
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Writes `bytes` as lowercase hex digits, most significant first, 16 bytes
/// (one `u128`, zero-padded to 32 digits) per `write!`.
fn write_hex(f: &mut std::fmt::Formatter<'_>, bytes: &[u8]) -> std::fmt::Result {
    for chunk in bytes.chunks(16) {
        let mut word = [0u8; 16];
        word.get_mut(..chunk.len())
            .unwrap_or_default()
            .copy_from_slice(chunk);
        let digits = chunk.len() * 2;
        let value = u128::from_be_bytes(word) >> (128 - 8 * chunk.len() as u32);
        write!(f, "{value:0digits$x}")?;
    }
    Ok(())
}

/// `N` bytes from exactly `2 * N` lowercase hex digits.
pub(crate) fn parse_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N {
        return None;
    }
    let value = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (slot, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
        let [hi, lo] = pair else { return None };
        *slot = value(*hi)? << 4 | value(*lo)?;
    }
    Some(out)
}

pub(crate) fn not_hex(s: &str, digits: usize) -> Error {
    Error::InvalidEvent {
        problem: format!(
            "id {} is not {digits} lowercase hex digits",
            crate::error::quoted(s)
        ),
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl FromStr for EventId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        parse_hex(s).map(EventId).ok_or_else(|| not_hex(s, 64))
    }
}

/// The id of a format version 1 event: XXH3-128 (seed 0) of its version 1
/// canonical bytes, written as 32 lowercase hex digits. Only read, to verify
/// old events and snapshots; it decides nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct V1Id(pub(crate) [u8; 16]);

impl fmt::Display for V1Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

impl FromStr for V1Id {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        parse_hex(s).map(V1Id).ok_or_else(|| not_hex(s, 32))
    }
}

/// An event id as a snapshot stores it: a version 2 id, or the version 1 id
/// of a snapshot written by an older release (kept to be checked on load).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoredId {
    /// 32 hex digits, from a format version 1 snapshot.
    V1(V1Id),
    /// 64 hex digits.
    V2(EventId),
}

impl Serialize for StoredId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            StoredId::V1(id) => s.collect_str(id),
            StoredId::V2(id) => s.collect_str(id),
        }
    }
}

impl<'de> Deserialize<'de> for StoredId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <Cow<'de, str>>::deserialize(d)?;
        let id = match s.len() {
            32 => parse_hex(&s).map(|b| StoredId::V1(V1Id(b))),
            _ => parse_hex(&s).map(|b| StoredId::V2(EventId(b))),
        };
        id.ok_or_else(|| {
            serde::de::Error::custom(format_args!(
                "event id `{}` is not 64 lowercase hex digits (32 in format version 1)",
                s.escape_debug()
            ))
        })
    }
}

impl Serialize for EventId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_round_trip_as_hex() {
        let mut counting = [0u8; 32];
        for (i, b) in counting.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37);
        }
        for bytes in [[0; 32], [0xff; 32], counting] {
            let text = EventId(bytes).to_string();
            let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(text, expected);
            assert_eq!(text.parse::<EventId>().ok(), Some(EventId(bytes)));
            let v1 = V1Id(*bytes.first_chunk().expect("16 bytes"));
            let short = v1.to_string();
            assert_eq!(short, expected.get(..32).expect("64 digits"));
            assert_eq!(short.parse::<V1Id>().ok(), Some(v1));
        }
        for bad in [
            "",
            "0",
            &"0".repeat(32),
            &"0".repeat(63),
            &"0".repeat(65),
            &"A".repeat(64),
            &"g".repeat(64),
            &"é".repeat(32),
        ] {
            assert!(bad.parse::<EventId>().is_err(), "{bad}");
        }
        for bad in [
            "",
            &"0".repeat(31),
            &"0".repeat(64),
            &"A".repeat(32),
            &"é".repeat(16),
        ] {
            assert!(bad.parse::<V1Id>().is_err(), "{bad}");
        }
    }

    /// Ids order byte by byte, as their hex text does.
    #[test]
    fn event_ids_order_as_their_text() {
        let mut low = [0u8; 32];
        let mut high = [0u8; 32];
        low[31] = 0xff;
        high[0] = 0x01;
        assert!(EventId(low) < EventId(high));
        assert!(EventId(low).to_string() < EventId(high).to_string());
    }
}
