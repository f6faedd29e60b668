//! History integrity on a real server: a migration merged from a branch after a newer one
//! ran is refused (naming both) unless the run allows it; down files and `snapshot.json`
//! are checksummed like up files; a history table made before those checksums is upgraded
//! in place (and read as it is before that) and its old rows are not compared for files
//! they never recorded.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::apply::{ApplyError, ApplyOptions, MigrationSource, Migrator, RollbackTo};
use migrate_core::model::{Column, PrimaryKey, Table};
use migrate_core::snapshot::Snapshot;
use migrate_tests::TestDb;
use migrate_tests::runtime;
use std::path::PathBuf;

fn table(name: &str) -> Table {
    Table {
        primary_key: Some(PrimaryKey {
            name: format!("{name}_pkey"),
            columns: vec!["id".into()],
        }),
        ..Table::new(name, vec![Column::new("id", "bigint", false)])
    }
}

/// A migration creating table `t` in expand (and dropping it in its down file), whose
/// snapshot holds the tables `schema` (the schema after it, as `generate` writes it).
fn creates(id: &str, t: &str, schema: &[&str]) -> MigrationSource {
    let tables: Vec<Table> = schema.iter().map(|n| table(n)).collect();
    MigrationSource {
        id: id.to_owned(),
        path: PathBuf::from(format!("migrations/{id}")),
        files: vec![
            (
                "expand.up.sql".into(),
                format!("CREATE TABLE {t} (id bigint PRIMARY KEY);\n"),
            ),
            ("expand.down.sql".into(), format!("DROP TABLE {t};\n")),
            (
                "snapshot.json".into(),
                Snapshot::new(None, &tables).to_json(),
            ),
        ],
    }
}

fn run(sources: &[MigrationSource], db: &TestDb, options: ApplyOptions) -> Result<(), ApplyError> {
    let mut m = Migrator::new(sources.to_vec(), options);
    runtime().block_on(m.apply(db.url.as_str())).map(|_| ())
}

fn exists(db: &TestDb, table: &str) -> bool {
    db.value(&format!("SELECT to_regclass('{table}') IS NOT NULL")) == "t"
}

#[test]
fn a_migration_older_than_an_applied_one_is_refused_unless_allowed() {
    let db = TestDb::create("history_order");
    // b was generated on a branch, c on main: neither snapshot knows the other's table.
    let a = creates("20261201000000_a", "a", &["a"]);
    let b = creates("20261201000001_b", "b", &["a", "b"]);
    let c = creates("20261201000002_c", "c", &["a", "c"]);
    run(&[a.clone(), c.clone()], &db, ApplyOptions::default()).unwrap();

    // b arrives from a branch merged after c ran.
    let all = [a, b, c];
    let err = run(&all, &db, ApplyOptions::default()).unwrap_err();
    assert!(
        matches!(&err, ApplyError::OutOfOrder { pending, applied }
            if pending == "20261201000001_b" && applied == "20261201000002_c"),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("20261201000001_b") && text.contains("20261201000002_c"),
        "{text}"
    );
    assert!(text.contains("--allow-out-of-order"), "{text}");
    assert!(!exists(&db, "b"), "nothing ran");

    // A rollback is not held up by it: the newest applied migration goes.
    let mut m = Migrator::new(all.to_vec(), ApplyOptions::default());
    let done = runtime()
        .block_on(m.rollback(db.url.as_str(), None))
        .unwrap();
    assert_eq!(done.len(), 1, "{done:?}");
    assert!(!exists(&db, "c"));
    // b is still behind an applied migration (a is not: b comes after it); with c gone,
    // b and c are both pending, in order: no longer out of order.
    run(&all, &db, ApplyOptions::default()).unwrap();
    assert!(exists(&db, "b") && exists(&db, "c"));

    // Allowed explicitly, the older migration runs after the newer one.
    let db = TestDb::create("history_order_allowed");
    run(
        &[all[0].clone(), all[2].clone()],
        &db,
        ApplyOptions::default(),
    )
    .unwrap();
    let allow = ApplyOptions {
        allow_out_of_order: true,
        ..ApplyOptions::default()
    };
    run(&all, &db, allow).unwrap();
    assert!(exists(&db, "b"));
    // Once it ran, nothing is out of order any more; but the newest snapshot never had
    // b's table, which is why regenerating is the advice: drift says so.
    run(&all, &db, ApplyOptions::default()).unwrap();
    let m = Migrator::new(all.to_vec(), ApplyOptions::default());
    let drift = runtime()
        .block_on(m.drift(db.url.as_str()))
        .unwrap()
        .unwrap();
    let shown: Vec<String> = drift.differences.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        ["+ table b: not expected (found a table of 1 columns)"]
    );
}

