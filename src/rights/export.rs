//! Portability: everything the ledger holds about one subject as one JSON
//! document (GDPR Art. 15 access and Art. 20 portability).
//!
//! In the `Ledger` docs: the "Subject rights: portability export" group.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use crate::error::Result;
use crate::ledger::Ledger;
use crate::ledger::decision::ConsentStatus;
use crate::ledger::records::{Answer, ConsentRecord, OptOutMark, SubjectMark, SubjectRecords};
use crate::model::basis::LegalBasis;
use crate::model::evidence::Evidence;
use crate::rights::report::{ser_opt_time, ser_time, to_json, utc};
use crate::wire::id::EventId;

/// The name in the `format` field of a [`SubjectExport`].
pub const EXPORT_FORMAT: &str = "consentry-subject-export";

/// The version in the `version` field of a [`SubjectExport`].
pub const EXPORT_FORMAT_VERSION: u32 = 1;

/// Everything the ledger holds about one subject (see
/// [`Ledger::export_subject`]): every record with its evidence, and the
/// subject-wide marks (registration, withdraw-all, global opt-out, erasure),
/// by name, as one JSON document ([`SubjectExport::to_json`]; the shape is
/// shown at [`Ledger::export_subject`]). It reads back with serde
/// (`Deserialize`) into an equal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectExport {
    exported_at: OffsetDateTime,
    controller: Option<String>,
    held: SubjectRecords,
    /// Per record (same order): the purpose's title and basis (`None` if the
    /// catalog no longer declares it), and the status at `exported_at`.
    purposes: Vec<(Option<(String, LegalBasis)>, ConsentStatus)>,
}

/// # Subject rights: portability export
///
/// Everything held about one subject as one JSON document.
impl Ledger {
    /// Everything held about `subject`, exported at `at` (the statuses it
    /// states are those at `at`). `None` if the ledger has never seen the
    /// subject; an erased subject's export holds only the erasure mark.
    ///
    /// The document:
    ///
    /// ```json
    /// {"format": "consentry-subject-export", "version": 1, "subject": "user-1",
    ///  "exported_at": "2026-06-01T09:00:00Z", "controller": "Acme Shop Ltd",
    ///  "registered": {"at": "...", "event": "..."},
    ///  "records": [{"purpose": "newsletter", "title": "Newsletter", "basis": "consent",
    ///               "answer": "given", "at": "2026-03-01T10:00:00Z",
    ///               "expires_at": "2027-03-31T10:00:00Z", "categories": ["contact.email"],
    ///               "status": "given", "event": "...", "evidence": {"method": "banner", ...}}]}
    /// ```
    ///
    /// `withdrawn_all`, `global_opt_out` (with `on`), `erased`, `renewal`
    /// and `withdrawn_by_all` appear when they apply.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::{
    ///     Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef, SubjectExport,
    /// };
    /// use time::macros::datetime;
    ///
    /// let catalog = Catalog::builder()
    ///     .category("contact")
    ///     .purpose(
    ///         PurposeDef::new("newsletter", LegalBasis::Consent)
    ///             .title("Newsletter")
    ///             .description("A monthly e-mail.")
    ///             .categories(["contact"]),
    ///     )
    ///     .build()?;
    /// let mut ledger = Ledger::new(catalog);
    /// let t = datetime!(2026-03-01 10:00 UTC);
    /// let banner = Evidence::new(CollectionMethod::Banner).with_notice_version(1).with_proof("rcpt-1");
    /// ledger.give(Grant::new("user-1", "newsletter", t, banner))?;
    ///
    /// let export = ledger.export_subject("user-1", t).unwrap();
    /// let json = export.to_json()?;
    /// assert!(json.contains(r#""proof": "rcpt-1""#));
    /// // The document reads back (with serde) into the same export.
    /// assert_eq!(serde_json::from_str::<SubjectExport>(&json).unwrap(), export);
    /// assert!(ledger.export_subject("user-2", t).is_none());
    /// # Ok::<(), consentry::Error>(())
    /// ```
    #[must_use]
    pub fn export_subject(&self, subject: &str, at: OffsetDateTime) -> Option<SubjectExport> {
        let held = self.subject_records(subject)?;
        let purposes = held
            .records()
            .iter()
            .map(|r| {
                let declared = self
                    .catalog()
                    .purpose(r.purpose())
                    .map(|p| (p.title().to_owned(), p.basis()));
                (declared, self.status(subject, r.purpose(), at))
            })
            .collect();
        Some(SubjectExport {
            exported_at: utc(at),
            controller: self.catalog().controller().map(str::to_owned),
            held,
            purposes,
        })
    }
}

impl SubjectExport {
    /// When it was exported.
    #[must_use]
    pub fn exported_at(&self) -> OffsetDateTime {
        self.exported_at
    }

    /// What the ledger holds about the subject.
    #[must_use]
    pub fn held(&self) -> &SubjectRecords {
        &self.held
    }

    /// The document as pretty-printed JSON.
    ///
    /// # Errors
    ///
    /// None in practice; serde_json's own errors are passed on as
    /// [`Error::Json`](crate::Error::Json).
    pub fn to_json(&self) -> Result<String> {
        to_json("subject export", self)
    }
}

#[derive(Serialize)]
struct MarkRepr<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    on: Option<bool>,
    #[serde(serialize_with = "ser_time")]
    at: OffsetDateTime,
    event: EventId,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a Evidence>,
}

impl<'a> MarkRepr<'a> {
    fn of(m: &'a SubjectMark, on: Option<bool>) -> Self {
        MarkRepr {
            on,
            at: m.at(),
            event: m.event(),
            evidence: m.evidence(),
        }
    }
}

