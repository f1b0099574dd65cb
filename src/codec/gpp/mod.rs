//! The IAB Global Privacy Platform string, version 1: a header listing the
//! section ids, then one section per id, joined by `~`
//! (Global-Privacy-Platform `Core/Consent String Specification.md`; section
//! ids from `Sections/Section Information.md`).
//!
//! Decoded sections: `tcfeuv2` (2, through the TCF codec when the `tcf`
//! feature is on), `uspv1` (6, through [`UsPrivacy`]), `usnat` (7, both
//! field layouts), `usca` (8), `usva` (9), `usco` (10), `usut` (11) and
//! `usct` (12), each with its GPC sub-section where the specification gives
//! one, and `tcfcav1` (5). Every other section is kept as
//! [`OpaqueSection`] text and written back unchanged.
//!
//! Decoding then encoding gives back the same text: the padding of each
//! bit-packed segment is kept ([`Padding`]). The header's section ids must be
//! in the canonical form the IAB's libraries write (consecutive ids as one
//! group); any other form is an error rather than a string that would not
//! read back the same.
//!
//! # Examples
//!
//! ```
//! use consentry::codec::gpp::{GppString, OptOut, Section};
//!
//! // From iabgpp-java's own tests (`UsNatTest.testDecode1`).
//! let gpp = GppString::decode("DBABLA~BVVVkkkkkpFY.YA")?;
//! let Some(Section::UsNat(usnat)) = gpp.section(7) else {
//!     unreachable!("the header lists usnat")
//! };
//! assert_eq!(usnat.sale_opt_out, OptOut::OptedOut);
//! assert_eq!(usnat.gpc.map(|g| g.gpc), Some(true));
//! assert_eq!(gpp.encode(), "DBABLA~BVVVkkkkkpFY.YA");
//! # Ok::<(), consentry::codec::DecodeError>(())
//! ```

mod sextet;
mod tcfca;
mod us;
mod values;

pub use sextet::Padding;
pub use tcfca::{OptimizedRange, PubRestriction, RangeForm, TcfCaPublisherPurposes, TcfCaV1};
pub use us::{GpcSubsection, UsCa, UsCo, UsCt, UsNat, UsNatV1, UsUt, UsVa};
pub use values::{Consent, MspaMode, Notice, OptOut, UsNatVersion};

use super::error::{DecodeError, DecodeProblem};
use super::usp::UsPrivacy;
use sextet::{Reader, Writer};

/// The format named in errors about the header and the section list.
const FORMAT: &str = "gpp header";

/// The largest section id read or written.
pub const MAX_SECTION_ID: u16 = 4095;

/// A section kept as text: one this crate does not decode, written back
/// unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OpaqueSection {
    id: u16,
    text: String,
}

impl OpaqueSection {
    /// A section of id `id` with text `text`.
    ///
    /// # Errors
    ///
    /// [`DecodeProblem::Forbidden`] when `id` is 0, above
    /// [`MAX_SECTION_ID`] or one that this build decodes (it would not read
    /// back as opaque), or when `text` holds a `~` (the section separator).
    pub fn new(id: u16, text: impl Into<String>) -> Result<Self, DecodeError> {
        let text = text.into();
        if id == 0 || id > MAX_SECTION_ID || decoded_here(id) {
            return Err(DecodeError::new(
                FORMAT,
                "section id",
                0,
                DecodeProblem::Forbidden {
                    rule: "an opaque section's id is 1 to 4095 and not one this build decodes",
                },
            ));
        }
        if let Some(index) = text.find('~') {
            return Err(DecodeError::new(
                FORMAT,
                "section text",
                index.saturating_mul(6),
                DecodeProblem::UnexpectedChar {
                    index,
                    found: '~',
                    expected: "no `~` inside a section",
                },
            ));
        }
        Ok(Self { id, text })
    }

    /// The section id.
    #[must_use]
    pub const fn id(&self) -> u16 {
        self.id
    }

