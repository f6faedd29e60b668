// SET NOT NULL in expand breaks the old code; the error names file, line and statement.
const MIGRATIONS: &[migrate_core::migrations::EmbeddedMigration] =
    migrate_macros::migrations!("../fixtures/set_not_null_in_expand");

fn main() {
    let _ = MIGRATIONS;
}
