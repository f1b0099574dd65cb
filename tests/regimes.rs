//! The shipped regimes against the law: a decision table of (jurisdiction,
//! kind of purpose, age, signal, date) → (mechanism, condition), each row
//! naming the article or section it was written from, which the answer's
//! source must cite. Written from the texts (statutes, regulations and the
//! regulators' pages), not from the presets.
//!
//! Then: every preset round-trips through JSON, the lookup by code, the
//! signal, cooldown and objection rules, and the public types' traits.

use consentry::regime::{
    Binding, Condition, KindSet, Mechanism, Objection, Precedence, PurposeKind, Regime, Signal,
    SignalStatus, UnboundSignal,
};
use time::{Date, Month};

use Condition::{
    ExplicitConsent as Explicit, JointConsent as Joint, MinorOptIn as Minor, None as No,
    OptedOutBySignal as BySignal, ParentalConsent as Parent,
};
use Mechanism::{Conditional, NoticeOnly, OptIn, OptOut, Prohibited};
use PurposeKind::{
    DirectMarketing as Marketing, Other, Profiling, Sale, SensitiveData as Sensitive,
    StrictlyNecessary as Necessary, TargetedAdvertising as Ads,
};
use Signal::{Absent as N, Present as Gpc};

/// One row: who and when, what the law says, and the section it says it in.
struct Row {
    code: &'static str,
    kind: PurposeKind,
    age: Option<u8>,
    signal: Signal,
    on: Option<(i32, Month, u8)>,
    mechanism: Mechanism,
    condition: Condition,
    cites: &'static str,
}

const fn row(
    code: &'static str,
    kind: PurposeKind,
    age: Option<u8>,
    signal: Signal,
    mechanism: Mechanism,
    condition: Condition,
    cites: &'static str,
) -> Row {
    Row {
        code,
        kind,
        age,
        signal,
        on: None,
        mechanism,
        condition,
        cites,
    }
}

/// A row asked as of a date.
const fn dated(on: (i32, Month, u8), r: Row) -> Row {
    Row { on: Some(on), ..r }
}

