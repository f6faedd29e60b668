//! Generated columns (`generated = "…"`): a `STORED` one created with its table, computed
//! for every row old and new code write, dropped (acknowledged) and given back by the down;
//! adding a `STORED` one to a table with rows refused (it rewrites the table) with what to
//! do instead; on PostgreSQL 18 a `virtual` one added with rows, under a brief lock that
//! touches no row (read from a second connection), then rolled back.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::project::GenerateOptions;
use migrate_tests::{
    Scenario, assert_schema_matches, assert_schema_matches_any_column_order, at, lock_report,
    up_files,
};

fn models(extra: &str) -> String {
    format!(
        r#"
#[derive(Schema)]
#[schema(table = "lines")]
pub struct Line {{
    #[schema(primary_key)]
    pub id: i64,
    pub price: i64,
    pub qty: i32,
{extra}}}
"#
    )
}

const TOTAL: &str = "    #[schema(generated = \"price * qty\")]\n    pub total: i64,\n";
const SEED: &str = "INSERT INTO lines SELECT g, g, g % 7 FROM generate_series(1, 10000) g";

#[test]
fn a_stored_generated_column_is_created_kept_dropped_and_restored() {
    let sc = Scenario::new("generated_stored");
    let v1 = sc.start(&models(TOTAL), SEED);
    let wrong = "SELECT count(*) FROM lines WHERE total IS DISTINCT FROM price * qty";
    assert_eq!(sc.db.value(wrong), "0");
    assert_eq!(
        sc.db.value("SELECT attgenerated FROM pg_attribute WHERE attrelid = 'lines'::regclass AND attname = 'total'"),
        "s"
    );

    // Dropped: old code still reads it until contract; the down computes it again.
    let (v2, path) = sc.generate(
        &models(""),
        &GenerateOptions {
            allow_drop: vec!["lines.total".into()],
            ..at("29990101000000")
        },
    );
    insta::assert_snapshot!("generated_dropped", up_files(&v2));
    sc.up(&path);
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "dropped");
    sc.db.sql("INSERT INTO lines VALUES (20001, 3, 4)").unwrap();
    sc.down(&path);
    assert_schema_matches_any_column_order(&sc.db, &v1.snapshot.tables, "rolled back");
    assert_eq!(sc.db.value(wrong), "0", "computed again, for every row");
    assert_eq!(
        sc.db.value("SELECT total FROM lines WHERE id = 20001"),
        "12"
    );

    // Added to a table with rows: refused, saying why and what instead.
    std::fs::write(sc.models_path(), models(TOTAL).replace("total", "total2")).unwrap();
    let err = sc
        .project
        .pending(&at("29990102000000"))
        .unwrap_err()
        .to_string();
    for said in ["rewrites the table", "`virtual`", "backfill"] {
        assert!(err.contains(said), "{said}: {err}");
    }
}

const VIRTUAL: &str =
    "    #[schema(generated = \"price * qty\", virtual)]\n    pub total: Option<i64>,\n";

#[test]
fn on_postgres_18_a_virtual_generated_column_is_added_without_touching_rows() {
    let sc = Scenario::targeting("generated_virtual", 18);
    if sc.server_major() < 18 {
        // The plan only: virtual columns are PostgreSQL 18's.
        sc.generate(&models(""), &at("29980101000000"));
        let (v2, _) = sc.generate(&models(VIRTUAL), &at("29990101000000"));
        insta::assert_snapshot!("generated_virtual_added", up_files(&v2));
        return;
    }
    let v1 = sc.start(&models(""), SEED);
    let (v2, path) = sc.generate(&models(VIRTUAL), &at("29990101000000"));
    insta::assert_snapshot!("generated_virtual_added", up_files(&v2));
    sc.up(&path);
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "virtual column added");
    assert_eq!(
        sc.db
            .value("SELECT count(*) FROM lines WHERE total IS DISTINCT FROM price * qty"),
        "0"
    );
    sc.down(&path);
    assert_schema_matches_any_column_order(&sc.db, &v1.snapshot.tables, "rolled back");

    let locks = Scenario::targeting("generated_virtual_locks", 18);
    locks.start(&models(""), SEED);
    let (v2, _) = locks.generate(&models(VIRTUAL), &at("29990101000000"));
    insta::assert_snapshot!("generated_virtual_locks", lock_report(&locks.db, &v2.plan));
}
