//! The apply engine on a real server: the example's migrations applied through the library
//! `Migrator` (stopping before contract, then through it), a second run a no-op, the
//! history checked against the files, one applier at a time with the lock released on
//! failure, and a DDL statement behind a long transaction timing out and retrying without
//! holding up other writers.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::apply::{
    ApplyError, ApplyOptions, ApplyReport, Event, MigrationSource, Migrator, RollbackTo, load_dir,
};
use migrate_core::migrations;
use migrate_core::plan::Phase;
use migrate_core::project::GenerateOptions;
use migrate_tests::{Scenario, TestDb, Workload, assert_schema_matches, at, checksum};
use migrate_tests::{runtime, through_contract};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn example_migrations() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog/migrations")
}

/// Runs the migrations in `dir` with `options`, collecting the events.
fn apply(
    dir: &Path,
    db: &TestDb,
    options: ApplyOptions,
) -> (Result<ApplyReport, ApplyError>, Vec<Event>) {
    apply_url(dir, &db.url, options)
}

/// [`apply`] by URL, for a thread of its own.
fn apply_url(
    dir: &Path,
    url: &str,
    options: ApplyOptions,
) -> (Result<ApplyReport, ApplyError>, Vec<Event>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let mut m = Migrator::new(load_dir(dir).unwrap(), options)
        .on_event(move |e| sink.lock().unwrap().push(e.clone()));
    let r = runtime().block_on(m.apply(url));
    let events = events.lock().unwrap().clone();
    (r, events)
}

