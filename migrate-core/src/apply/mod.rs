//! The apply engine: runs the phase files of pending migrations against a server, one
//! applier at a time (an advisory lock held on a connection of its own), every statement
//! that blocks traffic under a short `lock_timeout` retried with backoff, backfills in
//! keyset batches whose cursor commits with each batch, and a history row per migration
//! phase with the checksum of the file it ran.
//!
//! Order: the phases of all migrations form one sequence (a migration's expand, backfill,
//! contract, then the next migration's). A migration's expand never runs before the
//! previous migration's contract: it was generated against the schema after that contract.
//! By default the run stops before the first contract, which needs the new code deployed.

mod baseline;
mod control;
mod dependents;
mod drift;
mod exec;
mod facts;
mod health;
mod history;
mod integrity;
mod other_tools;
mod pacing;
mod scratch;
mod seed;
mod shadow;
mod squashed;
mod tenant;
mod trace;

pub use baseline::Baseline;
pub use control::{Request, Requested};
pub use dependents::Dependent;
pub use drift::{Drift, InFlight};
pub use facts::{Handling, handling};
pub use history::{HistoryTable, Row};
pub use integrity::checksum;
pub use other_tools::{OTHER_TOOLS_HISTORY, OtherHistory, find_in as find_other_tools};
pub use pacing::{MAX_BATCH, MIN_BATCH};
pub use shadow::{Stage, Verification};
pub use tenant::history_for as tenant_history;
pub use trace::{Budget, StatementTrace, Trace, TracedLock, Violation};

use crate::plan::Phase;
use crate::sql::phase_file::{self, ScriptError, Unit};
use sqlx::{Connection as _, PgConnection};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One migration's files, from its folder or embedded at compile time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationSource {
    /// Folder name: `20261124120000_create_users`.
    pub id: String,
    /// Where its files are (for messages).
    pub path: PathBuf,
    /// `(file name, content)`: `expand.up.sql`, `expand.down.sql`, …, `snapshot.json`.
    pub files: Vec<(String, String)>,
}

impl MigrationSource {
    fn file(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    }
}

impl MigrationSource {
    /// Sources from migrations embedded by `migrations!`, oldest first.
    pub fn embedded(list: &[crate::migrations::EmbeddedMigration]) -> Vec<MigrationSource> {
        list.iter()
            .map(|m| MigrationSource {
                id: m.id.to_owned(),
                path: PathBuf::from(m.path),
                files: m
                    .files
                    .iter()
                    .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
                    .collect(),
            })
            .collect()
    }
}

