//! Reading a snapshot: the top level in any key order, then the subjects
//! streamed into a ledger one at a time, strings borrowed from the JSON.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::ledger::store::{GIVEN, OBJECTED, REFUSED, WITHDRAWN};
use crate::ledger::strings::StrPool;
use crate::model::catalog::Catalog;
use crate::model::evidence::CollectionMethod;
use crate::model::evidence::EvidenceView;
use crate::model::repr::CatalogRepr;

use super::check::{NamesIn, RecordIn, Time};
use super::{SNAPSHOT_FORMAT_VERSION, Snapshot, at, locate};

/// [`Snapshot::from_json`].
pub(super) fn from_json(json: &str) -> Result<Snapshot> {
    let top: Top<'_> = serde_json::from_str(json).map_err(|e| Error::json("snapshot", &e))?;
    check_version(top.format_version)?;
    let repr: CatalogRepr = serde_json::from_str(top.catalog.get())
        .map_err(|e| json_error_in(json, top.catalog, &e))?;
    let mut loader = Loader::new(build_catalog(repr)?, top.format_version);
    let mut de = serde_json::Deserializer::from_str(top.subjects.get());
    let read = SubjectsSeed(&mut loader)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Err(e) = read {
        return Err(match loader.failure.take() {
            Some(failure) => failure,
            None => json_error_in(json, top.subjects, &e),
        });
    }
    Ok(Snapshot {
        watermark: top.watermark,
        ledger: loader.finish(),
    })
}

/// Versions 1 (ids were XXH3-128) and 2 are read.
fn check_version(found: u64) -> Result<()> {
    if !(1..=u64::from(SNAPSHOT_FORMAT_VERSION)).contains(&found) {
        return Err(Error::UnsupportedVersion {
            what: "snapshot",
            found,
            supported: SNAPSHOT_FORMAT_VERSION,
        });
    }
    Ok(())
}

fn build_catalog(repr: CatalogRepr) -> Result<Catalog> {
    Catalog::try_from(repr).map_err(at(|| "catalog".to_owned()))
}

/// A JSON error inside `part` of `json`, with its line and column in `json`.
fn json_error_in(json: &str, part: &RawValue, e: &serde_json::Error) -> Error {
    let mut error = Error::json("snapshot", e);
    let Error::Json { line, column, .. } = &mut error else {
        return error;
    };
    let offset = (part.get().as_ptr() as usize).wrapping_sub(json.as_ptr() as usize);
    let Some(before) = json.get(..offset) else {
        return error;
    };
    if *line == 0 {
        return error;
    }
    let start_line = before.bytes().filter(|b| *b == b'\n').count();
    if *line == 1 {
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        *column += offset - start;
    }
    *line += start_line;
    error
}

/// The top level as `Snapshot::from_json` reads it: the catalog and the
/// subjects are kept as borrowed JSON text, so they can be read in the order
/// they must be (version, catalog, subjects) whatever the keys' order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "struct Snapshot")]
struct Top<'a> {
    format_version: u64,
    #[serde(default)]
    watermark: Option<u64>,
    #[serde(borrow)]
    catalog: &'a RawValue,
    #[serde(borrow)]
    subjects: &'a RawValue,
}

/// A ledger being built from a snapshot's subjects.
struct Loader {
    ledger: Ledger,
    /// The snapshot's format version: it says how event ids were computed.
    version: u64,
    /// Ids of subjects read with nothing recorded: not stored in the ledger,
    /// but a second subject with the same id is still a duplicate.
    bare: StrPool,
    /// Subjects read so far.
    next: usize,
    /// The error that stopped reading, with its type (serde carries only
    /// its text).
    failure: Option<Error>,
}

impl Loader {
    fn new(catalog: Catalog, version: u64) -> Self {
        Loader {
            ledger: Ledger::new(catalog),
            version,
            bare: StrPool::default(),
            next: 0,
            failure: None,
        }
    }

    fn load(&mut self, subject: &SubjectRepr<'_>) -> Result<()> {
        let i = self.next;
        self.next += 1;
        self.ledger
            .load_subject(subject, &mut self.bare, self.version)
            .map_err(|e| locate(i, subject.id.as_str(), e))
    }

    fn finish(mut self) -> Ledger {
        self.ledger.store.shrink_to_fit();
        self.ledger
    }
}

/// Reads the `subjects` array into a loader, one subject at a time.
struct SubjectsSeed<'l>(&'l mut Loader);

impl<'de> DeserializeSeed<'de> for SubjectsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SubjectsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(subject) = seq.next_element::<SubjectRepr<'de>>()? {
            if let Err(e) = self.0.load(&subject) {
                let message = e.to_string();
                self.0.failure = Some(e);
                return Err(de::Error::custom(message));
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    FormatVersion,
    Watermark,
    Catalog,
    Subjects,
}

