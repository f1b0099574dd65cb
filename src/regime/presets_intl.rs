//! EU/EEA (GDPR and the ePrivacy Directive, one preset per country for the
//! age of digital consent), the United Kingdom and Brazil, and the lookup by
//! jurisdiction code.

use time::Month;

use super::eval::Regime;
use super::rules::{KindRule, SignalRule, Step, ymd};
use super::types::{Binding, Condition, KindSet, Mechanism, Objection, Precedence, UnboundSignal};

use Mechanism::{Conditional, NoticeOnly, OptIn, OptOut, Prohibited};

/// The age of digital consent (GDPR Art. 8(1)) per EU/EEA country: below
/// it, a holder of parental responsibility consents (France: jointly with
/// the child). 16 unless a member state set 13 to 15 by law.
///
/// Ages of the EU member states as tabled by the European Commission (Staff
/// Working Document SWD(2020) 115 accompanying its two-year GDPR review,
/// p. 17) and the Bird & Bird GDPR tracker, which also names the national
/// sections cited; Slovenia (ZVOP-2, 2022) and the EEA states Iceland,
/// Liechtenstein and Norway are as commonly reported, marked "(verify)".
pub const DIGITAL_CONSENT_AGES: [(&str, u8, &str); 30] = [
    ("AT", 14, "GDPR Art. 8(1); Austria DSG §4(4): 14"),
    (
        "BE",
        13,
        "GDPR Art. 8(1); Belgium Law of 30 July 2018 art. 7: 13",
    ),
    (
        "BG",
        14,
        "GDPR Art. 8(1); Bulgaria: 14 (European Commission SWD(2020) 115, p. 17)",
    ),
    (
        "CY",
        14,
        "GDPR Art. 8(1); Cyprus Law 125(I)/2018: 14 (European Commission SWD(2020) 115, p. 17)",
    ),
    ("CZ", 15, "GDPR Art. 8(1); Czech Act 110/2019 §7: 15"),
    ("DE", 16, "GDPR Art. 8(1): 16 (Germany sets no other age)"),
    (
        "DK",
        13,
        "GDPR Art. 8(1); Denmark Databeskyttelsesloven §6(2): 13",
    ),
    (
        "EE",
        13,
        "GDPR Art. 8(1); Estonia IKS §8: 13 (European Commission SWD(2020) 115, p. 17)",
    ),
    ("ES", 14, "GDPR Art. 8(1); Spain LOPDGDD art. 7: 14"),
    ("FI", 13, "GDPR Art. 8(1); Finland Tietosuojalaki §5: 13"),
    (
        "FR",
        15,
        "GDPR Art. 8(1); France Loi 78-17 art. 45: under 15, consent jointly by the minor and a holder of parental authority",
    ),
    (
        "GR",
        15,
        "GDPR Art. 8(1); Greece Law 4624/2019 art. 21: 15 (European Commission SWD(2020) 115, p. 17)",
    ),
    (
        "HR",
        16,
        "GDPR Art. 8(1): 16 (Croatia; European Commission SWD(2020) 115, p. 17)",
    ),
    ("HU", 16, "GDPR Art. 8(1): 16 (Hungary sets no other age)"),
    (
        "IE",
        16,
        "GDPR Art. 8(1); Ireland Data Protection Act 2018 s.31: 16",
    ),
    (
        "IS",
        13,
        "GDPR Art. 8(1) (EEA); Iceland Act 90/2018: 13 (verify)",
    ),
    (
        "IT",
        14,
        "GDPR Art. 8(1); Italy Codice privacy art. 2-quinquies: 14",
    ),
    ("LI", 16, "GDPR Art. 8(1) (EEA): 16 (Liechtenstein, verify)"),
    (
        "LT",
        14,
        "GDPR Art. 8(1); Lithuania: 14 (European Commission SWD(2020) 115, p. 17)",
    ),
    (
        "LU",
        16,
        "GDPR Art. 8(1): 16 (Luxembourg; European Commission SWD(2020) 115, p. 17)",
    ),
    (
        "LV",
        13,
        "GDPR Art. 8(1); Latvia: 13 (European Commission SWD(2020) 115, p. 17)",
    ),
    (
        "MT",
        13,
        "GDPR Art. 8(1); Malta: 13 (European Commission SWD(2020) 115, p. 17)",
    ),
    ("NL", 16, "GDPR Art. 8(1); Netherlands UAVG art. 5: 16"),
    (
        "NO",
        13,
        "GDPR Art. 8(1) (EEA); Norway personopplysningsloven §5: 13 (verify)",
    ),
    ("PL", 16, "GDPR Art. 8(1): 16 (Poland sets no other age)"),
    (
        "PT",
        13,
        "GDPR Art. 8(1); Portugal Lei 58/2019 art. 16: 13 (European Commission SWD(2020) 115, p. 17)",
    ),
    (
        "RO",
        16,
        "GDPR Art. 8(1): 16 (Romania; European Commission SWD(2020) 115, p. 17)",
    ),
    ("SE", 13, "GDPR Art. 8(1); Sweden Dataskyddslagen 2:4: 13"),
    (
        "SI",
        15,
        "GDPR Art. 8(1); Slovenia ZVOP-2 art. 8: 15 (verify)",
    ),
    ("SK", 16, "GDPR Art. 8(1); Slovakia Act 18/2018 §15: 16"),
];

