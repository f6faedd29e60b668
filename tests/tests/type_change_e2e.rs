//! Type changes that would rewrite the table (integer → bigint, text → bigint,
//! timestamp → timestamptz) done by expand/contract instead: a new column in the new type
//! kept in sync by a trigger, a batched conversion, new code reading and writing the new
//! type through the version schema's view, a swap at contract. With rows, with old and new
//! code writing between the phases, statement by statement lock and rewrite checks, and a
//! rollback.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::{Phase, version_schema};
use migrate_core::project::Pending;
use migrate_tests::{
    Scenario, TestDb, assert_schema_matches, assert_schema_matches_any_column_order, at, effects,
};
use std::path::PathBuf;

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "orders")]
pub struct Order {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(default = "1")]
    pub quantity: i32,
    pub ref_no: String,
    pub placed_at: chrono::NaiveDateTime,
    pub note: Option<String>,
    #[schema(max_length = 100)]
    pub code: String,
}
"#;

const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "orders")]
pub struct Order {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(default = "1")]
    pub quantity: i64,
    pub ref_no: i64,
    pub placed_at: chrono::DateTime<chrono::Utc>,
    pub note: Option<String>,
    #[schema(max_length = 20)]
    pub code: String,
}
"#;

const TS: &str = "29990101000000";

fn old_code(round: usize) -> String {
    format!(
        "INSERT INTO orders (id, quantity, ref_no, placed_at, code) VALUES ({0}, 7, '{0}', '2026-03-01 10:00', 'c{0}');
         INSERT INTO orders (id, ref_no, placed_at, code) VALUES ({1}, '{1}', '2026-03-01 11:00', 'c{1}');
         UPDATE orders SET quantity = quantity + 1 WHERE id = 1;
         UPDATE orders SET note = 'touched by v1' WHERE id BETWEEN 100 AND 120;",
        100_000 + round * 10,
        100_001 + round * 10
    )
}

fn new_code(round: usize) -> String {
    format!(
        "SET search_path = {2}, public;
         INSERT INTO orders (id, quantity, ref_no, placed_at, code) VALUES ({0}, 42, {0}, '2026-03-01 10:00+00', 'n{0}');
         INSERT INTO orders (id, ref_no, placed_at, code) VALUES ({1}, {1}, now(), 'n{1}');
         UPDATE orders SET quantity = quantity * 2 WHERE id = 2;
         SELECT sum(quantity)::bigint FROM orders;",
        200_000 + round * 10,
        200_001 + round * 10,
        version_schema(TS)
    )
}

struct Setup {
    sc: Scenario,
    v1: Pending,
    v2: Pending,
    v2_path: PathBuf,
}

/// v1 applied and seeded; v2 generated.
fn setup(prefix: &str) -> Setup {
    let sc = Scenario::new(prefix);
    let v1 = sc.start(
        V1,
        "INSERT INTO orders (id, quantity, ref_no, placed_at, note, code)
         SELECT g, g % 1000, (g * 7)::text, timestamp '2026-01-01' + g * interval '1 minute',
                CASE WHEN g % 3 = 0 THEN NULL ELSE 'it''s ünïcode' END, 'code-' || g
         FROM generate_series(1, 10000) g",
    );
    let (v2, v2_path) = sc.generate(V2, &at(TS));
    Setup {
        sc,
        v1,
        v2,
        v2_path,
    }
}

