//! How generated files wait for locks, on a real server with a concurrent session:
//! - a statement whose lock blocks traffic (expand's ADD COLUMN, ACCESS EXCLUSIVE) gives up
//!   after lock_timeout instead of queueing in front of every query on the table;
//! - a statement whose lock blocks no traffic (backfill's CREATE INDEX CONCURRENTLY) waits
//!   for an older transaction to finish instead of failing and leaving an INVALID index.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::project::GenerateOptions;
use migrate_tests::{Scenario, TestDb, assert_schema_matches, at};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "events")]
pub struct Event {
    #[schema(primary_key)]
    pub id: i64,
    pub kind: String,
}
"#;

const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "events")]
pub struct Event {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(index)]
    pub kind: String,
    pub note: Option<String>,
}
"#;

/// A second session that opens a transaction touching `events`, then sleeps.
fn hold(db: &TestDb, lock_sql: &str, seconds: u32) -> Child {
    let sql = format!("BEGIN; {lock_sql}; SELECT pg_sleep({seconds}); COMMIT;");
    let child = Command::new("psql")
        .args([
            db.url.as_str(),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            &sql,
        ])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the session is inside its sleep, holding what it took.
    let deadline = Instant::now() + Duration::from_secs(20);
    while db.value("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'BEGIN;%pg_sleep%' AND wait_event = 'PgSleep'") != "1" {
        assert!(Instant::now() < deadline, "the holding session never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

#[test]
fn blocking_locks_time_out_and_non_blocking_ones_wait() {
    let sc = Scenario::new("lock_waits_e2e");
    let db = &sc.db;

    let (_v1, v1_path) = sc.generate(V1, &GenerateOptions::default());
    db.apply_file(&v1_path.join("expand.up.sql")).unwrap();
    db.sql("INSERT INTO events SELECT g, 'k' || (g % 10) FROM generate_series(1, 20000) g")
        .unwrap();

    let (v2, v2_path) = sc.generate(V2, &at("29990101000000"));

    // A reader in a long transaction holds ACCESS SHARE: ADD COLUMN must not queue.
    let mut reader = hold(db, "SELECT count(*) FROM events", 6);
    let err = db.apply_file(&v2_path.join("expand.up.sql")).unwrap_err();
    assert!(err.contains("lock timeout"), "{err}");
    reader.wait().unwrap();
    db.apply_file(&v2_path.join("expand.up.sql")).unwrap();

    // An older transaction is open while the index is built: the build waits for it.
    let mut old_tx = hold(db, "SELECT count(*) FROM events", 4);
    db.apply_file(&v2_path.join("backfill.up.sql"))
        .unwrap_or_else(|e| panic!("the concurrent index build should wait, not fail: {e}"));
    old_tx.wait().unwrap();

    assert_schema_matches(db, &v2.snapshot.tables, "after the waits");
    assert_eq!(db.value("SELECT count(*) FROM events"), "20000");
}
