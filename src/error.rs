//! The one public error type.

use std::fmt;

/// Everything that can go wrong when declaring a catalog, recording a change,
/// applying an event or loading a snapshot.
///
/// Checks never fail: only changes and loading return this error. A call that
/// returns an error has changed nothing. Messages are one lowercase line with
/// user input in backticks, and name the offending item.
///
/// Errors are safe to log: user input in them has its control characters
/// (and line separators and bidirectional overrides) escaped, and is cut
/// after 80 bytes with `...` and its length (``aaaa... (10485760 bytes)``),
/// when the error is built. A message is one line of at most about 512
/// bytes, and `Debug` is bounded too, however large the input.
///
/// Details a program may act on are fields, not prose: match on the
/// variant and read them (e.g. [`Error::NoticeOutdated`] carries the
/// version given and the minimum accepted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A purpose, category or subject name is malformed.
    #[error("invalid {kind} {}: {problem}", Quoted(name))]
    InvalidName {
        /// What the name was for.
        kind: NameKind,
        /// The name as given.
        name: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A category was declared twice.
    #[error("category {} is declared twice", Quoted(.0))]
    DuplicateCategory(String),
    /// A purpose was declared twice.
    #[error("purpose {} is declared twice", Quoted(.0))]
    DuplicatePurpose(String),
    /// A dotted category name whose parent was not declared.
    #[error(
        "category {} needs its parent {} declared first",
        Quoted(category),
        Quoted(parent)
    )]
    MissingParent {
        /// The category declared.
        category: String,
        /// The parent it needs.
        parent: String,
    },
    /// More categories than a catalog can hold.
    #[error("{declared} categories declared; a catalog holds at most {capacity}")]
    TooManyCategories {
        /// The number declared.
        declared: usize,
        /// The capacity, [`crate::CATEGORY_CAPACITY`].
        capacity: usize,
    },
    /// A purpose, or a record for it, is invalid; `problem` says why.
    #[error("purpose {}: {}", Quoted(purpose), Prose(problem))]
    InvalidPurpose {
        /// The purpose.
        purpose: String,
        /// What is wrong.
        problem: String,
    },
    /// A legal basis name that is not one of [`crate::LegalBasis::ALL`].
    #[error("unknown legal basis {}", Quoted(.0))]
    UnknownBasis(String),
    /// A collection method name that is not one of
    /// [`crate::CollectionMethod::ALL`].
    #[error("unknown collection method {} (expected one of: {})", Quoted(.0), crate::model::evidence::METHOD_NAMES)]
    UnknownMethod(String),
    /// A purpose name that the catalog does not declare.
    #[error("purpose {} is not declared", Quoted(.0))]
    UnknownPurpose(String),
    /// A category name that the catalog does not declare.
    #[error("category {} is not declared", Quoted(.0))]
    UnknownCategory(String),
    /// A category that the purpose may not use.
    #[error(
        "category {} is not among the categories of purpose {}",
        Quoted(category),
        Quoted(purpose)
    )]
    CategoryOutsidePurpose {
        /// The purpose.
        purpose: String,
        /// The category.
        category: String,
    },
    /// An expiry at or before the time the consent was given.
    #[error(
        "consent to purpose {} given at {} cannot expire at {}: the expiry must be later",
        Quoted(purpose),
        Shown(given_at),
        Shown(expires_at)
    )]
    ExpiryNotAfterGiven {
        /// The purpose.
        purpose: String,
        /// When it was given (RFC 3339).
        given_at: String,
        /// The expiry asked for (RFC 3339).
        expires_at: String,
    },
    /// Consent given or refused without saying which notice version the
    /// subject was shown ([`crate::Evidence::with_notice_version`]).
    #[error(
        "purpose {}: the evidence does not say which notice version was shown",
        Quoted(purpose)
    )]
    NoticeMissing {
        /// The purpose.
        purpose: String,
    },
    /// Consent given under a notice version below the purpose's minimum
    /// ([`crate::Purpose::min_notice_version`]): show the current notice and
    /// ask again.
    ///
    /// # Examples
    ///
    /// ```
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// let catalog = Catalog::builder()
    ///     .category("email")
    ///     .purpose(
    ///         PurposeDef::new("news", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["email"])
    ///             .notice_version(3)
    ///             .min_notice_version(2),
    ///     )
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let seen = Evidence::new(CollectionMethod::Banner).with_notice_version(1);
    /// let err = ledger.give(Grant::new("ann", "news", t, seen)).unwrap_err();
    /// assert!(matches!(
    ///     err,
    ///     Error::NoticeOutdated { given: 1, minimum: 2, current: 3, .. }
    /// ));
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[error(
        "purpose {}: notice version {given} is no longer accepted (minimum {minimum}); show the current notice (version {current})",
        Quoted(purpose)
    )]
    NoticeOutdated {
        /// The purpose.
        purpose: String,
        /// The version the evidence names.
        given: u32,
        /// The oldest version the purpose accepts.
        minimum: u32,
        /// The purpose's current version.
        current: u32,
    },
    /// A notice version above the purpose's current one
    /// ([`crate::Purpose::notice_version`]): the catalog never published it.
    #[error(
        "purpose {}: notice version {given} was never published (current version {current})",
        Quoted(purpose)
    )]
    NoticeNeverPublished {
        /// The purpose.
        purpose: String,
        /// The version the evidence names.
        given: u32,
        /// The purpose's current version.
        current: u32,
    },
    /// A purpose declared with a current notice version of 0, or a minimum
    /// outside 1 to the current version.
    #[error("purpose {}: {}", Quoted(purpose), NoticeRange(*current, *minimum))]
    InvalidNoticeVersions {
        /// The purpose.
        purpose: String,
        /// The current version declared.
        current: u32,
        /// The minimum accepted version declared (the current one when not
        /// declared).
        minimum: u32,
    },
    /// An objection to a purpose whose legal basis does not allow one.
    #[error(
        "cannot object to purpose {}: its legal basis is {basis}; objection applies to legitimate interest, public task and direct marketing purposes",
        Quoted(purpose)
    )]
    ObjectionNotApplicable {
        /// The purpose.
        purpose: String,
        /// Its legal basis.
        basis: crate::LegalBasis,
    },
    /// An instant outside the range the engine stores.
    #[error("time {} is out of range (supported: 1678-01-01 to 2261-12-31 UTC)", Quoted(.0))]
    TimeOutOfRange(String),
    /// Text that is not an RFC 3339 time.
    #[error("time {} is not RFC 3339: {}", Quoted(text), Prose(problem))]
    InvalidTime {
        /// The text read.
        text: String,
        /// What the parser said.
        problem: String,
    },
    /// A field of the evidence is invalid.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{CollectionMethod, Error, Evidence, EvidenceProblem};
    /// # use consentry::*;
    /// # use time::macros::datetime;
    /// # let catalog = Catalog::builder()
    /// #     .category("email")
    /// #     .purpose(
    /// #         PurposeDef::new("news", LegalBasis::Consent)
    /// #             .title("Newsletter")
    /// #             .description("A monthly e-mail.")
    /// #             .categories(["email"]),
    /// #     )
    /// #     .build()?;
    /// # let mut ledger = Ledger::new(catalog);
    /// # let t = datetime!(2026-03-01 10:00 UTC);
    /// let evidence = Evidence::new(CollectionMethod::Banner).with_channel(" ");
    /// let err = ledger.withdraw("ann", "news", t, evidence).unwrap_err();
    /// assert_eq!(
    ///     err,
    ///     Error::InvalidEvidence { field: "channel", problem: EvidenceProblem::Empty }
    /// );
    /// assert_eq!(err.to_string(), "evidence field `channel` is empty");
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[error("evidence field `{field}` {problem}")]
    InvalidEvidence {
        /// The field, as named in JSON (`channel`, `notice_version`...).
        field: &'static str,
        /// What is wrong.
        problem: EvidenceProblem,
    },
    /// A change for a subject erased at or after the change's time.
    #[error(
        "subject {} was erased at {}; a change at or before that time is discarded",
        Quoted(subject),
        Shown(erased_at)
    )]
    SubjectErased {
        /// The subject.
        subject: String,
        /// When it was erased (RFC 3339).
        erased_at: String,
    },
    /// An event whose id does not match its content.
    #[error(
        "event id {} does not match its content (expected {})",
        Quoted(found),
        Quoted(expected)
    )]
    EventIdMismatch {
        /// The id the event carries.
        found: String,
        /// The id its content hashes to.
        expected: String,
    },
    /// A snapshot record or mark is malformed; `problem` says how.
    #[error("invalid record: {}", Prose(problem))]
    InvalidRecord {
        /// What is wrong.
        problem: String,
    },
    /// An event is malformed; `problem` says how.
    #[error("invalid event: {}", Prose(problem))]
    InvalidEvent {
        /// What is wrong.
        problem: String,
    },
    /// A consent string that cannot be imported (it does not decode), or
    /// export options a consent string cannot hold; `problem` says which
    /// field and why.
    #[error("{format}: {}", Prose(problem))]
    InvalidSignal {
        /// What was read or written, e.g. `"TC string import"`.
        format: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A snapshot or event of a format version this crate does not read.
    #[error(
        "unsupported {what} format version {found} (this version of consentry reads versions 1 to {supported})"
    )]
    UnsupportedVersion {
        /// What was read.
        what: &'static str,
        /// The version found.
        found: u64,
        /// The latest version this crate reads (it reads every version from 1).
        supported: u32,
    },
    /// Text that is not valid JSON for what was expected.
    ///
    /// The parser's position and category are kept as fields; its message
    /// is kept cut and escaped (it can quote the input). The parser's own
    /// error is not kept as [`source`](std::error::Error::source): `Error`
    /// is `Clone`, `PartialEq` and `Eq` (so results can be compared and
    /// stored), which serde_json's error is not; every detail it gives is in
    /// these fields.
    #[error("invalid {what} JSON: {}{}", Prose(message), Position(*line, *column))]
    Json {
        /// What was being read.
        what: &'static str,
        /// The kind of problem.
        category: JsonCategory,
        /// The line of the problem, from 1; 0 when there is no position.
        line: usize,
        /// The column of the problem, from 1 (0 before the first character
        /// of a line, or when there is no position).
        column: usize,
        /// The parser's message without its position, cut and escaped.
        message: String,
    },
    /// An invalid part of a snapshot; `location` says where.
    #[error("snapshot {}: {error}", Prose(location))]
    Snapshot {
        /// Where in the snapshot, e.g. ``subjects[3] (`user-4`).records[0]``.
        location: String,
        /// What is wrong there.
        error: Box<Error>,
    },
    /// The same subject appears twice in a snapshot.
    #[error("subject {} appears twice", Quoted(.0))]
    DuplicateSubject(String),
    /// Two records for one subject and purpose in a snapshot.
    #[error(
        "subject {} has two records for purpose {}",
        Quoted(subject),
        Quoted(purpose)
    )]
    DuplicateRecord {
        /// The subject.
        subject: String,
        /// The purpose.
        purpose: String,
    },
    /// An input larger than the documented limit (see [`crate::limits`]).
    #[error("{what} is {found}, above the limit of {limit}")]
    LimitExceeded {
        /// What was too large.
        what: &'static str,
        /// The limit.
        limit: usize,
        /// The size found.
        found: usize,
    },
    /// A regime (its builder or its JSON) is invalid; `problem` names the
    /// kind of purpose or field at fault.
    #[error("regime {}: {}", Quoted(regime), Prose(problem))]
    InvalidRegime {
        /// The regime's code as given.
        regime: String,
        /// What is wrong.
        problem: String,
    },
    /// A jurisdiction code is not ISO 3166-1 alpha-2 with an optional
    /// ISO 3166-2 subdivision (`DE`, `US-CA`).
    #[error(
        "invalid jurisdiction {}: expected two letters and an optional `-` with one to three letters or digits (`DE`, `US-CA`)",
        Quoted(.0)
    )]
    InvalidJurisdiction(String),
    /// An age is out of range, or a birth date is in the future of the
    /// event that records it.
    #[error("invalid age: {}", Prose(.0))]
    InvalidAge(String),
}

