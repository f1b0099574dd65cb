//! Arbitrary bytes as a US Privacy string: decoding never panics; whatever
//! decodes is four characters and encodes back to the same text.

#![no_main]

use consentry::codec::usp::UsPrivacy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match UsPrivacy::decode(text) {
        Ok(usp) => assert_eq!(usp.encode(), text),
        Err(e) => assert!(e.offset <= 24, "{e}"),
    }
});
