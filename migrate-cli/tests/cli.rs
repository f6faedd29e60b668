//! `cargo migrate` as a user runs it: exit codes, what it prints, what it writes.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use assert_cmd::Command;
use std::path::Path;

const USERS_V1: &str = r#"
use migrate_core::Schema;

#[derive(Schema)]
#[schema(table = "users")]
pub struct User {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(max_length = 255, unique)]
    pub email: String,
}
"#;

fn project(models: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/models.rs"), models).unwrap();
    dir
}

fn migrate(dir: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("cargo-migrate")
        .unwrap()
        .arg("migrate")
        .args(args)
        .arg("--dir")
        .arg(dir)
        .assert()
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn migration_dirs(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir.join("migrations")) else {
        return Vec::new();
    };
    let mut v: Vec<_> = rd.map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

/// Applies every phase file of every migration with psql, on rows inserted between
/// migrations by `seed` (keyed by migration index).
fn apply_all(dir: &Path, seed: &[(usize, &str)]) -> migrate_tests::TestDb {
    let db = migrate_tests::TestDb::create("cli_test");
    for (i, m) in migration_dirs(dir).iter().enumerate() {
        for (at, sql) in seed {
            if *at == i {
                db.sql(sql).unwrap();
            }
        }
        for phase in ["expand", "backfill", "contract"] {
            let f = m.join(format!("{phase}.up.sql"));
            if f.exists() {
                db.apply_file(&f)
                    .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            }
        }
    }
    db
}

#[test]
fn generate_writes_once_then_reports_no_change_and_check_agrees() {
    let p = project(USERS_V1);
    let a = migrate(p.path(), &["generate"]).success();
    assert!(stdout(&a).contains("new table \"users\""), "{}", stdout(&a));
    let dirs = migration_dirs(p.path());
    assert_eq!(dirs.len(), 1);
    let name = dirs[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with("_create_users"), "{name}");
    for f in ["expand.up.sql", "expand.down.sql", "snapshot.json"] {
        assert!(dirs[0].join(f).exists(), "{f}");
    }
    assert!(!dirs[0].join("contract.up.sql").exists());

    let again = migrate(p.path(), &["generate"]).success();
    assert!(stdout(&again).contains("No changes"), "{}", stdout(&again));
    assert_eq!(migration_dirs(p.path()).len(), 1);
    migrate(p.path(), &["check"]).success();

    let db = apply_all(p.path(), &[]);
    migrate_tests::assert_schema_matches(&db, &snapshot_tables(&dirs[0]), "cli generate");
}

fn snapshot_tables(dir: &Path) -> Vec<migrate_core::model::Table> {
    let text = std::fs::read_to_string(dir.join("snapshot.json")).unwrap();
    migrate_core::snapshot::Snapshot::from_json(&text)
        .unwrap()
        .tables
}

#[test]
fn check_exits_1_and_lists_changes_without_writing() {
    let p = project(USERS_V1);
    migrate(p.path(), &["generate"]).success();
    std::fs::write(
        p.path().join("src/models.rs"),
        USERS_V1.replace(
            "pub email: String,",
            "pub email: String,\n    pub bio: Option<String>,",
        ),
    )
    .unwrap();
    let a = migrate(p.path(), &["check"]).code(1);
    let out = stdout(&a);
    assert!(out.contains("new column \"users\".\"bio\" text"), "{out}");
    assert!(out.contains("cargo migrate generate"), "{out}");
    assert_eq!(migration_dirs(p.path()).len(), 1, "check writes nothing");

    // The change is then generated and applies on a table with rows.
    migrate(p.path(), &["generate", "--name", "Add bio!"]).success();
    let dirs = migration_dirs(p.path());
    assert!(dirs[1].to_string_lossy().ends_with("_add_bio"));
    let db = apply_all(
        p.path(),
        &[(
            1,
            "INSERT INTO users (email) SELECT 'u' || g FROM generate_series(1, 10000) g",
        )],
    );
    migrate_tests::assert_schema_matches(&db, &snapshot_tables(&dirs[1]), "cli add column");
    assert_eq!(
        db.value("SELECT count(*) FROM users WHERE bio IS NULL"),
        "10000"
    );
}

#[test]
fn source_errors_name_the_file_and_line() {
    let p = project("pub struct Broken {");
    let a = migrate(p.path(), &["generate"]).code(2);
    let err = stderr(&a);
    assert!(err.contains("src/models.rs:1:"), "{err}");
    assert!(err.contains("cannot parse this file"), "{err}");

    let p = project(&USERS_V1.replace("max_length = 255", "max_lenght = 255"));
    let a = migrate(p.path(), &["check"]).code(2);
    let err = stderr(&a);
    assert!(err.contains("src/models.rs:9:14"), "{err}");
    assert!(err.contains("did you mean `max_length`?"), "{err}");
    assert!(migration_dirs(p.path()).is_empty());
}

#[test]
fn two_structs_for_one_table_are_an_error_naming_both() {
    let twice = format!(
        "{USERS_V1}\n{}",
        USERS_V1
            .replace("pub struct User", "pub struct Account")
            .replace("use migrate_core::Schema;", "")
    );
    let p = project(&twice);
    let err = stderr(&migrate(p.path(), &["generate"]).code(2));
    assert!(
        err.contains("struct `Account` maps to table \"users\""),
        "{err}"
    );
    assert!(err.contains("struct `User` at src/models.rs:6:"), "{err}");
}

#[test]
fn corrupt_and_newer_snapshots_are_refused_with_their_path() {
    let p = project(USERS_V1);
    migrate(p.path(), &["generate"]).success();
    let snap = migration_dirs(p.path())[0].join("snapshot.json");
    let good = std::fs::read_to_string(&snap).unwrap();

    std::fs::write(&snap, &good[..good.len() / 2]).unwrap();
    let err = stderr(&migrate(p.path(), &["generate"]).code(2));
    assert!(err.contains("snapshot.json: line"), "{err}");

    std::fs::write(
        &snap,
        good.replace("\"format_version\": 1", "\"format_version\": 7"),
    )
    .unwrap();
    let err = stderr(&migrate(p.path(), &["check"]).code(2));
    assert!(err.contains("format version 7 is newer"), "{err}");
}

#[test]
fn branch_conflicts_say_which_migrations_and_how_to_resolve() {
    let p = project(USERS_V1);
    migrate(p.path(), &["generate"]).success();
    let first = migration_dirs(p.path())[0].clone();
    // Two branches each generated a migration on top of `first`.
    std::fs::write(
        p.path().join("src/models.rs"),
        USERS_V1.replace(
            "pub email: String,",
            "pub email: String,\n    pub a: Option<i32>,",
        ),
    )
    .unwrap();
    migrate(p.path(), &["generate", "--name", "branch_a"]).success();
    let a = migration_dirs(p.path())[1].clone();
    let b_id = format!(
        "{}_branch_b",
        &a.file_name().unwrap().to_string_lossy()[..14]
            .parse::<u64>()
            .map(|t| t + 1)
            .unwrap()
    );
    let b = p.path().join("migrations").join(&b_id);
    std::fs::create_dir(&b).unwrap();
    std::fs::copy(a.join("snapshot.json"), b.join("snapshot.json")).unwrap();

    let err = stderr(&migrate(p.path(), &["generate"]).code(2));
    let first_id = first.file_name().unwrap().to_string_lossy().into_owned();
    assert!(err.contains("branch conflict"), "{err}");
    assert!(err.contains(&b_id) && err.contains(&first_id), "{err}");
    assert!(err.contains("delete the other folders"), "{err}");
}

#[test]
fn dropping_a_table_needs_allow_drop_and_is_marked_destructive() {
    let two = format!(
        "{USERS_V1}\n#[derive(Schema)]\npub struct AuditLog {{\n    #[schema(primary_key)]\n    pub id: i64,\n    #[schema(references = \"users(id)\")]\n    pub user_id: Option<i64>,\n}}\n"
    );
    let p = project(&two);
    migrate(p.path(), &["generate"]).success();
    std::fs::write(p.path().join("src/models.rs"), USERS_V1).unwrap();

    let err = stderr(&migrate(p.path(), &["generate"]).code(2));
    assert!(
        err.contains("table \"audit_log\" is in the last snapshot but no model defines it"),
        "{err}"
    );
    assert!(err.contains("--allow-drop audit_log"), "{err}");
    assert_eq!(migration_dirs(p.path()).len(), 1);

    migrate(p.path(), &["generate", "--allow-drop", "audit_log"]).success();
    let dirs = migration_dirs(p.path());
    let contract = std::fs::read_to_string(dirs[1].join("contract.up.sql")).unwrap();
    assert!(
        contract.contains("-- migrate:destructive table \"audit_log\""),
        "{contract}"
    );
    assert!(
        !dirs[1].join("expand.up.sql").exists(),
        "a drop is contract only"
    );

    // Applied on rows: this test is the acknowledgement.
    let db = apply_all(
        p.path(),
        &[(
            1,
            "INSERT INTO users (email) VALUES ('a'); INSERT INTO audit_log SELECT g, 1 FROM generate_series(1, 1000) g",
        )],
    );
    migrate_tests::assert_schema_matches(&db, &snapshot_tables(&dirs[1]), "cli drop");
    assert_eq!(db.value("SELECT count(*) FROM users"), "1");
}

#[test]
fn changes_without_a_safe_plan_are_errors_naming_table_and_fix() {
    let p = project(USERS_V1);
    migrate(p.path(), &["generate"]).success();
    std::fs::write(
        p.path().join("src/models.rs"),
        USERS_V1.replace(
            "pub email: String,",
            "pub email: String,\n    pub age: i32,",
        ),
    )
    .unwrap();
    let err = stderr(&migrate(p.path(), &["generate"]).code(2));
    assert!(
        err.contains("table \"users\": new column \"users\".\"age\" integer NOT NULL"),
        "{err}"
    );
    assert!(
        err.contains("add `default = \\\"...\\\"`") || err.contains("add `default = \"...\"`"),
        "{err}"
    );
    assert_eq!(migration_dirs(p.path()).len(), 1, "nothing written");
}

#[test]
fn bad_config_names_the_file() {
    let p = project(USERS_V1);
    std::fs::write(p.path().join("Migrate.toml"), "modles = [\"src/*.rs\"]\n").unwrap();
    let err = stderr(&migrate(p.path(), &["check"]).code(2));
    assert!(err.contains("Migrate.toml"), "{err}");
    assert!(err.contains("modles"), "{err}");
}

#[test]
fn help_text() {
    let out = Command::cargo_bin("cargo-migrate")
        .unwrap()
        .args(["migrate", "--help"])
        .assert()
        .success();
    insta::assert_snapshot!("help", stdout(&out));
    let out = Command::cargo_bin("cargo-migrate")
        .unwrap()
        .args(["migrate", "generate", "--help"])
        .assert()
        .success();
    insta::assert_snapshot!("generate_help", stdout(&out));
    let out = Command::cargo_bin("cargo-migrate")
        .unwrap()
        .args(["migrate", "apply", "--help"])
        .env_remove("DATABASE_URL")
        .assert()
        .success();
    insta::assert_snapshot!("apply_help", stdout(&out));
    for cmd in ["rollback", "lint"] {
        let out = Command::cargo_bin("cargo-migrate")
            .unwrap()
            .args(["migrate", cmd, "--help"])
            .env_remove("DATABASE_URL")
            .assert()
            .success();
        insta::assert_snapshot!(format!("{cmd}_help"), stdout(&out));
    }
}

#[test]
fn lint_names_file_line_rule_and_fix_and_exits_1() {
    let p = project(USERS_V1);
    let dir = p.path();
    std::fs::write(
        dir.join("expand.up.sql"),
        "ALTER TABLE posts ADD COLUMN n int;\nCREATE INDEX posts_n ON posts (n);\n\n-- migrate:allow volatile-default: posts is empty in every environment\nALTER TABLE posts ADD COLUMN id2 uuid DEFAULT gen_random_uuid();\nALTER TABLE posts\n  DROP COLUMN body;\nALTER TABLE posts ADD CONSTRAINT f FOREIGN KEY (n) REFERENCES users (id);\n-- migrate:allow cluster\nSELECT 1;\nALTER TABLE posts ADD COLUMN;\n",
    )
    .unwrap();
    // Paths are relative to the working directory, as in any command.
    let lint_in = |args: &[&str]| {
        Command::cargo_bin("cargo-migrate")
            .unwrap()
            .args(["migrate", "lint"])
            .args(args)
            .current_dir(dir)
            .assert()
    };
    let out = lint_in(&["expand.up.sql"]).code(1);
    let text = stdout(&out);
    insta::assert_snapshot!("lint_findings", text);
    assert!(stderr(&out).contains("5 finding(s)"), "{}", stderr(&out));

    // The same statements in a hand-written file with no phase in its name: it runs while
    // the old code does, so expand's rules apply too.
    std::fs::copy(dir.join("expand.up.sql"), dir.join("hand_written.sql")).unwrap();
    let out = lint_in(&["hand_written.sql", "--json"]).code(1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rules: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "index-concurrently",
            "expand-drop",
            "constraint-not-valid",
            "allow-comment",
            "syntax"
        ]
    );
    assert_eq!(json[0]["lock"], "SHARE on \"posts\"");

    // Workflow annotations for GitHub: one line per finding, escaped.
    let out = lint_in(&["expand.up.sql", "--format", "github"]).code(1);
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("::error file=expand.up.sql,line=2,title=migrate lint%3A index-concurrently::CREATE INDEX without CONCURRENTLY"),
        "{first}"
    );
    assert!(
        first.contains("(lock: SHARE on \"posts\")%0Ahelp: "),
        "{first}"
    );
    assert_eq!(text.lines().count(), 5, "{text}");

    // The project's generated migrations are clean.
    migrate(dir, &["generate"]).success();
    let out = migrate(dir, &["lint"]).success();
    assert!(stderr(&out).contains("nothing found"), "{}", stderr(&out));
}

