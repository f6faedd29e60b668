// A migration has one contract phase.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x")
        .expand(|_| {})
        .contract(|p| {
            p.add(DropColumn::new("users", "a"));
        })
        .contract(|p| {
            p.add(DropColumn::new("users", "b"));
        });
}
