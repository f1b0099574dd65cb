#![doc = include_str!("../docs/guide.md")]
#![forbid(unsafe_code)]
#![deny(
    missing_docs,
    missing_debug_implementations,
    rustdoc::broken_intra_doc_links
)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

#[cfg(any(
    feature = "tcf",
    feature = "usp",
    feature = "gpc",
    feature = "consent_mode",
    feature = "gpp"
))]
pub mod codec;
mod error;
mod instant;
pub mod limits;

mod ledger;
mod model;
pub mod regime;
mod rights;
mod wire;

pub use error::{Error, EvidenceProblem, JsonCategory, NameKind, Result};
pub use instant::Timestamp;
#[cfg(any(feature = "tcf", feature = "gpp", feature = "usp"))]
pub use ledger::SignalFormat;
pub use ledger::decision::{ConsentStatus, Decision};
pub use ledger::facts::MAX_JURISDICTIONS;
pub use ledger::records::{Answer, ConsentRecord, OptOutSignal, SubjectMark, SubjectRecords};
pub use ledger::regime_check::{Explanation, SignalContest};
pub use ledger::snapshot::{SNAPSHOT_FORMAT_VERSION, Snapshot};
pub use ledger::{
    Applied, Change, Choice, Grant, Ledger, PermittedPurposes, Recorded, SubjectHandle,
};
#[cfg(any(
    feature = "tcf",
    feature = "gpp",
    feature = "usp",
    feature = "consent_mode"
))]
pub use ledger::{ExportOptions, TcfVendor, gpp_sections_for};
pub use limits::CATEGORY_CAPACITY;
pub use model::basis::LegalBasis;
pub use model::catalog::{Catalog, CatalogBuilder, CategoryHandle, PurposeHandle};
pub use model::category::{Category, CategoryDef};
pub use model::evidence::{CollectionMethod, Evidence, GivenBy};
pub use model::facts::{Age, Jurisdiction, MAX_AGE_YEARS};
pub use model::purpose::{Purpose, PurposeDef};
pub use model::regimes::{MAX_CATALOG_REGIMES, MOST_PROTECTIVE_CODE};
pub use model::standards::{
    ConsentType, Standards, TCF_CONSENT_ONLY_PURPOSES, TCF_MAX_PURPOSE, TCF_MAX_SPECIAL_FEATURE,
    UsOptOut,
};
pub use rights::audit::Audit;
pub use rights::export::{EXPORT_FORMAT, EXPORT_FORMAT_VERSION, SubjectExport};
pub use rights::law::{LawReport, Right};
pub use rights::prompt::{Ask, ExpiringGrant, PrunedRecord, Refusal};
pub use rights::receipt::{
    ConsentReceipt, ISO27560_RECEIPT_SCHEMA, ISO27560_RECORD_SCHEMA, KANTARA_VERSION,
    ReceiptOptions,
};
pub use rights::report::{CategoryDecision, DefaultRule, PurposeReport, SubjectReport};
pub use wire::event::{EVENT_FORMAT_VERSION, Event, EventKind};
pub use wire::id::EventId;

/// The README's code blocks, run as doctests so its quickstart (the same as the
/// crate docs') stays correct.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
