//! What each statement of a run actually did, measured on the server (with
//! [`super::ApplyOptions::trace`]): the relation locks its session held, read from
//! `pg_locks` on the run's second connection while it ran and before its transaction
//! committed; how long it ran and how long its locks were held (until that commit); the
//! tables it rewrote (a new relfilenode) and scanned (`pg_stat_get_xact_numscans`, counted
//! inside its transaction); and the WAL the server wrote meanwhile.

use crate::catalogue::LockMode;
use crate::plan::Phase;
use sqlx::PgConnection;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// One lock a statement's session held.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct TracedLock {
    /// The mode.
    pub mode: LockMode,
    /// The relation, schema-qualified.
    pub relation: String,
}

/// What one statement did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StatementTrace {
    /// Its migration.
    pub migration: String,
    /// Its phase.
    pub phase: Phase,
    /// Its line in the phase file.
    pub line: usize,
    /// Its first line.
    pub sql: String,
    /// How long it ran, in milliseconds (a backfill: all its batches).
    pub duration_ms: f64,
    /// How long its session held its locks, in milliseconds: from its start to the end of
    /// its transaction (a backfill: its longest batch).
    pub held_ms: f64,
    /// The relation locks its session held (user relations only).
    pub locks: Vec<TracedLock>,
    /// Tables and materialized views that got a new relfilenode.
    pub rewrote: Vec<String>,
    /// Tables it scanned sequentially (`None`: not measured, outside a transaction).
    pub scanned: Option<Vec<String>>,
    /// Tables that did not exist before it.
    pub created: Vec<String>,
    /// WAL the server wrote while it ran, in bytes.
    pub wal_bytes: i64,
}

impl StatementTrace {
    /// The strongest lock it held on `relation` that makes writes wait, if any.
    pub fn blocking_lock_on(&self, relation: &str) -> Option<LockMode> {
        self.locks
            .iter()
            .filter(|l| l.relation == relation && l.mode.blocks_writes())
            .map(|l| l.mode)
            .max()
    }
}

/// The relations of the database as one session sees them: filenode and the scans its
/// transaction made, by name.
#[derive(Debug, Clone, Default)]
pub(super) struct Relations(BTreeMap<String, (i64, i64)>);

/// The state before a statement ran.
pub(super) struct Before {
    pub started: Instant,
    relations: Relations,
    lsn: String,
}

// language=SQL
const RELATIONS: &str = r#"
    SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname),
           coalesce(pg_relation_filenode(c.oid), 0)::int8,
           pg_stat_get_xact_numscans(c.oid)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', $1)"#;

async fn relations(
    work: &mut PgConnection,
    history_schema: &str,
) -> Result<Relations, sqlx::Error> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(RELATIONS)
        .bind(history_schema)
        .fetch_all(&mut *work)
        .await?;
    Ok(Relations(
        rows.into_iter().map(|(n, f, s)| (n, (f, s))).collect(),
    ))
}

/// Reads the state before a statement, on its own connection.
pub(super) async fn before(
    work: &mut PgConnection,
    history_schema: &str,
) -> Result<Before, sqlx::Error> {
    let relations = relations(work, history_schema).await?;
    let lsn: String = sqlx::query_scalar("SELECT pg_current_wal_insert_lsn()::text")
        .fetch_one(&mut *work)
        .await?;
    Ok(Before {
        started: Instant::now(),
        relations,
        lsn,
    })
}

/// The locks `pid` holds now on tables, views and materialized views (not the history's),
/// read on another connection.
pub(super) async fn locks(
    control: &mut PgConnection,
    pid: i32,
    history_schema: &str,
) -> Result<BTreeSet<TracedLock>, sqlx::Error> {
    // language=SQL
    let rows: Vec<(String, String)> = sqlx::query_as(
        r#"SELECT l.mode, quote_ident(n.nspname) || '.' || quote_ident(c.relname)
           FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE l.pid = $1 AND l.granted AND l.locktype = 'relation'
             AND c.relkind IN ('r', 'p', 'm', 'v')
             AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', $2)"#,
    )
    .bind(pid)
    .bind(history_schema)
    .fetch_all(&mut *control)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(mode, relation)| {
            Some(TracedLock {
                mode: LockMode::from_pg_locks(&mode)?,
                relation,
            })
        })
        .collect())
}

