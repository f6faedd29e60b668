//! Whether the database can take the next backfill batch now: a streaming replica whose
//! replay lags more than `max_replica_lag`, a session waiting for a lock on the table, or
//! a transaction holding a lock on it for longer than `max_transaction_age` (its snapshot
//! keeps vacuum from cleaning what the batches leave behind) makes the backfill wait, and
//! say why. Read on the run's control connection, never counting the run's own sessions.

use super::ApplyOptions;
use sqlx::PgConnection;
use std::time::Duration;

/// Why the backfill of `table` should wait now, or `None`.
pub(super) async fn reason(
    control: &mut PgConnection,
    table: &str,
    work_pid: i32,
    o: &ApplyOptions,
) -> Result<Option<String>, sqlx::Error> {
    if o.max_replica_lag.is_none() && o.max_transaction_age.is_none() && !o.pause_for_lock_waiters {
        return Ok(None);
    }
    // A replica that has replayed everything shows its last lag for a while: count 0.
    // language=SQL
    let (lag, waiters, oldest): (f64, i64, Option<(i32, f64)>) = {
        let row: (f64, i64, Option<i32>, Option<f64>) = sqlx::query_as(
            r#"WITH mine AS (SELECT unnest(ARRAY[$2::int4, pg_backend_pid()]) AS pid),
                    holders AS (
                      SELECT a.pid, extract(epoch FROM now() - a.xact_start)::float8 AS age
                      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                      WHERE l.relation = to_regclass($1) AND l.granted
                        AND a.xact_start IS NOT NULL AND a.pid NOT IN (SELECT pid FROM mine))
               SELECT
                 coalesce((SELECT max(CASE WHEN pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) > 0
                                           THEN extract(epoch FROM replay_lag) END)
                           FROM pg_stat_replication), 0)::float8,
                 (SELECT count(*) FROM pg_locks l
                  WHERE l.relation = to_regclass($1) AND NOT l.granted
                    AND l.pid NOT IN (SELECT pid FROM mine)),
                 (SELECT pid FROM holders ORDER BY age DESC LIMIT 1),
                 (SELECT max(age) FROM holders)"#,
        )
        .bind(table)
        .bind(work_pid)
        .fetch_one(&mut *control)
        .await?;
        (row.0, row.1, row.2.zip(row.3))
    };
    let secs = |d: Duration| d.as_secs_f64();
    if let Some(max) = o.max_replica_lag
        && lag > secs(max)
    {
        return Ok(Some(format!(
            "a replica's replay lags {lag:.1} s (over --max-replica-lag {:.1} s)",
            secs(max)
        )));
    }
    if o.pause_for_lock_waiters && waiters > 0 {
        return Ok(Some(format!(
            "{waiters} session{} waiting for a lock on {table}",
            if waiters == 1 { " is" } else { "s are" }
        )));
    }
    if let (Some(max), Some((pid, age))) = (o.max_transaction_age, oldest)
        && age > secs(max)
    {
        return Ok(Some(format!(
            "the transaction of pid {pid} has held a lock on {table} for {age:.0} s (over --max-transaction-age {:.0} s)",
            secs(max)
        )));
    }
    Ok(None)
}
