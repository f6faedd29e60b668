// A foreign key added without NOT VALID.
const MIGRATIONS: &[migrate_core::migrations::EmbeddedMigration] =
    migrate_macros::migrations!("../fixtures/fk_without_not_valid");

fn main() {
    let _ = MIGRATIONS;
}
