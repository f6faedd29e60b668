//! Command-line types. Their doc comments are the `--help` text users read.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Cargo calls `cargo-migrate migrate <args>`; `cargo migrate` is how users type it.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", version, styles = clap::builder::Styles::plain())]
pub enum CargoCli {
    /// Safe PostgreSQL migrations from `#[derive(Schema)]` structs.
    ///
    /// Exit codes: 0 success; 1 `check` found changes not yet in a migration, `lint` found
    /// problems, `drift` or `verify` found differences, `init` wrote the files but could not record the
    /// baseline; 2 an error (bad input, a change without a safe plan, an inconsistent
    /// migrations folder).
    Migrate(MigrateArgs),
}

/// Arguments of `cargo migrate`.
#[derive(Debug, Args)]
#[command(version)]
pub struct MigrateArgs {
    /// Crate root holding `Migrate.toml`, the model sources and the migrations folder.
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a project from an existing database: its tables as models, and a baseline.
    ///
    /// Reads the catalog of schema public and writes `#[derive(Schema)]` structs (one per
    /// table, in `--models`), a `Migrate.toml`, and a baseline migration that creates the
    /// schema on an empty database; then records the baseline as applied on the database
    /// it read, without running it. Everything the models cannot express yet (views,
    /// functions, triggers, expression indexes, …) is listed, in the output and in the
    /// models' comments, and left in the database as it is. Never overwrites a file; needs
    /// an empty migrations folder. Exit 1 when the baseline could not be recorded (the
    /// differences are printed).
    Init(InitArgs),
    /// Diff the models against the newest migration's snapshot and write the next migration.
    ///
    /// Writes `migrations/<yyyymmddhhmmss>_<name>/` with an up and a down file for each
    /// phase that has statements (expand, backfill, contract) and `snapshot.json`. Writes
    /// nothing when the models have not changed.
    Generate(GenerateArgs),
    /// Exit 1 (and say what differs) when the models have changes no migration holds yet.
    ///
    /// Writes nothing: meant for CI, so a pull request cannot change a model without its
    /// migration.
    Check,
    /// Print the migration `generate` would write, step by step, without writing anything.
    ///
    /// For each step: its phase, statement, the lock it takes, whether it rewrites or scans
    /// the table, and — when DATABASE_URL is set — the estimated rows of the table it
    /// touches (from pg_class.reltuples), and the objects outside the models that depend on
    /// what it drops or retypes (which `apply` refuses to start on).
    Plan(PlanArgs),
    /// Run the pending phases against the database.
    ///
    /// Runs expand and backfill of every pending migration, in order, and stops before the
    /// first contract: contract runs once the new code is deployed (`--through contract`).
    /// A migration's expand never runs before the previous migration's contract. One
    /// applier at a time (an advisory lock); every statement whose lock blocks traffic
    /// waits at most `--lock-timeout` and is retried with backoff; backfills run in batches
    /// and resume where a killed run stopped.
    Apply(ApplyArgs),
    /// Show every migration phase: applied, partial (interrupted, resumable) or pending.
    Status(StatusArgs),
    /// Pause, resume or stop a backfill that an apply (here or in another process) runs.
    ///
    /// Records the request in the backfill's history row; the apply running it reads it
    /// before every batch. `pause`: it waits, saying so, until `resume` (a pause outlives
    /// the run: an apply started later waits paused at the same cursor). `stop`: it ends
    /// after the batch running now, committed, and the next apply goes on from there.
    /// Addresses the backfill started and not finished, or MIGRATION's.
    Backfill(BackfillArgs),
    /// Compare the database's schema with the snapshot of the newest applied migration.
    ///
    /// Lists every table, column, key, index, check and foreign key that differs (a change
    /// made by hand, another tool's migration) and exits 1 when something does. A
    /// migration partly applied leaves the tables it changes between two snapshots: they
    /// are named and not compared. `apply` makes the same comparison before it starts and
    /// refuses on a difference (`--allow-drift`).
    Drift(DriftArgs),
    /// Record migrations as applied without running them, on a database that already has
    /// their schema.
    ///
    /// For a database being adopted (its schema made by hand or by another tool) and for
    /// another environment already at the schema: checks that the live schema is the
    /// snapshot of ID (default: the newest migration), listing every difference and
    /// recording nothing when there is one, then records ID and every migration before it
    /// as applied, in one transaction. History tables of sqlx, Diesel and refinery are
    /// reported; the baseline records their newest versions, and a migration they apply
    /// later shows up as drift. Refused when the history already records a migration.
    Baseline(BaselineArgs),
    /// Measure what a migration's statements do on a real server: locks, time, rewrites,
    /// scans, WAL.
    ///
    /// By default on a scratch database created on DATABASE_URL's server (its role needs
    /// CREATEDB) and dropped at the end: the migrations before MIGRATION (default: the
    /// newest) applied, `--rows` rows generated in every table, then MIGRATION's phases
    /// through contract. With `--database-url`, on that database instead: its pending
    /// phases are applied for real (a staging copy). For each statement: the locks its
    /// session held (from pg_locks, read on a second connection), how long it ran and held
    /// them, the tables it rewrote and scanned, and the WAL written. Exit 1 when a
    /// statement breaks a budget (`--max-lock-ms`, `--forbid-rewrite`,
    /// `--forbid-scan-under-lock`; tables the run created itself are exempt).
    Trace(TraceArgs),
    /// Prove the migrations on a scratch database: apply, re-apply, roll back, apply again.
    ///
    /// Creates a database on the server of `--shadow-url` (its role needs CREATEDB), applies
    /// every migration through contract with the engine and compares the schema with each
    /// migration's snapshot; applies again (nothing may run, nothing may change); rolls
    /// everything back (no table may remain); applies once more (the schema must be the
    /// same as the first time). Drops the scratch database at the end, whatever happened.
    /// Prints each stage with its differences; exit 1 on any.
    Verify(VerifyArgs),
    /// Replace the migrations up to ID with one that makes their schema from nothing.
    ///
    /// The new migration takes ID's folder name and snapshot, which lists the migrations it
    /// replaces; their folders are removed. On a database that applied them it counts as
    /// applied (and is never rolled back); a new database runs only it. The migrations
    /// after ID are unchanged.
    Squash(SquashArgs),
    /// Undo applied phases with their down files, newest phase first.
    ///
    /// Rolls back the newest applied migration, or every migration after `--to ID`. Every
    /// down file is checked before anything runs: a down statement that drops data written
    /// since (`-- migrate:loses-data`) needs `--allow-destructive`, and one that cannot
    /// restore data the up destroyed (`-- migrate:irreversible`) needs `--force`. Roll back
    /// in the reverse order of deploys: a contract before the old code returns, an expand
    /// only once no running code uses what it added.
    Rollback(RollbackArgs),
    /// Check SQL files for statements that lock out traffic or break the running code.
    ///
    /// Parses each statement with a PostgreSQL parser and checks it against rules for every
    /// phase (a plain CREATE INDEX on a table in use, a CHECK without NOT VALID, …) and,
    /// for `expand.up.sql` / `backfill.up.sql` files, the rules of their phase (no SET NOT
    /// NULL, drop or rename in expand). A migration folder is checked as a whole; with no
    /// PATH, every migration of the project. A statement is exempted from a rule by a
    /// comment before it: `-- migrate:allow RULE: why it is safe here`. Exit 1 when
    /// something is found.
    Lint(LintArgs),
}

