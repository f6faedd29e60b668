//! Backfills that respect the database: the engine's batches wait while a real streaming
//! replica (started by `scripts/pg-replica.sh`: `pg_basebackup` into its own data
//! directory, a second port) lags behind — its replay held with `pg_wal_replay_pause()` —
//! while a transaction holds a lock on the table for too long, and while a session waits
//! for a lock on it, saying why; they go on by themselves once that clears, and every row
//! is filled.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::apply::{ApplyOptions, Event, MigrationSource, Migrator, load_dir};
use migrate_core::plan::Phase;
use migrate_tests::{Scenario, at, runtime};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "items")]
pub struct Item {
    #[schema(primary_key)]
    pub id: i64,
    pub qty: i32,
}
"#;

fn v2() -> String {
    V1.replace(
        "pub qty: i32,",
        "pub qty: i32,\n    #[schema(backfill = \"qty * 2\")]\n    pub total: i64,",
    )
}

/// The primary's and the replica's URLs (the `postgres` database of each).
fn replica_pair() -> (String, String) {
    let text = migrate_tests::script("pg-replica.sh", &["25515", "25516"]);
    let mut urls = text.split_whitespace().map(str::to_owned);
    (urls.next().unwrap(), urls.next().unwrap())
}

/// A scenario on `admin` with `rows` items, expand of the new column applied by the
/// engine; the sources of both migrations.
fn expanded(admin: &str, prefix: &str, rows: u32) -> (Scenario, Vec<MigrationSource>) {
    let sc = Scenario::on(admin, prefix);
    sc.generate(V1, &at("29980101000000"));
    sc.generate(&v2(), &at("29990101000000"));
    let sources = load_dir(&sc.project.migrations_dir()).unwrap();
    let rt = runtime();
    let first = ApplyOptions {
        through: Phase::Contract,
        ..ApplyOptions::default()
    };
    rt.block_on(Migrator::new(sources[..1].to_vec(), first).apply(sc.db.url.as_str()))
        .unwrap();
    sc.db
        .sql(&format!(
            "INSERT INTO items SELECT g, g % 100 FROM generate_series(1, {rows}) g"
        ))
        .unwrap();
    let expand = ApplyOptions {
        through: Phase::Expand,
        ..ApplyOptions::default()
    };
    rt.block_on(Migrator::new(sources.clone(), expand).apply(sc.db.url.as_str()))
        .unwrap();
    (sc, sources)
}

/// Runs the backfill with `options` on another thread, its events collected.
fn backfill(
    sc: &Scenario,
    sources: Vec<MigrationSource>,
    options: ApplyOptions,
) -> (std::thread::JoinHandle<()>, Arc<Mutex<Vec<Event>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let url = sc.db.url.clone();
    let handle = std::thread::spawn(move || {
        let mut m =
            Migrator::new(sources, options).on_event(move |e| sink.lock().unwrap().push(e.clone()));
        runtime().block_on(m.apply(url.as_str())).unwrap();
    });
    (handle, events)
}

