//! Running one phase file: unit by unit, each unit's progress committed with it; lock
//! timeouts retried with backoff; concurrent index builds checked for an INVALID leftover
//! first; batched backfills along the primary key with their cursor in the history.

use super::trace::{self, StatementTrace, TracedLock};
use super::{ApplyError, ApplyOptions, Event, Row};
use crate::plan::{Batch, Phase};
use crate::sql::ident;
use crate::sql::phase_file::{Statement, Unit};
use sqlx::PgConnection;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

/// One phase file to run.
pub(super) struct PhaseRun<'a> {
    pub migration: &'a str,
    pub phase: Phase,
    pub path: &'a Path,
    /// Recorded in the history row (an up run only).
    pub checksums: super::integrity::Checksums,
    pub units: &'a [Unit],
    pub options: &'a ApplyOptions,
    /// A down file run by a rollback: progress counts `statements_undone`, and the
    /// history row goes at the end.
    pub down: bool,
}

type OnEvent = Box<dyn FnMut(&Event) + Send>;

/// A failed attempt: the error and the statement it came from.
struct Failure {
    error: sqlx::Error,
    line: usize,
    sql: String,
}

fn fail(s: &Statement) -> impl FnOnce(sqlx::Error) -> Failure + '_ {
    move |error| Failure {
        error,
        line: s.line,
        sql: first_line(&s.sql),
    }
}

fn first_line(sql: &str) -> String {
    sql.lines().next().unwrap_or("").to_owned()
}

/// How often a paused backfill looks again.
const HEALTH_POLL: Duration = Duration::from_millis(250);

/// A lock timeout (55P03), or a deadlock the server broke by cancelling this statement
/// (40P01, e.g. against autovacuum): the unit's transaction is rolled back whole, so it is
/// tried again like a timeout.
fn is_lock_timeout(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "55P03" || c == "40P01")
}

fn millis(d: Duration) -> u128 {
    d.as_millis()
}

pub(super) async fn run_phase(
    run: &PhaseRun<'_>,
    work: &mut PgConnection,
    control: &mut PgConnection,
    on_event: &mut OnEvent,
    row: Option<&Row>,
) -> Result<(), ApplyError> {
    let done = row.map_or(0, |r| {
        usize::try_from(if run.down {
            r.statements_undone
        } else {
            r.statements_done
        })
        .unwrap_or(0)
    });
    let at = |s: &Statement| format!("{}:{}", run.path.display(), s.line);
    if run.options.dry_run {
        for s in run.units.iter().flat_map(|u| &u.statements).skip(done) {
            on_event(&Event::Statement {
                at: at(s),
                sql: first_line(&s.sql),
            });
        }
        return Ok(());
    }
    let started = Instant::now();
    let h = run.options.history.qualified();
    if !run.down {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {h} (migration, phase, checksum, down_checksum, snapshot_checksum)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (migration, phase) DO UPDATE SET checksum = EXCLUDED.checksum,
               down_checksum = EXCLUDED.down_checksum, snapshot_checksum = EXCLUDED.snapshot_checksum"
        )))
        .bind(run.migration)
        .bind(run.phase.as_str())
        .bind(&run.checksums.up)
        .bind(&run.checksums.down)
        .bind(&run.checksums.snapshot)
        .execute(&mut *work)
        .await?;
    }
    on_event(&Event::PhaseStarted {
        migration: run.migration.to_owned(),
        phase: run.phase,
        done,
        rollback: run.down,
    });
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *work)
        .await?;
    let mut ctx = Ctx {
        run,
        work,
        control,
        on_event,
        pid,
        history: h.clone(),
        lock_wait: run.options.lock_timeout,
        traces: Vec::new(),
        batch_locks: BTreeSet::new(),
    };
    let mut index = 0;
    for unit in run.units {
        let n = unit.statements.len();
        // A unit commits with its progress, so `done` never falls inside one.
        if index + n <= done {
            index += n;
            continue;
        }
        ctx.stop_if_asked()?;
        for s in &unit.statements {
            (ctx.on_event)(&Event::Statement {
                at: at(s),
                sql: first_line(&s.sql),
            });
        }
        let how = super::facts::handling(unit);
        match (&unit.statements[..], how.transactional) {
            // The cursor in the history belongs to the batch the interrupted run was in:
            // the first unit not done. Later batches start afresh.
            ([s], true) if s.batch.is_some() => {
                ctx.batched(s, row.filter(|_| index == done && !run.down))
                    .await?
            }
            (_, true) => ctx.transaction(unit, how.short_lock_timeout).await?,
            _ => {
                for s in &unit.statements {
                    ctx.alone(s, how.short_lock_timeout).await?;
                }
            }
        }
        index += n;
    }
    let elapsed = started.elapsed();
    let finish = if run.down {
        format!("DELETE FROM {h} WHERE migration = $1 AND phase = $2")
    } else {
        format!(
            "UPDATE {h} SET finished_at = clock_timestamp(), duration_ms = $3
             WHERE migration = $1 AND phase = $2"
        )
    };
    let finish = sqlx::query(sqlx::AssertSqlSafe(finish))
        .bind(run.migration)
        .bind(run.phase.as_str());
    let finish = if run.down {
        finish
    } else {
        finish.bind(i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
    };
    finish.execute(&mut *ctx.work).await?;
    (ctx.on_event)(&Event::PhaseFinished {
        migration: run.migration.to_owned(),
        phase: run.phase,
        duration: elapsed,
        rollback: run.down,
    });
    Ok(())
}

