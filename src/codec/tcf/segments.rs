//! The segments of a TC string: the core one, then disclosed vendors,
//! allowed vendors and publisher TC.

use crate::codec::bits::{BitReader, BitWriter, decode_base64url_into, encode_base64url_into};
use crate::codec::{DecodeError, DecodeProblem};

use super::sets::{CustomPurposeSet, PurposeSet};
use super::vendors::{
    ALLOWED, DISCLOSED, VENDOR_CONSENTS, VENDOR_LI, read_restrictions, read_section,
    write_restrictions, write_section,
};
use super::{PublisherTc, TcString};

const CORE: &str = "tcf core segment";
const SEGMENT: &str = "tcf segment";
const DISCLOSED_SEGMENT: &str = "tcf disclosed vendors segment";
const ALLOWED_SEGMENT: &str = "tcf allowed vendors segment";
const PUBLISHER_SEGMENT: &str = "tcf publisher tc segment";

/// `SegmentType` values.
const TYPE_DISCLOSED: u64 = 1;
const TYPE_ALLOWED: u64 = 2;
const TYPE_PUBLISHER_TC: u64 = 3;

/// Segments are padded to whole base64 groups (24 bits), as iabtcf-es does.
const PAD_BITS: usize = 24;

pub(super) fn decode(text: &str) -> Result<TcString, DecodeError> {
    let mut parts = text.split('.');
    let mut bytes = Vec::with_capacity(text.len() / 4 * 3 + 3);
    let core = parts.next().unwrap_or_default();
    decode_base64url_into(CORE, core, &mut bytes)?;
    let mut tc = read_core(&mut BitReader::new(CORE, &bytes))?;
    for part in parts {
        bytes.clear();
        decode_base64url_into(SEGMENT, part, &mut bytes)?;
        let mut r = BitReader::new(SEGMENT, &bytes);
        let segment_type = r.read_u64(3, "segment type")?;
        let repeated = |r: &BitReader<'_>| {
            r.error_at(
                "segment type",
                0,
                DecodeProblem::UnexpectedSegment { segment_type },
            )
        };
        match segment_type {
            TYPE_DISCLOSED if tc.disclosed_vendors.is_none() => {
                let mut r = BitReader::new(DISCLOSED_SEGMENT, &bytes);
                r.skip(3, "segment type")?;
                tc.disclosed_vendors = Some(read_section(&mut r, &DISCLOSED)?);
            }
            TYPE_ALLOWED if tc.allowed_vendors.is_none() => {
                let mut r = BitReader::new(ALLOWED_SEGMENT, &bytes);
                r.skip(3, "segment type")?;
                tc.allowed_vendors = Some(read_section(&mut r, &ALLOWED)?);
            }
            TYPE_PUBLISHER_TC if tc.publisher_tc.is_none() => {
                let mut r = BitReader::new(PUBLISHER_SEGMENT, &bytes);
                r.skip(3, "segment type")?;
                tc.publisher_tc = Some(read_publisher_tc(&mut r)?);
            }
            _ => return Err(repeated(&r)),
        }
    }
    Ok(tc)
}

fn read_core(r: &mut BitReader<'_>) -> Result<TcString, DecodeError> {
    let version = r.read_u64(6, "version")?;
    if version != 2 {
        let problem = DecodeProblem::UnsupportedVersion {
            found: version,
            supported: "2",
        };
        return Err(r.error_at("version", 0, problem));
    }
    // Each width below fits its field's type (12 bits in a u16, 6 in a u8).
    Ok(TcString {
        created: r.read_deciseconds("created")?,
        last_updated: r.read_deciseconds("last updated")?,
        cmp_id: r.read_u64(12, "cmp id")? as u16,
        cmp_version: r.read_u64(12, "cmp version")? as u16,
        consent_screen: r.read_u64(6, "consent screen")? as u8,
        consent_language: r.read_letters("consent language")?,
        vendor_list_version: r.read_u64(12, "vendor list version")? as u16,
        policy_version: r.read_u64(6, "tcf policy version")? as u8,
        is_service_specific: r.read_bool("is service specific")?,
        use_non_standard_texts: r.read_bool("use non-standard texts")?,
        special_feature_optins: flags(r, 12, "special feature opt-ins")?,
        purposes_consent: flags(r, 24, "purposes consent")?,
        purposes_li_transparency: flags(r, 24, "purposes li transparency")?,
        purpose_one_treatment: r.read_bool("purpose one treatment")?,
        publisher_cc: r.read_letters("publisher cc")?,
        vendor_consents: read_section(r, &VENDOR_CONSENTS)?,
        vendor_legitimate_interests: read_section(r, &VENDOR_LI)?,
        publisher_restrictions: read_restrictions(r)?,
        disclosed_vendors: None,
        allowed_vendors: None,
        publisher_tc: None,
    })
}

