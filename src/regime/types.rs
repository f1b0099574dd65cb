//! The vocabulary of regimes: kinds of purpose, mechanisms, conditions,
//! signals, objections. Small `Copy` enums, serialized by snake_case name.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The kinds of purpose that regimes treat differently.
///
/// A catalog's purpose maps to one kind; the regime then says, per kind,
/// what the law requires (see [`Regime::rule`](crate::regime::Regime::rule)).
///
/// # Examples
///
/// ```
/// use consentry::regime::PurposeKind;
/// assert_eq!(PurposeKind::ALL.len(), 7);
/// assert_eq!(PurposeKind::TargetedAdvertising.name(), "targeted_advertising");
/// ```
///
/// More kinds may come (a regime's rules grow with them), so the enum is
/// `#[non_exhaustive]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PurposeKind {
    /// Sale of personal data (disclosure to a third party for money or
    /// other valuable consideration; Cal. Civ. Code §1798.140(ad)).
    Sale,
    /// Sharing for cross-context behavioural advertising, "targeted
    /// advertising" in most US state laws (Cal. Civ. Code §1798.140(ah)).
    TargetedAdvertising,
    /// Profiling or automated decisions with legal or similarly significant
    /// effects (GDPR Art. 22; Va. Code §59.1-577(A)(5)(iii)).
    Profiling,
    /// Direct marketing to the person (e-mail, SMS, post, calls).
    DirectMarketing,
    /// Processing of sensitive data (GDPR Art. 9 special categories, CPRA
    /// sensitive personal information).
    SensitiveData,
    /// What is strictly necessary for the service the person asked for.
    StrictlyNecessary,
    /// Everything else (analytics, personalisation, product improvement).
    Other,
}

impl PurposeKind {
    /// Every kind, in the order of their index.
    pub const ALL: [PurposeKind; 7] = [
        PurposeKind::Sale,
        PurposeKind::TargetedAdvertising,
        PurposeKind::Profiling,
        PurposeKind::DirectMarketing,
        PurposeKind::SensitiveData,
        PurposeKind::StrictlyNecessary,
        PurposeKind::Other,
    ];

    /// The number of kinds.
    pub const COUNT: usize = 7;

    /// Its dense index, `0..COUNT`, in the order of [`PurposeKind::ALL`].
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Its serialized name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            PurposeKind::Sale => "sale",
            PurposeKind::TargetedAdvertising => "targeted_advertising",
            PurposeKind::Profiling => "profiling",
            PurposeKind::DirectMarketing => "direct_marketing",
            PurposeKind::SensitiveData => "sensitive_data",
            PurposeKind::StrictlyNecessary => "strictly_necessary",
            PurposeKind::Other => "other",
        }
    }

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for PurposeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of [`PurposeKind`]s (one bit each), serialized as a list of names.
///
/// # Examples
///
/// ```
/// use consentry::regime::{KindSet, PurposeKind};
/// let ads = KindSet::of(&[PurposeKind::Sale, PurposeKind::TargetedAdvertising]);
/// assert!(ads.contains(PurposeKind::Sale));
/// assert!(!ads.contains(PurposeKind::Other));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KindSet(u8);

impl KindSet {
    /// No kind.
    pub const EMPTY: KindSet = KindSet(0);

    /// Sale and targeted advertising: what opt-out signals cover in every
    /// US state law that makes them binding.
    pub const SALE_AND_ADS: KindSet =
        KindSet::of(&[PurposeKind::Sale, PurposeKind::TargetedAdvertising]);

    /// The set of the kinds given.
    #[must_use]
    pub const fn of(kinds: &[PurposeKind]) -> KindSet {
        let mut bits = 0u8;
        let mut rest = kinds;
        // Slice patterns: const fns cannot use iterators or `get`.
        while let [k, tail @ ..] = rest {
            bits |= k.bit();
            rest = tail;
        }
        KindSet(bits)
    }

    /// Whether `kind` is in the set.
    #[must_use]
    pub const fn contains(self, kind: PurposeKind) -> bool {
        self.0 & kind.bit() != 0
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The union of two sets.
    #[must_use]
    pub const fn union(self, other: KindSet) -> KindSet {
        KindSet(self.0 | other.0)
    }

    /// The kinds in the set, in index order.
    pub fn iter(self) -> impl Iterator<Item = PurposeKind> {
        // Set bits only, lowest first (the order of `PurposeKind::ALL`).
        let mut bits = self.0;
        std::iter::from_fn(move || {
            let i = bits.trailing_zeros();
            bits &= bits.wrapping_sub(1);
            PurposeKind::ALL.get(i as usize).copied()
        })
    }
}

impl Serialize for KindSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for KindSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let kinds = Vec::<PurposeKind>::deserialize(d)?;
        Ok(KindSet::of(&kinds))
    }
}

/// How the law lets processing of a kind happen.
///
/// Ordered from least to most protective; the order is what
/// [`Regime::most_protective`](crate::regime::Regime::most_protective) uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    /// Permitted; a notice at collection suffices and there is no right to
    /// say no to this kind.
    NoticeOnly,
    /// Permitted until the person opts out (or objects).
    OptOut,
    /// Denied until the person consents.
    OptIn,
    /// Denied unless a stronger condition holds: explicit consent, or
    /// consent given by (or with) a parent; [`Condition`] says which.
    Conditional,
    /// Denied whatever the consent: a ban that no consent lifts.
    Prohibited,
}