    /// The section's text as it appears in the string.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Whether this build decodes section `id` (so it never stays opaque).
const fn decoded_here(id: u16) -> bool {
    matches!(id, 5..=12) || (cfg!(feature = "tcf") && id == 2)
}

/// The `tcfeuv2` section (id 2): an IAB TCF v2 TC string, decoded by
/// [`TcString`](crate::codec::tcf::TcString), with the text it was read from.
///
/// The TCF codec writes one canonical form; the IAB's libraries pad TC
/// segments differently (iabgpp-java to 24 bits inside GPP). So that a GPP
/// string encodes back exactly, the section keeps the text it was decoded
/// from and writes it unchanged; a section built from a `TcString` writes
/// that string's canonical encoding.
#[cfg(feature = "tcf")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TcfEuV2 {
    // Boxed: a TcString is about 250 bytes, the US sections a few dozen.
    tc: Box<crate::codec::tcf::TcString>,
    // INVARIANT: `text` decodes to `tc`.
    text: String,
}

#[cfg(feature = "tcf")]
impl TcfEuV2 {
    /// The section id.
    pub const ID: u16 = 2;

    /// The section for `tc`, in the TCF codec's canonical text.
    #[must_use]
    pub fn new(tc: crate::codec::tcf::TcString) -> Self {
        let text = tc.encode();
        Self {
            tc: Box::new(tc),
            text,
        }
    }

    /// Decodes the section's text.
    ///
    /// # Errors
    ///
    /// The TCF codec's [`DecodeError`].
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        let tc = crate::codec::tcf::TcString::decode(text)?;
        Ok(Self {
            tc: Box::new(tc),
            text: text.to_owned(),
        })
    }

    /// The decoded TC string.
    #[must_use]
    pub const fn tc_string(&self) -> &crate::codec::tcf::TcString {
        &self.tc
    }

    /// The text written in the GPP string.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// One section of a GPP string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Section {
    /// `tcfeuv2` (id 2): the IAB TCF v2 TC string (feature `tcf`).
    #[cfg(feature = "tcf")]
    TcfEuV2(TcfEuV2),
    /// `tcfcav1` (id 5): the Canadian TCF section (boxed: it is large).
    TcfCaV1(Box<TcfCaV1>),
    /// `uspv1` (id 6): the US Privacy string.
    UspV1(UsPrivacy),
    /// `usnat` (id 7), version 2.
    UsNat(UsNat),
    /// `usnat` (id 7), version 1.
    UsNatV1(UsNatV1),
    /// `usca` (id 8).
    UsCa(UsCa),
    /// `usva` (id 9).
    UsVa(UsVa),
    /// `usco` (id 10).
    UsCo(UsCo),
    /// `usut` (id 11).
    UsUt(UsUt),
    /// `usct` (id 12).
    UsCt(UsCt),
    /// Any other section, as text.
    Opaque(OpaqueSection),
}

impl Section {
    /// The section id in the header.
    #[must_use]
    pub const fn id(&self) -> u16 {
        match self {
            #[cfg(feature = "tcf")]
            Self::TcfEuV2(_) => TcfEuV2::ID,
            Self::TcfCaV1(_) => TcfCaV1::ID,
            Self::UspV1(_) => 6,
            Self::UsNat(_) | Self::UsNatV1(_) => UsNat::ID,
            Self::UsCa(_) => UsCa::ID,
            Self::UsVa(_) => UsVa::ID,
            Self::UsCo(_) => UsCo::ID,
            Self::UsUt(_) => UsUt::ID,
            Self::UsCt(_) => UsCt::ID,
            Self::Opaque(o) => o.id,
        }
    }

    /// Decodes the text of section `id`.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] naming the section, field and bit offset.
    pub fn decode(id: u16, text: &str) -> Result<Self, DecodeError> {
        Ok(match id {
            #[cfg(feature = "tcf")]
            2 => Self::TcfEuV2(TcfEuV2::decode(text)?),
            5 => Self::TcfCaV1(Box::new(TcfCaV1::decode(text)?)),
            6 => Self::UspV1(UsPrivacy::decode(text)?),
            7 => {
                // The core segment's length picks the layout, as in iabgpp-java
                // and iabgpp-es `UsNatCoreSegment` (60 or 66 bits: the first).
                let core = text.split_once('.').map_or(text, |(core, _)| core);
                if core.len() <= 11 {
                    Self::UsNatV1(UsNatV1::decode(text)?)
                } else {
                    Self::UsNat(UsNat::decode(text)?)
                }
            }
            8 => Self::UsCa(UsCa::decode(text)?),
            9 => Self::UsVa(UsVa::decode(text)?),
            10 => Self::UsCo(UsCo::decode(text)?),
            11 => Self::UsUt(UsUt::decode(text)?),
            12 => Self::UsCt(UsCt::decode(text)?),
            _ => Self::Opaque(OpaqueSection::new(id, text)?),
        })
    }

