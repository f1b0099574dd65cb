//! The IAB TCF v2.2 TC string: decode and encode.
//!
//! A TC string is base64url segments joined by `.`: the core segment first,
//! then optional disclosed-vendors, allowed-vendors (TCF 2.0 only) and
//! publisher-TC segments. [`TcString::decode`] reads all of them;
//! [`TcString::encode`] writes the canonical form (below).
//!
//! # Examples
//!
//! ```
//! use consentry::codec::tcf::TcString;
//!
//! // From the IAB's iabtcf-java test suite.
//! let text = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA";
//! let tc = TcString::decode(text)?;
//! assert_eq!(tc.cmp_id(), 675);
//! assert_eq!(tc.consent_language(), "EN");
//! assert!(tc.purposes_consent().contains(2) && tc.purposes_consent().contains(10));
//! assert!(tc.vendor_consents().is_empty());
//! assert_eq!(tc.encode(), text);
//!
//! let err = TcString::decode("COtybn4PA_zT4Kj").unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "tcf core segment, field `cmp id`, bit 78: end of input (needs 12 bits, 10 left)"
//! );
//! # Ok::<(), consentry::codec::DecodeError>(())
//! ```
//!
//! # What decoding accepts
//!
//! Every string the IAB reference libraries (iabtcf-es, iabtcf-java) write
//! for version 2: base64url with or without `=` padding, segments padded to
//! bytes or to 24 bits, segments after the core one in any order, bit-field
//! or range vendor sections, a `MaxVendorId` above the highest id set.
//! Padding bits after a segment's last field are ignored.
//!
//! It refuses, with a [`DecodeError`] naming the segment, the field and the
//! bit offset: a version other than 2, a character outside base64url, a
//! segment that ends inside a field, a letter code outside `A..=Z`, vendor
//! id 0, a range whose end is below its start or whose entries do not
//! ascend, an id above the section's `MaxVendorId`, restriction type 3
//! (undefined) or purpose 0, an unknown or repeated segment type. A
//! malformed string never yields partial consent. Memory is bounded by the
//! input: a bit field is checked to be present before it is stored, vendor
//! sets take at most 8 KiB each, and restrictions grow only with the
//! entries actually read.
//!
//! # Canonical form
//!
//! [`TcString::encode`] writes:
//!
//! - segments in the order core, disclosed vendors, allowed vendors,
//!   publisher TC, each padded with zero bits to a multiple of 24 bits (so
//!   its base64url has no `=` and no partial group, as iabtcf-es writes);
//! - in each vendor section, `MaxVendorId` equal to the highest id in the
//!   set (0 when empty), and the range form only when it takes strictly
//!   fewer bits than the bit field (a tie gives the bit field); ranges are
//!   maximal runs, a lone id as a single entry;
//! - publisher restrictions in their stored order, each with maximal
//!   ranges.
//!
//! Decoding then re-encoding a canonical string gives the same string.
//! A string from another encoder re-encodes to the same consent in the
//! canonical form, which may differ: iabtcf-java pads segments to bytes
//! only, iabtcf-es counts a lone range entry as 16 bits rather than 17 and
//! uses the bit field below 46 vendors, and some encoders set
//! `MaxVendorId` to the vendor list's highest id.

mod segments;
mod sets;
mod vendors;

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

use super::DecodeError;

pub use sets::{
    CustomPurposeSet, IdFlags, MAX_RESTRICTION_RANGES, MAX_VENDOR_ID, PurposeSet,
    SpecialFeatureSet, VendorRanges, VendorSet,
};

/// Highest deciseconds timestamp a TC string holds (36 bits).
pub const MAX_DECISECONDS: u64 = (1 << 36) - 1;
/// Most publisher restrictions a TC string holds (a 12-bit count).
pub const MAX_RESTRICTIONS: usize = 4095;

/// A value that a TC string field cannot hold, from a setter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tcf {field}: `{value}` is out of range (expected {expected})")]
#[non_exhaustive]
pub struct ValueError {
    /// The field.
    pub field: &'static str,
    /// The value given (escaped, at most 16 characters).
    pub value: String,
    /// What the field accepts.
    pub expected: &'static str,
}