const ADULT: Option<u8> = Some(30);

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // California: Cal. Civ. Code §1798.120(a) opt-out of sale and sharing;
    // (c) under 16 only with affirmative authorisation, 13-15 the consumer's,
    // under 13 a parent's; 11 CCR §7025 the signal is a valid opt-out.
    row("US-CA", Sale, ADULT, N, OptOut, No, "1798.120(a)"),
    row("US-CA", Sale, None, N, OptOut, No, "1798.120(a)"),
    row("US-CA", Sale, Some(16), N, OptOut, No, "1798.120(a)"),
    row("US-CA", Sale, Some(15), N, OptIn, Minor, "1798.120(c)"),
    row("US-CA", Sale, Some(13), N, OptIn, Minor, "1798.120(c)"),
    row("US-CA", Sale, Some(12), N, Conditional, Parent, "1798.120(c)"),
    row("US-CA", Ads, ADULT, N, OptOut, No, "1798.120(a)"),
    row("US-CA", Ads, Some(14), N, OptIn, Minor, "1798.120(c)"),
    row("US-CA", Ads, Some(10), N, Conditional, Parent, "1798.120(c)"),
    row("US-CA", Sale, ADULT, Gpc, OptOut, BySignal, "7025"),
    row("US-CA", Ads, ADULT, Gpc, OptOut, BySignal, "7025"),
    row("US-CA", Ads, Some(14), Gpc, OptIn, Minor, "1798.120(c)"),
    row("US-CA", Sensitive, ADULT, N, OptOut, No, "1798.121"),
    row("US-CA", Sensitive, ADULT, Gpc, OptOut, No, "1798.121"),
    row("US-CA", Marketing, ADULT, N, OptOut, No, "15 U.S.C. §7704"),
    row("US-CA", Marketing, Some(10), N, Conditional, Parent, "16 CFR §312.5(a)(1)"),
    row("US-CA", Other, ADULT, N, NoticeOnly, No, "1798.100(a)"),
    row("US-CA", Other, Some(12), N, Conditional, Parent, "16 CFR §312.5(a)(1)"),
    row("US-CA", Necessary, Some(5), N, NoticeOnly, No, "1798.100(a)"),
    // Virginia: Va. Code §59.1-577(A)(5) opt-out of targeted ads, sale,
    // profiling; §59.1-578(A)(5) sensitive data (a known child's included)
    // with consent; 2024 amendments (HB 707), from 2025-01-01, a known
    // child's ads, sale and profiling need a parent's consent.
    row("US-VA", Sale, ADULT, N, OptOut, No, "59.1-577(A)(5)"),
    row("US-VA", Ads, Some(15), N, OptOut, No, "59.1-577(A)(5)"),
    row("US-VA", Profiling, ADULT, N, OptOut, No, "59.1-577(A)(5)"),
    row("US-VA", Profiling, Some(12), N, Conditional, Parent, "HB 707"),
    dated((2025, Month::January, 1), row("US-VA", Ads, Some(12), N, Conditional, Parent, "HB 707")),
    // Before the amendment, COPPA's own consent still applied.
    dated((2024, Month::December, 31), row("US-VA", Ads, Some(12), N, Conditional, Parent, "16 CFR §312.5(a)(1)")),
    row("US-VA", Sensitive, ADULT, N, OptIn, No, "59.1-578(A)(5)"),
    row("US-VA", Sensitive, Some(13), N, OptIn, No, "59.1-578(A)(5)"),
    row("US-VA", Sensitive, Some(10), N, Conditional, Parent, "59.1-578(A)(5)"),
    row("US-VA", Other, ADULT, N, NoticeOnly, No, "59.1-578(C)"),
    // No signal duty in Virginia: honoured by the default host choice.
    row("US-VA", Ads, ADULT, Gpc, OptOut, BySignal, "59.1-577"),
    // Colorado: C.R.S. §6-1-1306(1)(a)(I) opt-out; §6-1-1308(7) sensitive
    // consent; §6-1-1308.5 (SB 24-041, from 2025-10-01) a minor's consent,
    // a parent's under 13; §6-1-1306(1)(a)(IV) universal opt-out from
    // 2024-07-01.
    row("US-CO", Sale, ADULT, N, OptOut, No, "6-1-1306(1)(a)(I)"),
    row("US-CO", Sale, Some(17), N, OptIn, Minor, "6-1-1308.5"),
    dated((2025, Month::September, 30), row("US-CO", Sale, Some(17), N, OptOut, No, "6-1-1306(1)(a)(I)")),
    row("US-CO", Sale, Some(12), N, Conditional, Parent, "6-1-1308.5"),
    row("US-CO", Profiling, Some(16), N, OptIn, Minor, "6-1-1308.5"),
    row("US-CO", Ads, ADULT, Gpc, OptOut, BySignal, "6-1-1306(1)(a)(IV)"),
    row("US-CO", Sensitive, ADULT, N, OptIn, No, "6-1-1308(7)"),
    row("US-CO", Sensitive, Some(17), N, OptIn, No, "6-1-1308(7)"),
    row("US-CO", Sensitive, Some(9), N, Conditional, Parent, "6-1-1308(7)"),
    row("US-CO", Marketing, ADULT, N, OptOut, No, "15 U.S.C. §7704"),
    row("US-CO", Necessary, Some(10), N, NoticeOnly, No, "6-1-1308(1)"),
    // Connecticut: Conn. Gen. Stat. §42-518(a)(5) opt-out; §42-520(a)(4)
    // sensitive consent; §42-529a a minor's consent from 2024-10-01; SB 1295
    // bans minors' targeted ads and sale from 2026-07-01; §42-520(e)
    // signals bind from 2025-01-01.
    row("US-CT", Ads, ADULT, N, OptOut, No, "42-518(a)(5)"),
    row("US-CT", Ads, Some(17), N, Prohibited, No, "SB 1295"),
    row("US-CT", Sale, Some(12), N, Prohibited, No, "SB 1295"),
    dated((2026, Month::June, 30), row("US-CT", Ads, Some(17), N, OptIn, Minor, "42-529a")),
    dated((2024, Month::September, 30), row("US-CT", Ads, Some(17), N, OptOut, No, "42-518(a)(5)")),
    dated((2026, Month::January, 1), row("US-CT", Sale, Some(12), N, Conditional, Parent, "42-520(a)(4)")),
    row("US-CT", Profiling, Some(17), N, OptIn, Minor, "42-529a"),
    row("US-CT", Profiling, Some(12), N, Conditional, Parent, "42-520(a)(4)"),
    row("US-CT", Profiling, ADULT, N, OptOut, No, "42-518(a)(5)"),
    row("US-CT", Sensitive, ADULT, N, OptIn, No, "42-520(a)(4)"),
    row("US-CT", Sensitive, ADULT, Gpc, OptIn, No, "42-520(a)(4)"),
    row("US-CT", Sale, ADULT, Gpc, OptOut, BySignal, "42-520(e)"),
    row("US-CT", Other, ADULT, N, NoticeOnly, No, "42-520(c)"),
    // Utah: Utah Code §13-61-201(4) opt-out of targeted ads and sale, no
    // profiling right; §13-61-302(3) sensitive data: notice and opt-out, a
    // known child's per COPPA.
    row("US-UT", Sale, ADULT, N, OptOut, No, "13-61-201(4)"),
    row("US-UT", Ads, Some(15), N, OptOut, No, "13-61-201(4)"),
    row("US-UT", Profiling, ADULT, N, NoticeOnly, No, "13-61-302(1)"),
    row("US-UT", Sensitive, ADULT, N, OptOut, No, "13-61-302(3)(a)"),
    row("US-UT", Sensitive, Some(10), N, Conditional, Parent, "13-61-302(3)(b)"),
    row("US-UT", Ads, ADULT, Gpc, OptOut, BySignal, "13-61-201"),
    // Texas: Tex. Bus. & Com. Code §541.051(b)(5) opt-out; §541.101(b)(4)
    // sensitive consent, a known child's per COPPA; §541.055(e) universal
    // opt-out from 2025-01-01.
    row("US-TX", Sale, ADULT, N, OptOut, No, "541.051(b)(5)"),
    row("US-TX", Profiling, ADULT, N, OptOut, No, "541.051(b)(5)"),
    row("US-TX", Sensitive, ADULT, N, OptIn, No, "541.101(b)(4)"),
    row("US-TX", Sensitive, Some(12), N, Conditional, Parent, "541.101(b)(4)"),
    row("US-TX", Ads, ADULT, Gpc, OptOut, BySignal, "541.055(e)"),
    row("US-TX", Ads, Some(10), N, Conditional, Parent, "16 CFR §312.5(a)(1)"),
    // Oregon: ORS 646A.574(1)(d) opt-out; 646A.578(2)(b) sensitive consent;
    // 646A.578(2)(c) 13-15 consent (2023), banned under 16 from 2026-01-01
    // (HB 2008).
    row("US-OR", Ads, ADULT, N, OptOut, No, "646A.574(1)(d)"),
    row("US-OR", Ads, Some(15), N, Prohibited, No, "HB 2008"),
    row("US-OR", Sale, Some(12), N, Prohibited, No, "HB 2008"),
    dated((2025, Month::December, 31), row("US-OR", Ads, Some(15), N, OptIn, Minor, "646A.578(2)(c)")),
    dated((2025, Month::June, 1), row("US-OR", Sale, Some(12), N, Conditional, Parent, "646A.578(2)(b)")),
    row("US-OR", Profiling, Some(16), N, OptOut, No, "646A.574(1)(d)"),
    row("US-OR", Sensitive, ADULT, N, OptIn, No, "646A.578(2)(b)"),
    row("US-OR", Ads, ADULT, Gpc, OptOut, BySignal, "646A.578(5)(c)"),
    // COPPA (a US state without a preset): 16 CFR §312.5(a)(1) verifiable
    // parental consent under 13; (a)(2) separate consent to disclose to
    // third parties from 2026-04-22; (c)(7) internal operations.
    row("US-NY", Other, Some(12), N, Conditional, Parent, "312.5(a)(1)"),
    row("US-NY", Ads, Some(12), N, Conditional, Parent, "312.5(a)(2)"),
    dated((2026, Month::April, 21), row("US-NY", Ads, Some(12), N, Conditional, Parent, "312.5(a)(1)")),
    row("US-NY", Necessary, Some(12), N, NoticeOnly, No, "312.5(c)(7)"),
    row("US-NY", Other, Some(13), N, NoticeOnly, No, "6501(1)"),
    row("US-ME", Other, ADULT, N, NoticeOnly, No, "6501(1)"),
    // EU/EEA: GDPR Art. 6(1)(a) consent, Art. 8(1) a parent below the age of
    // digital consent (16, or 13-15 by national law), Art. 9(2)(a) and
    // 22(2)(c) explicit consent; ePrivacy Directive Art. 5(3) and 13(1);
    // DSA Art. 28(2) (from 2024-02-17) no profiling-based ads to minors.
    row("DE", Sale, ADULT, N, OptIn, No, "Art. 6(1)(a)"),
    row("DE", Sale, ADULT, Gpc, OptIn, No, "Art. 6(1)(a)"),
    row("DE", Other, Some(15), N, Conditional, Parent, "Art. 8(1)"),
    row("DE", Other, Some(16), N, OptIn, No, "Art. 6(1)(a)"),
    row("DE", Ads, Some(17), N, Prohibited, No, "Art. 28(2)"),
    dated((2024, Month::February, 16), row("DE", Ads, Some(17), N, OptIn, No, "Art. 5(3)")),
    dated((2024, Month::January, 1), row("DE", Ads, Some(15), N, Conditional, Parent, "Art. 8(1)")),
    row("DE", Ads, Some(18), N, OptIn, No, "Art. 5(3)"),
    row("DE", Sensitive, ADULT, N, Conditional, Explicit, "Art. 9(2)(a)"),
    row("DE", Profiling, ADULT, N, Conditional, Explicit, "Art. 22"),
    row("DE", Marketing, ADULT, N, OptIn, No, "Art. 13(1)"),
    row("DE", Necessary, Some(10), N, NoticeOnly, No, "Art. 5(3)"),
    row("FR", Other, Some(14), N, Conditional, Joint, "art. 45"),
    row("FR", Other, Some(15), N, OptIn, No, "Art. 6(1)(a)"),
    row("FR-75", Marketing, Some(12), N, Conditional, Joint, "art. 45"),
    row("AT", Other, Some(13), N, Conditional, Parent, "§4(4)"),
    row("AT", Other, Some(14), N, OptIn, No, "Art. 6(1)(a)"),
    row("BE", Other, Some(12), N, Conditional, Parent, "Art. 8(1)"),
    row("BE", Other, Some(13), N, OptIn, No, "Art. 6(1)(a)"),
    row("IE", Other, Some(15), N, Conditional, Parent, "s.31"),
    row("ES", Other, Some(13), N, Conditional, Parent, "art. 7"),
    row("ES", Other, Some(14), N, OptIn, No, "Art. 6(1)(a)"),
    row("CZ", Other, Some(14), N, Conditional, Parent, "§7"),
    row("IT", Other, Some(13), N, Conditional, Parent, "2-quinquies"),
    row("NL", Other, Some(15), N, Conditional, Parent, "art. 5"),
    row("SE", Other, Some(13), N, OptIn, No, "Art. 6(1)(a)"),
    // The member states' ages as tabled by the Commission, SWD(2020) 115, p. 17.
    row("GR", Other, Some(14), N, Conditional, Parent, "SWD(2020) 115"),
    row("LT", Other, Some(13), N, Conditional, Parent, "SWD(2020) 115"),
    row("PT", Other, Some(12), N, Conditional, Parent, "SWD(2020) 115"),
    row("HR", Other, Some(15), N, Conditional, Parent, "SWD(2020) 115"),
    row("RO", Marketing, Some(15), N, Conditional, Parent, "SWD(2020) 115"),
    row("MT", Other, Some(13), N, OptIn, No, "Art. 6(1)(a)"),
    row("DK", Sensitive, Some(12), N, Conditional, Parent, "Art. 8(1)"),
    row("DK", Sensitive, Some(13), N, Conditional, Explicit, "Art. 9(2)(a)"),
    // UK: UK GDPR Art. 8(1) with DPA 2018 s.9 (13); PECR regs 6 and 22; no
    // Digital Services Act.
    row("GB", Other, Some(12), N, Conditional, Parent, "s.9"),
    row("GB", Other, Some(13), N, OptIn, No, "PECR"),
    row("GB", Ads, Some(15), N, OptIn, No, "reg. 6"),
    row("GB", Marketing, ADULT, N, OptIn, No, "reg. 22"),
    row("GB", Sensitive, ADULT, N, Conditional, Explicit, "Art. 9(2)(a)"),
    // Brazil: LGPD Art. 7 I consent, Art. 10 I legitimate interest, Art. 11 I
    // sensitive, Art. 14 §1 a parent under 12, Art. 20 review; ECA Digital
    // (Lei 15.211/2025, from 2026-03-17) no profiling-based ads to minors.
    row("BR", Other, Some(11), N, Conditional, Parent, "Art. 14 §1"),
    row("BR", Other, Some(12), N, OptIn, No, "Art. 7 I"),
    row("BR", Sensitive, ADULT, N, Conditional, Explicit, "Art. 11 I"),
    row("BR", Ads, Some(16), N, Prohibited, No, "15.211"),
    dated((2026, Month::March, 16), row("BR", Ads, Some(16), N, OptIn, No, "Art. 7 I")),
    dated((2026, Month::January, 1), row("BR", Ads, Some(10), N, Conditional, Parent, "Art. 14 §1")),
    row("BR", Marketing, ADULT, N, OptOut, No, "Art. 10 I"),
    row("BR", Necessary, ADULT, N, NoticeOnly, No, "Art. 7 V"),
    row("BR", Profiling, ADULT, N, NoticeOnly, No, "Art. 20"),
];

