// What the statement catalogue allows in each phase compiles there: schema additions in
// contract too, a concurrent index build and NOT VALID constraints in any phase, and a
// validation in expand (a later statement than its NOT VALID add).
use migrate_core::typed::*;

fn main() {
    let m = Migration::new("20261201120000_allowances")
        .expand(|p| {
            p.add(AddCheck::new("posts", "posts_price_positive", "price >= 0").not_valid())
                .add(ValidateConstraint::new("posts", "posts_price_positive"));
        })
        .backfill(|p| {
            p.add(AddCheck::new("posts", "posts_title_set", "title IS NOT NULL").not_valid())
                .add(ValidateConstraint::new("posts", "posts_title_set"));
        })
        .contract(|p| {
            p.add(AddColumn::new("posts", "archived_at", "timestamptz"))
                .add(SetDefault::new("posts", "views", "0"))
                .add(DropNotNull::new("posts", "legacy"))
                .add(CreateIndex::new("posts", "posts_archived_idx", ["archived_at"]).concurrently())
                .add(
                    AddForeignKey::new("posts", "posts_editor_fkey", ["editor_id"], "users", ["id"])
                        .not_valid(),
                );
        });
    let names: Vec<String> = m.files().into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["expand.up.sql", "backfill.up.sql", "contract.up.sql"]);
}
