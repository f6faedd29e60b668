//! Every kind of the statement catalogue run on a real server, on tables with rows, and each
//! of its claims checked from a second connection:
//! - the lock modes per relation (`pg_locks` while the statement's transaction is open, or,
//!   for a statement that cannot run in one, while it waits behind a blocker);
//! - no lock on the table or the referenced table where the catalogue claims none;
//! - a rewrite exactly where claimed (a new `relfilenode`);
//! - a scan where claimed, none where not (`pg_stat_get_numscans`, blocks fetched);
//! - row locks where claimed (another session's `FOR UPDATE NOWAIT` fails);
//! - whether it runs inside a transaction block (refused with SQLSTATE 25001 where not).
//!
//! A kind without a case here fails the test: a new catalogue row comes with its proof.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::catalogue::{Facts, Kind, LockMode, RowLocks, Scan, Target};
use migrate_tests::TestDb;
use migrate_tests::catalogue_cases::{BASE, Case, cases};
use sqlx::{Connection, PgConnection};
use std::collections::BTreeMap;
use std::time::Duration;

/// What the server showed of one statement.
#[derive(Debug, Default)]
struct Seen {
    /// Lock modes per relation name (granted or waited for).
    locks: BTreeMap<String, Vec<LockMode>>,
    scans: i64,
    blocks: i64,
    rewrote: bool,
    row_locked: Option<bool>,
}

async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url).await.unwrap()
}

async fn exec(conn: &mut PgConnection, sql: &str) -> Result<(), sqlx::Error> {
    // The statements are this file's fixed SQL.
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(conn)
        .await
        .map(|_| ())
}

/// The server's major version.
async fn server_major(url: &str) -> u32 {
    let mut conn = connect(url).await;
    let num: String = sqlx::query_scalar("SELECT current_setting('server_version_num')")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    num.parse::<u32>().unwrap() / 10_000
}

/// The table's counters once the server stopped changing them: servers before 15 report a
/// finished statement's counters to the statistics collector a little later, so counters
/// read right after the setup can still grow.
async fn settled_counters(conn: &mut PgConnection, table: i64) -> (i64, i64, i64) {
    let mut last = counters(conn, table, false).await;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(600)).await;
        let now = counters(conn, table, false).await;
        if now == last {
            break;
        }
        last = now;
    }
    last
}

async fn oids(conn: &mut PgConnection, names: &[&str]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for name in names {
        let oid: Option<i64> = sqlx::query_scalar("SELECT to_regclass($1)::oid::int8")
            .bind(name)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        if let Some(oid) = oid {
            out.insert((*name).to_owned(), oid);
        }
    }
    out
}

async fn counters(conn: &mut PgConnection, table: i64, xact: bool) -> (i64, i64, i64) {
    // language=SQL
    let sql = if xact {
        "SELECT pg_stat_get_xact_numscans($1::oid), pg_stat_get_xact_blocks_fetched($1::oid), pg_relation_filenode($1::oid)::int8"
    } else {
        "SELECT pg_stat_get_numscans($1::oid), pg_stat_get_blocks_fetched($1::oid), pg_relation_filenode($1::oid)::int8"
    };
    if !xact {
        exec(conn, "SELECT pg_stat_clear_snapshot()").await.unwrap();
    }
    let (scans, blocks, node): (i64, i64, Option<i64>) = sqlx::query_as(sql)
        .bind(table)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    (scans, blocks, node.unwrap_or(0))
}

async fn locks_of(
    observer: &mut PgConnection,
    pid: i32,
    oids: &BTreeMap<String, i64>,
) -> BTreeMap<String, Vec<LockMode>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT relation::int8, mode FROM pg_locks WHERE pid = $1 AND locktype = 'relation' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .bind(pid)
    .fetch_all(observer)
    .await
    .unwrap();
    let mut out: BTreeMap<String, Vec<LockMode>> = BTreeMap::new();
    for (oid, mode) in rows {
        if let Some((name, _)) = oids.iter().find(|(_, o)| **o == oid) {
            let mode = LockMode::from_pg_locks(&mode).unwrap();
            out.entry(name.clone()).or_default().push(mode);
        }
    }
    out
}

