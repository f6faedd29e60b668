//! Drift on a real server: the example's schema compared with its newest applied snapshot
//! (none while it matches, the in-flight migration's tables left out between its phases),
//! changes made by hand listed object by object, and `apply` refusing to start on them,
//! before its first phase, unless `allow_drift` says so. Other tools' history tables are
//! not part of the schema; a database with tables but no history points to `baseline`.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::apply::{ApplyError, ApplyOptions, Drift, MigrationSource, Migrator};
use migrate_tests::TestDb;
use migrate_tests::{example_migrations as example, runtime, through_contract};

fn apply(
    sources: &[MigrationSource],
    db: &TestDb,
    options: ApplyOptions,
) -> Result<(), ApplyError> {
    let mut m = Migrator::new(sources.to_vec(), options);
    runtime().block_on(m.apply(db.url.as_str())).map(|_| ())
}

fn drift(sources: &[MigrationSource], db: &TestDb) -> Drift {
    let m = Migrator::new(sources.to_vec(), ApplyOptions::default());
    runtime()
        .block_on(m.drift(db.url.as_str()))
        .unwrap()
        .unwrap()
}

fn shown(d: &Drift) -> Vec<String> {
    d.differences.iter().map(ToString::to_string).collect()
}

#[test]
fn a_migrated_database_has_no_drift_and_a_migration_in_flight_is_left_out() {
    let db = TestDb::create("drift_clean");
    let all = example();
    let last = all.last().unwrap().id.clone();
    apply(&all, &db, ApplyOptions::default()).unwrap();
    let d = drift(&all, &db);
    assert_eq!(d.against.as_deref(), Some(last.as_str()));
    let in_flight = d.in_flight.as_ref().expect("the last contract is pending");
    assert_eq!(in_flight.migration, last);
    assert_eq!(
        in_flight.tables,
        ["post_tags", "posts", "sessions", "tags"],
        "the tables the last migration changes"
    );
    assert!(d.differences.is_empty(), "{:?}", shown(&d));

    apply(&all, &db, through_contract()).unwrap();
    let d = drift(&all, &db);
    assert!(d.in_flight.is_none());
    assert!(d.differences.is_empty(), "{:?}", shown(&d));

    // Another tool's history is not the schema.
    db.sql("CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY)")
        .unwrap();
    assert!(drift(&all, &db).differences.is_empty());
}

#[test]
fn changes_made_by_hand_are_listed_and_apply_refuses_to_start_on_them() {
    let db = TestDb::create("drift_by_hand");
    let all = example();
    let (applied, pending) = all.split_at(2);
    apply(applied, &db, through_contract()).unwrap();
    db.sql(
        "ALTER TABLE users ADD COLUMN nickname text;
         ALTER TABLE comments ALTER COLUMN body DROP NOT NULL;
         DROP INDEX comments_post_id_idx;
         CREATE INDEX users_lower_email ON users (email) WHERE is_admin;
         ALTER TABLE posts ADD CONSTRAINT posts_title_check CHECK (title <> '') NOT VALID",
    )
    .unwrap();
    let d = drift(&all, &db);
    assert_eq!(d.against.as_deref(), Some(applied[1].id.as_str()));
    assert_eq!(
        shown(&d),
        [
            "~ column comments.body: expected text NOT NULL, found text",
            "- index comments.comments_post_id_idx: missing (expected btree (post_id))",
            "+ check posts.posts_title_check: not expected (found CHECK (((title)::text <> ''::text)))",
            "+ column users.nickname: not expected (found text)",
            "+ index users.users_lower_email: not expected (found btree (email) WHERE is_admin)",
            "~ posts.posts_title_check: expected valid, found INVALID or NOT VALID, left by an unfinished run",
        ]
    );

    let history = "SELECT count(*) FROM cargo_migrate.history";
    let before = db.value(history);
    let err = apply(&all, &db, ApplyOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ApplyError::Drift { .. }), "{text}");
    assert!(text.contains(&applied[1].id), "{text}");
    assert!(text.contains("+ column users.nickname"), "{text}");
    assert!(text.contains("--allow-drift"), "{text}");
    assert_eq!(db.value(history), before, "nothing ran");
    assert_eq!(
        db.value("SELECT to_regclass('tags') IS NULL"),
        "t",
        "the pending expand did not run"
    );

    let allowed = ApplyOptions {
        allow_drift: true,
        ..ApplyOptions::default()
    };
    apply(&all, &db, allowed).unwrap();
    assert!(
        db.value(&format!(
            "SELECT count(*) FROM cargo_migrate.history WHERE migration = '{}'",
            pending[0].id
        ))
        .parse::<u32>()
        .unwrap()
            > 0
    );
}

#[test]
fn a_database_with_tables_and_no_history_points_to_baseline() {
    let db = TestDb::create("drift_unadopted");
    db.sql("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL)")
        .unwrap();
    let err = apply(&example(), &db, ApplyOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, ApplyError::Drift { drift } if drift.against.is_none()),
        "{text}"
    );
    assert!(text.contains("+ table users"), "{text}");
    assert!(text.contains("cargo migrate baseline"), "{text}");
    assert_eq!(
        db.value("SELECT to_regclass('cargo_migrate.history') IS NOT NULL"),
        "t",
        "only the history table was made"
    );
    assert_eq!(db.value("SELECT count(*) FROM cargo_migrate.history"), "0");
}
