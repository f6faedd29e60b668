//! A primary key added to an existing table with rows: the unique index is built
//! concurrently in backfill and attached in contract without a build or a scan.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::Phase;
use migrate_tests::{Scenario, assert_schema_matches, at, effects};

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
    let sc = Scenario::new("keys_e2e");
    let db = &sc.db;
    let v1 = sc.start(
        V1,
        "INSERT INTO events SELECT g, 'k' || (g % 7) FROM generate_series(1, 10000) g",
    );
    let (v2, v2_path) = sc.generate(V2, &at("29990101000000"));
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
    db.apply_file(&v2_path.join("backfill.up.sql")).unwrap();
    db.sql("INSERT INTO events VALUES (10001, 'written after the build')")
        .unwrap();

    let attach = effects(db, "events", &v2.plan.steps[1].sql);
    assert!(!attach.rewrote);
    assert_eq!(attach.scans, 0, "attaching the index scans nothing");
    assert_schema_matches(db, &v2.snapshot.tables, "key attached");
    assert!(
        db.sql("INSERT INTO events VALUES (1, 'duplicate')")
            .is_err(),
        "the key is enforced"
    );

    let down = std::fs::read_to_string(v2_path.join("contract.down.sql")).unwrap();
    assert!(
        down.contains("SET lock_timeout = 0;\n-- migrate:no-transaction (cannot run inside a transaction)\nCREATE UNIQUE INDEX CONCURRENTLY"),
        "the rebuilt index waits for older transactions instead of timing out, alone outside a transaction:\n{down}"
    );
    for phase in [Phase::Contract, Phase::Backfill] {
        db.apply_file(&v2_path.join(format!("{phase}.down.sql")))
            .unwrap_or_else(|e| panic!("{phase} down: {e}"));
    }
    assert_schema_matches(db, &v1.snapshot.tables, "rolled back");
    assert_eq!(db.value("SELECT count(*) FROM events"), "10001");
}
