// Backfill runs before contract, never after it.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x")
        .expand(|p| {
            p.add(AddColumn::new("users", "flags", "integer"));
        })
        .contract(|p| {
            p.add(DropColumn::new("users", "legacy"));
        })
        .backfill(|p| {
            p.add(BackfillColumn::new("users", "flags", "0", ["id"]));
        });
}