impl ValueError {
    pub(crate) fn new(field: &'static str, value: u64, expected: &'static str) -> Self {
        ValueError {
            field,
            value: value.to_string(),
            expected,
        }
    }
}

/// What a publisher restriction requires of the vendors it lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestrictionType {
    /// 0: the purpose is not allowed for these vendors.
    NotAllowed = 0,
    /// 1: these vendors need consent for the purpose.
    RequireConsent = 1,
    /// 2: these vendors need legitimate interest for the purpose.
    RequireLegitimateInterest = 2,
}

/// One publisher restriction: a purpose, a restriction type and the
/// vendors it applies to.
///
/// # Examples
///
/// ```
/// use consentry::codec::tcf::{PublisherRestriction, RestrictionType, VendorRanges};
///
/// let mut vendors = VendorRanges::new();
/// vendors.insert_range(8, 9)?;
/// let r = PublisherRestriction::new(2, RestrictionType::NotAllowed, vendors)?;
/// assert!(r.vendors().contains(9));
/// assert!(PublisherRestriction::new(0, RestrictionType::NotAllowed, VendorRanges::new()).is_err());
/// # Ok::<(), consentry::codec::tcf::ValueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PublisherRestriction {
    // INVARIANT: purpose in 1..=63.
    purpose: u8,
    kind: RestrictionType,
    vendors: VendorRanges,
}

impl PublisherRestriction {
    /// A restriction of `purpose` (`1..=63`).
    ///
    /// # Errors
    ///
    /// [`ValueError`] for a purpose outside `1..=63`.
    pub fn new(
        purpose: u8,
        kind: RestrictionType,
        vendors: VendorRanges,
    ) -> Result<Self, ValueError> {
        if purpose == 0 || purpose > 63 {
            return Err(ValueError::new(
                "publisher restriction purpose id",
                u64::from(purpose),
                "1..=63",
            ));
        }
        Ok(Self::from_parts(purpose, kind, vendors))
    }

    pub(crate) const fn from_parts(
        purpose: u8,
        kind: RestrictionType,
        vendors: VendorRanges,
    ) -> Self {
        PublisherRestriction {
            purpose,
            kind,
            vendors,
        }
    }

    /// The purpose id.
    #[must_use]
    pub const fn purpose(&self) -> u8 {
        self.purpose
    }

    /// The restriction type.
    #[must_use]
    pub const fn kind(&self) -> RestrictionType {
        self.kind
    }

    /// The vendors restricted.
    #[must_use]
    pub const fn vendors(&self) -> &VendorRanges {
        &self.vendors
    }
}

/// The publisher-TC segment: the publisher's own purpose consents and
/// legitimate interests, and its custom purposes.
///
/// # Examples
///
/// ```
/// use consentry::codec::tcf::{CustomPurposeSet, PublisherTc};
///
/// let mut p = PublisherTc::default();
/// p.purposes_consent_mut().insert(1)?;
/// let mut custom = CustomPurposeSet::new();
/// custom.insert(2)?;
/// p.set_custom_purposes(3, custom, CustomPurposeSet::new())?;
/// assert_eq!(p.num_custom_purposes(), 3);
/// assert!(p.set_custom_purposes(1, custom, CustomPurposeSet::new()).is_err());
/// # Ok::<(), consentry::codec::tcf::ValueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PublisherTc {
    purposes_consent: PurposeSet,
    purposes_li_transparency: PurposeSet,
    // INVARIANT: num_custom_purposes <= 63 and no custom id above it.
    num_custom_purposes: u8,
    custom_purposes_consent: CustomPurposeSet,
    custom_purposes_li_transparency: CustomPurposeSet,
}

impl PublisherTc {
    /// `PubPurposesConsent`.
    #[must_use]
    pub const fn purposes_consent(&self) -> PurposeSet {
        self.purposes_consent
    }

