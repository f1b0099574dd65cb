//! Reading event JSON: the serialized form, borrowed where it can be, and
//! the checks of its syntax, version and id.

use std::borrow::Cow;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::limits;
use crate::model::evidence::EvidenceView;
use crate::wire::canonical::{EventView, Names};
use crate::wire::event::{EVENT_FORMAT_VERSION, KindTag, OLDEST_EVENT_FORMAT_VERSION};
use crate::wire::id::{EventId, StoredId};
use crate::wire::timestamp::{self, Rfc3339};

/// An event as read, borrowing from the JSON where it can.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "event")]
pub(crate) struct EventRepr<'a> {
    v: u64,
    #[serde(default, borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    subject: Cow<'a, str>,
    #[serde(borrow)]
    at: Cow<'a, str>,
    kind: KindTag,
    #[serde(default, borrow)]
    purpose: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "bounded_names")]
    categories: Option<Vec<Cow<'a, str>>>,
    #[serde(default, borrow)]
    expires_at: Option<Cow<'a, str>>,
    #[serde(default)]
    renewal: Option<bool>,
    #[serde(default)]
    jurisdiction: Option<crate::model::facts::Jurisdiction>,
    #[serde(default)]
    age: Option<crate::model::facts::Age>,
    #[serde(default, borrow)]
    evidence: Option<EvidenceRepr<'a>>,
}

/// An event's categories, counted as they are read (at most
/// [`CATEGORY_CAPACITY`], duplicates included) and borrowed from the JSON
/// where they can be.
fn bounded_names<'de: 'a, 'a, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Vec<Cow<'a, str>>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(transparent)]
    struct Name<'a>(#[serde(borrow)] Cow<'a, str>);
    let names = limits::bounded_opt::<D, Name<'de>, limits::Categories>(d)?;
    Ok(names.map(|names| names.into_iter().map(|n| n.0).collect()))
}

/// Evidence as read, borrowing from the JSON where it can.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "evidence")]
struct EvidenceRepr<'a> {
    method: crate::model::evidence::CollectionMethod,
    #[serde(default)]
    notice_version: Option<u32>,
    #[serde(default, borrow)]
    channel: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    proof: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    jurisdiction: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    language: Option<Cow<'a, str>>,
    #[serde(default)]
    given_by: crate::model::evidence::GivenBy,
    #[serde(default, borrow)]
    verification: Option<Cow<'a, str>>,
    #[serde(default)]
    explicit: bool,
    #[serde(default)]
    signal_conflict_shown: bool,
}

impl EvidenceRepr<'_> {
    fn view(&self) -> EvidenceView<'_> {
        EvidenceView {
            method: self.method,
            notice_version: self.notice_version,
            channel: self.channel.as_deref(),
            proof: self.proof.as_deref(),
            jurisdiction: self.jurisdiction.as_deref(),
            language: self.language.as_deref(),
            given_by: self.given_by,
            verification: self.verification.as_deref(),
            explicit: self.explicit,
            signal_conflict_shown: self.signal_conflict_shown,
        }
    }
}

/// Reads an event's JSON, checks its syntax, version and id, and hands the
/// checked content, borrowed from the JSON, to `f`.
pub(crate) fn read<T>(
    json: &str,
    f: impl FnOnce(&EventView<'_>, EventId) -> Result<T>,
) -> Result<T> {
    let repr: EventRepr<'_> = serde_json::from_str(json).map_err(|e| Error::json("event", &e))?;
    checked(repr, f)
}

pub(crate) fn checked<T>(
    mut r: EventRepr<'_>,
    f: impl FnOnce(&EventView<'_>, EventId) -> Result<T>,
) -> Result<T> {
    if !(OLDEST_EVENT_FORMAT_VERSION..=u64::from(EVENT_FORMAT_VERSION)).contains(&r.v) {
        return Err(Error::UnsupportedVersion {
            what: "event",
            found: r.v,
            supported: EVENT_FORMAT_VERSION,
        });
    }
    let Some(id_text) = r.id.take() else {
        return Err(Error::InvalidEvent {
            problem: "missing field `id`".into(),
        });
    };
    // A version 1 event carries its XXH3 id, checked against the version 1
    // bytes; from then on it is known by its version 2 id only.
    let found = if r.v == 1 {
        StoredId::V1(id_text.parse()?)
    } else {
        StoredId::V2(id_text.parse()?)
    };
    limits::check_subject(&r.subject)?;
    let at = timestamp::parse(&r.at)?;
    let tag = r.kind;
    let name = tag.as_str();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let missing = |field: &str| Error::InvalidEvent {
        problem: format!("{article} `{name}` event needs field `{field}`"),
    };
    let unexpected = |field: &str| Error::InvalidEvent {
        problem: format!("{article} `{name}` event has no field `{field}`"),
    };
    let needs_purpose = matches!(
        tag,
        KindTag::Given | KindTag::Refused | KindTag::Withdrawn | KindTag::Objected
    );
    let needs_evidence = !matches!(tag, KindTag::Registered | KindTag::Erased);
    let is_given = tag == KindTag::Given;
    match (needs_purpose, r.purpose.is_some()) {
        (false, true) => return Err(unexpected("purpose")),
        (true, false) => return Err(missing("purpose")),
        _ => {}
    }
    match (needs_evidence, r.evidence.is_some()) {
        (false, true) => return Err(unexpected("evidence")),
        (true, false) => return Err(missing("evidence")),
        _ => {}
    }
    for (field, wanted, present) in [
        (
            "jurisdiction",
            tag == KindTag::JurisdictionSet,
            r.jurisdiction.is_some(),
        ),
        ("age", tag == KindTag::AgeSet, r.age.is_some()),
    ] {
        match (wanted, present) {
            (false, true) => return Err(unexpected(field)),
            (true, false) => return Err(missing(field)),
            _ => {}
        }
    }
    if is_given {
        if r.categories.is_none() {
            return Err(missing("categories"));
        }
    } else {
        for (field, present) in [
            ("categories", r.categories.is_some()),
            ("expires_at", r.expires_at.is_some()),
            ("renewal", r.renewal.is_some()),
        ] {
            if present {
                return Err(unexpected(field));
            }
        }
    }
    let expires_at = match &r.expires_at {
        Some(t) => Some(Rfc3339(timestamp::parse(t)?)),
        None => None,
    };
    if let Some(categories) = &mut r.categories {
        // Canonical order, as the event's creator hashed it.
        categories.sort_unstable();
        categories.dedup();
    }
    let view = EventView {
        v: u64::from(EVENT_FORMAT_VERSION),
        id: None,
        subject: &r.subject,
        at: Rfc3339(at),
        kind: tag,
        purpose: r.purpose.as_deref(),
        categories: r.categories.as_deref().map(Names::Cows),
        expires_at,
        renewal: r.renewal.filter(|x| *x),
        jurisdiction: r.jurisdiction,
        age: r.age,
        evidence: r.evidence.as_ref().map(EvidenceRepr::view),
    };
    view.check()?;
    let mismatch = |expected: String| Error::EventIdMismatch {
        found: id_text.to_string(),
        expected,
    };
    let id = view.content_id_buffered();
    match found {
        StoredId::V2(found) if found != id => return Err(mismatch(id.to_string())),
        StoredId::V1(found) => {
            let v1 = view.content_id_v1();
            if found != v1 {
                return Err(mismatch(v1.to_string()));
            }
        }
        StoredId::V2(_) => {}
    }
    f(&view, id)
}
