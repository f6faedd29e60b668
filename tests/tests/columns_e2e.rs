//! Column changes on a table with rows, on a real server: NOT NULL by the check route (with
//! a fill trigger for code that does not write the column), a backfill expression, volatile
//! defaults, a default change and NOT NULL dropped (widening: see safety_e2e.rs). Old code
//! (model v1) and new code (model v2) write between the phases; then everything is rolled
//! back. A second test records, statement by statement, the locks, scans and rewrites.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::Phase;
use migrate_core::project::Pending;
use migrate_tests::{
    Scenario, TestDb, assert_claims, assert_schema_matches, at, checksum, effects,
};
use std::path::PathBuf;

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "accounts")]
pub struct Account {
    #[schema(primary_key)]
    pub id: i64,
    pub email: String,
    pub nickname: Option<String>,
    #[schema(max_length = 20)]
    pub plan: String,
    pub note: String,
    #[schema(default = "0")]
    pub score: i32,
}
"#;

const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "accounts")]
pub struct Account {
    #[schema(primary_key)]
    pub id: i64,
    pub email: String,
    #[schema(backfill = "'anon-' || id")]
    pub nickname: String,
    #[schema(max_length = 20)]
    pub plan: String,
    pub note: Option<String>,
    #[schema(default = "10")]
    pub score: i32,
    #[schema(backfill = "lower(email)")]
    pub email_lower: String,
    #[schema(default = "gen_random_uuid()")]
    pub public_id: uuid::Uuid,
    #[schema(default = "clock_timestamp()")]
    pub seen_at: Option<chrono::DateTime<chrono::Utc>>,
}
"#;

/// What code built against model v1 does: it knows none of the new columns and still
/// writes NULL nicknames; it also updates rows the backfill may not have reached.
const OLD_CODE: &str = r#"
INSERT INTO accounts (id, email, nickname, plan, note)
SELECT 100000 + g + (SELECT count(*) FROM accounts), 'Old' || g || '@Example.com', NULL, 'free', 'old'
FROM generate_series(1, 20) g;
UPDATE accounts SET note = note WHERE id <= 50;
"#;

/// What code built against model v2 does.
const NEW_CODE: &str = r#"
INSERT INTO accounts (id, email, nickname, plan, note, email_lower)
SELECT 200000 + g + (SELECT count(*) FROM accounts), 'New' || g || '@Example.com', 'n' || g,
       repeat('p', 20), NULL, 'new' || g || '@example.com'
FROM generate_series(1, 20) g;
"#;

const SEED: &str = r#"
INSERT INTO accounts (id, email, nickname, plan, note, score)
SELECT g, 'User' || g || '@Example.com',
       CASE WHEN g % 3 = 0 THEN NULL ELSE 'nick ' || g END,
       CASE WHEN g % 2 = 0 THEN 'free' ELSE 'pro' END,
       CASE WHEN g % 5 = 0 THEN '' ELSE 'it''s ünïcode ' || g END,
       g % 7
FROM generate_series(1, 20000) g;
"#;

struct Setup {
    sc: Scenario,
    v1: Pending,
    v2: Pending,
    v2_path: PathBuf,
}

/// v1 applied and seeded; v2 generated.
fn setup(prefix: &str) -> Setup {
    let sc = Scenario::new(prefix);
    let v1 = sc.start(V1, SEED);
    let (v2, v2_path) = sc.generate(V2, &at("29990101000000"));
    Setup {
        sc,
        v1,
        v2,
        v2_path,
    }
}

fn v1_columns() -> Vec<String> {
    ["id", "email", "plan", "note", "score"]
        .map(String::from)
        .to_vec()
}

#[test]
fn column_changes_keep_old_and_new_code_working_and_roll_back() {
    let s = setup("columns_e2e");
    let db = &s.sc.db;
    insta::assert_snapshot!(
        "columns_v2",
        s.v2.files
            .iter()
            .filter(|(n, _)| n.ends_with(".up.sql"))
            .map(|(n, t)| format!("==> {n}\n{t}"))
            .collect::<String>()
    );
    let seeded = |db: &TestDb| {
        db.value("SELECT count(*) || ':' || md5(string_agg(x::text, '|' ORDER BY x::text)) FROM (SELECT id, email, plan, note, score FROM accounts WHERE id <= 20000) x")
    };
    let before = seeded(db);

    for phase in Phase::ALL {
        let f = s.v2_path.join(format!("{phase}.up.sql"));
        db.apply_file(&f)
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        if phase != Phase::Contract {
            db.sql(OLD_CODE)
                .unwrap_or_else(|e| panic!("old code after {phase}: {e}"));
        }
        db.sql(NEW_CODE)
            .unwrap_or_else(|e| panic!("new code after {phase}: {e}"));
    }
    assert_schema_matches(db, &s.v2.snapshot.tables, "v2 applied");
    assert_eq!(seeded(db), before, "seeded rows kept their v1 columns");
    assert_eq!(
        db.value("SELECT count(*) FROM accounts WHERE id <= 20000 AND id % 3 = 0 AND nickname <> 'anon-' || id"),
        "0",
        "NULL nicknames got the backfill value"
    );
    assert_eq!(
        db.value("SELECT count(*) FROM accounts WHERE id <= 20000 AND email_lower <> lower(email)"),
        "0"
    );
    assert_eq!(
        db.value("SELECT count(*) FROM accounts WHERE id > 100000 AND id < 200000 AND (nickname IS NULL OR email_lower <> lower(email) OR public_id IS NULL)"),
        "0",
        "rows written by old code were filled"
    );
    assert_eq!(
        db.value("SELECT count(DISTINCT public_id) = count(*) FROM accounts"),
        "t",
        "the volatile default gave each row its own value"
    );

    // Down, last phase first: v1's schema, the seeded rows' v1 columns as they were.
    db.sql("DELETE FROM accounts WHERE id > 20000").unwrap();
    let down_checksum = checksum(db, "accounts", &v1_columns());
    for phase in Phase::ALL.iter().rev() {
        let f = s.v2_path.join(format!("{phase}.down.sql"));
        db.apply_file(&f)
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
    assert_schema_matches(db, &s.v1.snapshot.tables, "v2 rolled back");
    assert_eq!(checksum(db, "accounts", &v1_columns()), down_checksum);
}

#[test]
fn statements_take_brief_locks_and_never_rewrite() {
    let s = setup("columns_locks");
    let db = &s.sc.db;
    let mut report = String::new();
    for step in &s.v2.plan.steps {
        let e = if step.transactional() {
            effects(db, "accounts", &step.sql)
        } else {
            db.sql(&step.sql).unwrap();
            continue;
        };
        report.push_str(&format!(
            "{:<8} {:<60} {:?} scans={} rewrote={}\n",
            step.phase.as_str(),
            step.sql
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(60)
                .collect::<String>(),
            e.modes,
            e.scans,
            e.rewrote
        ));
        assert!(!e.rewrote, "{} rewrote the table", step.sql);
        if e.access_exclusive() {
            assert_eq!(
                e.scans, 0,
                "{} scanned the table under ACCESS EXCLUSIVE",
                step.sql
            );
        }
        assert_claims(&[step], &e, &step.sql);
    }
    insta::assert_snapshot!("columns_v2_locks", report);
    assert_schema_matches(db, &s.v2.snapshot.tables, "v2 applied step by step");
}
