//! The one public error type.

use std::fmt;

/// Everything that can go wrong when declaring a catalog, recording a change,
/// applying an event or loading a snapshot.
///
/// Checks never fail: only changes and loading return this error. A call that
/// returns an error has changed nothing. Messages are one lowercase line with
/// user input in backticks, and name the offending item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A purpose, category or subject name is malformed.
    #[error("invalid {kind} `{}`: {problem}", Shown(name))]
    InvalidName {
        /// What the name was for.
        kind: NameKind,
        /// The name as given.
        name: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A category was declared twice.
    #[error("category `{0}` is declared twice")]
    DuplicateCategory(String),
    /// A purpose was declared twice.
    #[error("purpose `{0}` is declared twice")]
    DuplicatePurpose(String),
    /// A dotted category name whose parent was not declared.
    #[error("category `{category}` needs its parent `{parent}` declared first")]
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
    #[error("purpose `{purpose}`: {problem}")]
    InvalidPurpose {
        /// The purpose.
        purpose: String,
        /// What is wrong.
        problem: String,
    },
    /// A legal basis name that is not one of [`crate::LegalBasis::ALL`].
    #[error("unknown legal basis `{}`", Shown(.0))]
    UnknownBasis(String),
    /// A purpose name that the catalog does not declare.
    #[error("purpose `{}` is not declared", Shown(.0))]
    UnknownPurpose(String),
    /// A category name that the catalog does not declare.
    #[error("category `{}` is not declared", Shown(.0))]
    UnknownCategory(String),
    /// A category that the purpose may not use.
    #[error("category `{category}` is not among the categories of purpose `{purpose}`")]
    CategoryOutsidePurpose {
        /// The purpose.
        purpose: String,
        /// The category.
        category: String,
    },
    /// An expiry at or before the time the consent was given.
    #[error(
        "consent to purpose `{purpose}` given at {given_at} cannot expire at {expires_at}: the expiry must be later"
    )]
    ExpiryNotAfterGiven {
        /// The purpose.
        purpose: String,
        /// When it was given (RFC 3339).
        given_at: String,
        /// The expiry asked for (RFC 3339).
        expires_at: String,
    },
    /// A notice version the purpose does not accept.
    #[error("purpose `{purpose}`: {problem}")]
    NoticeVersion {
        /// The purpose.
        purpose: String,
        /// What is wrong with the version.
        problem: String,
    },
    /// An objection to a purpose whose legal basis does not allow one.
    #[error(
        "cannot object to purpose `{purpose}`: its legal basis is {basis}; objection applies to legitimate interest, public task and direct marketing purposes"
    )]
    ObjectionNotApplicable {
        /// The purpose.
        purpose: String,
        /// Its legal basis.
        basis: crate::LegalBasis,
    },
    /// An instant outside the range the engine stores.
    #[error("time `{}` is out of range (supported: 1678-01-01 to 2261-12-31 UTC)", Shown(.0))]
    TimeOutOfRange(String),
    /// Text that is not an RFC 3339 time.
    #[error("time `{}` is not RFC 3339: {problem}", Shown(text))]
    InvalidTime {
        /// The text read.
        text: String,
        /// What the parser said.
        problem: String,
    },
    /// A field of the evidence is invalid.
    #[error("evidence field `{field}` {problem}")]
    InvalidEvidence {
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A change for a subject erased at or after the change's time.
    #[error(
        "subject `{subject}` was erased at {erased_at}; a change at or before that time is discarded"
    )]
    SubjectErased {
        /// The subject.
        subject: String,
        /// When it was erased (RFC 3339).
        erased_at: String,
    },
    /// An event whose id does not match its content.
    #[error(
        "event id `{}` does not match its content (expected `{expected}`)",
        Shown(found)
    )]
    EventIdMismatch {
        /// The id the event carries.
        found: String,
        /// The id its content hashes to.
        expected: String,
    },
    /// A snapshot record or mark is malformed; `problem` says how.
    #[error("invalid record: {problem}")]
    InvalidRecord {
        /// What is wrong.
        problem: String,
    },
    /// An event is malformed; `problem` says how.
    #[error("invalid event: {problem}")]
    InvalidEvent {
        /// What is wrong.
        problem: String,
    },
    /// A snapshot or event of a format version this crate does not read.
    #[error(
        "unsupported {what} format version {found} (this version of consentry reads {supported})"
    )]
    UnsupportedVersion {
        /// What was read.
        what: &'static str,
        /// The version found.
        found: u64,
        /// The version this crate reads.
        supported: u32,
    },
    /// Text that is not valid JSON for what was expected.
    #[error("invalid {what} JSON: {message}")]
    Json {
        /// What was being read.
        what: &'static str,
        /// The parser's message, with line and column.
        message: String,
    },
    /// An invalid part of a snapshot; `location` says where.
    #[error("snapshot {location}: {error}")]
    Snapshot {
        /// Where in the snapshot, e.g. ``subjects[3] (`user-4`).records[0]``.
        location: String,
        /// What is wrong there.
        error: Box<Error>,
    },
    /// The same subject appears twice in a snapshot.
    #[error("subject `{0}` appears twice")]
    DuplicateSubject(String),
    /// Two records for one subject and purpose in a snapshot.
    #[error("subject `{subject}` has two records for purpose `{purpose}`")]
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

/// Shows user input in a message, cut to a readable length and with control
/// characters escaped, so an error message stays one line.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 80;
        for (n, c) in self.0.chars().enumerate() {
            if n == MAX {
                return f.write_str("...");
            }
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