/// Reads the migrations folder (checking the parent chain) into sources, oldest first.
pub fn load_dir(dir: &Path) -> Result<Vec<MigrationSource>, ApplyError> {
    let history = crate::migrations::load(dir).map_err(ApplyError::Migrations)?;
    history
        .migrations
        .iter()
        .map(|m| {
            let mut files = Vec::new();
            let mut names = crate::migrations::phase_file_names();
            names.push(crate::migrations::SNAPSHOT_FILE.to_owned());
            for name in names {
                let path = m.path.join(&name);
                if path.exists() {
                    let text =
                        std::fs::read_to_string(&path).map_err(|source| ApplyError::Read {
                            path: path.clone(),
                            source,
                        })?;
                    files.push((name, text));
                }
            }
            Ok(MigrationSource {
                id: m.id.clone(),
                path: m.path.clone(),
                files,
            })
        })
        .collect()
}

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Last phase kind to run: `Backfill` (default) stops before the first contract,
    /// `Expand` before the first backfill.
    pub through: Phase,
    /// Where the history lives.
    pub history: HistoryTable,
    /// How long a statement whose lock blocks traffic waits for it, at most: the cap of
    /// the escalating timeouts.
    pub lock_timeout: Duration,
    /// Its first attempt's lock timeout; each retry waits twice as long, up to
    /// `lock_timeout`. Traffic queued behind a waiting statement stalls about this long.
    pub first_lock_timeout: Duration,
    /// Retries of such a statement after a lock timeout.
    pub max_retries: u32,
    /// First wait between retries; it doubles each time (with up to 50% jitter).
    pub retry_base: Duration,
    /// `statement_timeout` of short DDL (zero: none).
    pub ddl_statement_timeout: Duration,
    /// `statement_timeout` of long steps: VALIDATE, concurrent index builds, batches
    /// (zero: none).
    pub long_statement_timeout: Duration,
    /// Rows per backfill batch, instead of the file's: a fixed size, not paced.
    pub batch_size: Option<u32>,
    /// How long one backfill batch should take: starting from the file's size, each next
    /// batch is sized from the last one's time (half to twice as many rows), so a batch
    /// holds its row locks about this long whatever the rows cost. Zero: the file's size,
    /// fixed.
    pub batch_target: Duration,
    /// Pause between batches.
    pub batch_pause: Duration,
    /// Backfill batches wait while a streaming replica's replay lags more than this
    /// (from `pg_stat_replication`; the role needs `pg_monitor` to see it). `None`: never.
    pub max_replica_lag: Option<Duration>,
    /// Backfill batches wait while a transaction holding a lock on the table has been
    /// open longer than this (vacuum cannot clean the batches' dead rows under it).
    /// `None`: never.
    pub max_transaction_age: Option<Duration>,
    /// Backfill batches wait while a session waits for a lock on the table.
    pub pause_for_lock_waiters: bool,
    /// Set (from another thread or a signal handler) to stop the run at the next safe
    /// point: after the unit or backfill batch running now, committed with its progress,
    /// so the next run goes on from there ([`ApplyError::Stopped`]).
    pub stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Exit at once when another applier holds the lock, instead of waiting.
    pub no_wait: bool,
    /// Run statements marked `-- migrate:destructive`.
    pub allow_destructive: bool,
    /// Accept applied files whose content changed since.
    pub allow_edited: bool,
    /// Accept applied migrations missing from the sources.
    pub allow_missing: bool,
    /// Run a pending migration that comes before an applied one (merged from a branch
    /// after a newer migration ran), after it.
    pub allow_out_of_order: bool,
    /// Start even though the schema differs from the newest applied migration's snapshot.
    pub allow_drift: bool,
    /// Start even though objects outside the models depend on what a pending migration
    /// drops or retypes.
    pub allow_dependents: bool,
    /// Say what would run, run nothing.
    pub dry_run: bool,
    /// Roll back phases whose down file cannot restore the data (`-- migrate:irreversible`).
    pub force: bool,
    /// Run in this tenant schema instead of `public`: the connections' `search_path` is it
    /// alone (created when missing), drift reads it as the snapshots' `public`, and
    /// `history` should be the tenant's own ([`tenant_history`]). Migrations that name a
    /// schema are refused.
    pub tenant_schema: Option<String>,
    /// Measure what every statement does ([`Event::Traced`]): a few catalog queries per
    /// statement, and the locks read from the second connection while it runs.
    pub trace: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            through: Phase::Backfill,
            history: HistoryTable::default(),
            lock_timeout: Duration::from_secs(2),
            first_lock_timeout: Duration::from_millis(50),
            max_retries: 12,
            retry_base: Duration::from_millis(200),
            ddl_statement_timeout: Duration::from_secs(60),
            long_statement_timeout: Duration::ZERO,
            batch_size: None,
            batch_target: Duration::from_millis(200),
            batch_pause: Duration::ZERO,
            max_replica_lag: None,
            max_transaction_age: Some(Duration::from_secs(60)),
            pause_for_lock_waiters: true,
            stop: std::sync::Arc::default(),
            no_wait: false,
            allow_destructive: false,
            allow_edited: false,
            allow_missing: false,
            allow_out_of_order: false,
            allow_drift: false,
            allow_dependents: false,
            dry_run: false,
            force: false,
            tenant_schema: None,
            trace: false,
        }
    }
}

/// What a run reports as it goes (the CLI prints it; an application may log it).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Another applier holds the lock (its backend pid, when known); waiting.
    Waiting {
        /// Its pid.
        pid: Option<i32>,
    },
    /// A phase starts (or resumes after `done` statements).
    PhaseStarted {
        /// Migration id.
        migration: String,
        /// Phase.
        phase: Phase,
        /// Statements already done by an earlier, interrupted run.
        done: usize,
        /// A rollback running the phase's down file.
        rollback: bool,
    },
    /// A statement is about to run (or, in a dry run, would).
    Statement {
        /// File and line.
        at: String,
        /// First line of the statement.
        sql: String,
    },
    /// A statement waited longer than half its lock timeout: who holds the lock.
    Blocked {
        /// `(pid, seconds in transaction, query)` of each blocker.
        blockers: Vec<(i32, f64, String)>,
    },
    /// The backfill of `table` waits: `reason` says why (a lagging replica, a lock
    /// waiter, a long transaction); it goes on by itself once that clears.
    Paused {
        /// Table.
        table: String,
        /// Why, as the progress line says it.
        reason: String,
    },
    /// What a statement did, measured (with [`ApplyOptions::trace`]).
    Traced(Box<StatementTrace>),
    /// The backfill of `table` goes on after waiting `waited`.
    Resumed {
        /// Table.
        table: String,
        /// How long it waited.
        waited: Duration,
    },
    /// A lock timeout; retrying after `wait`.
    Retry {
        /// Attempt number (1: first retry).
        attempt: u32,
        /// Backoff before it.
        wait: Duration,
        /// The lock timeout that expired.
        lock_timeout: Duration,
        /// The retry's lock timeout.
        next_lock_timeout: Duration,
    },
    /// An INVALID index left by an interrupted concurrent build was dropped.
    InvalidIndexDropped {
        /// Its name.
        name: String,
    },
    /// A batch of a backfill committed.
    Batch {
        /// Table.
        table: String,
        /// Rows updated so far by this backfill.
        rows: i64,
        /// Rows of the table (estimate from `reltuples`; 0 when unknown).
        estimate: i64,
        /// Rows per batch from now on (paced by `batch_target`).
        batch_size: u32,
        /// How long the batch took.
        took: Duration,
    },
    /// A phase finished.
    PhaseFinished {
        /// Migration id.
        migration: String,
        /// Phase.
        phase: Phase,
        /// How long it took.
        duration: Duration,
        /// A rollback ran the phase's down file (its history row is gone).
        rollback: bool,
    },
}

