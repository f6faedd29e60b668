// Dropping a column in expand breaks the old code, which still reads it.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x").expand(|p| {
        p.add(DropColumn::new("users", "legacy"));
    });
}
