// CREATE INDEX without CONCURRENTLY on a table in use, in any phase.
const MIGRATIONS: &[migrate_core::migrations::EmbeddedMigration] =
    migrate_macros::migrations!("../fixtures/plain_index");

fn main() {
    let _ = MIGRATIONS;
}
