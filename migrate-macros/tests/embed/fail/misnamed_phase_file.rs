// A phase file must be named <phase>.<up|down>.sql.
const MIGRATIONS: &[migrate_core::migrations::EmbeddedMigration] =
    migrate_macros::migrations!("../fixtures/misnamed_phase_file");

fn main() {
    let _ = MIGRATIONS;
}
