//! The TCF v2.2 TC string codec against public test vectors (the IAB's
//! iabtcf-java and iabtcf-es test suites, LiveRamp's iabconsent fixtures, the
//! lib_tcstring crate's tests;
//! sources in `tests/data/tcf/README.md`), canonical re-encoding, random
//! round trips, and malformed input.

use consentry::codec::tcf::{
    CustomPurposeSet, IdFlags, PublisherRestriction, PublisherTc, RestrictionType, TcString,
    VendorRanges, VendorSet,
};
use consentry::codec::{DecodeError, DecodeProblem};
use proptest::prelude::*;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const VECTORS: &str = include_str!("data/tcf/vectors.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).unwrap()
}

fn ids(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

fn flags<const N: u8>(s: IdFlags<N>) -> Vec<u64> {
    s.iter().map(u64::from).collect()
}

fn vendors(s: &VendorSet) -> Vec<u64> {
    s.iter().map(u64::from).collect()
}

fn range_ids(r: &VendorRanges) -> Vec<u64> {
    r.ranges()
        .iter()
        .flat_map(|&(s, e)| u64::from(s)..=u64::from(e))
        .collect()
}

fn time(v: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().unwrap(), &Rfc3339).unwrap()
}

/// Checks every expected field the vector names; returns how many.
#[track_caller]
fn check(tc: &TcString, v: &Value) -> usize {
    let what = v["source"].as_str().unwrap();
    let mut checked = 0;
    let pt = tc.publisher_tc();
    for (key, want) in v.as_object().unwrap() {
        let u = || want.as_u64().unwrap();
        let b = || want.as_bool().unwrap();
        match key.as_str() {
            "source" | "string" => continue,
            "version" => assert_eq!(u64::from(tc.version()), u(), "{what}"),
            "created" => assert_eq!(tc.created(), time(want), "{what}"),
            "last_updated" => assert_eq!(tc.last_updated(), time(want), "{what}"),
            "cmp_id" => assert_eq!(u64::from(tc.cmp_id()), u(), "{what}"),
            "cmp_version" => assert_eq!(u64::from(tc.cmp_version()), u(), "{what}"),
            "consent_screen" => assert_eq!(u64::from(tc.consent_screen()), u(), "{what}"),
            "vendor_list_version" => {
                assert_eq!(u64::from(tc.vendor_list_version()), u(), "{what}");
            }
            "policy_version" => assert_eq!(u64::from(tc.policy_version()), u(), "{what}"),
            "consent_language" => assert_eq!(tc.consent_language(), want, "{what}"),
            "publisher_cc" => assert_eq!(tc.publisher_cc(), want, "{what}"),
            "is_service_specific" => assert_eq!(tc.is_service_specific(), b(), "{what}"),
            "use_non_standard_texts" => assert_eq!(tc.use_non_standard_texts(), b(), "{what}"),
            "purpose_one_treatment" => assert_eq!(tc.purpose_one_treatment(), b(), "{what}"),
            "special_feature_optins" => {
                assert_eq!(flags(tc.special_feature_optins()), ids(want), "{what}");
            }
            "purposes_consent" => assert_eq!(flags(tc.purposes_consent()), ids(want), "{what}"),
            "purposes_consent_includes" => {
                for id in ids(want) {
                    assert!(tc.purposes_consent().contains(id as u8), "{what}");
                }
            }
            "purposes_li_transparency" => {
                assert_eq!(flags(tc.purposes_li_transparency()), ids(want), "{what}");
            }
            "vendor_consents" => assert_eq!(vendors(tc.vendor_consents()), ids(want), "{what}"),
            "vendor_legitimate_interests" => {
                assert_eq!(
                    vendors(tc.vendor_legitimate_interests()),
                    ids(want),
                    "{what}"
                );
            }
            "disclosed_vendors" | "allowed_vendors" => {
                let got = if key == "disclosed_vendors" {
                    tc.disclosed_vendors()
                } else {
                    tc.allowed_vendors()
                };
                match want {
                    Value::Null => assert!(got.is_none(), "{what}: {key}"),
                    _ => assert_eq!(vendors(got.as_ref().unwrap()), ids(want), "{what}"),
                }
            }
            "publisher_restrictions" => {
                let got: Vec<(u64, u64, Vec<u64>)> = tc
                    .publisher_restrictions()
                    .iter()
                    .map(|r| {
                        (
                            u64::from(r.purpose()),
                            r.kind() as u64,
                            range_ids(r.vendors()),
                        )
                    })
                    .collect();
                let want: Vec<(u64, u64, Vec<u64>)> = want
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        (
                            r["purpose"].as_u64().unwrap(),
                            r["type"].as_u64().unwrap(),
                            ids(&r["vendors"]),
                        )
                    })
                    .collect();
                assert_eq!(got, want, "{what}");
            }
            "restriction_1_1_vendors" => {
                let mut got: Vec<u64> = tc
                    .publisher_restrictions()
                    .iter()
                    .filter(|r| r.purpose() == 1 && r.kind() == RestrictionType::RequireConsent)
                    .flat_map(|r| range_ids(r.vendors()))
                    .collect();
                got.sort_unstable();
                got.dedup();
                assert_eq!(got, ids(want), "{what}");
            }
            "pub_purposes_consent_count" => {
                assert_eq!(
                    pt.as_ref().unwrap().purposes_consent().iter().count() as u64,
                    u(),
                    "{what}"
                );
            }
            "pub_purposes_consent" => {
                assert_eq!(
                    flags(pt.as_ref().unwrap().purposes_consent()),
                    ids(want),
                    "{what}"
                );
            }
            "pub_purposes_li_transparency" => assert_eq!(
                flags(pt.as_ref().unwrap().purposes_li_transparency()),
                ids(want),
                "{what}"
            ),
            "custom_purposes_consent" => assert_eq!(
                flags(pt.as_ref().unwrap().custom_purposes_consent()),
                ids(want),
                "{what}"
            ),
            "custom_purposes_li_transparency" => assert_eq!(
                flags(pt.as_ref().unwrap().custom_purposes_li_transparency()),
                ids(want),
                "{what}"
            ),
            other => panic!("{what}: unknown expectation `{other}`"),
        }
        checked += 1;
    }
    checked
}

