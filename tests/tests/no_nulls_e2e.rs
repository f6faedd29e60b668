//! `Option<T>` → `T` with `no_nulls`: the team knows no row is NULL, so NOT NULL is proven
//! by the check route alone — `CHECK … NOT VALID` and `VALIDATE` in backfill, `SET NOT
//! NULL` without a scan in contract — with no UPDATE and no fill trigger. A NULL that is
//! there after all fails VALIDATE naming the check, before anything irreversible ran.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::Phase;
use migrate_tests::{Scenario, assert_schema_matches, assert_schema_matches_any_column_order, at};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "members")]
pub struct Member {
    #[schema(primary_key)]
    pub id: i64,
    pub nickname: Option<String>,
}
"#;

fn v2() -> String {
    V1.replace(
        "pub nickname: Option<String>,",
        "#[schema(no_nulls)]\n    pub nickname: String,",
    )
}

const SEED: &str = "INSERT INTO members SELECT g, 'm' || g FROM generate_series(1, 20000) g";

#[test]
fn validate_proves_it_without_an_update() {
    let sc = Scenario::new("no_nulls");
    let v1 = sc.start(V1, SEED);
    let (v2, path) = sc.generate(&v2(), &at("29990101000000"));
    for step in &v2.plan.steps {
        assert!(
            !step.sql.starts_with("UPDATE") && !step.sql.contains("TRIGGER"),
            "no UPDATE and no fill trigger: {}",
            step.sql
        );
    }
    assert!(
        !path.join("expand.up.sql").exists(),
        "nothing to do before the backfill"
    );
    let db = &sc.db;
    for (round, phase) in [Phase::Backfill, Phase::Contract].into_iter().enumerate() {
        db.apply_file(&path.join(format!("{phase}.up.sql")))
            .unwrap_or_else(|e| panic!("{phase}: {e}"));
        // Old code keeps writing (never a NULL, as the team knows).
        db.sql(&format!(
            "INSERT INTO members (id, nickname) VALUES ({}, 'x');
             UPDATE members SET nickname = nickname || '!' WHERE id = 1",
            100_000 + round
        ))
        .unwrap_or_else(|e| panic!("old code after {phase}: {e}"));
    }
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    assert_eq!(
        db.value("SELECT nickname FROM members WHERE id = 1"),
        "m1!!",
        "old code's updates in every phase"
    );
    for phase in [Phase::Contract, Phase::Backfill] {
        db.apply_file(&path.join(format!("{phase}.down.sql")))
            .unwrap_or_else(|e| panic!("{phase} down: {e}"));
    }
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");
}

#[test]
fn a_null_fails_validate_naming_the_check() {
    let sc = Scenario::new("no_nulls_fails");
    sc.start(V1, SEED);
    let (_, path) = sc.generate(&v2(), &at("29990101000000"));
    let db = &sc.db;
    db.sql("UPDATE members SET nickname = NULL WHERE id = 777")
        .unwrap();
    let err = db.apply_file(&path.join("backfill.up.sql")).unwrap_err();
    assert!(
        err.contains(r#"check constraint "members_nickname_not_null" of relation "members" is violated by some row"#),
        "{err}"
    );
    assert_eq!(
        db.value("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname = 'nickname'"),
        "f",
        "the column is as it was: contract never ran"
    );
}
