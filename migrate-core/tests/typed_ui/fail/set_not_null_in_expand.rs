// SET NOT NULL in expand breaks the old code, which may still write NULL.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x").expand(|p| {
        p.add(SetNotNull::new("users", "flags"));
    });
}
