// The old code may rely on an index: it is dropped in contract, not expand.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x").expand(|p| {
        p.add(DropIndex::new("users_old_idx").concurrently());
    });
}