struct Ctx<'a, 'r> {
    run: &'a PhaseRun<'r>,
    work: &'a mut PgConnection,
    control: &'a mut PgConnection,
    on_event: &'a mut OnEvent,
    pid: i32,
    history: String,
    /// The lock timeout of the current attempt (escalating from the first one).
    lock_wait: Duration,
    /// Traces of the statements of the open transaction, with their start: their locks
    /// are held until it commits.
    traces: Vec<(Instant, StatementTrace)>,
    /// The locks the first traced backfill batch held.
    batch_locks: BTreeSet<TracedLock>,
}

impl Ctx<'_, '_> {
    /// The timeouts for a statement: the short lock timeout and the DDL statement timeout,
    /// or (for the long work that blocks no traffic) none and the long one.
    fn timeouts(&self, short_lock_timeout: bool, local: bool) -> String {
        let o = self.run.options;
        let (lock, statement) = if short_lock_timeout {
            (self.lock_wait, o.ddl_statement_timeout)
        } else {
            (Duration::ZERO, o.long_statement_timeout)
        };
        self.timeouts_of(lock, statement, local)
    }

    fn timeouts_of(&self, lock: Duration, statement: Duration, local: bool) -> String {
        let scope = if local { "SET LOCAL" } else { "SET" };
        format!(
            "{scope} lock_timeout = '{}ms'; {scope} statement_timeout = '{}ms'",
            millis(lock),
            millis(statement)
        )
    }

    /// Runs `attempt` until it succeeds, retrying lock timeouts (and deadlocks) with
    /// exponential backoff and jitter. Each attempt's lock timeout doubles from the first
    /// one up to the cap, so a statement queued behind a long transaction holds up the
    /// writers queued behind it for about the first timeout, not the cap.
    async fn retrying<T>(
        &mut self,
        mut attempt: impl AsyncFnMut(&mut Self) -> Result<T, Failure>,
    ) -> Result<T, ApplyError> {
        let o = self.run.options;
        let mut tries = 0;
        loop {
            self.lock_wait = o.lock_timeout_of(tries);
            match attempt(self).await {
                Ok(v) => return Ok(v),
                Err(f) if is_lock_timeout(&f.error) && tries < o.max_retries => {
                    tries += 1;
                    let base = o.retry_base.saturating_mul(1 << (tries - 1).min(16));
                    let wait = base + base.mul_f64(fastrand::f64() * 0.5);
                    (self.on_event)(&Event::Retry {
                        attempt: tries,
                        wait,
                        lock_timeout: self.lock_wait,
                        next_lock_timeout: o.lock_timeout_of(tries),
                    });
                    tokio::time::sleep(wait).await;
                }
                Err(f) if is_lock_timeout(&f.error) => {
                    return Err(ApplyError::LockRetriesExhausted {
                        path: self.run.path.to_owned(),
                        line: f.line,
                        retries: tries,
                    });
                }
                Err(f) => return Err(self.statement_error(f)),
            }
        }
    }

