// A schema addition belongs in expand, before the backfill that fills it.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261201120000_x")
        .expand(|_| {})
        .backfill(|p| {
            p.add(AddColumn::new("users", "flags", "integer"));
        });
}