#[test]
fn public_vectors_decode_to_their_sources_expected_fields() {
    let v = vectors();
    let valid = v["valid"].as_array().unwrap();
    assert_eq!(valid.len(), 28);
    let mut fields = 0;
    for vector in valid {
        let text = vector["string"].as_str().unwrap();
        let tc = TcString::decode(text).unwrap_or_else(|e| panic!("{}: {e}", vector["source"]));
        fields += check(&tc, vector);
    }
    assert_eq!(fields, 386, "every expected field is checked");
}

#[test]
fn public_vectors_re_encode_to_the_same_consent_and_canonical_is_a_fixed_point() {
    for vector in vectors()["valid"].as_array().unwrap() {
        let text = vector["string"].as_str().unwrap();
        let tc = TcString::decode(text).unwrap();
        let canonical = tc.encode();
        let again = TcString::decode(&canonical).unwrap();
        assert_eq!(again, tc, "{text}");
        check(&again, vector);
        assert_eq!(again.encode(), canonical, "{text}");
    }
}

#[test]
fn strings_already_in_canonical_form_re_encode_identically() {
    // Written by iabtcf-es / the iabtcf.com encoder (24-bit padding, the
    // shorter vendor form): the canonical form is theirs.
    for text in [
        "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA",
        "COwxsONOwxsONKpAAAENAdCAAMAAAAAAAAAAAAAAAAAA",
        "COvzTO5OvzTO5B7ABCENAPEYAIAAAIAAAIqIAAoAAoAA.IAAo.QAAo",
    ] {
        assert_eq!(TcString::decode(text).unwrap().encode(), text);
    }
}

