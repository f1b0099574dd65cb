//! United States presets: California, Virginia, Colorado, Connecticut, Utah,
//! Texas, Oregon, Maine's broadband privacy law, and COPPA.
//!
//! Each step names the section it comes from, next to it. Federal COPPA
//! applies to every US person, so each state preset ends its age tiers with
//! COPPA's parental consent under 13 (the first matching tier wins, so a
//! state's own rule for the same ages comes first).

use time::Month;

use super::eval::Regime;
use super::rules::{Cooldown, KindRule, SignalRule, Step, ymd};
use super::types::{
    Binding, Condition, KindSet, Mechanism, Precedence, PurposeKind, UnboundSignal,
};

use Mechanism::{Conditional, NoticeOnly, OptIn, OptOut, Prohibited};

fn step(mechanism: Mechanism, source: &'static str) -> Step {
    Step::fixed(mechanism, Condition::None, source)
}

fn parental(source: &'static str) -> Step {
    Step::fixed(Conditional, Condition::ParentalConsent, source)
}

fn minor_opt_in(source: &'static str) -> Step {
    Step::fixed(OptIn, Condition::MinorOptIn, source)
}

/// COPPA: verifiable parental consent before collecting, using or
/// disclosing a child's personal information online.
const COPPA_VPC: &str = "COPPA, 16 CFR §312.5(a)(1): verifiable parental consent under 13";
/// The 2025 amendments: a separate consent to disclose to third parties
/// (targeted advertising included); compliance from 22 April 2026.
const COPPA_THIRD_PARTY: &str = "COPPA, 16 CFR §312.5(a)(2) (2025 amendments): separate parental consent to disclose to third parties";
/// E-mail marketing in the US is opt-out (CAN-SPAM).
const CAN_SPAM: &str = "CAN-SPAM Act, 15 U.S.C. §7704(a)(3)-(5): opt-out of commercial e-mail";

/// The kinds COPPA's consent covers (all but what is strictly necessary:
/// support for internal operations, 16 CFR §312.5(c)(7)).
const CHILD_KINDS: [PurposeKind; 6] = [
    PurposeKind::Sale,
    PurposeKind::TargetedAdvertising,
    PurposeKind::Profiling,
    PurposeKind::DirectMarketing,
    PurposeKind::SensitiveData,
    PurposeKind::Other,
];

fn with_coppa(kind: PurposeKind, rule: KindRule) -> KindRule {
    if CHILD_KINDS.contains(&kind) {
        rule.tier(13, parental(COPPA_VPC))
    } else {
        rule
    }
}

/// Assembles a US regime: `rules` in `PurposeKind::ALL` order, COPPA
/// appended to each.
fn us_regime(
    code: &'static str,
    name: &'static str,
    rules: [KindRule; PurposeKind::COUNT],
    signal: SignalRule,
    cooldown: Option<Cooldown>,
) -> Regime {
    let [a, b, c, d, e, f, g] = rules;
    let [ka, kb, kc, kd, ke, kf, kg] = PurposeKind::ALL;
    Regime {
        code: code.into(),
        name: name.into(),
        kinds: [
            with_coppa(ka, a),
            with_coppa(kb, b),
            with_coppa(kc, c),
            with_coppa(kd, d),
            with_coppa(ke, e),
            with_coppa(kf, f),
            with_coppa(kg, g),
        ],
        signal,
        unbound_signal: UnboundSignal::Honour,
        cooldown,
    }
}

fn notice(source: &'static str) -> KindRule {
    KindRule::fixed(step(NoticeOnly, source))
}

