// Dropping a table in expand breaks the old code, which still uses it.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x").expand(|p| {
        p.add(DropTable::new("sessions"));
    });
}
