// A migration has one backfill phase.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x")
        .expand(|_| {})
        .backfill(|p| {
            p.add(BackfillColumn::new("users", "a", "0", ["id"]));
        })
        .backfill(|p| {
            p.add(BackfillColumn::new("users", "b", "0", ["id"]));
        });
}
