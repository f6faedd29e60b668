use super::*;
use crate::model::{FkAction, IndexMethod};
use crate::sql::phase_file::{self, Unit};

/// The recipe for replacing a column with a NOT NULL one: add it nullable, index it,
/// backfill it, make it NOT NULL, drop the old column.
fn full_example() -> Migration<Contracted> {
    Migration::new("20261125120000_add_flags")
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
                .add(DropColumn::new("users", "legacy_flags"));
        })
}

fn file<'a>(files: &'a [(String, String)], name: &str) -> &'a str {
    files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, text)| text.as_str())
        .unwrap()
}

fn sql(units: &[Unit]) -> Vec<&str> {
    units
        .iter()
        .flat_map(|u| &u.statements)
        .map(|s| s.sql.as_str())
        .collect()
}

#[test]
fn renders_the_full_example() {
    let m = full_example();
    assert_eq!(m.id(), "20261125120000_add_flags");
    let files = m.files();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["expand.up.sql", "backfill.up.sql", "contract.up.sql"]
    );
    insta::assert_snapshot!("full_example_expand", file(&files, "expand.up.sql"));
    insta::assert_snapshot!("full_example_backfill", file(&files, "backfill.up.sql"));
    insta::assert_snapshot!("full_example_contract", file(&files, "contract.up.sql"));
}

#[test]
fn the_parser_reads_the_expand_file_into_one_unit_per_statement() {
    let units = phase_file::parse(file(&full_example().files(), "expand.up.sql")).unwrap();
    assert_eq!(
        sql(&units),
        [
            r#"ALTER TABLE "users" ADD COLUMN "flags" integer"#,
            r#"ALTER TABLE "users" ALTER COLUMN "flags" SET DEFAULT 0"#,
            r#"ALTER TABLE "users" ALTER COLUMN "legacy_flags" DROP NOT NULL"#,
        ]
    );
    for u in &units {
        assert_eq!(u.statements.len(), 1);
        assert!(u.short_lock_timeout && u.transactional());
        assert!(u.statements[0].batch.is_none() && u.statements[0].destroys.is_empty());
    }
}

#[test]
fn the_parser_reads_the_concurrent_index_alone_and_the_batch() {
    let units = phase_file::parse(file(&full_example().files(), "backfill.up.sql")).unwrap();
    assert_eq!(units.len(), 2);
    let index = &units[0];
    assert_eq!(index.statements.len(), 1);
    assert!(!index.transactional() && !index.short_lock_timeout);
    assert_eq!(
        index.statements[0].sql,
        r#"CREATE INDEX CONCURRENTLY "users_flags_idx" ON "users" ("flags")"#
    );
    let fill = &units[1];
    assert!(fill.transactional() && fill.short_lock_timeout);
    assert_eq!(
        fill.statements[0].sql,
        r#"UPDATE "users" SET "flags" = (coalesce(legacy_flags, 0)) WHERE "flags" IS NULL"#
    );
    assert_eq!(
        fill.statements[0].batch,
        Some(crate::plan::Batch {
            table: "users".into(),
            key: vec!["id".into()],
            set: vec![("flags".into(), "coalesce(legacy_flags, 0)".into())],
            condition: r#""flags" IS NULL"#.into(),
            batch_size: DEFAULT_BATCH_SIZE,
        })
    );
}

