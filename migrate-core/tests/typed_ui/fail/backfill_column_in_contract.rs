// A batched backfill does not belong in contract either.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x")
        .expand(|_| {})
        .contract(|p| {
            p.add(BackfillColumn::new("users", "flags", "0", ["id"]));
        });
}