    /// `PubPurposesConsent`, to change.
    pub const fn purposes_consent_mut(&mut self) -> &mut PurposeSet {
        &mut self.purposes_consent
    }

    /// `PubPurposesLITransparency`.
    #[must_use]
    pub const fn purposes_li_transparency(&self) -> PurposeSet {
        self.purposes_li_transparency
    }

    /// `PubPurposesLITransparency`, to change.
    pub const fn purposes_li_transparency_mut(&mut self) -> &mut PurposeSet {
        &mut self.purposes_li_transparency
    }

    /// `NumCustomPurposes`: how many custom purposes the publisher declares.
    #[must_use]
    pub const fn num_custom_purposes(&self) -> u8 {
        self.num_custom_purposes
    }

    /// `CustomPurposesConsent`.
    #[must_use]
    pub const fn custom_purposes_consent(&self) -> CustomPurposeSet {
        self.custom_purposes_consent
    }

    /// `CustomPurposesLITransparency`.
    #[must_use]
    pub const fn custom_purposes_li_transparency(&self) -> CustomPurposeSet {
        self.custom_purposes_li_transparency
    }

    /// Sets the number of custom purposes (`0..=63`) and their consents and
    /// legitimate interests.
    ///
    /// # Errors
    ///
    /// [`ValueError`] when `num` is above 63 or a set holds an id above
    /// `num`; nothing changes then.
    pub fn set_custom_purposes(
        &mut self,
        num: u8,
        consent: CustomPurposeSet,
        li_transparency: CustomPurposeSet,
    ) -> Result<(), ValueError> {
        if num > 63 {
            return Err(ValueError::new(
                "custom purpose count",
                u64::from(num),
                "0..=63",
            ));
        }
        let highest = consent.max_id().max(li_transparency.max_id());
        if highest > num {
            return Err(ValueError::new(
                "custom purpose id",
                u64::from(highest),
                "at most the custom purpose count",
            ));
        }
        self.num_custom_purposes = num;
        self.custom_purposes_consent = consent;
        self.custom_purposes_li_transparency = li_transparency;
        Ok(())
    }
}

/// A decoded IAB TCF v2 TC string.
///
/// Fields are read with getters named after the specification's fields,
/// and changed with setters that refuse values the string cannot hold
/// (so [`TcString::encode`] cannot fail), or through `_mut` accessors to
/// sets that check their own ids.
///
/// # Examples
///
/// ```
/// use consentry::codec::tcf::TcString;
///
/// let mut tc = TcString::new();
/// tc.set_cmp_id(300)?;
/// tc.set_consent_language("fr")?;
/// tc.purposes_consent_mut().insert(1)?;
/// tc.vendor_consents_mut().insert_range(1, 400)?;
/// let text = tc.encode();
/// let back = TcString::decode(&text).map_err(|e| e.to_string());
/// assert_eq!(back.as_ref(), Ok(&tc));
/// assert!(tc.set_cmp_id(4096).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TcString {
    // INVARIANT: every field fits its width in the string (setters check).
    pub(super) created: u64,
    pub(super) last_updated: u64,
    pub(super) cmp_id: u16,
    pub(super) cmp_version: u16,
    pub(super) consent_screen: u8,
    pub(super) consent_language: [u8; 2],
    pub(super) vendor_list_version: u16,
    pub(super) policy_version: u8,
    pub(super) is_service_specific: bool,
    pub(super) use_non_standard_texts: bool,
    pub(super) special_feature_optins: SpecialFeatureSet,
    pub(super) purposes_consent: PurposeSet,
    pub(super) purposes_li_transparency: PurposeSet,
    pub(super) purpose_one_treatment: bool,
    pub(super) publisher_cc: [u8; 2],
    pub(super) vendor_consents: VendorSet,
    pub(super) vendor_legitimate_interests: VendorSet,
    pub(super) publisher_restrictions: Vec<PublisherRestriction>,
    pub(super) disclosed_vendors: Option<VendorSet>,
    pub(super) allowed_vendors: Option<VendorSet>,
    pub(super) publisher_tc: Option<PublisherTc>,
}

