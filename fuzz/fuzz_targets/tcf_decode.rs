//! Arbitrary text as a TCF TC string: decoding never panics; a string that
//! decodes re-encodes to the canonical form, which decodes to the same
//! value and re-encodes to itself.

#![no_main]

use consentry::codec::tcf::TcString;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tc = match TcString::decode(text) {
        Ok(tc) => tc,
        Err(e) => {
            let message = e.to_string();
            assert!(!message.contains('\n'), "one-line error: {message}");
            assert!(
                e.offset <= text.len().saturating_mul(6).saturating_add(64),
                "offset within the input: {message}"
            );
            return;
        }
    };
    let canonical = tc.encode();
    let again = TcString::decode(&canonical).expect("the canonical form decodes");
    assert_eq!(again, tc, "decode(encode(x)) == x");
    assert_eq!(
        again.encode(),
        canonical,
        "the canonical form is a fixed point"
    );
});