/// Reads a snapshot from any serde deserializer, checking it as
/// [`Snapshot::from_json`] does. `subjects` streams into the ledger when the
/// version and catalog come first (as [`Snapshot`] writes them); otherwise
/// it is buffered (as a `serde_json::Value`) until they have been read.
impl<'de> Deserialize<'de> for Snapshot {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        const FIELDS: &[&str] = &["format_version", "watermark", "catalog", "subjects"];
        d.deserialize_struct("Snapshot", FIELDS, TopVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Snapshot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("struct Snapshot")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Snapshot, A::Error> {
        let fail = |e: Error| <A::Error as de::Error>::custom(e);
        let mut version = None;
        let mut watermark: Option<Option<u64>> = None;
        let mut catalog: Option<serde_json::Value> = None;
        let mut loader: Option<Loader> = None;
        let mut subjects: Option<Option<serde_json::Value>> = None;
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::FormatVersion => {
                    if version.is_some() {
                        return Err(de::Error::duplicate_field("format_version"));
                    }
                    let v: u64 = map.next_value()?;
                    check_version(v).map_err(fail)?;
                    version = Some(v);
                    // A catalog read before the version can be built now,
                    // so that subjects after this stream.
                    if let Some(value) = catalog.take() {
                        let repr = CatalogRepr::deserialize(value).map_err(de::Error::custom)?;
                        loader = Some(Loader::new(build_catalog(repr).map_err(fail)?, v));
                    }
                }
                Field::Watermark => {
                    if watermark.is_some() {
                        return Err(de::Error::duplicate_field("watermark"));
                    }
                    watermark = Some(map.next_value()?);
                }
                Field::Catalog => {
                    if catalog.is_some() || loader.is_some() {
                        return Err(de::Error::duplicate_field("catalog"));
                    }
                    if let Some(v) = version {
                        let repr: CatalogRepr = map.next_value()?;
                        loader = Some(Loader::new(build_catalog(repr).map_err(fail)?, v));
                    } else {
                        catalog = Some(map.next_value()?);
                    }
                }
                Field::Subjects => {
                    if subjects.is_some() {
                        return Err(de::Error::duplicate_field("subjects"));
                    }
                    subjects = Some(match (&version, loader.as_mut()) {
                        (Some(_), Some(l)) => {
                            map.next_value_seed(SubjectsSeed(l))?;
                            None
                        }
                        _ => Some(map.next_value()?),
                    });
                }
            }
        }
        let Some(version) = version else {
            return Err(de::Error::missing_field("format_version"));
        };
        if let Some(value) = catalog {
            let repr = CatalogRepr::deserialize(value).map_err(de::Error::custom)?;
            loader = Some(Loader::new(build_catalog(repr).map_err(fail)?, version));
        }
        let Some(mut loader) = loader else {
            return Err(de::Error::missing_field("catalog"));
        };
        match subjects {
            None => return Err(de::Error::missing_field("subjects")),
            Some(Some(value)) => {
                if let Err(e) = SubjectsSeed(&mut loader).deserialize(value) {
                    return Err(match loader.failure.take() {
                        Some(failure) => fail(failure),
                        None => de::Error::custom(e),
                    });
                }
            }
            Some(None) => {}
        }
        Ok(Snapshot {
            watermark: watermark.flatten(),
            ledger: loader.finish(),
        })
    }
}

// ---- reading: one subject, borrowed from the JSON ----

/// A string read from JSON, borrowed unless it had escapes.
pub(super) struct Text<'a>(Cow<'a, str>);

impl Text<'_> {
    pub(super) fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SubjectRepr<'a> {
    #[serde(borrow)]
    pub(super) id: Text<'a>,
    #[serde(default, borrow)]
    pub(super) registered: Option<MarkRepr<'a>>,
    #[serde(default, borrow)]
    pub(super) erased: Option<MarkRepr<'a>>,
    #[serde(default, borrow)]
    pub(super) withdrawn_all: Option<MarkRepr<'a>>,
    #[serde(default, borrow)]
    pub(super) global_opt_out: Option<MarkRepr<'a>>,
    #[serde(default, borrow)]
    pub(super) jurisdiction: Option<MarkRepr<'a>>,
    #[serde(default, borrow)]
    pub(super) age: Option<MarkRepr<'a>>,
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::limits::bounded::<_, _, crate::limits::Records>"
    )]
    pub(super) records: Vec<RecordRepr<'a>>,
    /// Traces of records dropped by `Ledger::prune` (see `Store::floors`).
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::limits::bounded::<_, _, crate::limits::Records>"
    )]
    pub(super) pruned: Vec<PrunedRepr<'a>>,
    /// Answers kept beside records because they still decide: a
    /// direct-marketing purpose's latest grant or objection (see
    /// `ledger/traces.rs`).
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::limits::bounded::<_, _, crate::limits::Records>"
    )]
    pub(super) kept: Vec<RecordRepr<'a>>,
    /// The opt-out signal's latest `set`, kept once it is cleared.
    #[serde(default, borrow)]
    pub(super) global_opt_out_set: Option<MarkRepr<'a>>,
}