#[test]
fn non_canonical_inputs_and_their_canonical_forms() {
    // iabtcf-java pads segments to bytes, and `=` padding is accepted.
    let java = "COrEAV4OrXx94ACABBENAHCIAD-AAAAAAACAAxAAAAgAIAwgAgAAAAEAgQAAAAAEAYQAQAAAACAAAABAAA.IBAgAAAgAIAwgAgAAAAEAAAACA.QAagAQAgAIAwgA.cAAAAAAAITg=";
    let tc = TcString::decode(java).unwrap();
    assert_eq!(
        tc.encode(),
        "COrEAV4OrXx94ACABBENAHCIAD-AAAAAAACAAxAAAAgAIAwgAgAAAAEAgQAAAAAEAYQAQAAAACAAAABAAAAA.IBAgAAAgAIAwgAgAAAAEAAAACAAA.QAagAQAgAIAwgAAA.cAAAAAAAITgA"
    );
    // iabtcf-es counts a lone range entry as 16 bits: for vendors
    // {2, 37, 61} it chose the range form (12 + 3 * 17 = 63 bits) over the
    // 61-bit bit field; the canonical form takes the bit field.
    let es = "COvzTO5OvzTO5BRAAAENAPCoALIAADgAAAAAAewAwABAAlAB6ABBFADBQAQA9hAAAcAA";
    let tc_es = TcString::decode(es).unwrap();
    let canonical = tc_es.encode();
    assert_eq!(
        canonical,
        "COvzTO5OvzTO5BRAAAENAPCoALIAADgAAAAAAekAAAAAIAAAIAEEUAMFABAD2EAABwAA"
    );
    assert!(canonical.len() < es.len() || canonical.len() == es.len());
    assert_eq!(TcString::decode(&canonical).unwrap(), tc_es);
    // The same string with its segments in another order decodes the same.
    let reordered = "COrEAV4OrXx94ACABBENAHCIAD-AAAAAAACAAxAAAAgAIAwgAgAAAAEAgQAAAAAEAYQAQAAAACAAAABAAA.cAAAAAAAITg.QAagAQAgAIAwgA.IBAgAAAgAIAwgAgAAAAEAAAACA";
    assert_eq!(TcString::decode(reordered).unwrap(), tc);
}

#[test]
fn vendor_form_tie_rule_and_max_id() {
    // The range form takes 12 + 17 bits per lone id, the bit field
    // `MaxVendorId` bits. Four lone ids up to 80: 12 + 4 * 17 = 80, a tie,
    // which goes to the bit field.
    let mut tc = TcString::new();
    let set = VendorSet::from_ids([10, 30, 50, 80]).unwrap();
    *tc.vendor_consents_mut() = set.clone();
    let bits = tc.encode();
    assert_eq!(TcString::decode(&bits).unwrap().vendor_consents(), &set);
    assert!(!encoding_bit(&bits), "a tie goes to the bit field");
    // Three lone ids up to 80: 12 + 3 * 17 = 63 < 80, the range form.
    let fewer = VendorSet::from_ids([10, 50, 80]).unwrap();
    *tc.vendor_consents_mut() = fewer.clone();
    let ranges = tc.encode();
    assert_eq!(TcString::decode(&ranges).unwrap().vendor_consents(), &fewer);
    assert!(encoding_bit(&ranges), "the shorter range form");
}

/// The vendor consents' `IsRangeEncoding` bit (core bit 229).
fn encoding_bit(text: &str) -> bool {
    let core = text.split('.').next().unwrap();
    let bytes = consentry::codec::bits::decode_base64url("t", core).unwrap();
    let mut r = consentry::codec::bits::BitReader::new("t", &bytes);
    r.skip(229, "x").unwrap();
    r.read_bool("x").unwrap()
}

#[test]
fn segments_in_another_order_decode_and_re_encode_in_canonical_order() {
    // iabconsent's fixture (from the iabtcf.com encoder) puts the allowed
    // vendors (type 2, `Q`) before the disclosed ones (type 1, `I`).
    let text = "COvzTO5OvzTO5B7ABCENAPEYAIAAAIAAAIqIAAoAAoAA.QAAo.IAAo";
    let tc = TcString::decode(text).unwrap();
    assert_eq!(
        tc.encode(),
        "COvzTO5OvzTO5B7ABCENAPEYAIAAAIAAAIqIAAoAAoAA.IAAo.QAAo"
    );
}