/// What the statement did, from the state before it and the locks seen meanwhile.
/// `in_transaction`: it ran inside an explicit transaction, so its scans were counted.
#[allow(clippy::too_many_arguments)]
pub(super) async fn after(
    work: &mut PgConnection,
    history_schema: &str,
    before: Before,
    locks: BTreeSet<TracedLock>,
    in_transaction: bool,
    (migration, phase, line, sql): (&str, Phase, usize, &str),
) -> Result<StatementTrace, sqlx::Error> {
    let duration_ms = before.started.elapsed().as_secs_f64() * 1000.0;
    let now = relations(work, history_schema).await?;
    let wal_bytes: i64 =
        sqlx::query_scalar("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::int8")
            .bind(&before.lsn)
            .fetch_one(&mut *work)
            .await?;
    let was = &before.relations.0;
    let mut rewrote = Vec::new();
    let mut scanned = Vec::new();
    let mut created = Vec::new();
    for (name, (node, scans)) in &now.0 {
        match was.get(name) {
            None => created.push(name.clone()),
            Some((old_node, old_scans)) => {
                if old_node != node {
                    rewrote.push(name.clone());
                }
                if scans > old_scans {
                    scanned.push(name.clone());
                }
            }
        }
    }
    Ok(StatementTrace {
        migration: migration.to_owned(),
        phase,
        line,
        sql: sql.lines().next().unwrap_or("").to_owned(),
        duration_ms,
        held_ms: duration_ms,
        locks: locks.into_iter().collect(),
        rewrote,
        scanned: in_transaction.then_some(scanned),
        created,
        wal_bytes,
    })
}

/// What a traced run measured.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Trace {
    /// Where it ran: the scratch database (dropped since), or the database named.
    pub database: String,
    /// The migrations traced.
    pub migrations: Vec<String>,
    /// Rows generated in each table before (a scratch run).
    pub rows: Option<u64>,
    /// Every statement, in the order they ran.
    pub statements: Vec<StatementTrace>,
}

/// What a trace may not show: a lock that makes writes wait held longer than
/// `max_lock_ms`, a rewrite, a scan under such a lock. Tables the traced run created
/// itself are exempt (no traffic uses them yet).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Budget {
    /// Longest a lock that makes writes wait may be held, in milliseconds.
    pub max_lock_ms: Option<f64>,
    /// No table may be rewritten.
    pub forbid_rewrite: bool,
    /// No table may be scanned while a lock that makes writes wait is held on it.
    pub forbid_scan_under_lock: bool,
}

/// A statement that broke the budget.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Violation {
    /// Its migration.
    pub migration: String,
    /// Its phase.
    pub phase: Phase,
    /// Its line in the phase file.
    pub line: usize,
    /// What it did, in words.
    pub what: String,
}

impl Trace {
    /// The statements that break `budget`, with what each did.
    pub fn violations(&self, budget: &Budget) -> Vec<Violation> {
        let mut created: BTreeSet<&str> = BTreeSet::new();
        let mut out = Vec::new();
        for t in &self.statements {
            created.extend(t.created.iter().map(String::as_str));
            let old = |r: &str| !created.contains(r);
            let mut say = |what: String| {
                out.push(Violation {
                    migration: t.migration.clone(),
                    phase: t.phase,
                    line: t.line,
                    what,
                })
            };
            if let Some(max) = budget.max_lock_ms.filter(|max| t.held_ms > *max) {
                for l in t
                    .locks
                    .iter()
                    .filter(|l| l.mode.blocks_writes() && old(&l.relation))
                {
                    say(format!(
                        "held {} on {} for {:.0} ms (over --max-lock-ms {max:.0})",
                        l.mode, l.relation, t.held_ms
                    ));
                }
            }
            if budget.forbid_rewrite {
                for r in t.rewrote.iter().filter(|r| old(r)) {
                    say(format!("rewrote {r} (--forbid-rewrite)"));
                }
            }
            if budget.forbid_scan_under_lock {
                for r in t.scanned.iter().flatten().filter(|r| old(r)) {
                    if let Some(mode) = t.blocking_lock_on(r) {
                        say(format!(
                            "scanned {r} holding {mode} on it (--forbid-scan-under-lock)"
                        ));
                    }
                }
            }
        }
        out
    }
}

type Progress = Box<dyn FnMut(&super::Event) + Send>;

