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
