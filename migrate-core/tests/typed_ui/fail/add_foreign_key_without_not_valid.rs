// A plain ADD FOREIGN KEY scans the table under a blocking lock: `.not_valid()` is required.
use migrate_core::typed::*;

fn main() {
    Migration::new("20261125120000_x").expand(|p| {
        p.add(AddForeignKey::new(
            "posts",
            "posts_author_fkey",
            ["author_id"],
            "users",
            ["id"],
        ));
    });
}
