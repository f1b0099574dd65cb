//! What the controller declares: the catalog of purposes and data
//! categories, legal bases, and the evidence of how consent was collected.
//!
//! The lowest layer above [`crate::error`] and [`crate::limits`]: it imports
//! neither the wire format, the ledger nor the rights views.

pub(crate) mod basis;
pub(crate) mod catalog;
pub(crate) mod category;
pub(crate) mod evidence;
pub(crate) mod facts;
pub(crate) mod kinds;
pub(crate) mod purpose;
pub(crate) mod regimes;
pub(crate) mod repr;
pub(crate) mod standards;