/// What is wrong with a field of the evidence, for
/// [`Error::InvalidEvidence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EvidenceProblem {
    /// Set, but empty or only white space.
    Empty,
    /// Longer than the limit
    /// ([`MAX_EVIDENCE_LEN`](crate::limits::MAX_EVIDENCE_LEN)).
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Holds a control character.
    ControlCharacter,
    /// A notice version of 0 (versions start at 1).
    ZeroNoticeVersion,
    /// A parent or guardian gave consent, but how they were verified is
    /// not recorded.
    VerificationMissing,
    /// A verification method on a choice the subject made alone.
    VerificationWithoutParent,
}

impl fmt::Display for EvidenceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvidenceProblem::Empty => f.write_str("is empty"),
            EvidenceProblem::TooLong { len, limit } => {
                write!(f, "is {len} bytes long (limit {limit})")
            }
            EvidenceProblem::ControlCharacter => f.write_str("contains a control character"),
            EvidenceProblem::ZeroNoticeVersion => f.write_str("is 0; notice versions start at 1"),
            EvidenceProblem::VerificationMissing => f.write_str(
                "is missing: a parent's or guardian's consent names how they were verified",
            ),
            EvidenceProblem::VerificationWithoutParent => {
                f.write_str("is set, but no parent or guardian gave the consent")
            }
        }
    }
}