impl Default for TcString {
    fn default() -> Self {
        Self::new()
    }
}

/// A getter and a checked setter of an integer field of `bits` bits.
macro_rules! int_field {
    ($get:ident, $set:ident, $ty:ty, $bits:literal, $name:literal, $range:literal) => {
        #[doc = concat!("`", $name, "` (", stringify!($bits), " bits).")]
        #[must_use]
        pub const fn $get(&self) -> $ty {
            self.$get
        }

        #[doc = concat!("Sets `", $name, "`.\n\n# Errors\n\n[`ValueError`] outside `", $range, "`.")]
        pub fn $set(&mut self, value: $ty) -> Result<(), ValueError> {
            if u64::from(value) >> $bits != 0 {
                return Err(ValueError::new($name, u64::from(value), $range));
            }
            self.$get = value;
            Ok(())
        }
    };
}

/// A getter and a setter of a flag.
macro_rules! bool_field {
    ($get:ident, $set:ident, $name:literal) => {
        #[doc = concat!("`", $name, "`.")]
        #[must_use]
        pub const fn $get(&self) -> bool {
            self.$get
        }

        #[doc = concat!("Sets `", $name, "`.")]
        pub const fn $set(&mut self, value: bool) {
            self.$get = value;
        }
    };
}

/// A getter and a `_mut` accessor of a set field.
macro_rules! set_field {
    ($get:ident, $get_mut:ident, $ty:ty, $name:literal) => {
        #[doc = concat!("`", $name, "`.")]
        #[must_use]
        pub const fn $get(&self) -> &$ty {
            &self.$get
        }

        #[doc = concat!("`", $name, "`, to change.")]
        pub const fn $get_mut(&mut self) -> &mut $ty {
            &mut self.$get
        }
    };
}

impl TcString {
    /// An empty version 2 TC string: every number 0, every set empty,
    /// language and publisher country `AA`, no optional segment.
    #[must_use]
    pub const fn new() -> Self {
        TcString {
            created: 0,
            last_updated: 0,
            cmp_id: 0,
            cmp_version: 0,
            consent_screen: 0,
            consent_language: *b"AA",
            vendor_list_version: 0,
            policy_version: 0,
            is_service_specific: false,
            use_non_standard_texts: false,
            special_feature_optins: SpecialFeatureSet::new(),
            purposes_consent: PurposeSet::new(),
            purposes_li_transparency: PurposeSet::new(),
            purpose_one_treatment: false,
            publisher_cc: *b"AA",
            vendor_consents: VendorSet::new(),
            vendor_legitimate_interests: VendorSet::new(),
            publisher_restrictions: Vec::new(),
            disclosed_vendors: None,
            allowed_vendors: None,
            publisher_tc: None,
        }
    }