/// Reads an `N`-bit field whose first bit is id 1.
fn flags<const N: u8>(
    r: &mut BitReader<'_>,
    bits: u32,
    field: &'static str,
) -> Result<super::IdFlags<N>, DecodeError> {
    let at = r.position();
    let raw = r.read_u64(bits, field)?;
    let reversed = if bits == 0 {
        0
    } else {
        raw.reverse_bits() >> (64 - bits)
    };
    super::IdFlags::from_bits(reversed).map_err(|_| {
        r.error_at(
            field,
            at,
            DecodeProblem::OutOfRange {
                value: raw,
                expected: "a flag set of the field's width",
            },
        )
    })
}

fn read_publisher_tc(r: &mut BitReader<'_>) -> Result<PublisherTc, DecodeError> {
    let purposes_consent: PurposeSet = flags(r, 24, "pub purposes consent")?;
    let purposes_li_transparency: PurposeSet = flags(r, 24, "pub purposes li transparency")?;
    // 6 bits: at most 63.
    let num = r.read_u64(6, "num custom purposes")? as u8;
    let consent: CustomPurposeSet = flags(r, u32::from(num), "custom purposes consent")?;
    let li: CustomPurposeSet = flags(r, u32::from(num), "custom purposes li transparency")?;
    Ok(PublisherTc {
        purposes_consent,
        purposes_li_transparency,
        num_custom_purposes: num,
        custom_purposes_consent: consent,
        custom_purposes_li_transparency: li,
    })
}

pub(super) fn encode(tc: &TcString) -> String {
    // Room for the fixed fields and both vendor sections as bit fields.
    let vendors = usize::from(tc.vendor_consents.max_id())
        + usize::from(tc.vendor_legitimate_interests.max_id());
    let mut w = BitWriter::with_capacity(300 + vendors);
    w.write_u64(2, 6);
    w.write_deciseconds(tc.created);
    w.write_deciseconds(tc.last_updated);
    w.write_u64(u64::from(tc.cmp_id), 12);
    w.write_u64(u64::from(tc.cmp_version), 12);
    w.write_u64(u64::from(tc.consent_screen), 6);
    w.write_letters(tc.consent_language);
    w.write_u64(u64::from(tc.vendor_list_version), 12);
    w.write_u64(u64::from(tc.policy_version), 6);
    w.write_bool(tc.is_service_specific);
    w.write_bool(tc.use_non_standard_texts);
    write_flags(&mut w, tc.special_feature_optins.bits(), 12);
    write_flags(&mut w, tc.purposes_consent.bits(), 24);
    write_flags(&mut w, tc.purposes_li_transparency.bits(), 24);
    w.write_bool(tc.purpose_one_treatment);
    w.write_letters(tc.publisher_cc);
    write_section(&mut w, &tc.vendor_consents);
    write_section(&mut w, &tc.vendor_legitimate_interests);
    write_restrictions(&mut w, &tc.publisher_restrictions);
    let mut out = String::with_capacity(w.len() / 6 + 16 + segments_room(tc));
    finish(w, &mut out);
    for (segment_type, set) in [
        (TYPE_DISCLOSED, &tc.disclosed_vendors),
        (TYPE_ALLOWED, &tc.allowed_vendors),
    ] {
        if let Some(set) = set {
            let mut w = BitWriter::new();
            w.write_u64(segment_type, 3);
            write_section(&mut w, set);
            out.push('.');
            finish(w, &mut out);
        }
    }
    if let Some(p) = &tc.publisher_tc {
        let mut w = BitWriter::new();
        w.write_u64(TYPE_PUBLISHER_TC, 3);
        write_flags(&mut w, p.purposes_consent.bits(), 24);
        write_flags(&mut w, p.purposes_li_transparency.bits(), 24);
        w.write_u64(u64::from(p.num_custom_purposes), 6);
        let n = u32::from(p.num_custom_purposes);
        write_flags(&mut w, p.custom_purposes_consent.bits(), n);
        write_flags(&mut w, p.custom_purposes_li_transparency.bits(), n);
        out.push('.');
        finish(w, &mut out);
    }
    out
}

/// Characters the optional segments may take, as bit fields.
fn segments_room(tc: &TcString) -> usize {
    let set =
        |s: &Option<super::VendorSet>| s.as_ref().map_or(0, |s| usize::from(s.max_id()) / 6 + 8);
    set(&tc.disclosed_vendors)
        + set(&tc.allowed_vendors)
        + tc.publisher_tc.as_ref().map_or(0, |_| 40)
}

/// Writes `bits` flags, id 1 first.
fn write_flags(w: &mut BitWriter, set: u64, bits: u32) {
    if bits > 0 {
        w.write_u64(set.reverse_bits() >> (64 - bits), bits);
    }
}

fn finish(mut w: BitWriter, out: &mut String) {
    w.pad_to(PAD_BITS);
    encode_base64url_into(w.as_bytes(), out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::tcf::SpecialFeatureSet;

    #[test]
    fn flags_read_id_one_first() {
        let bytes = [0b1000_0000, 0b0001_0000];
        let mut r = BitReader::new("t", &bytes);
        let s: SpecialFeatureSet = flags(&mut r, 12, "f").unwrap();
        assert_eq!(s.iter().collect::<Vec<_>>(), [1, 12]);
        let mut w = BitWriter::new();
        write_flags(&mut w, s.bits(), 12);
        assert_eq!(w.as_bytes(), &bytes);
    }
}