impl Regime {
    /// California: CCPA as amended by the CPRA (Cal. Civ. Code §1798.100
    /// ff.) and the CCPA Regulations (11 CCR §7000 ff.).
    ///
    /// Sale and sharing: opt-out (§1798.120(a)); under 16 only with
    /// affirmative authorisation, the consumer's at 13 to 15 and a parent's
    /// under 13 (§1798.120(c)). Sensitive personal information: a right to
    /// limit (§1798.121). Global Privacy Control: a valid opt-out of sale
    /// and sharing (11 CCR §7025(b), (c)(1)); a later consent wins only if
    /// given after the conflict was notified (§7025(c)(3)). After an
    /// opt-out, 12 months before asking again (§1798.135(c)(4)).
    #[must_use]
    pub fn california() -> Regime {
        let sale = |src: &'static str| {
            KindRule::fixed(step(OptOut, src))
                .tier(
                    13,
                    parental("Cal. Civ. Code §1798.120(c): under 13, the parent or guardian affirmatively authorizes"),
                )
                .tier(
                    16,
                    minor_opt_in("Cal. Civ. Code §1798.120(c): 13 to 15, the consumer affirmatively authorizes"),
                )
        };
        us_regime(
            "US-CA",
            "California (CCPA as amended by the CPRA)",
            [
                sale("Cal. Civ. Code §1798.120(a): right to opt out of sale"),
                sale(
                    "Cal. Civ. Code §1798.120(a): right to opt out of sharing for cross-context behavioral advertising",
                ),
                notice(
                    "Cal. Civ. Code §1798.100(a): notice at collection; the ADMT opt-out (11 CCR §7221) applies from 2027-01-01, not encoded",
                ),
                KindRule::fixed(step(OptOut, CAN_SPAM)),
                KindRule::fixed(step(
                    OptOut,
                    "Cal. Civ. Code §1798.121(a): right to limit use of sensitive personal information",
                )),
                notice("Cal. Civ. Code §1798.100(a): notice at collection"),
                notice("Cal. Civ. Code §1798.100(a): notice at collection"),
            ],
            SignalRule::fixed(
                Binding::Binding,
                KindSet::SALE_AND_ADS,
                Precedence::ConfirmedAfterNotice,
                "11 CCR §7025(b), (c)(1): an opt-out preference signal is a valid request to opt out of sale/sharing; (c)(3): it wins over an earlier setting",
            ),
            Some(Cooldown::fixed(
                12,
                KindSet::SALE_AND_ADS,
                "Cal. Civ. Code §1798.135(c)(4): wait at least 12 months before asking to opt back in",
            )),
        )
    }

    /// Virginia: Consumer Data Protection Act (Va. Code §59.1-575 ff.).
    ///
    /// Opt-out of targeted advertising, sale and profiling
    /// (§59.1-577(A)(5)); sensitive data (a known child's data included,
    /// §59.1-575) only with consent, a parent's per COPPA for a known child
    /// (§59.1-578(A)(5)); from 1 January 2025 a known child's targeted ads,
    /// sale and profiling need a parent's consent (2024 amendments, HB 707 /
    /// SB 361). No duty to honour opt-out signals: the host chooses.
    #[must_use]
    pub fn virginia() -> Regime {
        const OPT_OUT: &str = "Va. Code §59.1-577(A)(5): right to opt out of targeted advertising, sale and profiling";
        const CHILD_2025: &str = "Va. Code §59.1-578 (2024 amendments, HB 707/SB 361): a known child's data for targeted ads, sale or profiling needs a parent's consent per COPPA";
        let opt_out = || {
            KindRule::fixed(step(OptOut, OPT_OUT))
                .tier(13, parental(CHILD_2025).from(ymd(2025, Month::January, 1)))
        };
        us_regime(
            "US-VA",
            "Virginia (Consumer Data Protection Act)",
            [
                opt_out(),
                opt_out(),
                opt_out(),
                KindRule::fixed(step(OptOut, CAN_SPAM)),
                KindRule::fixed(step(
                    OptIn,
                    "Va. Code §59.1-578(A)(5): no processing of sensitive data without consent",
                ))
                .tier(
                    13,
                    parental("Va. Code §59.1-578(A)(5): a known child's sensitive data per COPPA"),
                ),
                notice("Va. Code §59.1-578(C): privacy notice"),
                notice("Va. Code §59.1-578(C): privacy notice"),
            ],
            SignalRule::fixed(
                Binding::NotBinding,
                KindSet::SALE_AND_ADS,
                Precedence::LaterConsentWins,
                "Va. Code §59.1-577: no duty to honour an opt-out preference signal (the host's choice)",
            ),
            None,
        )
    }

    /// Colorado: Colorado Privacy Act (C.R.S. §6-1-1301 ff.) and its rules
    /// (4 CCR 904-3).
    ///
    /// Opt-out of targeted advertising, sale and profiling
    /// (§6-1-1306(1)(a)(I)); sensitive data (a known child's data included)
    /// only with consent, a parent's for a child (§6-1-1308(7)); from
    /// 1 October 2025 a known minor's (under 18) targeted ads, sale and
    /// profiling need the minor's consent, a parent's under 13
    /// (§6-1-1308.5, SB 24-041). Universal opt-out mechanisms bind from
    /// 1 July 2024 (§6-1-1306(1)(a)(IV)); a later consent on the site takes
    /// precedence (§6-1-1306(1)(a)(IV)(C)).
    #[must_use]
    pub fn colorado() -> Regime {
        const OPT_OUT: &str = "C.R.S. §6-1-1306(1)(a)(I): right to opt out of targeted advertising, sale and profiling";
        let minors = ymd(2025, Month::October, 1);
        let opt_out = || {
            KindRule::fixed(step(OptOut, OPT_OUT))
                .tier(
                    13,
                    parental("C.R.S. §6-1-1308.5 (SB 24-041): under 13, a parent's consent")
                        .from(minors),
                )
                .tier(
                    18,
                    minor_opt_in("C.R.S. §6-1-1308.5 (SB 24-041): a known minor's consent")
                        .from(minors),
                )
        };
        us_regime(
            "US-CO",
            "Colorado (Colorado Privacy Act)",
            [
                opt_out(),
                opt_out(),
                opt_out(),
                KindRule::fixed(step(OptOut, CAN_SPAM)),
                KindRule::fixed(step(OptIn, "C.R.S. §6-1-1308(7): no processing of sensitive data without consent"))
                    .tier(13, parental("C.R.S. §6-1-1308(7): a known child's data, a parent's consent")),
                notice("C.R.S. §6-1-1308(1): privacy notice"),
                notice("C.R.S. §6-1-1308(1): privacy notice"),
            ],
            SignalRule::fixed(
                Binding::Binding,
                KindSet::SALE_AND_ADS,
                Precedence::LaterConsentWins,
                "C.R.S. §6-1-1306(1)(a)(IV): universal opt-out mechanisms bind; (IV)(C) and 4 CCR 904-3 Rule 5.09: a later consent on the site takes precedence",
            )
            .from(ymd(2024, Month::July, 1)),
            None,
        )
    }

    /// Connecticut: Connecticut Data Privacy Act (Conn. Gen. Stat. §42-515
    /// ff.).
    ///
    /// Opt-out of targeted advertising, sale and profiling (§42-518(a)(5));
    /// sensitive data (a known child's data included) only with consent
    /// (§42-520(a)(4)); from 1 October 2024 a known minor's (under 18)
    /// targeted ads and sale need the minor's consent (§42-529a, P.A.
    /// 23-56), and from 1 July 2026 they are banned whatever the consent
    /// (SB 1295 of 2025). Opt-out preference signals bind from 1 January
    /// 2025; on a conflict with an earlier setting the signal wins, and the
    /// consumer may confirm the setting after being told (§42-520(e)).
    #[must_use]
    pub fn connecticut() -> Regime {
        const OPT_OUT: &str = "Conn. Gen. Stat. §42-518(a)(5): right to opt out of targeted advertising, sale and profiling";
        const MINOR: &str = "Conn. Gen. Stat. §42-529a (P.A. 23-56): a known minor's consent";
        let consent_2024 = ymd(2024, Month::October, 1);
        let ads = || {
            KindRule::fixed(step(OptOut, OPT_OUT))
                .tier(
                    18,
                    step(Prohibited, "Conn. Gen. Stat. §42-529a as amended by SB 1295 (2025): no targeted ads or sale of a known minor's data, whatever the consent")
                        .from(ymd(2026, Month::July, 1)),
                )
                .tier(13, parental("Conn. Gen. Stat. §42-520(a)(4): a known child's data per COPPA"))
                .tier(18, minor_opt_in(MINOR).from(consent_2024))
        };
        us_regime(
            "US-CT",
            "Connecticut (Connecticut Data Privacy Act)",
            [
                ads(),
                ads(),
                KindRule::fixed(step(OptOut, OPT_OUT))
                    .tier(13, parental("Conn. Gen. Stat. §42-520(a)(4): a known child's data per COPPA"))
                    .tier(18, minor_opt_in(MINOR).from(consent_2024)),
                KindRule::fixed(step(OptOut, CAN_SPAM)),
                KindRule::fixed(step(OptIn, "Conn. Gen. Stat. §42-520(a)(4): no processing of sensitive data without consent"))
                    .tier(13, parental("Conn. Gen. Stat. §42-520(a)(4): a known child's data per COPPA")),
                notice("Conn. Gen. Stat. §42-520(c): privacy notice"),
                notice("Conn. Gen. Stat. §42-520(c): privacy notice"),
            ],
            SignalRule::fixed(
                Binding::Binding,
                KindSet::SALE_AND_ADS,
                Precedence::ConfirmedAfterNotice,
                "Conn. Gen. Stat. §42-520(e)(1)(A)(ii): opt-out preference signals bind; on a conflict the signal wins until the consumer confirms the setting",
            )
            .from(ymd(2025, Month::January, 1)),
            None,
        )
    }

    /// Utah: Utah Consumer Privacy Act (Utah Code §13-61-101 ff.).
    ///
    /// Opt-out of targeted advertising and sale (§13-61-201(4)); no right
    /// concerning profiling; sensitive data with notice and an opportunity
    /// to opt out (§13-61-302(3)(a)), a known child's per COPPA
    /// (§13-61-302(3)(b)). No duty to honour opt-out signals.
    #[must_use]
    pub fn utah() -> Regime {
        const OPT_OUT: &str =
            "Utah Code §13-61-201(4): right to opt out of targeted advertising and sale";
        us_regime(
            "US-UT",
            "Utah (Utah Consumer Privacy Act)",
            [
                KindRule::fixed(step(OptOut, OPT_OUT)),
                KindRule::fixed(step(OptOut, OPT_OUT)),
                notice("Utah Code §13-61-302(1): privacy notice; no right to opt out of profiling"),
                KindRule::fixed(step(OptOut, CAN_SPAM)),
                KindRule::fixed(step(OptOut, "Utah Code §13-61-302(3)(a): sensitive data after notice and an opportunity to opt out"))
                    .tier(13, parental("Utah Code §13-61-302(3)(b): a known child's data per COPPA")),
                notice("Utah Code §13-61-302(1): privacy notice"),
                notice("Utah Code §13-61-302(1): privacy notice"),
            ],
            SignalRule::fixed(
                Binding::NotBinding,
                KindSet::SALE_AND_ADS,
                Precedence::LaterConsentWins,
                "Utah Code §13-61-201: no duty to honour an opt-out preference signal (the host's choice)",
            ),
            None,
        )
    }

    /// Texas: Data Privacy and Security Act (Tex. Bus. & Com. Code §541.001
    /// ff.).
    ///
    /// Opt-out of targeted advertising, sale and profiling
    /// (§541.051(b)(5)); sensitive data (a known child's data included)
    /// only with consent, a parent's per COPPA for a known child
    /// (§541.101(b)(4)). Universal opt-out mechanisms bind from 1 January
    /// 2025 (§541.055(e)).
    #[must_use]
    pub fn texas() -> Regime {
        const OPT_OUT: &str = "Tex. Bus. & Com. Code §541.051(b)(5): right to opt out of targeted advertising, sale and profiling";
        us_regime(
            "US-TX",
            "Texas (Data Privacy and Security Act)",
            [
                KindRule::fixed(step(OptOut, OPT_OUT)),
                KindRule::fixed(step(OptOut, OPT_OUT)),
                KindRule::fixed(step(OptOut, OPT_OUT)),
                KindRule::fixed(step(OptOut, CAN_SPAM)),
                KindRule::fixed(step(OptIn, "Tex. Bus. & Com. Code §541.101(b)(4): no processing of sensitive data without consent"))
                    .tier(13, parental("Tex. Bus. & Com. Code §541.101(b)(4): a known child's data per COPPA")),
                notice("Tex. Bus. & Com. Code §541.102: privacy notice"),
                notice("Tex. Bus. & Com. Code §541.102: privacy notice"),
            ],
            SignalRule::fixed(
                Binding::Binding,
                KindSet::SALE_AND_ADS,
                // §541.055(e)-(f) set no conflict rule; the California and
                // Connecticut rule (signal first, confirm after notice) is the
                // protective reading.
                Precedence::ConfirmedAfterNotice,
                "Tex. Bus. & Com. Code §541.055(e): an opt-out sent by a browser or device setting binds (no conflict rule in the statute)",
            )
            .from(ymd(2025, Month::January, 1)),
            None,
        )
    }

    /// Oregon: Oregon Consumer Privacy Act (ORS 646A.570 ff.).
    ///
    /// Opt-out of targeted advertising, sale and profiling
    /// (ORS 646A.574(1)(d)); sensitive data only with consent, a known
    /// child's per COPPA (646A.578(2)(b)); a consumer of 13 to 15 had to
    /// consent to targeted ads, sale and profiling (646A.578(2)(c)), and
    /// from 1 January 2026 these are banned under 16 (HB 2008 of 2025).
    /// Opt-out preference signals bind from 1 January 2026 (646A.578(5)(c)).
    #[must_use]
    pub fn oregon() -> Regime {
        const OPT_OUT: &str =
            "ORS 646A.574(1)(d): right to opt out of targeted advertising, sale and profiling";
        let ads = || {
            KindRule::fixed(step(OptOut, OPT_OUT))
                .tier(
                    16,
                    step(Prohibited, "ORS 646A.578(2)(c) as amended by HB 2008 (2025): no targeted ads, sale or profiling of a known consumer under 16")
                        .from(ymd(2026, Month::January, 1)),
                )
                .tier(13, parental("ORS 646A.578(2)(b): a known child's data per COPPA"))
                .tier(16, minor_opt_in("ORS 646A.578(2)(c) (2023): a consumer of 13 to 15 consents"))
        };
        us_regime(
            "US-OR",
            "Oregon (Oregon Consumer Privacy Act)",
            [
                ads(),
                ads(),
                ads(),
                KindRule::fixed(step(OptOut, CAN_SPAM)),
                KindRule::fixed(step(
                    OptIn,
                    "ORS 646A.578(2)(b): no processing of sensitive data without consent",
                ))
                .tier(
                    13,
                    parental("ORS 646A.578(2)(b): a known child's data per COPPA"),
                ),
                notice("ORS 646A.578(4): privacy notice"),
                notice("ORS 646A.578(4): privacy notice"),
            ],
            SignalRule::fixed(
                Binding::Binding,
                KindSet::SALE_AND_ADS,
                // Conflict rule not read in the statute text: the protective
                // reading, as for Texas.
                Precedence::ConfirmedAfterNotice,
                "ORS 646A.578(5)(c): a signal sent by a platform, technology or mechanism opts out of sale and targeted advertising, from 2026-01-01",
            )
            .from(ymd(2026, Month::January, 1)),
            None,
        )
    }

    /// Maine's broadband privacy law (35-A M.R.S. §9301, in force 1 July
    /// 2020), for internet service providers only: any use, disclosure or
    /// sale of a customer's personal information needs express, affirmative
    /// consent (§9301(3)(A)), except to provide and bill the service
    /// (§9301(4)). Marketing the provider's *own* communications-related
    /// services is also excepted (§9301(4)(B)); the preset treats direct
    /// marketing as opt-in, override it for that case.
    #[must_use]
    pub fn maine_broadband() -> Regime {
        const OPT_IN: &str = "35-A M.R.S. §9301(2), (3)(A): express, affirmative consent to use, disclose or sell customer personal information";
        let opt_in = || KindRule::fixed(step(OptIn, OPT_IN));
        us_regime(
            "US-ME-ISP",
            "Maine broadband providers (35-A M.R.S. §9301)",
            [
                opt_in(),
                opt_in(),
                opt_in(),
                KindRule::fixed(step(
                    OptIn,
                    "35-A M.R.S. §9301(3)(A): consent; own communications-related services are excepted by §9301(4)(B)",
                )),
                opt_in(),
                notice(
                    "35-A M.R.S. §9301(4): providing the service, billing, fraud protection, emergencies",
                ),
                opt_in(),
            ],
            SignalRule::fixed(
                Binding::NotBinding,
                KindSet::SALE_AND_ADS,
                Precedence::LaterConsentWins,
                "35-A M.R.S. §9301: no opt-out signal rule (everything is opt-in already)",
            ),
            None,
        )
    }

    /// COPPA (15 U.S.C. §6501 ff., 16 CFR Part 312), the federal floor for
    /// every US person: verifiable parental consent under 13
    /// (§312.5(a)(1)), and from 22 April 2026 a separate consent to disclose
    /// to third parties (§312.5(a)(2)); support for internal operations
    /// needs none (§312.5(c)(7)). Nothing for adults: notice only.
    #[must_use]
    pub fn coppa() -> Regime {
        const ADULT: &str = "COPPA covers children under 13 only (15 U.S.C. §6501(1))";
        let third_party = || {
            notice(ADULT).tier(
                13,
                parental(COPPA_THIRD_PARTY).from(ymd(2026, Month::April, 22)),
            )
        };
        us_regime(
            "US",
            "United States federal (COPPA)",
            [
                third_party(),
                third_party(),
                notice(ADULT),
                notice(ADULT),
                notice(ADULT),
                notice("16 CFR §312.5(c)(7): support for internal operations needs no consent"),
                notice(ADULT),
            ],
            SignalRule::fixed(
                Binding::NotBinding,
                KindSet::SALE_AND_ADS,
                Precedence::LaterConsentWins,
                "no federal opt-out signal rule (the host's choice)",
            ),
            None,
        )
    }
}
