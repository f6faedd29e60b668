// A plain ADD CHECK scans the table under a blocking lock: `.not_valid()` is required.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x").expand(|p| {
        p.add(AddCheck::new("posts", "posts_price_positive", "price >= 0"));
    });
}
