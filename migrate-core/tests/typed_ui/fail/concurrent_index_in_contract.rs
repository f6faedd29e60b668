// Indexes are built before the code that needs them is deployed: not in contract.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x")
        .expand(|_| {})
        .contract(|p| {
            p.add(CreateIndex::new("users", "users_email_idx", ["email"]).concurrently());
        });
}
