//! A column rename on a table with rows, with old code writing the old name and new code
//! writing the new one through the version schema (search_path) between the phases: every
//! write is visible under both names until contract; then the old column goes, and the
//! downs bring it back with its values.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::{Phase, version_schema};
use migrate_core::project::GenerateOptions;
use migrate_tests::{
    AppRole, Scenario, TestDb, assert_schema_matches, assert_schema_matches_any_column_order, at,
    checksum,
};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "people")]
pub struct Person {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(index, default = "'anon'")]
    pub name: String,
    pub note: Option<String>,
}
"#;

const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "people")]
pub struct Person {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(renamed_from = "name", index, default = "'anon'")]
    pub full_name: String,
    pub note: Option<String>,
}
"#;

const TS: &str = "29990101000000";

fn old_code(round: usize) -> String {
    format!(
        "INSERT INTO people (name, note) VALUES ('old-{round}', 'v1');
         INSERT INTO people (note) VALUES ('v1 default {round}');
         UPDATE people SET name = 'old-upd-{round}' WHERE id = 1;
         UPDATE people SET note = 'touched by v1' WHERE id BETWEEN 10 AND 20;"
    )
}

fn new_code(round: usize) -> String {
    format!(
        "SET search_path = {}, public;
         INSERT INTO people (full_name, note) VALUES ('new-{round}', 'v2');
         INSERT INTO people (note) VALUES ('v2 default {round}');
         UPDATE people SET full_name = 'new-upd-{round}' WHERE id = 3;
         UPDATE people SET note = 'touched by v2' WHERE id BETWEEN 30 AND 40;",
        version_schema(TS)
    )
}

#[test]
fn rename_with_traffic_from_both_versions_and_rollback() {
    let sc = Scenario::new("rename_e2e");
    let db = &sc.db;

    let (v1, v1_path) = sc.generate(V1, &GenerateOptions::default());
    db.apply_file(&v1_path.join("expand.up.sql")).unwrap();
    db.sql(
        "INSERT INTO people (name, note)
         SELECT CASE WHEN g % 7 = 0 THEN 'it''s ünïcode ' || g ELSE 'person ' || g END,
                CASE WHEN g % 2 = 0 THEN NULL ELSE 'n' END
         FROM generate_series(1, 10000) g",
    )
    .unwrap();

    let (v2, v2_path) = sc.generate(V2, &at(TS));
    insta::assert_snapshot!(
        "rename_v2",
        v2.files
            .iter()
            .map(|(n, t)| format!("==> {n}\n{t}"))
            .collect::<String>()
    );

    let app = AppRole::create(db);
    db.sql(&format!(
        "GRANT SELECT, INSERT, UPDATE ON people TO \"{0}\"; GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \"{0}\"",
        app.name
    ))
    .unwrap();
    let in_sync = |db: &TestDb| {
        db.value("SELECT count(*) FROM public.people WHERE name IS DISTINCT FROM full_name")
    };
    for (round, phase) in [Phase::Expand, Phase::Backfill].into_iter().enumerate() {
        db.apply_file(&v2_path.join(format!("{phase}.up.sql")))
            .unwrap_or_else(|e| panic!("{phase}: {e}"));
        db.sql(&old_code(round))
            .unwrap_or_else(|e| panic!("old code after {phase}: {e}"));
        db.sql(&new_code(round))
            .unwrap_or_else(|e| panic!("new code after {phase}: {e}"));
        if phase == Phase::Backfill {
            assert_eq!(
                in_sync(db),
                "0",
                "both names agree on every row after {phase}"
            );
        }
    }
    app.sql(&format!(
        "SET search_path = {}, public; INSERT INTO people (full_name, note) VALUES ('by role', 'role'); SELECT full_name FROM people LIMIT 1",
        version_schema(TS)
    ))
    .unwrap_or_else(|e| panic!("the version schema is usable by the app's role: {e}"));
    db.sql("DELETE FROM people WHERE note = 'role'").unwrap();
    assert_eq!(
        db.value("SELECT name || '|' || full_name FROM public.people WHERE note = 'v2 default 0'"),
        "anon|anon",
        "an insert by new code that sets neither name gets the default on both"
    );
    assert_eq!(
        db.value("SELECT name FROM public.people WHERE full_name = 'new-1'"),
        "new-1",
        "old code sees what new code wrote"
    );

    db.apply_file(&v2_path.join("contract.up.sql")).unwrap();
    db.sql(&new_code(9))
        .unwrap_or_else(|e| panic!("new code after contract: {e}"));
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    assert_eq!(
        db.value("SELECT full_name FROM people WHERE id = 1"),
        "old-upd-1"
    );
    assert_eq!(
        db.value("SELECT full_name FROM people WHERE id = 3"),
        "new-upd-9"
    );
    assert_eq!(
        db.value("SELECT count(*) FROM people WHERE full_name IN ('old-0', 'old-1', 'new-0', 'new-1', 'new-9')"),
        "5"
    );
    assert_eq!(
        db.value("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'migrate_29990101000000'"),
        "0",
        "contract drops the version schema"
    );

    // Down, last phase first: v1's schema, with every value back under the old name.
    let values = checksum(
        db,
        "people",
        &["id".into(), "full_name".into(), "note".into()],
    );
    for phase in Phase::ALL.iter().rev() {
        db.apply_file(&v2_path.join(format!("{phase}.down.sql")))
            .unwrap_or_else(|e| panic!("{phase} down: {e}"));
    }
    // The old column comes back at the end of the table (PostgreSQL appends added columns).
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");
    assert_eq!(
        checksum(db, "people", &["id".into(), "name".into(), "note".into()]),
        values
    );
}
