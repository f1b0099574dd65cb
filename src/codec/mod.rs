//! Codecs of the standard consent strings.
//!
//! - [`bits`]: the bit reader and writer (most significant bit first) and the
//!   base64url text shared by the IAB formats.
//! - [`tcf`]: the IAB TCF v2.2 TC string ([`tcf::TcString`]).
//! - [`DecodeError`]: what every decoder returns for a string it cannot
//!   read, naming the format, the field and the bit offset.
//!
//! Decoders never panic and never return a partial result: a malformed
//! string is an error, not partial consent.

pub mod bits;
mod error;
#[cfg(feature = "tcf")]
pub mod tcf;

pub use error::{DecodeError, DecodeProblem};