/// Maine's broadband law applies to internet service providers only:
/// 35-A M.R.S. §9301(3)(A) express consent, §9301(4) exceptions.
#[rustfmt::skip]
const MAINE_ISP: &[Row] = &[
    row("US-ME", Ads, ADULT, N, OptIn, No, "9301(2), (3)(A)"),
    row("US-ME", Other, ADULT, N, OptIn, No, "9301(2), (3)(A)"),
    row("US-ME", Sale, ADULT, Gpc, OptIn, No, "9301(2), (3)(A)"),
    row("US-ME", Marketing, ADULT, N, OptIn, No, "9301(3)(A)"),
    row("US-ME", Necessary, ADULT, N, NoticeOnly, No, "9301(4)"),
    row("US-ME", Other, Some(10), N, Conditional, Parent, "312.5(a)(1)"),
];

#[track_caller]
fn check(rows: &[Row], lookup: fn(&str) -> Option<Regime>) {
    for (i, r) in rows.iter().enumerate() {
        let regime = lookup(r.code).unwrap_or_else(|| panic!("row {i}: no regime for {}", r.code));
        let got = match r.on {
            Some((y, m, d)) => {
                let date = Date::from_calendar_date(y, m, d).unwrap();
                regime.rule_on(r.kind, r.age, r.signal, date)
            }
            None => regime.rule(r.kind, r.age, r.signal),
        };
        let what = format!(
            "row {i}: {} {} age {:?} {:?} on {:?}",
            r.code, r.kind, r.age, r.signal, r.on
        );
        assert_eq!(
            (got.mechanism(), got.condition()),
            (r.mechanism, r.condition),
            "{what}"
        );
        assert!(
            got.source().contains(r.cites),
            "{what}: source `{}` does not cite `{}`",
            got.source(),
            r.cites
        );
    }
}

