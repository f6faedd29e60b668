// Constraints the safe way, an index built in expand, contract right after expand, and raw
// SQL (with a reason) in any phase.
use migrate_core::model::FkAction;
use migrate_core::typed::*;

fn main() {
    let m = Migration::new("20261125120000_post_constraints")
        .expand(|p| {
            p.add(AddCheck::new("posts", "posts_price_positive", "price >= 0").not_valid())
                .add(
                    AddForeignKey::new(
                        "posts",
                        "posts_author_fkey",
                        ["author_id"],
                        "users",
                        ["id"],
                    )
                    .on_delete(FkAction::Cascade)
                    .not_valid(),
                )
                .add(CreateIndex::new("posts", "posts_author_idx", ["author_id"]).concurrently())
                .add(Sql::new(
                    "trigram search",
                    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                ));
        })
        .contract(|p| {
            p.add(ValidateConstraint::new("posts", "posts_price_positive"))
                .add(ValidateConstraint::new("posts", "posts_author_fkey"))
                .add(RenameColumn::new("posts", "body", "content"))
                .add(DropTable::new("drafts"))
                .add(Sql::new("tidy up", "DROP FUNCTION IF EXISTS old_fn()"));
        });
    let names: Vec<String> = m.files().into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["expand.up.sql", "contract.up.sql"]);
}