/// Runs a transactional statement in an open transaction and reads its locks, counters and
/// row locks before committing.
async fn in_transaction(url: &str, c: &Case, names: &[&str]) -> Seen {
    let mut a = connect(url).await;
    let mut b = connect(url).await;
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut a)
        .await
        .unwrap();
    let mut rels = oids(&mut a, names).await;
    let existing = rels.get(c.table).copied();
    exec(&mut a, "BEGIN").await.unwrap();
    let (scans0, blocks0, node0) = match existing {
        Some(table) => counters(&mut a, table, true).await,
        None => (0, 0, 0),
    };
    exec(&mut a, c.sql)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", c.sql));
    // What the statement created has an oid only now.
    let made: Vec<&str> = [c.created, existing.is_none().then_some(c.table)]
        .into_iter()
        .flatten()
        .collect();
    rels.extend(oids(&mut a, &made).await);
    let table = rels[c.table];
    let gone = matches!(c.kind, Kind::DropTable) || existing.is_none();
    let (scans1, blocks1, node1) = if gone {
        (scans0, blocks0, node0)
    } else {
        counters(&mut a, table, true).await
    };
    let locks = locks_of(&mut b, pid, &rels).await;
    let row_locked = match c.changes_row {
        Some(id) => Some(row_locked(&mut b, id).await),
        None => None,
    };
    exec(&mut a, "ROLLBACK").await.unwrap();
    Seen {
        locks,
        scans: scans1 - scans0,
        blocks: blocks1 - blocks0,
        rewrote: node0 != 0 && node0 != node1,
        row_locked,
    }
}

async fn row_locked(b: &mut PgConnection, id: i32) -> bool {
    exec(b, "BEGIN").await.unwrap();
    let r = sqlx::query("SELECT 1 FROM t WHERE id = $1 FOR UPDATE NOWAIT")
        .bind(id)
        .fetch_all(&mut *b)
        .await;
    exec(b, "ROLLBACK").await.unwrap();
    match r {
        Ok(_) => false,
        Err(e) => {
            assert_eq!(
                e.as_database_error().and_then(|d| d.code()).as_deref(),
                Some("55P03"),
                "{e}"
            );
            true
        }
    }
}

/// Runs a statement that cannot run in a transaction: behind a blocker, to read the locks
/// it holds or waits for; then, on a fresh table, its counters after it finished.
async fn outside_transaction(url: &str, c: &Case, names: &[&str], major: u32) -> Seen {
    let mut a = connect(url).await;
    let mut b = connect(url).await;
    let mut blocker = connect(url).await;
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut a)
        .await
        .unwrap();
    let rels = oids(&mut a, names).await;
    let table = rels[c.table];
    let (scans0, blocks0, node0) = if major < 15 {
        settled_counters(&mut b, table).await
    } else {
        counters(&mut b, table, false).await
    };
    // An open transaction with a snapshot and a lock on the table: a concurrent build waits
    // for it, and a VACUUM waits behind its SHARE lock. It does not read the table, so its
    // own scan is not counted (servers before 15 report it when it commits).
    // VACUUM and a concurrent DETACH wait behind SHARE for their own lock (the DETACH then
    // waits holding none on the table, so it is seen while it asks for it).
    let mode = if matches!(c.kind, Kind::Vacuum | Kind::DetachPartitionConcurrently) {
        "SHARE"
    } else {
        "ACCESS SHARE"
    };
    let hold = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT 1; LOCK TABLE {} IN {mode} MODE",
        c.table
    );
    exec(&mut blocker, &hold).await.unwrap();
    let sql = c.sql.to_owned();
    let run = tokio::spawn(async move {
        let r = exec(&mut a, &sql).await;
        // PostgreSQL 15 keeps counters in shared memory and can flush them at once; older
        // servers send them to the statistics collector when the backend exits.
        exec(
            &mut a,
            "DO $$ BEGIN IF current_setting('server_version_num')::int >= 150000 THEN PERFORM pg_stat_force_next_flush(); END IF; END $$",
        )
        .await
        .unwrap();
        a.close().await.ok();
        r
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let waiting: bool = sqlx::query_scalar(
            "SELECT coalesce(bool_or(wait_event_type IS NOT NULL AND state = 'active'), false) FROM pg_stat_activity WHERE pid = $1",
        )
        .bind(pid)
        .fetch_one(&mut b)
        .await
        .unwrap();
        if waiting {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} never waited",
            c.sql
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let locks = locks_of(&mut b, pid, &rels).await;
    exec(&mut blocker, "COMMIT").await.unwrap();
    run.await
        .unwrap()
        .unwrap_or_else(|e| panic!("{}: {e}", c.sql));
    // The finished statement's backend flushed its counters on exit; wait for them.
    let mut after = counters(&mut b, table, false).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while (after.0, after.1) == (scans0, blocks0) && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        after = counters(&mut b, table, false).await;
    }
    Seen {
        locks,
        scans: after.0 - scans0,
        blocks: after.1 - blocks0,
        rewrote: node0 != after.2,
        row_locked: None,
    }
}

/// Whether PostgreSQL refuses `sql` inside a transaction block (SQLSTATE 25001).
async fn refused_in_a_transaction(url: &str, sql: &str) -> bool {
    let mut a = connect(url).await;
    exec(&mut a, "BEGIN").await.unwrap();
    let r = exec(&mut a, sql).await;
    exec(&mut a, "ROLLBACK").await.ok();
    match r {
        Ok(()) => false,
        Err(e) => e.as_database_error().and_then(|d| d.code()).as_deref() == Some("25001"),
    }
}

