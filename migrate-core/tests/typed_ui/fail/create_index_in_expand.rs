// A plain CREATE INDEX blocks writes while it builds: no phase accepts it.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x").expand(|p| {
        p.add(CreateIndex::new("users", "users_email_idx", ["email"]));
    });
}
