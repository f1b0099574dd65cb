//! Arbitrary bytes as a Consent Mode update: reading never panics; whatever
//! reads writes back to JSON that reads back equal.

#![no_main]

use consentry::codec::consent_mode::ConsentMode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(mode) = ConsentMode::from_json(text) {
        let json = mode.to_json();
        assert_eq!(ConsentMode::from_json(&json).ok(), Some(mode));
    }
});
