// Timestamps must rise along the parent chain.
const MIGRATIONS: &[migrate_core::migrations::EmbeddedMigration] =
    migrate_macros::migrations!("../fixtures/out_of_order");

fn main() {
    let _ = MIGRATIONS;
}