/// Where a [`Migrator`] runs: a URL, or an application's own pool.
#[derive(Debug, Clone, Copy)]
pub enum Database<'a> {
    /// Connect to this URL.
    Url(&'a str),
    /// Take connections from this pool. They are detached from it: the advisory lock
    /// and session settings of a run never go back into the pool.
    Pool(&'a sqlx::PgPool),
}

impl Database<'_> {
    async fn connect(self) -> Result<PgConnection, sqlx::Error> {
        match self {
            Database::Url(url) => PgConnection::connect(url).await,
            Database::Pool(pool) => Ok(pool.acquire().await?.detach()),
        }
    }

    /// A connection whose `search_path` is `tenant` alone, when one is given.
    async fn connect_in(self, tenant: Option<&str>) -> Result<PgConnection, sqlx::Error> {
        let mut conn = self.connect().await?;
        if let Some(s) = tenant {
            tenant::enter(&mut conn, s).await?;
        }
        Ok(conn)
    }
}

impl<'a> From<&'a str> for Database<'a> {
    fn from(url: &'a str) -> Self {
        Database::Url(url)
    }
}

impl<'a> From<&'a String> for Database<'a> {
    fn from(url: &'a String) -> Self {
        Database::Url(url)
    }
}

impl<'a> From<&'a sqlx::PgPool> for Database<'a> {
    fn from(pool: &'a sqlx::PgPool) -> Self {
        Database::Pool(pool)
    }
}

/// How far `rollback` goes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackTo {
    /// Keep this migration; roll back every one after it.
    After(String),
    /// Roll back every migration.
    All,
    /// Roll back the newest applied migration's phases from this one on, newest first
    /// (`Contract`: its contract only, once the old code is back).
    Phases(Phase),
    /// Abort the newest applied migration before its contract: undo its backfill and
    /// expand (which drops its version schema). Refused once its contract ran.
    Abort,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Phases run, in order.
    pub applied: Vec<(String, Phase)>,
    /// The first phase left for later (a contract, unless `through` said otherwise), when
    /// the run stopped before it.
    pub stopped_before: Option<(String, Phase)>,
}

