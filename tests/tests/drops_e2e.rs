//! Dropping tables that reference each other, together with a unique index one of them
//! relied on: contract drops the tables first (in one statement), then the index; the down
//! file brings the index back before the tables and their foreign keys.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::project::{GenerateOptions, Project};
use migrate_tests::{TestDb, assert_schema_matches, checksum};

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
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    let project = Project::open(dir.path()).unwrap();
    let db = TestDb::create("drops_e2e");

    std::fs::write(dir.path().join("src/models.rs"), V1).unwrap();
    let v1 = project
        .pending(&GenerateOptions::default())
        .unwrap()
        .unwrap();
    let v1_path = project.write(&v1).unwrap();
    db.apply_file(&v1_path.join("expand.up.sql")).unwrap();
    db.sql(
        "INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 10000) g;
         INSERT INTO a SELECT g, NULL FROM generate_series(1, 1000) g;
         INSERT INTO b SELECT g, g FROM generate_series(1, 1000) g;
         UPDATE a SET b_id = id;
         INSERT INTO mentions SELECT g, 'u' || g FROM generate_series(1, 5000) g",
    )
    .unwrap();
    let users_before = checksum(&db, "users", &["id".into(), "slug".into()]);

    std::fs::write(dir.path().join("src/models.rs"), V2).unwrap();
    let v2 = project
        .pending(&GenerateOptions {
            allow_drop: vec!["a".into(), "b".into(), "mentions".into()],
            timestamp: Some("29990101000000".into()),
            ..GenerateOptions::default()
        })
        .unwrap()
        .unwrap();
    insta::assert_snapshot!(
        "drops_contract",
        v2.files
            .iter()
            .filter(|(n, _)| n.starts_with("contract"))
            .map(|(n, t)| format!("==> {n}\n{t}"))
            .collect::<String>()
    );
    let v2_path = project.write(&v2).unwrap();
    // This test is the acknowledgement the destructive contract asks for.
    db.apply_file(&v2_path.join("contract.up.sql")).unwrap();
    assert_schema_matches(&db, &v2.snapshot.tables, "after the drops");
    assert_eq!(
        checksum(&db, "users", &["id".into(), "slug".into()]),
        users_before
    );

    db.apply_file(&v2_path.join("contract.down.sql")).unwrap();
    assert_schema_matches(&db, &v1.snapshot.tables, "after the down");
    assert_eq!(
        checksum(&db, "users", &["id".into(), "slug".into()]),
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
/// the team foreign key).
fn columns_setup(
    db: &TestDb,
) -> (
    tempfile::TempDir,
    Project,
    Vec<migrate_core::model::Table>,
    migrate_core::project::Pending,
    std::path::PathBuf,
) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    let project = Project::open(dir.path()).unwrap();
    std::fs::write(dir.path().join("src/models.rs"), COLUMNS_V1).unwrap();
    let v1 = project
        .pending(&GenerateOptions::default())
        .unwrap()
        .unwrap();
    let v1_path = project.write(&v1).unwrap();
    for phase in ["expand", "backfill"] {
        db.apply_file(&v1_path.join(format!("{phase}.up.sql"))).ok();
    }
    db.sql(
        "INSERT INTO teams SELECT g FROM generate_series(1, 10) g;
         INSERT INTO players SELECT g, 'code-' || g, g % 100, CASE WHEN g % 2 = 0 THEN NULL ELSE g % 10 + 1 END
         FROM generate_series(1, 10000) g",
    )
    .unwrap();
    std::fs::write(dir.path().join("src/models.rs"), COLUMNS_V2).unwrap();
    let refused = project
        .pending(&GenerateOptions {
            timestamp: Some("29990101000000".into()),
            ..GenerateOptions::default()
        })
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("`--allow-drop players.legacy_code`"),
        "{refused}"
    );
    let v2 = project
        .pending(&GenerateOptions {
            allow_drop: vec!["players.legacy_code".into()],
            timestamp: Some("29990101000000".into()),
            ..GenerateOptions::default()
        })
        .unwrap()
        .unwrap();
    let v2_path = project.write(&v2).unwrap();
    (dir, project, v1.snapshot.tables, v2, v2_path)
}

#[test]
fn a_removed_field_is_relaxed_in_expand_and_dropped_in_contract() {
    let db = TestDb::create("drop_column_e2e");
    let (_dir, _project, _v1, v2, v2_path) = columns_setup(&db);
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
    let before = kept(&db);

    db.apply_file(&v2_path.join("expand.up.sql")).unwrap();
    // Old code still writes the column; new code leaves it out, negative karma, no team.
    db.sql("INSERT INTO players VALUES (20001, 'old', 1, 1)")
        .unwrap();
    db.sql("INSERT INTO players (id, karma, team_id) VALUES (20002, -5, 999)")
        .unwrap();
    // Contract: this test is the acknowledgement of the destructive drop.
    db.apply_file(&v2_path.join("contract.up.sql")).unwrap();
    assert_schema_matches(&db, &v2.snapshot.tables, "after contract");
    db.sql("DELETE FROM players WHERE id > 20000").unwrap();
    assert_eq!(kept(&db), before);
}

#[test]
fn expand_of_a_removal_rolls_back_with_the_data() {
    let db = TestDb::create("drop_column_down");
    let (_dir, _project, v1, _v2, v2_path) = columns_setup(&db);
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
    let before = all(&db);
    db.apply_file(&v2_path.join("expand.up.sql")).unwrap();
    db.apply_file(&v2_path.join("expand.down.sql")).unwrap();
    assert_schema_matches(&db, &v1, "expand rolled back");
    assert_eq!(all(&db), before);
}
