//! Unit tests: presets are valid, bands agree with ages, dates switch
//! tiers, the builder names what is wrong, and the combinator.

use time::{Date, Month};

use super::build::validate;
use super::*;

const SIGNALS: [Signal; 2] = [Signal::Absent, Signal::Present];

fn date(y: i32, m: Month, d: u8) -> Date {
    Date::from_calendar_date(y, m, d).unwrap()
}

#[test]
fn every_preset_is_valid_and_dated_sensibly() {
    let presets = Regime::presets();
    assert_eq!(presets.len(), 30 + 11);
    for r in &presets {
        validate(r).unwrap_or_else(|e| panic!("{}: {e}", r.code()));
        for kind in PurposeKind::ALL {
            let rule = r.kind_rule(kind);
            for step in std::iter::once(rule.base()).chain(rule.tiers().map(Tier::step)) {
                assert_ne!(
                    step.source(),
                    super::rules::TOO_MANY_TIERS,
                    "{} {kind}",
                    r.code()
                );
                // `ymd` yields Date::MIN for an impossible date.
                assert_ne!(step.since(), Some(Date::MIN), "{} {kind}", r.code());
            }
        }
        assert_ne!(r.signal_rule().since(), Some(Date::MIN));
    }
}

#[test]
fn every_preset_round_trips_through_json() {
    for r in Regime::presets() {
        let json = r.to_json();
        let back = Regime::from_json(&json).unwrap_or_else(|e| panic!("{}: {e}", r.code()));
        assert_eq!(back, r);
    }
}

#[test]
fn age_bands_answer_as_ages_do() {
    for r in Regime::presets() {
        for age in (0..=25).map(Some).chain([None]) {
            let band = r.age_band(age);
            for kind in PurposeKind::ALL {
                for signal in SIGNALS {
                    assert_eq!(
                        r.rule_in_band(kind, band, signal),
                        r.rule(kind, age, signal),
                        "{} {kind} age {age:?}",
                        r.code()
                    );
                }
            }
        }
    }
}

#[test]
fn dated_tiers_apply_from_their_date() {
    let ct = Regime::connecticut();
    let ads = PurposeKind::TargetedAdvertising;
    let at = |d| ct.rule_on(ads, Some(16), Signal::Absent, d).mechanism();
    assert_eq!(at(date(2024, Month::September, 30)), Mechanism::OptOut);
    assert_eq!(at(date(2024, Month::October, 1)), Mechanism::OptIn);
    assert_eq!(at(date(2026, Month::June, 30)), Mechanism::OptIn);
    assert_eq!(at(date(2026, Month::July, 1)), Mechanism::Prohibited);
    // Without a date: every rule in force.
    assert_eq!(
        ct.rule(ads, Some(16), Signal::Absent).mechanism(),
        Mechanism::Prohibited
    );
}

#[test]
fn a_signal_binds_only_from_its_date() {
    let co = Regime::colorado();
    let before = co.rule_on(
        PurposeKind::Sale,
        Some(30),
        Signal::Present,
        date(2024, Month::June, 30),
    );
    assert_eq!(before.signal(), SignalStatus::HonouredByChoice);
    assert_eq!(before.since(), None);
    let after = co.rule_on(
        PurposeKind::Sale,
        Some(30),
        Signal::Present,
        date(2024, Month::July, 1),
    );
    assert_eq!(after.signal(), SignalStatus::Binding);
    assert_eq!(after.condition(), Condition::OptedOutBySignal);
    assert!(!after.permits_silence());
}

#[test]
fn an_ignored_unbound_signal_leaves_the_rule() {
    let va = Regime::virginia()
        .to_builder()
        .unbound_signal(UnboundSignal::Ignore)
        .build()
        .unwrap();
    let rule = va.rule(PurposeKind::Sale, Some(30), Signal::Present);
    assert_eq!(rule.signal(), SignalStatus::IgnoredByChoice);
    assert_eq!(rule.mechanism(), Mechanism::OptOut);
    assert!(rule.permits_silence());
}

fn opt_in(src: &'static str) -> Step {
    Step::new(Mechanism::OptIn, Condition::None, src)
}

fn full_builder() -> RegimeBuilder {
    PurposeKind::ALL
        .into_iter()
        .fold(Regime::builder("acme", "Acme policy"), |b, k| {
            b.rule(k, opt_in("policy §1"))
        })
}

#[track_caller]
fn build_error(b: RegimeBuilder) -> String {
    b.build().unwrap_err().to_string()
}

