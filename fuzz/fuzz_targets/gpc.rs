//! Arbitrary bytes as `Sec-GPC` field values: reading never panics, and the
//! signal is set exactly when one value is `1` once spaces and tabs around it
//! are removed (W3C GPC §3.3).

#![no_main]

use consentry::codec::gpc::Gpc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let values: Vec<&[u8]> = data.split(|b| *b == b'\n').collect();
    let expected = values.iter().any(|v| {
        let start = v.iter().position(|b| *b != b' ' && *b != b'\t');
        let end = v.iter().rposition(|b| *b != b' ' && *b != b'\t');
        matches!((start, end), (Some(s), Some(e)) if v.get(s..=e) == Some(b"1".as_slice()))
    });
    assert_eq!(Gpc::from_header_values(&values).is_set(), expected);
});
