// A statement that cannot run in a transaction inside BEGIN … COMMIT.
const MIGRATIONS: &[migrate_core::migrations::EmbeddedMigration] =
    migrate_macros::migrations!("../fixtures/concurrently_in_transaction");

fn main() {
    let _ = MIGRATIONS;
}