/// Replaces the content of `name` in `m`.
fn edit(m: &mut MigrationSource, name: &str, text: &str) {
    let file = m.files.iter_mut().find(|(n, _)| n == name).unwrap();
    file.1 = text.to_owned();
}

#[test]
fn edited_down_files_and_snapshots_are_refused_like_up_files() {
    let db = TestDb::create("history_checksums");
    let a = creates("20261201000000_a", "a", &["a"]);
    run(std::slice::from_ref(&a), &db, ApplyOptions::default()).unwrap();
    assert_eq!(
        db.value(
            "SELECT down_checksum = encode(sha256('DROP TABLE a;\n'), 'hex')
               FROM cargo_migrate.history"
        ),
        "t",
        "the down file's checksum is recorded with the phase"
    );

    let snapshot = a.files[2].1.clone();
    for (name, text) in [
        ("expand.down.sql", "DROP TABLE IF EXISTS a;\n".to_owned()),
        ("snapshot.json", format!("{snapshot}\n")),
    ] {
        let mut edited = a.clone();
        edit(&mut edited, name, &text);
        let err = run(std::slice::from_ref(&edited), &db, ApplyOptions::default()).unwrap_err();
        assert!(matches!(err, ApplyError::Edited { .. }), "{name}: {err}");
        assert!(
            err.to_string()
                .contains(&format!("migrations/{}/{name}", a.id)),
            "the error names the file: {err}"
        );
        // A rollback runs the down file: it checks it too.
        let mut m = Migrator::new(vec![edited.clone()], ApplyOptions::default());
        let err = runtime()
            .block_on(m.rollback(db.url.as_str(), Some(&RollbackTo::All)))
            .unwrap_err();
        assert!(matches!(err, ApplyError::Edited { .. }), "{name}: {err}");
        let allowed = ApplyOptions {
            allow_edited: true,
            ..ApplyOptions::default()
        };
        run(std::slice::from_ref(&edited), &db, allowed).unwrap();
    }

    // A down file added after the phase ran is a change too.
    let mut without = a.clone();
    without.files.retain(|(n, _)| n != "expand.down.sql");
    let db = TestDb::create("history_checksums_added");
    run(std::slice::from_ref(&without), &db, ApplyOptions::default()).unwrap();
    let err = run(std::slice::from_ref(&a), &db, ApplyOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("(no file)") && err.to_string().contains("expand.down.sql"),
        "{err}"
    );
}

#[test]
fn a_history_table_from_before_down_checksums_is_upgraded_and_its_rows_accepted() {
    let db = TestDb::create("history_upgrade");
    let a = creates("20261201000000_a", "a", &["a"]);
    run(std::slice::from_ref(&a), &db, ApplyOptions::default()).unwrap();
    // The table as an older version made it: no down or snapshot checksum, no request.
    db.sql(
        "ALTER TABLE cargo_migrate.history DROP COLUMN down_checksum, DROP COLUMN snapshot_checksum, DROP COLUMN request",
    )
    .unwrap();
    // Read before anything upgrades it (status, drift and dry runs never do).
    let status = runtime()
        .block_on(Migrator::new(vec![a.clone()], ApplyOptions::default()).status(db.url.as_str()))
        .unwrap();
    assert_eq!(status[0].state, "applied", "{status:?}");
    let mut edited = a.clone();
    edit(&mut edited, "expand.down.sql", "DROP TABLE IF EXISTS a;\n");
    let b = creates("20261201000001_b", "b", &["a", "b"]);
    run(&[edited.clone(), b], &db, ApplyOptions::default()).unwrap();
    assert_eq!(
        db.value(
            "SELECT string_agg(migration || ':' || coalesce(length(down_checksum)::text, 'null'), ',' ORDER BY migration)
               FROM cargo_migrate.history"
        ),
        "20261201000000_a:null,20261201000001_b:64",
        "columns added back; the old row has nothing recorded, the new one has"
    );
    // Its up file is still compared.
    edit(
        &mut edited,
        "expand.up.sql",
        "CREATE TABLE a (id int PRIMARY KEY);\n",
    );
    let err = run(&[edited], &db, ApplyOptions::default()).unwrap_err();
    assert!(err.to_string().contains("expand.up.sql"), "{err}");
}