#[test]
fn restriction_entries_may_repeat_or_overlap_and_are_merged() {
    // iabtcf-es issue 201: a restriction lists vendor 7 twice; the IAB's
    // library decodes it as valid, so this codec does too.
    let head = core_head();
    let empty = format!("{}0", u(0, 16));
    let single = |id| format!("0{}", u(id, 16));
    let range = |s, e| format!("1{}{}", u(s, 16), u(e, 16));
    let text = from_bits(&format!(
        "{head}{empty}{empty}{}{}{}{}{}{}{}{}",
        u(1, 12),
        u(1, 6),
        u(1, 2),
        u(4, 12),
        single(7),
        range(20, 30),
        single(7),
        range(5, 8),
    ));
    let tc = TcString::decode(&text).unwrap();
    let r = &tc.publisher_restrictions()[0];
    assert_eq!(r.vendors().ranges(), [(5, 8), (20, 30)]);
    // Re-encoded merged and ascending: canonical.
    let again = TcString::decode(&tc.encode()).unwrap();
    assert_eq!(again, tc);
    assert_eq!(again.encode(), tc.encode());
    // An end below its start is still refused there.
    let text = from_bits(&format!(
        "{head}{empty}{empty}{}{}{}{}{}",
        u(1, 12),
        u(1, 6),
        u(1, 2),
        u(1, 12),
        range(9, 8),
    ));
    fails(
        &text,
        "tcf core segment",
        "publisher restriction range end vendor id",
        213 + 17 + 17 + 12 + 20 + 17,
        DecodeProblem::EndBeforeStart { start: 9, end: 8 },
    );
}

#[test]
fn max_vendor_id_above_the_highest_id_is_read_and_normalised() {
    // The go fixture's core has vendor LI as a bit field of max id 720; its
    // canonical form keeps the ids and sets the max id to the highest one.
    let text = "COvzTO5OvzTO5BZAFMENAPCgAAAAAAAAAAwIFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACEAAAAAgAQBAAAAAAAGBAAgAAAAAAAFAAECAAAgAAQARAEQAAAAAJAAIAAgAAAYQEAAAQmAgBC3ZAYzUwLQIoghAAQhhARggACAIAAAAcQAAEAQAAAAgAQBAIAAEIAAAABAAgCAAAAAAAMCABAAAAAAAAKAAIEAABAAAgAiAIgAAAAASAAQABAAAAwgIAAAhMBACFuyAxmpgAA";
    let tc = TcString::decode(text).unwrap();
    assert_eq!(tc.vendor_consents().max_id(), 720);
    assert_eq!(TcString::decode(&tc.encode()).unwrap(), tc);
}

// ---- malformed input -------------------------------------------------

/// A core segment of `bits` (a string of 0 and 1), padded to 24 bits.
fn from_bits(bits: &str) -> String {
    let mut w = consentry::codec::bits::BitWriter::new();
    for c in bits.chars().filter(|c| !c.is_whitespace()) {
        w.write_bool(c == '1');
    }
    w.pad_to(24);
    consentry::codec::bits::encode_base64url(w.as_bytes())
}

/// The 213 bits of a core segment before the vendor consents: version 2,
/// all else 0 except letters `AA`.
fn core_head() -> String {
    let mut s = String::from("000010");
    s.push_str(&"0".repeat(213 - 6));
    s
}

fn u(value: u64, bits: usize) -> String {
    format!("{value:0bits$b}")
}

#[track_caller]
fn fails(
    text: &str,
    format: &str,
    field: &str,
    offset: usize,
    problem: DecodeProblem,
) -> DecodeError {
    let e = TcString::decode(text).unwrap_err();
    assert_eq!(
        (e.format, e.field, e.offset, &e.problem),
        (format, field, offset, &problem),
        "{text}: {e}"
    );
    e
}

