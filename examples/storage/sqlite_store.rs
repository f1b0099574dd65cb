//! A host that keeps consent in SQLite: every change event appended to a
//! table, a periodic snapshot, and a restart that rebuilds the ledger from the
//! latest snapshot plus the events after it.
//!
//! Run with `cargo run --example sqlite_store`. The database is a real SQLite
//! file (rusqlite, bundled build) in the system's temporary directory,
//! removed at the end.

#[allow(dead_code)]
#[path = "../shop/mod.rs"]
mod shop;

use std::error::Error;

use consentry::{Event, Ledger, Snapshot};
use rusqlite::{Connection, OptionalExtension, params};
use shop::{Rng, all_decisions, catalog, random_change};
use time::Duration;
use time::macros::datetime;

/// The host's storage: an append-only event table and a snapshot table.
struct Store {
    conn: Connection,
}

impl Store {
    fn open(path: &std::path::Path) -> rusqlite::Result<Store> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS consent_events (
                 seq     INTEGER PRIMARY KEY AUTOINCREMENT,
                 id      TEXT NOT NULL UNIQUE,   -- the event's content hash
                 subject TEXT NOT NULL,
                 at      TEXT NOT NULL,
                 body    TEXT NOT NULL           -- the event's JSON
             );
             CREATE INDEX IF NOT EXISTS consent_events_subject ON consent_events (subject);
             CREATE TABLE IF NOT EXISTS consent_snapshots (
                 watermark INTEGER PRIMARY KEY,  -- the last seq it includes
                 body      TEXT NOT NULL
             );",
        )?;
        Ok(Store { conn })
    }

    /// Appends an event. `INSERT OR IGNORE` on the id makes a retried append
    /// harmless, like a replayed apply.
    fn append(&self, event: &Event) -> Result<(), Box<dyn Error>> {
        self.conn.execute(
            "INSERT OR IGNORE INTO consent_events (id, subject, at, body) VALUES (?1, ?2, ?3, ?4)",
            params![
                event.id().to_string(),
                event.subject(),
                event.at().unix_timestamp().to_string(),
                event.to_json()?
            ],
        )?;
        Ok(())
    }

    fn last_seq(&self) -> rusqlite::Result<u64> {
        self.conn
            .query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM consent_events",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
    }

    /// Saves a snapshot that includes every event up to `watermark`.
    fn save_snapshot(&self, ledger: &Ledger, watermark: u64) -> Result<usize, Box<dyn Error>> {
        let json = ledger.snapshot().with_watermark(watermark).to_json()?;
        self.conn.execute(
            "INSERT OR REPLACE INTO consent_snapshots (watermark, body) VALUES (?1, ?2)",
            params![watermark as i64, json],
        )?;
        Ok(json.len())
    }

    /// Rebuilds the ledger: the latest snapshot, then the events after its
    /// watermark, in log order (any order would give the same state).
    fn load(&self) -> Result<(Ledger, usize), Box<dyn Error>> {
        let latest: Option<String> = self
            .conn
            .query_row(
                "SELECT body FROM consent_snapshots ORDER BY watermark DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let (mut ledger, after) = match latest {
            Some(json) => {
                let snapshot = Snapshot::from_json(&json)?;
                let after = snapshot.watermark().unwrap_or(0);
                // The application's current catalog, which may have evolved.
                (Ledger::restore_with_catalog(snapshot, catalog())?, after)
            }
            None => (Ledger::new(catalog()), 0),
        };
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM consent_events WHERE seq > ?1 ORDER BY seq")?;
        let mut rows = stmt.query([after as i64])?;
        let mut replayed = 0;
        while let Some(row) = rows.next()? {
            let body: String = row.get(0)?;
            ledger.apply(&Event::from_json(&body)?)?;
            replayed += 1;
        }
        Ok((ledger, replayed))
    }
}

const SUBJECTS: u64 = 2_000;
const CHANGES: u64 = 10_000;
const SNAPSHOT_EVERY: u64 = 4_000;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::temp_dir().join(format!("consentry-example-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let store = Store::open(&path)?;

    // The running application: every accepted change is persisted.
    let mut ledger = Ledger::new(catalog());
    let mut rng = Rng(0x5eed);
    let mut at = datetime!(2026-01-01 08:00 UTC);
    let (mut stored, mut refused, mut snapshots) = (0, 0, 0);
    for n in 1..=CHANGES {
        at += Duration::seconds(37);
        match random_change(&mut ledger, &mut rng, SUBJECTS, at) {
            Some(event) => {
                store.append(&event)?;
                stored += 1;
            }
            None => refused += 1,
        }
        if n % SNAPSHOT_EVERY == 0 {
            let bytes = store.save_snapshot(&ledger, store.last_seq()?)?;
            snapshots += 1;
            println!(
                "snapshot {snapshots} at event {}: {bytes} bytes",
                store.last_seq()?
            );
        }
    }
    println!(
        "{stored} events stored, {refused} changes refused by the engine (objections to purposes that allow none), not stored"
    );

    // "Restart": the in-memory ledger is gone; rebuild it from SQLite.
    let now = at + Duration::days(1);
    let before = all_decisions(&ledger, SUBJECTS, now);
    let permitted = before.iter().filter(|d| d.is_permitted()).count();
    drop(ledger);
    drop(store);

    let store = Store::open(&path)?;
    let (restored, replayed) = store.load()?;
    let after = all_decisions(&restored, SUBJECTS, now);
    assert_eq!(
        before, after,
        "the restored ledger must answer exactly as before"
    );
    println!(
        "restart: latest snapshot + {replayed} events replayed -> {} subjects, all {} decisions identical ({permitted} permitted)",
        restored.subject_count(),
        after.len()
    );

    // The whole log alone rebuilds the same state too.
    store.conn.execute("DELETE FROM consent_snapshots", [])?;
    let (from_log, replayed) = store.load()?;
    assert_eq!(all_decisions(&from_log, SUBJECTS, now), before);
    assert_eq!(from_log.snapshot(), restored.snapshot());
    println!("full replay of {replayed} events from the log: same state");

    drop(store);
    std::fs::remove_file(&path)?;
    let _ = std::fs::remove_file(path.with_extension("db-wal"));
    let _ = std::fs::remove_file(path.with_extension("db-shm"));
    Ok(())
}