/// The claims of `f` about `c` against what the server showed; every mismatch, in words.
fn mismatches(f: &Facts, c: &Case, seen: &Seen, major: u32) -> Vec<String> {
    let mut out = Vec::new();
    let name = |target: Target| match target {
        Target::Table => Some(c.table),
        Target::Created => c.created,
        _ => c.other,
    };
    let mut claimed: BTreeMap<&str, Vec<LockMode>> = BTreeMap::new();
    for lock in f.locks.iter().filter(|l| l.taken_on(major)) {
        match name(lock.on) {
            Some(n) => claimed.entry(n).or_default().push(lock.mode),
            None => out.push(format!("the case names no relation for {:?}", lock.on)),
        }
    }
    for (rel, modes) in &claimed {
        let observed = seen.locks.get(*rel).cloned().unwrap_or_default();
        for m in modes {
            if !observed.contains(m) {
                out.push(format!(
                    "claims {m} on {rel}, the server showed {observed:?}"
                ));
            }
        }
        if observed.iter().max() != modes.iter().max() {
            out.push(format!(
                "strongest lock on {rel}: claimed {:?}, seen {:?}",
                modes.iter().max(),
                observed.iter().max()
            ));
        }
    }
    for rel in [Some(c.table), c.other].into_iter().flatten() {
        if !claimed.contains_key(rel)
            && let Some(observed) = seen.locks.get(rel)
        {
            out.push(format!(
                "claims no lock on {rel}, the server showed {observed:?}"
            ));
        }
    }
    let scans = seen.scans > 0 || seen.blocks > 0;
    match f.scan {
        Scan::None if seen.scans > 0 => out.push(format!("claims no scan, saw {}", seen.scans)),
        Scan::None => {}
        _ if !scans => out.push("claims a scan, saw none".into()),
        _ => {}
    }
    if f.rewrite != seen.rewrote {
        out.push(format!(
            "claims rewrite = {}, saw {}",
            f.rewrite, seen.rewrote
        ));
    }
    if let Some(locked) = seen.row_locked
        && locked != (f.row_locks != RowLocks::None)
    {
        out.push(format!(
            "claims {:?} row locks, row locked: {locked}",
            f.row_locks
        ));
    }
    out
}

#[test]
fn every_claim_of_the_catalogue_holds_on_the_server() {
    let db = TestDb::create("catalogue_e2e");
    let cases = cases();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let major = runtime.block_on(server_major(&db.url));
    println!("PostgreSQL {major}");
    let mut failures = Vec::new();
    // A kind the server predates is not run (the catalogue says from which version on).
    for kind in Kind::all().filter(|k| k.facts().since <= major) {
        let c = cases
            .iter()
            .find(|c| c.kind == kind)
            .unwrap_or_else(|| panic!("{kind:?} has no case in catalogue_e2e"));
        db.sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            .unwrap();
        db.sql(BASE).unwrap();
        if !c.setup.is_empty() {
            db.sql(c.setup).unwrap();
        }
        let f = kind.facts();
        let names: Vec<&str> = [Some(c.table), c.other].into_iter().flatten().collect();
        let seen = runtime.block_on(async {
            if f.transactional {
                in_transaction(&db.url, c, &names).await
            } else {
                outside_transaction(&db.url, c, &names, major).await
            }
        });
        let mut wrong = mismatches(f, c, &seen, major);
        if !f.transactional {
            db.sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
                .unwrap();
            db.sql(BASE).unwrap();
            if !runtime.block_on(refused_in_a_transaction(&db.url, c.sql)) {
                wrong.push("claims it cannot run in a transaction, yet it did".into());
            }
        }
        println!("{kind:?}: {seen:?}");
        failures.extend(
            wrong
                .into_iter()
                .map(|w| format!("{kind:?} ({}): {w}", c.sql)),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The functions a default may call and still be kept in the catalog are STABLE or
/// IMMUTABLE on the server (every overload), and a volatile one is not among them.
#[test]
fn functions_evaluated_once_are_stable_or_immutable() {
    let db = TestDb::create("catalogue_functions");
    for f in migrate_core::catalogue::EVALUATED_ONCE {
        let volatility = db.value(&format!(
            "SELECT string_agg(DISTINCT provolatile::text, '') FROM pg_proc WHERE proname = '{f}' AND pronamespace = 'pg_catalog'::regnamespace"
        ));
        assert!(
            !volatility.is_empty() && volatility.chars().all(|v| v == 's' || v == 'i'),
            "{f}: provolatile {volatility:?}"
        );
    }
    for f in ["clock_timestamp", "random", "gen_random_uuid", "nextval"] {
        assert!(!migrate_core::catalogue::evaluated_once(f), "{f}");
    }
}