#[test]
fn decision_table() {
    assert!(
        TABLE.len() + MAINE_ISP.len() >= 80,
        "{} rows",
        TABLE.len() + MAINE_ISP.len()
    );
    check(TABLE, Regime::for_jurisdiction);
    check(MAINE_ISP, Regime::for_broadband_provider);
}

#[test]
fn every_preset_round_trips_through_serde_json() {
    for regime in Regime::presets() {
        let json = serde_json::to_string(&regime).unwrap();
        let back: Regime = serde_json::from_str(&json).unwrap();
        assert_eq!(back, regime, "{}", regime.code());
        assert_eq!(Regime::from_json(&regime.to_json()).unwrap(), regime);
    }
}

#[test]
fn lookup_by_code() {
    let code = |c: &str| Regime::for_jurisdiction(c).map(|r| r.code().to_owned());
    assert_eq!(code("US-CA").as_deref(), Some("US-CA"));
    assert_eq!(code(" us-tx ").as_deref(), Some("US-TX"));
    assert_eq!(code("US").as_deref(), Some("US"));
    assert_eq!(code("US-ME").as_deref(), Some("US"));
    assert_eq!(code("GB-SCT").as_deref(), Some("GB"));
    assert_eq!(code("UK").as_deref(), Some("GB"));
    assert_eq!(code("ES-CT").as_deref(), Some("ES"));
    assert_eq!(code("NO").as_deref(), Some("NO"));
    assert_eq!(code("BR-SP").as_deref(), Some("BR"));
    for unknown in ["JP", "", "-", "USA", "US-", "US-CALI", "XX"] {
        assert_eq!(code(unknown), None, "{unknown:?}");
    }
    assert_eq!(
        Regime::for_broadband_provider("us-me")
            .map(|r| r.code().to_owned())
            .as_deref(),
        Some("US-ME-ISP")
    );
    // Every EU/EEA country (27 + IS, LI, NO) has its own preset.
    let eea: Vec<&str> = consentry::regime::DIGITAL_CONSENT_AGES
        .iter()
        .map(|(c, _, _)| *c)
        .collect();
    assert_eq!(eea.len(), 30);
    for c in eea {
        assert_eq!(code(c).as_deref(), Some(c));
    }
}