    /// Runs `sql` on the work connection; if it is still waiting after a while, reports
    /// who blocks it (from the control connection).
    async fn watched(&mut self, sql: &str, short_lock_timeout: bool) -> Result<u64, sqlx::Error> {
        let after = if short_lock_timeout {
            self.lock_wait / 2
        } else {
            Duration::from_secs(5)
        };
        // The statement comes from a reviewed migration file.
        let fut = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut *self.work);
        tokio::pin!(fut);
        tokio::select! {
            r = &mut fut => return r.map(|r| r.rows_affected()),
            () = tokio::time::sleep(after) => {}
        }
        let blockers: Vec<(i32, f64, String)> = sqlx::query_as(
            "SELECT pid, extract(epoch FROM now() - coalesce(xact_start, query_start))::float8,
                    left(coalesce(query, ''), 200)
             FROM pg_stat_activity WHERE pid = ANY(pg_blocking_pids($1))",
        )
        .bind(self.pid)
        .fetch_all(&mut *self.control)
        .await
        .unwrap_or_default();
        if !blockers.is_empty() {
            (self.on_event)(&Event::Blocked { blockers });
        }
        fut.await.map(|r| r.rows_affected())
    }

    /// Runs statement `s` (`in_transaction`: inside the unit's open transaction), traced
    /// when the run traces: a trace outside a transaction is reported at once, one inside
    /// when the transaction commits.
    async fn statement(
        &mut self,
        s: &Statement,
        short_lock_timeout: bool,
        in_transaction: bool,
    ) -> Result<u64, sqlx::Error> {
        if !self.run.options.trace {
            return self.watched(&s.sql, short_lock_timeout).await;
        }
        let history = self.run.options.history.schema.clone();
        let before = trace::before(self.work, &history).await?;
        let started = before.started;
        let (done, mut seen) = self.sampled(&s.sql, &history).await;
        let rows = done?;
        if in_transaction {
            seen.extend(trace::locks(self.control, self.pid, &history).await?);
        }
        let what = (self.run.migration, self.run.phase, s.line, s.sql.as_str());
        let t = trace::after(self.work, &history, before, seen, in_transaction, what).await?;
        if in_transaction {
            self.traces.push((started, t));
        } else {
            (self.on_event)(&Event::Traced(Box::new(t)));
        }
        Ok(rows)
    }

    /// Runs `sql` on the work connection, reading the locks its session holds from the
    /// control connection every few milliseconds until it ends.
    async fn sampled(
        &mut self,
        sql: &str,
        history: &str,
    ) -> (Result<u64, sqlx::Error>, BTreeSet<TracedLock>) {
        let fut = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut *self.work);
        tokio::pin!(fut);
        let mut seen = BTreeSet::new();
        loop {
            tokio::select! {
                r = &mut fut => return (r.map(|r| r.rows_affected()), seen),
                () = tokio::time::sleep(Duration::from_millis(5)) => {
                    if let Ok(now) = trace::locks(self.control, self.pid, history).await {
                        seen.extend(now);
                    }
                }
            }
        }
    }

    async fn progress(&mut self, n: usize) -> Result<(), sqlx::Error> {
        let column = if self.run.down {
            "statements_undone"
        } else {
            "statements_done"
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {} SET {column} = {column} + $3,
                 backfill_last_key = NULL, backfill_upper_key = NULL
             WHERE migration = $1 AND phase = $2",
            self.history
        )))
        .bind(self.run.migration)
        .bind(self.run.phase.as_str())
        .bind(i32::try_from(n).unwrap_or(i32::MAX))
        .execute(&mut *self.work)
        .await?;
        Ok(())
    }

    /// A unit in one transaction, committed with its progress.
    async fn transaction(&mut self, unit: &Unit, short: bool) -> Result<(), ApplyError> {
        self.retrying(async |ctx: &mut Self| {
            ctx.traces.clear();
            let first = &unit.statements[0];
            let setup = format!("BEGIN; {}", ctx.timeouts(short, true));
            sqlx::raw_sql(sqlx::AssertSqlSafe(setup))
                .execute(&mut *ctx.work)
                .await
                .map_err(fail(first))?;
            for s in &unit.statements {
                if let Err(e) = ctx.statement(s, short, true).await {
                    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *ctx.work).await;
                    return Err(fail(s)(e));
                }
            }
            let done = async {
                ctx.progress(unit.statements.len()).await?;
                sqlx::raw_sql("COMMIT").execute(&mut *ctx.work).await
            }
            .await;
            if let Err(e) = done {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *ctx.work).await;
                return Err(fail(first)(e));
            }
            for (started, mut t) in std::mem::take(&mut ctx.traces) {
                t.held_ms = started.elapsed().as_secs_f64() * 1000.0;
                (ctx.on_event)(&Event::Traced(Box::new(t)));
            }
            Ok(())
        })
        .await
    }

    /// A statement that cannot run in a transaction (a concurrent index build or drop).
    async fn alone(&mut self, s: &Statement, short: bool) -> Result<(), ApplyError> {
        let building = crate::lint::concurrent_index(&s.sql);
        self.retrying(async |ctx: &mut Self| {
            sqlx::raw_sql(sqlx::AssertSqlSafe(ctx.timeouts(short, false)))
                .execute(&mut *ctx.work)
                .await
                .map_err(fail(s))?;
            let mut skip = false;
            if let Some(name) = &building {
                let valid: Option<bool> = sqlx::query_scalar(
                    "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)",
                )
                .bind(name)
                .fetch_optional(&mut *ctx.work)
                .await
                .map_err(fail(s))?;
                match valid {
                    // Built by a run killed before it could record it.
                    Some(true) => skip = true,
                    Some(false) => {
                        let drop = format!("DROP INDEX CONCURRENTLY IF EXISTS {name}");
                        ctx.watched(&drop, false).await.map_err(fail(s))?;
                        (ctx.on_event)(&Event::InvalidIndexDropped { name: name.clone() });
                    }
                    None => {}
                }
            }
            if !skip {
                ctx.statement(s, short, false).await.map_err(fail(s))?;
            }
            ctx.progress(1).await.map_err(fail(s))?;
            sqlx::raw_sql("RESET lock_timeout; RESET statement_timeout")
                .execute(&mut *ctx.work)
                .await
                .map_err(fail(s))?;
            Ok(())
        })
        .await
    }

    /// A backfill in keyset batches along the primary key, up to the largest key read
    /// when it started; each batch commits with the cursor.
    async fn batched(&mut self, s: &Statement, row: Option<&Row>) -> Result<(), ApplyError> {
        let Some(batch) = &s.batch else {
            return Ok(());
        };
        let mut size = self
            .run
            .options
            .batch_size
            .unwrap_or(batch.batch_size)
            .max(1);
        // Its first reads of the table queue behind a waiting lock as its batches would.
        self.wait_until_healthy(&batch.table).await?;
        let keyset = Keyset::read(self.work, batch)
            .await
            .map_err(|e| self.statement_error(fail(s)(e)))?;
        let table = crate::sql::table_ref(&batch.table);
        let estimate: i64 = sqlx::query_scalar(
            "SELECT greatest(reltuples, 0)::int8 FROM pg_class WHERE oid = to_regclass($1)",
        )
        .bind(&table)
        .fetch_optional(&mut *self.work)
        .await?
        .unwrap_or(0);
        // Resume the cursor of an interrupted run, or start one.
        let resumed = row.and_then(|r| r.backfill_upper_key.clone());
        let mut last = row.and_then(|r| r.backfill_last_key.clone());
        let mut rows_done = row.map_or(0, |r| r.backfill_rows);
        let upper = match resumed {
            Some(u) => Some(u),
            None => {
                last = None;
                let upper: Option<Vec<String>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT ARRAY[{}] FROM {table} ORDER BY {} LIMIT 1",
                    keyset.as_text(),
                    keyset.order(" DESC")
                )))
                .fetch_optional(&mut *self.work)
                .await
                .map_err(fail(s))
                .map_err(|f| self.statement_error(f))?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {} SET backfill_upper_key = $3, backfill_last_key = NULL
                     WHERE migration = $1 AND phase = $2",
                    self.history
                )))
                .bind(self.run.migration)
                .bind(self.run.phase.as_str())
                .bind(&upper)
                .execute(&mut *self.work)
                .await?;
                upper
            }
        };
        let history = self.run.options.history.schema.clone();
        let traced = match self.run.options.trace {
            true => Some(trace::before(self.work, &history).await?),
            false => None,
        };
        let mut longest = Duration::ZERO;
        if let Some(upper) = upper {
            let set: Vec<String> = batch
                .set
                .iter()
                .map(|(c, e)| format!("{} = ({e})", ident(c)))
                .collect();
            while last.as_ref() != Some(&upper) {
                self.wait_until_healthy(&batch.table).await?;
                let from = last.clone();
                let started = std::time::Instant::now();
                let step = self
                    .retrying(async |ctx: &mut Self| {
                        // Row locks held by the application wait at most the lock
                        // timeout; the batch itself may take long.
                        let o = ctx.run.options;
                        let setup = format!(
                            "BEGIN; {}",
                            ctx.timeouts_of(ctx.lock_wait, o.long_statement_timeout, true)
                        );
                        sqlx::raw_sql(sqlx::AssertSqlSafe(setup))
                            .execute(&mut *ctx.work)
                            .await
                            .map_err(fail(s))?;
                        let r = ctx
                            .one_batch(&keyset, &table, &set, batch, &from, &upper, size)
                            .await;
                        if r.is_ok() && ctx.run.options.trace && ctx.batch_locks.is_empty() {
                            let history = &ctx.run.options.history.schema;
                            ctx.batch_locks = trace::locks(ctx.control, ctx.pid, history)
                                .await
                                .unwrap_or_default();
                        }
                        let r = match r {
                            Ok(v) => sqlx::raw_sql("COMMIT")
                                .execute(&mut *ctx.work)
                                .await
                                .map(|_| v),
                            Err(e) => Err(e),
                        };
                        if r.is_err() {
                            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *ctx.work).await;
                        }
                        r.map_err(fail(s))
                    })
                    .await?;
                rows_done += step.1;
                last = Some(step.0);
                let took = started.elapsed();
                longest = longest.max(took);
                size = self.run.options.next_batch_size(size, took);
                (self.on_event)(&Event::Batch {
                    table: batch.table.clone(),
                    rows: rows_done,
                    estimate,
                    batch_size: size,
                    took,
                });
                self.stop_if_asked()?;
                if !self.run.options.batch_pause.is_zero() {
                    tokio::time::sleep(self.run.options.batch_pause).await;
                }
            }
        }
        if let Some(before) = traced {
            let locks = std::mem::take(&mut self.batch_locks);
            let what = (self.run.migration, self.run.phase, s.line, s.sql.as_str());
            let mut t = trace::after(self.work, &history, before, locks, false, what).await?;
            t.held_ms = longest.as_secs_f64() * 1000.0;
            (self.on_event)(&Event::Traced(Box::new(t)));
        }
        self.progress(1).await?;
        Ok(())
    }

    /// [`ApplyError::Stopped`] once the run was asked to stop (between units and batches,
    /// each committed with its progress).
    fn stop_if_asked(&self) -> Result<(), ApplyError> {
        if self
            .run
            .options
            .stop
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            return Err(ApplyError::Stopped {
                migration: self.run.migration.to_owned(),
                phase: self.run.phase,
            });
        }
        Ok(())
    }

    /// Waits (polling) while the database should not take a batch on `table` now, saying
    /// why once and how long it waited.
    async fn wait_until_healthy(&mut self, table: &str) -> Result<(), ApplyError> {
        let key = crate::sql::table_ref(table);
        let mut paused: Option<(std::time::Instant, String)> = None;
        loop {
            let why = match self.requested().await? {
                Some(why) => Some(why),
                None => {
                    super::health::reason(self.control, &key, self.pid, self.run.options).await?
                }
            };
            match (why, &paused) {
                (None, None) => return Ok(()),
                (None, Some((since, _))) => {
                    (self.on_event)(&Event::Resumed {
                        table: table.to_owned(),
                        waited: since.elapsed(),
                    });
                    return Ok(());
                }
                (Some(reason), p) => {
                    if p.as_ref().is_none_or(|(_, r)| *r != reason) {
                        (self.on_event)(&Event::Paused {
                            table: table.to_owned(),
                            reason: reason.clone(),
                        });
                    }
                    let since = p.as_ref().map_or_else(std::time::Instant::now, |(s, _)| *s);
                    paused = Some((since, reason));
                    self.stop_if_asked()?;
                    tokio::time::sleep(HEALTH_POLL).await;
                }
            }
        }
    }

    /// A pause asked by another command (as the reason to wait), or [`ApplyError::Stopped`]
    /// for a stop.
    async fn requested(&mut self) -> Result<Option<String>, ApplyError> {
        let r = super::control::requested(
            self.control,
            &self.history,
            self.run.migration,
            self.run.phase,
        )
        .await?;
        match r.as_deref() {
            Some("stop") => {
                // Spent by the run it stops: the next one goes on.
                super::control::clear_stop(
                    self.control,
                    &self.history,
                    self.run.migration,
                    self.run.phase,
                )
                .await?;
                Err(ApplyError::Stopped {
                    migration: self.run.migration.to_owned(),
                    phase: self.run.phase,
                })
            }
            Some(_) => Ok(Some(
                "paused by `cargo migrate backfill pause`; `cargo migrate backfill resume` goes on"
                    .to_owned(),
            )),
            None => Ok(None),
        }
    }

    fn statement_error(&self, f: Failure) -> ApplyError {
        ApplyError::Statement {
            path: self.run.path.to_owned(),
            line: f.line,
            sql: f.sql,
            source: f.error,
        }
    }

    /// One batch inside the open transaction: the keys after `from` up to `size` rows
    /// (at most `upper`), updated, and the cursor moved, all committed together.
    #[allow(clippy::too_many_arguments)]
    async fn one_batch(
        &mut self,
        keyset: &Keyset,
        table: &str,
        set: &[String],
        batch: &Batch,
        from: &Option<Vec<String>>,
        upper: &[String],
        size: u32,
    ) -> Result<(Vec<String>, i64), sqlx::Error> {
        let lower = if from.is_some() {
            format!("{} > {} AND ", keyset.tuple(), keyset.bound(1))
        } else {
            String::new()
        };
        let hi: Option<Vec<String>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT ARRAY[{}] FROM {table} WHERE {lower}{} <= {} ORDER BY {} LIMIT 1 OFFSET {}",
            keyset.as_text(),
            keyset.tuple(),
            keyset.bound(2),
            keyset.order(""),
            size - 1
        )))
        .bind(from.clone().unwrap_or_default())
        .bind(upper)
        .fetch_optional(&mut *self.work)
        .await?;
        let hi = hi.unwrap_or_else(|| upper.to_vec());
        let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET {} WHERE {lower}{} <= {} AND ({})",
            set.join(", "),
            keyset.tuple(),
            keyset.bound(2),
            batch.condition
        )))
        .bind(from.clone().unwrap_or_default())
        .bind(&hi)
        .execute(&mut *self.work)
        .await?
        .rows_affected();
        let updated = i64::try_from(updated).unwrap_or(i64::MAX);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {} SET backfill_last_key = $3, backfill_rows = backfill_rows + $4
             WHERE migration = $1 AND phase = $2",
            self.history
        )))
        .bind(self.run.migration)
        .bind(self.run.phase.as_str())
        .bind(&hi)
        .bind(updated)
        .execute(&mut *self.work)
        .await?;
        Ok((hi, updated))
    }
}

