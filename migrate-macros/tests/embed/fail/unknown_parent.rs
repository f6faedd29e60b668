// A migration whose parent folder is missing breaks the chain.
const MIGRATIONS: &[migrate_core::migrations::EmbeddedMigration] =
    migrate_macros::migrations!("../fixtures/unknown_parent");

fn main() {
    let _ = MIGRATIONS;
}