#[test]
fn signal_rules_and_precedence() {
    // 11 CCR §7025(c)(3): the signal first; consent after notice of the conflict.
    let ca = Regime::california();
    assert_eq!(ca.signal_rule().binding(), Binding::Binding);
    assert_eq!(
        ca.signal_rule().precedence(),
        Precedence::ConfirmedAfterNotice
    );
    assert_eq!(ca.signal_rule().kinds(), KindSet::SALE_AND_ADS);
    // C.R.S. §6-1-1306(1)(a)(IV)(C): a later consent on the site takes precedence.
    assert_eq!(
        Regime::colorado().signal_rule().precedence(),
        Precedence::LaterConsentWins
    );
    // Conn. Gen. Stat. §42-520(e): the signal wins until the consumer confirms.
    assert_eq!(
        Regime::connecticut().signal_rule().precedence(),
        Precedence::ConfirmedAfterNotice
    );
    // Virginia and Utah: no duty, the host chooses (honour by default).
    for r in [Regime::virginia(), Regime::utah()] {
        assert_eq!(
            r.signal_rule().binding(),
            Binding::NotBinding,
            "{}",
            r.code()
        );
        assert_eq!(r.unbound_signal(), UnboundSignal::Honour);
        let rule = r.rule(Sale, ADULT, Gpc);
        assert_eq!(rule.signal(), SignalStatus::HonouredByChoice);
    }
    assert_eq!(ca.rule(Sale, ADULT, Gpc).signal(), SignalStatus::Binding);
    assert_eq!(
        ca.rule(Sensitive, ADULT, Gpc).signal(),
        SignalStatus::NotApplicable
    );
    assert_eq!(ca.rule(Sale, ADULT, N).signal(), SignalStatus::Absent);
    // Oregon's duty starts on 2026-01-01.
    let or = Regime::oregon();
    let day = |d: u8, m| {
        Date::from_calendar_date(if m == Month::December { 2025 } else { 2026 }, m, d).unwrap()
    };
    assert_eq!(
        or.rule_on(Sale, ADULT, Gpc, day(31, Month::December))
            .signal(),
        SignalStatus::HonouredByChoice
    );
    assert_eq!(
        or.rule_on(Sale, ADULT, Gpc, day(1, Month::January))
            .signal(),
        SignalStatus::Binding
    );
}

