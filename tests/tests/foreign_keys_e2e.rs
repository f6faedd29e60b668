//! Composite, named and deferrable foreign keys (`foreign_key(...)` on the struct): added to
//! a table with rows (`NOT VALID`, then validated), enforced, checked at commit when
//! `initially_deferred`, made immediate again, and rolled back; the catalog compared with
//! the models at every step.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::Phase;
use migrate_tests::{Scenario, assert_schema_matches, assert_schema_matches_any_column_order, at};

fn models(fk: &str) -> String {
    format!(
        r#"
#[derive(Schema)]
#[schema(table = "teams", primary_key(org_id, id))]
pub struct Team {{
    pub org_id: i64,
    pub id: i64,
    pub name: String,
}}

#[derive(Schema)]
#[schema(table = "members"{fk})]
pub struct Member {{
    #[schema(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub team_id: i64,
}}
"#
    )
}

const DEFERRED: &str = r#", foreign_key(name = "members_team_fk", columns(org_id, team_id), references = "teams(org_id, id)", on_delete = "cascade", deferrable, initially_deferred)"#;

const SEED: &str = "INSERT INTO teams SELECT g % 3, g, 't' || g FROM generate_series(1, 1000) g;
    INSERT INTO members SELECT g, (g % 1000 + 1) % 3, g % 1000 + 1 FROM generate_series(1, 10000) g";

#[test]
fn a_composite_deferrable_foreign_key_is_added_enforced_and_changed() {
    let sc = Scenario::new("foreign_keys");
    let v1 = sc.start(&models(""), SEED);
    let (v2, p2) = sc.generate(&models(DEFERRED), &at("29990101000000"));
    for phase in Phase::ALL {
        sc.apply(&p2, phase, "up");
    }
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "foreign key added");
    let db = &sc.db;
    let err = db
        .sql("INSERT INTO members VALUES (20001, 1, 424242)")
        .unwrap_err();
    assert!(err.contains("members_team_fk"), "{err}");
    db.sql(
        "BEGIN; INSERT INTO members VALUES (20002, 1, 5000); INSERT INTO teams VALUES (1, 5000, 'late'); COMMIT",
    )
    .expect("checked at commit: the team came later in the transaction");
    db.sql("DELETE FROM teams WHERE org_id = 1 AND id = 5000")
        .unwrap();
    assert_eq!(
        db.value("SELECT count(*) FROM members WHERE id = 20002"),
        "0",
        "ON DELETE CASCADE"
    );

    // Made immediate: checked at once.
    let immediate = DEFERRED.replace(", deferrable, initially_deferred", "");
    let (v3, p3) = sc.generate(&models(&immediate), &at("29990102000000"));
    for phase in Phase::ALL {
        sc.apply(&p3, phase, "up");
    }
    assert_schema_matches(db, &v3.snapshot.tables, "made immediate");
    let err = db
        .sql("BEGIN; INSERT INTO members VALUES (20003, 1, 6000); INSERT INTO teams VALUES (1, 6000, 'late'); COMMIT")
        .unwrap_err();
    assert!(err.contains("members_team_fk"), "{err}");

    for (path, before) in [(&p3, &v2), (&p2, &v1)] {
        for phase in Phase::ALL.iter().rev() {
            sc.apply(path, *phase, "down");
        }
        assert_schema_matches_any_column_order(db, &before.snapshot.tables, "rolled back");
    }
}
