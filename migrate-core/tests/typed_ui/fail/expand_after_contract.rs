// Expand cannot come back after contract.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x")
        .expand(|_| {})
        .contract(|p| {
            p.add(DropColumn::new("users", "legacy"));
        })
        .expand(|p| {
            p.add(AddColumn::new("users", "b", "text"));
        });
}
