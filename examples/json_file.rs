//! A snapshot kept in a JSON file, replaced atomically: the new state is
//! written to a temporary file in the same directory, flushed to disk, and
//! renamed over the old one, so a crash at any moment leaves either the old
//! or the new snapshot, never a torn one.
//!
//! Run with `cargo run --example json_file`.

#[allow(dead_code)]
mod shop;

use std::error::Error;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use consentry::{Ledger, Snapshot};
use shop::{Rng, all_decisions, catalog, random_change};
use time::Duration;
use time::macros::datetime;

/// Writes `ledger`'s snapshot to `path` atomically.
fn save(ledger: &Ledger, path: &Path) -> Result<(), Box<dyn Error>> {
    let tmp = temp_path(path);
    {
        let mut file = File::create(&tmp)?;
        file.write_all(ledger.snapshot().to_json()?.as_bytes())?;
        file.sync_all()?; // the bytes are on disk before the rename
    }
    fs::rename(&tmp, path)?; // atomic on POSIX file systems
    if let Some(dir) = path.parent() {
        // Make the rename itself durable (a no-op where unsupported).
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

fn load(path: &Path) -> Result<Ledger, Box<dyn Error>> {
    let json = fs::read_to_string(path)?;
    Ok(Ledger::restore_with_catalog(
        Snapshot::from_json(&json)?,
        catalog(),
    )?)
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::temp_dir().join(format!("consentry-json-{}", std::process::id()));
    fs::create_dir_all(&dir)?;
    let path = dir.join("consent.json");

    let mut ledger = Ledger::new(catalog());
    let mut rng = Rng(42);
    let mut at = datetime!(2026-02-01 09:00 UTC);
    for _ in 0..500 {
        at += Duration::minutes(3);
        random_change(&mut ledger, &mut rng, 200, at);
    }
    save(&ledger, &path)?;
    let saved = all_decisions(&ledger, 200, at);
    println!(
        "saved {} subjects to {}",
        ledger.subject_count(),
        path.display()
    );

    // More changes, then a crash in the middle of the next save: the
    // temporary file is torn, the rename never happens.
    for _ in 0..500 {
        at += Duration::minutes(3);
        random_change(&mut ledger, &mut rng, 200, at);
    }
    let json = ledger.snapshot().to_json()?;
    fs::write(temp_path(&path), &json.as_bytes()[..json.len() / 2])?;
    println!(
        "crash while writing the next snapshot: {} of {} bytes written",
        json.len() / 2,
        json.len()
    );

    // Restart: the previous snapshot is intact and loads.
    let restored = load(&path)?;
    assert_eq!(all_decisions(&restored, 200, at), saved);
    println!(
        "restart: the previous snapshot loaded, {} subjects, every decision as saved",
        restored.subject_count()
    );

    // The torn file is rejected with a clear error, never half-loaded.
    match Snapshot::from_json(&fs::read_to_string(temp_path(&path))?) {
        Err(e) => println!("the torn temporary file is rejected: {e}"),
        Ok(_) => return Err("a torn snapshot must not load".into()),
    }

    // A completed save replaces the old one.
    save(&ledger, &path)?;
    assert_eq!(load(&path)?.snapshot(), ledger.snapshot());
    println!("a completed save replaced it: the loaded state equals the running ledger");

    fs::remove_dir_all(&dir)?;
    Ok(())
}