/// Waits (at most 60 s) until an event matches.
fn until(events: &Arc<Mutex<Vec<Event>>>, what: &str, f: impl Fn(&Event) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !events.lock().unwrap().iter().any(&f) {
        assert!(Instant::now() < deadline, "no {what} within 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A transaction that has read `items` (holding ACCESS SHARE on it) until the sender is
/// used; returns once it holds it.
fn hold_table(sc: &Scenario) -> (std::thread::JoinHandle<()>, std::sync::mpsc::Sender<()>) {
    let url = sc.db.url.clone();
    let (open_tx, opened) = std::sync::mpsc::channel();
    let (close_tx, close) = std::sync::mpsc::channel::<()>();
    let handle = std::thread::spawn(move || {
        runtime().block_on(async move {
            use sqlx::Connection as _;
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::raw_sql("BEGIN; SELECT count(*) FROM items")
                .execute(&mut c)
                .await
                .unwrap();
            open_tx.send(()).unwrap();
            tokio::task::spawn_blocking(move || close.recv().unwrap())
                .await
                .unwrap();
            sqlx::raw_sql("COMMIT").execute(&mut c).await.unwrap();
        })
    });
    opened.recv().unwrap();
    (handle, close_tx)
}

fn filled(sc: &Scenario) -> String {
    sc.db
        .value("SELECT count(*) FROM items WHERE total IS NOT NULL")
}

fn paced(max_replica_lag: Option<Duration>, max_transaction_age: Option<Duration>) -> ApplyOptions {
    ApplyOptions {
        through: Phase::Backfill,
        batch_size: Some(500),
        batch_pause: Duration::from_millis(20),
        max_replica_lag,
        max_transaction_age,
        ..ApplyOptions::default()
    }
}

#[test]
fn the_backfill_waits_while_a_streaming_replica_lags_and_goes_on_when_it_catches_up() {
    let (primary, replica) = replica_pair();
    // A run that failed midway may have left replay paused.
    migrate_tests::sql_on(&replica, "SELECT pg_wal_replay_resume()").unwrap();
    let (sc, sources) = expanded(&primary, "health_replica", 20_000);
    migrate_tests::sql_on(&replica, "SELECT pg_wal_replay_pause()").unwrap();
    let (job, events) = backfill(&sc, sources, paced(Some(Duration::from_millis(300)), None));
    until(
        &events,
        "pause for the replica",
        |e| matches!(e, Event::Paused { reason, .. } if reason.contains("replica's replay lags")),
    );
    let held = filled(&sc);
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(filled(&sc), held, "no batch while the replica lags");
    assert_ne!(held, "20000", "paused before the end");
    migrate_tests::sql_on(&replica, "SELECT pg_wal_replay_resume()").unwrap();
    job.join().unwrap();
    assert_eq!(filled(&sc), "20000");
    assert!(
        events.lock().unwrap().iter().any(
            |e| matches!(e, Event::Resumed { waited, .. } if *waited >= Duration::from_millis(1000))
        ),
        "went on by itself, having waited"
    );
}

#[test]
fn the_backfill_waits_while_a_long_transaction_holds_a_lock_on_the_table() {
    let admin = migrate_tests::database_url();
    let (sc, sources) = expanded(&admin, "health_long_xact", 20_000);
    let (reader, close_tx) = hold_table(&sc);
    std::thread::sleep(Duration::from_millis(300));
    let (job, events) = backfill(&sc, sources, paced(None, Some(Duration::from_millis(200))));
    until(
        &events,
        "pause for the transaction",
        |e| matches!(e, Event::Paused { reason, .. } if reason.contains("has held a lock on \"items\"")),
    );
    assert_eq!(filled(&sc), "0", "no batch under the long transaction");
    close_tx.send(()).unwrap();
    reader.join().unwrap();
    job.join().unwrap();
    assert_eq!(filled(&sc), "20000");
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, Event::Resumed { .. })),
        "went on by itself"
    );
}

#[test]
fn the_backfill_waits_while_a_session_waits_for_a_lock_on_the_table() {
    let admin = migrate_tests::database_url();
    let (sc, sources) = expanded(&admin, "health_waiter", 20_000);
    // A reader holds the table; an ACCESS EXCLUSIVE lock queues behind it, a waiter.
    let (holder, close_tx) = hold_table(&sc);
    let url = sc.db.url.clone();
    let waiter = std::thread::spawn(move || {
        migrate_tests::sql_on(
            &url,
            "BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE; COMMIT",
        )
        .unwrap();
    });
    let waiting =
        "SELECT count(*) FROM pg_locks WHERE relation = 'items'::regclass AND NOT granted";
    while sc.db.value(waiting) == "0" {
        std::thread::sleep(Duration::from_millis(20));
    }
    let (job, events) = backfill(&sc, sources, paced(None, None));
    until(
        &events,
        "pause for the lock waiter",
        |e| matches!(e, Event::Paused { reason, .. } if reason.contains("1 session is waiting for a lock on \"items\"")),
    );
    // (A count of the table would queue behind the waiting ALTER too.)
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, Event::Batch { .. })),
        "no batch while a session waits for the table"
    );
    close_tx.send(()).unwrap();
    holder.join().unwrap();
    waiter.join().unwrap();
    job.join().unwrap();
    assert_eq!(filled(&sc), "20000");
}