    /// Decodes a TC string (see the [module docs](self) for what it
    /// accepts).
    ///
    /// # Errors
    ///
    /// A [`DecodeError`] naming the segment (`format`), the field and the
    /// bit offset in that segment's bytes.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        segments::decode(text)
    }

    /// Encodes in the canonical form (see the [module docs](self)).
    #[must_use]
    pub fn encode(&self) -> String {
        segments::encode(self)
    }

    /// `Version`: always 2.
    #[must_use]
    pub const fn version(&self) -> u8 {
        2
    }

    /// `Created`, in deciseconds since the Unix epoch.
    #[must_use]
    pub const fn created_deciseconds(&self) -> u64 {
        self.created
    }

    /// `Created`.
    #[must_use]
    pub fn created(&self) -> OffsetDateTime {
        from_deciseconds(self.created)
    }

    /// Sets `Created`, in deciseconds since the Unix epoch.
    ///
    /// # Errors
    ///
    /// [`ValueError`] above [`MAX_DECISECONDS`].
    pub fn set_created_deciseconds(&mut self, ds: u64) -> Result<(), ValueError> {
        self.created = check_deciseconds("created", ds)?;
        Ok(())
    }

    /// Sets `Created`, truncated to deciseconds.
    ///
    /// # Errors
    ///
    /// [`ValueError`] before 1970 or past what 36 bits of deciseconds hold
    /// (in 2187).
    pub fn set_created(&mut self, at: OffsetDateTime) -> Result<(), ValueError> {
        self.created = check_deciseconds("created", to_deciseconds(at))?;
        Ok(())
    }

    /// `LastUpdated`, in deciseconds since the Unix epoch.
    #[must_use]
    pub const fn last_updated_deciseconds(&self) -> u64 {
        self.last_updated
    }

    /// `LastUpdated`.
    #[must_use]
    pub fn last_updated(&self) -> OffsetDateTime {
        from_deciseconds(self.last_updated)
    }

    /// Sets `LastUpdated`, in deciseconds since the Unix epoch.
    ///
    /// # Errors
    ///
    /// [`ValueError`] above [`MAX_DECISECONDS`].
    pub fn set_last_updated_deciseconds(&mut self, ds: u64) -> Result<(), ValueError> {
        self.last_updated = check_deciseconds("last updated", ds)?;
        Ok(())
    }

    /// Sets `LastUpdated`, truncated to deciseconds.
    ///
    /// # Errors
    ///
    /// [`ValueError`] before 1970 or past 2187.
    pub fn set_last_updated(&mut self, at: OffsetDateTime) -> Result<(), ValueError> {
        self.last_updated = check_deciseconds("last updated", to_deciseconds(at))?;
        Ok(())
    }

    int_field!(cmp_id, set_cmp_id, u16, 12, "CmpId", "0..=4095");
    int_field!(
        cmp_version,
        set_cmp_version,
        u16,
        12,
        "CmpVersion",
        "0..=4095"
    );
    int_field!(
        consent_screen,
        set_consent_screen,
        u8,
        6,
        "ConsentScreen",
        "0..=63"
    );
    int_field!(
        vendor_list_version,
        set_vendor_list_version,
        u16,
        12,
        "VendorListVersion",
        "0..=4095"
    );
    int_field!(
        policy_version,
        set_policy_version,
        u8,
        6,
        "TcfPolicyVersion",
        "0..=63"
    );

    /// `ConsentLanguage`: two uppercase letters (ISO 639-1).
    #[must_use]
    pub fn consent_language(&self) -> &str {
        std::str::from_utf8(&self.consent_language).unwrap_or_default()
    }

    /// Sets `ConsentLanguage` from two ASCII letters (either case).
    ///
    /// # Errors
    ///
    /// [`ValueError`] for anything else.
    pub fn set_consent_language(&mut self, code: &str) -> Result<(), ValueError> {
        self.consent_language = letters("ConsentLanguage", code)?;
        Ok(())
    }

    /// `PublisherCC`: two uppercase letters (ISO 3166-1 alpha-2).
    #[must_use]
    pub fn publisher_cc(&self) -> &str {
        std::str::from_utf8(&self.publisher_cc).unwrap_or_default()
    }

    /// Sets `PublisherCC` from two ASCII letters (either case).
    ///
    /// # Errors
    ///
    /// [`ValueError`] for anything else.
    pub fn set_publisher_cc(&mut self, code: &str) -> Result<(), ValueError> {
        self.publisher_cc = letters("PublisherCC", code)?;
        Ok(())
    }

    bool_field!(
        is_service_specific,
        set_is_service_specific,
        "IsServiceSpecific"
    );
    bool_field!(
        use_non_standard_texts,
        set_use_non_standard_texts,
        "UseNonStandardTexts"
    );
    bool_field!(
        purpose_one_treatment,
        set_purpose_one_treatment,
        "PurposeOneTreatment"
    );

    /// `SpecialFeatureOptIns`.
    #[must_use]
    pub const fn special_feature_optins(&self) -> SpecialFeatureSet {
        self.special_feature_optins
    }

    /// `SpecialFeatureOptIns`, to change.
    pub const fn special_feature_optins_mut(&mut self) -> &mut SpecialFeatureSet {
        &mut self.special_feature_optins
    }

    /// `PurposesConsent`.
    #[must_use]
    pub const fn purposes_consent(&self) -> PurposeSet {
        self.purposes_consent
    }

    /// `PurposesConsent`, to change.
    pub const fn purposes_consent_mut(&mut self) -> &mut PurposeSet {
        &mut self.purposes_consent
    }

    /// `PurposesLITransparency`.
    #[must_use]
    pub const fn purposes_li_transparency(&self) -> PurposeSet {
        self.purposes_li_transparency
    }

    /// `PurposesLITransparency`, to change.
    pub const fn purposes_li_transparency_mut(&mut self) -> &mut PurposeSet {
        &mut self.purposes_li_transparency
    }

    set_field!(
        vendor_consents,
        vendor_consents_mut,
        VendorSet,
        "VendorConsents"
    );
    set_field!(
        vendor_legitimate_interests,
        vendor_legitimate_interests_mut,
        VendorSet,
        "VendorLegitimateInterests"
    );
    set_field!(
        disclosed_vendors,
        disclosed_vendors_mut,
        Option<VendorSet>,
        "DisclosedVendors segment (`None`: absent)"
    );
    set_field!(
        allowed_vendors,
        allowed_vendors_mut,
        Option<VendorSet>,
        "AllowedVendors segment (TCF 2.0; removed in 2.2; `None`: absent)"
    );
    set_field!(
        publisher_tc,
        publisher_tc_mut,
        Option<PublisherTc>,
        "Publisher TC segment (`None`: absent)"
    );

    /// `PubRestrictionEntry`s, in string order.
    #[must_use]
    pub fn publisher_restrictions(&self) -> &[PublisherRestriction] {
        &self.publisher_restrictions
    }

    /// Appends a publisher restriction.
    ///
    /// # Errors
    ///
    /// [`ValueError`] past [`MAX_RESTRICTIONS`].
    pub fn push_publisher_restriction(
        &mut self,
        restriction: PublisherRestriction,
    ) -> Result<(), ValueError> {
        if self.publisher_restrictions.len() >= MAX_RESTRICTIONS {
            return Err(ValueError::new(
                "publisher restriction count",
                self.publisher_restrictions.len() as u64 + 1,
                "at most 4095",
            ));
        }
        self.publisher_restrictions.push(restriction);
        Ok(())
    }

    /// Removes every publisher restriction.
    pub fn clear_publisher_restrictions(&mut self) {
        self.publisher_restrictions.clear();
    }
}

