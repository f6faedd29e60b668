// A plain DROP INDEX blocks reads and writes: contract needs `.concurrently()`.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x")
        .expand(|_| {})
        .contract(|p| {
            p.add(DropIndex::new("users_old_idx"));
        });
}