#[test]
fn type_changes_with_traffic_from_both_versions_and_rollback() {
    let s = setup("type_change_e2e");
    let db = &s.sc.db;
    insta::assert_snapshot!(
        "type_change_v2",
        s.v2.files
            .iter()
            .filter(|(n, _)| n.ends_with(".up.sql"))
            .map(|(n, t)| format!("==> {n}\n{t}"))
            .collect::<String>()
    );
    // The rows no code touched during the test, as text (integer and bigint, or a numeric
    // string and a bigint, print the same).
    let untouched = |db: &TestDb| {
        db.value(
            "SELECT count(*) || ':' || md5(string_agg(x::text, '|' ORDER BY x::text))
             FROM (SELECT id, quantity, ref_no, note, code FROM orders
                   WHERE id BETWEEN 3 AND 99 OR id BETWEEN 121 AND 10000) x",
        )
    };
    let before = untouched(db);

    // A value whose text the conversion does not round-trip: old code must keep reading
    // it as written while the backfill fills the new column.
    db.sql("INSERT INTO orders (id, quantity, ref_no, placed_at, code) VALUES (10001, 1, '007', now(), 'z')")
        .unwrap();
    for (round, phase) in [Phase::Expand, Phase::Backfill].into_iter().enumerate() {
        db.apply_file(&s.v2_path.join(format!("{phase}.up.sql")))
            .unwrap_or_else(|e| panic!("{phase}: {e}"));
        db.sql(&old_code(round))
            .unwrap_or_else(|e| panic!("old code after {phase}: {e}"));
        db.sql(&new_code(round))
            .unwrap_or_else(|e| panic!("new code after {phase}: {e}"));
    }
    assert_eq!(
        db.value(
            "SELECT count(*) FROM orders WHERE quantity::bigint IS DISTINCT FROM quantity_migrate_new
                OR ref_no::bigint IS DISTINCT FROM ref_no_migrate_new
                OR placed_at::timestamptz IS DISTINCT FROM placed_at_migrate_new"
        ),
        "0",
        "old and new columns agree on every row before contract"
    );
    assert_eq!(
        db.value("SELECT ref_no || ' ' || ref_no_migrate_new FROM orders WHERE id = 10001"),
        "007 7",
        "the backfill leaves the old column as old code wrote it"
    );
    assert_eq!(
        db.value("SELECT quantity FROM orders WHERE id = 200001"),
        "1",
        "an insert by new code without a quantity gets the default"
    );
    // Shrinking varchar(100) to varchar(20): a longer value is refused loudly, never cut.
    let err = db
        .sql(&format!(
            "INSERT INTO orders (id, ref_no, placed_at, code) VALUES (300000, '1', now(), '{}')",
            "x".repeat(30)
        ))
        .unwrap_err();
    assert!(err.contains("value too long"), "{err}");

    db.apply_file(&s.v2_path.join("contract.up.sql")).unwrap();
    db.sql(&new_code(9))
        .unwrap_or_else(|e| panic!("new code after contract: {e}"));
    assert_schema_matches(db, &s.v2.snapshot.tables, "after contract");
    assert_eq!(untouched(db), before, "the values survived the conversion");
    assert_eq!(
        db.value("SELECT quantity || ' ' || pg_typeof(quantity) FROM orders WHERE id = 1"),
        "3 bigint",
        "both old-code increments reached the new column"
    );

    for phase in Phase::ALL.iter().rev() {
        db.apply_file(&s.v2_path.join(format!("{phase}.down.sql")))
            .unwrap_or_else(|e| panic!("{phase} down: {e}"));
    }
    assert_schema_matches_any_column_order(db, &s.v1.snapshot.tables, "rolled back");
    assert_eq!(untouched(db), before, "and survived the way back");
}

#[test]
fn no_statement_rewrites_or_scans_under_access_exclusive() {
    let s = setup("type_change_locks");
    let db = &s.sc.db;
    for step in &s.v2.plan.steps {
        let table = if step.sql.contains("SCHEMA") || step.sql.contains("FUNCTION") {
            db.sql(&step.sql).unwrap();
            continue;
        } else {
            &step.table
        };
        let e = effects(db, table, &step.sql);
        assert!(!e.rewrote, "{} rewrote the table", step.sql);
        if e.access_exclusive() {
            assert_eq!(e.scans, 0, "{} scanned under ACCESS EXCLUSIVE", step.sql);
        }
    }
    assert_schema_matches(db, &s.v2.snapshot.tables, "v2 applied step by step");
}
