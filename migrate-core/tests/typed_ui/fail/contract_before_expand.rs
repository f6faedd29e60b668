// Contract runs only after expand (and the deploy): a migration cannot start with it.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x").contract(|p| {
        p.add(DropColumn::new("users", "legacy"));
    });
}