impl FromStr for TcString {
    type Err = DecodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TcString::decode(s)
    }
}

/// The canonical encoding.
impl fmt::Display for TcString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

fn from_deciseconds(ds: u64) -> OffsetDateTime {
    // ds < 2^36: the milliseconds fit an i64.
    let ms = i64::try_from(ds)
        .unwrap_or(i64::MAX / 100)
        .saturating_mul(100);
    OffsetDateTime::UNIX_EPOCH.saturating_add(time::Duration::milliseconds(ms))
}

/// Deciseconds since the epoch, `u64::MAX` before it (so it is refused).
fn to_deciseconds(at: OffsetDateTime) -> u64 {
    let ds = at.unix_timestamp_nanos().div_euclid(100_000_000);
    u64::try_from(ds).unwrap_or(u64::MAX)
}

fn check_deciseconds(field: &'static str, ds: u64) -> Result<u64, ValueError> {
    if ds > MAX_DECISECONDS {
        return Err(ValueError::new(
            field,
            ds,
            "0..=68719476735 deciseconds since 1970",
        ));
    }
    Ok(ds)
}

fn letters(field: &'static str, code: &str) -> Result<[u8; 2], ValueError> {
    match code.as_bytes() {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Ok([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
        }
        _ => Err(ValueError {
            field,
            value: code
                .chars()
                .take(16)
                .flat_map(char::escape_default)
                .collect(),
            expected: "two ASCII letters",
        }),
    }
}
