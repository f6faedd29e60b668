// An allow comment must give a reason (and the finding stays).
const MIGRATIONS: &[migrate_core::migrations::EmbeddedMigration] =
    migrate_macros::migrations!("../fixtures/allow_without_reason");

fn main() {
    let _ = MIGRATIONS;
}