/// Why a run failed. Everything applied before the failure stays applied (and recorded).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The migrations folder is broken.
    #[error(transparent)]
    Migrations(crate::migrations::MigrationsError),
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A phase file does not parse.
    #[error("{}: {source}", path.display())]
    Script {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: ScriptError,
    },
    /// Connecting, or the lock or history queries, failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A statement of a phase file failed.
    #[error("{}:{line}: {source}\n  statement: {sql}", path.display())]
    Statement {
        /// The file.
        path: PathBuf,
        /// Line of the statement.
        line: usize,
        /// Its first line.
        sql: String,
        /// The server's error.
        source: sqlx::Error,
    },
    /// A statement kept timing out on its lock.
    #[error(
        "{}:{line}: gave up after {retries} lock timeouts; something holds a lock on the table for long (see the blockers above). Run again once it is gone: the run resumes here",
        path.display()
    )]
    LockRetriesExhausted {
        /// The file.
        path: PathBuf,
        /// Line of the statement.
        line: usize,
        /// Retries made.
        retries: u32,
    },
    /// The run stopped as asked ([`ApplyOptions::stop`], Ctrl-C in the CLI) after the
    /// unit or backfill batch that was running; the history says where it is.
    #[error(
        "stopped as asked, in {phase} of {migration}: what ran is committed and recorded; run apply again to go on from there"
    )]
    Stopped {
        /// Migration id.
        migration: String,
        /// Its phase.
        phase: Phase,
    },
    /// An applied file changed on disk.
    #[error(
        "{}: the file was applied with checksum {applied} but now has {now}. Applied migrations must not change: restore the file (git), and put new changes in a new migration; `--allow-edited` accepts it",
        path.display()
    )]
    Edited {
        /// The file.
        path: PathBuf,
        /// Checksum recorded.
        applied: String,
        /// Checksum now.
        now: String,
    },
    /// The history holds a migration the sources lack.
    #[error(
        "migration {id} is applied to the database but missing from the migrations folder; restore it (git), or pass `--allow-missing` if it was removed on purpose"
    )]
    Missing {
        /// The migration.
        id: String,
    },
    /// A `snapshot.json` does not parse.
    #[error("{}: {source}", path.display())]
    Snapshot {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: crate::snapshot::SnapshotError,
    },
    /// The schema differs from what the migrations applied to it say.
    #[error("{}", drift_message(drift))]
    Drift {
        /// What differs.
        drift: Box<Drift>,
    },
    /// Objects outside the models depend on what a pending migration drops or retypes.
    #[error("{}", dependents_message(dependents))]
    Dependents {
        /// Each object, with the statement and what it would do.
        dependents: Vec<Dependent>,
    },
    /// A pending migration comes before an applied one.
    #[error(
        "migration {pending} is not applied, but {applied}, which comes after it, is: {pending} was probably merged from a branch after {applied} ran, and was generated against an older schema. Regenerate it on top of the newest migration (delete its folder and run `cargo migrate generate`), or pass `--allow-out-of-order` to run it now, after {applied}"
    )]
    OutOfOrder {
        /// The pending migration.
        pending: String,
        /// The newest applied migration.
        applied: String,
    },
    /// Another applier holds the lock and `no_wait` was asked.
    #[error("another applier is running (backend pid {pid:?}); not waiting (--no-wait)")]
    Busy {
        /// Its pid, when known.
        pid: Option<i32>,
    },
    /// A tenant schema run of migrations that cannot run per tenant.
    #[error("tenant schema {schema}: {reason}")]
    Tenant {
        /// The tenant schema.
        schema: String,
        /// Why.
        reason: String,
    },
    /// `backfill pause|resume|stop` found no backfill in progress to address.
    #[error(
        "no backfill is in progress{} (none started and not finished in {history}); a pause or stop addresses a backfill an apply has started",
        migration.as_ref().map(|m| format!(" for {m}")).unwrap_or_default()
    )]
    NoBackfill {
        /// The migration asked for, if one was.
        migration: Option<String>,
        /// The history table read.
        history: String,
    },
    /// `backfill pause|resume|stop` without a migration, and several are in progress.
    #[error("several backfills are in progress ({}): name the migration", migrations.join(", "))]
    SeveralBackfills {
        /// Their migrations.
        migrations: Vec<String>,
    },
    /// A rollback of a phase whose up run was interrupted.
    #[error(
        "{id} {phase} is partly applied ({done} statements of its up file ran): its down file undoes the whole phase and would fail on what never ran. Finish it with `cargo migrate apply` first, then roll back"
    )]
    PartlyApplied {
        /// The migration.
        id: String,
        /// The phase.
        phase: Phase,
        /// Statements done.
        done: i32,
    },
    /// An apply while a rollback is half done.
    #[error(
        "the rollback of {id} {phase} was interrupted ({done} statements of its down file ran); finish it with `cargo migrate rollback` before applying"
    )]
    RollbackInterrupted {
        /// The migration.
        id: String,
        /// The phase.
        phase: Phase,
        /// Statements of the down file done.
        done: i32,
    },
    /// A squash whose originals this database applied only in part.
    #[error(
        "migration {id} squashes migrations this database applied only in part ({} not applied, or not finished): apply the original migrations first (from the commit before the squash); then {id} counts as applied",
        missing.join(", ")
    )]
    PartlySquashed {
        /// The squash.
        id: String,
        /// The originals missing or unfinished.
        missing: Vec<String>,
    },
    /// `rollback --abort` on a migration whose contract ran.
    #[error(
        "{id}'s contract already ran: --abort undoes a migration before its contract. Once the old code is back, roll its contract back first (`rollback --phase contract`), then abort"
    )]
    NotInFlight {
        /// The migration.
        id: String,
    },
    /// A phase to roll back has no down file.
    #[error(
        "{}: missing; {id} {phase} cannot be rolled back without it. Nothing was rolled back",
        path.display()
    )]
    NoDownFile {
        /// The file.
        path: PathBuf,
        /// The migration.
        id: String,
        /// The phase.
        phase: Phase,
    },
    /// `rollback --to` names a migration that is not in the sources.
    #[error("--to {id}: no such migration in the migrations folder")]
    UnknownTarget {
        /// The id given.
        id: String,
    },
    /// A down statement that cannot restore the data the up destroyed.
    #[error(
        "{}:{line}: irreversible: {why}. Nothing was rolled back. The schema can be restored, the data cannot; `--force` rolls back anyway",
        path.display()
    )]
    Irreversible {
        /// The down file.
        path: PathBuf,
        /// Line of the statement.
        line: usize,
        /// Why, from its marker.
        why: String,
    },
    /// A down statement that drops data written since the up ran.
    #[error(
        "{}:{line}: loses data: {why}. Nothing was rolled back. If that data can go, run again with `--allow-destructive`",
        path.display()
    )]
    LosesData {
        /// The down file.
        path: PathBuf,
        /// Line of the statement.
        line: usize,
        /// What is lost, from its marker.
        why: String,
    },
    /// `baseline` on a database whose history is not empty.
    #[error(
        "the history already records migrations ({migration} first): a baseline is for a database no migration of this project ran on. `cargo migrate status` shows what is applied"
    )]
    HistoryNotEmpty {
        /// The first migration recorded.
        migration: String,
    },
    /// Rows could not be generated in a table of a scratch database.
    #[error("generating rows in {table}: {reason}")]
    Seed {
        /// The table.
        table: String,
        /// Why (the server's error, or the column whose type has no generator).
        reason: String,
    },
    /// `trace` with no migration to trace.
    #[error("the migrations folder holds no migration to trace: generate one first")]
    NothingToTrace,
    /// A migration id that is not in the sources.
    #[error("{id}: no such migration in the migrations folder")]
    UnknownMigration {
        /// The id given.
        id: String,
    },
    /// A pending migration planned for a newer PostgreSQL than the server's.
    #[error(
        "{id} was planned for PostgreSQL {needs} (`postgres = {needs}` in Migrate.toml) and may use what only it has; this server is PostgreSQL {server}. Nothing ran. Apply it on PostgreSQL {needs} or later, or plan it again with `postgres = {server}`"
    )]
    ServerTooOld {
        /// The migration.
        id: String,
        /// The major version it was planned for.
        needs: u32,
        /// The server's major version.
        server: u32,
    },
    /// `baseline` without any migration.
    #[error(
        "the migrations folder is empty: generate the baseline migration first (`cargo migrate init --from-database` writes it for an existing database)"
    )]
    NoMigrations,
    /// The baseline migration has no snapshot to check the schema against.
    #[error(
        "{}: missing; without it there is no way to check that the database has the migration's schema",
        path.display()
    )]
    NoSnapshot {
        /// The snapshot expected.
        path: PathBuf,
    },
    /// `baseline` on a schema that differs from the migration's snapshot.
    #[error(
        "the schema is not at {id}: it differs from its snapshot ({} differences):{}\nNothing was recorded. Bring the database to that schema, or baseline the migration it is at",
        differences.len(),
        list(differences)
    )]
    NotAtBaseline {
        /// The migration.
        id: String,
        /// What differs.
        differences: Vec<crate::compare::Difference>,
    },
    /// A rollback that would undo a baseline.
    #[error(
        "{id} {phase} was recorded by a baseline (or is a squash whose originals ran here), not run: its down file would drop a schema it did not create. Nothing was rolled back"
    )]
    BaselineRollback {
        /// The migration.
        id: String,
        /// The phase.
        phase: Phase,
    },
    /// A destructive statement without acknowledgement.
    #[error(
        "{}:{line}: destroys {what}. Nothing of this phase ran. If the data can go, run again with `--allow-destructive`",
        path.display()
    )]
    Destructive {
        /// The file.
        path: PathBuf,
        /// Line of the statement.
        line: usize,
        /// What it destroys.
        what: String,
    },
}