#[test]
fn cooldowns_and_objections() {
    // Cal. Civ. Code §1798.135(c)(4): 12 months before asking again.
    let ca = Regime::california();
    let cooldown = ca.cooldown().unwrap();
    assert_eq!(
        (cooldown.months(), cooldown.kinds()),
        (12, KindSet::SALE_AND_ADS)
    );
    assert!(cooldown.source().contains("1798.135(c)(4)"));
    // The GDPR sets no waiting period (CNIL's 6 months is guidance).
    assert!(Regime::gdpr("FR").unwrap().cooldown().is_none());
    // GDPR Art. 21(2)-(3): absolute for direct marketing; 21(1) qualified.
    let de = Regime::gdpr("DE").unwrap();
    assert_eq!(de.objection(Marketing).0, Objection::Absolute);
    assert!(de.objection(Marketing).1.contains("Art. 21(2)"));
    assert_eq!(de.objection(Other).0, Objection::Qualified);
    assert_eq!(de.objection(Necessary).0, Objection::None);
    assert!(
        Regime::united_kingdom()
            .objection(Marketing)
            .1
            .starts_with("UK GDPR Art. 21(2)")
    );
    // LGPD Art. 18 §2: opposition to processing not based on consent.
    assert_eq!(
        Regime::brazil().objection(Marketing).0,
        Objection::Qualified
    );
    // The US laws give opt-outs, not objections.
    assert_eq!(ca.objection(Marketing).0, Objection::None);
}

#[test]
fn regime_types_are_send_sync_and_small() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Regime>();
    send_sync::<consentry::regime::RegimeRule<'static>>();
    send_sync::<consentry::regime::RegimeBuilder>();
    assert_eq!(std::mem::size_of::<Mechanism>(), 1);
    assert_eq!(std::mem::size_of::<Condition>(), 1);
    assert_eq!(std::mem::size_of::<KindSet>(), 1);
    assert_eq!(std::mem::size_of::<consentry::regime::AgeBand>(), 1);
}

