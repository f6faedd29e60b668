//! `squash` on a real server: the example's first two migrations become one. A database
//! that applied the originals counts it as applied (nothing runs, no drift, the next
//! migration still applies on top); a fresh database runs the squash and reaches the same
//! schema; `verify` and the `migrations!` checks accept the folder; a database that applied
//! only the first original is told to catch up first.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::apply::{ApplyError, MigrationSource, Migrator, load_dir};
use migrate_core::compare::{Options, compare};
use migrate_core::project::Project;
use migrate_tests::TestDb;
use migrate_tests::{runtime, through_contract};
use std::path::Path;

fn migrator(sources: &[MigrationSource]) -> Migrator {
    Migrator::new(sources.to_vec(), through_contract())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_squash_is_applied_where_its_originals_ran_and_runs_alone_elsewhere() {
    let tmp = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog/migrations");
    let dir = tmp.path().join("migrations");
    copy_dir(&example, &dir);
    let originals = load_dir(&dir).unwrap();
    let ids: Vec<String> = originals.iter().map(|m| m.id.clone()).collect();
    let rt = runtime();

    let old = TestDb::create("squash_old");
    rt.block_on(migrator(&originals).apply(old.url.as_str()))
        .unwrap();
    let partial = TestDb::create("squash_partial");
    rt.block_on(migrator(&originals[..1]).apply(partial.url.as_str()))
        .unwrap();

    let project = Project::open(tmp.path()).unwrap();
    let squashed = project.squash(&ids[1]).unwrap();
    assert_eq!(squashed.replaced, [ids[0].clone(), ids[1].clone()]);
    assert_eq!(squashed.path, dir.join(&ids[1]));
    assert!(!dir.join(&ids[0]).exists(), "the first original is gone");
    let sources = load_dir(&dir).unwrap();
    assert_eq!(sources.len(), 2);

    // Where the originals ran: applied already, nothing runs, no drift.
    let status = rt
        .block_on(migrator(&sources).status(old.url.as_str()))
        .unwrap();
    let states: Vec<(&str, &str)> = status
        .iter()
        .map(|s| (s.migration.as_str(), s.state))
        .collect();
    assert!(
        states
            .iter()
            .all(|(id, state)| *id != ids[1] || *state == "baselined"),
        "{states:?}"
    );
    let report = rt
        .block_on(migrator(&sources).apply(old.url.as_str()))
        .unwrap();
    assert!(report.applied.is_empty(), "{report:?}");
    let drift = rt
        .block_on(migrator(&sources).drift(old.url.as_str()))
        .unwrap()
        .unwrap();
    assert!(drift.differences.is_empty(), "{:?}", drift.differences);

    // A fresh database runs the squash, then the rest, to the same schema.
    let fresh = TestDb::create("squash_fresh");
    let report = rt
        .block_on(migrator(&sources).apply(fresh.url.as_str()))
        .unwrap();
    assert!(
        report.applied.iter().any(|(id, _)| *id == ids[1]),
        "{report:?}"
    );
    let differences = compare(
        &old.introspect().tables,
        &fresh.introspect().tables,
        Options {
            column_order: false,
        },
    );
    assert!(differences.is_empty(), "{differences:?}");

    // verify and the build-time checks accept it.
    let v = rt
        .block_on(migrator(&sources).verify(&migrate_tests::database_url()))
        .unwrap();
    assert!(v.ok(), "{:?}", v.stages);
    migrate_core::lint::check_folder(&dir, "migrations").unwrap();

    // Where only the first original ran: refused, saying what to do.
    let err = rt
        .block_on(migrator(&sources).apply(partial.url.as_str()))
        .unwrap_err();
    assert!(matches!(err, ApplyError::PartlySquashed { .. }), "{err}");
    assert!(err.to_string().contains(&ids[1]), "{err}");
}
