// DROP COLUMN in expand breaks the old code.
const MIGRATIONS: &[migrate_core::migrations::EmbeddedMigration] =
    migrate_macros::migrations!("../fixtures/drop_column_in_expand");

fn main() {
    let _ = MIGRATIONS;
}