#[test]
fn a_host_regime_from_json() {
    let json = r#"{
        "code": "acme",
        "name": "Acme worldwide policy",
        "rules": [
            {"kind": "sale", "base": {"mechanism": "prohibited", "source": "Acme policy §1"}},
            {"kind": "targeted_advertising", "base": {"mechanism": "opt_in", "source": "Acme policy §2"},
             "minors": [{"below": 18, "mechanism": "prohibited", "source": "Acme policy §2.1", "since": "2026-01-01"}]},
            {"kind": "profiling", "base": {"mechanism": "conditional", "condition": "explicit_consent", "source": "Acme policy §3"}},
            {"kind": "direct_marketing", "base": {"mechanism": "opt_in", "source": "Acme policy §4"},
             "objection": "absolute", "objection_source": "Acme policy §4.2"},
            {"kind": "sensitive_data", "base": {"mechanism": "conditional", "condition": "explicit_consent", "source": "Acme policy §5"}},
            {"kind": "strictly_necessary", "base": {"mechanism": "notice_only", "source": "Acme policy §6"}},
            {"kind": "other", "base": {"mechanism": "opt_out", "source": "Acme policy §7"}}
        ],
        "signal": {"binding": "binding", "kinds": ["sale", "targeted_advertising", "other"],
                   "precedence": "signal_wins", "source": "Acme policy §8"},
        "cooldown": {"months": 6, "kinds": ["direct_marketing"], "source": "Acme policy §9"}
    }"#;
    let acme = Regime::from_json(json).unwrap();
    assert_eq!(acme.rule(Ads, Some(17), N).mechanism(), Prohibited);
    let before = Date::from_calendar_date(2025, Month::June, 1).unwrap();
    assert_eq!(acme.rule_on(Ads, Some(17), N, before).mechanism(), OptIn);
    assert_eq!(acme.rule(Other, ADULT, Gpc).condition(), BySignal);
    assert_eq!(acme.rule(Other, ADULT, Gpc).source(), "Acme policy §8");
    assert_eq!(acme.cooldown().unwrap().months(), 6);
    // A kind left out is named.
    let missing = json.replace(
        r#"{"kind": "other", "base": {"mechanism": "opt_out", "source": "Acme policy §7"}}"#,
        r#"{"kind": "strictly_necessary", "base": {"mechanism": "opt_out", "source": "x"}}"#,
    );
    assert_eq!(
        Regime::from_json(&missing).unwrap_err().to_string(),
        "regime `acme`: kind `strictly_necessary` appears twice in `rules`"
    );
    let no_other = json.replace(
        r#",
            {"kind": "other", "base": {"mechanism": "opt_out", "source": "Acme policy §7"}}"#,
        "",
    );
    assert_eq!(
        Regime::from_json(&no_other).unwrap_err().to_string(),
        "regime `acme`: no rule for kind `other`"
    );
    let bad = json.replace(r#""mechanism": "opt_out""#, r#""mechanism": "maybe""#);
    let err = Regime::from_json(&bad).unwrap_err().to_string();
    assert!(
        err.starts_with("regime `acme`: unknown variant `maybe`"),
        "{err}"
    );
}

mod random {
    //! Random regimes through the builder: building never panics, a built
    //! regime round-trips through JSON, bands and resolved sets agree with
    //! evaluation, and the most protective combination is never weaker than
    //! any part. Mutated JSON never panics the loader.

    use consentry::regime::{
        AgeBand, Binding, Condition, Cooldown, KindSet, Mechanism, Precedence, PurposeKind, Regime,
        RegimeBuilder, Signal, SignalRule, Step,
    };
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use time::{Date, Month};

    fn date() -> impl Strategy<Value = Option<Date>> {
        prop::option::of((2020i32..2030, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| {
            Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap()
        }))
    }

    /// Mostly pairs that fit, sometimes any pair (which `build` must refuse
    /// by name).
    fn pair() -> impl Strategy<Value = (Mechanism, Condition)> {
        let fitting = vec![
            (Mechanism::NoticeOnly, Condition::None),
            (Mechanism::OptOut, Condition::None),
            (Mechanism::OptIn, Condition::None),
            (Mechanism::OptIn, Condition::MinorOptIn),
            (Mechanism::Conditional, Condition::ExplicitConsent),
            (Mechanism::Conditional, Condition::ParentalConsent),
            (Mechanism::Conditional, Condition::JointConsent),
            (Mechanism::Prohibited, Condition::None),
        ];
        prop_oneof![
            300 => prop::sample::select(fitting),
            1 => (
                prop::sample::select(Mechanism::ALL.to_vec()),
                prop::sample::select(Condition::ALL.to_vec())
            ),
        ]
    }

    fn step() -> impl Strategy<Value = Step> {
        (
            pair(),
            prop_oneof![300 => "[a-z][a-z §.0-9]{0,8}", 1 => " *"],
            date(),
        )
            .prop_map(|((m, c), s, d)| {
                let step = Step::new(m, c, s);
                match d {
                    Some(d) => step.with_since(d),
                    None => step,
                }
            })
    }

    fn kinds() -> impl Strategy<Value = KindSet> {
        prop::collection::vec(prop::sample::select(PurposeKind::ALL.to_vec()), 1..4)
            .prop_map(|k| KindSet::of(&k))
    }

