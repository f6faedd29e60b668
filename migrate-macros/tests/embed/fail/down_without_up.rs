// A down file needs its up file.
const MIGRATIONS: &[migrate_core::migrations::EmbeddedMigration] =
    migrate_macros::migrations!("../fixtures/down_without_up");

fn main() {
    let _ = MIGRATIONS;
}
