//! Rolling back part of a migration on a real server, while the old code keeps running:
//! `Phases(Contract)` undoes only the newest migration's contract (the deploy was rolled
//! back); `Abort` then undoes its backfill and expand, under the previous version's
//! traffic, which sees no error; the schema is the previous migration's snapshot again.
//! Aborting a migration whose contract ran is refused.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::apply::{ApplyError, ApplyOptions, MigrationSource, Migrator, RollbackTo};
use migrate_core::plan::Phase;
use migrate_tests::{TestDb, Workload};
use migrate_tests::{example_migrations as example, runtime};

fn migrator(sources: &[MigrationSource]) -> Migrator {
    Migrator::new(
        sources.to_vec(),
        ApplyOptions {
            through: Phase::Contract,
            allow_destructive: true,
            force: true,
            ..ApplyOptions::default()
        },
    )
}

fn phases_of(db: &TestDb, id: &str) -> String {
    db.value(&format!(
        "SELECT coalesce(string_agg(phase, ',' ORDER BY started_at), '') FROM cargo_migrate.history WHERE migration = '{id}'"
    ))
}

#[test]
fn contract_alone_then_an_abort_under_old_code_traffic() {
    let db = TestDb::create("rollback_phase");
    let all = example();
    let last = all.last().unwrap().id.clone();
    let rt = runtime();
    rt.block_on(migrator(&all).apply(db.url.as_str())).unwrap();
    db.sql(
        "INSERT INTO users (email, display_name) VALUES ('a@example.com', 'A');
         INSERT INTO posts (author_id, title, body) SELECT 1, 'post ' || g, 'body' FROM generate_series(1, 200) g",
    )
    .unwrap();

    let err = rt
        .block_on(migrator(&all).rollback(db.url.as_str(), Some(&RollbackTo::Abort)))
        .unwrap_err();
    assert!(matches!(err, ApplyError::NotInFlight { .. }), "{err}");
    assert_eq!(
        phases_of(&db, &last),
        "expand,backfill,contract",
        "nothing ran"
    );

    let undone = rt
        .block_on(
            migrator(&all).rollback(db.url.as_str(), Some(&RollbackTo::Phases(Phase::Contract))),
        )
        .unwrap();
    assert_eq!(undone, [(last.clone(), Phase::Contract)]);
    assert_eq!(phases_of(&db, &last), "expand,backfill");
    assert_eq!(db.value("SELECT to_regclass('sessions') IS NOT NULL"), "t");

    // The previous version's code, on the schema it knows, through the abort.
    let old_code = Workload::start(
        &db,
        "",
        &[
            "INSERT INTO sessions (token, user_id, expires_at) VALUES (gen_random_uuid(), 1, now() + interval '1 day')",
            "SELECT id, title, body FROM posts WHERE author_id = 1 ORDER BY id DESC LIMIT 20",
            "INSERT INTO posts (author_id, title, body) VALUES (1, 'new', 'text')",
            "UPDATE users SET display_name = 'A' WHERE id = 1",
        ],
    );
    old_code.wait_for(200);
    let undone = rt
        .block_on(migrator(&all).rollback(db.url.as_str(), Some(&RollbackTo::Abort)))
        .unwrap();
    old_code.wait_for(200);
    let report = old_code.stop();
    assert_eq!(
        undone,
        [
            (last.clone(), Phase::Backfill),
            (last.clone(), Phase::Expand)
        ]
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(phases_of(&db, &last), "");
    let drift = rt
        .block_on(migrator(&all[..2]).drift(db.url.as_str()))
        .unwrap()
        .unwrap();
    assert!(drift.differences.is_empty(), "{:?}", drift.differences);
}