/// What a name identifies, for [`Error::InvalidName`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NameKind {
    /// A data category.
    Category,
    /// A purpose.
    Purpose,
    /// A subject id.
    Subject,
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameKind::Category => "category name",
            NameKind::Purpose => "purpose name",
            NameKind::Subject => "subject id",
        })
    }
}

/// The kind of problem behind an [`Error::Json`], as the JSON parser
/// classifies it.
///
/// # Examples
///
/// ```
/// use consentry::{Error, Event, JsonCategory};
///
/// let err = Event::from_json("{\"v\": 1,").unwrap_err();
/// assert!(matches!(err, Error::Json { category: JsonCategory::Eof, .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonCategory {
    /// Not syntactically valid JSON.
    Syntax,
    /// Valid JSON of the wrong shape: a missing, unknown or mistyped field,
    /// a value out of range, a list over its limit.
    Data,
    /// The input ended before the value did.
    Eof,
    /// A failure to read or write the bytes themselves.
    Io,
}

impl fmt::Display for JsonCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonCategory::Syntax => "syntax",
            JsonCategory::Data => "data",
            JsonCategory::Eof => "eof",
            JsonCategory::Io => "io",
        })
    }
}

impl Error {
    /// An [`Error::Json`] from serde_json's error, keeping its position and
    /// category and a cut, escaped copy of its message: the message can quote
    /// the input (an unknown key of 50 MB), so it is never copied whole.
    pub(crate) fn json(what: &'static str, e: &serde_json::Error) -> Error {
        use serde_json::error::Category;
        let category = match e.classify() {
            Category::Io => JsonCategory::Io,
            Category::Syntax => JsonCategory::Syntax,
            Category::Data => JsonCategory::Data,
            Category::Eof => JsonCategory::Eof,
        };
        let (line, column) = (e.line(), e.column());
        // serde_json's Display is its message, then " at line L column C"
        // when it has a position: read it through a bounded writer and leave
        // the position out.
        let suffix = Position(line, column).to_string().len();
        let mut cut = Cut::new(MESSAGE_BUDGET + suffix);
        let _ = fmt::write(&mut cut, format_args!("{e}"));
        let message = cut.finish_without(suffix);
        Error::Json {
            what,
            category,
            line,
            column,
            message,
        }
    }
}

