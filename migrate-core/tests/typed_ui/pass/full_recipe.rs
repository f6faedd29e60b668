// The recipe for a new NOT NULL column replacing an old one: every phase in order, every
// operation where it is safe.
use migrate_core::typed::*;

fn main() {
    let m = Migration::new("20261125120000_add_flags")
        .expand(|p| {
            p.add(AddColumn::new("users", "flags", "integer"))
                .add(SetDefault::new("users", "flags", "0"))
                .add(DropNotNull::new("users", "legacy_flags"));
        })
        .backfill(|p| {
            p.add(CreateIndex::new("users", "users_flags_idx", ["flags"]).concurrently())
                .add(BackfillColumn::new(
                    "users",
                    "flags",
                    "coalesce(legacy_flags, 0)",
                    ["id"],
                ));
        })
        .contract(|p| {
            p.add(SetNotNull::new("users", "flags"))
                .add(DropIndex::new("users_legacy_flags_idx").concurrently())
                .add(DropColumn::new("users", "legacy_flags"));
        });
    assert_eq!(m.id(), "20261125120000_add_flags");
    let names: Vec<String> = m.files().into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        ["expand.up.sql", "backfill.up.sql", "contract.up.sql"]
    );
}
