//! Dropping tables that reference each other, together with a unique index one of them
//! relied on: contract drops the tables first (in one statement), then the index; the down
//! file brings the index back before the tables and their foreign keys.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::project::{GenerateOptions, Pending};
use migrate_tests::{Scenario, TestDb, assert_schema_matches, checksum};
use std::path::PathBuf;

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "users")]
pub struct User {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(unique)]
    pub slug: String,
}

#[derive(Schema)]
#[schema(table = "a")]
pub struct A {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(references = "b(id)")]
    pub b_id: Option<i64>,
}

#[derive(Schema)]
#[schema(table = "b")]
pub struct B {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(references = "a(id)")]
    pub a_id: Option<i64>,
}

#[derive(Schema)]
#[schema(table = "mentions")]
pub struct Mention {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(references = "users(slug)", on_delete = "cascade")]
    pub user_slug: String,
}
"#;

const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "users")]
pub struct User {
    #[schema(primary_key)]
    pub id: i64,
    pub slug: String,
}
"#;

#[test]
fn dropping_tables_and_the_index_they_needed() {
    let sc = Scenario::new("drops_e2e");
    let db = &sc.db;

    let (v1, v1_path) = sc.generate(V1, &GenerateOptions::default());
    db.apply_file(&v1_path.join("expand.up.sql")).unwrap();
    db.sql(
        "INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 10000) g;
         INSERT INTO a SELECT g, NULL FROM generate_series(1, 1000) g;
         INSERT INTO b SELECT g, g FROM generate_series(1, 1000) g;
         UPDATE a SET b_id = id;
         INSERT INTO mentions SELECT g, 'u' || g FROM generate_series(1, 5000) g",
    )
    .unwrap();
    let users_before = checksum(db, "users", &["id".into(), "slug".into()]);

    let (v2, v2_path) = sc.generate(
        V2,
        &GenerateOptions {
            allow_drop: vec!["a".into(), "b".into(), "mentions".into()],
            timestamp: Some("29990101000000".into()),
            ..GenerateOptions::default()
        },
    );
    insta::assert_snapshot!(
        "drops_contract",
        v2.files
            .iter()
            .filter(|(n, _)| n.starts_with("contract"))
            .map(|(n, t)| format!("==> {n}\n{t}"))
            .collect::<String>()
    );
    // This test is the acknowledgement the destructive contract asks for.
    db.apply_file(&v2_path.join("contract.up.sql")).unwrap();
    assert_schema_matches(db, &v2.snapshot.tables, "after the drops");
    assert_eq!(
        checksum(db, "users", &["id".into(), "slug".into()]),
        users_before
    );

    db.apply_file(&v2_path.join("contract.down.sql")).unwrap();
    assert_schema_matches(db, &v1.snapshot.tables, "after the down");
    assert_eq!(
        checksum(db, "users", &["id".into(), "slug".into()]),
        users_before
    );
    assert_eq!(db.value("SELECT count(*) FROM mentions"), "0");
}

const COLUMNS_V1: &str = r#"
#[derive(Schema)]
#[schema(table = "teams")]
pub struct Team {
    #[schema(primary_key)]
    pub id: i64,
}

#[derive(Schema)]
#[schema(table = "players")]
pub struct Player {
    #[schema(primary_key)]
    pub id: i64,
    pub legacy_code: String,
    #[schema(check = "karma >= 0")]
    pub karma: i32,
    #[schema(references = "teams(id)")]
    pub team_id: Option<i64>,
}
"#;

const COLUMNS_V2: &str = r#"
#[derive(Schema)]
#[schema(table = "teams")]
pub struct Team {
    #[schema(primary_key)]
    pub id: i64,
}

#[derive(Schema)]
#[schema(table = "players")]
pub struct Player {
    #[schema(primary_key)]
    pub id: i64,
    pub karma: i32,
    pub team_id: Option<i64>,
}
"#;

/// v1 applied with rows, v2 generated (dropping `players.legacy_code`, the karma check and
/// the team foreign key) once the drop is acknowledged.
fn columns_setup(prefix: &str) -> (Scenario, Pending, Pending, PathBuf) {
    let sc = Scenario::new(prefix);
    let v1 = sc.start(
        COLUMNS_V1,
        "INSERT INTO teams SELECT g FROM generate_series(1, 10) g;
         INSERT INTO players SELECT g, 'code-' || g, g % 100, CASE WHEN g % 2 = 0 THEN NULL ELSE g % 10 + 1 END
         FROM generate_series(1, 10000) g",
    );
    std::fs::write(sc.models_path(), COLUMNS_V2).unwrap();
    let refused = sc
        .project
        .pending(&migrate_tests::at("29990101000000"))
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("`--allow-drop players.legacy_code`"),
        "{refused}"
    );
    let (v2, v2_path) = sc.generate(
        COLUMNS_V2,
        &GenerateOptions {
            allow_drop: vec!["players.legacy_code".into()],
            timestamp: Some("29990101000000".into()),
            ..GenerateOptions::default()
        },
    );
    (sc, v1, v2, v2_path)
}

#[test]
fn a_removed_field_is_relaxed_in_expand_and_dropped_in_contract() {
    let (sc, _v1, v2, v2_path) = columns_setup("drop_column_e2e");
    let db = &sc.db;
    insta::assert_snapshot!(
        "drop_column",
        v2.files
            .iter()
            .filter(|(n, _)| n.ends_with(".up.sql"))
            .map(|(n, t)| format!("==> {n}\n{t}"))
            .collect::<String>()
    );
    let kept = |db: &TestDb| {
        checksum(
            db,
            "players",
            &["id".into(), "karma".into(), "team_id".into()],
        )
    };
    let before = kept(db);

    db.apply_file(&v2_path.join("expand.up.sql")).unwrap();
    // Old code still writes the column; new code leaves it out, negative karma, no team.
    db.sql("INSERT INTO players VALUES (20001, 'old', 1, 1)")
        .unwrap();
    db.sql("INSERT INTO players (id, karma, team_id) VALUES (20002, -5, 999)")
        .unwrap();
    // Contract: this test is the acknowledgement of the destructive drop.
    db.apply_file(&v2_path.join("contract.up.sql")).unwrap();
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    db.sql("DELETE FROM players WHERE id > 20000").unwrap();
    assert_eq!(kept(db), before);
}

#[test]
fn expand_of_a_removal_rolls_back_with_the_data() {
    let (sc, v1, _v2, v2_path) = columns_setup("drop_column_down");
    let db = &sc.db;
    let all = |db: &TestDb| {
        checksum(
            db,
            "players",
            &[
                "id".into(),
                "legacy_code".into(),
                "karma".into(),
                "team_id".into(),
            ],
        )
    };
    let before = all(db);
    db.apply_file(&v2_path.join("expand.up.sql")).unwrap();
    db.apply_file(&v2_path.join("expand.down.sql")).unwrap();
    assert_schema_matches(db, &v1.snapshot.tables, "expand rolled back");
    assert_eq!(all(db), before);
}