fn list(differences: &[crate::compare::Difference]) -> String {
    differences.iter().map(|x| format!("\n  {x}")).collect()
}

fn dependents_message(list: &[Dependent]) -> String {
    let items: String = list.iter().map(|d| format!("\n  - {d}")).collect();
    format!(
        "objects the models do not describe depend on what a pending migration drops or retypes; nothing ran:{items}\nModel them (an index or check in the models is rebuilt on the new column), or drop them before the migration and make them again after it; `--allow-dependents` runs anyway"
    )
}

fn drift_message(d: &Drift) -> String {
    let list = list(&d.differences);
    match &d.against {
        None => format!(
            "no migration is applied to this database, but schema {} is not empty:{list}\nIf the database already has the schema of a migration (an existing database being adopted), record that migration as applied with `cargo migrate baseline`; `--allow-drift` runs anyway",
            d.schema
        ),
        Some(id) => format!(
            "the schema differs from the snapshot of {id}, the newest migration applied ({} differences):{list}\nSomething changed it outside the migrations. Put the change in a migration (or undo it), then apply; `--allow-drift` runs anyway. Nothing ran",
            d.differences.len()
        ),
    }
}

/// One phase of one migration as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PhaseStatus {
    /// Migration id.
    pub migration: String,
    /// Phase.
    pub phase: Phase,
    /// `applied`, `baselined` (recorded as applied without running), `partial`
    /// (in progress, or interrupted and resumable), `paused` (a backfill so asked by
    /// [`Migrator::request_backfill`]), `rolling back` (a rollback was interrupted), `pending`, or
    /// `missing` (applied but gone from the sources).
    pub state: &'static str,
    /// Its history row.
    pub row: Option<Row>,
}

/// Runs migrations against one database.
pub struct Migrator {
    sources: Vec<MigrationSource>,
    options: ApplyOptions,
    on_event: Box<dyn FnMut(&Event) + Send>,
}

impl Migrator {
    /// A migrator over `sources` (oldest first).
    pub fn new(sources: Vec<MigrationSource>, options: ApplyOptions) -> Migrator {
        Migrator {
            sources,
            options,
            on_event: Box::new(|_| {}),
        }
    }

    /// Calls `f` with every [`Event`] of a run.
    pub fn on_event(mut self, f: impl FnMut(&Event) + Send + 'static) -> Migrator {
        self.on_event = Box::new(f);
        self
    }

