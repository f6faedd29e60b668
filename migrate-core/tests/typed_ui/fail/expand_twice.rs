// A migration has one expand phase.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x")
        .expand(|p| {
            p.add(AddColumn::new("users", "a", "text"));
        })
        .expand(|p| {
            p.add(AddColumn::new("users", "b", "text"));
        });
}