/// The database and history table, shared by the commands that use them.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// Database URL (default: the DATABASE_URL variable).
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// History table, schema-qualified.
    #[arg(
        long,
        default_value = "cargo_migrate.history",
        value_name = "SCHEMA.TABLE"
    )]
    pub history_table: String,
}

impl DbArgs {
    /// The database URL, or an error saying how to give one.
    pub fn url(&self) -> anyhow::Result<&str> {
        self.database_url.as_deref().ok_or_else(|| {
            anyhow::anyhow!(
                "no database to connect to: pass --database-url URL or set DATABASE_URL"
            )
        })
    }
}

/// A fleet instead of one database, shared by `apply` and `status`.
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// Run on every database of a fleet instead of one: the `[[targets]]` of FILE, or of
    /// the project's Migrate.toml without FILE (each with name, and url or url_env; `[fleet]` sets
    /// canary, wave_size and parallel). The canary runs first, alone, then waves of the
    /// rest; the first failure stops its wave and the run.
    #[arg(
        long,
        value_name = "FILE",
        num_args = 0..=1,
        default_missing_value = "Migrate.toml"
    )]
    pub targets: Option<std::path::PathBuf>,

    /// The target that runs first, alone (default: the fleet's, or the first listed).
    #[arg(long, value_name = "NAME", requires = "targets")]
    pub canary: Option<String>,

    /// Targets per wave after the canary (default: the fleet's, or 10).
    #[arg(long, value_name = "N", requires = "targets")]
    pub wave_size: Option<usize>,

    /// Targets of a wave running at once (default: the fleet's, or 4).
    #[arg(long, value_name = "N", requires = "targets")]
    pub parallel: Option<usize>,
}

