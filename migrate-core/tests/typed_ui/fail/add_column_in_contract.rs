// A new column must exist before the new code is deployed: expand, not contract.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x")
        .expand(|_| {})
        .contract(|p| {
            p.add(AddColumn::new("users", "flags", "integer"));
        });
}
