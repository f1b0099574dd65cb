//! Google Consent Mode v2: the seven consent types and their `granted` /
//! `denied` states, in the JSON shape `gtag('consent', 'update', {...})` takes.
//!
//! Sources: Google, "Consent mode reference" (support.google.com/analytics
//! /answer/13802165) lists the four consent mode parameters (`ad_storage`,
//! `ad_user_data`, `ad_personalization`, `analytics_storage`) and the three
//! privacy parameters (`functionality_storage`, `personalization_storage`,
//! `security_storage`); Firebase's `ConsentSettings` type
//! (firebase.google.com/docs/reference/js/analytics.consentsettings) gives the
//! object shape: every key optional, each value the string `granted` or
//! `denied`.
//!
//! An update names only the types it changes, so every type is optional here
//! too. Reading rejects unknown keys, repeated keys and other values, naming
//! the key.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::{DecodeError, DecodeProblem};

/// One of Consent Mode v2's seven consent types (declared with the
/// catalog's [`Standards`](crate::Standards), which map purposes to them).
pub use crate::model::standards::ConsentType;

impl fmt::Display for ConsentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ConsentType {
    type Err = DecodeError;

    /// # Errors
    ///
    /// A [`DecodeError`] naming the key when it is not one of the seven.
    fn from_str(key: &str) -> Result<Self, DecodeError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == key)
            .ok_or_else(|| unknown_key(key))
    }
}

/// The state of one consent type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentModeStatus {
    /// `granted`.
    Granted,
    /// `denied`.
    Denied,
}

impl ConsentModeStatus {
    /// `granted` or `denied`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Denied => "denied",
        }
    }
}

impl fmt::Display for ConsentModeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Consent Mode v2 consent update: for each of the seven consent types,
/// `granted`, `denied` or not mentioned.
///
/// Serialized (serde) as the object `gtag('consent', 'update', {...})` takes,
/// with the mentioned types only, in [`ConsentType::ALL`] order.
///
/// # Examples
///
/// ```
/// use consentry::codec::consent_mode::{ConsentMode, ConsentModeStatus, ConsentType};
///
/// let update = ConsentMode::from_json(r#"{"ad_storage": "denied", "analytics_storage": "granted"}"#)?;
/// assert_eq!(update.get(ConsentType::AdStorage), Some(ConsentModeStatus::Denied));
/// assert_eq!(update.get(ConsentType::AdUserData), None);
/// assert_eq!(update.to_json(), r#"{"ad_storage":"denied","analytics_storage":"granted"}"#);
///
/// let err = ConsentMode::from_json(r#"{"ad_storage": "yes"}"#).unwrap_err();
/// assert!(err.to_string().contains("ad_storage"));
/// # Ok::<(), consentry::codec::DecodeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ConsentMode {
    states: [Option<ConsentModeStatus>; 7],
}

impl ConsentMode {
    /// An update that mentions no type.
    #[must_use]
    pub const fn new() -> Self {
        Self { states: [None; 7] }
    }

    /// Every type set to `status`.
    #[must_use]
    pub const fn all(status: ConsentModeStatus) -> Self {
        Self {
            states: [Some(status); 7],
        }
    }

    /// The state of one type, `None` if the update does not mention it.
    #[must_use]
    pub fn get(&self, consent_type: ConsentType) -> Option<ConsentModeStatus> {
        self.states.get(consent_type.index()).copied().flatten()
    }

    /// Sets (or, with `None`, removes) one type.
    pub fn set(&mut self, consent_type: ConsentType, status: Option<ConsentModeStatus>) {
        if let Some(slot) = self.states.get_mut(consent_type.index()) {
            *slot = status;
        }
    }

    /// This update with one type set to `status`.
    #[must_use]
    pub fn with(mut self, consent_type: ConsentType, status: ConsentModeStatus) -> Self {
        self.set(consent_type, Some(status));
        self
    }

    /// The mentioned types and their states, in [`ConsentType::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (ConsentType, ConsentModeStatus)> + '_ {
        ConsentType::ALL
            .into_iter()
            .filter_map(|t| self.get(t).map(|status| (t, status)))
    }

    /// Reads the JSON object of a `gtag('consent', 'update', {...})` call.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] whose field names the key, for an unknown key (field
    /// `key`, the key in the problem), a key given twice, or a value other
    /// than the strings `granted` and `denied`; field `object` when the text
    /// is not a JSON object. The bit offset is 0: JSON has no bit positions.
    pub fn from_json(json: &str) -> Result<Self, DecodeError> {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let parsed = deserializer
            .deserialize_map(ModeVisitor)
            .and_then(|mode| deserializer.end().map(|()| mode));
        match parsed {
            Ok(mode) => mode,
            Err(err) => Err(DecodeError::new(
                FORMAT,
                "object",
                0,
                DecodeProblem::Json {
                    message: cut(&err.to_string()),
                },
            )),
        }
    }

    /// The JSON object for `gtag('consent', 'update', {...})`, compact.
    #[must_use]
    pub fn to_json(&self) -> String {
        // The longest object, all seven types, is 197 bytes.
        let mut out = String::with_capacity(200);
        out.push('{');
        for (i, (t, status)) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(t.as_str());
            out.push_str("\":\"");
            out.push_str(status.as_str());
            out.push('"');
        }
        out.push('}');
        out
    }
}

/// The format named in errors.
const FORMAT: &str = "consent mode";

fn unknown_key(key: &str) -> DecodeError {
    DecodeError::new(
        FORMAT,
        "key",
        0,
        DecodeProblem::UnknownKey { key: cut(key) },
    )
}

impl Serialize for ConsentMode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.iter().count()))?;
        for (t, status) in self.iter() {
            map.serialize_entry(t.as_str(), status.as_str())?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ConsentMode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(ModeVisitor)?
            .map_err(de::Error::custom)
    }
}

/// Reads the object, keeping the first bad entry as a [`DecodeError`] (the
/// outer error is for JSON that is not an object at all).
struct ModeVisitor;

impl<'de> Visitor<'de> for ModeVisitor {
    type Value = Result<ConsentMode, DecodeError>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of consent mode types to `granted` or `denied`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut mode = ConsentMode::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let value = map.next_value::<serde_json::Value>()?;
            let Ok(consent_type) = key.parse::<ConsentType>() else {
                return Ok(Err(unknown_key(&key)));
            };
            let field = consent_type.as_str();
            let status = match value.as_str() {
                Some("granted") => ConsentModeStatus::Granted,
                Some("denied") => ConsentModeStatus::Denied,
                _ => {
                    return Ok(Err(DecodeError::new(
                        FORMAT,
                        field,
                        0,
                        DecodeProblem::BadValue {
                            found: cut(&value.to_string()),
                            expected: "\"granted\" or \"denied\"",
                        },
                    )));
                }
            };
            if mode.get(consent_type).is_some() {
                return Ok(Err(DecodeError::new(
                    FORMAT,
                    field,
                    0,
                    DecodeProblem::RepeatedKey,
                )));
            }
            mode.set(consent_type, Some(status));
        }
        Ok(Ok(mode))
    }
}

/// Text for an error message, cut after 80 bytes (at a character boundary).
fn cut(text: &str) -> String {
    if text.len() <= 80 {
        return text.to_owned();
    }
    let mut end = 80;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}... ({} bytes)",
        text.get(..end).unwrap_or_default(),
        text.len()
    )
}
