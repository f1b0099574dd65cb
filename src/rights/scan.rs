//! Bulk scans: the subjects permitted for a purpose and category at an
//! instant, without a check per subject where the layout allows it.

use crate::instant::Timestamp;
use crate::ledger::Ledger;
use crate::ledger::store::{GIVEN, Row, RowFlags, Slot};
use crate::model::category::CategorySet;
use crate::wire::timestamp::Nanos;

/// The subjects a scan yields, as indices.
pub(crate) enum Scan<'a> {
    /// Nothing can be permitted.
    Empty,
    /// Consent needed: the purpose's column, rows that grant at the instant.
    Column {
        ledger: &'a Ledger,
        rows: std::slice::Iter<'a, Row>,
        purpose: u16,
        category: u8,
        /// Ancestors of the category: a grant of any covers it.
        covering: CategorySet,
        at: Nanos,
        /// Subjects with a withdraw-all or opt-out mark, sorted: they take
        /// the full check. Empty when no subject has one.
        marked: Vec<u32>,
    },
    /// Consent not needed: every known subject, fully checked.
    All {
        ledger: &'a Ledger,
        next: u32,
        purpose: u16,
        category: u8,
        at: Nanos,
    },
}

impl Iterator for Scan<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        match self {
            Scan::Empty => None,
            Scan::Column {
                ledger,
                rows,
                purpose,
                category,
                covering,
                at,
                marked,
            } => {
                for r in rows.by_ref() {
                    // INVARIANT: one row per subject and purpose; a row that
                    // grants here is the subject's record for the purpose.
                    if !grants(ledger, r, *covering, *at) {
                        continue;
                    }
                    if !marked.is_empty()
                        && marked.binary_search(&r.subject).is_ok()
                        && !ledger.permitted_at(r.subject, *purpose, *category, *at)
                    {
                        continue;
                    }
                    return Some(r.subject);
                }
                None
            }
            Scan::All {
                ledger,
                next,
                purpose,
                category,
                at,
            } => {
                while (*next as usize) < ledger.store.subject_count() {
                    let s = *next;
                    *next += 1;
                    // The subjects the ledger lists (`Ledger::subjects`).
                    if ledger.store.is_known(s) && ledger.permitted_at(s, *purpose, *category, *at)
                    {
                        return Some(s);
                    }
                }
                None
            }
        }
    }
}

/// Whether a row of a consent purpose's column grants use of a category
/// (whose ancestors are `covering`) at `at`, for a subject with no mark
/// that could overrule it. Branch-free, so that a count over a column
/// runs without mispredictions.
// The flags test below reads "kind GIVEN, notice current" as one compare.
const _: () = assert!(GIVEN == 0);

#[inline]
fn grants(ledger: &Ledger, r: &Row, covering: CategorySet, at: Nanos) -> bool {
    valid_grant(r, at) & ledger.store.set(r.set()).intersects(covering)
}

/// Whether a row is a grant under the current notice, valid at `at`
/// (the category test aside). Branch-free.
#[inline]
fn valid_grant(r: &Row, at: Nanos) -> bool {
    let flags = r.flags & (RowFlags::KIND | RowFlags::NOTICE_OK);
    (flags == RowFlags::NOTICE_OK) & (r.from <= at) & (at < r.until)
}

impl Scan<'_> {
    /// How many subjects the scan yields, counting a column without the
    /// per-row branches of `next` when no subject has a mark.
    pub(crate) fn count_fast(self) -> usize {
        match self {
            Scan::Column {
                ledger,
                rows,
                covering,
                at,
                marked,
                ..
            } if marked.is_empty() => {
                // Which category sets cover the category, by set index: a
                // byte per set instead of a 16-byte set per row.
                let covers: Vec<bool> = ledger
                    .store
                    .sets
                    .values()
                    .iter()
                    .map(|s| s.intersects(covering))
                    .collect();
                rows.map(|r| {
                    usize::from(
                        valid_grant(r, at) & covers.get(r.set() as usize).copied().unwrap_or(false),
                    )
                })
                .sum()
            }
            scan => scan.count(),
        }
    }
}