fn advisory_locks(db: &TestDb) -> String {
    db.value(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
}

#[test]
fn the_example_applies_stops_before_contract_and_a_second_run_does_nothing() {
    let db = TestDb::create("apply_example");
    let dir = example_migrations();
    let (r, _) = apply(&dir, &db, ApplyOptions::default());
    let report = r.unwrap();
    let last = migrations::load(&dir).unwrap().migrations.pop().unwrap();
    assert_eq!(
        report.stopped_before,
        Some((last.id.clone(), Phase::Contract))
    );
    assert!(!report.applied.iter().any(|(_, p)| *p == Phase::Contract));

    // The contract drops a table: refused without the acknowledgement, nothing run.
    let (r, _) = apply(
        &dir,
        &db,
        ApplyOptions {
            through: Phase::Contract,
            ..ApplyOptions::default()
        },
    );
    let err = r.unwrap_err();
    assert!(matches!(err, ApplyError::Destructive { .. }), "{err}");
    assert!(err.to_string().contains("contract.up.sql"), "{err}");
    assert!(err.to_string().contains("--allow-destructive"), "{err}");

    let (r, _) = apply(&dir, &db, through_contract());
    assert_eq!(r.unwrap().applied, [(last.id.clone(), Phase::Contract)]);
    assert_schema_matches(&db, &last.snapshot.tables, "applied by the Migrator");

    let (r, events) = apply(&dir, &db, through_contract());
    let again = r.unwrap();
    assert!(again.applied.is_empty() && again.stopped_before.is_none());
    assert!(
        !events.iter().any(|e| matches!(e, Event::Statement { .. })),
        "a second run runs nothing"
    );
    assert_eq!(
        db.value("SELECT count(*) FROM cargo_migrate.history WHERE finished_at IS NULL"),
        "0"
    );
    assert_eq!(advisory_locks(&db), "0", "the lock is released");
}

#[test]
fn edited_or_missing_applied_files_are_refused_and_the_lock_is_released() {
    let db = TestDb::create("apply_edited");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    copy_dir(&example_migrations(), &dir);
    let (r, _) = apply(&dir, &db, ApplyOptions::default());
    r.unwrap();

    let first = migrations::load(&dir).unwrap().migrations.remove(0);
    let file = first.path.join("expand.up.sql");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n-- a harmless edit\n")).unwrap();
    let (r, _) = apply(&dir, &db, ApplyOptions::default());
    let err = r.unwrap_err();
    assert!(matches!(err, ApplyError::Edited { .. }), "{err}");
    assert!(
        err.to_string().contains(&file.display().to_string()),
        "the error names the file: {err}"
    );
    assert_eq!(advisory_locks(&db), "0", "released after the failure");
    let (r, _) = apply(
        &dir,
        &db,
        ApplyOptions {
            allow_edited: true,
            ..ApplyOptions::default()
        },
    );
    r.unwrap();
    std::fs::write(&file, text).unwrap();

    let last = migrations::load(&dir).unwrap().migrations.pop().unwrap();
    std::fs::remove_dir_all(&last.path).unwrap();
    let (r, _) = apply(&dir, &db, ApplyOptions::default());
    let err = r.unwrap_err();
    assert!(
        matches!(&err, ApplyError::Missing { id } if *id == last.id),
        "{err}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A history table whose lock key is negative (the key's high half is not a valid oid).
fn negative_key_options() -> ApplyOptions {
    let options = ApplyOptions {
        history: migrate_core::apply::HistoryTable {
            schema: "public".into(),
            table: "schema_migrations".into(),
        },
        ..ApplyOptions::default()
    };
    assert!(options.history.lock_key() < 0);
    options
}

#[test]
fn two_appliers_take_turns() {
    let db = TestDb::create("apply_concurrent");
    // Hold the appliers' lock, as a running applier would.
    let url = db.url.clone();
    let key = negative_key_options().history.lock_key();
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        runtime().block_on(async move {
            use sqlx::Connection as _;
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(key)
                .execute(&mut c)
                .await
                .unwrap();
            held_tx.send(()).unwrap();
            release_rx.recv().unwrap();
            c.close().await.unwrap();
        })
    });
    held_rx.recv().unwrap();

    let (r, _) = apply(
        &example_migrations(),
        &db,
        ApplyOptions {
            no_wait: true,
            ..negative_key_options()
        },
    );
    assert!(matches!(r, Err(ApplyError::Busy { pid: Some(_) })), "{r:?}");

    let dir = example_migrations();
    let url = db.url.clone();
    let waiter = std::thread::spawn(move || {
        let (r, events) = apply_url(&dir, &url, negative_key_options());
        r.unwrap();
        events
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        db.value("SELECT to_regclass('public.schema_migrations') IS NULL"),
        "t",
        "the second applier waits for the lock"
    );
    assert_eq!(
        db.value("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory' AND datname = current_database()"),
        "0",
        "it waits between tries, not in a statement: an open transaction would hold up the holder's concurrent index builds"
    );
    release_tx.send(()).unwrap();
    holder.join().unwrap();
    let events = waiter.join().unwrap();
    assert!(events.iter().any(|e| matches!(e, Event::Waiting { .. })));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::PhaseFinished { .. }))
    );
    assert_eq!(advisory_locks(&db), "0");
}

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "orders")]
pub struct Order {
    #[schema(primary_key, identity)]
    pub id: i64,
    pub note: Option<String>,
}
"#;

const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "orders")]
pub struct Order {
    #[schema(primary_key, identity)]
    pub id: i64,
    pub note: Option<String>,
    #[schema(backfill = "'n' || id")]
    pub label: String,
}
"#;