/// Most bytes of one piece of user input (a name, an id, a time) that an
/// error keeps; longer input is cut, with an ellipsis and its length.
const SHOWN_BUDGET: usize = 80;
/// Most bytes of a problem description or parser message an error keeps.
const MESSAGE_BUDGET: usize = 240;

/// User input as an error keeps it: control characters (and line and
/// paragraph separators, bidirectional overrides) escaped, and cut after
/// 80 bytes with `...` and the original length, e.g.
/// ``aaaa... (10485760 bytes)``. Reads at most about 80 bytes of `s`
/// whatever its length, so an error built from a huge input costs nothing.
pub(crate) fn shown(s: &str) -> String {
    let mut cut = Cut::new(SHOWN_BUDGET);
    let _ = fmt::Write::write_str(&mut cut, s);
    cut.finish_without(0)
}

/// A problem description that may quote user input, bounded like
/// [`shown`] but with room for a sentence.
pub(crate) fn prose(s: &str) -> String {
    let mut cut = Cut::new(MESSAGE_BUDGET);
    let _ = fmt::Write::write_str(&mut cut, s);
    cut.finish_without(0)
}

/// Whether `c` must be escaped to keep a message one plain line.
fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// A `fmt::Write` that keeps an escaped prefix of what it is given, up to
/// a budget of output bytes, and only counts the rest.
struct Cut {
    out: String,
    budget: usize,
    /// Bytes of input given.
    seen: usize,
    /// Bytes of input kept (before escaping).
    kept: usize,
    cut: bool,
}

impl Cut {
    fn new(budget: usize) -> Cut {
        Cut {
            out: String::new(),
            budget,
            seen: 0,
            kept: 0,
            cut: false,
        }
    }