/// Whether `country` (ISO 3166-1 alpha-2, upper case) is an EU or other EEA
/// state: one of [`DIGITAL_CONSENT_AGES`].
pub(crate) fn is_eea_country(country: &str) -> bool {
    DIGITAL_CONSENT_AGES.iter().any(|(c, _, _)| *c == country)
}

const DSA_MINORS: &str = "Digital Services Act (EU) 2022/2065 Art. 28(2): no profiling-based ads to a known minor on an online platform";
const ART21_1: &str =
    "GDPR Art. 21(1): objection to processing on legitimate interest or public task";
const ART21_2: &str = "GDPR Art. 21(2)-(3): objection to direct marketing is absolute";

fn step(mechanism: Mechanism, source: &'static str) -> Step {
    Step::fixed(mechanism, Condition::None, source)
}

/// Texts that differ between the EU and the UK.
struct Texts {
    sale: &'static str,
    ads: &'static str,
    profiling: &'static str,
    marketing: &'static str,
    sensitive: &'static str,
    necessary: &'static str,
    other: &'static str,
    signal: &'static str,
}

const EU: Texts = Texts {
    sale: "GDPR Art. 6(1)(a): consent to disclose personal data to third parties",
    ads: "ePrivacy Directive 2002/58/EC Art. 5(3); GDPR Art. 6(1)(a): consent for tracking and targeted ads",
    profiling: "GDPR Art. 22(1), (2)(c): solely automated decisions with legal or similar effects need explicit consent",
    marketing: "ePrivacy Directive 2002/58/EC Art. 13(1): prior consent to electronic direct marketing",
    sensitive: "GDPR Art. 9(2)(a): explicit consent for special categories",
    necessary: "ePrivacy Directive 2002/58/EC Art. 5(3): strictly necessary for the service asked for; GDPR Art. 13 notice",
    other: "GDPR Art. 6(1)(a); ePrivacy Directive 2002/58/EC Art. 5(3): consent",
    signal: "GDPR Art. 21(5): an objection may be made by automated means; no rule makes a browser signal binding",
};

const UK: Texts = Texts {
    sale: "UK GDPR Art. 6(1)(a): consent to disclose personal data to third parties",
    ads: "PECR 2003 reg. 6; UK GDPR Art. 6(1)(a): consent for tracking and targeted ads",
    profiling: "UK GDPR Art. 22(1), (2)(c): solely automated decisions with legal or similar effects need explicit consent",
    marketing: "PECR 2003 reg. 22: prior consent to electronic direct marketing",
    sensitive: "UK GDPR Art. 9(2)(a): explicit consent for special categories",
    necessary: "PECR 2003 reg. 6(4): strictly necessary for the service asked for; UK GDPR Art. 13 notice",
    other: "UK GDPR Art. 6(1)(a); PECR 2003 reg. 6: consent",
    signal: "UK GDPR Art. 21(5): an objection may be made by automated means; no rule makes a browser signal binding",
};

/// A GDPR-family regime with `age` as the age of digital consent.
fn gdpr_family(
    code: &'static str,
    name: &'static str,
    texts: &Texts,
    age: u8,
    child: Step,
    minors_ads_ban: bool,
) -> Regime {
    let with_child = |rule: KindRule| rule.tier(age, child.clone());
    let mut ads = KindRule::fixed(step(OptIn, texts.ads));
    if minors_ads_ban {
        ads = ads.tier(
            18,
            step(Prohibited, DSA_MINORS).from(ymd(2024, Month::February, 17)),
        );
    }
    let (art21_1, art21_2) = if texts.sale.starts_with("UK") {
        (
            "UK GDPR Art. 21(1): objection to processing on legitimate interest or public task",
            "UK GDPR Art. 21(2)-(3): objection to direct marketing is absolute",
        )
    } else {
        (ART21_1, ART21_2)
    };
    Regime {
        code: code.into(),
        name: name.into(),
        kinds: [
            with_child(KindRule::fixed(step(OptIn, texts.sale))),
            with_child(ads),
            with_child(KindRule::fixed(Step::fixed(
                Conditional,
                Condition::ExplicitConsent,
                texts.profiling,
            )))
            .object(Objection::Qualified, art21_1),
            with_child(KindRule::fixed(step(OptIn, texts.marketing)))
                .object(Objection::Absolute, art21_2),
            with_child(KindRule::fixed(Step::fixed(
                Conditional,
                Condition::ExplicitConsent,
                texts.sensitive,
            ))),
            KindRule::fixed(step(NoticeOnly, texts.necessary)),
            with_child(KindRule::fixed(step(OptIn, texts.other)))
                .object(Objection::Qualified, art21_1),
        ],
        signal: SignalRule::fixed(
            Binding::NotBinding,
            KindSet::SALE_AND_ADS,
            Precedence::LaterConsentWins,
            texts.signal,
        ),
        unbound_signal: UnboundSignal::Honour,
        cooldown: None,
    }
}

