//! The Canadian TCF section (`tcfcav1`, id 5): Global-Privacy-Platform
//! `Sections/Canada/GPPExtension: IAB Canada TCF.md`, in the encoding the
//! specification gives its vendor sets (the Fibonacci "OptimizedRange" and
//! "N-ArrayOfRanges(6,2)" of `Core/Consent String Specification.md`), as
//! iabgpp-es `TcfCaV1CoreSegment.ts` writes them.
//!
//! A core segment, then optionally a publisher-purposes segment (type 3) and
//! a disclosed-vendors segment (type 1), in that order, joined by `.`.

use super::sextet::{Padding, Reader, Writer};
use crate::codec::error::{DecodeError, DecodeProblem};

const CORE: &str = "gpp tcfcav1 core segment";
const PUBLISHER: &str = "gpp tcfcav1 publisher purposes segment";
const DISCLOSED: &str = "gpp tcfcav1 disclosed vendors segment";

/// How an [`OptimizedRange`] is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RangeForm {
    /// One bit per id up to the maximum.
    Bitfield,
    /// Fibonacci-coded runs.
    Range,
}

/// A set of vendor ids as an "OptimizedRange": the highest id (16 bits),
/// then either a bit field or Fibonacci-coded runs. Held as runs, so memory
/// follows the text however many ids a run covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OptimizedRange {
    max: u16,
    form: RangeForm,
    // INVARIANT: maximal runs, ascending, not touching, each start <= end.
    runs: Vec<(u16, u16)>,
}

impl Default for OptimizedRange {
    fn default() -> Self {
        Self {
            max: 0,
            form: RangeForm::Bitfield,
            runs: Vec::new(),
        }
    }
}

impl OptimizedRange {
    /// The set of `ids` (any order, repeats ignored; 0 is dropped), written
    /// as the IAB's libraries choose: the maximum is the highest id, and the
    /// range form when it takes no more bits than the bit field.
    #[must_use]
    pub fn new(ids: impl IntoIterator<Item = u16>) -> Self {
        let mut ids: Vec<u16> = ids.into_iter().filter(|id| *id > 0).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut runs: Vec<(u16, u16)> = Vec::new();
        for id in ids {
            match runs.last_mut() {
                Some((_, end)) if end.checked_add(1) == Some(id) => *end = id,
                _ => runs.push((id, id)),
            }
        }
        let max = runs.last().map_or(0, |(_, end)| *end);
        let mut set = Self {
            max,
            form: RangeForm::Range,
            runs,
        };
        if set.range_bits() > usize::from(max) {
            set.form = RangeForm::Bitfield;
        }
        set
    }

