//! Unit tests of the error messages.
use super::*;

#[track_caller]
fn shows(input: &str, expected: &str) {
    assert_eq!(shown(input), expected, "{input:?}");
    // What `shown` made passes `Shown` unchanged.
    assert_eq!(Shown(&shown(input)).to_string(), expected, "{input:?}");
}

#[test]
fn user_input_is_escaped_and_cut_when_the_error_is_built() {
    let a80 = "a".repeat(80);
    shows("user-1", "user-1");
    shows("", "");
    shows("a\nb\r\u{1b}[2J\u{7f}", "a\\nb\\r\\u{1b}[2J\\u{7f}");
    shows(
        "\u{61c}\u{85}\u{2028}\u{2029}\u{202e}\u{2066}",
        "\\u{61c}\\u{85}\\u{2028}\\u{2029}\\u{202e}\\u{2066}",
    );
    shows("é ✓ 𝄞 `quoted`", "é ✓ 𝄞 `quoted`");
    shows(&a80, &a80);
    shows(&format!("{a80}b"), &format!("{a80}... (81 bytes)"));
    // A character or escape that would cross the budget is left out whole.
    shows(
        &format!("{}é", "a".repeat(79)),
        &format!("{}... (81 bytes)", "a".repeat(79)),
    );
    shows(
        &format!("{}\n", "a".repeat(79)),
        &format!("{}... (80 bytes)", "a".repeat(79)),
    );
    shows(
        &"b".repeat(10 << 20),
        &format!("{}... (10485760 bytes)", "b".repeat(80)),
    );
}

#[test]
fn quoted_input_gives_its_length_after_the_quote() {
    let cut = shown(&"a".repeat(100));
    assert_eq!(
        Quoted(&cut).to_string(),
        format!("`{}...` (100 bytes)", "a".repeat(80))
    );
    assert_eq!(Quoted("ana").to_string(), "`ana`");
    assert_eq!(Quoted("a... (x bytes)").to_string(), "`a... (x bytes)`");
    assert_eq!(quoted("a\nb"), "`a\\nb`");
    // An error built by hand is bounded in Display all the same.
    let e = Error::UnknownPurpose("p".repeat(1000));
    assert_eq!(
        e.to_string(),
        format!(
            "purpose `{}...` (1000 bytes) is not declared",
            "p".repeat(128)
        )
    );
}

#[test]
fn json_errors_keep_position_and_category_and_a_cut_message() {
    let e = serde_json::from_str::<u8>("[1,\n 2").unwrap_err();
    let err = Error::json("test", &e);
    assert_eq!(
        err,
        Error::Json {
            what: "test",
            category: JsonCategory::Data,
            line: 1,
            column: 0,
            message: "invalid type: sequence, expected u8".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        "invalid test JSON: invalid type: sequence, expected u8 at line 1 column 0"
    );
    // A message longer than the budget: cut, with its length less the
    // position serde_json appends.
    let text = "k".repeat(1000);
    let e = serde_json::from_str::<u8>(&format!("\"{text}\"")).unwrap_err();
    let Error::Json { message, line, .. } = Error::json("test", &e) else {
        panic!("not a JSON error");
    };
    assert_eq!(line, 1);
    let full = e.to_string();
    let without_position = full.rsplit_once(" at line").unwrap().0;
    assert!(
        message.ends_with(&format!("... ({} bytes)", without_position.len())),
        "{message}"
    );
    assert!(message.len() <= MESSAGE_BUDGET + 40, "{message}");
}