impl Regime {
    /// The GDPR and the ePrivacy Directive for an EU/EEA country (ISO 3166-1
    /// alpha-2, e.g. `"FR"`), with its age of digital consent
    /// ([`DIGITAL_CONSENT_AGES`]); `None` for any other code.
    ///
    /// Opt-in consent for sale, targeted ads, marketing and other purposes
    /// (Art. 6(1)(a); ePrivacy Art. 5(3), 13(1)); explicit consent for
    /// special categories (Art. 9(2)(a)) and solely automated decisions
    /// (Art. 22(2)(c)); a parent's consent below the age of digital consent
    /// (Art. 8(1)); no profiling-based ads to minors on online platforms
    /// (DSA Art. 28(2)); objection to direct marketing is absolute
    /// (Art. 21(2)-(3)). No cooldown: regulators' re-asking periods are
    /// guidance (CNIL 2020: keep a refusal about 6 months), not rules.
    #[must_use]
    pub fn gdpr(country: &str) -> Option<Regime> {
        let (code, age, source) = DIGITAL_CONSENT_AGES
            .iter()
            .find(|(c, _, _)| c.eq_ignore_ascii_case(country))?;
        let child = if *code == "FR" {
            Step::fixed(Conditional, Condition::JointConsent, source)
        } else {
            Step::fixed(Conditional, Condition::ParentalConsent, source)
        };
        Some(gdpr_family(
            code,
            "EU/EEA (GDPR and ePrivacy Directive)",
            &EU,
            *age,
            child,
            true,
        ))
    }

    /// The United Kingdom: UK GDPR, the Data Protection Act 2018 and PECR.
    /// The age of digital consent is 13 (UK GDPR Art. 8(1) as amended by
    /// DPA 2018 s.9); otherwise as [`Regime::gdpr`] without the EU's Digital
    /// Services Act.
    #[must_use]
    pub fn united_kingdom() -> Regime {
        let child = Step::fixed(
            Conditional,
            Condition::ParentalConsent,
            "UK GDPR Art. 8(1) (DPA 2018 s.9): a parent's consent under 13",
        );
        gdpr_family(
            "GB",
            "United Kingdom (UK GDPR, DPA 2018, PECR)",
            &UK,
            13,
            child,
            false,
        )
    }

    /// Brazil: LGPD (Lei 13.709/2018) and the ECA Digital (Lei 15.211/2025).
    ///
    /// Consent for specific purposes (Art. 7 I, Art. 8), a specific consent
    /// to share with other controllers (Art. 7 §5); specific and highlighted
    /// consent for sensitive data (Art. 11 I); a parent's specific and
    /// highlighted consent under 12 (Art. 14 §1); direct marketing on
    /// legitimate interest with a right to oppose (Art. 10 I, Art. 18 §2);
    /// review of automated decisions (Art. 20); no profiling-based ads to
    /// children and adolescents from 17 March 2026 (ECA Digital).
    #[must_use]
    pub fn brazil() -> Regime {
        const CHILD: &str =
            "LGPD Art. 14 §1: under 12, specific and highlighted consent of at least one parent";
        const OPPOSE: &str =
            "LGPD Art. 18 §2: opposition to processing on a basis other than consent";
        let with_child = |rule: KindRule| {
            rule.tier(
                12,
                Step::fixed(Conditional, Condition::ParentalConsent, CHILD),
            )
        };
        let ads = KindRule::fixed(step(OptIn, "LGPD Art. 7 I, Art. 8: consent for a specific purpose"))
            .tier(
                18,
                step(Prohibited, "Lei 15.211/2025 (ECA Digital): no profiling-based advertising to children and adolescents")
                    .from(ymd(2026, Month::March, 17)),
            );
        Regime {
            code: "BR".into(),
            name: "Brazil (LGPD)".into(),
            kinds: [
                with_child(KindRule::fixed(step(
                    OptIn,
                    "LGPD Art. 7 I, Art. 7 §5: specific consent to share with other controllers",
                ))),
                with_child(ads),
                with_child(KindRule::fixed(step(
                    NoticeOnly,
                    "LGPD Art. 20: right to review of automated decisions",
                )))
                .object(Objection::Qualified, OPPOSE),
                with_child(KindRule::fixed(step(
                    OptOut,
                    "LGPD Art. 7 IX, Art. 10 I: legitimate interest, opposable",
                )))
                .object(Objection::Qualified, OPPOSE),
                with_child(KindRule::fixed(Step::fixed(
                    Conditional,
                    Condition::ExplicitConsent,
                    "LGPD Art. 11 I: specific and highlighted consent for sensitive data",
                ))),
                KindRule::fixed(step(
                    NoticeOnly,
                    "LGPD Art. 7 V: necessary to perform a contract",
                )),
                with_child(KindRule::fixed(step(OptIn, "LGPD Art. 7 I: consent")))
                    .object(Objection::Qualified, OPPOSE),
            ],
            signal: SignalRule::fixed(
                Binding::NotBinding,
                KindSet::SALE_AND_ADS,
                Precedence::LaterConsentWins,
                "LGPD: no opt-out signal rule (the host's choice)",
            ),
            unbound_signal: UnboundSignal::Honour,
            cooldown: None,
        }
    }

