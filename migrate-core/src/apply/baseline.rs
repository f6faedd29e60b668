//! Baseline: a database that already has the schema of a migration (one adopted from
//! another tool, or another environment of the same project) gets that migration, and
//! every one before it, recorded as applied without running them, after checking that
//! the live schema is that migration's snapshot. Under the advisory lock, in one
//! transaction; the rows say they are a baseline, with the newest version of each other
//! tool's history the baseline covers (a version that tool applies later is drift).

use super::drift::{self, Scope};
use super::integrity::Checksums;
use super::other_tools::{self, OtherHistory};
use super::{ApplyError, Database, MigrationSource, Migrator, Row, statements};
use crate::migrations::SNAPSHOT_FILE;
use crate::plan::Phase;
use crate::sql::phase_file;
use sqlx::{Connection as _, PgConnection};

/// What [`Migrator::baseline`] recorded (or, in a dry run, would record).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Baseline {
    /// The migration whose snapshot the schema matches.
    pub migration: String,
    /// The schema checked.
    pub schema: String,
    /// Every migration recorded as applied, oldest first.
    pub recorded: Vec<String>,
    /// Phases recorded.
    pub phases: usize,
    /// Other tools' history tables found; the baseline covers their newest versions.
    pub other_tools: Vec<OtherHistory>,
    /// Nothing was recorded.
    pub dry_run: bool,
}

impl Migrator {
    /// Records the migrations up to `through` (default: the newest) as applied without
    /// running them, once the schema matches the snapshot of `through`. Refuses a
    /// database whose history holds anything, and a schema that differs (listing the
    /// differences). `options.dry_run` checks and records nothing.
    pub async fn baseline(
        &mut self,
        db: impl Into<Database<'_>>,
        through: Option<&str>,
    ) -> Result<Baseline, ApplyError> {
        let (mut work, control) = self.lock(db.into()).await?;
        let result = self.baseline_locked(&mut work, through).await;
        self.unlock(work, control).await;
        result
    }

    async fn baseline_locked(
        &self,
        conn: &mut PgConnection,
        through: Option<&str>,
    ) -> Result<Baseline, ApplyError> {
        let history = &self.options.history;
        if let Some(r) = self.history_rows(conn).await?.first() {
            return Err(ApplyError::HistoryNotEmpty {
                migration: r.migration.clone(),
            });
        }
        let end = match through {
            Some(id) => self
                .sources
                .iter()
                .position(|m| m.id == id)
                .ok_or_else(|| ApplyError::UnknownMigration { id: id.to_owned() })?,
            None => self
                .sources
                .len()
                .checked_sub(1)
                .ok_or(ApplyError::NoMigrations)?,
        };
        let target = &self.sources[end];
        let expected = drift::snapshot(target)?.ok_or_else(|| ApplyError::NoSnapshot {
            path: target.path.join(SNAPSHOT_FILE),
        })?;
        let rows = plan(&self.sources[..=end])?;
        let schemas = drift::managed_schemas(&self.sources[..=end])?;
        let scope = Scope {
            schemas: &schemas,
            sources: &self.sources,
            rows: &rows,
            history,
            tenant: self.options.tenant_schema.as_deref(),
        };
        let differences =
            drift::differences(conn, &scope, &expected.tables, &[], &expected.unmanaged).await?;
        if !differences.is_empty() {
            return Err(ApplyError::NotAtBaseline {
                id: target.id.clone(),
                differences,
            });
        }
        let other_tools = other_tools::find_in(conn, &schemas).await?;
        if !self.options.dry_run {
            history.ensure(conn).await?;
            let covers: Vec<String> = other_tools.iter().map(OtherHistory::covers).collect();
            record(conn, &history.qualified(), &rows, &covers).await?;
        }
        Ok(Baseline {
            migration: target.id.clone(),
            schema: schemas.join(", "),
            recorded: self.sources[..=end].iter().map(|m| m.id.clone()).collect(),
            phases: rows.len(),
            other_tools,
            dry_run: self.options.dry_run,
        })
    }
}

/// A finished row for every phase of `sources` that has an up file (the run's columns
/// left empty: the server fills them).
fn plan(sources: &[MigrationSource]) -> Result<Vec<Row>, ApplyError> {
    let mut out = Vec::new();
    for m in sources {
        for phase in Phase::ALL {
            let name = format!("{phase}.up.sql");
            let Some(text) = m.file(&name) else { continue };
            let units = phase_file::parse(text).map_err(|source| ApplyError::Script {
                path: m.path.join(&name),
                source,
            })?;
            let checksums = Checksums::of(m, phase);
            out.push(Row {
                migration: m.id.clone(),
                phase: phase.as_str().to_owned(),
                checksum: checksums.up,
                down_checksum: Some(checksums.down),
                snapshot_checksum: Some(checksums.snapshot),
                applied_by: String::new(),
                started_at: String::new(),
                finished_at: Some(String::new()),
                duration_ms: Some(0),
                statements_done: i32::try_from(statements(&units).count()).unwrap_or(i32::MAX),
                backfill_last_key: None,
                backfill_upper_key: None,
                backfill_rows: 0,
                statements_undone: 0,
                baseline: true,
                covers: None,
                request: None,
            });
        }
    }
    Ok(out)
}

async fn record(
    conn: &mut PgConnection,
    history: &str,
    rows: &[Row],
    covers: &[String],
) -> Result<(), sqlx::Error> {
    let mut tx = conn.begin().await?;
    for r in rows {
        // The history's name is quoted identifiers only.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {history} (migration, phase, checksum, down_checksum, snapshot_checksum,
                    finished_at, duration_ms, statements_done, baseline, covers)
             VALUES ($1, $2, $3, $4, $5, clock_timestamp(), 0, $6, true, $7)"
        )))
        .bind(&r.migration)
        .bind(&r.phase)
        .bind(&r.checksum)
        .bind(&r.down_checksum)
        .bind(&r.snapshot_checksum)
        .bind(r.statements_done)
        .bind(covers)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