/// The trace of a pruned record: its purpose, time, answer and event id.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PrunedRepr<'a> {
    #[serde(borrow)]
    pub(super) purpose: Text<'a>,
    #[serde(borrow)]
    pub(super) at: Text<'a>,
    answer: StatusRepr,
    #[serde(borrow)]
    pub(super) event: Text<'a>,
}

impl PrunedRepr<'_> {
    /// The record kind the answer names.
    pub(super) fn kind(&self) -> u8 {
        self.answer.kind()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MarkRepr<'a> {
    #[serde(borrow)]
    pub(super) at: Text<'a>,
    #[serde(borrow)]
    pub(super) event: Text<'a>,
    /// Only for the opt-out signal.
    #[serde(default)]
    pub(super) on: Option<bool>,
    /// Only for the jurisdiction mark.
    #[serde(default)]
    pub(super) jurisdiction: Option<crate::model::facts::Jurisdiction>,
    /// Only for the age mark.
    #[serde(default)]
    pub(super) age: Option<crate::model::facts::Age>,
    #[serde(default, borrow)]
    pub(super) evidence: Option<EvidenceRepr<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusRepr {
    Given,
    Refused,
    Withdrawn,
    Objected,
}

impl StatusRepr {
    fn kind(self) -> u8 {
        match self {
            StatusRepr::Given => GIVEN,
            StatusRepr::Refused => REFUSED,
            StatusRepr::Withdrawn => WITHDRAWN,
            StatusRepr::Objected => OBJECTED,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RecordRepr<'a> {
    #[serde(borrow)]
    pub(super) purpose: Text<'a>,
    status: StatusRepr,
    #[serde(borrow)]
    at: Text<'a>,
    #[serde(default, borrow)]
    expires_at: Option<Text<'a>>,
    #[serde(
        default,
        borrow,
        deserialize_with = "crate::limits::bounded_opt::<_, _, crate::limits::Categories>"
    )]
    categories: Option<Vec<Text<'a>>>,
    #[serde(default)]
    renewal: bool,
    #[serde(borrow)]
    pub(super) event: Text<'a>,
    #[serde(borrow)]
    pub(super) evidence: EvidenceRepr<'a>,
}

impl RecordRepr<'_> {
    pub(super) fn view(&self) -> RecordIn<'_> {
        RecordIn {
            purpose: self.purpose.as_str(),
            kind: self.status.kind(),
            at: Time::Text(self.at.as_str()),
            expires_at: self.expires_at.as_ref().map(|t| Time::Text(t.as_str())),
            categories: self.categories.as_deref().map(NamesIn::Read),
            renewal: self.renewal,
            evidence: self.evidence.view(),
        }
    }
}

/// Evidence as read, borrowed where it can be.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "struct Evidence")]
pub(super) struct EvidenceRepr<'a> {
    method: CollectionMethod,
    #[serde(default)]
    notice_version: Option<u32>,
    #[serde(default, borrow)]
    channel: Option<Text<'a>>,
    #[serde(default, borrow)]
    proof: Option<Text<'a>>,
    #[serde(default, borrow)]
    jurisdiction: Option<Text<'a>>,
    #[serde(default, borrow)]
    language: Option<Text<'a>>,
    #[serde(default)]
    given_by: crate::model::evidence::GivenBy,
    #[serde(default, borrow)]
    verification: Option<Text<'a>>,
    #[serde(default)]
    explicit: bool,
    #[serde(default)]
    signal_conflict_shown: bool,
}

impl EvidenceRepr<'_> {
    pub(super) fn view(&self) -> EvidenceView<'_> {
        EvidenceView {
            method: self.method,
            notice_version: self.notice_version,
            channel: self.channel.as_ref().map(Text::as_str),
            proof: self.proof.as_ref().map(Text::as_str),
            jurisdiction: self.jurisdiction.as_ref().map(Text::as_str),
            language: self.language.as_ref().map(Text::as_str),
            given_by: self.given_by,
            verification: self.verification.as_ref().map(Text::as_str),
            explicit: self.explicit,
            signal_conflict_shown: self.signal_conflict_shown,
        }
    }
}