    /// The section's text.
    #[must_use]
    pub fn encode(&self) -> String {
        let mut out = String::new();
        self.encode_into(&mut out);
        out
    }

    fn encode_into(&self, out: &mut String) {
        match self {
            #[cfg(feature = "tcf")]
            Self::TcfEuV2(s) => out.push_str(&s.text),
            Self::TcfCaV1(s) => out.push_str(&s.encode()),
            Self::UspV1(usp) => out.push_str(&usp.encode()),
            Self::UsNat(s) => s.encode_into(out),
            Self::UsNatV1(s) => s.encode_into(out),
            Self::UsCa(s) => s.encode_into(out),
            Self::UsVa(s) => s.encode_into(out),
            Self::UsCo(s) => s.encode_into(out),
            Self::UsUt(s) => s.encode_into(out),
            Self::UsCt(s) => s.encode_into(out),
            Self::Opaque(o) => out.push_str(&o.text),
        }
    }
}

/// A GPP string: its sections in ascending id order, at most one per id.
///
/// # Examples
///
/// ```
/// use consentry::codec::gpp::{GppString, Section};
/// use consentry::codec::usp::UsPrivacy;
///
/// let mut gpp = GppString::new();
/// gpp.insert(Section::UspV1("1YNN".parse()?));
/// assert_eq!(gpp.encode(), "DBABTA~1YNN");
/// assert_eq!(GppString::decode("DBABTA~1YNN")?, gpp);
/// # Ok::<(), consentry::codec::DecodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct GppString {
    // INVARIANT: ids strictly ascending.
    sections: Vec<Section>,
    header_padding: Padding,
}

impl GppString {
    /// The header's `Type` field.
    pub const TYPE: u8 = 3;
    /// The GPP version this codec reads and writes.
    pub const VERSION: u8 = 1;

    /// A string with no section.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            sections: Vec::new(),
            header_padding: Padding::Byte,
        }
    }

    /// Decodes a GPP string.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] naming the header or section, the field and the bit
    /// offset: a character outside base64url, a wrong type or version,
    /// section ids out of order or not in canonical form, a count of
    /// sections that differs from the header's, a non-zero padding bit,
    /// trailing characters, or a section that does not decode. No partial
    /// result is returned.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        let (header, body) = match text.split_once('~') {
            Some((header, body)) => (header, Some(body)),
            None => (text, None),
        };
        let parts = body.map_or(0, |b| b.split('~').count());
        let (ids, header_padding) = decode_header(header, parts)?;
        let mut sections = Vec::with_capacity(ids.len());
        for (id, part) in ids.iter().zip(body.into_iter().flat_map(|b| b.split('~'))) {
            sections.push(Section::decode(*id, part)?);
        }
        Ok(Self {
            sections,
            header_padding,
        })
    }

    /// The string's text.
    #[must_use]
    pub fn encode(&self) -> String {
        let mut w = Writer::new();
        w.write(u64::from(Self::TYPE), 6);
        w.write(u64::from(Self::VERSION), 6);
        let runs = runs(self.sections.iter().map(Section::id));
        w.write(runs.len() as u64, 12);
        let mut last = 0u16;
        for (start, end) in runs {
            w.write_bool(start != end);
            w.write_fibonacci(u64::from(start - last));
            if start != end {
                w.write_fibonacci(u64::from(end - start));
            }
            last = end;
        }
        let mut out = w.finish(self.header_padding);
        for section in &self.sections {
            out.push('~');
            section.encode_into(&mut out);
        }
        out
    }

    /// The sections, in ascending id order.
    #[must_use]
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The section of id `id`, if present.
    #[must_use]
    pub fn section(&self, id: u16) -> Option<&Section> {
        self.sections
            .binary_search_by_key(&id, Section::id)
            .ok()
            .and_then(|i| self.sections.get(i))
    }

    /// The section ids, ascending (what OpenRTB's `gpp_sid` lists).
    pub fn section_ids(&self) -> impl Iterator<Item = u16> + '_ {
        self.sections.iter().map(Section::id)
    }

    /// Adds a section, replacing the one with the same id; returns it.
    pub fn insert(&mut self, section: Section) -> Option<Section> {
        match self
            .sections
            .binary_search_by_key(&section.id(), Section::id)
        {
            Ok(i) => self
                .sections
                .get_mut(i)
                .map(|slot| std::mem::replace(slot, section)),
            Err(i) => {
                self.sections.insert(i, section);
                None
            }
        }
    }

    /// Removes the section of id `id`; returns it.
    pub fn remove(&mut self, id: u16) -> Option<Section> {
        let i = self.sections.binary_search_by_key(&id, Section::id).ok()?;
        Some(self.sections.remove(i))
    }

    /// How the header's bits are padded.
    #[must_use]
    pub const fn header_padding(&self) -> Padding {
        self.header_padding
    }

    /// Sets how the header's bits are padded.
    pub fn set_header_padding(&mut self, padding: Padding) {
        self.header_padding = padding;
    }
}