impl super::Migrator {
    /// Traces migration `id` (default: the newest) on a scratch database created on the
    /// server of `server_url` and dropped at the end: the migrations before it applied
    /// through contract, `rows` rows generated in every table of their schema, then its
    /// phases through contract, every statement traced. `progress` hears the run's events.
    pub async fn trace_scratch(
        &self,
        server_url: &str,
        id: Option<&str>,
        rows: u64,
        progress: Progress,
    ) -> Result<Trace, super::ApplyError> {
        let index = match id {
            Some(id) => self
                .sources
                .iter()
                .position(|m| m.id == id)
                .ok_or_else(|| super::ApplyError::UnknownMigration { id: id.to_owned() })?,
            None => self
                .sources
                .len()
                .checked_sub(1)
                .ok_or(super::ApplyError::NothingToTrace)?,
        };
        let scratch = super::scratch::Scratch::create(server_url, "trace").await?;
        let traced = match scratch.pool().await {
            Ok(pool) => {
                let r = self.trace_in(&pool, index, rows, progress).await;
                pool.close().await;
                r
            }
            Err(e) => Err(e.into()),
        };
        let database = scratch.name.clone();
        let dropped = scratch.drop().await;
        let statements = traced?;
        dropped?;
        Ok(Trace {
            database,
            migrations: vec![self.sources[index].id.clone()],
            rows: Some(rows),
            statements,
        })
    }

    async fn trace_in(
        &self,
        pool: &sqlx::PgPool,
        index: usize,
        rows: u64,
        progress: Progress,
    ) -> Result<Vec<StatementTrace>, super::ApplyError> {
        let options = super::ApplyOptions {
            through: Phase::Contract,
            allow_destructive: true,
            allow_dependents: true,
            force: true,
            history: self.options.history.clone(),
            // Asked to stop (Ctrl-C), the run ends after its batch and the scratch
            // database is still dropped.
            stop: self.options.stop.clone(),
            ..super::ApplyOptions::default()
        };
        super::Migrator::new(self.sources[..index].to_vec(), options.clone())
            .apply(pool)
            .await?;
        if let Some(parent) = index.checked_sub(1)
            && let Some(snapshot) = super::drift::snapshot(&self.sources[parent])?
        {
            let mut conn = pool.acquire().await?;
            super::seed::seed(&mut conn, &snapshot.tables, rows).await?;
        }
        let traced = super::ApplyOptions {
            trace: true,
            ..options
        };
        let mut run = super::Migrator::new(self.sources[..=index].to_vec(), traced);
        let (on_event, statements) = collecting(progress);
        run = run.on_event(on_event);
        run.apply(pool).await?;
        drop(run);
        Ok(std::mem::take(
            &mut *statements.lock().unwrap_or_else(|e| e.into_inner()),
        ))
    }

    /// Applies the pending phases (through `options.through`) on `db`, every statement
    /// traced: for a database you can change, such as a staging copy.
    pub async fn trace_on(
        &self,
        db: super::Database<'_>,
        progress: Progress,
    ) -> Result<Trace, super::ApplyError> {
        let options = super::ApplyOptions {
            trace: true,
            ..self.options.clone()
        };
        let (on_event, statements) = collecting(progress);
        let mut run = super::Migrator::new(self.sources.clone(), options).on_event(on_event);
        let report = run.apply(db).await?;
        let mut conn = db.connect().await?;
        let database: String = sqlx::query_scalar("SELECT current_database()::text")
            .fetch_one(&mut conn)
            .await?;
        sqlx::Connection::close(conn).await.ok();
        let mut migrations: Vec<String> = report.applied.into_iter().map(|(id, _)| id).collect();
        migrations.dedup();
        drop(run);
        let statements = std::mem::take(&mut *statements.lock().unwrap_or_else(|e| e.into_inner()));
        Ok(Trace {
            database,
            migrations,
            rows: None,
            statements,
        })
    }
}

/// An event handler that keeps every trace and passes every event on to `progress`.
fn collecting(
    mut progress: Progress,
) -> (
    impl FnMut(&super::Event) + Send + 'static,
    std::sync::Arc<std::sync::Mutex<Vec<StatementTrace>>>,
) {
    let kept = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = kept.clone();
    let handler = move |e: &super::Event| {
        if let super::Event::Traced(t) = e {
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((**t).clone());
        }
        progress(e);
    };
    (handler, kept)
}