    /// The state of every phase of every migration (and of applied ones the sources lack).
    pub async fn status(
        &self,
        db: impl Into<Database<'_>>,
    ) -> Result<Vec<PhaseStatus>, ApplyError> {
        let mut conn = db
            .into()
            .connect_in(self.options.tenant_schema.as_deref())
            .await?;
        let rows = self.history_rows(&mut conn).await?;
        conn.close().await.ok();
        let mut out = Vec::new();
        for m in &self.sources {
            for phase in Phase::ALL {
                if m.file(&format!("{phase}.up.sql")).is_none() {
                    continue;
                }
                let row = rows
                    .iter()
                    .find(|r| r.migration == m.id && r.phase == phase.as_str())
                    .cloned();
                let state = match &row {
                    Some(r) if r.statements_undone > 0 => "rolling back",
                    Some(r) if r.baseline => "baselined",
                    Some(r) if r.finished_at.is_some() => "applied",
                    Some(r) if r.request.as_deref() == Some("pause") => "paused",
                    Some(_) => "partial",
                    None => "pending",
                };
                out.push(PhaseStatus {
                    migration: m.id.clone(),
                    phase,
                    state,
                    row,
                });
            }
        }
        for r in rows {
            if !self.sources.iter().any(|m| m.id == r.migration) {
                out.push(PhaseStatus {
                    migration: r.migration.clone(),
                    phase: Phase::named(&r.phase).unwrap_or(Phase::Expand),
                    state: "missing",
                    row: Some(r),
                });
            }
        }
        Ok(out)
    }

    async fn history_rows(&self, conn: &mut PgConnection) -> Result<Vec<Row>, ApplyError> {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(self.options.history.qualified())
            .fetch_one(&mut *conn)
            .await?;
        if !exists {
            return Ok(Vec::new());
        }
        let rows = self.options.history.rows(conn).await?;
        squashed::resolve(&self.sources, rows)
    }

    /// Applies the pending phases, in order, through `options.through`.
    pub async fn apply(&mut self, db: impl Into<Database<'_>>) -> Result<ApplyReport, ApplyError> {
        let (mut work, mut control) = self.lock(db.into()).await?;
        let result = self.apply_locked(&mut work, &mut control).await;
        self.unlock(work, control).await;
        result
    }

    /// The schema against the snapshot of the newest applied migration (`None`: that
    /// migration has no snapshot to compare with).
    pub async fn drift(&self, db: impl Into<Database<'_>>) -> Result<Option<Drift>, ApplyError> {
        let mut conn = db
            .into()
            .connect_in(self.options.tenant_schema.as_deref())
            .await?;
        let rows = self.history_rows(&mut conn).await?;
        let tenant = self.options.tenant_schema.as_deref();
        let found = drift::drift(
            &mut conn,
            &self.sources,
            &rows,
            &self.options.history,
            tenant,
        )
        .await;
        conn.close().await.ok();
        found
    }

    /// Objects outside the models that depend on what the pending phases drop or retype
    /// (what `apply` refuses to start on, unless `allow_dependents`).
    pub async fn dependents(
        &self,
        db: impl Into<Database<'_>>,
    ) -> Result<Vec<Dependent>, ApplyError> {
        let mut conn = db
            .into()
            .connect_in(self.options.tenant_schema.as_deref())
            .await?;
        let rows = self.history_rows(&mut conn).await?;
        let tenant = self.options.tenant_schema.as_deref();
        let found = dependents::find(&mut conn, &self.sources, &rows, tenant).await;
        conn.close().await.ok();
        found
    }

    /// Rolls back applied phases, newest first, by running their down files: every phase
    /// of the migrations after `to`, or of the newest applied migration when `to` is
    /// `None`. Returns the phases rolled back. Checks every down file first (present,
    /// parses, acknowledgements given), so a refused rollback runs nothing.
    pub async fn rollback(
        &mut self,
        db: impl Into<Database<'_>>,
        to: Option<&RollbackTo>,
    ) -> Result<Vec<(String, Phase)>, ApplyError> {
        let (mut work, mut control) = self.lock(db.into()).await?;
        let result = self.rollback_locked(&mut work, &mut control, to).await;
        self.unlock(work, control).await;
        result
    }

