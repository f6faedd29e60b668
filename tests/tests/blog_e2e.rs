//! The example's committed migrations on a real PostgreSQL, applied with psql exactly as
//! the file headers tell a user to: each on a database holding the previous version's rows,
//! checked against its snapshot, then rolled back to the previous snapshot.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::migrations::{self, History, Migration};
use migrate_core::model::Table;
use migrate_core::plan::Phase;
use migrate_tests::{TestDb, assert_schema_matches, checksum};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/blog")
        .join(name)
}

fn history() -> History {
    let h = migrations::load(&example().join("migrations")).expect("example migrations load");
    assert_eq!(h.migrations.len(), 3, "the example has three versions");
    h
}

fn file(m: &Migration, phase: Phase, direction: &str) -> Option<PathBuf> {
    let p = m.path.join(format!("{phase}.{direction}.sql"));
    p.exists().then_some(p)
}

fn apply(db: &TestDb, path: &Path) {
    db.apply_file(path)
        .unwrap_or_else(|e| panic!("{} failed:\n{e}", path.display()));
}

fn apply_all_up(db: &TestDb, m: &Migration) {
    for phase in Phase::ALL {
        if let Some(f) = file(m, phase, "up") {
            apply(db, &f);
        }
    }
}

/// Checksums of every table of `tables`, over the columns `tables` gives them.
fn checksums(db: &TestDb, tables: &[Table]) -> BTreeMap<String, String> {
    tables
        .iter()
        .map(|t| {
            let cols: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
            (t.name.clone(), checksum(db, &t.name, &cols))
        })
        .collect()
}

/// A database at the state just before migration `i`, with rows when there are tables.
fn database_before(history: &History, i: usize) -> (TestDb, Vec<Table>) {
    let db = TestDb::create("blog_e2e");
    for prev in &history.migrations[..i] {
        apply_all_up(&db, prev);
    }
    if i > 0 {
        apply(&db, &fixture(&format!("seed_v{i}.sql")));
    }
    let before = if i == 0 {
        Vec::new()
    } else {
        history.migrations[i - 1].snapshot.tables.clone()
    };
    assert_schema_matches(&db, &before, "before the migration");
    (db, before)
}

#[test]
fn each_migration_applies_on_rows_matches_its_snapshot_and_rolls_back() {
    let history = history();
    for (i, m) in history.migrations.iter().enumerate() {
        let (db, before) = database_before(&history, i);
        let rows_before = checksums(&db, &before);
        if i > 0 {
            let users: i64 = db.value("SELECT count(*) FROM users").parse().unwrap();
            assert!(users >= 10_000, "seeded {users} users");
        }

        // Up, every phase in order. The contract of version 3 drops "sessions": running
        // it here is this test's explicit acknowledgement.
        apply_all_up(&db, m);
        assert_schema_matches(&db, &m.snapshot.tables, &format!("{} up", m.id));
        for t in &before {
            if m.snapshot.table(&t.name).is_some() {
                let cols: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
                assert_eq!(
                    checksum(&db, &t.name, &cols),
                    rows_before[&t.name],
                    "{}: rows of \"{}\" changed",
                    m.id,
                    t.name
                );
            }
        }

        // Down, last phase first: the previous snapshot's schema comes back, with the
        // rows of every table the migration kept; a dropped table comes back empty, as
        // its file says.
        for phase in Phase::ALL.iter().rev() {
            if let Some(f) = file(m, *phase, "down") {
                apply(&db, &f);
            }
        }
        assert_schema_matches(&db, &before, &format!("{} down", m.id));
        for t in &before {
            let cols: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
            let now = checksum(&db, &t.name, &cols);
            if m.snapshot.table(&t.name).is_some() {
                assert_eq!(
                    now, rows_before[&t.name],
                    "{}: rows of \"{}\" after down",
                    m.id, t.name
                );
            } else {
                assert!(
                    now.starts_with("0:"),
                    "{}: \"{}\" recreated empty",
                    m.id,
                    t.name
                );
            }
        }
    }
}

#[test]
fn old_and_new_code_keep_working_through_the_phases() {
    let history = history();
    for (i, m) in history.migrations.iter().enumerate() {
        let (db, _) = database_before(&history, i);
        let old_code = (i > 0).then(|| fixture(&format!("writes_v{i}.sql")));
        let new_code = fixture(&format!("writes_v{}.sql", i + 1));
        for phase in Phase::ALL {
            let Some(f) = file(m, phase, "up") else {
                continue;
            };
            apply(&db, &f);
            // Old code runs until contract; contract runs only once it is gone.
            if let (Some(old), false) = (&old_code, phase == Phase::Contract) {
                apply(&db, old);
            }
            // New code is deployed once expand has run.
            apply(&db, &new_code);
        }
        assert_schema_matches(&db, &m.snapshot.tables, &format!("{} with traffic", m.id));
    }
}
