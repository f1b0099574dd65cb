//! The performance workload, shared by the benches and the memory report:
//! generated with a fixed seed, plus the two reference implementations every
//! figure is compared with in the same run.
//!
//! - subjects `user-000000`..; 12 purposes (all plain consent, so the three
//!   implementations must give the same answers, which `Workload::verify`
//!   checks); 24 categories (6 roots with 3 children each);
//! - 1 to 7 grants per subject (4 on average), each for all of the purpose's
//!   categories (70%) or a subset (30%); about 10% expired at `now`;
//! - evidence: 3 channels, 4 jurisdictions, 5 languages, and one or two
//!   consent receipts (proof references) per subject;
//! - checks: half chosen among valid grants (permitted), half at random.

#![allow(dead_code)]

use std::collections::HashMap;

use consentry::{
    Age, Catalog, CollectionMethod, Event, Evidence, Grant, Ledger, LegalBasis, PurposeDef,
};
use time::{Duration, OffsetDateTime};

pub const PURPOSES: usize = 12;
pub const ROOTS: usize = 6;

/// xorshift64*: deterministic, dependency-free.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-06-01 12:00 UTC)
}

pub fn purpose_name(p: usize) -> String {
    format!("purpose.p{p:02}")
}

pub fn category_names() -> Vec<String> {
    let mut v = Vec::new();
    for r in 0..ROOTS {
        v.push(format!("c{r}"));
        for k in ["a", "b", "c"] {
            v.push(format!("c{r}.{k}"));
        }
    }
    v
}

/// The two roots purpose `p` declares.
pub fn purpose_roots(p: usize) -> [usize; 2] {
    [p % ROOTS, (p + 1) % ROOTS]
}

pub fn catalog() -> Catalog {
    let mut b = Catalog::builder().controller("Bench Ltd");
    for c in category_names() {
        b = b.category(c);
    }
    for p in 0..PURPOSES {
        let [a, c] = purpose_roots(p);
        b = b.purpose(
            PurposeDef::new(purpose_name(p), LegalBasis::Consent)
                .title(format!("Purpose {p}"))
                .description("A purpose of the benchmark.")
                .categories([format!("c{a}"), format!("c{c}")]),
        );
    }
    b.build().expect("valid bench catalog")
}

/// One generated grant.
#[derive(Debug, Clone)]
pub struct GrantSpec {
    pub purpose: usize,
    /// Category names as granted.
    pub categories: Vec<String>,
    pub given_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub channel: &'static str,
    pub jurisdiction: &'static str,
    pub language: &'static str,
    pub proof: String,
}

pub struct Workload {
    pub subjects: Vec<String>,
    pub grants: Vec<Vec<GrantSpec>>,
    /// (subject index, purpose, category name)
    pub checks: Vec<(usize, usize, String)>,
}

