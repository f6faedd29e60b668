//! A squash (a migration whose snapshot lists the migrations it replaces) on a database
//! that applied those originals: their history rows are read as the squash's own, which
//! therefore counts as applied (and, like a baseline, is never rolled back: its down
//! files would drop a schema its own up files never made here). A database that applied
//! only some of them cannot take the squash, and is told how to catch up.

use super::integrity::Checksums;
use super::{ApplyError, MigrationSource, Row, drift};
use crate::plan::Phase;

/// `rows` with the originals of every squash in `sources` replaced by the squash's rows.
pub(super) fn resolve(
    sources: &[MigrationSource],
    mut rows: Vec<Row>,
) -> Result<Vec<Row>, ApplyError> {
    for s in sources {
        let Some(snapshot) = drift::snapshot(s)? else {
            continue;
        };
        let replaced = &snapshot.squashes;
        let ran_originals = rows
            .iter()
            .any(|r| r.migration != s.id && replaced.contains(&r.migration));
        if !ran_originals {
            continue;
        }
        let missing: Vec<String> = replaced
            .iter()
            .filter(|id| {
                !rows.iter().any(|r| &r.migration == *id)
                    || rows
                        .iter()
                        .any(|r| &r.migration == *id && r.finished_at.is_none())
            })
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(ApplyError::PartlySquashed {
                id: s.id.clone(),
                missing,
            });
        }
        let first = rows.iter().position(|r| replaced.contains(&r.migration));
        let covers = rows
            .iter()
            .filter(|r| replaced.contains(&r.migration))
            .find_map(|r| r.covers.clone());
        rows.retain(|r| !replaced.contains(&r.migration));
        let own = Phase::ALL
            .into_iter()
            .filter(|p| s.file(&format!("{p}.up.sql")).is_some())
            .map(|p| squash_row(s, p, covers.clone()));
        let at = first.unwrap_or(rows.len()).min(rows.len());
        rows.splice(at..at, own);
    }
    Ok(rows)
}

/// A finished row of the squash's `phase`, as if it had run.
fn squash_row(s: &MigrationSource, phase: Phase, covers: Option<Vec<String>>) -> Row {
    let sums = Checksums::of(s, phase);
    Row {
        migration: s.id.clone(),
        phase: phase.as_str().to_owned(),
        checksum: sums.up,
        down_checksum: Some(sums.down),
        snapshot_checksum: Some(sums.snapshot),
        applied_by: String::new(),
        started_at: String::new(),
        finished_at: Some(String::new()),
        duration_ms: None,
        statements_done: 0,
        backfill_last_key: None,
        backfill_upper_key: None,
        backfill_rows: 0,
        statements_undone: 0,
        baseline: true,
        covers,
        request: None,
    }
}
