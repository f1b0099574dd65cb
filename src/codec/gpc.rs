//! Global Privacy Control: the `Sec-GPC` request header and the
//! `navigator.globalPrivacyControl` property (W3C, "Global Privacy Control
//! (GPC)", w3c/gpc `index.html`, §3.3 "The `Sec-GPC` Header Field for HTTP
//! Requests" and §3.4 "JavaScript Property to Detect Preference").
//!
//! The header's only value is `1` (ABNF `Sec-GPC-field-value = "1"`). A server
//! "MUST ignore it and process the request as if that header had not been
//! specified unless the field value is exactly the character "1"", and with
//! several `Sec-GPC` headers it treats the request as carrying the signal if at
//! least one is exactly `1` (§3.3). So reading a header never fails: any other
//! value means the signal is absent. The field value is what HTTP delivers
//! after removing the optional whitespace (spaces and tabs) around it
//! (RFC 9110 §5.5), so ` 1 ` is `1`; `"1"`, `true`, `01` or `1, 1` are not.

/// Whether a request carried the Global Privacy Control signal, the person's
/// "do not sell or share" preference.
///
/// # Examples
///
/// ```
/// use consentry::codec::gpc::Gpc;
///
/// assert_eq!(Gpc::from_header_value(b"1"), Gpc::Set);
/// assert_eq!(Gpc::from_header_value(b" 1\t"), Gpc::Set);
/// assert_eq!(Gpc::from_header_value(b"0"), Gpc::NotSet);
/// assert_eq!(Gpc::from_header_values(["0", "1"]), Gpc::Set);
/// assert_eq!(Gpc::from_global_privacy_control(true).header_value(), Some("1"));
/// assert_eq!(Gpc::NotSet.header_value(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Gpc {
    /// No `Sec-GPC: 1` header (none, or only other values, which the
    /// specification says to ignore); `navigator.globalPrivacyControl` is
    /// `false`. The person has not stated the preference, or is fine with
    /// sale and sharing.
    #[default]
    NotSet,
    /// `Sec-GPC: 1`; `navigator.globalPrivacyControl` is `true`: the person
    /// asks that their data not be sold or shared.
    Set,
}

impl Gpc {
    /// The header's name as sent (`Sec-GPC`); HTTP field names are
    /// case-insensitive.
    pub const HEADER_NAME: &'static str = "Sec-GPC";

    /// Reads one `Sec-GPC` field value: [`Gpc::Set`] if it is exactly `1`
    /// once spaces and tabs around it are removed, [`Gpc::NotSet`] otherwise
    /// (the specification says to ignore other values; this never fails).
    #[must_use]
    pub fn from_header_value(value: &[u8]) -> Self {
        if trim_ows(value) == b"1" {
            Self::Set
        } else {
            Self::NotSet
        }
    }

    /// Reads every `Sec-GPC` field line of a request: [`Gpc::Set`] if at
    /// least one is exactly `1`, [`Gpc::NotSet`] if none is (or there are
    /// none).
    #[must_use]
    pub fn from_header_values<I>(values: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let set = values
            .into_iter()
            .any(|value| Self::from_header_value(value.as_ref()) == Self::Set);
        Self::from_global_privacy_control(set)
    }

    /// From the boolean a browser exposes as `navigator.globalPrivacyControl`
    /// (`true` means the header is sent).
    #[must_use]
    pub const fn from_global_privacy_control(value: bool) -> Self {
        if value { Self::Set } else { Self::NotSet }
    }

    /// The header value to send: `Some("1")` when set; `None` when not, as a
    /// user agent "MUST NOT generate a `Sec-GPC` header field" then.
    #[must_use]
    pub const fn header_value(self) -> Option<&'static str> {
        match self {
            Self::Set => Some("1"),
            Self::NotSet => None,
        }
    }

    /// The `navigator.globalPrivacyControl` boolean.
    #[must_use]
    pub const fn global_privacy_control(self) -> bool {
        matches!(self, Self::Set)
    }

    /// Whether the signal is present.
    #[must_use]
    pub const fn is_set(self) -> bool {
        self.global_privacy_control()
    }
}

/// The field value without the optional whitespace HTTP allows around it
/// (`OWS = *( SP / HTAB )`, RFC 9110 §5.6.3).
fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    value.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(value: &str, expected: Gpc) {
        assert_eq!(
            Gpc::from_header_value(value.as_bytes()),
            expected,
            "{value:?}"
        );
    }

    #[test]
    fn only_exactly_one_is_set() {
        case("1", Gpc::Set);
        case(" 1", Gpc::Set);
        case("1 ", Gpc::Set);
        case("\t1\t ", Gpc::Set);
        case("", Gpc::NotSet);
        case("   ", Gpc::NotSet);
        case("0", Gpc::NotSet);
        case("01", Gpc::NotSet);
        case("1.0", Gpc::NotSet);
        case("true", Gpc::NotSet);
        case("\"1\"", Gpc::NotSet);
        case("1, 1", Gpc::NotSet);
        case("\n1", Gpc::NotSet);
        case("1\r", Gpc::NotSet);
        case("\u{a0}1", Gpc::NotSet);
    }

    #[test]
    fn several_lines_any_one() {
        assert_eq!(Gpc::from_header_values(Vec::<&str>::new()), Gpc::NotSet);
        assert_eq!(Gpc::from_header_values(["0", "yes"]), Gpc::NotSet);
        assert_eq!(Gpc::from_header_values(["0", " 1"]), Gpc::Set);
    }
}