/// How statements run, shared by `apply` and `rollback`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub db: DbArgs,

    /// Longest wait for a lock that blocks traffic, in milliseconds: the cap of the
    /// escalating timeouts.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub lock_timeout: u64,

    /// First attempt's wait for such a lock, in milliseconds; it doubles per retry up to
    /// --lock-timeout, so writers queued behind a waiting statement stall about this long.
    /// 0: every attempt waits --lock-timeout.
    #[arg(long, default_value_t = 50, value_name = "MS")]
    pub first_lock_timeout: u64,

    /// Retries after a lock timeout (backoff doubles from 200 ms, with jitter).
    #[arg(long, default_value_t = 12)]
    pub retries: u32,

    /// statement_timeout of short DDL, in milliseconds (0: none).
    #[arg(long, default_value_t = 60_000, value_name = "MS")]
    pub ddl_statement_timeout: u64,

    /// statement_timeout of long steps (VALIDATE, concurrent index builds, backfill
    /// batches), in milliseconds (0: none).
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub long_statement_timeout: u64,

    /// Exit at once if another applier is running, instead of waiting for it.
    #[arg(long)]
    pub no_wait: bool,

    /// Accept applied files whose content changed.
    #[arg(long)]
    pub allow_edited: bool,

    /// Accept applied migrations missing from the folder.
    #[arg(long)]
    pub allow_missing: bool,

    /// Print what would run; run nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Options of `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub fleet: FleetArgs,

    /// With --targets: print the fleet's report as JSON on stdout.
    #[arg(long, requires = "targets")]
    pub json: bool,

    /// Last phase to run: `backfill` stops before the first contract; `contract` runs
    /// everything (only once the code built against the newest models is deployed).
    #[arg(long, default_value = "backfill", value_parser = ["expand", "backfill", "contract"])]
    pub through: String,

    /// Rows per backfill batch, fixed (default: paced by --batch-target-ms, starting from
    /// the size in the file).
    #[arg(long, value_name = "ROWS")]
    pub batch_size: Option<u32>,

    /// How long one backfill batch should take, in milliseconds: each next batch is sized
    /// from the last one's time, so each holds its row locks about this long. 0: the
    /// file's size, fixed.
    #[arg(long, default_value_t = 200, value_name = "MS")]
    pub batch_target_ms: u64,

    /// Pause between backfill batches, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub batch_pause: u64,

    /// Backfill batches wait while a streaming replica's replay lags more than this, in
    /// milliseconds (read from pg_stat_replication; the role needs pg_monitor).
    #[arg(long, value_name = "MS")]
    pub max_replica_lag: Option<u64>,

    /// Backfill batches wait while a transaction holding a lock on the table has been open
    /// longer than this, in milliseconds (vacuum cannot clean the batches' dead rows under
    /// it). 0: never.
    #[arg(long, default_value_t = 60_000, value_name = "MS")]
    pub max_transaction_age: u64,

    /// Do not wait while sessions wait for a lock on the table being backfilled.
    #[arg(long)]
    pub ignore_lock_waiters: bool,

    /// Run statements marked `-- migrate:destructive` (dropped tables and columns).
    #[arg(long)]
    pub allow_destructive: bool,

    /// Run a pending migration that comes before an applied one (merged from a branch
    /// after a newer migration ran), after it, instead of refusing.
    #[arg(long)]
    pub allow_out_of_order: bool,

    /// Start even though the schema differs from the newest applied migration's snapshot
    /// (see `cargo migrate drift`).
    #[arg(long)]
    pub allow_drift: bool,

    /// Start even though objects the models do not describe (an index, view, trigger or
    /// policy made by hand) depend on a column or table a pending migration drops or
    /// retypes: the statement drops them silently, or fails on them after the phases
    /// before it ran.
    #[arg(long)]
    pub allow_dependents: bool,
}