    /// The ids, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.runs.iter().flat_map(|(start, end)| *start..=*end)
    }

    /// Whether `id` is in the set.
    #[must_use]
    pub fn contains(&self, id: u16) -> bool {
        self.runs
            .binary_search_by(|(start, end)| {
                if *end < id {
                    std::cmp::Ordering::Less
                } else if *start > id {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    /// The maximum written (the bit field's length in that form).
    #[must_use]
    pub const fn max(&self) -> u16 {
        self.max
    }

    /// How the set is written.
    #[must_use]
    pub const fn form(&self) -> RangeForm {
        self.form
    }

    fn range_bits(&self) -> usize {
        let mut w = Writer::new();
        self.write_runs(&mut w);
        w.len()
    }

    fn write_runs(&self, w: &mut Writer) {
        w.write(self.runs.len() as u64, 12);
        let mut last = 0u16;
        for (start, end) in &self.runs {
            w.write_bool(start != end);
            w.write_fibonacci(u64::from(start.saturating_sub(last)));
            if start != end {
                w.write_fibonacci(u64::from(end - start));
            }
            last = *end;
        }
    }

    fn write(&self, w: &mut Writer) {
        w.write(u64::from(self.max), 16);
        match self.form {
            RangeForm::Range => {
                w.write_bool(true);
                self.write_runs(w);
            }
            RangeForm::Bitfield => {
                w.write_bool(false);
                let mut next = self.runs.iter().peekable();
                for id in 1..=self.max {
                    while next.peek().is_some_and(|(_, end)| *end < id) {
                        next.next();
                    }
                    w.write_bool(next.peek().is_some_and(|(start, _)| *start <= id));
                }
            }
        }
    }

    fn read(r: &mut Reader<'_>, field: &'static str) -> Result<Self, DecodeError> {
        let max = r.read(16, field)?;
        let max = u16::try_from(max).unwrap_or(u16::MAX);
        let mut runs: Vec<(u16, u16)> = Vec::new();
        if r.read_bool(field)? {
            let count = r.read(12, field)?;
            let mut last = 0u64;
            for item in 0..count {
                let at = r.position();
                let group = r.read_bool(field)?;
                let offset = r.read_fibonacci(field)?;
                if item > 0 && offset == 1 {
                    return Err(r.error_at(
                        field,
                        at,
                        DecodeProblem::Forbidden {
                            rule: "consecutive ids written as separate items (not the canonical form)",
                        },
                    ));
                }
                let start = last.saturating_add(offset);
                let end = if group {
                    start.saturating_add(r.read_fibonacci(field)?)
                } else {
                    start
                };
                let (Ok(s), Ok(e)) = (u16::try_from(start), u16::try_from(end)) else {
                    return Err(r.error_at(
                        field,
                        at,
                        DecodeProblem::OutOfRange {
                            value: end,
                            expected: "vendor ids 1..=65535",
                        },
                    ));
                };
                runs.push((s, e));
                last = end;
            }
            return Ok(Self {
                max,
                form: RangeForm::Range,
                runs,
            });
        }
        for id in 1..=max {
            if r.read_bool(field)? {
                match runs.last_mut() {
                    Some((_, end)) if end.checked_add(1) == Some(id) => *end = id,
                    _ => runs.push((id, id)),
                }
            }
        }
        Ok(Self {
            max,
            form: RangeForm::Bitfield,
            runs,
        })
    }
}

/// A publisher restriction: purpose, restriction type and vendors.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PubRestriction {
    /// The purpose id (6 bits).
    pub purpose: u8,
    /// The restriction type (2 bits).
    pub restriction_type: u8,
    /// The vendors restricted.
    pub vendors: OptimizedRange,
}

/// The publisher purposes segment (type 3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TcfCaPublisherPurposes {
    /// `PubPurposesExpressConsent`, purposes 1 to 24.
    pub express_consent: [bool; 24],
    /// `PubPurposesImpliedConsent`, purposes 1 to 24.
    pub implied_consent: [bool; 24],
    /// `CustomPurposesExpressConsent` and `CustomPurposesImpliedConsent`:
    /// one pair per custom purpose (at most 63).
    pub custom: Vec<(bool, bool)>,
    /// How the segment's bits are padded.
    pub padding: Padding,
}

/// The Canadian TCF section (`tcfcav1`, id 5).
///
/// Numbers are written in their field's width (given on each field): bits
/// above it are not written, so keep values within it. At most 4095
/// publisher restrictions and 63 custom purposes are written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TcfCaV1 {
    /// `Created`, deciseconds since the Unix epoch (36 bits).
    pub created: u64,
    /// `LastUpdated`, deciseconds since the Unix epoch (36 bits).
    pub last_updated: u64,
    /// `CmpId` (12 bits).
    pub cmp_id: u16,
    /// `CmpVersion` (12 bits).
    pub cmp_version: u16,
    /// `ConsentScreen` (6 bits).
    pub consent_screen: u8,
    /// `ConsentLanguage`: two letters `A` to `Z`.
    pub consent_language: [u8; 2],
    /// `VendorListVersion` (12 bits).
    pub vendor_list_version: u16,
    /// `TcfPolicyVersion` (6 bits).
    pub tcf_policy_version: u8,
    /// `UseNonStandardStacks`.
    pub use_non_standard_stacks: bool,
    /// `SpecialFeatureExpressConsent`, features 1 to 12.
    pub special_feature_express_consent: [bool; 12],
    /// `PurposesExpressConsent`, purposes 1 to 24.
    pub purposes_express_consent: [bool; 24],
    /// `PurposesImpliedConsent`, purposes 1 to 24.
    pub purposes_implied_consent: [bool; 24],
    /// `VendorExpressConsent`.
    pub vendor_express_consent: OptimizedRange,
    /// `VendorImpliedConsent`.
    pub vendor_implied_consent: OptimizedRange,
    /// `PubRestrictions`.
    pub pub_restrictions: Vec<PubRestriction>,
    /// How the core segment's bits are padded.
    pub padding: Padding,
    /// The publisher purposes segment, if present.
    pub publisher_purposes: Option<TcfCaPublisherPurposes>,
    /// The disclosed vendors segment, if present, and its padding.
    pub disclosed_vendors: Option<(OptimizedRange, Padding)>,
}

