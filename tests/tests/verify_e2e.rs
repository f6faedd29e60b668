//! `verify` on a real server: the example's migrations pass every stage on a scratch
//! database that is dropped after; a migration whose files do not make its snapshot's
//! schema is caught at that migration, naming the difference; a down file that does not
//! undo its up is caught at the rollback.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::apply::{ApplyOptions, MigrationSource, Migrator, Verification};
use migrate_tests::TestDb;
use migrate_tests::example_migrations as example;

fn verify(sources: Vec<MigrationSource>) -> Verification {
    let server = migrate_tests::database_url();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(Migrator::new(sources, ApplyOptions::default()).verify(&server))
        .unwrap()
}

fn summary(v: &Verification) -> Vec<String> {
    v.stages
        .iter()
        .map(|s| {
            let mut line = format!("{}: {}", s.name, if s.ok() { "ok" } else { "FAIL" });
            for d in &s.differences {
                line.push_str(&format!(" | {d}"));
            }
            line
        })
        .collect()
}

fn edit(sources: &mut [MigrationSource], i: usize, file: &str, f: impl Fn(&str) -> String) {
    let (_, text) = sources[i]
        .files
        .iter_mut()
        .find(|(n, _)| n == file)
        .unwrap();
    *text = f(text);
}

#[test]
fn the_example_passes_every_stage_and_the_scratch_database_goes() {
    let all = example();
    let v = verify(all.clone());
    let ids: Vec<&str> = all.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        summary(&v),
        [
            format!("apply {}: ok", ids[0]),
            format!("apply {}: ok", ids[1]),
            format!("apply {}: ok", ids[2]),
            "apply again: ok".to_owned(),
            "rollback all: ok".to_owned(),
            "apply after rollback: ok".to_owned(),
        ]
    );
    let admin = TestDb::create("verify_admin");
    assert_eq!(
        admin.value(&format!(
            "SELECT count(*) FROM pg_database WHERE datname = '{}'",
            v.database
        )),
        "0",
        "the scratch database is dropped"
    );
}

#[test]
fn files_that_do_not_make_the_snapshot_are_caught_at_their_migration() {
    let mut all = example();
    edit(&mut all, 0, "expand.up.sql", |t| {
        format!("{t}\nALTER TABLE \"users\" ADD COLUMN \"extra\" text;\n")
    });
    let v = verify(all.clone());
    let lines = summary(&v);
    assert!(
        lines[0].contains("FAIL | + column users.extra: not expected (found text)"),
        "{lines:?}"
    );
    assert!(!v.ok());
}

#[test]
fn a_down_file_that_does_not_undo_its_up_is_caught_at_the_rollback() {
    let mut all = example();
    let last = all.len() - 1;
    edit(&mut all, last, "expand.down.sql", |t| {
        t.replace("DROP TABLE \"tags\";", "SELECT 1;")
    });
    let v = verify(all);
    let lines = summary(&v);
    assert!(
        lines.contains(
            &"rollback all: FAIL | + table tags: not expected (found a table of 2 columns)"
                .to_owned()
        ),
        "{lines:?}"
    );
}
