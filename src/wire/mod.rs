//! What goes to storage, below the ledger: change events, their canonical
//! form and ids, reading event JSON, and timestamps.
//!
//! Imports the model (names, evidence) but never the ledger or the rights
//! views.

pub(crate) mod canonical;
pub(crate) mod event;
pub(crate) mod id;
pub(crate) mod read;
pub(crate) mod timestamp;