#[test]
fn ddl_behind_a_long_transaction_times_out_and_retries_without_holding_up_writers() {
    let sc = Scenario::new("apply_retry");
    let db = &sc.db;
    let dir = sc.project.migrations_dir();
    sc.generate(V1, &GenerateOptions::default());
    apply(&dir, db, through_contract()).0.unwrap();
    db.sql("INSERT INTO orders (note) SELECT 'o' || g FROM generate_series(1, 10000) g")
        .unwrap();
    sc.generate(V2, &at("29990101000000"));

    // A long transaction holding a lock that ALTER TABLE conflicts with; writers meanwhile.
    let url = db.url.clone();
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let blocker = std::thread::spawn(move || {
        runtime().block_on(async move {
            use sqlx::Connection as _;
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::raw_sql("BEGIN; SELECT count(*) FROM orders")
                .execute(&mut c)
                .await
                .unwrap();
            held_tx.send(()).unwrap();
            tokio::time::sleep(Duration::from_millis(1500)).await;
            sqlx::raw_sql("COMMIT").execute(&mut c).await.unwrap();
        })
    });
    held_rx.recv().unwrap();
    let writers = Workload::start(db, "", &["INSERT INTO orders (note) VALUES ('writer')"]);
    writers.wait_for(20);
    let (r, events) = apply(
        &dir,
        db,
        ApplyOptions {
            first_lock_timeout: Duration::from_millis(25),
            lock_timeout: Duration::from_millis(100),
            retry_base: Duration::from_millis(100),
            max_retries: 20,
            ..ApplyOptions::default()
        },
    );
    blocker.join().unwrap();
    writers.wait_for(20);
    let w = writers.stop();
    r.unwrap();
    let retries = events
        .iter()
        .filter(|e| matches!(e, Event::Retry { .. }))
        .count();
    println!(
        "{retries} retries; writers: {} inserts, worst wait {:?}",
        w.statements, w.worst
    );
    assert!(retries > 0, "the ALTER timed out behind the transaction");
    // Each attempt's lock timeout doubles from the first to the cap, per statement.
    let waits: Vec<(u128, u128)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Retry {
                lock_timeout,
                next_lock_timeout,
                ..
            } => Some((lock_timeout.as_millis(), next_lock_timeout.as_millis())),
            _ => None,
        })
        .collect();
    println!("lock timeouts of the retried attempts: {waits:?}");
    assert_eq!(
        waits[0],
        (25, 50),
        "the first attempt waits the first timeout"
    );
    for (i, (expired, next)) in waits.iter().enumerate() {
        assert_eq!(*next, (expired * 2).min(100), "doubling to the cap at {i}");
    }
    assert!(waits.contains(&(100, 100)), "the cap is reached: {waits:?}");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Blocked { blockers } if !blockers.is_empty())),
        "the blocker was reported"
    );
    assert!(w.errors.is_empty(), "{:?}", w.errors);
    assert_eq!(
        db.value("SELECT count(*) FROM orders WHERE label IS NULL"),
        "0",
        "the backfill reached every row, the writers' too"
    );
}

const TWO_V1: &str = r#"
#[derive(Schema)]
#[schema(table = "a")]
pub struct A {
    #[schema(primary_key, identity)]
    pub id: i64,
}

#[derive(Schema)]
#[schema(table = "b")]
pub struct B {
    #[schema(primary_key, identity)]
    pub id: i64,
}
"#;

const TWO_V2: &str = r#"
#[derive(Schema)]
#[schema(table = "a")]
pub struct A {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(backfill = "id * 2")]
    pub x: i64,
}

#[derive(Schema)]
#[schema(table = "b")]
pub struct B {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(backfill = "id * 3")]
    pub y: i64,
}
"#;

