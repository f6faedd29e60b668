//! A type change with conversion expressions both ways (`convert`, `convert_back`): a text
//! token becomes `bytea` by `convert_to(token, 'UTF8')`, and old code, while it runs, reads
//! `convert_from(token, 'UTF8')` of what new code writes. Old and new code write in every
//! phase, each reads the other's rows in its own type, and everything is rolled back.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::{Phase, version_schema};
use migrate_tests::{
    Scenario, TestDb, apply_phase, assert_schema_matches, assert_schema_matches_any_column_order,
    at, up_files,
};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "sessions")]
pub struct Session {
    #[schema(primary_key)]
    pub id: i64,
    pub token: String,
}
"#;

fn v2() -> String {
    V1.replace(
        "    pub token: String,",
        "    #[schema(sql_type = \"bytea\", convert = \"convert_to(token, 'UTF8')\", convert_back = \"convert_from(token, 'UTF8')\")]\n    pub token: Vec<u8>,",
    )
}

const TS: &str = "29990101000000";

fn new_code(db: &TestDb, sql: &str) -> String {
    db.value(&format!(
        "SET search_path = {}, public; {sql}",
        version_schema(TS)
    ))
}

#[test]
fn a_token_becomes_bytea_by_the_expressions_given() {
    let sc = Scenario::new("convert");
    let v1 = sc.start(
        V1,
        "INSERT INTO sessions SELECT g, 'tok-' || g || '-é' FROM generate_series(1, 10000) g",
    );
    let (v2, path) = sc.generate(&v2(), &at(TS));
    insta::assert_snapshot!("convert_v2", up_files(&v2));
    let db = &sc.db;
    apply_phase(db, &path, Phase::Expand, "up");
    db.sql("INSERT INTO sessions VALUES (20001, 'old-ü')")
        .unwrap();
    apply_phase(db, &path, Phase::Backfill, "up");
    new_code(
        db,
        "INSERT INTO sessions VALUES (20002, convert_to('new-ß', 'UTF8')) RETURNING id",
    );
    assert_eq!(
        db.value(
            "SELECT string_agg(token, ',' ORDER BY id) FROM sessions WHERE id IN (7, 20001, 20002)"
        ),
        "tok-7-é,old-ü,new-ß",
        "old code reads new code's bytes as text"
    );
    assert_eq!(
        new_code(
            db,
            "SELECT string_agg(convert_from(token, 'UTF8'), ',' ORDER BY id) FROM sessions WHERE id IN (7, 20001, 20002)"
        ),
        "tok-7-é,old-ü,new-ß",
        "new code reads every row as bytes"
    );
    apply_phase(db, &path, Phase::Contract, "up");
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    for phase in Phase::ALL.iter().rev() {
        apply_phase(db, &path, *phase, "down");
    }
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");
    assert_eq!(
        db.value("SELECT token FROM sessions WHERE id = 20002"),
        "new-ß"
    );
}
