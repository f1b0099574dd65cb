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

mod catalog;
mod category;
mod decision;
mod error;
mod event;
mod evidence;
mod ledger;
pub mod limits;
mod record;
mod scan;
mod snapshot;
mod store;
mod timestamp;

pub use catalog::{
    Catalog, CatalogBuilder, Category, CategoryHandle, LegalBasis, Purpose, PurposeDef,
    PurposeHandle,
};
pub use decision::{ConsentStatus, Decision};
pub use error::{Error, NameKind, Result};
pub use event::{EVENT_FORMAT_VERSION, Event, EventId, EventKind};
pub use evidence::{CollectionMethod, Evidence};
pub use ledger::{Applied, Grant, Ledger, SubjectHandle};
pub use limits::CATEGORY_CAPACITY;
pub use record::{Answer, ConsentRecord, SubjectMark, SubjectRecords};
pub use snapshot::{SNAPSHOT_FORMAT_VERSION, Snapshot};