    /// Connects twice and takes the advisory lock on the working connection. The lock
    /// lives with that connection: closed on any exit path (error, panic, a dropped future
    /// on Ctrl-C), the server releases it, and never while that backend still runs a
    /// statement. The other connection only watches for blockers.
    async fn lock(&mut self, db: Database<'_>) -> Result<(PgConnection, PgConnection), ApplyError> {
        let tenant = self.options.tenant_schema.as_deref();
        let mut work = db.connect_in(tenant).await?;
        // PostgreSQL < 14 has no such setting; nothing to turn off there.
        let _ = sqlx::raw_sql("SET idle_session_timeout = 0")
            .execute(&mut work)
            .await;
        let mut control = db.connect_in(tenant).await?;
        let key = self.options.history.lock_key();
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut work)
            .await?;
        if !got {
            let pid = self.options.history.lock_holder(&mut control).await?;
            if self.options.no_wait {
                return Err(ApplyError::Busy { pid });
            }
            (self.on_event)(&Event::Waiting { pid });
            // Poll instead of blocking in pg_advisory_lock: a waiting statement is an open
            // transaction, and the holder's CREATE INDEX CONCURRENTLY waits for every open
            // transaction to end — a deadlock the server breaks by killing one of them.
            let mut pause = Duration::from_millis(50);
            loop {
                tokio::time::sleep(pause).await;
                let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(key)
                    .fetch_one(&mut work)
                    .await?;
                if got {
                    break;
                }
                pause = (pause * 2).min(Duration::from_secs(1));
            }
        }
        Ok((work, control))
    }

    async fn unlock(&self, mut work: PgConnection, control: PgConnection) {
        let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(self.options.history.lock_key())
            .execute(&mut work)
            .await;
        work.close().await.ok();
        control.close().await.ok();
    }

    async fn rollback_locked(
        &mut self,
        work: &mut PgConnection,
        control: &mut PgConnection,
        to: Option<&RollbackTo>,
    ) -> Result<Vec<(String, Phase)>, ApplyError> {
        let rows = self.history_rows(work).await?;
        integrity::check(&self.sources, &rows, &self.options, true)?;
        let newest = rows.iter().map(|r| r.migration.as_str()).max();
        let from = match to {
            Some(RollbackTo::Phases(p)) => *p,
            _ => Phase::Expand,
        };
        if let (Some(RollbackTo::Abort), Some(id)) = (to, newest)
            && rows
                .iter()
                .any(|r| r.migration == id && r.phase == Phase::Contract.as_str())
        {
            return Err(ApplyError::NotInFlight { id: id.to_owned() });
        }
        let after = match to {
            Some(RollbackTo::All) => None,
            Some(RollbackTo::After(id)) => {
                if !self.sources.iter().any(|m| &m.id == id) {
                    return Err(ApplyError::UnknownTarget { id: id.clone() });
                }
                Some(id.as_str())
            }
            // Everything after the migration before the newest applied one.
            None | Some(RollbackTo::Phases(_) | RollbackTo::Abort) => match newest {
                Some(n) => self
                    .sources
                    .iter()
                    .map(|m| m.id.as_str())
                    .filter(|id| *id < n)
                    .max(),
                None => return Ok(Vec::new()),
            },
        };
        // Newest phase first; checked whole before anything runs.
        let mut todo = Vec::new();
        for m in self.sources.iter().rev() {
            if after.is_some_and(|a| m.id.as_str() <= a) {
                continue;
            }
            for phase in Phase::ALL.into_iter().rev().filter(|p| *p >= from) {
                let Some(row) = rows
                    .iter()
                    .find(|r| r.migration == m.id && r.phase == phase.as_str())
                else {
                    continue;
                };
                if row.baseline {
                    return Err(ApplyError::BaselineRollback {
                        id: m.id.clone(),
                        phase,
                    });
                }
                if row.finished_at.is_none() && row.statements_undone == 0 {
                    return Err(ApplyError::PartlyApplied {
                        id: m.id.clone(),
                        phase,
                        done: row.statements_done,
                    });
                }
                let name = format!("{phase}.down.sql");
                let path = m.path.join(&name);
                let Some(text) = m.file(&name) else {
                    return Err(ApplyError::NoDownFile {
                        path,
                        id: m.id.clone(),
                        phase,
                    });
                };
                let units = phase_file::parse(text).map_err(|source| ApplyError::Script {
                    path: path.clone(),
                    source,
                })?;
                let done = usize::try_from(row.statements_undone).unwrap_or(0);
                for s in statements(&units).skip(done) {
                    if let Some(why) = s.irreversible.first().filter(|_| !self.options.force) {
                        return Err(ApplyError::Irreversible {
                            path,
                            line: s.line,
                            why: why.clone(),
                        });
                    }
                    let destroys = s.loses_data.first().or(s.destroys.first());
                    if let Some(why) = destroys.filter(|_| !self.options.allow_destructive) {
                        return Err(ApplyError::LosesData {
                            path,
                            line: s.line,
                            why: why.clone(),
                        });
                    }
                }
                todo.push((m.id.clone(), phase, path, units, row.clone()));
            }
        }
        let mut done = Vec::new();
        for (id, phase, path, units, row) in todo {
            let run = exec::PhaseRun {
                migration: &id,
                phase,
                path: &path,
                checksums: integrity::Checksums::default(),
                units: &units,
                options: &self.options,
                down: true,
            };
            exec::run_phase(&run, work, control, &mut self.on_event, Some(&row)).await?;
            done.push((id, phase));
        }
        Ok(done)
    }

    async fn apply_locked(
        &mut self,
        work: &mut PgConnection,
        control: &mut PgConnection,
    ) -> Result<ApplyReport, ApplyError> {
        let tenant = self.options.tenant_schema.as_deref();
        if let Some(s) = tenant {
            // Refused before the tenant's schema or history is made.
            tenant::check(&self.sources, &self.history_rows(work).await?, s)?;
            if !self.options.dry_run {
                tenant::create(work, s).await?;
            }
        }
        if !self.options.dry_run {
            self.options.history.ensure(work).await?;
        }
        let rows = self.history_rows(work).await?;
        integrity::check(&self.sources, &rows, &self.options, false)?;
        if !self.options.allow_drift && self.has_work(&rows) {
            let found =
                drift::drift(work, &self.sources, &rows, &self.options.history, tenant).await?;
            if let Some(d) = found.filter(|d| !d.differences.is_empty()) {
                return Err(ApplyError::Drift { drift: Box::new(d) });
            }
        }
        if !self.options.allow_dependents && self.has_work(&rows) {
            let found = dependents::find(work, &self.sources, &rows, tenant).await?;
            if !found.is_empty() {
                return Err(ApplyError::Dependents { dependents: found });
            }
        }
        self.check_server_version(work, &rows).await?;
        let mut report = ApplyReport::default();
        let sources = self.sources.clone();
        for m in &sources {
            for phase in Phase::ALL {
                let name = format!("{phase}.up.sql");
                let Some(text) = m.file(&name) else { continue };
                let row = rows
                    .iter()
                    .find(|r| r.migration == m.id && r.phase == phase.as_str());
                if row.is_some_and(|r| r.finished_at.is_some()) {
                    continue;
                }
                if phase > self.options.through {
                    report.stopped_before = Some((m.id.clone(), phase));
                    return Ok(report);
                }
                let path = m.path.join(&name);
                let units = phase_file::parse(text).map_err(|source| ApplyError::Script {
                    path: path.clone(),
                    source,
                })?;
                // Only what is still to run: an interrupted phase may have done its drop.
                let done = row.map_or(0, |r| usize::try_from(r.statements_done).unwrap_or(0));
                if !self.options.allow_destructive
                    && let Some(s) = units
                        .iter()
                        .flat_map(|u| &u.statements)
                        .skip(done)
                        .find(|s| !s.destroys.is_empty())
                {
                    return Err(ApplyError::Destructive {
                        path,
                        line: s.line,
                        what: s.destroys.join(", "),
                    });
                }
                let phase_run = exec::PhaseRun {
                    migration: &m.id,
                    phase,
                    path: &path,
                    checksums: integrity::Checksums::of(m, phase),
                    units: &units,
                    options: &self.options,
                    down: false,
                };
                exec::run_phase(&phase_run, work, control, &mut self.on_event, row).await?;
                report.applied.push((m.id.clone(), phase));
            }
        }
        Ok(report)
    }
}

