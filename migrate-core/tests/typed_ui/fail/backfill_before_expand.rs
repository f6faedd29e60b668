// Backfill fills what expand added: a migration cannot start with it.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x").backfill(|p| {
        p.add(BackfillColumn::new("users", "flags", "0", ["id"]));
    });
}
