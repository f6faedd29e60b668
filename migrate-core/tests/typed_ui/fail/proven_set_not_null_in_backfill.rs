// Proving the column in backfill is fine; making it NOT NULL there is not: the old code
// still runs and may write NULL.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x")
        .expand(|p| {
            p.add(AddColumn::new("users", "flags", "integer"));
        })
        .backfill(|p| {
            p.add(ProveNotNull::new("users", "flags"))
                .add(SetNotNull::new("users", "flags").proven());
        });
}
