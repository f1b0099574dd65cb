//! What the fuzz targets share: a catalog, a seeded ledger, and the
//! invariants every ledger must keep whatever input reached it.

#![allow(dead_code)] // each target uses a different subset

use consentry::{
    Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef, Snapshot,
};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// 2026-03-01T10:00:00Z.
pub fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_772_359_200).expect("a valid instant")
}

/// An instant for a generated operation: near the start of the test's
/// history (seconds from t0), any nanosecond an `i64` holds (far outside the
/// supported range too), or a local date-time near an end of the `time`
/// crate's own range or of the ledger's, with any offset `time` allows:
/// instants whose UTC form `time` itself may not represent
/// (`9999-12-31T23:59:59-00:01`), which integer nanoseconds never reach.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum Time {
    Near(i16),
    Raw(i64),
    Edge {
        end: End,
        /// Seconds from that end (checked; the end itself if out of range).
        shift: i32,
        /// Seconds east of UTC, brought within `time`'s ±25:59:59.
        offset: i32,
    },
}

/// The ends of the ranges that [`Time::Edge`] starts from.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub enum End {
    /// -9999-01-01T00:00:00, `time`'s first date (no `large-dates`).
    TimeMin,
    /// 9999-12-31T23:59:59.999999999, `time`'s last instant.
    TimeMax,
    /// 1678-01-01T00:00:00, the ledger's first storable instant.
    LedgerFirst,
    /// 2261-12-31T23:59:59.999999999, the ledger's last.
    LedgerLast,
}

impl Time {
    pub fn get(self) -> OffsetDateTime {
        match self {
            Time::Near(s) => t0() + Duration::seconds(i64::from(s)),
            Time::Raw(n) => OffsetDateTime::from_unix_timestamp_nanos(i128::from(n))
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            Time::Edge { end, shift, offset } => {
                let date = |y, m, d| Date::from_calendar_date(y, m, d).expect("a valid date");
                let last =
                    time::Time::from_hms_nano(23, 59, 59, 999_999_999).expect("a valid time");
                let local = match end {
                    End::TimeMin => Date::MIN.midnight(),
                    End::TimeMax => Date::MAX.with_time(last),
                    End::LedgerFirst => date(1678, Month::January, 1).midnight(),
                    End::LedgerLast => {
                        PrimitiveDateTime::new(date(2261, Month::December, 31), last)
                    }
                };
                let local = local
                    .checked_add(Duration::seconds(i64::from(shift)))
                    .unwrap_or(local);
                let offset =
                    UtcOffset::from_whole_seconds(offset % 93_600).unwrap_or(UtcOffset::UTC);
                local.assume_offset(offset)
            }
        }
    }
}

/// A catalog with every legal basis, a sensitive category with a child, one
/// under a non-sensitive parent, sale/sharing and direct-marketing marks,
/// validities and a notice history. `evolved` raises a notice minimum and
/// sets a maximum validity where there was none (as a later catalog might).
pub fn catalog(evolved: bool) -> Catalog {
    let p = |name: &str, basis| {
        PurposeDef::new(name, basis)
            .title(format!("The {name} purpose"))
            .description("What the fuzz target does with it.")
    };
    let marketing = p("marketing.email", LegalBasis::Consent)
        .categories(["contact"])
        .notice_version(3)
        .min_notice_version(if evolved { 3 } else { 2 })
        .default_validity(Duration::days(30))
        .max_validity(Duration::days(395))
        .direct_marketing();
    let mut research = p("research", LegalBasis::ExplicitConsent).categories(["health", "profile"]);
    if evolved {
        research = research.max_validity(Duration::days(365));
    }
    Catalog::builder()
        .controller("Fuzz Ltd")
        .category("contact")
        .category("contact.email")
        .sensitive_category("health")
        .category("health.genetic")
        .category("profile")
        .sensitive_category("profile.beliefs")
        .category("browsing")
        .purpose(marketing)
        .purpose(
            p("ads", LegalBasis::Consent)
                .categories(["browsing", "profile"])
                .max_validity(Duration::days(180))
                .sale_or_sharing(),
        )
        .purpose(research)
        .purpose(
            p("analytics", LegalBasis::LegitimateInterest)
                .categories(["browsing"])
                .sale_or_sharing(),
        )
        .purpose(p("orders", LegalBasis::Contract).categories(["contact", "health.genetic"]))
        .purpose(
            p("mailshot", LegalBasis::Contract)
                .categories(["contact.email"])
                .direct_marketing(),
        )
        .purpose(p("tax", LegalBasis::LegalObligation).categories(["contact"]))
        .purpose(p("emergency", LegalBasis::VitalInterests).categories(["health"]))
        .purpose(
            p("census", LegalBasis::PublicTask)
                .categories(["profile"])
                .notice_version(2)
                .min_notice_version(1),
        )
        .build()
        .expect("the fuzz catalog is valid")
}

