//! Baseline on a real server: a database that has the example's schema but no history of
//! ours (made by another tool, whose history table is there too) gets the migrations
//! recorded as applied without running them, after the schema is checked; a schema that
//! is not at the migration is refused with the differences and nothing recorded; the
//! migrations after a baseline run normally; a baseline never rolls back; and the other
//! tool's migration applied after the baseline is drift.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::apply::{ApplyError, ApplyOptions, MigrationSource, Migrator};
use migrate_core::plan::Phase;
use migrate_tests::TestDb;
use migrate_tests::{example_migrations as example, runtime, through_contract};

fn migrator(sources: &[MigrationSource]) -> Migrator {
    Migrator::new(sources.to_vec(), through_contract())
}

/// A database at the schema of `sources`' last migration, with no history of ours: the
/// migrations applied, then the history dropped, as if another tool had made it.
fn adopted(prefix: &str, sources: &[MigrationSource]) -> TestDb {
    let db = TestDb::create(prefix);
    runtime()
        .block_on(migrator(sources).apply(db.url.as_str()))
        .unwrap();
    db.sql("DROP SCHEMA cargo_migrate CASCADE").unwrap();
    db
}

const HISTORY_ROWS: &str = "SELECT count(*) FROM cargo_migrate.history";

#[test]
fn an_adopted_database_is_recorded_as_applied_without_running_anything() {
    let all = example();
    let db = adopted("baseline_adopted", &all);
    db.sql(
        "CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL,
           success boolean NOT NULL);
         INSERT INTO _sqlx_migrations VALUES (20240101000000, 'init', true),
           (20240301000000, 'posts', true), (20240401000000, 'failed', false);
         INSERT INTO users (email, display_name) VALUES ('a@example.com', 'A')",
    )
    .unwrap();
    let rt = runtime();

    let dry = rt
        .block_on(
            Migrator::new(
                all.clone(),
                ApplyOptions {
                    dry_run: true,
                    ..ApplyOptions::default()
                },
            )
            .baseline(db.url.as_str(), None),
        )
        .unwrap();
    assert!(dry.dry_run);
    assert_eq!(
        db.value("SELECT to_regclass('cargo_migrate.history') IS NULL"),
        "t",
        "a dry run records nothing"
    );

    let done = rt
        .block_on(migrator(&all).baseline(db.url.as_str(), None))
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(done.migration, ids[2]);
    assert_eq!(done.recorded, ids);
    assert_eq!(done.phases, 6, "expand; expand, backfill; all three");
    assert_eq!(done.other_tools.len(), 1);
    assert_eq!(done.other_tools[0].tool, "sqlx");
    assert_eq!(
        done.other_tools[0].migrations, 2,
        "the failed one is not applied"
    );
    assert_eq!(
        done.other_tools[0].newest.as_deref(),
        Some("20240301000000")
    );
    assert_eq!(
        db.value(
            "SELECT string_agg(DISTINCT covers::text, ';') FROM cargo_migrate.history WHERE baseline"
        ),
        "{\"_sqlx_migrations 20240301000000\"}"
    );
    assert_eq!(db.value(HISTORY_ROWS), "6");
    assert_eq!(db.value("SELECT count(*) FROM users"), "1", "nothing ran");

    let status = rt.block_on(migrator(&all).status(db.url.as_str())).unwrap();
    assert!(status.iter().all(|s| s.state == "baselined"), "{status:?}");
    let report = rt.block_on(migrator(&all).apply(db.url.as_str())).unwrap();
    assert!(report.applied.is_empty(), "{report:?}");
    let drift = rt
        .block_on(migrator(&all).drift(db.url.as_str()))
        .unwrap()
        .unwrap();
    assert!(drift.differences.is_empty(), "{:?}", drift.differences);

    let err = rt
        .block_on(migrator(&all).rollback(db.url.as_str(), None))
        .unwrap_err();
    assert!(matches!(err, ApplyError::BaselineRollback { .. }), "{err}");
    assert_eq!(db.value(HISTORY_ROWS), "6", "nothing was rolled back");

    let err = rt
        .block_on(migrator(&all).baseline(db.url.as_str(), None))
        .unwrap_err();
    assert!(matches!(err, ApplyError::HistoryNotEmpty { .. }), "{err}");

    // The other tool runs one more migration: drift names it.
    db.sql("INSERT INTO _sqlx_migrations VALUES (20240501000000, 'later', true)")
        .unwrap();
    let drift = rt
        .block_on(migrator(&all).drift(db.url.as_str()))
        .unwrap()
        .unwrap();
    let shown: Vec<String> = drift.differences.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [format!(
            "~ sqlx history _sqlx_migrations: expected newest version 20240301000000 (covered by the baseline {}), found newest version 20240501000000: sqlx ran a migration after the baseline",
            ids[2]
        )]
    );
}

#[test]
fn a_schema_not_at_the_migration_is_refused_and_an_older_baseline_then_applies_the_rest() {
    let all = example();
    let db = adopted("baseline_older", &all[..2]);
    let rt = runtime();

    let err = rt
        .block_on(migrator(&all).baseline(db.url.as_str(), None))
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ApplyError::NotAtBaseline { .. }), "{text}");
    assert!(text.contains(&all[2].id), "{text}");
    assert!(text.contains("- table tags"), "{text}");
    assert!(text.contains("Nothing was recorded"), "{text}");
    assert_eq!(
        db.value("SELECT to_regclass('cargo_migrate.history') IS NULL"),
        "t"
    );

    let err = rt
        .block_on(migrator(&all).baseline(db.url.as_str(), Some("20990101000000_nope")))
        .unwrap_err();
    assert!(matches!(err, ApplyError::UnknownMigration { .. }), "{err}");

    let done = rt
        .block_on(migrator(&all).baseline(db.url.as_str(), Some(&all[1].id)))
        .unwrap();
    assert_eq!(done.recorded, [all[0].id.clone(), all[1].id.clone()]);
    assert!(done.other_tools.is_empty());

    let report = rt.block_on(migrator(&all).apply(db.url.as_str())).unwrap();
    let ran: Vec<(&str, Phase)> = report
        .applied
        .iter()
        .map(|(id, p)| (id.as_str(), *p))
        .collect();
    assert_eq!(
        ran,
        [
            (all[2].id.as_str(), Phase::Expand),
            (all[2].id.as_str(), Phase::Backfill),
            (all[2].id.as_str(), Phase::Contract)
        ]
    );
    assert_eq!(
        db.value("SELECT count(*) FROM cargo_migrate.history WHERE NOT baseline"),
        "3"
    );
    // The migration after the baseline rolls back; the baseline stays.
    let forced = ApplyOptions {
        force: true,
        ..through_contract()
    };
    let undone = rt
        .block_on(Migrator::new(all.clone(), forced).rollback(db.url.as_str(), None))
        .unwrap();
    assert_eq!(undone.len(), 3);
    assert_eq!(db.value(HISTORY_ROWS), "3");
}

#[test]
fn a_baseline_needs_a_migration_with_a_snapshot() {
    let db = TestDb::create("baseline_empty");
    let rt = runtime();
    let err = rt
        .block_on(migrator(&[]).baseline(db.url.as_str(), None))
        .unwrap_err();
    assert!(matches!(err, ApplyError::NoMigrations), "{err}");

    let mut typed = example();
    typed.truncate(1);
    typed[0].files.retain(|(name, _)| name != "snapshot.json");
    let err = rt
        .block_on(migrator(&typed).baseline(db.url.as_str(), None))
        .unwrap_err();
    assert!(err.to_string().contains("snapshot.json: missing"), "{err}");
}