#[test]
fn an_interrupted_backfill_resumes_its_own_cursor_and_the_next_one_starts_afresh() {
    let sc = Scenario::new("apply_resume");
    let db = &sc.db;
    let dir = sc.project.migrations_dir();
    sc.generate(TWO_V1, &GenerateOptions::default());
    apply(&dir, db, through_contract()).0.unwrap();
    db.sql(
        "INSERT INTO a SELECT FROM generate_series(1, 10000); INSERT INTO b SELECT FROM generate_series(1, 10000)",
    )
    .unwrap();
    let (v2, _) = sc.generate(TWO_V2, &at("29990101000000"));
    let (r, _) = apply(
        &dir,
        db,
        ApplyOptions {
            through: Phase::Expand,
            ..ApplyOptions::default()
        },
    );
    assert_eq!(
        r.unwrap().stopped_before,
        Some((v2.id.clone(), Phase::Backfill))
    );
    // What a run killed in the middle of the first backfill leaves behind.
    let backfill = v2
        .files
        .iter()
        .find(|(n, _)| n == "backfill.up.sql")
        .unwrap();
    db.sql(&format!(
        "UPDATE a SET x = id * 2 WHERE id <= 5000;
         INSERT INTO cargo_migrate.history (migration, phase, checksum, backfill_last_key, backfill_upper_key, backfill_rows)
         VALUES ('{}', 'backfill', '{}', ARRAY['5000'], ARRAY['10000'], 5000)",
        v2.id,
        migrate_core::apply::checksum(&backfill.1)
    ))
    .unwrap();
    let (r, events) = apply(&dir, db, ApplyOptions::default());
    r.unwrap();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::PhaseStarted {
            phase: Phase::Backfill,
            ..
        }
    )));
    assert_eq!(
        db.value("SELECT count(*) FROM a WHERE x IS DISTINCT FROM id * 2"),
        "0"
    );
    assert_eq!(
        db.value("SELECT count(*) FROM b WHERE y IS DISTINCT FROM id * 3"),
        "0",
        "the second backfill covered its whole table, not the first one's remaining range"
    );
    assert_eq!(
        db.value("SELECT backfill_rows FROM cargo_migrate.history WHERE phase = 'backfill' AND migration LIKE '2999%'"),
        "20000",
        "the first backfill resumed after key 5000"
    );
}

/// Phases rolled back, newest first.
type Phases = Vec<(String, Phase)>;

/// Rolls back through the library, collecting the events.
fn rollback(
    dir: &Path,
    db: &TestDb,
    options: ApplyOptions,
    to: Option<RollbackTo>,
) -> (Result<Phases, ApplyError>, Vec<Event>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let mut m = Migrator::new(load_dir(dir).unwrap(), options)
        .on_event(move |e| sink.lock().unwrap().push(e.clone()));
    let r = runtime().block_on(m.rollback(&db.url, to.as_ref()));
    let events = events.lock().unwrap().clone();
    (r, events)
}

/// The rows of the tables every version of the example has, over the columns they share.
fn shared_data(db: &TestDb) -> Vec<String> {
    let cols = |c: &str| c.split(',').map(str::to_owned).collect::<Vec<_>>();
    vec![
        checksum(
            db,
            "users",
            &cols("id,email,display_name,created_at,bio,is_admin"),
        ),
        checksum(
            db,
            "posts",
            &cols("id,author_id,title,body,published_at,view_count"),
        ),
        checksum(
            db,
            "comments",
            &cols("id,post_id,author_id,body,created_at"),
        ),
    ]
}