#[test]
fn plan_prints_steps_with_row_estimates_and_writes_nothing() {
    let p = project(USERS_V1);
    migrate(p.path(), &["generate"]).success();
    let db = apply_all(p.path(), &[]);
    db.sql(
        "INSERT INTO users (email) SELECT 'u' || g FROM generate_series(1, 10000) g; ANALYZE users",
    )
    .unwrap();
    std::fs::write(
        p.path().join("src/models.rs"),
        USERS_V1.replace(
            "pub email: String,",
            "pub email: String,\n    #[schema(index)]\n    pub bio: Option<String>,",
        ),
    )
    .unwrap();
    let out = Command::cargo_bin("cargo-migrate")
        .unwrap()
        .args(["migrate", "plan", "--dir"])
        .arg(p.path())
        .env("DATABASE_URL", &db.url)
        .assert()
        .success();
    let text = stdout(&out);
    assert!(
        text.contains("expand\n  1. Add nullable column \"bio\"."),
        "{text}"
    );
    assert!(
        text.contains("backfill\n  1. Build index \"users_bio_idx\""),
        "{text}"
    );
    assert!(text.contains("rows: ~10000"), "{text}");

    let out = Command::cargo_bin("cargo-migrate")
        .unwrap()
        .args(["migrate", "plan", "--json", "--dir"])
        .arg(p.path())
        .env_remove("DATABASE_URL")
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let steps = json["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1]["phase"], "backfill");
    assert_eq!(steps[1]["transactional"], false);
    assert!(steps[0]["estimated_rows"].is_null());
    assert_eq!(migration_dirs(p.path()).len(), 1, "plan writes nothing");
}