#[derive(Serialize)]
struct RecordRepr<'a> {
    purpose: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<LegalBasis>,
    answer: Answer,
    #[serde(serialize_with = "ser_time")]
    at: OffsetDateTime,
    #[serde(
        serialize_with = "ser_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    expires_at: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    categories: &'a [String],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    renewal: bool,
    #[serde(
        serialize_with = "ser_opt_time",
        skip_serializing_if = "Option::is_none"
    )]
    withdrawn_by_all: Option<OffsetDateTime>,
    status: ConsentStatus,
    event: EventId,
    evidence: &'a Evidence,
}

#[derive(Serialize)]
struct ExportRepr<'a> {
    format: &'static str,
    version: u32,
    subject: &'a str,
    #[serde(serialize_with = "ser_time")]
    exported_at: OffsetDateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    controller: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registered: Option<MarkRepr<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    withdrawn_all: Option<MarkRepr<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    global_opt_out: Option<MarkRepr<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    erased: Option<MarkRepr<'a>>,
    records: Vec<RecordRepr<'a>>,
}

impl Serialize for SubjectExport {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let h = &self.held;
        ExportRepr {
            format: EXPORT_FORMAT,
            version: EXPORT_FORMAT_VERSION,
            subject: h.subject(),
            exported_at: self.exported_at,
            controller: self.controller.as_deref(),
            registered: h.registered().map(|m| MarkRepr::of(m, None)),
            withdrawn_all: h.withdrawn_all().map(|m| MarkRepr::of(m, None)),
            global_opt_out: h
                .global_opt_out()
                .zip(h.global_opt_out_mark())
                .map(|(signal, m)| MarkRepr::of(m, Some(signal.is_on()))),
            erased: h.erased().map(|m| MarkRepr::of(m, None)),
            records: h
                .records()
                .iter()
                .zip(&self.purposes)
                .map(|(r, (declared, status))| RecordRepr {
                    purpose: r.purpose(),
                    title: declared.as_ref().map(|(t, _)| t.as_str()),
                    basis: declared.as_ref().map(|(_, b)| *b),
                    answer: r.answer(),
                    at: r.at(),
                    expires_at: r.expires_at(),
                    categories: r.categories(),
                    renewal: r.is_renewal(),
                    withdrawn_by_all: r.withdrawn_by_all(),
                    status: *status,
                    event: r.event(),
                    evidence: r.evidence(),
                })
                .collect(),
        }
        .serialize(s)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordOwned {
    purpose: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    basis: Option<LegalBasis>,
    answer: Answer,
    #[serde(with = "crate::wire::timestamp::rfc3339")]
    at: OffsetDateTime,
    #[serde(default, with = "crate::wire::timestamp::rfc3339_opt")]
    expires_at: Option<OffsetDateTime>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    renewal: bool,
    #[serde(default, with = "crate::wire::timestamp::rfc3339_opt")]
    withdrawn_by_all: Option<OffsetDateTime>,
    status: ConsentStatus,
    event: EventId,
    evidence: Evidence,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportOwned {
    format: String,
    version: u32,
    subject: String,
    #[serde(with = "crate::wire::timestamp::rfc3339")]
    exported_at: OffsetDateTime,
    #[serde(default)]
    controller: Option<String>,
    #[serde(default)]
    registered: Option<SubjectMark>,
    #[serde(default)]
    withdrawn_all: Option<SubjectMark>,
    #[serde(default)]
    global_opt_out: Option<OptOutMark>,
    #[serde(default)]
    erased: Option<SubjectMark>,
    records: Vec<RecordOwned>,
}

/// Reads the document [`SubjectExport::to_json`] writes: its `format` must
/// be [`EXPORT_FORMAT`] and its `version` [`EXPORT_FORMAT_VERSION`]; a record
/// has both a `title` and a `basis` or neither.
impl<'de> Deserialize<'de> for SubjectExport {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let e = ExportOwned::deserialize(d)?;
        if e.format != EXPORT_FORMAT {
            return Err(D::Error::custom(format_args!(
                "format `{}` is not `{EXPORT_FORMAT}`",
                crate::error::shown(&e.format)
            )));
        }
        if e.version != EXPORT_FORMAT_VERSION {
            return Err(D::Error::custom(format_args!(
                "export format version {} is not {EXPORT_FORMAT_VERSION}",
                e.version
            )));
        }
        let mut records = Vec::with_capacity(e.records.len());
        let mut purposes = Vec::with_capacity(e.records.len());
        for r in e.records {
            let declared = match (r.title, r.basis) {
                (Some(title), Some(basis)) => Some((title, basis)),
                (None, None) => None,
                _ => {
                    return Err(D::Error::custom(format_args!(
                        "record for purpose `{}` has a title or a basis without the other",
                        crate::error::shown(&r.purpose)
                    )));
                }
            };
            purposes.push((declared, r.status));
            records.push(ConsentRecord {
                purpose: r.purpose,
                answer: r.answer,
                at: r.at,
                expires_at: r.expires_at,
                categories: r.categories,
                renewal: r.renewal,
                event: r.event,
                evidence: r.evidence,
                withdrawn_by_all: r.withdrawn_by_all,
            });
        }
        Ok(SubjectExport {
            exported_at: e.exported_at,
            controller: e.controller,
            held: SubjectRecords {
                subject: e.subject,
                registered: e.registered,
                withdrawn_all: e.withdrawn_all,
                global_opt_out: e.global_opt_out,
                erased: e.erased,
                records,
            },
            purposes,
        })
    }
}