#[test]
fn the_example_rolls_back_and_reapplies_keeping_its_data() {
    let db = TestDb::create("rollback_example");
    let dir = example_migrations();
    let all = migrations::load(&dir).unwrap().migrations;
    let (first, second, head) = (&all[0], &all[1], &all[2]);

    // Migrations 1 and 2, then rows, then migration 3 (which drops `sessions`).
    let (r, _) = apply(
        &dir,
        &db,
        ApplyOptions {
            through: Phase::Contract,
            ..ApplyOptions::default()
        },
    );
    assert!(matches!(r.unwrap_err(), ApplyError::Destructive { .. }));
    db.sql(
        "INSERT INTO users (email, display_name, bio) SELECT 'u' || g || '@example.com', 'User ''' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'bio ✓' END FROM generate_series(1, 500) g;
         INSERT INTO posts (author_id, title, body, published_at) SELECT 1 + g % 500, 'Title ' || g, repeat('x', g), CASE WHEN g % 2 = 0 THEN now() END FROM generate_series(1, 2000) g;
         INSERT INTO comments (post_id, author_id, body) SELECT 1 + g % 2000, CASE WHEN g % 5 = 0 THEN NULL ELSE 1 + g % 500 END, 'c' || g FROM generate_series(1, 3000) g;
         INSERT INTO sessions (token, user_id, expires_at) SELECT gen_random_uuid(), g, now() FROM generate_series(1, 10) g;",
    )
    .unwrap();
    let (r, _) = apply(&dir, &db, through_contract());
    r.unwrap();
    assert_schema_matches(&db, &head.snapshot.tables, "applied");
    let data = shared_data(&db);
    let history_before = db.value("SELECT count(*) FROM cargo_migrate.history");

    // The contract dropped `sessions`: its down restores the table, not the rows.
    let (r, _) = rollback(&dir, &db, ApplyOptions::default(), None);
    let err = r.unwrap_err();
    assert!(matches!(err, ApplyError::Irreversible { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("contract.down.sql:"), "{text}");
    assert!(text.contains("--force"), "{text}");
    // The expand added tables new code may have filled: dropping them needs the
    // acknowledgement.
    let forced = ApplyOptions {
        force: true,
        ..ApplyOptions::default()
    };
    let (r, _) = rollback(&dir, &db, forced.clone(), None);
    let err = r.unwrap_err();
    assert!(matches!(err, ApplyError::LosesData { .. }), "{err}");
    assert!(err.to_string().contains("--allow-destructive"), "{err}");
    assert!(err.to_string().contains("expand.down.sql:"), "{err}");
    // Refused rollbacks ran nothing.
    assert_schema_matches(&db, &head.snapshot.tables, "after refused rollbacks");
    assert_eq!(
        db.value("SELECT count(*) FROM cargo_migrate.history"),
        history_before
    );
    assert_eq!(advisory_locks(&db), "0");

    // A dry run names what would run and runs nothing.
    let all_flags = ApplyOptions {
        force: true,
        allow_destructive: true,
        ..ApplyOptions::default()
    };
    let (r, events) = rollback(
        &dir,
        &db,
        ApplyOptions {
            dry_run: true,
            ..all_flags.clone()
        },
        None,
    );
    r.unwrap();
    assert!(events.iter().any(|e| matches!(e,
        Event::Statement { at, sql } if at.contains("contract.down.sql") && sql.contains("CREATE TABLE \"sessions\""))));
    assert_schema_matches(&db, &head.snapshot.tables, "after a dry run");

    // The newest migration, newest phase first.
    let (r, _) = rollback(&dir, &db, all_flags.clone(), None);
    assert_eq!(
        r.unwrap(),
        [
            (head.id.clone(), Phase::Contract),
            (head.id.clone(), Phase::Backfill),
            (head.id.clone(), Phase::Expand),
        ]
    );
    assert_schema_matches(&db, &second.snapshot.tables, "migration 3 rolled back");
    assert_eq!(shared_data(&db), data, "rows survive the rollback");
    assert_eq!(
        db.value(&format!(
            "SELECT count(*) FROM cargo_migrate.history WHERE migration = '{}'",
            head.id
        )),
        "0"
    );

    // Re-applied: the same schema and rows as before.
    let (r, _) = apply(&dir, &db, through_contract());
    assert_eq!(r.unwrap().applied.len(), 3);
    assert_schema_matches(&db, &head.snapshot.tables, "re-applied");
    assert_eq!(shared_data(&db), data, "rows survive the re-apply");

    // Back to the first migration, then to nothing, then everything again.
    let (r, _) = rollback(
        &dir,
        &db,
        all_flags.clone(),
        Some(RollbackTo::After(first.id.clone())),
    );
    assert_eq!(r.unwrap().len(), 5, "migration 3's three phases, 2's two");
    assert_schema_matches(&db, &first.snapshot.tables, "back to migration 1");
    let (r, _) = rollback(&dir, &db, all_flags.clone(), Some(RollbackTo::All));
    assert_eq!(r.unwrap(), [(first.id.clone(), Phase::Expand)]);
    assert_eq!(
        db.value("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
        "0"
    );
    let (r, _) = rollback(&dir, &db, all_flags, Some(RollbackTo::All));
    assert!(r.unwrap().is_empty(), "nothing left to roll back");
    let (r, _) = apply(&dir, &db, through_contract());
    assert_eq!(r.unwrap().applied.len(), 6);
    assert_schema_matches(&db, &head.snapshot.tables, "re-applied from nothing");
    assert_eq!(advisory_locks(&db), "0");
}

#[test]
fn an_interrupted_rollback_blocks_apply_until_it_is_finished() {
    let db = TestDb::create("rollback_interrupted");
    let dir = example_migrations();
    let head = migrations::load(&dir).unwrap().migrations.pop().unwrap();
    let (r, _) = apply(&dir, &db, through_contract());
    r.unwrap();
    // A rollback killed after the first unit of the contract's down file.
    db.sql(&format!(
        "UPDATE cargo_migrate.history SET statements_undone = 1
         WHERE migration = '{}' AND phase = 'contract'",
        head.id
    ))
    .unwrap();
    let units = migrate_core::sql::phase_file::parse(
        &std::fs::read_to_string(head.path.join("contract.down.sql")).unwrap(),
    )
    .unwrap();
    let first = &units[0].statements[0].sql;
    assert!(first.starts_with("CREATE INDEX CONCURRENTLY"), "{first}");
    db.sql(&format!("{first};")).unwrap();

    let (r, _) = apply(&dir, &db, through_contract());
    let err = r.unwrap_err();
    assert!(
        matches!(err, ApplyError::RollbackInterrupted { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("cargo migrate rollback"), "{err}");

    let (r, events) = rollback(
        &dir,
        &db,
        ApplyOptions {
            force: true,
            allow_destructive: true,
            ..ApplyOptions::default()
        },
        None,
    );
    assert_eq!(r.unwrap().len(), 3);
    assert!(events.contains(&Event::PhaseStarted {
        migration: head.id.clone(),
        phase: Phase::Contract,
        done: 1,
        rollback: true,
    }));
    let (r, _) = apply(&dir, &db, through_contract());
    assert_eq!(r.unwrap().applied.len(), 3);
    assert_schema_matches(&db, &head.snapshot.tables, "re-applied");
}

#[test]
fn a_partly_applied_phase_is_not_rolled_back() {
    let db = TestDb::create("rollback_partial");
    let dir = example_migrations();
    let head = migrations::load(&dir).unwrap().migrations.pop().unwrap();
    let (r, _) = apply(&dir, &db, ApplyOptions::default());
    r.unwrap();
    db.sql(&format!(
        "UPDATE cargo_migrate.history SET finished_at = NULL, statements_done = 1
         WHERE migration = '{}' AND phase = 'backfill'",
        head.id
    ))
    .unwrap();
    let (r, _) = rollback(
        &dir,
        &db,
        ApplyOptions {
            force: true,
            allow_destructive: true,
            ..ApplyOptions::default()
        },
        None,
    );
    let err = r.unwrap_err();
    assert!(matches!(err, ApplyError::PartlyApplied { .. }), "{err}");
    assert!(err.to_string().contains("cargo migrate apply"), "{err}");
    let (r, _) = rollback(
        &dir,
        &db,
        ApplyOptions::default(),
        Some(RollbackTo::After("20990101000000_nope".into())),
    );
    assert!(matches!(r.unwrap_err(), ApplyError::UnknownTarget { .. }));
}

#[test]
fn the_example_app_migrates_on_boot_on_its_own_pool_and_rolls_back_and_reapplies() {
    let db = TestDb::create("embedded_pool");
    let dir = example_migrations();
    let head = migrations::load(&dir).unwrap().migrations.pop().unwrap();
    // The embedded files are the folder's, byte for byte.
    let embedded = MigrationSource::embedded(blog_example::MIGRATIONS);
    let on_disk = load_dir(&dir).unwrap();
    assert_eq!(
        embedded
            .iter()
            .map(|m| (&m.id, &m.files))
            .collect::<Vec<_>>(),
        on_disk
            .iter()
            .map(|m| (&m.id, &m.files))
            .collect::<Vec<_>>()
    );
    let rt = runtime();
    let pool = rt
        .block_on(
            sqlx::postgres::PgPoolOptions::new()
                .max_connections(2)
                .connect(&db.url),
        )
        .unwrap();
    // Two instances booting at once: they take turns, the second finds nothing to do. (A
    // waiter blocked inside pg_advisory_lock deadlocked with the holder's concurrent index
    // build here: the build waits for every open transaction.)
    let (a, b) = rt.block_on(async {
        tokio::join!(
            blog_example::migrate_on_boot(&pool),
            blog_example::migrate_on_boot(&pool)
        )
    });
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.applied.len() + b.applied.len(), 5, "{a:?} {b:?}");
    assert_eq!(a.stopped_before, Some((head.id.clone(), Phase::Contract)));

    let all = ApplyOptions {
        through: Phase::Contract,
        allow_destructive: true,
        force: true,
        ..ApplyOptions::default()
    };
    let mut m = Migrator::new(embedded.clone(), all);
    assert_eq!(rt.block_on(m.apply(&pool)).unwrap().applied.len(), 1);
    assert_schema_matches(&db, &head.snapshot.tables, "applied on the pool");
    let undone = rt.block_on(m.rollback(&pool, Some(&RollbackTo::All)));
    assert_eq!(undone.unwrap().len(), 6);
    assert_eq!(
        db.value("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
        "0"
    );
    assert_eq!(rt.block_on(m.apply(&pool)).unwrap().applied.len(), 6);
    assert_schema_matches(&db, &head.snapshot.tables, "re-applied on the pool");
    // The pool still serves the app, and no lock stayed behind on its connections.
    let n: i64 = rt
        .block_on(sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&pool))
        .unwrap();
    assert_eq!(n, 0);
    rt.block_on(pool.close());
    assert_eq!(advisory_locks(&db), "0");
}

/// A hand-written backfill holding one unmarked `CREATE INDEX CONCURRENTLY` (the linter
/// accepts a lone one): the catalogue says it cannot run in a transaction, so the engine
/// runs it alone and the index is valid; the next migration's lone `ADD CONSTRAINT` still
/// runs in a transaction.
#[test]
fn a_lone_unmarked_concurrent_build_runs_outside_a_transaction() {
    let db = TestDb::create("apply_lone_concurrent");
    db.sql(
        "CREATE TABLE t (id int PRIMARY KEY, a int);
         INSERT INTO t SELECT g, g FROM generate_series(1, 5000) g",
    )
    .unwrap();
    let source = |id: &str, file: &str, sql: &str| MigrationSource {
        id: id.to_owned(),
        path: PathBuf::from(format!("migrations/{id}")),
        files: vec![(file.to_owned(), format!("{sql};\n"))],
    };
    let sources = vec![
        source(
            "20261201000000_index",
            "backfill.up.sql",
            "CREATE INDEX CONCURRENTLY t_a_idx ON t (a)",
        ),
        source(
            "20261201000001_check",
            "expand.up.sql",
            "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID",
        ),
    ];
    for s in &sources {
        let units = migrate_core::sql::phase_file::parse(&s.files[0].1).unwrap();
        let how = migrate_core::apply::handling(&units[0]);
        assert_eq!(
            how.transactional,
            !s.files[0].1.contains("CONCURRENTLY"),
            "{}",
            s.files[0].1
        );
    }
    let mut m = Migrator::new(sources, ApplyOptions::default());
    runtime().block_on(m.apply(db.url.as_str())).unwrap();
    assert_eq!(
        db.value("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a_idx'::regclass"),
        "t"
    );
    assert_eq!(
        db.value("SELECT count(*) FROM pg_constraint WHERE conname = 't_a_pos'"),
        "1"
    );
}

/// A unit the server picks as a deadlock's victim (here against a session that locks the
/// tables in the other order and waits longer before checking for deadlocks) is rolled back
/// whole and tried again, like a lock timeout, instead of failing the migration.
#[test]
fn a_unit_cancelled_by_a_deadlock_is_tried_again() {
    let db = TestDb::create("apply_deadlock");
    db.sql("CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY)")
        .unwrap();
    let sources = vec![MigrationSource {
        id: "20261201000000_both".to_owned(),
        path: PathBuf::from("migrations/20261201000000_both"),
        files: vec![(
            "expand.up.sql".to_owned(),
            "BEGIN;\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;\nCOMMIT;\n"
                .to_owned(),
        )],
    }];
    let url = db.url.clone();
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let other = std::thread::spawn(move || {
        runtime().block_on(async move {
            use sqlx::Connection as _;
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::raw_sql("SET deadlock_timeout = '30s'; BEGIN; LOCK TABLE b")
                .execute(&mut c)
                .await
                .unwrap();
            held_tx.send(()).unwrap();
            // Once the migration holds `a` (and queues for `b`), ask for `a`: a cycle.
            let holds_a = "SELECT count(*) FROM pg_locks WHERE relation = 'a'::regclass AND mode = 'AccessExclusiveLock' AND granted AND pid <> pg_backend_pid()";
            while sqlx::query_scalar::<_, i64>(holds_a)
                .fetch_one(&mut c)
                .await
                .unwrap()
                == 0
            {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            sqlx::raw_sql("LOCK TABLE a; COMMIT")
                .execute(&mut c)
                .await
                .unwrap();
        })
    });
    held_rx.recv().unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let mut m = Migrator::new(
        sources,
        ApplyOptions {
            // Every attempt waits the whole 20 s: only the deadlock detector ends a wait.
            lock_timeout: Duration::from_secs(20),
            first_lock_timeout: Duration::ZERO,
            retry_base: Duration::from_millis(50),
            ..ApplyOptions::default()
        },
    )
    .on_event(move |e| sink.lock().unwrap().push(e.clone()));
    let r = runtime().block_on(m.apply(db.url.as_str()));
    other.join().unwrap();
    r.unwrap();
    let retries = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, Event::Retry { .. }))
        .count();
    assert_eq!(retries, 1, "the deadlock's victim was tried again once");
    assert_eq!(
        db.value("SELECT count(*) FROM pg_attribute WHERE attname IN ('x', 'y') AND attrelid IN ('a'::regclass, 'b'::regclass)"),
        "2"
    );
}

/// A migration planned for a newer PostgreSQL (`postgres = N` in Migrate.toml, recorded in
/// its snapshot) is refused on an older server before anything runs, saying both versions;
/// planned for this server, the same models apply.
#[test]
fn a_migration_planned_for_a_newer_server_is_refused_before_anything_runs() {
    let probe = Scenario::new("apply_newer_probe");
    let server = probe.server_major();
    let sc = Scenario::targeting("apply_newer", server + 1);
    sc.generate(V1, &GenerateOptions::default());
    let dir = sc.project.migrations_dir();
    let (r, _) = apply(&dir, &sc.db, through_contract());
    let err = r.unwrap_err();
    assert!(
        matches!(&err, ApplyError::ServerTooOld { needs, server: s, .. } if *needs == server + 1 && *s == server),
        "{err}"
    );
    assert!(err.to_string().contains("Nothing ran"), "{err}");
    assert_eq!(
        sc.db
            .value("SELECT count(*) FROM pg_tables WHERE tablename = 'orders'"),
        "0"
    );
    let here = Scenario::targeting("apply_this_server", server);
    here.generate(V1, &GenerateOptions::default());
    let dir = here.project.migrations_dir();
    apply(&dir, &here.db, through_contract()).0.unwrap();
}