#[test]
fn the_builder_names_what_is_wrong() {
    assert!(full_builder().build().is_ok());
    assert_eq!(
        build_error(Regime::builder("acme", "Acme").rule(PurposeKind::Sale, opt_in("x"))),
        "regime `acme`: no rule for kind `targeted_advertising`"
    );
    assert_eq!(
        build_error(full_builder().rule(
            PurposeKind::Profiling,
            Step::new(Mechanism::OptOut, Condition::ParentalConsent, "x")
        )),
        "regime `acme`: kind `profiling`: mechanism `opt_out` cannot carry condition `parental_consent`"
    );
    assert_eq!(
        build_error(full_builder().rule(PurposeKind::Other, opt_in("  "))),
        "regime `acme`: kind `other` source is empty"
    );
    assert_eq!(
        build_error(Regime::builder("acme", "Acme").minor(PurposeKind::Sale, 13, opt_in("x"))),
        "regime `acme`: kind `sale` has an age tier before its base rule"
    );
    let five = (1..=5).fold(full_builder(), |b, age| {
        b.minor(PurposeKind::Sale, age, opt_in("x"))
    });
    assert_eq!(
        build_error(five),
        "regime `acme`: kind `sale` has more than 4 age tiers"
    );
    assert_eq!(
        build_error(full_builder().minor(PurposeKind::Sale, 30, opt_in("x"))),
        "regime `acme`: kind `sale` age tier 0 (below 30): the age must be 1 to 21"
    );
    assert_eq!(
        build_error(full_builder().cooldown(Cooldown::new(0, KindSet::SALE_AND_ADS, "x"))),
        "regime `acme`: cooldown of 0 months: it must be 1 to 120"
    );
    assert_eq!(
        build_error(full_builder().signal(SignalRule::new(
            Binding::Binding,
            KindSet::EMPTY,
            Precedence::SignalWins,
            "x"
        ))),
        "regime `acme`: a binding signal rule covers no kind"
    );
    assert_eq!(
        build_error(full_builder().code("a b")),
        "regime `a b`: code may hold only ASCII letters, digits, `-` and `_`"
    );
    assert_eq!(
        build_error(full_builder().rule(
            PurposeKind::Sale,
            Step::new(Mechanism::OptIn, Condition::OptedOutBySignal, "x")
        )),
        "regime `acme`: kind `sale`: mechanism `opt_in` cannot carry condition `opted_out_by_signal`"
    );
}

#[test]
fn json_errors_name_the_problem() {
    let json = Regime::utah().to_json();
    let dup = json.replacen("\"kind\":\"targeted_advertising\"", "\"kind\":\"sale\"", 1);
    assert_eq!(
        Regime::from_json(&dup).unwrap_err().to_string(),
        "regime `US-UT`: kind `sale` appears twice in `rules`"
    );
    let unknown = json.replacen("\"code\"", "\"colour\":1,\"code\"", 1);
    let err = Regime::from_json(&unknown).unwrap_err().to_string();
    assert!(
        err.starts_with("regime `US-UT`: unknown field `colour`"),
        "{err}"
    );
    let bad_date = Regime::oregon()
        .to_json()
        .replacen("2026-01-01", "2026-02-30", 1);
    let err = Regime::from_json(&bad_date).unwrap_err().to_string();
    assert!(err.contains("date `2026-02-30` is not YYYY-MM-DD"), "{err}");
}

#[test]
fn most_protective_takes_the_strictest_per_band() {
    let ca = Regime::california();
    let de = Regime::gdpr("DE").unwrap();
    let both = Regime::most_protective("XX", "CA and DE", &[ca, de]).unwrap();
    let sale = |age| both.rule(PurposeKind::Sale, age, Signal::Absent);
    // Adults: Germany's opt-in beats California's opt-out.
    assert_eq!(sale(None).mechanism(), Mechanism::OptIn);
    assert!(sale(None).source().starts_with("GDPR Art. 6(1)(a)"));
    // 14: Germany's parental consent (under 16) beats California's opt-in.
    assert_eq!(sale(Some(14)).condition(), Condition::ParentalConsent);
    assert!(sale(Some(14)).source().contains("Art. 8(1)"));
    // 10: parental consent in both; California comes first and keeps it.
    assert!(sale(Some(10)).source().contains("1798.120(c)"));
    // 16 and up: adult.
    assert_eq!(sale(Some(16)).mechanism(), Mechanism::OptIn);
    // The signal binds (California) and CA's precedence is the strictest.
    assert_eq!(both.signal_rule().binding(), Binding::Binding);
    assert_eq!(
        both.signal_rule().precedence(),
        Precedence::ConfirmedAfterNotice
    );
    assert_eq!(both.cooldown().map(Cooldown::months), Some(12));
    assert_eq!(
        both.objection(PurposeKind::DirectMarketing).0,
        Objection::Absolute
    );
    // Dates are dropped: the DSA ban holds on any date.
    let early = both.rule_on(
        PurposeKind::TargetedAdvertising,
        Some(15),
        Signal::Absent,
        date(2020, Month::January, 1),
    );
    assert_eq!(early.mechanism(), Mechanism::Prohibited);
    assert_eq!(early.since(), None);
}