#[test]
fn the_parser_reads_set_not_null_by_the_check_route_and_the_destructive_drop() {
    let units = phase_file::parse(file(&full_example().files(), "contract.up.sql")).unwrap();
    assert_eq!(
        sql(&units),
        [
            r#"ALTER TABLE "users" ADD CONSTRAINT "users_flags_not_null" CHECK ("flags" IS NOT NULL) NOT VALID"#,
            r#"ALTER TABLE "users" VALIDATE CONSTRAINT "users_flags_not_null""#,
            r#"ALTER TABLE "users" ALTER COLUMN "flags" SET NOT NULL"#,
            r#"ALTER TABLE "users" DROP CONSTRAINT IF EXISTS "users_flags_not_null""#,
            r#"ALTER TABLE "users" DROP COLUMN IF EXISTS "legacy_flags""#,
        ]
    );
    let blocking: Vec<bool> = units.iter().map(|u| u.short_lock_timeout).collect();
    assert_eq!(blocking, [true, false, true, true, true]);
    assert!(units.iter().all(|u| u.transactional()));
    let destroys: Vec<&[String]> = units
        .iter()
        .map(|u| u.statements[0].destroys.as_slice())
        .collect();
    assert_eq!(
        destroys,
        [
            &[][..],
            &[],
            &[],
            &[],
            &[r#"column "users"."legacy_flags""#.to_owned()]
        ]
    );
}

#[test]
fn empty_phases_have_no_file() {
    assert!(Migration::new("20261125120000_nothing").files().is_empty());
    let m = Migration::new("20261125120000_data_only")
        .expand(|_| {})
        .backfill(|p| {
            p.add(
                BackfillColumn::new("t", "c", "lower(c)", ["a", "b"])
                    .condition("c <> lower(c)")
                    .batch_size(0),
            );
        });
    let files = m.files();
    assert_eq!(files.len(), 1);
    let units = phase_file::parse(file(&files, "backfill.up.sql")).unwrap();
    let batch = units[0].statements[0].batch.clone().unwrap();
    assert_eq!(batch.key, ["a", "b"]);
    assert_eq!(batch.condition, "c <> lower(c)");
    assert_eq!(batch.batch_size, 1, "a batch has at least one row");
}

#[test]
fn renders_every_other_operation() {
    let m = Migration::new("20261125120000_everything")
        .expand(|p| {
            p.add(
                CreateIndex::new("posts", "posts_title_idx", ["title"])
                    .unique()
                    .using(IndexMethod::Hash)
                    .predicate("title <> ''")
                    .concurrently(),
            )
            .add(AddCheck::new("posts", "posts_title_len", "length(title) < 300").not_valid())
            .add(
                AddForeignKey::new("posts", "posts_author_fkey", ["author_id"], "users", ["id"])
                    .on_delete(FkAction::Cascade)
                    .on_update(FkAction::SetNull)
                    .not_valid(),
            )
            .add(Sql::new(
                "extension the search needs",
                "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
            ));
        })
        .backfill(|p| {
            p.add(ValidateConstraint::new("posts", "posts_title_len"));
        })
        .contract(|p| {
            p.add(ValidateConstraint::new("posts", "posts_author_fkey"))
                .add(DropIndex::new("posts_old_idx").concurrently())
                .add(RenameColumn::new("posts", "body", "content"))
                .add(DropTable::new("drafts"))
                .add(
                    Sql::new(
                        "old rows",
                        "DELETE FROM audit WHERE at < now() - interval '1 year'",
                    )
                    .destructive("audit rows older than a year"),
                )
                .add(
                    Sql::new("rebuild", "REINDEX INDEX CONCURRENTLY \"a\"")
                        .no_transaction()
                        .non_blocking(),
                );
        });
    let files = m.files();
    let expand = phase_file::parse(file(&files, "expand.up.sql")).unwrap();
    assert_eq!(
        sql(&expand),
        [
            r#"CREATE UNIQUE INDEX CONCURRENTLY "posts_title_idx" ON "posts" USING hash ("title") WHERE title <> ''"#,
            r#"ALTER TABLE "posts" ADD CONSTRAINT "posts_title_len" CHECK (length(title) < 300) NOT VALID"#,
            r#"ALTER TABLE "posts" ADD CONSTRAINT "posts_author_fkey" FOREIGN KEY ("author_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE SET NULL NOT VALID"#,
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        ]
    );
    assert!(!expand[0].transactional() && !expand[0].short_lock_timeout);
    assert!(
        expand[1..]
            .iter()
            .all(|u| u.transactional() && u.short_lock_timeout)
    );
    let backfill = phase_file::parse(file(&files, "backfill.up.sql")).unwrap();
    assert!(!backfill[0].short_lock_timeout && backfill[0].transactional());
    let contract = phase_file::parse(file(&files, "contract.up.sql")).unwrap();
    assert_eq!(
        sql(&contract),
        [
            r#"ALTER TABLE "posts" VALIDATE CONSTRAINT "posts_author_fkey""#,
            r#"DROP INDEX CONCURRENTLY IF EXISTS "posts_old_idx""#,
            r#"ALTER TABLE "posts" RENAME COLUMN "body" TO "content""#,
            r#"DROP TABLE IF EXISTS "drafts""#,
            "DELETE FROM audit WHERE at < now() - interval '1 year'",
            "REINDEX INDEX CONCURRENTLY \"a\"",
        ]
    );
    let shape: Vec<(bool, bool)> = contract
        .iter()
        .map(|u| (u.transactional(), u.short_lock_timeout))
        .collect();
    assert_eq!(
        shape,
        [
            (true, false),
            (false, false),
            (true, true),
            (true, true),
            (true, true),
            (false, false)
        ]
    );
    assert_eq!(contract[3].statements[0].destroys, [r#"table "drafts""#]);
    assert_eq!(
        contract[4].statements[0].destroys,
        ["audit rows older than a year"]
    );
    assert!(file(&files, "contract.up.sql").contains("-- Step 5: Custom SQL: old rows\n"));
}

#[test]
fn names_are_quoted_and_cannot_escape_a_comment() {
    let evil = "x\"\nDROP TABLE users; --";
    let m = Migration::new("20261125120000_evil\nDROP TABLE users;").expand(|p| {
        p.add(AddColumn::new(evil, evil, "text"));
    });
    let files = m.files();
    let units = phase_file::parse(file(&files, "expand.up.sql")).unwrap();
    assert_eq!(
        sql(&units),
        [
            "ALTER TABLE \"x\"\"\nDROP TABLE users; --\" ADD COLUMN \"x\"\"\nDROP TABLE users; --\" text"
        ]
    );
}

#[test]
fn every_phase_marker_names_its_phase() {
    assert_eq!(Expand::PHASE, Phase::Expand);
    assert_eq!(Backfill::PHASE, Phase::Backfill);
    assert_eq!(Contract::PHASE, Phase::Contract);
}

/// What the compiler allows is what the linter allows: the typed recipe's files pass
/// every lint rule of their phase.
#[cfg(feature = "lint")]
#[test]
fn the_files_pass_the_linter() {
    let files = full_example().files();
    let findings = crate::lint::lint_migration(&files).unwrap();
    assert!(findings.is_empty(), "{findings:#?}");
}

/// Whether phase `P` accepts operation `O`, read from the trait impls the compiler checks
/// (autoref specialization: the first impl applies only when `O: AllowedIn<P>` holds).
struct Probe<O, P>(std::marker::PhantomData<(O, P)>);

trait Accepted {
    fn accepted(&self) -> bool {
        true
    }
}
impl<O: AllowedIn<P>, P: PhaseKind> Accepted for Probe<O, P> {}

trait Refused {
    fn accepted(&self) -> bool {
        false
    }
}
impl<O, P> Refused for &Probe<O, P> {}

macro_rules! accepted {
    ($o:ty, $p:ty) => {
        (&Probe::<$o, $p>(std::marker::PhantomData)).accepted()
    };
}

/// Whether the catalogue allows every statement of `O` in `phase` on a table in use.
fn catalogue_allows<O: sealed::Lower>(phase: Phase) -> bool {
    O::KINDS.iter().all(|k| k.facts().allowed_in(phase, false))
}

macro_rules! agree {
    ($($o:ty),* $(,)?) => {{
        let mut wrong = Vec::new();
        $(
            for (phase, typed) in [
                (Phase::Expand, accepted!($o, Expand)),
                (Phase::Backfill, accepted!($o, Backfill)),
                (Phase::Contract, accepted!($o, Contract)),
            ] {
                if typed != catalogue_allows::<$o>(phase) {
                    wrong.push(format!(
                        "{} in {phase}: the typed API says {typed}, the catalogue the opposite",
                        stringify!($o)
                    ));
                }
            }
        )*
        wrong
    }};
}

#[test]
fn every_operation_is_allowed_in_exactly_the_phases_the_catalogue_allows() {
    let wrong = agree!(
        AddColumn,
        SetDefault,
        DropNotNull,
        CreateIndex,
        CreateIndexConcurrently,
        DropIndex,
        DropIndexConcurrently,
        AddCheck,
        AddCheckNotValid,
        AddForeignKey,
        AddForeignKeyNotValid,
        ValidateConstraint,
        BackfillColumn,
        SetNotNull,
        SetNotNullProven,
        ProveNotNull,
        DropColumn,
        DropTable,
        RenameColumn,
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The escape hatch is not analysed: every phase takes it.
    assert!(accepted!(Sql, Expand) && accepted!(Sql, Backfill) && accepted!(Sql, Contract));
}

/// An operation's statements are of the kinds it declares (its allowances come from them).
#[test]
fn operations_lower_to_the_kinds_they_declare() {
    use crate::catalogue::Kind;
    use render::Facts;
    fn kinds<O: sealed::Lower>(op: O) -> (Vec<Kind>, &'static [Kind]) {
        let lowered = op
            .lower()
            .into_iter()
            .filter_map(|s| match s.facts {
                Facts::Known(kind, _) => Some(kind),
                Facts::Custom { .. } => None,
            })
            .collect();
        (lowered, O::KINDS)
    }
    let ops = [
        kinds(AddColumn::new("t", "c", "int")),
        kinds(SetDefault::new("t", "c", "0")),
        kinds(DropNotNull::new("t", "c")),
        kinds(CreateIndex::new("t", "i", ["c"])),
        kinds(CreateIndex::new("t", "i", ["c"]).concurrently()),
        kinds(DropIndex::new("i")),
        kinds(DropIndex::new("i").concurrently()),
        kinds(AddCheck::new("t", "k", "c > 0")),
        kinds(AddCheck::new("t", "k", "c > 0").not_valid()),
        kinds(AddForeignKey::new("t", "f", ["c"], "r", ["id"])),
        kinds(AddForeignKey::new("t", "f", ["c"], "r", ["id"]).not_valid()),
        kinds(ValidateConstraint::new("t", "k")),
        kinds(BackfillColumn::new("t", "c", "1", ["id"])),
        kinds(SetNotNull::new("t", "c")),
        kinds(SetNotNull::new("t", "c").proven()),
        kinds(ProveNotNull::new("t", "c")),
        kinds(DropColumn::new("t", "c")),
        kinds(DropTable::new("t")),
        kinds(RenameColumn::new("t", "a", "b")),
        kinds(Sql::new("why", "SELECT 1")),
    ];
    for (lowered, declared) in ops {
        assert_eq!(lowered, declared);
    }
}
