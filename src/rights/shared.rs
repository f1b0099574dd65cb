//! Helpers shared by the transparency views: times as they are shown and
//! serialized, answers and evidence in words, pretty JSON.

use serde::{Serialize, Serializer};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::ledger::records::Answer;
use crate::model::evidence::Evidence;
use crate::wire::timestamp;

pub(crate) fn answer_word(answer: Answer) -> &'static str {
    match answer {
        Answer::Given => "given",
        Answer::Refused => "refused",
        Answer::Withdrawn => "withdrawn",
        Answer::Objected => "objected",
    }
}

/// The evidence in one line: method, channel, notice version, proof,
/// jurisdiction, language.
pub(crate) fn evidence_text(e: &Evidence) -> String {
    let mut parts = vec![e.method().to_string()];
    if let Some(c) = e.channel() {
        parts.push(format!("channel {c}"));
    }
    if let Some(v) = e.notice_version() {
        parts.push(format!("notice version {v}"));
    }
    if let Some(p) = e.proof() {
        parts.push(format!("proof {p}"));
    }
    if let Some(j) = e.jurisdiction() {
        parts.push(format!("jurisdiction {j}"));
    }
    if let Some(l) = e.language() {
        parts.push(format!("language {l}"));
    }
    parts.join(", ")
}

// ---- helpers shared by the transparency modules ----

/// An instant in UTC, clamped to the range the engine stores.
pub(crate) fn utc(t: OffsetDateTime) -> OffsetDateTime {
    timestamp::from_nanos(timestamp::storable(t))
}

/// RFC 3339 text in UTC, as events and snapshots write instants (the
/// nearest end of the range for an instant outside it, so it reads back).
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    timestamp::format(timestamp::storable(t))
}

pub(crate) fn ser_time<S: Serializer>(
    t: &OffsetDateTime,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(&rfc3339(*t))
}

#[allow(clippy::ref_option)] // the signature serde's `serialize_with` calls
pub(crate) fn ser_opt_time<S: Serializer>(
    t: &Option<OffsetDateTime>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.collect_str(&rfc3339(*t)),
        None => s.serialize_none(),
    }
}

/// Pretty JSON, serde_json's errors as [`Error::Json`].
pub(crate) fn to_json<T: Serialize + ?Sized>(what: &'static str, value: &T) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::json(what, &e))
}
