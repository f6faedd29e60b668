// The old code still runs during backfill: SET NOT NULL belongs in contract.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x")
        .expand(|_| {})
        .backfill(|p| {
            p.add(SetNotNull::new("users", "flags"));
        });
}