    /// The preset for a jurisdiction code: ISO 3166-1 alpha-2 (`"FR"`,
    /// `"BR"`, `"GB"`) or ISO 3166-2 (`"US-CA"`, `"ES-CT"`), any case.
    ///
    /// A subdivision of a country whose law is national gets the country's
    /// regime; a US state without a preset, and `"US"`, get [`Regime::coppa`].
    /// Maine's broadband law applies to internet service providers only:
    /// see [`Regime::for_broadband_provider`]. `None` when no preset applies:
    /// use [`Regime::most_protective`] of the presets.
    ///
    /// # Examples
    ///
    /// ```
    /// use consentry::regime::Regime;
    /// assert_eq!(Regime::for_jurisdiction("us-ca").unwrap().code(), "US-CA");
    /// assert_eq!(Regime::for_jurisdiction("FR-75").unwrap().code(), "FR");
    /// assert_eq!(Regime::for_jurisdiction("US-NY").unwrap().code(), "US");
    /// assert!(Regime::for_jurisdiction("JP").is_none());
    /// ```
    #[must_use]
    pub fn for_jurisdiction(code: &str) -> Option<Regime> {
        let code = code.trim();
        let (country, subdivision) = match code.split_once('-') {
            Some((c, s)) => (c, Some(s)),
            None => (code, None),
        };
        if country.len() != 2 || subdivision.is_some_and(|s| s.is_empty() || s.len() > 3) {
            return None;
        }
        if country.eq_ignore_ascii_case("US") {
            let state = subdivision.map(str::to_ascii_uppercase);
            return Some(match state.as_deref() {
                Some("CA") => Regime::california(),
                Some("VA") => Regime::virginia(),
                Some("CO") => Regime::colorado(),
                Some("CT") => Regime::connecticut(),
                Some("UT") => Regime::utah(),
                Some("TX") => Regime::texas(),
                Some("OR") => Regime::oregon(),
                _ => Regime::coppa(),
            });
        }
        if country.eq_ignore_ascii_case("GB") || country.eq_ignore_ascii_case("UK") {
            return Some(Regime::united_kingdom());
        }
        if country.eq_ignore_ascii_case("BR") {
            return Some(Regime::brazil());
        }
        Regime::gdpr(country)
    }

    /// [`Regime::for_jurisdiction`] for an internet service provider: Maine
    /// (`"US-ME"`) gets [`Regime::maine_broadband`], every other code its
    /// usual preset.
    #[must_use]
    pub fn for_broadband_provider(code: &str) -> Option<Regime> {
        if code.trim().eq_ignore_ascii_case("US-ME") {
            return Some(Regime::maine_broadband());
        }
        Regime::for_jurisdiction(code)
    }

    /// Every shipped preset: each EU/EEA country, the UK, Brazil, the US
    /// states, Maine's broadband law and COPPA.
    #[must_use]
    pub fn presets() -> Vec<Regime> {
        let mut all: Vec<Regime> = DIGITAL_CONSENT_AGES
            .iter()
            .filter_map(|(c, _, _)| Regime::gdpr(c))
            .collect();
        all.extend([
            Regime::united_kingdom(),
            Regime::brazil(),
            Regime::california(),
            Regime::virginia(),
            Regime::colorado(),
            Regime::connecticut(),
            Regime::utah(),
            Regime::texas(),
            Regime::oregon(),
            Regime::maine_broadband(),
            Regime::coppa(),
        ]);
        all
    }
}
