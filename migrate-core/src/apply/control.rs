//! Pausing, resuming and stopping a backfill from another process: the request is a column
//! of the backfill's history row, which the run reads on its control connection before
//! every batch. A paused run waits (saying so) until the request is cleared; a stop makes
//! it end after the batch running then, committed and resumable, as Ctrl-C does. A pause
//! outlives the run: the next apply waits paused at the same cursor until `resume`. A stop
//! is spent by the run it stops, and is not recorded when no apply runs.

use super::{ApplyError, Database, HistoryTable, Migrator, Phase};
use sqlx::PgConnection;

/// What a second command asks of a backfill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Request {
    /// Wait before the next batch until resumed.
    Pause,
    /// Go on (clears a pause or a stop not yet acted on).
    Resume,
    /// End after the batch running now; resumable by the next apply.
    Stop,
}

impl Request {
    /// The value stored in the history row (`None`: run).
    fn stored(self) -> Option<&'static str> {
        match self {
            Request::Pause => Some("pause"),
            Request::Resume => None,
            Request::Stop => Some("stop"),
        }
    }
}

/// The backfill a request reached.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Requested {
    /// Migration id.
    pub migration: String,
    /// What was asked.
    pub request: Request,
    /// Rows the backfill has done so far.
    pub rows: i64,
    /// The backend of the apply running now (holding the appliers' lock), if any.
    pub running_pid: Option<i32>,
}

/// The request recorded for a phase's run (`Some("pause")`, `Some("stop")` or `None`).
pub(super) async fn requested(
    control: &mut PgConnection,
    history: &str,
    migration: &str,
    phase: Phase,
) -> Result<Option<String>, sqlx::Error> {
    let sql = format!("SELECT request FROM {history} WHERE migration = $1 AND phase = $2");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(migration)
        .bind(phase.as_str())
        .fetch_optional(&mut *control)
        .await?
        .flatten())
}

/// Clears a stop once the run it stopped acts on it.
pub(super) async fn clear_stop(
    control: &mut PgConnection,
    history: &str,
    migration: &str,
    phase: Phase,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "UPDATE {history} SET request = NULL WHERE migration = $1 AND phase = $2 AND request = 'stop'"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(migration)
        .bind(phase.as_str())
        .execute(&mut *control)
        .await?;
    Ok(())
}

/// Why a run should fail to find a backfill to address.
fn none_in_progress(migration: Option<&str>, history: &HistoryTable) -> ApplyError {
    ApplyError::NoBackfill {
        migration: migration.map(str::to_owned),
        history: history.qualified(),
    }
}

impl Migrator {
    /// Records `request` on the backfill in progress (started, not finished) of
    /// `migration`, or of the one migration whose backfill is in progress when `None`. The
    /// apply running it acts before its next batch; an apply started later sees it too.
    pub async fn request_backfill(
        &self,
        db: impl Into<Database<'_>>,
        migration: Option<&str>,
        request: Request,
    ) -> Result<Requested, ApplyError> {
        let mut conn = db.into().connect().await?;
        let result = self.request_on(&mut conn, migration, request).await;
        sqlx::Connection::close(conn).await.ok();
        result
    }

    async fn request_on(
        &self,
        conn: &mut PgConnection,
        migration: Option<&str>,
        request: Request,
    ) -> Result<Requested, ApplyError> {
        let history = &self.options.history;
        let rows = self.history_rows(conn).await?;
        let open: Vec<_> = rows
            .iter()
            .filter(|r| r.phase == Phase::Backfill.as_str() && r.finished_at.is_none())
            .filter(|r| migration.is_none_or(|m| r.migration == m))
            .collect();
        let row = match open[..] {
            [row] => row,
            [] => return Err(none_in_progress(migration, history)),
            _ => {
                return Err(ApplyError::SeveralBackfills {
                    migrations: open.iter().map(|r| r.migration.clone()).collect(),
                });
            }
        };
        // The history of an older version has no request column yet.
        history.ensure(conn).await?;
        let running_pid = history.lock_holder(conn).await?;
        // A stop with no run to act on it is not kept for the next run.
        let stored = match (request, running_pid) {
            (Request::Stop, None) => None,
            _ => request.stored(),
        };
        let sql = format!(
            "UPDATE {} SET request = $3 WHERE migration = $1 AND phase = $2 AND finished_at IS NULL
             RETURNING backfill_rows",
            history.qualified()
        );
        let done: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(&row.migration)
            .bind(Phase::Backfill.as_str())
            .bind(stored)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(done) = done else {
            // It finished meanwhile.
            return Err(none_in_progress(migration, history));
        };
        Ok(Requested {
            migration: row.migration.clone(),
            request,
            rows: done,
            running_pid,
        })
    }
}