impl Workload {
    pub fn generate(subjects: usize, checks: usize) -> Workload {
        let mut rng = Rng::new(0x00c0_ffee_2026);
        let cats = category_names();
        let now = now();
        let channels = ["web", "ios", "call-centre"];
        let jurisdictions = ["EU", "UK", "US-CA", "BR"];
        let languages = ["en", "fr", "de", "es", "pt"];
        let mut names = Vec::with_capacity(subjects);
        let mut grants = Vec::with_capacity(subjects);
        for s in 0..subjects {
            names.push(format!("user-{s:06}"));
            let n = 1 + rng.below(7) as usize;
            let mut purposes: Vec<usize> = (0..PURPOSES).collect();
            for i in 0..n {
                let j = i + rng.below((PURPOSES - i) as u64) as usize;
                purposes.swap(i, j);
            }
            let receipts = 1 + rng.below(2);
            let mut gs = Vec::with_capacity(n);
            for &p in purposes.iter().take(n) {
                let [a, b] = purpose_roots(p);
                let categories = match rng.below(10) {
                    0..=6 => vec![format!("c{a}"), format!("c{b}")],
                    7 => vec![format!("c{a}")],
                    8 => vec![format!("c{b}.a"), format!("c{b}.c")],
                    _ => vec![format!("c{a}.b")],
                };
                let given_at = now - Duration::minutes(60 * 24 + rng.below(60 * 24 * 300) as i64);
                let expires_at = if rng.below(10) == 0 {
                    // Expired: between given_at and now.
                    let span = (now - given_at).whole_minutes().max(2) as u64;
                    given_at + Duration::minutes(1 + rng.below(span - 1) as i64)
                } else {
                    now + Duration::minutes(1 + rng.below(60 * 24 * 365) as i64)
                };
                gs.push(GrantSpec {
                    purpose: p,
                    categories,
                    given_at,
                    expires_at,
                    channel: channels[rng.below(3) as usize],
                    jurisdiction: jurisdictions[rng.below(4) as usize],
                    language: languages[rng.below(5) as usize],
                    proof: format!("rcpt-{s:06}-{}", rng.below(receipts)),
                });
            }
            grants.push(gs);
        }
        let mut list = Vec::with_capacity(checks);
        while list.len() < checks {
            let s = rng.below(subjects as u64) as usize;
            if list.len() % 2 == 0 {
                // Among valid grants: a category the grant covers.
                let valid: Vec<&GrantSpec> =
                    grants[s].iter().filter(|g| g.expires_at > now).collect();
                if valid.is_empty() {
                    continue;
                }
                let g = valid[rng.below(valid.len() as u64) as usize];
                let granted = &g.categories[rng.below(g.categories.len() as u64) as usize];
                let covered: Vec<&String> = cats
                    .iter()
                    .filter(|c| *c == granted || c.starts_with(&format!("{granted}.")))
                    .collect();
                let c = covered[rng.below(covered.len() as u64) as usize].clone();
                list.push((s, g.purpose, c));
            } else {
                let p = rng.below(PURPOSES as u64) as usize;
                let c = cats[rng.below(cats.len() as u64) as usize].clone();
                list.push((s, p, c));
            }
        }
        Workload {
            subjects: names,
            grants,
            checks: list,
        }
    }

    pub fn grant_count(&self) -> usize {
        self.grants.iter().map(Vec::len).sum()
    }

    pub fn events(&self) -> Vec<Event> {
        let mut ledger = Ledger::new(catalog());
        let mut out = Vec::with_capacity(self.grant_count());
        for (s, gs) in self.grants.iter().enumerate() {
            for g in gs {
                out.push(
                    ledger
                        .give(self.grant(s, g))
                        .expect("valid grant")
                        .into_event(),
                );
            }
        }
        out
    }

    pub fn grant(&self, s: usize, g: &GrantSpec) -> Grant {
        Grant::new(
            self.subjects[s].as_str(),
            purpose_name(g.purpose),
            g.given_at,
            Evidence::new(CollectionMethod::Banner)
                .with_notice_version(1)
                .with_channel(g.channel)
                .with_jurisdiction(g.jurisdiction)
                .with_language(g.language)
                .with_proof(g.proof.as_str()),
        )
        .categories(g.categories.iter().map(String::as_str))
        .expires_at(g.expires_at)
    }

    pub fn ledger(&self) -> Ledger {
        let mut ledger = Ledger::new(catalog());
        for (s, gs) in self.grants.iter().enumerate() {
            for g in gs {
                ledger.give(self.grant(s, g)).expect("valid grant");
            }
        }
        ledger.shrink_to_fit();
        ledger
    }

    pub fn typical(&self) -> Typical {
        let mut map = HashMap::with_capacity(self.subjects.len());
        for (s, gs) in self.grants.iter().enumerate() {
            map.insert(
                self.subjects[s].clone(),
                gs.iter()
                    .map(|g| TypicalGrant {
                        purpose: purpose_name(g.purpose),
                        categories: g.categories.clone(),
                        given_at: g.given_at,
                        expires_at: Some(g.expires_at),
                        withdrawn: false,
                        notice_version: 1,
                        method: "banner".to_owned(),
                        channel: g.channel.to_owned(),
                        jurisdiction: g.jurisdiction.to_owned(),
                        language: g.language.to_owned(),
                        proof: g.proof.clone(),
                    })
                    .collect(),
            );
        }
        Typical { map }
    }

