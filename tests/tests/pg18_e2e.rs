//! `postgres = 18` in `Migrate.toml` chooses the recipe PostgreSQL 18 has for NOT NULL: the
//! NOT NULL constraint itself added `NOT VALID` and validated, instead of a CHECK, `SET NOT
//! NULL` and the check dropped. The plan is checked on every server; on PostgreSQL 18 (the
//! suite's second run) it is applied with rows and old code's NULL writes, its locks read
//! from a second connection, and rolled back.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::Phase;
use migrate_tests::{
    Scenario, assert_schema_matches, assert_schema_matches_any_column_order, at, lock_report,
    up_files,
};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "people")]
pub struct Person {
    #[schema(primary_key)]
    pub id: i64,
    pub age: Option<i32>,
}
"#;

fn v2_models() -> String {
    V1.replace(
        "    pub age: Option<i32>,",
        "    #[schema(backfill = \"0\")]\n    pub age: i32,",
    )
}

const SEED: &str = "INSERT INTO people SELECT g, NULLIF(g % 5, 0) FROM generate_series(1, 10000) g";

#[test]
fn not_null_comes_from_a_not_valid_not_null_constraint() {
    let sc = Scenario::targeting("pg18_not_null", 18);
    if sc.server_major() < 18 {
        // Only the plan: the statements are PostgreSQL 18's.
        sc.generate(V1, &at("29980101000000"));
        let (v2, _) = sc.generate(&v2_models(), &at("29990101000000"));
        insta::assert_snapshot!("pg18_not_null_v2", up_files(&v2));
        return;
    }
    let v1 = sc.start(V1, SEED);
    let (v2, path) = sc.generate(&v2_models(), &at("29990101000000"));
    insta::assert_snapshot!("pg18_not_null_v2", up_files(&v2));
    let db = &sc.db;
    sc.apply(&path, Phase::Expand, "up");
    db.sql("INSERT INTO people (id) VALUES (20001)").unwrap();
    sc.apply(&path, Phase::Backfill, "up");
    assert_eq!(
        db.value("SELECT attnotnull::text || ' ' || (SELECT string_agg(conname || ' ' || contype::text || ' ' || convalidated, ', ' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'people'::regclass AND contype IN ('n', 'c')) FROM pg_attribute WHERE attrelid = 'people'::regclass AND attname = 'age'"),
        "true people_age_not_null n true, people_id_not_null n true",
        "NOT NULL after backfill, by a validated NOT NULL constraint, no check"
    );
    sc.apply(&path, Phase::Contract, "up");
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    assert_eq!(
        db.value("SELECT count(*) FROM people WHERE age = 0"),
        "2001",
        "NULLs filled, old code's too"
    );
    for phase in Phase::ALL.iter().rev() {
        sc.apply(&path, *phase, "down");
    }
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");

    let locks = Scenario::targeting("pg18_not_null_locks", 18);
    locks.start(V1, SEED);
    let (v2, _) = locks.generate(&v2_models(), &at("29990101000000"));
    insta::assert_snapshot!("pg18_not_null_locks", lock_report(&locks.db, &v2.plan));
}