/// Options of `rollback`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    #[command(flatten)]
    pub run: RunArgs,

    /// Keep migration ID applied and roll back every migration after it (default: only
    /// the newest applied migration).
    #[arg(long, value_name = "ID", conflicts_with = "all")]
    pub to: Option<String>,

    /// Roll back every migration.
    #[arg(long, conflicts_with_all = ["phase", "abort"])]
    pub all: bool,

    /// Roll back the newest applied migration's phases from PHASE on, newest first:
    /// `contract` undoes only its contract (after the deploy was rolled back), `backfill`
    /// its contract and backfill.
    #[arg(long, value_parser = ["expand", "backfill", "contract"], conflicts_with_all = ["to", "abort"])]
    pub phase: Option<String>,

    /// Abort the newest applied migration before its contract: undo its backfill and
    /// expand (dropping its version schema), while the old code keeps running. Refused
    /// once its contract ran.
    #[arg(long, conflicts_with = "to")]
    pub abort: bool,

    /// Run down statements marked `-- migrate:loses-data`: they drop what was written
    /// since the up ran (a table or column the up added, with its data).
    #[arg(long)]
    pub allow_destructive: bool,

    /// Run down statements marked `-- migrate:irreversible`: the up destroyed data (a
    /// dropped table or column) and the down restores only its structure.
    #[arg(long)]
    pub force: bool,
}

/// Options of `lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// SQL files or migration folders (default: every migration of the project).
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,

    /// Phase of the given files, for names that do not say it.
    #[arg(long, value_parser = ["expand", "backfill", "contract"])]
    pub phase: Option<String>,

    /// Print JSON (for machines) instead of text (the same as `--format json`).
    #[arg(long)]
    pub json: bool,

    /// Output: `text`, `json`, or `github` (workflow annotations: `::error file=…,line=…`).
    #[arg(long, value_parser = ["text", "json", "github"], default_value = "text")]
    pub format: String,

    /// Target PostgreSQL major version (what proves NOT NULL depends on it); default: the
    /// project's `postgres` in Migrate.toml, else 15.
    #[arg(long, value_name = "MAJOR")]
    pub postgres: Option<u32>,

    /// List the rules and exit.
    #[arg(long)]
    pub rules: bool,
}

/// Options of `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub db: DbArgs,

    #[command(flatten)]
    pub fleet: FleetArgs,

    /// Print JSON (for machines) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Options of `trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The migration to trace on a scratch database (default: the newest).
    #[arg(value_name = "MIGRATION", conflicts_with = "database_url")]
    pub migration: Option<String>,

    /// The server to create the scratch database on (default: the DATABASE_URL variable).
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub server_url: Option<String>,

    /// Trace on this database instead of a scratch one: its pending phases are applied.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,

    /// With --database-url: the last phase to run.
    #[arg(long, default_value = "contract", value_parser = ["expand", "backfill", "contract"], requires = "database_url")]
    pub through: String,

    /// Rows generated in every table of the scratch database.
    #[arg(
        long,
        default_value_t = 10_000,
        value_name = "N",
        conflicts_with = "database_url"
    )]
    pub rows: u64,

    /// History table, schema-qualified.
    #[arg(
        long,
        default_value = "cargo_migrate.history",
        value_name = "SCHEMA.TABLE"
    )]
    pub history_table: String,

    /// Exit 1 when a lock that makes writes wait is held longer than this, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub max_lock_ms: Option<u64>,

    /// Exit 1 when a statement rewrites a table.
    #[arg(long)]
    pub forbid_rewrite: bool,

    /// Exit 1 when a statement scans a table while holding a lock on it that makes writes
    /// wait.
    #[arg(long)]
    pub forbid_scan_under_lock: bool,

    /// Print JSON (for machines) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Options of `backfill`.