impl Ledger {
    /// The subjects permitted for `purpose` and `category` at `at`, as
    /// indices: exactly those for which `is_permitted` is true.
    ///
    /// For a purpose that needs consent, this reads the purpose's column
    /// only (24-byte rows, no per-subject lookup) and takes the full check
    /// for the few subjects with a withdraw-all or opt-out mark; otherwise
    /// it checks every subject. One allocation per call (the list of marked
    /// subjects, when there are any), none per record.
    pub(crate) fn scan(&self, purpose: &str, category: &str, at: Timestamp) -> Scan<'_> {
        let at = at.unix_nanos();
        let (Some(ph), Some(ch)) = (
            self.catalog.purpose_index(purpose),
            self.catalog.category_index(category),
        ) else {
            return Scan::Empty;
        };
        let (Some(p), Some(c)) = (
            self.catalog.purpose_by_index(ph),
            self.catalog.category_by_index(ch),
        ) else {
            return Scan::Empty;
        };
        if !p.allowed.contains(CategorySet::single(ch)) {
            return Scan::Empty;
        }
        if c.needs_explicit
            && p.basis() == crate::LegalBasis::Consent
            && self.catalog.regimes.is_none()
        {
            return Scan::Empty; // sensitive data needs explicit consent
        }
        let needs_consent = p.basis().is_consent() || c.needs_explicit;
        // Under regimes, who is permitted depends on each subject's law
        // and age: every subject is checked.
        if !needs_consent || self.catalog.regimes.is_some() {
            return Scan::All {
                ledger: self,
                next: 0,
                purpose: ph,
                category: ch,
                at,
            };
        }
        let Some(column) = self.store.column(Slot::Purpose(ph)) else {
            return Scan::Empty;
        };
        let mut marked = Vec::new();
        for slot in [Slot::WithdrawnAll, Slot::OptOut] {
            if let Some(col) = self.store.column(slot) {
                marked.extend(col.rows.iter().map(|r| r.subject));
            }
        }
        marked.sort_unstable();
        marked.dedup();
        Scan::Column {
            ledger: self,
            rows: column.rows.iter(),
            purpose: ph,
            category: ch,
            covering: c.ancestors,
            at,
            marked,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Catalog, CollectionMethod, Evidence, Grant, Ledger, LegalBasis, PurposeDef};
    use time::macros::datetime;

    /// The scan agrees with the check for every subject, under every basis,
    /// with withdraw-all, opt-out, refusals, expiry and category subsets.
    #[test]
    fn scan_agrees_with_the_check() {
        let p = |n: &str, b| {
            PurposeDef::new(n, b)
                .title(n)
                .description(n)
                .categories(["contact"])
        };
        let catalog = Catalog::builder()
            .category("contact")
            .category("contact.email")
            .category("contact.phone")
            .purpose(p("news", LegalBasis::Consent).sale_or_sharing())
            .purpose(p("fraud", LegalBasis::LegitimateInterest))
            .build()
            .expect("valid");
        let mut l = Ledger::new(catalog);
        let t = |d: u8| datetime!(2026-01-01 0:00 UTC) + time::Duration::days(i64::from(d));
        let ev = || Evidence::new(CollectionMethod::Api).with_notice_version(1);
        for i in 0..60u8 {
            let s = format!("s{i}");
            let mut g = Grant::new(&s, "news", t(i % 7), ev());
            if i % 3 == 0 {
                g = g.categories(["contact.email"]);
            }
            if i % 5 == 0 {
                g = g.expires_at(t(i % 7 + 2));
            }
            l.give(g).expect("valid");
            match i % 11 {
                0 => drop(l.withdraw_all(&s, t(4), ev()).expect("valid")),
                1 => drop(l.set_global_opt_out(&s, t(1), ev()).expect("valid")),
                2 => drop(l.refuse(&s, "fraud", t(2), ev()).expect("valid")),
                3 => drop(l.erase(&s, t(3)).expect("valid")),
                _ => {}
            }
        }
        for day in 0..12 {
            for purpose in ["news", "fraud", "nope"] {
                for category in ["contact", "contact.email", "contact.phone", "x"] {
                    let at = t(day);
                    let mut scanned: Vec<&str> = l
                        .scan(purpose, category, at.into())
                        .map(|s| l.store.names.get(s))
                        .collect();
                    scanned.sort_unstable();
                    let mut checked: Vec<&str> = l
                        .subjects()
                        .filter(|s| l.is_permitted(s, purpose, category, at))
                        .collect();
                    checked.sort_unstable();
                    assert_eq!(scanned, checked, "{purpose} {category} day {day}");
                }
            }
        }
    }
}