fn read_flags<const N: usize>(
    r: &mut Reader<'_>,
    field: &'static str,
) -> Result<[bool; N], DecodeError> {
    let mut out = [false; N];
    for slot in &mut out {
        *slot = r.read_bool(field)?;
    }
    Ok(out)
}

fn write_flags(w: &mut Writer, flags: &[bool]) {
    for f in flags {
        w.write_bool(*f);
    }
}

impl TcfCaV1 {
    /// The section id.
    pub const ID: u16 = 5;
    /// The version written and read.
    pub const VERSION: u8 = 1;

    /// Decodes the section's text.
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] naming the segment, field and bit offset.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        let mut parts = text.split('.');
        let core = parts.next().unwrap_or_default();
        let mut s = Self::decode_core(core)?;
        let mut seen = 0u8;
        for part in parts {
            let mut r = Reader::new(PUBLISHER, part)?;
            let kind = r.read(3, "SegmentType")?;
            match kind {
                3 if seen < 1 => {
                    s.publisher_purposes = Some(Self::decode_publisher(r)?);
                    seen = 1;
                }
                1 if seen < 2 => {
                    let mut r = Reader::new(DISCLOSED, part)?;
                    r.read(3, "SegmentType")?;
                    let vendors = OptimizedRange::read(&mut r, "DisclosedVendors")?;
                    s.disclosed_vendors = Some((vendors, r.finish()?));
                    seen = 2;
                }
                segment_type => {
                    return Err(DecodeError::new(
                        PUBLISHER,
                        "SegmentType",
                        0,
                        DecodeProblem::UnexpectedSegment { segment_type },
                    ));
                }
            }
        }
        Ok(s)
    }

    fn decode_core(text: &str) -> Result<Self, DecodeError> {
        let mut r = Reader::new(CORE, text)?;
        let version = r.read(6, "Version")?;
        if version != u64::from(Self::VERSION) {
            return Err(r.error_at(
                "Version",
                0,
                DecodeProblem::UnsupportedVersion {
                    found: version,
                    supported: "1",
                },
            ));
        }
        let created = r.read(36, "Created")?;
        let last_updated = r.read(36, "LastUpdated")?;
        let cmp_id = r.read(12, "CmpId")? as u16;
        let cmp_version = r.read(12, "CmpVersion")? as u16;
        let consent_screen = r.read(6, "ConsentScreen")? as u8;
        let mut consent_language = [0u8; 2];
        for slot in &mut consent_language {
            let at = r.position();
            let v = r.read(6, "ConsentLanguage")?;
            if v > 25 {
                return Err(r.error_at(
                    "ConsentLanguage",
                    at,
                    DecodeProblem::OutOfRange {
                        value: v,
                        expected: "0..=25 (A to Z)",
                    },
                ));
            }
            // v <= 25.
            *slot = b'A' + v as u8;
        }
        let vendor_list_version = r.read(12, "VendorListVersion")? as u16;
        let tcf_policy_version = r.read(6, "TcfPolicyVersion")? as u8;
        let use_non_standard_stacks = r.read_bool("UseNonStandardStacks")?;
        let special_feature_express_consent = read_flags(&mut r, "SpecialFeatureExpressConsent")?;
        let purposes_express_consent = read_flags(&mut r, "PurposesExpressConsent")?;
        let purposes_implied_consent = read_flags(&mut r, "PurposesImpliedConsent")?;
        let vendor_express_consent = OptimizedRange::read(&mut r, "VendorExpressConsent")?;
        let vendor_implied_consent = OptimizedRange::read(&mut r, "VendorImpliedConsent")?;
        let count = r.read(12, "PubRestrictions")?;
        let mut pub_restrictions = Vec::new();
        for _ in 0..count {
            let purpose = r.read(6, "PubRestrictions")? as u8;
            let restriction_type = r.read(2, "PubRestrictions")? as u8;
            let vendors = OptimizedRange::read(&mut r, "PubRestrictions")?;
            pub_restrictions.push(PubRestriction {
                purpose,
                restriction_type,
                vendors,
            });
        }
        let padding = r.finish()?;
        Ok(Self {
            created,
            last_updated,
            cmp_id,
            cmp_version,
            consent_screen,
            consent_language,
            vendor_list_version,
            tcf_policy_version,
            use_non_standard_stacks,
            special_feature_express_consent,
            purposes_express_consent,
            purposes_implied_consent,
            vendor_express_consent,
            vendor_implied_consent,
            pub_restrictions,
            padding,
            publisher_purposes: None,
            disclosed_vendors: None,
        })
    }

    fn decode_publisher(mut r: Reader<'_>) -> Result<TcfCaPublisherPurposes, DecodeError> {
        let express_consent = read_flags(&mut r, "PubPurposesExpressConsent")?;
        let implied_consent = read_flags(&mut r, "PubPurposesImpliedConsent")?;
        let n = r.read(6, "NumCustomPurposes")?;
        let mut express = Vec::new();
        for _ in 0..n {
            express.push(r.read_bool("CustomPurposesExpressConsent")?);
        }
        let mut custom = Vec::new();
        for e in express {
            custom.push((e, r.read_bool("CustomPurposesImpliedConsent")?));
        }
        let padding = r.finish()?;
        Ok(TcfCaPublisherPurposes {
            express_consent,
            implied_consent,
            custom,
            padding,
        })
    }

    /// The section's text.
    #[must_use]
    pub fn encode(&self) -> String {
        let mut w = Writer::new();
        w.write(u64::from(Self::VERSION), 6);
        w.write(self.created, 36);
        w.write(self.last_updated, 36);
        w.write(u64::from(self.cmp_id), 12);
        w.write(u64::from(self.cmp_version), 12);
        w.write(u64::from(self.consent_screen), 6);
        for l in self.consent_language {
            w.write(u64::from(l.wrapping_sub(b'A')), 6);
        }
        w.write(u64::from(self.vendor_list_version), 12);
        w.write(u64::from(self.tcf_policy_version), 6);
        w.write_bool(self.use_non_standard_stacks);
        write_flags(&mut w, &self.special_feature_express_consent);
        write_flags(&mut w, &self.purposes_express_consent);
        write_flags(&mut w, &self.purposes_implied_consent);
        self.vendor_express_consent.write(&mut w);
        self.vendor_implied_consent.write(&mut w);
        w.write(self.pub_restrictions.len() as u64, 12);
        for p in &self.pub_restrictions {
            w.write(u64::from(p.purpose), 6);
            w.write(u64::from(p.restriction_type), 2);
            p.vendors.write(&mut w);
        }
        let mut out = w.finish(self.padding);
        if let Some(p) = &self.publisher_purposes {
            let mut w = Writer::new();
            w.write(3, 3);
            write_flags(&mut w, &p.express_consent);
            write_flags(&mut w, &p.implied_consent);
            w.write(p.custom.len() as u64, 6);
            for (e, _) in &p.custom {
                w.write_bool(*e);
            }
            for (_, i) in &p.custom {
                w.write_bool(*i);
            }
            out.push('.');
            out.push_str(&w.finish(p.padding));
        }
        if let Some((vendors, padding)) = &self.disclosed_vendors {
            let mut w = Writer::new();
            w.write(1, 3);
            vendors.write(&mut w);
            out.push('.');
            out.push_str(&w.finish(*padding));
        }
        out
    }
}