impl Migrator {
    /// Refuses to start when a migration this run reaches was planned for a newer server
    /// (a run stops at the first phase past `through`, as `apply_locked` does).
    async fn check_server_version(
        &self,
        conn: &mut PgConnection,
        rows: &[Row],
    ) -> Result<(), ApplyError> {
        let mut server: Option<u32> = None;
        for m in &self.sources {
            let left: Vec<Phase> = Phase::ALL
                .into_iter()
                .filter(|p| m.file(&format!("{p}.up.sql")).is_some() && !done(rows, &m.id, *p))
                .collect();
            let Some(&first) = left.first() else {
                continue;
            };
            if first > self.options.through {
                return Ok(());
            }
            if let Some(needs) = drift::snapshot(m)?.and_then(|s| s.postgres) {
                let major = match server {
                    Some(v) => v,
                    None => {
                        let num: String =
                            sqlx::query_scalar("SELECT current_setting('server_version_num')")
                                .fetch_one(&mut *conn)
                                .await?;
                        *server.insert(num.parse::<u32>().unwrap_or(0) / 10_000)
                    }
                };
                if major < needs {
                    return Err(ApplyError::ServerTooOld {
                        id: m.id.clone(),
                        needs,
                        server: major,
                    });
                }
            }
            if left.iter().any(|p| *p > self.options.through) {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Whether a run has a phase to start or finish (within `through`).
    fn has_work(&self, rows: &[Row]) -> bool {
        self.sources.iter().any(|m| {
            Phase::ALL.into_iter().any(|p| {
                p <= self.options.through
                    && m.file(&format!("{p}.up.sql")).is_some()
                    && !done(rows, &m.id, p)
            })
        })
    }
}

/// Whether `phase` of migration `id` finished, by the history `rows`.
fn done(rows: &[Row], id: &str, phase: Phase) -> bool {
    rows.iter()
        .any(|r| r.migration == id && r.phase == phase.as_str() && r.finished_at.is_some())
}

/// The statements of `units`, for a dry run or a plan printout.
pub fn statements(units: &[Unit]) -> impl Iterator<Item = &phase_file::Statement> {
    units.iter().flat_map(|u| &u.statements)
}
