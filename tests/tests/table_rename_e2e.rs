//! A table rename by expand/contract: the table takes its new name and a simple view keeps
//! the old one working for old code until contract. The generated names of its key and
//! index follow by rename (no index is rebuilt) and foreign keys from other tables follow
//! by themselves. With rows, traffic from both versions, and a rollback.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::diff::Change;
use migrate_core::plan::Phase;
use migrate_core::project::GenerateOptions;
use migrate_tests::{AppRole, Scenario, TestDb, assert_schema_matches, at, checksum};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "users")]
pub struct User {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(unique)]
    pub email: String,
    pub name: Option<String>,
}

#[derive(Schema)]
#[schema(table = "posts")]
pub struct Post {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(references = "users(id)", on_delete = "cascade")]
    pub user_id: i64,
}
"#;

const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "accounts", renamed_from = "users")]
pub struct Account {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(unique)]
    pub email: String,
    #[schema(index)]
    pub name: Option<String>,
}

#[derive(Schema)]
#[schema(table = "posts")]
pub struct Post {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(references = "accounts(id)", on_delete = "cascade")]
    pub user_id: i64,
}
"#;

#[test]
fn table_rename_with_a_view_under_the_old_name() {
    let sc = Scenario::new("table_rename_e2e");
    let db = &sc.db;

    let (v1, v1_path) = sc.generate(V1, &GenerateOptions::default());
    db.apply_file(&v1_path.join("expand.up.sql")).unwrap();
    db.sql(
        "INSERT INTO users (email, name) SELECT 'u' || g || '@x', CASE WHEN g % 2 = 0 THEN NULL ELSE 'n' END FROM generate_series(1, 10000) g;
         INSERT INTO posts (user_id) SELECT (g % 10000) + 1 FROM generate_series(1, 10000) g",
    )
    .unwrap();
    let rows =
        |db: &TestDb, t: &str| checksum(db, t, &["id".into(), "email".into(), "name".into()]);
    let before = rows(db, "users");

    let (v2, v2_path) = sc.generate(V2, &at("29990101000000"));
    let described: Vec<String> = v2.changes.iter().map(Change::to_string).collect();
    assert_eq!(
        described,
        [
            "table \"users\" renamed to \"accounts\"",
            "constraint \"users_pkey\" on \"accounts\" renamed to \"accounts_pkey\"",
            "index \"users_email_key\" on \"accounts\" renamed to \"accounts_email_key\"",
            "new index \"accounts_name_idx\" on \"accounts\"",
        ],
        "no index rebuilt, the foreign key of posts unchanged, the new index planned"
    );
    insta::assert_snapshot!(
        "table_rename_v2",
        v2.files
            .iter()
            .map(|(n, t)| format!("==> {n}\n{t}"))
            .collect::<String>()
    );

    // The application runs under its own role, with privileges on the table only.
    let app = AppRole::create(db);
    db.sql(&format!(
        "GRANT SELECT, INSERT, UPDATE ON users TO \"{0}\"; GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \"{0}\"",
        app.name
    ))
    .unwrap();
    db.apply_file(&v2_path.join("expand.up.sql")).unwrap();
    app.sql("INSERT INTO users (email) VALUES ('role@x'); SELECT count(*) FROM users")
        .unwrap_or_else(|e| panic!("the old name's view is usable by the app's role: {e}"));
    db.sql("DELETE FROM users WHERE email = 'role@x'").unwrap();
    // Old code, under the old name; new code, under the new one.
    db.sql(
        "INSERT INTO users (email) VALUES ('old@x');
         UPDATE users SET name = 'old code' WHERE email = 'u1@x';
         INSERT INTO posts (user_id) SELECT id FROM users WHERE email = 'old@x';",
    )
    .unwrap();
    db.sql(
        "INSERT INTO accounts (email) VALUES ('new@x');
         UPDATE accounts SET name = 'new code' WHERE email = 'u2@x';",
    )
    .unwrap();
    assert_eq!(db.value("SELECT count(*) FROM users"), "10002");
    assert_eq!(
        db.value("SELECT name FROM users WHERE email = 'u2@x'"),
        "new code"
    );

    db.apply_file(&v2_path.join("backfill.up.sql")).unwrap();
    db.apply_file(&v2_path.join("contract.up.sql")).unwrap();
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    assert!(
        db.sql("SELECT 1 FROM users").is_err(),
        "the old name is gone"
    );
    db.sql("DELETE FROM accounts WHERE email IN ('old@x', 'new@x'); UPDATE accounts SET name = 'n' WHERE email = 'u1@x'; UPDATE accounts SET name = NULL WHERE email = 'u2@x'")
        .unwrap();
    assert_eq!(rows(db, "accounts"), before);

    for phase in [Phase::Contract, Phase::Backfill, Phase::Expand] {
        db.apply_file(&v2_path.join(format!("{phase}.down.sql")))
            .unwrap_or_else(|e| panic!("{phase} down: {e}"));
    }
    assert_schema_matches(db, &v1.snapshot.tables, "rolled back");
    assert_eq!(rows(db, "users"), before);
}
