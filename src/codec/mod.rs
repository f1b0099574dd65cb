//! Codecs of the standard consent strings.
//!
//! - [`bits`]: the bit reader and writer (most significant bit first) and the
//!   base64url text shared by the IAB formats.
//! - [`tcf`]: the IAB TCF v2.2 TC string ([`tcf::TcString`]).
//! - `usp`: the US Privacy string (`1YNN`).
//! - `gpc`: the Global Privacy Control signal (`Sec-GPC: 1`).
//! - `consent_mode`: Google Consent Mode v2's consent types, as gtag's JSON.
//! - `gpp`: the IAB Global Privacy Platform string and its US sections.
//! - [`DecodeError`]: what every decoder returns for a string it cannot
//!   read, naming the format, the field and the bit offset.
//!
//! Decoders never panic and never return a partial result: a malformed
//! string is an error, not partial consent.

#[cfg(feature = "tcf")]
pub mod bits;
#[cfg(feature = "consent_mode")]
pub mod consent_mode;
mod error;
#[cfg(feature = "gpc")]
pub mod gpc;
#[cfg(feature = "gpp")]
pub mod gpp;
#[cfg(feature = "tcf")]
pub mod tcf;
#[cfg(feature = "usp")]
pub mod usp;

pub use error::{DecodeError, DecodeProblem};
