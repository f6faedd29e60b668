//! Support for the end-to-end tests: a database of their own per test on the server named
//! by `DATABASE_URL`, applying migration files with psql exactly as a user would, and
//! comparing the catalog with a snapshot.

use migrate_core::compare::live::{against, normalized};
use migrate_core::compare::{Options, compare};
use migrate_core::introspect::{Introspected, introspect_schemas};
use migrate_core::model::Table;
use migrate_core::plan::Phase;
use migrate_core::project::{GenerateOptions, Pending, Project};
use sqlx::Connection as _;
use std::path::Path;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub mod bench_args;
pub mod catalogue_cases;
pub mod traffic;
mod transition;
pub use transition::{Outcome, TS, Transition};

/// The server under test (`scripts/pg-env.sh` exports it).
pub fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| {
        panic!("DATABASE_URL is not set: run `. scripts/pg-env.sh` first (the tests need a real PostgreSQL)")
    })
}

/// The major version of the server at `url`.
pub fn major_of(url: &str) -> u32 {
    let out = std::process::Command::new("psql")
        .args([url, "-XAtc", "SHOW server_version_num"])
        .output()
        .expect("run psql");
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .parse::<u32>()
        .unwrap_or_else(|_| panic!("server_version_num of {url}: {text}"))
        / 10000
}

/// The admin URL and major version of a server of another major version than
/// DATABASE_URL's, started beside it by `scripts/pg-other.sh` (18 on port 25418, or 12 on
/// 25412 when DATABASE_URL's server is an 18) and left running.
pub fn other_server() -> (String, u32) {
    let (major, port) = if major_of(&database_url()) == 18 {
        (12, 25412)
    } else {
        (18, 25418)
    };
    let url = script("pg-other.sh", &[&major.to_string(), &port.to_string()]);
    (url.trim().to_owned(), major)
}

