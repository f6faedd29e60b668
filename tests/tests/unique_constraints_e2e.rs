//! UNIQUE constraints as well as unique indexes: made on a new table, added to a table with
//! rows (index built concurrently, then attached), a unique index turned into a constraint
//! in place (the same index, no rebuild), a constraint turned back into a bare index and
//! removed (`DROP CONSTRAINT`: `DROP INDEX` fails on an index a constraint owns). Every
//! step applied on a server with rows, the catalog compared with the models, and rolled back.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::Phase;
use migrate_core::project::Pending;
use migrate_tests::{Scenario, assert_schema_matches, assert_schema_matches_any_column_order, at};
use std::path::Path;

fn models(email: &str, extra: &str) -> String {
    format!(
        r#"
#[derive(Schema)]
#[schema(table = "members"{extra})]
pub struct Member {{
    #[schema(primary_key)]
    pub id: i64,
    {email}
    pub email: String,
    pub team: i64,
}}
"#
    )
}

const SEED: &str =
    "INSERT INTO members SELECT g, 'm' || g || '@x.io', g % 10 FROM generate_series(1, 10000) g";

/// Applies `v`'s migration up, checks the catalog, rolls it back, checks again, and applies
/// it once more: the state the next step starts from.
fn up_down_up(sc: &Scenario, prev: &Pending, v: &Pending, path: &Path, what: &str) {
    for phase in Phase::ALL {
        sc.apply(path, phase, "up");
    }
    assert_schema_matches(&sc.db, &v.snapshot.tables, what);
    for phase in Phase::ALL.iter().rev() {
        sc.apply(path, *phase, "down");
    }
    assert_schema_matches_any_column_order(
        &sc.db,
        &prev.snapshot.tables,
        &format!("{what}, rolled back"),
    );
    for phase in Phase::ALL {
        sc.apply(path, phase, "up");
    }
}

fn constraint_of(sc: &Scenario, index: &str) -> String {
    sc.db.value(&format!(
        "SELECT coalesce((SELECT contype::text FROM pg_constraint WHERE conindid = '{index}'::regclass), 'none') || ' ' || '{index}'::regclass::oid"
    ))
}

#[test]
fn unique_constraints_are_made_attached_detached_and_dropped() {
    let sc = Scenario::new("unique_constraints");
    let v1 = sc.start(&models("#[schema(unique_constraint)]", ""), SEED);
    assert!(
        constraint_of(&sc, "members_email_key").starts_with("u "),
        "a constraint on the new table"
    );

    // A constraint on (team, email) added to the table with rows.
    let (v2, p2) = sc.generate(
        &models(
            "#[schema(unique_constraint)]",
            r#", index(name = "members_team_email_key", columns(team, email), unique, constraint)"#,
        ),
        &at("29990101000000"),
    );
    up_down_up(&sc, &v1, &v2, &p2, "constraint added");
    assert!(constraint_of(&sc, "members_team_email_key").starts_with("u "));

    // The email constraint becomes a bare unique index: rebuilt, then the constraint goes.
    let (v3, p3) = sc.generate(
        &models(
            "#[schema(unique)]",
            r#", index(name = "members_team_email_key", columns(team, email), unique, constraint)"#,
        ),
        &at("29990102000000"),
    );
    up_down_up(&sc, &v2, &v3, &p3, "constraint → index");
    assert!(constraint_of(&sc, "members_email_key").starts_with("none "));

    // And back: attached in place, the same index.
    let before = constraint_of(&sc, "members_email_key");
    let (v4, p4) = sc.generate(
        &models(
            "#[schema(unique_constraint)]",
            r#", index(name = "members_team_email_key", columns(team, email), unique, constraint)"#,
        ),
        &at("29990103000000"),
    );
    for phase in Phase::ALL {
        sc.apply(&p4, phase, "up");
    }
    assert_schema_matches(&sc.db, &v4.snapshot.tables, "index → constraint");
    assert_eq!(
        constraint_of(&sc, "members_email_key"),
        before.replace("none ", "u "),
        "the same index, now a constraint's"
    );

    // Both constraints removed from the models: DROP CONSTRAINT, not DROP INDEX.
    let (v5, p5) = sc.generate(&models("", ""), &at("29990104000000"));
    up_down_up(&sc, &v4, &v5, &p5, "constraints removed");
    sc.db
        .sql("INSERT INTO members VALUES (20001, 'm1@x.io', 1)")
        .unwrap();
}