    fn builder() -> impl Strategy<Value = RegimeBuilder> {
        let age = prop_oneof![200 => 1u8..=21, 1 => 22u8..=30];
        let kind = (step(), prop::collection::vec((age, step()), 0..=4));
        (
            prop::collection::vec(kind, 7),
            (
                prop::sample::select(vec![Binding::Binding, Binding::NotBinding]),
                kinds(),
                prop::sample::select(vec![
                    Precedence::LaterConsentWins,
                    Precedence::ConfirmedAfterNotice,
                    Precedence::SignalWins,
                ]),
                date(),
            ),
            prop::option::of((
                prop_oneof![50 => 1u8..=120, 1 => 121u8..=255, 1 => Just(0u8)],
                kinds(),
            )),
        )
            .prop_map(
                |(rules, (binding, signal_kinds, precedence, since), cooldown)| {
                    let mut b = Regime::builder("rnd", "random");
                    for (kind, (base, tiers)) in PurposeKind::ALL.into_iter().zip(rules) {
                        b = b.rule(kind, base);
                        for (below, s) in tiers {
                            b = b.minor(kind, below, s);
                        }
                    }
                    let signal = SignalRule::new(binding, signal_kinds, precedence, "signal §1");
                    b = b.signal(match since {
                        Some(d) => signal.with_since(d),
                        None => signal,
                    });
                    if let Some((months, k)) = cooldown {
                        b = b.cooldown(Cooldown::new(months, k, "cooldown §1"));
                    }
                    b
                },
            )
    }

    const SIGNALS: [Signal; 2] = [Signal::Absent, Signal::Present];

    /// The property below is only worth something if many random regimes
    /// build.
    #[test]
    fn many_random_regimes_build() {
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = builder();
        let mut built = 0;
        for _ in 0..200 {
            let b = strategy.new_tree(&mut runner).unwrap().current();
            built += usize::from(b.build().is_ok());
        }
        assert!(built > 100, "only {built} of 200 random regimes built");
    }

    fn strictness(m: Mechanism, c: Condition) -> (Mechanism, Condition) {
        (m, c)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn random_regimes_behave(b in builder()) {
            let regime = match b.build() {
                Ok(r) => r,
                Err(e) => {
                    prop_assert!(e.to_string().starts_with("regime `rnd`: "), "{e}");
                    return Ok(());
                }
            };
            prop_assert_eq!(&Regime::from_json(&regime.to_json()).unwrap(), &regime);
            let ca = Regime::california();
            let both = Regime::most_protective("m", "m", &[regime.clone(), ca.clone()]).unwrap();
            let day = Date::from_calendar_date(2025, Month::June, 1).unwrap();
            for age in (0..=25).map(Some).chain([None]) {
                let band = regime.age_band(age);
                prop_assert!(usize::from(band.index()) < regime.band_count());
                for signal in SIGNALS {
                    let set = regime.resolve(band, signal);
                    let set_on = regime.resolve_on(band, signal, day);
                    for kind in PurposeKind::ALL {
                        let rule = regime.rule(kind, age, signal);
                        prop_assert_eq!(regime.rule_in_band(kind, band, signal), rule);
                        prop_assert_eq!(set.get(kind).mechanism(), rule.mechanism());
                        prop_assert_eq!(set.get(kind).condition(), rule.condition());
                        let on = regime.rule_on(kind, age, signal, day);
                        prop_assert_eq!(set_on.get(kind).mechanism(), on.mechanism());
                        let strict = both.rule(kind, age, Signal::Absent);
                        for part in [&regime, &ca] {
                            let r = part.rule(kind, age, Signal::Absent);
                            prop_assert!(
                                strictness(strict.mechanism(), strict.condition())
                                    >= strictness(r.mechanism(), r.condition()),
                                "{} {:?}: {:?} < {:?}", kind, age, strict, r
                            );
                        }
                    }
                }
            }
            // A band index from storage past the last band is the adult band.
            prop_assert_eq!(
                regime.rule_in_band(PurposeKind::Sale, AgeBand::from_index(200), Signal::Absent),
                regime.rule(PurposeKind::Sale, None, Signal::Absent)
            );
        }

        #[test]
        fn mutated_json_never_panics(at in 0usize..4000, with in prop::sample::select(vec!["", "\"", "0", "-1", "}", "[", "999", "\"x\"", "null", "\u{0}"]), cut in 0usize..3) {
            let json = Regime::connecticut().to_json();
            let at = at % json.len();
            if !json.is_char_boundary(at) {
                return Ok(());
            }
            let end = (at + cut).min(json.len());
            if !json.is_char_boundary(end) {
                return Ok(());
            }
            let mutated = format!("{}{}{}", &json[..at], with, &json[end..]);
            if let Err(e) = Regime::from_json(&mutated) {
                prop_assert!(e.to_string().starts_with("regime `"), "{e}");
            }
        }
    }
}