#[test]
fn public_invalid_vectors_are_refused() {
    let v = vectors();
    let invalid = v["invalid"].as_array().unwrap();
    let got: Vec<String> = invalid
        .iter()
        .map(|x| {
            TcString::decode(x["string"].as_str().unwrap())
                .unwrap_err()
                .to_string()
        })
        .collect();
    let want: Vec<&str> = invalid
        .iter()
        .map(|x| x["error"].as_str().unwrap())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn truncated_strings_name_the_field_and_offset() {
    let full = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA";
    // 22 characters: 128 bits, inside `vendor list version` (bits 120..132).
    let e = fails(
        &full[..22],
        "tcf core segment",
        "vendor list version",
        120,
        DecodeProblem::EndOfInput {
            needed: 12,
            left: 8,
        },
    );
    assert_eq!(
        e.to_string(),
        "tcf core segment, field `vendor list version`, bit 120: end of input (needs 12 bits, 8 left)"
    );
    // Every prefix fails (none is read as partial consent), up to the
    // 36 characters that hold every core field.
    for n in 0..36 {
        assert!(TcString::decode(&full[..n]).is_err(), "prefix {n}");
    }
    fails(
        "",
        "tcf core segment",
        "base64url text",
        0,
        DecodeProblem::Empty,
    );
    fails(
        &format!("{full}."),
        "tcf segment",
        "base64url text",
        0,
        DecodeProblem::Empty,
    );
}

#[test]
fn bad_characters_name_their_position() {
    let e = fails(
        "COtybn4PA_zT4KjACBENAPCI+EBAAECAAIAAAAAAAAAA",
        "tcf core segment",
        "base64url text",
        144,
        DecodeProblem::BadBase64Char {
            index: 24,
            found: '+',
        },
    );
    assert!(
        e.to_string()
            .contains("invalid base64url character `+` at character 24")
    );
    fails(
        "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA.IF é",
        "tcf segment",
        "base64url text",
        12,
        DecodeProblem::BadBase64Char {
            index: 2,
            found: ' ',
        },
    );
    fails(
        " COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA",
        "tcf core segment",
        "base64url text",
        0,
        DecodeProblem::BadBase64Char {
            index: 0,
            found: ' ',
        },
    );
    fails(
        "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAAA",
        "tcf core segment",
        "base64url text",
        270,
        DecodeProblem::BadBase64Length { len: 45 },
    );
}

#[test]
fn wrong_versions_are_refused() {
    for (version, text) in [
        (1, "BONMj34ONMj34ABACDENALqAAAAAplY"),
        (3, "DOtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA"),
    ] {
        fails(
            text,
            "tcf core segment",
            "version",
            0,
            DecodeProblem::UnsupportedVersion {
                found: version,
                supported: "2",
            },
        );
    }
}

#[test]
fn range_entries_out_of_order_or_reversed_are_refused() {
    let head = core_head();
    // Max id 100, range form, 2 entries: 50, then 40.
    let entries = |e: &str| {
        from_bits(&format!(
            "{head}{}1{}{e}{}0{}",
            u(100, 16),
            u(2, 12),
            u(0, 16),
            u(0, 12)
        ))
    };
    let single = |id| format!("0{}", u(id, 16));
    let range = |s, e| format!("1{}{}", u(s, 16), u(e, 16));
    let first = 213 + 17 + 12;
    fails(
        &entries(&format!("{}{}", single(50), single(40))),
        "tcf core segment",
        "vendor consents range start vendor id",
        first + 17 + 1,
        DecodeProblem::NotAscending {
            previous: 50,
            found: 40,
        },
    );
    fails(
        &entries(&format!("{}{}", range(10, 20), single(20))),
        "tcf core segment",
        "vendor consents range start vendor id",
        first + 33 + 1,
        DecodeProblem::NotAscending {
            previous: 20,
            found: 20,
        },
    );
    fails(
        &entries(&format!("{}{}", range(30, 20), single(90))),
        "tcf core segment",
        "vendor consents range end vendor id",
        first + 17,
        DecodeProblem::EndBeforeStart { start: 30, end: 20 },
    );
    fails(
        &entries(&format!("{}{}", single(0), single(90))),
        "tcf core segment",
        "vendor consents range start vendor id",
        first + 1,
        DecodeProblem::OutOfRange {
            value: 0,
            expected: "1..=max vendor id",
        },
    );
    fails(
        &entries(&format!("{}{}", single(5), range(90, 101))),
        "tcf core segment",
        "vendor consents range end vendor id",
        first + 17 + 17,
        DecodeProblem::OutOfRange {
            value: 101,
            expected: "1..=max vendor id",
        },
    );
    // Adjacent entries are valid (not canonical: re-encoded merged).
    let ok = TcString::decode(&entries(&format!("{}{}", range(10, 20), single(21)))).unwrap();
    assert_eq!(ok.vendor_consents(), &VendorSet::from_ids(10..=21).unwrap());
}

/// Range entries are read whole while 33 bits are left and field by field
/// near the end of the segment: both read the same entries, and an entry
/// cut by the end of the input names the field it was cut in.
#[test]
fn range_entries_near_the_end_of_the_input_read_field_by_field() {
    let head = core_head();
    let single = |id| format!("0{}", u(id, 16));
    // Vendor consents: one entry (5); vendor LI: two entries from bit 288.
    let consents = format!("{}1{}{}", u(100, 16), u(1, 12), single(5));
    let li_head = format!("{}1{}", u(100, 16), u(2, 12));
    // LI 7 and 9 end at bit 322; the restriction count fills up to 334 of
    // the 336 bits the padding to 24 gives: the second entry starts with 31
    // bits left.
    let text = from_bits(&format!(
        "{head}{consents}{li_head}{}{}{}",
        single(7),
        single(9),
        u(0, 12)
    ));
    let tc = TcString::decode(&text).unwrap();
    assert_eq!(tc.vendor_consents(), &VendorSet::from_ids([5]).unwrap());
    assert_eq!(
        tc.vendor_legitimate_interests(),
        &VendorSet::from_ids([7, 9]).unwrap()
    );
    // The second LI entry a range whose end is cut: 14 bits are left of
    // the 16 it needs.
    let cut = from_bits(&format!(
        "{head}{consents}{li_head}{}1{}",
        single(7),
        u(20, 16)
    ));
    fails(
        &cut,
        "tcf core segment",
        "vendor legitimate interests range end vendor id",
        322,
        DecodeProblem::EndOfInput {
            needed: 16,
            left: 14,
        },
    );
}

#[test]
fn absurd_lengths_fail_before_allocating() {
    let head = core_head();
    // A bit field of 65,535 vendors in a string of 40 bytes.
    let text = from_bits(&format!("{head}{}0", u(65535, 16)));
    fails(
        &text,
        "tcf core segment",
        "vendor consents bit field",
        230,
        DecodeProblem::EndOfInput {
            needed: 65535,
            left: 10,
        },
    );
    // 4,095 range entries announced, none present.
    let text = from_bits(&format!("{head}{}1{}", u(65535, 16), u(4095, 12)));
    let e = TcString::decode(&text).unwrap_err();
    assert!(e.field.starts_with("vendor consents range"), "{e}");
    assert!(e.offset <= text.len() * 6, "{e}");
    // 4,095 publisher restrictions announced, none present.
    let empty = format!("{}0", u(0, 16));
    let text = from_bits(&format!("{head}{empty}{empty}{}", u(4095, 12)));
    let e = TcString::decode(&text).unwrap_err();
    assert_eq!(e.field, "publisher restriction purpose id");
    assert_eq!(e.offset, 213 + 17 + 17 + 12);
}

#[test]
fn bad_codes_types_and_segments_are_refused() {
    // Consent language letter 26 (past `Z`), bits 108..120.
    let mut bits = core_head();
    bits.replace_range(108..114, &u(26, 6));
    let tail = format!("{}0{}0{}", u(0, 16), u(0, 16), u(0, 12));
    fails(
        &from_bits(&format!("{bits}{tail}")),
        "tcf core segment",
        "consent language",
        108,
        DecodeProblem::OutOfRange {
            value: 26,
            expected: "0..=25 (A to Z)",
        },
    );
    // Restriction type 3 and purpose 0.
    let head = core_head();
    let empty = format!("{}0", u(0, 16));
    let restriction = |purpose, kind| {
        from_bits(&format!(
            "{head}{empty}{empty}{}{}{}{}",
            u(1, 12),
            u(purpose, 6),
            u(kind, 2),
            u(0, 12)
        ))
    };
    let at = 213 + 17 + 17 + 12;
    fails(
        &restriction(1, 3),
        "tcf core segment",
        "publisher restriction type",
        at + 6,
        DecodeProblem::OutOfRange {
            value: 3,
            expected: "0..=2",
        },
    );
    fails(
        &restriction(0, 1),
        "tcf core segment",
        "publisher restriction purpose id",
        at,
        DecodeProblem::OutOfRange {
            value: 0,
            expected: "1..=63",
        },
    );
    assert!(TcString::decode(&restriction(1, 2)).is_ok());
    // A repeated segment, and an unknown segment type.
    let core = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA";
    for (extra, segment_type) in [(".IAAA.IAAA", 1), (".4AAA", 7)] {
        fails(
            &format!("{core}{extra}"),
            "tcf segment",
            "segment type",
            0,
            DecodeProblem::UnexpectedSegment { segment_type },
        );
    }
}

#[test]
fn errors_are_send_sync_and_one_line() {
    fn check<T: Send + Sync + std::error::Error + 'static>() {}
    check::<DecodeError>();
    check::<consentry::codec::tcf::ValueError>();
    let e = TcString::decode("COtybn4PA_zT4Kj").unwrap_err();
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn setters_refuse_values_the_string_cannot_hold() {
    let mut tc = TcString::new();
    assert_eq!(
        tc.set_cmp_id(4096).unwrap_err().to_string(),
        "tcf CmpId: `4096` is out of range (expected 0..=4095)"
    );
    assert!(tc.set_consent_screen(64).is_err());
    assert!(tc.set_policy_version(64).is_err());
    assert!(tc.set_created_deciseconds(1 << 36).is_err());
    assert!(
        tc.set_created(OffsetDateTime::UNIX_EPOCH - time::Duration::SECOND)
            .is_err()
    );
    assert_eq!(
        tc.set_consent_language("eng").unwrap_err().to_string(),
        "tcf ConsentLanguage: `eng` is out of range (expected two ASCII letters)"
    );
    tc.set_consent_language("de").unwrap();
    assert_eq!(tc.consent_language(), "DE");
    let at = time::macros::datetime!(2024-05-01 12:34:56.789 UTC);
    tc.set_last_updated(at).unwrap();
    assert_eq!(
        tc.last_updated(),
        time::macros::datetime!(2024-05-01 12:34:56.7 UTC)
    );
    assert_eq!(
        tc,
        TcString::new().clone_with(|t| {
            t.set_consent_language("DE").unwrap();
            t.set_last_updated(at).unwrap();
        })
    );
    assert!(tc.set_cmp_id(4095).is_ok());
    assert_eq!(tc, TcString::decode(&tc.encode()).unwrap());
}

trait CloneWith {
    fn clone_with(self, f: impl FnOnce(&mut Self)) -> Self;
}

impl CloneWith for TcString {
    fn clone_with(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

// ---- random round trips ----------------------------------------------

fn flag_set<const N: u8>() -> impl Strategy<Value = IdFlags<N>> {
    any::<u64>().prop_map(|b| IdFlags::<N>::from_bits(b & (u64::MAX >> (64 - N))).unwrap())
}

/// Vendor sets of every shape: empty, sparse (range form), dense (bit field),
/// runs, and ids near the top of the 16-bit space.
fn vendor_set() -> impl Strategy<Value = VendorSet> {
    let ids = prop_oneof![
        prop::collection::vec(1u16..=800, 0..60),
        prop::collection::vec(1u16..=u16::MAX, 0..8),
        (1u16..=700, 0u16..300).prop_map(|(s, n)| (s..=s + n).collect()),
        prop::collection::vec(1u16..=120, 0..120),
    ];
    ids.prop_map(|ids| VendorSet::from_ids(ids).unwrap())
}

fn vendor_ranges() -> impl Strategy<Value = VendorRanges> {
    prop::collection::vec((1u16..=2000, 0u16..20), 0..6).prop_map(|rs| {
        let mut r = VendorRanges::new();
        for (s, n) in rs {
            r.insert_range(s, s.saturating_add(n)).unwrap();
        }
        r
    })
}

fn restriction() -> impl Strategy<Value = PublisherRestriction> {
    (1u8..=63, 0u8..3, vendor_ranges()).prop_map(|(p, k, v)| {
        let kind = match k {
            0 => RestrictionType::NotAllowed,
            1 => RestrictionType::RequireConsent,
            _ => RestrictionType::RequireLegitimateInterest,
        };
        PublisherRestriction::new(p, kind, v).unwrap()
    })
}

fn publisher_tc() -> impl Strategy<Value = PublisherTc> {
    (
        flag_set::<24>(),
        flag_set::<24>(),
        0u8..=63,
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(|(c, li, n, cc, cli)| {
            let mut p = PublisherTc::default();
            *p.purposes_consent_mut() = c;
            *p.purposes_li_transparency_mut() = li;
            let mask = if n == 0 { 0 } else { u64::MAX >> (64 - n) };
            let cc = CustomPurposeSet::from_bits(cc & mask).unwrap();
            let cli = CustomPurposeSet::from_bits(cli & mask).unwrap();
            p.set_custom_purposes(n, cc, cli).unwrap();
            p
        })
}

fn letters() -> impl Strategy<Value = String> {
    "[A-Z]{2}"
}

prop_compose! {
    fn tc_string()(
        times in (0u64..1 << 36, 0u64..1 << 36),
        ints in (0u16..4096, 0u16..4096, 0u8..64, 0u16..4096, 0u8..64),
        langs in (letters(), letters()),
        bools in any::<(bool, bool, bool)>(),
        purposes in (flag_set::<12>(), flag_set::<24>(), flag_set::<24>()),
        sets in (vendor_set(), vendor_set()),
        restrictions in prop::collection::vec(restriction(), 0..4),
        optional in (
            prop::option::of(vendor_set()),
            prop::option::of(vendor_set()),
            prop::option::of(publisher_tc()),
        ),
    ) -> TcString {
        let mut tc = TcString::new();
        tc.set_created_deciseconds(times.0).unwrap();
        tc.set_last_updated_deciseconds(times.1).unwrap();
        tc.set_cmp_id(ints.0).unwrap();
        tc.set_cmp_version(ints.1).unwrap();
        tc.set_consent_screen(ints.2).unwrap();
        tc.set_vendor_list_version(ints.3).unwrap();
        tc.set_policy_version(ints.4).unwrap();
        tc.set_consent_language(&langs.0).unwrap();
        tc.set_publisher_cc(&langs.1).unwrap();
        tc.set_is_service_specific(bools.0);
        tc.set_use_non_standard_texts(bools.1);
        tc.set_purpose_one_treatment(bools.2);
        *tc.special_feature_optins_mut() = purposes.0;
        *tc.purposes_consent_mut() = purposes.1;
        *tc.purposes_li_transparency_mut() = purposes.2;
        *tc.vendor_consents_mut() = sets.0;
        *tc.vendor_legitimate_interests_mut() = sets.1;
        for r in restrictions {
            tc.push_publisher_restriction(r).unwrap();
        }
        *tc.disclosed_vendors_mut() = optional.0;
        *tc.allowed_vendors_mut() = optional.1;
        *tc.publisher_tc_mut() = optional.2;
        tc
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Encoding then decoding gives the value back, and the encoding is a
    /// fixed point (canonical).
    #[test]
    fn encode_then_decode_is_identity(tc in tc_string()) {
        let text = tc.encode();
        let back = TcString::decode(&text);
        prop_assert_eq!(back.as_ref(), Ok(&tc));
        prop_assert_eq!(back.unwrap().encode(), text.clone());
        prop_assert_eq!(text.parse::<TcString>(), Ok(tc.clone()));
        prop_assert_eq!(tc.to_string(), text);
    }

    /// Any text decodes or fails without panicking; what decodes
    /// re-encodes to a string that decodes to the same value.
    #[test]
    fn arbitrary_text_never_panics(text in "[A-Za-z0-9_.=+-]{0,80}") {
        if let Ok(tc) = TcString::decode(&text) {
            prop_assert_eq!(TcString::decode(&tc.encode()), Ok(tc));
        }
    }

    /// Flipping one character of a valid string never panics.
    #[test]
    fn mutated_vectors_never_panic(i in 0usize..400, c in "[A-Za-z0-9_.-]") {
        let text = "COvzTO5OvzTO5BRAAAENAPCoALIAADgAAAAAAewAwABAAlAB6ABBFADBQAQA9hAAAcAA.IFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACEAAAAAgAQBAAAAAAAGBAAgAAAAAAAFAAECAAAgAAQARAEQAAAAAJAAIAAgAAAYQEAAAQmAgBC3ZAYzUw.QE5QAwCvgHyATkA";
        let i = i % text.len();
        let mutated = format!("{}{c}{}", &text[..i], &text[i + 1..]);
        if let Ok(tc) = TcString::decode(&mutated) {
            prop_assert_eq!(TcString::decode(&tc.encode()), Ok(tc));
        }
    }
}