#[test]
fn most_protective_of_all_presets_is_never_weaker_than_any() {
    let presets = Regime::presets();
    let strict = Regime::most_protective("XX", "all", &presets).unwrap();
    for r in &presets {
        for age in (0..=25).map(Some).chain([None]) {
            for kind in PurposeKind::ALL {
                let mine = r.rule(kind, age, Signal::Absent);
                let theirs = strict.rule(kind, age, Signal::Absent);
                assert!(
                    (theirs.mechanism(), theirs.condition())
                        >= (mine.mechanism(), mine.condition()),
                    "{} {kind} {age:?}: {mine:?} vs {theirs:?}",
                    r.code()
                );
            }
        }
    }
    assert_eq!(strict.signal_rule().kinds(), KindSet::SALE_AND_ADS);
    assert_eq!(
        strict.signal_rule().precedence(),
        Precedence::ConfirmedAfterNotice
    );
}

#[test]
fn most_protective_merges_extra_tiers_into_the_stricter() {
    // Strictest per band: ban <2, parental <4, ban <6, parental <10,
    // ban <12: five tiers, one too many.
    let ban = || Step::new(Mechanism::Prohibited, Condition::None, "ban");
    let parental = || Step::new(Mechanism::Conditional, Condition::ParentalConsent, "p");
    let a = full_builder()
        .minor(PurposeKind::Sale, 2, ban())
        .minor(PurposeKind::Sale, 4, opt_in("a4"))
        .minor(PurposeKind::Sale, 6, ban())
        .minor(PurposeKind::Sale, 8, opt_in("a8"))
        .build()
        .unwrap();
    let b = full_builder()
        .minor(PurposeKind::Sale, 10, parental())
        .minor(PurposeKind::Sale, 12, ban())
        .build()
        .unwrap();
    let m = Regime::most_protective("m", "m", &[a.clone(), b.clone()]).unwrap();
    let tiers: Vec<(u8, Mechanism)> = m
        .kind_rule(PurposeKind::Sale)
        .tiers()
        .map(|t| (t.below(), t.step().mechanism()))
        .collect();
    // The youngest two merged into the stricter (the ban).
    assert_eq!(
        tiers,
        [
            (4, Mechanism::Prohibited),
            (6, Mechanism::Prohibited),
            (10, Mechanism::Conditional),
            (12, Mechanism::Prohibited)
        ]
    );
    for age in 0..=25 {
        let got = m.rule(PurposeKind::Sale, Some(age), Signal::Absent);
        for r in [&a, &b] {
            let want = r.rule(PurposeKind::Sale, Some(age), Signal::Absent);
            assert!(
                (got.mechanism(), got.condition()) >= (want.mechanism(), want.condition()),
                "age {age}"
            );
        }
    }
}

#[test]
fn most_protective_of_nothing_is_an_error() {
    assert_eq!(
        Regime::most_protective("XX", "none", &[])
            .unwrap_err()
            .to_string(),
        "regime `XX`: the most protective of no regime is undefined"
    );
}

#[test]
fn resolved_rule_sets_agree_with_evaluation() {
    for r in Regime::presets() {
        let mut dates = r.transitions();
        // The day before each transition too.
        let before: Vec<Date> = dates.iter().filter_map(|d| d.previous_day()).collect();
        dates.extend(before);
        assert_eq!(usize::from(r.age_band(None).index()) + 1, r.band_count());
        for b in 0..r.band_count() {
            let band = AgeBand::from_index(u8::try_from(b).unwrap());
            for signal in SIGNALS {
                let set = r.resolve(band, signal);
                for kind in PurposeKind::ALL {
                    let want = r.rule_in_band(kind, band, signal);
                    assert_eq!(
                        set.get(kind),
                        PackedRule::new(want.mechanism(), want.condition())
                    );
                    assert_eq!(set.get(kind).permits_silence(), want.permits_silence());
                }
                for &d in &dates {
                    let set = r.resolve_on(band, signal, d);
                    for kind in PurposeKind::ALL {
                        let want = r.rule_in_band_on(kind, band, signal, d);
                        assert_eq!(
                            set.get(kind).mechanism(),
                            want.mechanism(),
                            "{} {kind} {d}",
                            r.code()
                        );
                        assert_eq!(set.get(kind).condition(), want.condition());
                    }
                }
            }
        }
    }
}

#[test]
fn packed_rules_round_trip() {
    for m in Mechanism::ALL {
        for c in Condition::ALL {
            let p = PackedRule::new(m, c);
            assert_eq!((p.mechanism(), p.condition()), (m, c));
        }
    }
    assert_eq!(std::mem::size_of::<RuleSet>(), 7);
}