    /// The text kept, less the last `suffix` bytes of the input (an ASCII
    /// tail such as a position, which is never escaped), and the length of
    /// the input (less the suffix) if that was cut.
    fn finish_parts(mut self, suffix: usize) -> (String, Option<usize>) {
        let total = self.seen.saturating_sub(suffix);
        match self.kept.checked_sub(total) {
            Some(tail) => {
                let keep = self.out.len().saturating_sub(tail);
                if self.out.is_char_boundary(keep) {
                    self.out.truncate(keep);
                }
                (self.out, None)
            }
            None => (self.out, Some(total)),
        }
    }

    /// [`Cut::finish_parts`] as one text: `...` and the length appended
    /// if it was cut.
    fn finish_without(self, suffix: usize) -> String {
        let (mut out, total) = self.finish_parts(suffix);
        if let Some(total) = total {
            out.push_str(&Cut::marker(total));
        }
        out
    }

    /// What marks a cut: `... (N bytes)`.
    fn marker(total: usize) -> String {
        format!("... ({total} bytes)")
    }
}

impl fmt::Write for Cut {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.seen = self.seen.saturating_add(s.len());
        if self.cut {
            return Ok(());
        }
        for c in s.chars() {
            let before = self.out.len();
            if must_escape(c) {
                self.out.extend(c.escape_default());
            } else {
                self.out.push(c);
            }
            if self.out.len() > self.budget {
                self.out.truncate(before);
                self.cut = true;
                return Ok(());
            }
            self.kept += c.len_utf8();
        }
        Ok(())
    }
}

/// Shows user input in a message, escaped and cut like [`shown`] (with
/// room for what [`shown`] adds, so input it made passes unchanged).
/// Errors are built with [`shown`]; this keeps their `Display` bounded even
/// for an error a caller built by hand.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_cut(f, self.0, SHOWN_BUDGET + 48)
    }
}

/// User input in backticks, as [`Shown`]; a cut input ends the quote at
/// the ellipsis and gives its length after: ``aaaa...` (10485760 bytes)`.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What `shown` cut carries its marker at the end: take it apart.
        let (text, cut_from) = split_marker(self.0);
        let mut cut = Cut::new(SHOWN_BUDGET + 48);
        let _ = fmt::Write::write_str(&mut cut, text);
        let (kept, total) = cut.finish_parts(0);
        match cut_from.or(total) {
            Some(total) => write!(f, "`{kept}...` ({total} bytes)"),
            None => write!(f, "`{kept}`"),
        }
    }
}

/// `text... (N bytes)` as written by [`shown`] into `(text, Some(N))`.
fn split_marker(s: &str) -> (&str, Option<usize>) {
    let Some(rest) = s.strip_suffix(" bytes)") else {
        return (s, None);
    };
    let Some((text, digits)) = rest.rsplit_once("... (") else {
        return (s, None);
    };
    match digits.parse() {
        Ok(n) if digits.bytes().all(|b| b.is_ascii_digit()) => (text, Some(n)),
        _ => (s, None),
    }
}

/// User input in backticks for a message assembled by hand (a location
/// in a snapshot), escaped and cut like [`shown`].
pub(crate) fn quoted(s: &str) -> String {
    Quoted(&shown(s)).to_string()
}

/// A problem description in a message, bounded like [`prose`].
struct Prose<'a>(&'a str);

impl fmt::Display for Prose<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_cut(f, self.0, MESSAGE_BUDGET + 48)
    }
}

fn write_cut(f: &mut fmt::Formatter<'_>, s: &str, budget: usize) -> fmt::Result {
    let mut cut = Cut::new(budget);
    let _ = fmt::Write::write_str(&mut cut, s);
    f.write_str(&cut.finish_without(0))
}

/// What is wrong with a purpose's notice versions, for
/// [`Error::InvalidNoticeVersions`].
struct NoticeRange(u32, u32);

impl fmt::Display for NoticeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let NoticeRange(current, minimum) = *self;
        if current == 0 {
            f.write_str("notice versions start at 1")
        } else {
            write!(
                f,
                "minimum notice version {minimum} must be between 1 and the current version {current}"
            )
        }
    }
}

/// The position of a JSON error, as serde_json writes it: nothing when
/// there is none.
struct Position(usize, usize);

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return Ok(());
        }
        write!(f, " at line {} column {}", self.0, self.1)
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
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
}
