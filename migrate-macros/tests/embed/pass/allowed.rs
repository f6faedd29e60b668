// Safe statements, and one exempted with a reason, embed; the files come out in phase order,
// then the snapshot (the engine checks it did not change since the migration ran).
use migrate_core::migrations::EmbeddedMigration;

const MIGRATIONS: &[EmbeddedMigration] = migrate_macros::migrations!("../fixtures/pass_allowed");

fn main() {
    assert_eq!(MIGRATIONS.len(), 2);
    assert_eq!(MIGRATIONS[0].id, "20260101000000_audit");
    let names: Vec<&str> = MIGRATIONS[0].files.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["expand.up.sql", "expand.down.sql", "backfill.up.sql", "snapshot.json"]
    );
    assert!(MIGRATIONS[1].files[0].1.contains("SET NOT NULL"));
}
