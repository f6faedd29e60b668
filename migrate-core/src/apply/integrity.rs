//! History integrity, checked before anything runs: no rollback half done (unless this is
//! the rollback that finishes it), every applied migration still in the sources, its up
//! file, down file and snapshot as they were when it ran, and no pending migration older
//! than an applied one (one merged from a branch after a newer one ran).

use super::{ApplyError, ApplyOptions, MigrationSource, Row};
use crate::migrations::SNAPSHOT_FILE;
use crate::plan::Phase;

/// SHA-256 of a file's content, hex.
pub fn checksum(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The checksums a phase's history row records when its up file starts.
#[derive(Debug, Clone, Default)]
pub(super) struct Checksums {
    pub up: String,
    /// `""` when the phase has no down file.
    pub down: String,
    /// `""` when the migration has no snapshot (a typed migration).
    pub snapshot: String,
}

impl Checksums {
    pub fn of(m: &MigrationSource, phase: Phase) -> Checksums {
        let sum = |name: &str| m.file(name).map(checksum).unwrap_or_default();
        Checksums {
            up: sum(&format!("{phase}.up.sql")),
            down: sum(&format!("{phase}.down.sql")),
            snapshot: sum(SNAPSHOT_FILE),
        }
    }
}

/// Checks the history `rows` against `sources` before a run.
pub(super) fn check(
    sources: &[MigrationSource],
    rows: &[Row],
    options: &ApplyOptions,
    rollback: bool,
) -> Result<(), ApplyError> {
    for r in rows {
        if r.statements_undone > 0 && !rollback {
            return Err(ApplyError::RollbackInterrupted {
                id: r.migration.clone(),
                phase: Phase::named(&r.phase).unwrap_or(Phase::Expand),
                done: r.statements_undone,
            });
        }
        let Some(m) = sources.iter().find(|m| m.id == r.migration) else {
            if options.allow_missing {
                continue;
            }
            return Err(ApplyError::Missing {
                id: r.migration.clone(),
            });
        };
        if let Some((name, applied, now)) = edited(m, r).filter(|_| !options.allow_edited) {
            return Err(ApplyError::Edited {
                path: m.path.join(name),
                applied,
                now,
            });
        }
    }
    if !rollback
        && !options.allow_out_of_order
        && let Some((pending, applied)) = out_of_order(sources, rows)
    {
        return Err(ApplyError::OutOfOrder { pending, applied });
    }
    Ok(())
}

/// The first file of `r`'s phase whose checksum differs from the one recorded: `(file
/// name, recorded, now)`. Rows recorded before a file was checksummed have nothing to
/// compare for it.
fn edited(m: &MigrationSource, r: &Row) -> Option<(String, String, String)> {
    let phase = Phase::named(&r.phase)?;
    let now = Checksums::of(m, phase);
    [
        (format!("{phase}.up.sql"), Some(&r.checksum), now.up),
        (
            format!("{phase}.down.sql"),
            r.down_checksum.as_ref(),
            now.down,
        ),
        (
            SNAPSHOT_FILE.to_owned(),
            r.snapshot_checksum.as_ref(),
            now.snapshot,
        ),
    ]
    .into_iter()
    .find_map(|(name, recorded, now)| {
        let recorded = recorded?;
        (*recorded != now).then(|| (name, shown(recorded), shown(&now)))
    })
}

fn shown(sum: &str) -> String {
    if sum.is_empty() {
        "(no file)".to_owned()
    } else {
        sum.to_owned()
    }
}

/// A pending migration that comes before an applied one: `(pending, the newest applied)`.
fn out_of_order(sources: &[MigrationSource], rows: &[Row]) -> Option<(String, String)> {
    let applied = |m: &MigrationSource| rows.iter().any(|r| r.migration == m.id);
    let runs = |m: &MigrationSource| {
        Phase::ALL
            .iter()
            .any(|p| m.file(&format!("{p}.up.sql")).is_some())
    };
    let newest = sources.iter().rposition(applied)?;
    sources[..newest]
        .iter()
        .find(|m| runs(m) && !applied(m))
        .map(|m| (m.id.clone(), sources[newest].id.clone()))
}
