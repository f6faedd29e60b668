// A batched backfill runs in backfill, after expand added the column.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x").expand(|p| {
        p.add(AddColumn::new("users", "flags", "integer"))
            .add(BackfillColumn::new("users", "flags", "0", ["id"]));
    });
}