/// Runs of consecutive ids, `(first, last)`, from ascending ids.
fn runs(ids: impl Iterator<Item = u16>) -> Vec<(u16, u16)> {
    let mut out: Vec<(u16, u16)> = Vec::new();
    for id in ids {
        match out.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(id) => *end = id,
            _ => out.push((id, id)),
        }
    }
    out
}

/// Reads the header: the section ids, checked against the `parts` sections
/// that follow, and the padding.
fn decode_header(text: &str, parts: usize) -> Result<(Vec<u16>, Padding), DecodeError> {
    let mut r = Reader::new(FORMAT, text)?;
    let at = r.position();
    let kind = r.read(6, "Type")?;
    if kind != u64::from(GppString::TYPE) {
        return Err(r.error_at(
            "Type",
            at,
            DecodeProblem::OutOfRange {
                value: kind,
                expected: "3 (the GPP header)",
            },
        ));
    }
    let at = r.position();
    let version = r.read(6, "Version")?;
    if version != u64::from(GppString::VERSION) {
        return Err(r.error_at(
            "Version",
            at,
            DecodeProblem::UnsupportedVersion {
                found: version,
                supported: "1",
            },
        ));
    }
    let count = r.read(12, "Sections")?;
    let mut ids = Vec::with_capacity(parts);
    let mut last = 0u64;
    for item in 0..count {
        let at = r.position();
        let group = r.read_bool("Sections")?;
        let offset = r.read_fibonacci("Sections")?;
        if item > 0 && offset == 1 {
            return Err(r.error_at(
                "Sections",
                at,
                DecodeProblem::Forbidden {
                    rule: "consecutive section ids written as separate items (not the canonical form)",
                },
            ));
        }
        let start = last.saturating_add(offset);
        let end = if group {
            start.saturating_add(r.read_fibonacci("Sections")?)
        } else {
            start
        };
        if end > u64::from(MAX_SECTION_ID) {
            return Err(r.error_at(
                "Sections",
                at,
                DecodeProblem::OutOfRange {
                    value: end,
                    expected: "section ids 1..=4095",
                },
            ));
        }
        let more = usize::try_from(end - start + 1).unwrap_or(usize::MAX);
        if ids.len().saturating_add(more) > parts {
            return Err(r.error_at(
                "Sections",
                at,
                DecodeProblem::SectionCount {
                    header: ids.len().saturating_add(more),
                    found: parts,
                },
            ));
        }
        // start..=end <= MAX_SECTION_ID: each fits a u16.
        ids.extend((start..=end).filter_map(|id| u16::try_from(id).ok()));
        last = end;
    }
    let end_of_fields = r.position();
    let padding = r.finish()?;
    if ids.len() != parts {
        return Err(DecodeError::new(
            FORMAT,
            "Sections",
            end_of_fields,
            DecodeProblem::SectionCount {
                header: ids.len(),
                found: parts,
            },
        ));
    }
    Ok((ids, padding))
}