    pub fn sketch(&self) -> Sketch {
        let cats = category_names();
        let mut category_index = hashbrown::HashMap::new();
        let mut covers = Vec::new(); // category -> bits of it and its descendants
        for (i, c) in cats.iter().enumerate() {
            category_index.insert(c.clone().into_boxed_str(), i as u8);
            let mut bits = 0u32;
            for (j, d) in cats.iter().enumerate() {
                if d == c || d.starts_with(&format!("{c}.")) {
                    bits |= 1 << j;
                }
            }
            covers.push(bits);
        }
        let mut purpose_index = hashbrown::HashMap::new();
        for p in 0..PURPOSES {
            purpose_index.insert(purpose_name(p).into_boxed_str(), p as u8);
        }
        let mut index = hashbrown::HashMap::with_capacity(self.subjects.len());
        let mut offsets = Vec::with_capacity(self.subjects.len() + 1);
        let mut grants = Vec::with_capacity(self.grant_count());
        offsets.push(0u32);
        for (s, gs) in self.grants.iter().enumerate() {
            index.insert(self.subjects[s].clone().into_boxed_str(), s as u32);
            for g in gs {
                let mut mask = 0u32;
                for c in &g.categories {
                    mask |= covers[category_index[c.as_str()] as usize];
                }
                grants.push(SketchGrant {
                    from: g.given_at.unix_timestamp_nanos() as i64,
                    until: g.expires_at.unix_timestamp_nanos() as i64,
                    mask,
                    purpose: g.purpose as u8,
                });
            }
            offsets.push(grants.len() as u32);
        }
        Sketch {
            index,
            purpose_index,
            category_index,
            offsets,
            grants,
        }
    }
}

// ---------------------------------------------------------------------------
// What a typical developer writes: String names, OffsetDateTime, linear scan.
// ---------------------------------------------------------------------------

pub struct TypicalGrant {
    pub purpose: String,
    pub categories: Vec<String>,
    pub given_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub withdrawn: bool,
    pub notice_version: u32,
    pub method: String,
    pub channel: String,
    pub jurisdiction: String,
    pub language: String,
    pub proof: String,
}

pub struct Typical {
    pub map: HashMap<String, Vec<TypicalGrant>>,
}

impl TypicalGrant {
    fn permits(&self, purpose: &str, category: &str, at: OffsetDateTime) -> bool {
        self.purpose == purpose
            && !self.withdrawn
            && self.given_at <= at
            && self.expires_at.is_none_or(|e| at < e)
            && self.categories.iter().any(|g| {
                category == g
                    || (category.starts_with(g.as_str())
                        && category.as_bytes().get(g.len()) == Some(&b'.'))
            })
    }
}

impl Typical {
    pub fn is_permitted(
        &self,
        subject: &str,
        purpose: &str,
        category: &str,
        at: OffsetDateTime,
    ) -> bool {
        self.map
            .get(subject)
            .is_some_and(|gs| gs.iter().any(|g| g.permits(purpose, category, at)))
    }

    pub fn audience_count(&self, purpose: &str, category: &str, at: OffsetDateTime) -> usize {
        self.map
            .values()
            .filter(|gs| gs.iter().any(|g| g.permits(purpose, category, at)))
            .count()
    }
}

// ---------------------------------------------------------------------------
// The lower-bound sketch: subject hashed once (foldhash), dense ids, bitmask
// categories with descendants expanded, grants in one flat array.
// ---------------------------------------------------------------------------

pub struct SketchGrant {
    pub from: i64,
    pub until: i64,
    pub mask: u32,
    pub purpose: u8,
}

