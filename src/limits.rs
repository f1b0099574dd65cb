//! Limits on untrusted input.
//!
//! Every name, string and list that reaches the engine from a caller, an event
//! or a snapshot is checked against these limits; a larger one is refused with
//! [`Error::LimitExceeded`] or
//! [`Error::InvalidName`], never truncated. Lists read from events,
//! snapshots and catalogs are counted as they are read, so an oversized one
//! is refused before it is held in memory.

use crate::error::{Error, NameKind, Result};

/// Longest purpose or category name, in bytes.
pub const MAX_NAME_LEN: usize = 128;
/// Longest subject id, in bytes.
pub const MAX_SUBJECT_LEN: usize = 256;
/// Longest purpose title, description or controller name, in bytes.
pub const MAX_TEXT_LEN: usize = 4096;
/// Longest evidence string (channel, proof reference, jurisdiction, language), in bytes.
pub const MAX_EVIDENCE_LEN: usize = 512;
/// Most data categories in one catalog (the width of the category bitset).
pub const CATEGORY_CAPACITY: usize = 128;
/// Most purposes in one catalog.
pub const MAX_PURPOSES: usize = 4096;

/// Checks a purpose or category name: dot-separated segments of lowercase
/// ASCII letters, digits, `_` and `-`, each starting with a letter or digit.
pub(crate) fn check_name(kind: NameKind, name: &str) -> Result<()> {
    let bad = |problem| {
        Err(Error::InvalidName {
            kind,
            name: crate::error::shown(name),
            problem,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > MAX_NAME_LEN {
        return bad("it is longer than 128 bytes");
    }
    for segment in name.split('.') {
        let mut chars = segment.chars();
        match chars.next() {
            None => return bad("it has an empty segment between dots"),
            Some(c) if !(c.is_ascii_lowercase() || c.is_ascii_digit()) => {
                return bad(
                    "each dot-separated segment must start with a lowercase letter or digit",
                );
            }
            Some(_) => {}
        }
        if chars.any(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')) {
            return bad("only lowercase ASCII letters, digits, `_`, `-` and `.` are allowed");
        }
    }
    Ok(())
}

/// Checks a subject id: 1 to 256 bytes, no control characters.
pub(crate) fn check_subject(id: &str) -> Result<()> {
    let bad = |problem| {
        Err(Error::InvalidName {
            kind: NameKind::Subject,
            name: crate::error::shown(id),
            problem,
        })
    };
    if id.is_empty() {
        return bad("it is empty");
    }
    if id.len() > MAX_SUBJECT_LEN {
        return bad("it is longer than 256 bytes");
    }
    if has_control(id) {
        return bad("it contains a control character");
    }
    Ok(())
}

/// Whether `s` contains a control character (`char::is_control`), with a
/// byte-level fast path for ASCII.
#[inline]
pub(crate) fn has_control(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        s.chars().any(char::is_control)
    }
}

/// Checks a free text (title, description, controller).
pub(crate) fn check_text(what: &'static str, text: &str) -> Result<()> {
    if text.len() > MAX_TEXT_LEN {
        return Err(Error::LimitExceeded {
            what,
            limit: MAX_TEXT_LEN,
            found: text.len(),
        });
    }
    Ok(())
}

/// A kind of list read from untrusted input, with its limit.
pub(crate) trait ListLimit {
    /// What the list holds, plural, for the error message.
    const WHAT: &'static str;
    /// The most items it may hold.
    const LIMIT: usize;
}

/// Data categories: of an event, a record, a purpose or a catalog.
pub(crate) enum Categories {}

impl ListLimit for Categories {
    const WHAT: &'static str = "categories";
    const LIMIT: usize = CATEGORY_CAPACITY;
}

/// The purposes of a catalog.
pub(crate) enum Purposes {}

impl ListLimit for Purposes {
    const WHAT: &'static str = "purposes";
    const LIMIT: usize = MAX_PURPOSES;
}

/// The records of one subject in a snapshot: at most one per purpose.
pub(crate) enum Records {}

impl ListLimit for Records {
    const WHAT: &'static str = "records for one subject";
    const LIMIT: usize = MAX_PURPOSES;
}

/// A list read with its limit checked on the raw input, item by item: the
/// read fails as soon as the count passes the limit, before the rest is
/// parsed or stored (duplicates count: the limit is on what was sent, not
/// on what it would reduce to).
pub(crate) struct Bounded<T, L>(pub(crate) Vec<T>, std::marker::PhantomData<L>);

impl<'de, T: serde::Deserialize<'de>, L: ListLimit> serde::Deserialize<'de> for Bounded<T, L> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit<T, L>(std::marker::PhantomData<(T, L)>);

        impl<'de, T: serde::Deserialize<'de>, L: ListLimit> serde::de::Visitor<'de> for Visit<T, L> {
            type Value = Vec<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "a list of at most {} {}", L::LIMIT, L::WHAT)
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Vec<T>, A::Error> {
                // Never trust a size hint for more than a small start.
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
                while let Some(item) = seq.next_element()? {
                    if items.len() >= L::LIMIT {
                        return Err(serde::de::Error::custom(format_args!(
                            "too many {}: a list holds at most {}",
                            L::WHAT,
                            L::LIMIT
                        )));
                    }
                    items.push(item);
                }
                Ok(items)
            }
        }

        d.deserialize_seq(Visit::<T, L>(std::marker::PhantomData))
            .map(|items| Bounded(items, std::marker::PhantomData))
    }
}

/// For `#[serde(deserialize_with)]` on a `Vec<T>` field: see [`Bounded`].
pub(crate) fn bounded<'de, D, T, L>(d: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
    L: ListLimit,
{
    <Bounded<T, L> as serde::Deserialize>::deserialize(d).map(|b| b.0)
}

/// For `#[serde(deserialize_with)]` on an `Option<Vec<T>>` field: see
/// [`Bounded`].
pub(crate) fn bounded_opt<'de, D, T, L>(d: D) -> std::result::Result<Option<Vec<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
    L: ListLimit,
{
    <Option<Bounded<T, L>> as serde::Deserialize>::deserialize(d).map(|b| b.map(|b| b.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn name_ok(name: &str, ok: bool) {
        assert_eq!(check_name(NameKind::Purpose, name).is_ok(), ok, "{name:?}");
    }

    #[test]
    fn names() {
        for good in [
            "a",
            "contact.email",
            "ads-targeting.v2",
            "x_1.y-2",
            "9lives",
        ] {
            name_ok(good, true);
        }
        let long = "a".repeat(MAX_NAME_LEN + 1);
        for bad in [
            "",
            ".",
            "a.",
            ".a",
            "a..b",
            "A",
            "contact.Email",
            "a b",
            "é",
            "_a",
            "a._b",
            &long,
        ] {
            name_ok(bad, false);
        }
        name_ok(&"a".repeat(MAX_NAME_LEN), true);
    }

    #[test]
    fn subjects() {
        assert!(check_subject("user-1").is_ok());
        assert!(check_subject("Jean Dupont <jean@example.org>").is_ok());
        assert!(check_subject("").is_err());
        assert!(check_subject("a\nb").is_err());
        assert!(check_subject(&"x".repeat(MAX_SUBJECT_LEN + 1)).is_err());
    }
}
