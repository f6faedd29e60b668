//! `cargo migrate apply` killed with SIGKILL in the middle of a backfill of a million rows,
//! then run again: it resumes at the committed cursor (it does not start over), and every
//! row ends up right. And an INVALID index left by a failed concurrent build is dropped and
//! rebuilt by the next run. Ctrl-C (SIGINT) stops it after the batch running then, and
//! the next run goes on; so does `backfill stop` from a second process, whose `backfill
//! pause` and `resume` hold and release it, across runs too.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

mod common;

use common::{V1, V2, V3, cli, generate, output, run};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROWS: i64 = 1_000_000;
const BATCH: i64 = 5_000;

/// The rows the backfill has recorded as done.
fn backfill_rows(db: &migrate_tests::TestDb) -> i64 {
    db.value(
        "SELECT coalesce(max(backfill_rows), 0) FROM cargo_migrate.history WHERE phase = 'backfill'",
    )
    .parse()
    .unwrap()
}

fn batches(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("events:"))
        .count()
}

#[test]
fn a_killed_backfill_resumes_at_its_cursor_and_an_invalid_index_is_rebuilt() {
    let tmp = common::project();
    let dir = tmp.path();
    let db = migrate_tests::TestDb::create("cli_apply_kill");
    generate(dir, V1);
    run(dir, &db.url, &["apply"]);
    db.sql(&format!(
        "INSERT INTO events (n) SELECT (g % 100000)::int FROM generate_series(1, {ROWS}) g; ANALYZE events"
    ))
    .unwrap();
    generate(dir, V2);

    let batch = BATCH.to_string();
    let mut child = cli(dir, &db.url, &["apply", "--batch-size", &batch])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let progress = || backfill_rows(&db);
    let deadline = Instant::now() + Duration::from_secs(300);
    while progress() < ROWS / 5 {
        assert!(Instant::now() < deadline, "the backfill made no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the applier ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill = progress();
    assert!(at_kill < ROWS, "killed midway ({at_kill} rows done)");
    assert_eq!(
        db.value("SELECT count(*) FROM events WHERE doubled IS NOT NULL")
            .parse::<i64>()
            .unwrap(),
        at_kill,
        "exactly the committed batches are done"
    );

    let stderr = run(dir, &db.url, &["apply", "--batch-size", &batch]);
    let remaining = usize::try_from((ROWS - at_kill + BATCH - 1) / BATCH).unwrap();
    println!(
        "killed after {at_kill} rows; the second run ran {} batches",
        batches(&stderr)
    );
    assert!(
        batches(&stderr) <= remaining,
        "resumed at the cursor: {} batches for {} remaining rows\n{stderr}",
        batches(&stderr),
        ROWS - at_kill
    );
    assert_eq!(
        db.value("SELECT count(*) FROM events WHERE doubled IS DISTINCT FROM n::int8 * 2"),
        "0",
        "every row correct"
    );
    assert_eq!(progress(), ROWS, "no row updated twice");
    run(dir, &db.url, &["apply", "--through", "contract"]);

    // A failed concurrent build leaves an INVALID index under the name the next migration
    // builds; the run drops it and builds the real one.
    generate(dir, V3);
    let backfill = std::fs::read_dir(dir.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max()
        .unwrap()
        .join("backfill.up.sql");
    let text = std::fs::read_to_string(backfill).unwrap();
    let name = text
        .lines()
        .find_map(|l| l.strip_prefix("CREATE INDEX CONCURRENTLY "))
        .and_then(|l| l.split(" ON ").next())
        .unwrap()
        .to_owned();
    assert!(
        db.sql(&format!(
            "CREATE UNIQUE INDEX CONCURRENTLY {name} ON events ((n % 2))"
        ))
        .is_err(),
        "the unique build fails on duplicates"
    );
    assert_eq!(
        db.value("SELECT count(*) FROM pg_index WHERE NOT indisvalid"),
        "1"
    );
    let stderr = run(dir, &db.url, &["apply"]);
    assert!(
        stderr.contains("dropped the INVALID index"),
        "the repair is reported:\n{stderr}"
    );
    assert_eq!(
        db.value("SELECT count(*) FROM pg_index WHERE NOT indisvalid"),
        "0"
    );
    assert!(
        db.value(&format!("SELECT pg_get_indexdef('{name}'::regclass)"))
            .contains("(n)"),
        "the real definition was built"
    );
}

#[test]
fn the_example_applies_rolls_back_and_reapplies_through_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog");
    let db = migrate_tests::TestDb::create("cli_rollback");
    let head = migrate_core::migrations::load(&dir.join("migrations"))
        .unwrap()
        .migrations
        .pop()
        .unwrap();
    let (code, out, _) = output(&dir, &db.url, &["apply"]);
    assert_eq!(code, 0);
    assert!(out.contains("Stopped before the contract"), "{out}");
    run(
        &dir,
        &db.url,
        &["apply", "--through", "contract", "--allow-destructive"],
    );
    db.sql("INSERT INTO users (email, display_name) VALUES ('a@example.com', 'A')")
        .unwrap();

    // Refused: the contract's down cannot bring back the rows of `sessions`.
    let (code, _, err) = output(&dir, &db.url, &["rollback"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("contract.down.sql:") && err.contains("irreversible"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");

    let forced = ["--force", "--allow-destructive"];
    let (code, out, err) = output(
        &dir,
        &db.url,
        &[&["rollback", "--dry-run"][..], &forced].concat(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("would run") && err.contains("contract.down.sql:"),
        "{err}"
    );
    assert!(
        out.contains(&format!("would roll back {} contract", head.id)),
        "{out}"
    );
    migrate_tests::assert_schema_matches(&db, &head.snapshot.tables, "after a dry run");

    let (code, out, err) = output(&dir, &db.url, &[&["rollback"][..], &forced].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["contract", "backfill", "expand"].map(|p| format!("rolled back {} {p}", head.id)),
    );
    let (_, status, _) = output(&dir, &db.url, &["status"]);
    assert!(
        status
            .lines()
            .filter(|l| l.starts_with(&head.id))
            .all(|l| l.contains("pending")),
        "{status}"
    );

    let (code, out, err) = output(
        &dir,
        &db.url,
        &[&["rollback", "--all"][..], &forced].concat(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 3, "{out}");
    let (_, out, _) = output(&dir, &db.url, &["rollback", "--all"]);
    assert_eq!(out.trim(), "Nothing to roll back.");

    run(
        &dir,
        &db.url,
        &["apply", "--through", "contract", "--allow-destructive"],
    );
    migrate_tests::assert_schema_matches(&db, &head.snapshot.tables, "re-applied by the CLI");
}

#[test]
fn drift_lists_changes_made_by_hand_and_exits_1() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog");
    let db = migrate_tests::TestDb::create("cli_drift");
    run(
        &dir,
        &db.url,
        &["apply", "--through", "contract", "--allow-destructive"],
    );
    let (code, out, err) = output(&dir, &db.url, &["drift"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("No drift: schema public matches the snapshot of"),
        "{out}"
    );

    db.sql("ALTER TABLE tags ADD COLUMN colour text").unwrap();
    let (code, out, err) = output(&dir, &db.url, &["drift"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("(1 differences):"), "{out}");
    assert!(
        out.contains("+ column tags.colour: not expected (found text)"),
        "{out}"
    );
    let (code, out, _) = output(&dir, &db.url, &["drift", "--json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["differences"][0]["object"], "column tags.colour");
    assert_eq!(json["differences"][0]["expected"], serde_json::Value::Null);
    assert_eq!(json["differences"][0]["actual"], "text");
    assert_eq!(json["schema"], "public");
}

#[test]
fn plan_and_apply_name_a_view_made_by_hand_on_a_dropped_column() {
    let tmp = common::project();
    let dir = tmp.path();
    let db = migrate_tests::TestDb::create("cli_dependents");
    generate(dir, V2);
    run(dir, &db.url, &["apply", "--through", "contract"]);
    db.sql("CREATE VIEW doubled_events AS SELECT id, doubled FROM events")
        .unwrap();
    std::fs::write(dir.join("src/models.rs"), V1).unwrap();

    let (code, out, err) = output(
        dir,
        &db.url,
        &[
            "plan",
            "--allow-drop",
            "events.doubled",
            "--database-url",
            &db.url,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("- view doubled_events: ")
            && out.contains("DROP COLUMN events.doubled fails on it"),
        "{out}"
    );

    let (code, _, err) = output(dir, "", &["generate", "--allow-drop", "events.doubled"]);
    assert_eq!(code, 0, "{err}");
    let before = db.value("SELECT count(*) FROM cargo_migrate.history");
    let (code, _, err) = output(
        dir,
        &db.url,
        &["apply", "--through", "contract", "--allow-destructive"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("view doubled_events"), "{err}");
    assert!(err.contains("--allow-dependents"), "{err}");
    assert_eq!(
        db.value("SELECT count(*) FROM cargo_migrate.history"),
        before,
        "nothing ran"
    );
}

/// A project whose `events` table (V1, applied) has `rows` rows, and V2 generated: its
/// backfill pending.
fn pending_backfill(name: &str, rows: i64) -> (tempfile::TempDir, migrate_tests::TestDb) {
    let tmp = common::project();
    let dir = tmp.path();
    let db = migrate_tests::TestDb::create(name);
    generate(dir, V1);
    run(dir, &db.url, &["apply"]);
    db.sql(&format!(
        "INSERT INTO events (n) SELECT (g % 1000)::int FROM generate_series(1, {rows}) g; ANALYZE events"
    ))
    .unwrap();
    generate(dir, V2);
    (tmp, db)
}

/// A slow apply of that backfill, its stderr piped.
const SLOW_APPLY: [&str; 5] = ["apply", "--batch-size", "2000", "--batch-pause", "30"];

fn spawn_slow_apply(dir: &Path, db: &migrate_tests::TestDb) -> std::process::Child {
    cli(dir, &db.url, &SLOW_APPLY)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the backfill has recorded more than `rows` rows.
fn wait_past(db: &migrate_tests::TestDb, rows: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let now = backfill_rows(db);
        if now > rows {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "the backfill stayed at {now} rows"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn ctrl_c_stops_the_backfill_after_its_batch_and_the_next_run_goes_on() {
    let rows = 200_000;
    let (tmp, db) = pending_backfill("cli_apply_ctrl_c", rows);
    let dir = tmp.path();
    let args = SLOW_APPLY;
    let child = spawn_slow_apply(dir, &db);
    let progress = || backfill_rows(&db);
    wait_past(&db, 0);
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("stopping after the statement or batch running now"),
        "{stderr}"
    );
    assert!(
        stderr.contains("stopped as asked, in backfill of"),
        "{stderr}"
    );
    let at_stop = progress();
    assert!(at_stop < rows, "stopped midway ({at_stop} rows done)");
    assert_eq!(
        db.value("SELECT count(*) FROM events WHERE doubled IS NOT NULL")
            .parse::<i64>()
            .unwrap(),
        at_stop,
        "the batch running then finished and was recorded"
    );
    run(dir, &db.url, &args);
    assert_eq!(
        db.value("SELECT count(*) FROM events WHERE doubled IS DISTINCT FROM n::int8 * 2"),
        "0",
        "the next run went on to the end"
    );
    assert_eq!(progress(), rows, "no row updated twice");
}

/// Whether the backfill stays at its row count for a second (after the batch running when
/// asked has had time to finish): the count it stays at.
fn stays_put(db: &migrate_tests::TestDb) -> i64 {
    std::thread::sleep(Duration::from_millis(300));
    let before = backfill_rows(db);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(backfill_rows(db), before, "the paused backfill went on");
    before
}

#[test]
fn a_second_command_pauses_resumes_and_stops_a_running_backfill() {
    let rows = 200_000;
    let (tmp, db) = pending_backfill("cli_backfill_control", rows);
    let dir = tmp.path();
    let (code, _, err) = output(dir, &db.url, &["backfill", "pause"]);
    assert_eq!(
        code, 2,
        "nothing to pause before the backfill starts: {err}"
    );
    assert!(err.contains("no backfill is in progress"), "{err}");

    let child = spawn_slow_apply(dir, &db);
    wait_past(&db, 0);
    let (code, out, err) = output(dir, &db.url, &["backfill", "pause"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("the apply running it (backend pid"), "{out}");
    assert!(out.contains("waits before its next batch"), "{out}");
    let paused_at = stays_put(&db);
    let (_, status, _) = output(dir, &db.url, &["status"]);
    assert!(
        status
            .lines()
            .any(|l| l.contains("backfill") && l.contains("paused")),
        "{status}"
    );
    run(dir, &db.url, &["backfill", "resume"]);
    let resumed = wait_past(&db, paused_at);
    let (code, out, err) = output(dir, &db.url, &["backfill", "stop", "--json"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["request"], "stop", "{out}");
    assert!(json["running_pid"].is_i64(), "{out}");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("events: paused: paused by `cargo migrate backfill pause`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("stopped as asked, in backfill of"),
        "{stderr}"
    );
    let stopped_at = backfill_rows(&db);
    assert!(resumed <= stopped_at && stopped_at < rows, "{stopped_at}");

    // A pause outlives the run: the next apply waits at the cursor until resumed.
    let (_, out, _) = output(dir, &db.url, &["backfill", "pause"]);
    assert!(out.contains("no apply is running it now"), "{out}");
    let child = spawn_slow_apply(dir, &db);
    assert_eq!(stays_put(&db), stopped_at, "the paused backfill stayed put");
    run(dir, &db.url, &["backfill", "resume"]);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        db.value("SELECT count(*) FROM events WHERE doubled IS DISTINCT FROM n::int8 * 2"),
        "0",
        "every row filled"
    );
    assert_eq!(backfill_rows(&db), rows, "no row updated twice");
}
