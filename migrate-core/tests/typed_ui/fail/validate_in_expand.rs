// VALIDATE comes after the NOT VALID constraint, in backfill (or contract).
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x").expand(|p| {
        p.add(AddCheck::new("posts", "posts_price_positive", "price >= 0").not_valid())
            .add(ValidateConstraint::new("posts", "posts_price_positive"));
    });
}