pub struct Sketch {
    pub index: hashbrown::HashMap<Box<str>, u32>,
    pub purpose_index: hashbrown::HashMap<Box<str>, u8>,
    pub category_index: hashbrown::HashMap<Box<str>, u8>,
    pub offsets: Vec<u32>,
    pub grants: Vec<SketchGrant>,
}

impl Sketch {
    #[inline]
    pub fn is_permitted(
        &self,
        subject: &str,
        purpose: &str,
        category: &str,
        at: OffsetDateTime,
    ) -> bool {
        let (Some(&s), Some(&p), Some(&c)) = (
            self.index.get(subject),
            self.purpose_index.get(purpose),
            self.category_index.get(category),
        ) else {
            return false;
        };
        self.is_permitted_dense(s, p, c, at.unix_timestamp_nanos() as i64)
    }

    #[inline]
    pub fn is_permitted_dense(&self, s: u32, p: u8, c: u8, at: i64) -> bool {
        let (Some(&a), Some(&b)) = (
            self.offsets.get(s as usize),
            self.offsets.get(s as usize + 1),
        ) else {
            return false;
        };
        self.grants[a as usize..b as usize]
            .iter()
            .any(|g| g.purpose == p && g.from <= at && at < g.until && g.mask & (1 << c) != 0)
    }
}

impl Sketch {
    /// By subject name, purpose and category resolved beforehand.
    #[inline]
    pub fn is_permitted_resolved(&self, subject: &str, p: u8, c: u8, at: i64) -> bool {
        match self.index.get(subject) {
            Some(&s) => self.is_permitted_dense(s, p, c, at),
            None => false,
        }
    }

    /// Subjects with a grant of purpose `p` covering category `c` at `at`
    /// (each subject has at most one grant per purpose in the workload).
    pub fn audience_count(&self, p: u8, c: u8, at: i64) -> usize {
        self.grants
            .iter()
            .filter(|g| g.purpose == p && g.from <= at && at < g.until && g.mask & (1 << c) != 0)
            .count()
    }

    /// One purpose's grants as columns, for the audience lower bound.
    pub fn columns(&self, p: u8) -> Columns {
        let mut out = Columns::default();
        for g in self.grants.iter().filter(|g| g.purpose == p) {
            out.from.push(g.from);
            out.until.push(g.until);
            out.mask.push(g.mask);
        }
        out
    }
}

/// A per-purpose columnar sketch: the grants of one purpose as three arrays.
#[derive(Default)]
pub struct Columns {
    pub from: Vec<i64>,
    pub until: Vec<i64>,
    pub mask: Vec<u32>,
}

impl Columns {
    pub fn count(&self, c: u8, at: i64) -> usize {
        self.from
            .iter()
            .zip(&self.until)
            .zip(&self.mask)
            .filter(|((f, u), m)| **f <= at && at < **u && **m & (1 << c) != 0)
            .count()
    }
}

/// The perf workload's catalog with five regimes (the default: the most
/// protective of them).
pub fn regime_catalog() -> Catalog {
    let mut json: serde_json::Value = serde_json::to_value(catalog()).expect("catalog serializes");
    json["regimes"] = serde_json::json!([
        {"preset": "DE"},
        {"preset": "FR"},
        {"preset": "US-CA"},
        {"preset": "US-CO"},
        {"preset": "BR"}
    ]);
    serde_json::from_value(json).expect("catalog with regimes")
}

const PLACES: [&str; 6] = ["DE", "FR", "US-CA", "US-CO", "BR", "JP"];
const AGES: [Option<u8>; 6] = [Some(30), Some(45), Some(17), Some(15), Some(12), None];

pub fn regime_ledger(w: &Workload) -> Ledger {
    let mut ledger = Ledger::new(regime_catalog());
    let t0 = time::macros::datetime!(2026-01-01 00:00 UTC);
    let f = || Evidence::new(CollectionMethod::Form);
    for (s, name) in w.subjects.iter().enumerate() {
        ledger
            .set_jurisdiction(name, PLACES[s % PLACES.len()], t0, f())
            .expect("jurisdiction");
        if let Some(age) = AGES[(s / PLACES.len()) % AGES.len()] {
            ledger.set_age(name, Age::Years(age), t0, f()).expect("age");
        }
        for g in &w.grants[s] {
            ledger.give(w.grant(s, g)).expect("valid grant");
        }
    }
    ledger.shrink_to_fit();
    ledger
}