#[test]
fn transitions_are_sorted_dates_of_the_rules() {
    let ct = Regime::connecticut();
    assert_eq!(
        ct.transitions(),
        [
            date(2024, Month::October, 1),
            date(2025, Month::January, 1),
            date(2026, Month::July, 1)
        ]
    );
    assert_eq!(
        Regime::gdpr("SE").unwrap().transitions(),
        [date(2024, Month::February, 17)]
    );
}

#[test]
fn host_tiers_and_signal_duties_can_be_dated() {
    let from = date(2027, Month::January, 1);
    let r = full_builder()
        .minor(
            PurposeKind::Other,
            16,
            Step::new(Mechanism::Prohibited, Condition::None, "policy §2").with_since(from),
        )
        .rule(
            PurposeKind::Sale,
            Step::new(Mechanism::OptOut, Condition::None, "policy §3"),
        )
        .signal(
            SignalRule::new(
                Binding::Binding,
                KindSet::SALE_AND_ADS,
                Precedence::SignalWins,
                "policy §4",
            )
            .with_since(from),
        )
        .unbound_signal(UnboundSignal::Ignore)
        .build()
        .unwrap();
    let day = date(2026, Month::December, 31);
    assert_eq!(
        r.rule_on(PurposeKind::Other, Some(15), Signal::Absent, day)
            .mechanism(),
        Mechanism::OptIn
    );
    assert_eq!(
        r.rule_on(PurposeKind::Other, Some(15), Signal::Absent, from)
            .mechanism(),
        Mechanism::Prohibited
    );
    assert_eq!(
        r.rule_on(PurposeKind::Sale, None, Signal::Present, day)
            .signal(),
        SignalStatus::IgnoredByChoice
    );
    let bound = r.rule_on(PurposeKind::Sale, None, Signal::Present, from);
    assert_eq!(
        (bound.signal(), bound.since(), bound.source()),
        (SignalStatus::Binding, Some(from), "policy §4")
    );
    assert_eq!(r.transitions(), [from]);
}

#[test]
fn a_table_answers_as_the_regimes_on_every_date() {
    let presets = Regime::presets();
    let table = RegimeTable::new(presets.clone()).unwrap();
    for r in &presets {
        let id = table.position(r.code()).unwrap();
        assert_eq!(table.regime(id), Some(r));
        let mut dates = vec![date(1999, Month::January, 1), date(2100, Month::January, 1)];
        for t in r.transitions() {
            dates.extend([t.previous_day().unwrap(), t, t.next_day().unwrap()]);
        }
        for age in (0..=25).map(Some).chain([None]) {
            for signal in SIGNALS {
                let key = table.key(id, age, signal);
                assert_eq!(RegimeKey::from_bits(key.to_bits()), key);
                for &d in &dates {
                    let set = table.rules(key, d);
                    for kind in PurposeKind::ALL {
                        let want = r.rule_on(kind, age, signal, d);
                        assert_eq!(
                            (set.get(kind).mechanism(), set.get(kind).condition()),
                            (want.mechanism(), want.condition()),
                            "{} {kind} {age:?} {signal:?} {d}",
                            r.code()
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn a_table_fails_closed_and_refuses_twins() {
    let table = RegimeTable::new(vec![Regime::california()]).unwrap();
    let stranger = RegimeKey::from_bits(7 << 16);
    let set = table.rules(stranger, date(2026, Month::January, 1));
    for kind in PurposeKind::ALL {
        assert_eq!(set.get(kind).mechanism(), Mechanism::Prohibited);
    }
    // A band past the last is the adult band.
    let id = table.position("US-CA").unwrap();
    let adult = table.key(id, None, Signal::Absent);
    let far = RegimeKey::from_bits((adult.to_bits() & !0xff00) | 0xff00);
    assert_eq!(
        table.rules(far, date(2026, Month::January, 1)),
        table.rules(adult, date(2026, Month::January, 1))
    );
    assert_eq!(std::mem::size_of::<RegimeKey>(), 4);
    assert_eq!(
        RegimeTable::new(vec![Regime::utah(), Regime::utah()])
            .unwrap_err()
            .to_string(),
        "regime `US-UT`: the code is given twice"
    );
}

#[test]
fn a_preset_rule_with_a_fifth_tier_fails_closed() {
    let step = |m| Step::new(m, Condition::None, "x");
    let rule = (1..=5).fold(
        super::rules::KindRule::fixed(step(Mechanism::OptOut)),
        |r, age| r.tier(age, step(Mechanism::OptIn)),
    );
    assert_eq!(rule.base().source(), super::rules::TOO_MANY_TIERS);
    assert!(
        rule.tiers()
            .all(|t| t.step().mechanism() == Mechanism::Prohibited)
    );
}