/// The key columns of a batched table with their types, to compare key tuples bound as
/// text.
struct Keyset {
    columns: Vec<(String, String)>,
}

impl Keyset {
    async fn read(work: &mut PgConnection, batch: &Batch) -> Result<Keyset, sqlx::Error> {
        let mut columns = Vec::new();
        for k in &batch.key {
            let ty: Option<String> = sqlx::query_scalar(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                 WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped",
            )
            .bind(crate::sql::table_ref(&batch.table))
            .bind(k)
            .fetch_optional(&mut *work)
            .await?;
            let ty = ty.ok_or_else(|| {
                sqlx::Error::Protocol(format!(
                    "the batch key column {} of table {} does not exist",
                    ident(k),
                    crate::sql::table_ref(&batch.table)
                ))
            })?;
            columns.push((ident(k), ty));
        }
        Ok(Keyset { columns })
    }

    fn tuple(&self) -> String {
        let cols: Vec<&str> = self.columns.iter().map(|(c, _)| c.as_str()).collect();
        format!("({})", cols.join(", "))
    }

    /// Parameter `$n` (a `text[]`) as a tuple of the key's types.
    fn bound(&self, n: usize) -> String {
        let parts: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, ty))| format!("(${n}::text[])[{}]::{ty}", i + 1))
            .collect();
        format!("({})", parts.join(", "))
    }

    fn as_text(&self) -> String {
        let parts: Vec<String> = self
            .columns
            .iter()
            .map(|(c, _)| format!("{c}::text"))
            .collect();
        parts.join(", ")
    }

    fn order(&self, direction: &str) -> String {
        let parts: Vec<String> = self
            .columns
            .iter()
            .map(|(c, _)| format!("{c}{direction}"))
            .collect();
        parts.join(", ")
    }
}
