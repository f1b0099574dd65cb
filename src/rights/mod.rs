//! What people and auditors see: reports, receipts, exports, prompts,
//! audits and audiences, each an `impl Ledger` block or a view over one.
//!
//! The top layer: nothing below imports it.

// In the order rustdoc lists their `impl Ledger` blocks (declaration order):
// what a subject sees first, bulk views last. Keep these lines in this order.
pub(crate) mod report;

pub(crate) mod receipt;

pub(crate) mod export;

pub(crate) mod prompt;

pub(crate) mod audit;

pub(crate) mod audience;

pub(crate) mod scan;

// Words for people, shared by the text forms above.
pub(crate) mod text;

// Times, answers and evidence as the views above show and serialize them.
pub(crate) mod shared;

// The default a report shows for a purpose nobody answered.
pub(crate) mod default_rule;
pub(crate) mod law;
