#![doc = include_str!("../README.md")]
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

mod audience;
mod audit;
mod catalog;
mod category;
mod decision;
mod error;
mod event;
mod evidence;
mod export;
mod intern;
mod ledger;
pub mod limits;
mod prompt;
mod receipt;
mod record;
mod report;
mod scan;
mod snapshot;
mod store;
mod timestamp;

pub use audit::Audit;
pub use catalog::{
    Catalog, CatalogBuilder, Category, CategoryHandle, LegalBasis, Purpose, PurposeDef,
    PurposeHandle,
};
pub use decision::{ConsentStatus, Decision};
pub use error::{Error, JsonCategory, NameKind, Result};
pub use event::{EVENT_FORMAT_VERSION, Event, EventId, EventKind};
pub use evidence::{CollectionMethod, Evidence};
pub use export::{EXPORT_FORMAT, EXPORT_FORMAT_VERSION, SubjectExport};
pub use ledger::{Applied, Grant, Ledger, SubjectHandle};
pub use limits::CATEGORY_CAPACITY;
pub use prompt::{Ask, ExpiringGrant, PrunedRecord, Refusal};
pub use receipt::{
    ConsentReceipt, ISO27560_RECEIPT_SCHEMA, ISO27560_RECORD_SCHEMA, KANTARA_VERSION,
    ReceiptOptions,
};
pub use record::{Answer, ConsentRecord, SubjectMark, SubjectRecords};
pub use report::{CategoryDecision, DefaultRule, OptOutSignal, PurposeReport, SubjectReport};
pub use snapshot::{SNAPSHOT_FORMAT_VERSION, Snapshot};
