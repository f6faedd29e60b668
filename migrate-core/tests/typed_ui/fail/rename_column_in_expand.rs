// Renaming a column in expand breaks the old code, which reads the old name.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x").expand(|p| {
        p.add(RenameColumn::new("users", "name", "full_name"));
    });
}
