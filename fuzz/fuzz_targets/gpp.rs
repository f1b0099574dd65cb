//! Arbitrary bytes as a GPP string: decoding never panics; whatever decodes
//! encodes back to the same text and decodes again to the same value; an
//! error names a field and a bit offset inside the text.

#![no_main]

use consentry::codec::gpp::GppString;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match GppString::decode(text) {
        Ok(gpp) => {
            let encoded = gpp.encode();
            assert_eq!(encoded, text, "a decoded GPP string re-encodes exactly");
            assert_eq!(GppString::decode(&encoded).ok(), Some(gpp));
        }
        Err(e) => {
            assert!(!e.field.is_empty());
            assert!(e.offset <= text.len().saturating_mul(8), "{e}");
            assert!(!e.to_string().contains('\n'), "{e}");
        }
    }
});