impl Mechanism {
    /// Every mechanism, from least to most protective.
    pub const ALL: [Mechanism; 5] = [
        Mechanism::NoticeOnly,
        Mechanism::OptOut,
        Mechanism::OptIn,
        Mechanism::Conditional,
        Mechanism::Prohibited,
    ];

    /// Its serialized name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Mechanism::NoticeOnly => "notice_only",
            Mechanism::OptOut => "opt_out",
            Mechanism::OptIn => "opt_in",
            Mechanism::Conditional => "conditional",
            Mechanism::Prohibited => "prohibited",
        }
    }

    /// Whether processing may happen while the person has said nothing.
    #[must_use]
    pub const fn permits_silence(self) -> bool {
        matches!(self, Mechanism::NoticeOnly | Mechanism::OptOut)
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What must hold besides the [`Mechanism`], or why the mechanism differs
/// from the adult default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Condition {
    /// Nothing more.
    None,
    /// Opt-in consent required because the person is a minor, where adults
    /// have an opt-out (e.g. Cal. Civ. Code §1798.120(c), ages 13 to 15).
    MinorOptIn,
    /// Explicit consent (GDPR Art. 9(2)(a), Art. 22(2)(c); LGPD Art. 11 I).
    ExplicitConsent,
    /// Consent given or authorised by a holder of parental responsibility
    /// (GDPR Art. 8(1), COPPA 16 CFR §312.5, LGPD Art. 14 §1).
    ParentalConsent,
    /// Consent given jointly by the child and a parent: a parent alone is
    /// not enough (France, Loi 78-17 art. 45).
    JointConsent,
    /// Only produced by evaluation, never stored in a rule: an opt-out
    /// preference signal opts the person out of this kind.
    OptedOutBySignal,
}

impl Condition {
    /// Every condition, in declaration order.
    pub const ALL: [Condition; 6] = [
        Condition::None,
        Condition::MinorOptIn,
        Condition::ExplicitConsent,
        Condition::ParentalConsent,
        Condition::JointConsent,
        Condition::OptedOutBySignal,
    ];

    /// Its serialized name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Condition::None => "none",
            Condition::MinorOptIn => "minor_opt_in",
            Condition::ExplicitConsent => "explicit_consent",
            Condition::ParentalConsent => "parental_consent",
            Condition::JointConsent => "joint_consent",
            Condition::OptedOutBySignal => "opted_out_by_signal",
        }
    }

    /// Whether `self` may be stored with `mechanism` in a rule.
    pub(crate) const fn fits(self, mechanism: Mechanism) -> bool {
        match mechanism {
            Mechanism::NoticeOnly | Mechanism::OptOut | Mechanism::Prohibited => {
                matches!(self, Condition::None)
            }
            Mechanism::OptIn => matches!(self, Condition::None | Condition::MinorOptIn),
            Mechanism::Conditional => matches!(
                self,
                Condition::ExplicitConsent | Condition::ParentalConsent | Condition::JointConsent
            ),
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether an opt-out preference signal (Global Privacy Control, `Sec-GPC: 1`)
/// came with the request or is recorded for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Signal {
    /// No signal.
    #[default]
    Absent,
    /// A signal is present.
    Present,
}

/// Whether the law makes the opt-out signal binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// The law does not require honouring the signal: the host chooses
    /// ([`UnboundSignal`]).
    NotBinding,
    /// The signal is a valid opt-out of the covered kinds.
    Binding,
}

/// What the host does with a signal that the law does not make binding.
///
/// The default is [`UnboundSignal::Honour`]: honouring an opt-out is always
/// lawful, and it is what the ledger already does with a recorded global
/// opt-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnboundSignal {
    /// Treat it as an opt-out of the covered kinds anyway.
    #[default]
    Honour,
    /// Ignore it.
    Ignore,
}

/// What wins when, after an opt-out signal, the person opts in on the site.
///
/// Ordered from least to most protective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precedence {
    /// A later consent given on the site takes precedence over the signal
    /// (Colorado, C.R.S. §6-1-1306(1)(a)(IV)(C)).
    LaterConsentWins,
    /// The signal is honoured first, including over an earlier site-specific
    /// choice; the business may then tell the person of the conflict, and
    /// only a consent given *after* that notice wins (California, 11 CCR
    /// §7025(c)(3); Connecticut, Conn. Gen. Stat. §42-520(e)).
    ConfirmedAfterNotice,
    /// Nothing on the site overrides the signal.
    SignalWins,
}

/// How far an objection reaches (GDPR Art. 21).
///
/// Ordered from least to most protective.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Objection {
    /// No right to object to this kind under the regime (an opt-out right,
    /// if any, is the [`Mechanism`]).
    #[default]
    None,
    /// The person may object; the controller may go on if it shows
    /// compelling legitimate grounds (GDPR Art. 21(1)).
    Qualified,
    /// An objection always stops the processing (GDPR Art. 21(2)-(3)).
    Absolute,
}

/// The status of the opt-out signal in a [`RegimeRule`](crate::regime::RegimeRule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignalStatus {
    /// No signal.
    Absent,
    /// A signal, but the regime's signal rule does not cover this kind, or
    /// the rule is already stricter than an opt-out.
    NotApplicable,
    /// A binding signal opts the person out of this kind.
    Binding,
    /// A signal the law does not make binding, honoured by the host's
    /// choice ([`UnboundSignal::Honour`], the default).
    HonouredByChoice,
    /// A signal the law does not make binding, ignored by the host's choice.
    IgnoredByChoice,
}