/// A ledger over [`catalog`] with a few records, so that events and
/// operations meet existing state.
pub fn seeded() -> Ledger {
    let mut l = Ledger::new(catalog(false));
    let banner = |v| {
        Evidence::new(CollectionMethod::Banner)
            .with_notice_version(v)
            .with_channel("web")
    };
    let t = |days| t0() + Duration::days(days);
    let _ = l.give(Grant::new("ana", "marketing.email", t(0), banner(3)));
    let _ = l.give(Grant::new("ana", "research", t(1), banner(1)).categories(["health"]));
    let _ = l.refuse("ben", "ads", t(2), banner(1));
    let _ = l.object(
        "ben",
        "analytics",
        t(3),
        Evidence::new(CollectionMethod::SettingsPage),
    );
    let _ = l.set_global_opt_out(
        "chloe",
        t(4),
        Evidence::new(CollectionMethod::BrowserSignal),
    );
    let _ = l.withdraw_all("ana", t(5), Evidence::new(CollectionMethod::EmailLink));
    let _ = l.register("dan", t(6));
    let _ = l.erase("eve", t(7));
    l
}

/// The instants worth asking about for a ledger: every record's and mark's
/// time and expiry, ±1 ns, and two far ones.
fn instants(l: &Ledger, subject: &str) -> Vec<OffsetDateTime> {
    let mut out = vec![OffsetDateTime::UNIX_EPOCH, t0() + Duration::days(10_000)];
    if let Some(r) = l.subject_records(subject) {
        let ns = Duration::nanoseconds(1);
        let mut push = |t: OffsetDateTime| out.extend([t - ns, t, t + ns]);
        for rec in r.records() {
            push(rec.at());
            if let Some(e) = rec.expires_at() {
                push(e);
            }
        }
        for m in [r.registered(), r.withdrawn_all(), r.erased()]
            .into_iter()
            .flatten()
        {
            push(m.at());
        }
        if let Some(signal) = r.global_opt_out() {
            push(signal.since());
        }
    }
    out
}

/// Checks never panic, and the three ways of asking agree: `is_permitted`,
/// `decide` and `check` by handles. Bounded so that a huge catalog stays fast.
pub fn checks_agree(l: &Ledger) {
    let purposes: Vec<String> = l
        .catalog()
        .purposes()
        .take(12)
        .map(|p| p.name().to_owned())
        .collect();
    let categories: Vec<String> = l
        .catalog()
        .categories()
        .take(12)
        .map(|c| c.name().to_owned())
        .collect();
    let mut subjects: Vec<String> = l.subjects().take(6).map(str::to_owned).collect();
    subjects.push("nobody".to_owned());
    for s in &subjects {
        for at in instants(l, s) {
            for p in purposes.iter().map(String::as_str).chain(["undeclared"]) {
                let _ = l.status(s, p, at);
                for c in categories.iter().map(String::as_str).chain(["undeclared"]) {
                    let d = l.decide(s, p, c, at);
                    assert_eq!(l.is_permitted(s, p, c, at), d.is_permitted());
                    if let (Some(sh), Some(ph), Some(ch)) = (
                        l.subject_handle(s),
                        l.catalog().purpose_handle(p),
                        l.catalog().category_handle(c),
                    ) {
                        assert_eq!(
                            l.check(sh, ph, ch, at),
                            d,
                            "check by handles for {s} {p} {c} {at}"
                        );
                    }
                }
            }
        }
    }
}

/// A ledger's snapshot goes to JSON and back, restores, and the restored
/// ledger writes the same snapshot.
pub fn snapshot_round_trips(l: &Ledger) {
    let saved = l.snapshot();
    let json = saved.to_json().expect("a ledger's snapshot serializes");
    let read = Snapshot::from_json(&json).expect("a ledger's snapshot reads back");
    assert_eq!(read, saved, "snapshot JSON round trip");
    let restored = match Ledger::restore(read) {
        Ok(r) => r,
        Err(e) => panic!("a ledger's own snapshot does not restore: {e}\n{json}"),
    };
    assert_eq!(restored.snapshot(), saved, "restore then snapshot");
}

/// The state as events rebuilds every record and mark.
pub fn state_as_events_rebuilds(l: &Ledger) {
    let mut rebuilt = Ledger::new(l.catalog().clone());
    for e in l.events() {
        if let Err(err) = rebuilt.apply(&e) {
            panic!("an event of the state does not apply: {err}\n{e:?}");
        }
    }
    for s in l.subjects() {
        let (Some(a), b) = (l.subject_records(s), rebuilt.subject_records(s)) else {
            continue;
        };
        let Some(b) = b else {
            panic!("subject `{s}` lost when rebuilt from the state's events");
        };
        let key = |r: &consentry::ConsentRecord| {
            (
                r.purpose().to_owned(),
                r.answer(),
                r.at(),
                r.expires_at(),
                r.categories().to_vec(),
            )
        };
        let ka: Vec<_> = a.records().iter().map(key).collect();
        let kb: Vec<_> = b.records().iter().map(key).collect();
        assert_eq!(ka, kb, "records of `{s}` rebuilt from the state's events");
        let mark = |m: Option<&consentry::SubjectMark>| m.map(consentry::SubjectMark::at);
        assert_eq!(mark(a.registered()), mark(b.registered()));
        assert_eq!(mark(a.withdrawn_all()), mark(b.withdrawn_all()));
        assert_eq!(a.global_opt_out(), b.global_opt_out());
    }
}

/// An error is safe to log: one line of at most 512 bytes without control
/// characters, whatever the input, and its `Debug` bounded too.
pub fn error_is_bounded(e: &consentry::Error) {
    let message = e.to_string();
    assert!(message.len() <= 512, "error of {} bytes", message.len());
    assert!(
        !message.chars().any(char::is_control),
        "control character in error: {message:?}"
    );
    assert!(format!("{e:?}").len() <= 2048, "Debug of {message}");
}