/// Runs `scripts/NAME ARGS` of the repository, asserting success; its stdout.
pub fn script(name: &str, args: &[&str]) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let out = std::process::Command::new("bash")
        .arg(format!("{root}/scripts/{name}"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run scripts/{name}: {e}"));
    assert!(
        out.status.success(),
        "scripts/{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A database created for one test and dropped when it goes out of scope, even on panic.
pub struct TestDb {
    /// Database name.
    pub name: String,
    /// Connection URL of the database.
    pub url: String,
    admin_url: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    /// Creates `<prefix>_<pid>_<n>`, unique across parallel tests and test binaries.
    pub fn create(prefix: &str) -> TestDb {
        TestDb::create_on(&database_url(), prefix)
    }

    /// [`TestDb::create`] on the server of `admin_url` (a database URL there).
    pub fn create_on(admin_url: &str, prefix: &str) -> TestDb {
        let admin_url = admin_url.to_owned();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("{prefix}_{}_{n}", std::process::id());
        let base = admin_url
            .split('?')
            .next()
            .and_then(|u| u.rsplit_once('/'))
            .map(|(b, _)| b.to_owned())
            .unwrap_or_else(|| panic!("DATABASE_URL has no database part: {admin_url}"));
        let db = TestDb {
            url: format!("{base}/{name}"),
            name,
            admin_url,
        };
        run_psql(
            &db.admin_url,
            &["-c", &format!("DROP DATABASE IF EXISTS \"{}\"", db.name)],
        )
        .expect("drop stale test database");
        run_psql(
            &db.admin_url,
            &["-c", &format!("CREATE DATABASE \"{}\"", db.name)],
        )
        .expect("create test database");
        db
    }

    /// Runs a file with `psql -v ON_ERROR_STOP=1 -f`, as the generated headers say.
    pub fn apply_file(&self, path: &Path) -> Result<(), String> {
        let p = path.to_string_lossy();
        run_psql(&self.url, &["-f", &p])
    }

    /// Runs SQL text through psql (several statements allowed).
    pub fn sql(&self, sql: &str) -> Result<(), String> {
        run_psql(&self.url, &["-c", sql])
    }

    /// Runs SQL on the server's maintenance database (roles are cluster-wide).
    pub fn admin_sql(&self, sql: &str) -> Result<(), String> {
        run_psql(&self.admin_url, &["-c", sql])
    }

    /// Runs a query and returns its single value as text.
    pub fn value(&self, sql: &str) -> String {
        let out = Command::new("psql")
            .args([
                self.url.as_str(),
                "-X",
                "-A",
                "-t",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "{sql}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// The tables of every schema but the system's, as the catalog has them (keyed as the
    /// models name them: `billing.invoices`).
    pub fn introspect(&self) -> Introspected {
        let url = self.url.clone();
        block_on(async move {
            let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
            let schemas: Vec<String> = sqlx::query_scalar(
                "SELECT nspname::text FROM pg_namespace
                  WHERE nspname NOT LIKE 'pg\\_%'
                    AND nspname NOT IN ('information_schema', 'cargo_migrate')",
            )
            .fetch_all(&mut conn)
            .await
            .expect("schemas");
            let schema = introspect_schemas(&mut conn, &schemas)
                .await
                .expect("introspect");
            conn.close().await.ok();
            schema
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = run_psql(
            &self.admin_url,
            &[
                "-c",
                &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
            ],
        );
    }
}

/// Runs SQL text through psql on the database at `url`.
pub fn sql_on(url: &str, sql: &str) -> Result<(), String> {
    run_psql(url, &["-c", sql])
}

fn run_psql(url: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new("psql")
        .arg(url)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1"])
        .args(args)
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(f)
}

/// What the catalog looks like when `tables` are created directly from the model: the
/// reference a migrated database must equal, read by the library on the test's own
/// database (temporary tables, rolled back). Expressions (defaults, checks, predicates)
/// come back in the server's normalised form, so the two compare exactly.
pub fn reference_schema(db: &TestDb, tables: &[Table]) -> Vec<Table> {
    let url = db.url.clone();
    let tables = tables.to_vec();
    block_on(async move {
        let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
        let reference = normalized(&mut conn, &tables)
            .await
            .unwrap_or_else(|e| panic!("the model does not create: {e}"));
        conn.close().await.ok();
        reference
    })
}

/// The model with expressions reduced to "present or not", for comparing a catalog with a
/// snapshot (the server rewrites expression text, e.g. `0` stays `0` but `x > 0` becomes
/// `(x > 0)`).
pub fn structure(tables: &[Table]) -> Vec<Table> {
    tables
        .iter()
        .map(|t| {
            let mut t = t.schema_only();
            for c in &mut t.columns {
                c.default = c.default.as_ref().map(|_| "<expr>".into());
                if let Some(g) = &mut c.generated {
                    g.expr = "<expr>".into();
                }
            }
            for ck in &mut t.checks {
                ck.expr = "<expr>".into();
            }
            for ix in &mut t.indexes {
                ix.predicate = ix.predicate.as_ref().map(|_| "<expr>".into());
                for k in &mut ix.columns {
                    if migrate_core::model::Index::is_expression(k) {
                        *k = "(<expr>)".into();
                    }
                }
            }
            t
        })
        .collect()
}

/// Asserts the database matches `tables` exactly: the same structure as the model itself
/// (types spelled as the catalog spells them), the same catalog as the model created
/// directly, and nothing left INVALID or NOT VALID.
pub fn assert_schema_matches(db: &TestDb, tables: &[Table], context: &str) {
    assert_matches(db, tables, context, Options::default());
}

/// Like [`assert_schema_matches`], but with each table's columns compared as a set: for a
/// rollback that re-adds a dropped column, which PostgreSQL always appends at the end.
pub fn assert_schema_matches_any_column_order(db: &TestDb, tables: &[Table], context: &str) {
    let options = Options {
        column_order: false,
    };
    assert_matches(db, tables, context, options);
}

fn assert_matches(db: &TestDb, tables: &[Table], context: &str, options: Options) {
    // The schemas the model manages: `public` and those its tables live in.
    let managed = |key: &str| {
        let schema = migrate_core::sql::split_table(key).0;
        schema == "public"
            || tables
                .iter()
                .any(|t| migrate_core::sql::split_table(&t.name).0 == schema)
    };
    let mut actual = db.introspect();
    actual.tables.retain(|t| managed(&t.name));
    actual.not_valid.retain(|o| managed(o));
    let shape = compare(&structure(tables), &structure(&actual.tables), options);
    let exact = against(&actual, &reference_schema(db, tables), options);
    let lines: Vec<String> = shape
        .iter()
        .chain(&exact)
        .map(ToString::to_string)
        .collect();
    assert!(
        lines.is_empty(),
        "{context}: the catalog differs from the model:\n{}",
        lines.join("\n")
    );
}

/// A checksum of the rows of `table` over `columns`, independent of row order.
pub fn checksum(db: &TestDb, table: &str, columns: &[String]) -> String {
    let cols: Vec<String> = columns
        .iter()
        .map(|c| migrate_core::sql::ident(c))
        .collect();
    db.value(&format!(
        "SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM (SELECT {} FROM {}) x",
        cols.join(", "),
        migrate_core::sql::ident(table)
    ))
}

/// What one statement did to a table, observed while its transaction was still open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effects {
    /// Lock modes its session held on the table (`AccessExclusiveLock`, …), read from a
    /// second connection in `pg_locks`.
    pub modes: Vec<String>,
    /// Sequential scans of the table it made (delta of `pg_stat_get_xact_numscans`).
    pub scans: i64,
    /// Whether the table got a new relfilenode (a rewrite).
    pub rewrote: bool,
}

impl Effects {
    /// Whether it took ACCESS EXCLUSIVE.
    pub fn access_exclusive(&self) -> bool {
        self.modes.iter().any(|m| m == "AccessExclusiveLock")
    }
}

/// Asserts that what `steps` (run together in one transaction) did to their table is what
/// the catalogue claims for their kinds: the strongest lock on the table, no scan where
/// none is claimed, a rewrite exactly where one is.
pub fn assert_claims(steps: &[&migrate_core::plan::Step], e: &Effects, sql: &str) {
    use migrate_core::catalogue::{LockMode, Scan, Target};
    let claimed = steps
        .iter()
        .flat_map(|s| s.facts().locks.iter())
        .filter(|l| l.on == Target::Table)
        .map(|l| l.mode)
        .max();
    let observed = e
        .modes
        .iter()
        .filter_map(|m| LockMode::from_pg_locks(m))
        .max();
    assert_eq!(
        observed, claimed,
        "{sql}: the strongest lock on the table is not the catalogue's ({:?})",
        e.modes
    );
    let scans = steps.iter().any(|s| s.facts().scan != Scan::None);
    assert!(
        scans || e.scans == 0,
        "{sql}: scanned the table, and the catalogue claims no scan"
    );
    let rewrites = steps.iter().any(|s| s.rewrites());
    assert_eq!(e.rewrote, rewrites, "{sql}: rewrite claim");
}

/// Runs `sql` in a transaction on one connection and, before committing, records from a
/// second connection the locks that session holds on `table`.
pub fn effects(db: &TestDb, table: &str, sql: &str) -> Effects {
    let url = db.url.clone();
    let (table, sql) = (table.to_owned(), sql.to_owned());
    block_on(async move {
        let mut a = sqlx::PgConnection::connect(&url).await.expect("connect a");
        let mut b = sqlx::PgConnection::connect(&url).await.expect("connect b");
        let quoted = migrate_core::sql::ident(&table);
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut a)
            .await
            .expect("pid");
        sqlx::raw_sql("BEGIN").execute(&mut a).await.expect("begin");
        // language=SQL
        let probe = "SELECT pg_stat_get_xact_numscans($1::regclass), pg_relation_filenode($1::regclass)::int8";
        let (scans_before, node_before): (i64, i64) = sqlx::query_as(probe)
            .bind(&quoted)
            .fetch_one(&mut a)
            .await
            .expect("probe before");
        // The statement comes from the generated plan under test.
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut a)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let (scans_after, node_after): (i64, i64) = sqlx::query_as(probe)
            .bind(&quoted)
            .fetch_one(&mut a)
            .await
            .expect("probe after");
        let modes: Vec<String> = sqlx::query_scalar(
            "SELECT mode FROM pg_locks WHERE pid = $1 AND locktype = 'relation' AND relation = $2::regclass ORDER BY mode",
        )
        .bind(pid)
        .bind(&quoted)
        .fetch_all(&mut b)
        .await
        .expect("pg_locks");
        sqlx::raw_sql("COMMIT")
            .execute(&mut a)
            .await
            .expect("commit");
        Effects {
            modes,
            scans: scans_after - scans_before,
            rewrote: node_before != node_after,
        }
    })
}

/// What a workload saw.
#[derive(Debug, Clone, Default)]
pub struct WorkloadReport {
    /// Statements run.
    pub statements: u64,
    /// The first errors (at most 20), with their statement.
    pub errors: Vec<String>,
    /// The slowest statement's duration.
    pub worst: std::time::Duration,
}

impl WorkloadReport {
    /// Asserts that `who` (old code, new code) ran and no statement of it failed.
    pub fn assert_clean(&self, who: &str) {
        assert!(self.statements > 0, "{who} ran");
        assert!(self.errors.is_empty(), "{who}'s errors: {:#?}", self.errors);
    }
}

/// Application traffic on its own connection: runs `statements` in a loop, as prepared
/// statements (the way sqlx runs queries, cached per connection), until stopped.
pub struct Workload {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    done: std::sync::Arc<std::sync::atomic::AtomicU64>,
    handle: std::thread::JoinHandle<WorkloadReport>,
}

impl Workload {
    /// Connects, runs `setup` once (e.g. `SET search_path = …`), then loops.
    pub fn start(db: &TestDb, setup: &str, statements: &[&str]) -> Workload {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = done.clone();
        let url = db.url.clone();
        let setup = setup.to_owned();
        let statements: Vec<String> = statements.iter().map(|s| (*s).to_owned()).collect();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let handle = std::thread::spawn(move || {
            block_on(async move {
                let mut report = WorkloadReport::default();
                let mut conn = sqlx::PgConnection::connect(&url)
                    .await
                    .expect("workload connect");
                if !setup.is_empty() {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(setup))
                        .execute(&mut conn)
                        .await
                        .expect("workload setup");
                }
                let _ = ready_tx.send(());
                while !flag.load(Ordering::SeqCst) {
                    for sql in &statements {
                        let started = std::time::Instant::now();
                        // The statements are the test's own fixed SQL.
                        let result = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                            .fetch_all(&mut conn)
                            .await;
                        report.worst = report.worst.max(started.elapsed());
                        report.statements += 1;
                        counter.fetch_add(1, Ordering::SeqCst);
                        if let Err(e) = result
                            && report.errors.len() < 20
                        {
                            report.errors.push(format!("{sql}: {e}"));
                        }
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                }
                conn.close().await.ok();
                report
            })
        });
        ready_rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("workload started");
        Workload { stop, done, handle }
    }

    /// Waits until the loop has run `n` more statements, so every phase sees traffic
    /// (counted, not timed: machines are noisy).
    pub fn wait_for(&self, n: u64) {
        let target = self.done.load(Ordering::SeqCst) + n;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while self.done.load(Ordering::SeqCst) < target {
            assert!(
                !self.handle.is_finished(),
                "the workload stopped (its connection failed?)"
            );
            assert!(
                std::time::Instant::now() < deadline,
                "the workload made no progress for 120 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Stops the loop and returns what it saw.
    pub fn stop(self) -> WorkloadReport {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.join().expect("workload thread")
    }
}

/// Asserts that the linter finds nothing in the phase files of the migration folder at
/// `path`: every migration the planner writes passes the rules users' hand-written files
/// are held to.
pub fn assert_lint_clean(path: &Path) {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).expect("migration folder") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".sql") {
            files.push((name, std::fs::read_to_string(entry.path()).expect("read")));
        }
    }
    let findings = migrate_core::lint::lint_migration(&files)
        .unwrap_or_else(|(file, e)| panic!("{}/{file}: {e}", path.display()));
    assert!(
        findings.is_empty(),
        "{}: the generated files break lint rules:\n{}",
        path.display(),
        findings
            .iter()
            .map(|(file, f)| format!("{file}: {f}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Asserts that every phase file of the migration folder at `path` says, in its markers and
/// `SET lock_timeout` lines, what the catalogue says the apply engine does with each unit:
/// whether it runs in a transaction and whether it waits at most the short lock timeout.
pub fn assert_files_follow_the_catalogue(path: &Path) {
    for entry in std::fs::read_dir(path).expect("migration folder") {
        let file = entry.expect("entry").path();
        if file.extension().is_none_or(|e| e != "sql") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read");
        let units = migrate_core::sql::phase_file::parse(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for unit in &units {
            let how = migrate_core::apply::handling(unit);
            let line = unit.statements[0].line;
            assert_eq!(
                (unit.transactional(), unit.short_lock_timeout),
                (how.transactional, how.short_lock_timeout),
                "{}:{line}: (transactional, short lock timeout) in the file vs the catalogue",
                file.display()
            );
        }
    }
}

/// The example's migrations (`examples/blog/migrations`), as the engine reads them.
pub fn example_migrations() -> Vec<migrate_core::apply::MigrationSource> {
    migrate_core::apply::load_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog/migrations"),
    )
    .expect("the example's migrations load")
}

/// A runtime for a test's calls into the async engine.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Options that run every phase, contracts and their drops included.
pub fn through_contract() -> migrate_core::apply::ApplyOptions {
    migrate_core::apply::ApplyOptions {
        through: Phase::Contract,
        allow_destructive: true,
        ..migrate_core::apply::ApplyOptions::default()
    }
}

/// A scratch crate (its models file and migrations folder) with a database of its own:
/// the setting of every end-to-end test that generates migrations.
pub struct Scenario {
    _dir: tempfile::TempDir,
    /// The crate's project.
    pub project: Project,
    /// Its database.
    pub db: TestDb,
    root: PathBuf,
}

/// Generate options pinning the migration's timestamp (so file names are stable).
pub fn at(timestamp: &str) -> GenerateOptions {
    GenerateOptions {
        timestamp: Some(timestamp.to_owned()),
        ..GenerateOptions::default()
    }
}

impl Scenario {
    /// An empty crate and a fresh database named after `prefix`.
    pub fn new(prefix: &str) -> Scenario {
        let dir = tempfile::tempdir().expect("scratch crate");
        std::fs::create_dir_all(dir.path().join("src")).expect("src/");
        let project = Project::open(dir.path()).expect("open project");
        Scenario {
            root: dir.path().to_owned(),
            _dir: dir,
            project,
            db: TestDb::create(prefix),
        }
    }

    /// [`Scenario::new`] with its database on the server of `admin_url`.
    pub fn on(admin_url: &str, prefix: &str) -> Scenario {
        let mut sc = Scenario::new(prefix);
        sc.db = TestDb::create_on(admin_url, prefix);
        sc
    }

    /// [`Scenario::new`] with `postgres = major` in the crate's `Migrate.toml`: the plans
    /// are that server's.
    pub fn targeting(prefix: &str, major: u32) -> Scenario {
        let mut sc = Scenario::new(prefix);
        std::fs::write(
            sc.root.join("Migrate.toml"),
            format!("postgres = {major}\n"),
        )
        .expect("Migrate.toml");
        sc.project = Project::open(&sc.root).expect("open project");
        sc
    }

    /// The server's major version.
    pub fn server_major(&self) -> u32 {
        self.db
            .value("SHOW server_version_num")
            .parse::<u32>()
            .expect("server_version_num")
            / 10000
    }

    /// The crate's models file.
    pub fn models_path(&self) -> PathBuf {
        self.root.join("src/models.rs")
    }

    /// Makes `models` the crate's models and writes the migration they need.
    pub fn generate(&self, models: &str, opts: &GenerateOptions) -> (Pending, PathBuf) {
        std::fs::write(self.root.join("src/models.rs"), models).expect("write models");
        let pending = self
            .project
            .pending(opts)
            .expect("plan")
            .expect("the models changed");
        let path = self.project.write(&pending).expect("write migration");
        assert_lint_clean(&path);
        assert_files_follow_the_catalogue(&path);
        let misplaced: Vec<String> = pending
            .plan
            .misplaced()
            .map(|s| format!("{:?} in {}: {}", s.kind, s.phase, s.sql))
            .collect();
        assert!(
            misplaced.is_empty(),
            "steps the catalogue does not allow where they run:\n{}",
            misplaced.join("\n")
        );
        (pending, path)
    }

    /// Runs `<phase>.<direction>.sql` of the migration at `path` with psql, if it has one.
    pub fn apply(&self, path: &Path, phase: Phase, direction: &str) {
        let file = path.join(format!("{phase}.{direction}.sql"));
        if file.exists() {
            self.db
                .apply_file(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        }
    }

    /// Runs every phase's up file of the migration at `path`, in order.
    pub fn up(&self, path: &Path) {
        for phase in Phase::ALL {
            self.apply(path, phase, "up");
        }
    }

    /// Runs every phase's down file of the migration at `path`, contract first.
    pub fn down(&self, path: &Path) {
        for phase in Phase::ALL.iter().rev() {
            self.apply(path, *phase, "down");
        }
    }

    /// Generates `models`, applies every phase, then runs `seed`: the starting point.
    pub fn start(&self, models: &str, seed: &str) -> Pending {
        let (pending, path) = self.generate(models, &GenerateOptions::default());
        for phase in Phase::ALL {
            self.apply(&path, phase, "up");
        }
        self.db.sql(seed).expect("seed");
        pending
    }
}

/// Runs `<phase>.<direction>.sql` of the migration at `path` with psql; the file must exist.
pub fn apply_phase(db: &TestDb, path: &Path, phase: Phase, direction: &str) {
    db.apply_file(&path.join(format!("{phase}.{direction}.sql")))
        .unwrap_or_else(|e| panic!("{phase} {direction}: {e}"));
}

/// An application role other than the migration's, for the life of a test: created
/// without privileges, dropped (with what it was granted) when the value goes.
pub struct AppRole<'a> {
    /// The role's name.
    pub name: String,
    db: &'a TestDb,
}

impl<'a> AppRole<'a> {
    /// Creates `<database>_app`.
    pub fn create(db: &'a TestDb) -> AppRole<'a> {
        let name = format!("{}_app", db.name);
        db.admin_sql(&format!(
            "DROP ROLE IF EXISTS \"{name}\"; CREATE ROLE \"{name}\" NOLOGIN"
        ))
        .expect("create role");
        AppRole { name, db }
    }

    /// Runs `sql` as this role (in one psql session).
    pub fn sql(&self, sql: &str) -> Result<(), String> {
        self.db.sql(&format!("SET ROLE \"{}\"; {sql}", self.name))
    }
}

impl Drop for AppRole<'_> {
    fn drop(&mut self) {
        let _ = self.db.sql(&format!("DROP OWNED BY \"{}\"", self.name));
        let _ = self
            .db
            .admin_sql(&format!("DROP ROLE IF EXISTS \"{}\"", self.name));
    }
}

/// A plan's up files, each under a `==> name` header (what a snapshot of the SQL shows).
pub fn up_files(pending: &Pending) -> String {
    pending
        .files
        .iter()
        .filter(|(n, _)| n.ends_with(".up.sql"))
        .map(|(n, t)| format!("==> {n}\n{t}"))
        .collect()
}

/// Runs `plan`'s steps one by one, reading each transactional one's locks and scans from a
/// second connection: a line per step, and a panic on a rewrite or a scan under ACCESS
/// EXCLUSIVE. Functions, schemas and non-transactional steps just run.
pub fn lock_report(db: &TestDb, plan: &migrate_core::plan::Plan) -> String {
    let mut report = String::new();
    for step in &plan.steps {
        let runs_alone = step.sql.contains("SCHEMA") || step.sql.contains("FUNCTION");
        if runs_alone || !step.transactional() {
            db.sql(&step.sql)
                .unwrap_or_else(|e| panic!("{}: {e}", step.sql));
            continue;
        }
        let e = effects(db, &step.table, &step.sql);
        let first_line: String = step
            .sql
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(90)
            .collect();
        report.push_str(&format!(
            "{:<8} {first_line:<90} {:?} scans={}\n",
            step.phase.as_str(),
            e.modes,
            e.scans
        ));
        assert!(!e.rewrote, "{} rewrote the table", step.sql);
        if e.access_exclusive() {
            assert_eq!(e.scans, 0, "{} scanned under ACCESS EXCLUSIVE", step.sql);
        }
    }
    report
}
