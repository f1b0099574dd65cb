//! What people and auditors see: reports, receipts, exports, prompts,
//! audits and audiences, each an `impl Ledger` block or a view over one.
//!
//! The top layer: nothing below imports it.

pub(crate) mod audience;
pub(crate) mod audit;
pub(crate) mod export;
pub(crate) mod prompt;
pub(crate) mod receipt;
pub(crate) mod report;
pub(crate) mod scan;