#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// What to ask.
    #[arg(value_enum)]
    pub request: BackfillRequest,

    /// The migration whose backfill (default: the one in progress).
    #[arg(value_name = "MIGRATION")]
    pub migration: Option<String>,

    #[command(flatten)]
    pub db: DbArgs,

    /// Print JSON (for machines) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A request to a running backfill.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum BackfillRequest {
    /// Wait before the next batch until resumed.
    Pause,
    /// Go on after a pause.
    Resume,
    /// End after the batch running now, resumable by the next apply.
    Stop,
}

/// Options of `drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub db: DbArgs,

    /// Print JSON (for machines) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Options of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The database to read (default: the DATABASE_URL variable).
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub from_database: String,

    /// A schema to adopt (repeat for several); its tables' models say `table =
    /// "schema.table"` outside `public`, and `Migrate.toml` lists it as managed.
    #[arg(long = "schema", default_value = "public", value_name = "SCHEMA")]
    pub schemas: Vec<String>,

    /// Where to write the models, relative to the crate root.
    #[arg(long, default_value = "src/models.rs", value_name = "PATH")]
    pub models: PathBuf,

    /// Write the files only; record the baseline later with `cargo migrate baseline`.
    #[arg(long)]
    pub no_record: bool,

    /// History table, schema-qualified.
    #[arg(
        long,
        default_value = "cargo_migrate.history",
        value_name = "SCHEMA.TABLE"
    )]
    pub history_table: String,

    /// Print JSON (for machines) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Options of `baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub db: DbArgs,

    /// The migration whose schema the database has (default: the newest).
    #[arg(value_name = "ID")]
    pub id: Option<String>,

    /// Check the schema and say what would be recorded; record nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Print JSON (for machines) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Options of `squash`.
#[derive(Debug, Args)]
pub struct SquashArgs {
    /// The last migration to squash (with every one before it).
    #[arg(long, value_name = "ID")]
    pub through: String,
}

/// Options of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Server to create the scratch database on (default: the DATABASE_URL variable's).
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub shadow_url: String,

    /// Print JSON (for machines) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Options of `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Print JSON (for machines) instead of text.
    #[arg(long)]
    pub json: bool,

    /// Tables or TABLE.COLUMNs whose drop to include, as with `generate --allow-drop`.
    #[arg(long = "allow-drop", value_name = "TABLE[.COLUMN]")]
    pub allow_drop: Vec<String>,

    /// Database to estimate row counts from (default: the DATABASE_URL variable; none:
    /// no estimates).
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// Options of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Name of the migration (lower-case words); derived from the changes when omitted.
    #[arg(long)]
    pub name: Option<String>,

    /// Acknowledge dropping TABLE (and its rows) or TABLE.COLUMN (and its values); repeat
    /// for several. Without it, a table or field missing from the models is an error, so a
    /// wrong `models` glob or a deleted field can never generate a drop.
    #[arg(long = "allow-drop", value_name = "TABLE[.COLUMN]")]
    pub allow_drop: Vec<String>,

    /// UTC time for the folder name (yyyymmddhhmmss) instead of now: for reproducing a
    /// committed migration byte for byte.
    #[arg(long, value_name = "YYYYMMDDHHMMSS", hide = true, value_parser = parse_timestamp)]
    pub timestamp: Option<String>,
}

fn parse_timestamp(s: &str) -> Result<String, String> {
    if s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err("expected 14 digits: yyyymmddhhmmss".into())
    }
}
