//! A primary key added to an existing table with rows: the unique index is built
//! concurrently in backfill and attached in contract without a build or a scan.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::Phase;
use migrate_core::project::{GenerateOptions, Project};
use migrate_tests::{TestDb, assert_schema_matches, effects};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "events")]
pub struct Event {
    pub id: i64,
    pub kind: String,
}
"#;

const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "events")]
pub struct Event {
    #[schema(primary_key)]
    pub id: i64,
    pub kind: String,
}
"#;

#[test]
fn primary_key_from_a_concurrent_index() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    let project = Project::open(dir.path()).unwrap();
    let db = TestDb::create("keys_e2e");

    std::fs::write(dir.path().join("src/models.rs"), V1).unwrap();
    let v1 = project
        .pending(&GenerateOptions::default())
        .unwrap()
        .unwrap();
    let v1_path = project.write(&v1).unwrap();
    db.apply_file(&v1_path.join("expand.up.sql")).unwrap();
    db.sql("INSERT INTO events SELECT g, 'k' || (g % 7) FROM generate_series(1, 10000) g")
        .unwrap();

    std::fs::write(dir.path().join("src/models.rs"), V2).unwrap();
    let v2 = project
        .pending(&GenerateOptions {
            timestamp: Some("29990101000000".into()),
            ..GenerateOptions::default()
        })
        .unwrap()
        .unwrap();
    let sql: Vec<(Phase, &str)> = v2
        .plan
        .steps
        .iter()
        .map(|s| (s.phase, s.sql.as_str()))
        .collect();
    assert_eq!(
        sql,
        [
            (
                Phase::Backfill,
                r#"CREATE UNIQUE INDEX CONCURRENTLY "events_pkey" ON "events" ("id")"#
            ),
            (
                Phase::Contract,
                r#"ALTER TABLE "events" ADD CONSTRAINT "events_pkey" PRIMARY KEY USING INDEX "events_pkey""#
            ),
        ]
    );
    let v2_path = project.write(&v2).unwrap();
    db.apply_file(&v2_path.join("backfill.up.sql")).unwrap();
    db.sql("INSERT INTO events VALUES (10001, 'written after the build')")
        .unwrap();

    let attach = effects(&db, "events", &v2.plan.steps[1].sql);
    assert!(!attach.rewrote);
    assert_eq!(attach.scans, 0, "attaching the index scans nothing");
    assert_schema_matches(&db, &v2.snapshot.tables, "key attached");
    assert!(
        db.sql("INSERT INTO events VALUES (1, 'duplicate')")
            .is_err(),
        "the key is enforced"
    );

    for phase in [Phase::Contract, Phase::Backfill] {
        db.apply_file(&v2_path.join(format!("{phase}.down.sql")))
            .unwrap_or_else(|e| panic!("{phase} down: {e}"));
    }
    assert_schema_matches(&db, &v1.snapshot.tables, "rolled back");
    assert_eq!(db.value("SELECT count(*) FROM events"), "10001");
}