/// Checks per window of the interleaved measurements.
pub const WINDOW: usize = 2048;

/// Times `paths` check paths over `checks` checks so that a busy machine
/// treats them alike: cut into windows of [`WINDOW`], the paths take turns
/// window by window (the first rotating), each on its own window, 13 windows
/// apart (a window one path has just read is read by the next only after
/// ~130 others, by then out of the caches at a million subjects, as in real
/// traffic); three rounds. `run(path, window)` runs one path over the
/// checks in `window` and returns what it counted (kept from the
/// optimizer). Returns each path's 25th percentile and median, in ns per
/// check.
pub fn take_turns(
    paths: usize,
    checks: usize,
    mut run: impl FnMut(usize, std::ops::Range<usize>) -> usize,
) -> Vec<(f64, f64)> {
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); paths];
    let windows = checks / WINDOW;
    for round in 0..3 {
        for k in 0..windows {
            for j in 0..paths {
                let v = (j + k + round) % paths;
                let first = (k + v * 13) % windows * WINDOW;
                let t = std::time::Instant::now();
                std::hint::black_box(run(v, first..first + WINDOW));
                times[v].push(t.elapsed().as_nanos() as f64 / WINDOW as f64);
            }
        }
    }
    times
        .iter_mut()
        .map(|v| {
            v.sort_by(|a, b| a.total_cmp(b));
            (v[v.len() / 4], v[v.len() / 2])
        })
        .collect()
}

/// The sizes a criterion bench runs: 10k subjects, and 1M too when
/// `CONSENTRY_BENCH_1M` is set.
pub fn sizes() -> Vec<(usize, &'static str)> {
    let mut v = vec![(10_000, "10k")];
    if std::env::var_os("CONSENTRY_BENCH_1M").is_some() {
        v.push((1_000_000, "1M"));
    }
    v
}

/// Where criterion writes: the target directory of the workspace at the
/// repository root (shared by its members), or `CARGO_TARGET_DIR`.
pub fn criterion_dir() -> std::path::PathBuf {
    use std::path::PathBuf;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}

/// criterion's `stat` estimate (`"mean"`, `"median"`) of `group/id`, in
/// nanoseconds per iteration, from its last run.
pub fn estimate_ns(group: &str, id: &str, stat: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v[stat]["point_estimate"].as_f64()
}

/// Every check of the workload asks about its own instant (a request's
/// `now`): the base instant plus up to an hour.
pub fn instants(w: &Workload) -> Vec<OffsetDateTime> {
    let mut rng = Rng::new(0x0005_eed0_f1a5);
    let base = now();
    w.checks
        .iter()
        .map(|_| base + time::Duration::nanoseconds(rng.below(3_600_000_000_000) as i64))
        .collect()
}

/// The workload's checks by name: (subject, purpose, category).
pub fn named(w: &Workload) -> Vec<(&str, String, &str)> {
    w.checks
        .iter()
        .map(|(s, p, c)| (w.subjects[*s].as_str(), purpose_name(*p), c.as_str()))
        .collect()
}

/// The same checks by handles of `ledger`.
pub fn handles(
    ledger: &Ledger,
    named: &[(&str, String, &str)],
) -> Vec<(
    consentry::SubjectHandle,
    consentry::PurposeHandle,
    consentry::CategoryHandle,
)> {
    named
        .iter()
        .map(|(s, p, c)| {
            (
                ledger.subject_handle(s).expect("known subject"),
                ledger.catalog().purpose_handle(p).expect("declared"),
                ledger.catalog().category_handle(c).expect("declared"),
            )
        })
        .collect()
}
