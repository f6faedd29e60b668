use super::*;
use crate::diff::diff;
use crate::model::{Column, Table};

fn table(name: &str, columns: Vec<Column>) -> Table {
    Table::new(name, columns)
}

/// The plan, checked against the catalogue: every step allowed in its phase.
fn plan_of(old: &[Table], new: &[Table], opts: &PlanOptions) -> Result<Plan, Vec<PlanError>> {
    let p = plan(&diff(old, new), old, new, opts)?;
    let misplaced: Vec<String> = p
        .misplaced()
        .map(|s| format!("{:?} in {}: {}", s.kind, s.phase, s.sql))
        .collect();
    assert!(misplaced.is_empty(), "{}", misplaced.join("\n"));
    Ok(p)
}

#[test]
fn not_null_column_without_default_is_refused_with_the_fix() {
    let old = [table("users", vec![Column::new("id", "bigint", false)])];
    let new = [table(
        "users",
        vec![
            Column::new("id", "bigint", false),
            Column::new("age", "integer", false),
        ],
    )];
    let errs = plan_of(&old, &new, &PlanOptions::default()).unwrap_err();
    assert_eq!(errs.len(), 1);
    let msg = errs[0].to_string();
    assert!(msg.contains("table \"users\""), "{msg}");
    assert!(msg.contains("default"), "{msg}");
}

#[test]
fn volatile_defaults_are_set_after_the_add_and_backfilled_in_batches() {
    let with = |default: &str, nullable: bool| {
        let mut t = keyed("users");
        t.columns.push(Column {
            default: Some(default.into()),
            ..Column::new("c", "uuid", nullable)
        });
        [t]
    };
    let p = plan_of(
        &[keyed("users")],
        &with("gen_random_uuid()", true),
        &PlanOptions::default(),
    )
    .unwrap();
    let sql: Vec<&str> = p.steps.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sql,
        [
            r#"ALTER TABLE "users" ADD COLUMN "c" uuid"#,
            r#"ALTER TABLE "users" ALTER COLUMN "c" SET DEFAULT gen_random_uuid()"#,
            r#"UPDATE "users" SET "c" = (gen_random_uuid()) WHERE "c" IS NULL"#,
        ]
    );
    assert_eq!(p.steps[2].batch.as_ref().unwrap().key, ["id"]);
    // Without a primary key there is nothing to batch along.
    let no_key = [table("users", vec![Column::new("id", "bigint", false)])];
    let mut new = no_key.clone();
    new[0].columns.push(Column {
        default: Some("gen_random_uuid()".into()),
        ..Column::new("c", "uuid", true)
    });
    let errs = plan_of(&no_key, &new, &PlanOptions::default()).unwrap_err();
    assert!(errs[0].to_string().contains("primary key"), "{}", errs[0]);
    // Before PostgreSQL 11 any default on ADD COLUMN rewrites.
    let pg10 = PlanOptions {
        pg_version: 10,
        ..PlanOptions::default()
    };
    assert!(plan_of(&[keyed("users")], &with("'x'", false), &pg10).is_err());
    let ok = plan_of(
        &[keyed("users")],
        &with("'x'", false),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(ok.steps.len(), 1);
    assert!(!ok.steps[0].rewrites());
}

#[test]
fn dropping_a_table_needs_acknowledgement() {
    let old = [table("users", vec![Column::new("id", "bigint", false)])];
    let errs = plan_of(&old, &[], &PlanOptions::default()).unwrap_err();
    assert!(matches!(&errs[0], PlanError::DropNotAcknowledged { flag, .. } if flag == "users"));
    let opts = PlanOptions {
        allow_drop: vec!["users".into()],
        ..PlanOptions::default()
    };
    let p = plan_of(&old, &[], &opts).unwrap();
    assert_eq!(p.steps[0].phase, Phase::Contract);
    assert_eq!(p.steps[0].destroys, [r#"table "users""#]);
}

#[test]
fn every_refused_change_is_reported() {
    let old = [table(
        "users",
        vec![
            Column::new("id", "bigint", false),
            Column::new("a", "text", true),
        ],
    )];
    let new = [table(
        "users",
        vec![
            Column::new("id", "integer", false),
            Column::new("b", "text", false),
        ],
    )];
    let errs = plan_of(&old, &new, &PlanOptions::default()).unwrap_err();
    assert_eq!(errs.len(), 3, "{errs:#?}"); // a rewriting type change, a NOT NULL add, a drop
}

fn keyed(name: &str) -> Table {
    let mut t = table(name, vec![Column::new("id", "bigint", false)]);
    t.primary_key = Some(crate::model::PrimaryKey {
        name: format!("{name}_pkey"),
        columns: vec!["id".into()],
    });
    t
}

fn fk(name: &str, column: &str, ref_table: &str, ref_column: &str) -> crate::model::ForeignKey {
    crate::model::ForeignKey {
        name: name.into(),
        columns: vec![column.into()],
        ref_table: ref_table.into(),
        ref_columns: vec![ref_column.into()],
        on_delete: Default::default(),
        on_update: Default::default(),
        deferrable: false,
        initially_deferred: false,
    }
}

#[test]
fn a_foreign_key_cannot_wait_for_a_unique_index_built_in_the_same_migration() {
    let old = [keyed("users")];
    let mut users = keyed("users");
    users.columns.push(Column::new("code", "text", true));
    users.indexes.push(crate::model::Index {
        name: "users_code_key".into(),
        columns: vec!["code".into()],
        unique: true,
        method: Default::default(),
        predicate: None,
        constraint: false,
        order: Vec::new(),
        include: Vec::new(),
        with: Vec::new(),
        ops: Vec::new(),
        collations: Vec::new(),
    });
    let mut invites = keyed("invites");
    invites.columns.push(Column::new("code", "text", true));
    invites
        .foreign_keys
        .push(fk("invites_code_fkey", "code", "users", "code"));
    let errs = plan_of(&old, &[users, invites], &PlanOptions::default()).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0]
            .to_string()
            .contains("builds concurrently in backfill"),
        "{}",
        errs[0]
    );
}

#[test]
fn a_table_still_referenced_cannot_be_dropped() {
    let mut posts = keyed("posts");
    posts.columns.push(Column::new("author_id", "bigint", true));
    posts
        .foreign_keys
        .push(fk("posts_author_id_fkey", "author_id", "authors", "id"));
    let old = [keyed("authors"), posts.clone()];
    let opts = PlanOptions {
        allow_drop: vec!["authors".into()],
        ..PlanOptions::default()
    };
    let errs = plan_of(&old, &[posts], &opts).unwrap_err();
    assert!(
        errs[0]
            .to_string()
            .contains("\"posts_author_id_fkey\" of table \"posts\" still references it"),
        "{}",
        errs[0]
    );
}

#[test]
fn foreign_keys_to_tables_outside_the_models_are_added_not_valid() {
    let mut t = keyed("orders");
    t.columns.push(Column::new("account_id", "bigint", true));
    t.foreign_keys.push(fk(
        "orders_account_id_fkey",
        "account_id",
        "auth_accounts",
        "id",
    ));
    let p = plan_of(&[], &[t], &PlanOptions::default()).unwrap();
    let fk_step = p
        .steps
        .iter()
        .find(|s| s.sql.contains("FOREIGN KEY"))
        .unwrap();
    assert!(fk_step.sql.ends_with("NOT VALID"), "{}", fk_step.sql);
    assert!(
        p.steps
            .iter()
            .any(|s| s.phase == Phase::Backfill && s.sql.contains("VALIDATE"))
    );
}

#[test]
fn a_backfill_expression_takes_the_check_route_with_a_fill_trigger() {
    let mut t = keyed("t");
    t.columns.push(Column {
        backfill: Some("id * 2".into()),
        ..Column::new("n", "bigint", false)
    });
    let p = plan_of(&[keyed("t")], &[t], &PlanOptions::default()).unwrap();
    let expected = [
        (Phase::Expand, r#"ADD COLUMN "n" bigint"#),
        (
            Phase::Expand,
            r#"CREATE OR REPLACE FUNCTION "t_n_fill_6ddbb708"()"#,
        ),
        (
            Phase::Expand,
            r#"CREATE TRIGGER "t_n_fill" BEFORE INSERT OR UPDATE"#,
        ),
        (
            Phase::Backfill,
            r#"UPDATE "t" SET "n" = (id * 2) WHERE "n" IS NULL"#,
        ),
        (Phase::Backfill, r#"CHECK ("n" IS NOT NULL) NOT VALID"#),
        (Phase::Backfill, r#"VALIDATE CONSTRAINT "t_n_not_null""#),
        (Phase::Contract, r#"ALTER COLUMN "n" SET NOT NULL"#),
        (
            Phase::Contract,
            r#"DROP CONSTRAINT IF EXISTS "t_n_not_null""#,
        ),
        (Phase::Contract, r#"DROP TRIGGER IF EXISTS "t_n_fill""#),
        (
            Phase::Contract,
            r#"DROP FUNCTION IF EXISTS "t_n_fill_6ddbb708"()"#,
        ),
    ];
    assert_eq!(p.steps.len(), expected.len(), "{:#?}", p.steps);
    for (step, (phase, fragment)) in p.steps.iter().zip(expected) {
        assert_eq!(step.phase, phase, "{}", step.sql);
        assert!(step.sql.contains(fragment), "{} lacks {fragment}", step.sql);
    }
}

#[test]
fn making_a_column_not_null_needs_a_value_for_the_nulls() {
    let mut old = keyed("t");
    old.columns.push(Column::new("n", "text", true));
    let mut new = keyed("t");
    new.columns.push(Column::new("n", "text", false));
    let errs = plan_of(
        std::slice::from_ref(&old),
        std::slice::from_ref(&new),
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(errs[0].to_string().contains("`backfill"), "{}", errs[0]);
    new.columns[1].backfill = Some("'none'".into());
    let p = plan_of(&[old], &[new], &PlanOptions::default()).unwrap();
    assert!(p.steps.iter().any(|s| s.sql.contains("SET NOT NULL")));
}

#[test]
fn no_nulls_proves_not_null_without_an_update() {
    let mut old = keyed("t");
    old.columns.push(Column::new("n", "text", true));
    let mut new = keyed("t");
    new.columns.push(Column {
        no_nulls: true,
        ..Column::new("n", "text", false)
    });
    let p = plan_of(&[old], std::slice::from_ref(&new), &PlanOptions::default()).unwrap();
    let steps: Vec<(Phase, &str)> = p.steps.iter().map(|s| (s.phase, s.sql.as_str())).collect();
    assert_eq!(
        steps,
        [
            (
                Phase::Backfill,
                r#"ALTER TABLE "t" ADD CONSTRAINT "t_n_not_null" CHECK ("n" IS NOT NULL) NOT VALID"#
            ),
            (
                Phase::Backfill,
                r#"ALTER TABLE "t" VALIDATE CONSTRAINT "t_n_not_null""#
            ),
            (
                Phase::Contract,
                r#"ALTER TABLE "t" ALTER COLUMN "n" SET NOT NULL"#
            ),
            (
                Phase::Contract,
                r#"ALTER TABLE "t" DROP CONSTRAINT IF EXISTS "t_n_not_null""#
            ),
        ]
    );
    // A new column has no rows to prove anything of.
    let errs = plan_of(&[keyed("t")], &[new], &PlanOptions::default()).unwrap_err();
    assert!(
        errs[0]
            .to_string()
            .contains("`no_nulls` is for an existing column"),
        "{}",
        errs[0]
    );
}

#[test]
fn every_type_change_goes_through_a_swapped_column() {
    let with = |ty: &str| {
        let mut t = keyed("t");
        t.columns.push(Column::new("s", ty, true));
        t
    };
    // Binary-coercible, yet not in place: the result type of prepared statements changes.
    let p = plan_of(
        &[with("character varying(20)")],
        &[with("text")],
        &PlanOptions::default(),
    )
    .unwrap();
    assert!(
        p.steps.iter().all(|s| !s.sql.contains(" TYPE ")),
        "never ALTER TYPE"
    );
    assert!(
        p.steps
            .iter()
            .any(|s| s.sql.contains(r#"ADD COLUMN "s_migrate_new" text"#))
    );

    let p = plan_of(
        &[with("integer")],
        &[with("bigint")],
        &PlanOptions::default(),
    )
    .unwrap();
    assert!(
        p.steps.iter().all(|s| !s.sql.contains("TYPE bigint")),
        "never ALTER TYPE"
    );
    let view = p
        .steps
        .iter()
        .find(|s| s.sql.contains("CREATE OR REPLACE VIEW"))
        .unwrap();
    assert!(
        view.sql.contains(r#""s_migrate_new" AS "s""#),
        "{}",
        view.sql
    );
    // In contract: the trigger drop, the column drop and the rename share one transaction.
    let swap: Vec<&Step> = p
        .steps
        .iter()
        .filter(|s| s.phase == Phase::Contract && s.shares_transaction)
        .collect();
    assert_eq!(
        swap.len(),
        3,
        "the trigger drop, the column drop and the rename share one transaction"
    );
    assert!(swap[0].sql.starts_with("DROP TRIGGER"), "{}", swap[0].sql);
    assert!(
        swap[2]
            .sql
            .ends_with(r#"RENAME COLUMN "s_migrate_new" TO "s""#)
    );
    let copy_back = &swap[1].down[1];
    assert!(
        copy_back.sql.ends_with(r#"("s_migrate_new")::integer"#),
        "{}",
        copy_back.sql
    );

    // The column's indexes are built on the new column in backfill and renamed in the swap.
    let ix = crate::model::Index {
        name: "t_s_idx".into(),
        columns: vec!["s".into()],
        unique: true,
        method: Default::default(),
        predicate: None,
        constraint: false,
        order: Vec::new(),
        include: Vec::new(),
        with: Vec::new(),
        ops: Vec::new(),
        collations: Vec::new(),
    };
    let mut indexed = with("integer");
    indexed.indexes.push(ix.clone());
    let mut target = with("bigint");
    target.indexes = indexed.indexes.clone();
    let p = plan_of(
        &[indexed.clone()],
        &[target.clone()],
        &PlanOptions::default(),
    )
    .unwrap();
    let build = p
        .steps
        .iter()
        .find(|s| s.sql.starts_with("CREATE UNIQUE INDEX CONCURRENTLY"))
        .unwrap();
    assert_eq!(build.phase, Phase::Backfill);
    assert_eq!(
        build.sql,
        r#"CREATE UNIQUE INDEX CONCURRENTLY "t_s_idx_migrate_new" ON "t" ("s_migrate_new")"#
    );
    let swap: Vec<&str> = p
        .steps
        .iter()
        .filter(|s| s.phase == Phase::Contract && s.shares_transaction)
        .map(|s| s.sql.as_str())
        .collect();
    assert_eq!(
        swap.last().copied(),
        Some(r#"ALTER INDEX "t_s_idx_migrate_new" RENAME TO "t_s_idx""#)
    );
    // The down of the column drop rebuilds the old index on the restored column.
    let restore = p
        .steps
        .iter()
        .find(|s| s.sql.contains(r#"DROP COLUMN IF EXISTS "s""#))
        .unwrap();
    assert_eq!(
        restore.down.last().unwrap().sql,
        r#"CREATE UNIQUE INDEX CONCURRENTLY "t_s_idx" ON "t" ("s")"#
    );

    // An index on the column new in the same migration is built on the new column, once.
    let mut added = target.clone();
    added.indexes[0].name = "t_s_new".into();
    let p = plan_of(&[with("integer")], &[added], &PlanOptions::default()).unwrap();
    let builds: Vec<&str> = p
        .steps
        .iter()
        .filter(|s| s.sql.starts_with("CREATE UNIQUE INDEX"))
        .map(|s| s.sql.as_str())
        .collect();
    assert_eq!(
        builds,
        [r#"CREATE UNIQUE INDEX CONCURRENTLY "t_s_new_migrate_new" ON "t" ("s_migrate_new")"#]
    );
    let mut partial = indexed.clone();
    partial.indexes[0].predicate = Some("s > 0".into());
    let mut partial_target = target.clone();
    partial_target.indexes = partial.indexes.clone();
    let p = plan_of(&[partial], &[partial_target], &PlanOptions::default()).unwrap();
    assert!(
        p.steps.iter().any(|s| s.sql
            == r#"CREATE UNIQUE INDEX CONCURRENTLY "t_s_idx_migrate_new" ON "t" ("s_migrate_new") WHERE "s_migrate_new" > 0"#),
        "the predicate names the new column: {:#?}",
        p.steps
    );
}

#[test]
fn dropped_tables_go_in_one_statement_before_index_drops() {
    let mut a = keyed("a");
    a.columns.push(Column::new("b_id", "bigint", true));
    a.foreign_keys.push(fk("a_b_id_fkey", "b_id", "b", "id"));
    let mut b = keyed("b");
    b.columns.push(Column::new("a_id", "bigint", true));
    b.foreign_keys.push(fk("b_a_id_fkey", "a_id", "a", "id"));
    let mut users = keyed("users");
    users.indexes.push(crate::model::Index {
        name: "users_id_idx".into(),
        columns: vec!["id".into()],
        unique: false,
        method: Default::default(),
        predicate: None,
        constraint: false,
        order: Vec::new(),
        include: Vec::new(),
        with: Vec::new(),
        ops: Vec::new(),
        collations: Vec::new(),
    });
    let opts = PlanOptions {
        allow_drop: vec!["a".into(), "b".into()],
        ..PlanOptions::default()
    };
    let p = plan_of(&[a, b, users], &[keyed("users")], &opts).unwrap();
    let sql: Vec<&str> = p.steps.iter().map(|s| s.sql.as_str()).collect();
    assert_eq!(
        sql,
        [
            r#"DROP TABLE "a", "b""#,
            r#"DROP INDEX CONCURRENTLY IF EXISTS "users_id_idx""#
        ]
    );
    assert_eq!(p.steps[0].destroys, [r#"table "a""#, r#"table "b""#]);
}

#[test]
fn a_primary_key_needs_not_null_columns() {
    let old = table("t", vec![Column::new("id", "bigint", true)]);
    let new = keyed("t");
    let errs = plan_of(&[old], &[new], &PlanOptions::default()).unwrap_err();
    // The key column comes from an Option: without a backfill value it cannot become
    // NOT NULL, so the change is refused with the fix.
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].to_string().contains("add `backfill"), "{}", errs[0]);
}

/// `t` keyed on `id`, with a NOT NULL `code`; `r` referencing `t(id)`.
fn keyed_and_referenced() -> [Table; 2] {
    let mut t = keyed("t");
    t.columns.push(Column::new("code", "text", false));
    let mut r = keyed("r");
    r.columns.push(Column::new("t_id", "bigint", false));
    r.foreign_keys.push(fk("r_t_id_fkey", "t_id", "t", "id"));
    [t, r]
}

fn sql_of(p: &Plan) -> Vec<String> {
    p.steps
        .iter()
        .map(|s| format!("{} {}", s.phase, s.sql))
        .collect()
}

#[test]
fn a_moved_primary_key_is_built_aside_and_swapped_in_one_contract_transaction() {
    let [t, _] = keyed_and_referenced();
    let mut new = t.clone();
    new.primary_key.as_mut().unwrap().columns = vec!["code".into(), "id".into()];
    let p = plan_of(std::slice::from_ref(&t), &[new], &PlanOptions::default()).unwrap();
    assert_eq!(
        sql_of(&p),
        [
            r#"backfill CREATE UNIQUE INDEX CONCURRENTLY "t_pkey_migrate_new" ON "t" ("code", "id")"#,
            r#"contract ALTER TABLE "t" DROP CONSTRAINT "t_pkey""#,
            r#"contract ALTER TABLE "t" ADD CONSTRAINT "t_pkey" PRIMARY KEY USING INDEX "t_pkey_migrate_new""#,
        ]
    );
    assert!(p.steps[1..].iter().all(|s| s.shares_transaction));
    // Dropped: one statement in contract, its down building it again.
    let mut keyless = t.clone();
    keyless.primary_key = None;
    let p = plan_of(&[t], &[keyless], &PlanOptions::default()).unwrap();
    assert_eq!(
        sql_of(&p),
        [r#"contract ALTER TABLE "t" DROP CONSTRAINT "t_pkey""#]
    );
    assert_eq!(p.steps[0].down.len(), 2);
}

#[test]
fn foreign_keys_on_the_old_key_are_re_pointed_or_the_move_is_refused() {
    let old = keyed_and_referenced();
    let mut new = old.clone();
    new[0].primary_key.as_mut().unwrap().columns = vec!["code".into()];
    let errs = plan_of(&old, &new, &PlanOptions::default()).unwrap_err();
    assert!(
        errs[0].to_string().contains("keep them unique"),
        "{}",
        errs[0]
    );
    // `id` kept unique by an index this migration builds: that index first.
    new[0].indexes.push(index("t_id_key", &["id"], true));
    let errs = plan_of(&old, &new, &PlanOptions::default()).unwrap_err();
    assert!(errs[0].to_string().contains("in the next"), "{}", errs[0]);
    // With `id` unique already the reference moves to its index in the key's transaction.
    let mut old = old;
    old[0].indexes.push(index("t_id_key", &["id"], true));
    let p = plan_of(&old, &new, &PlanOptions::default()).unwrap();
    assert_eq!(
        sql_of(&p),
        [
            r#"backfill CREATE UNIQUE INDEX CONCURRENTLY "t_pkey_migrate_new" ON "t" ("code")"#,
            r#"contract ALTER TABLE "r" DROP CONSTRAINT IF EXISTS "r_t_id_fkey""#,
            r#"contract ALTER TABLE "t" DROP CONSTRAINT "t_pkey""#,
            r#"contract ALTER TABLE "t" ADD CONSTRAINT "t_pkey" PRIMARY KEY USING INDEX "t_pkey_migrate_new""#,
            r#"contract ALTER TABLE "r" ADD CONSTRAINT "r_t_id_fkey" FOREIGN KEY ("t_id") REFERENCES "t" ("id") NOT VALID"#,
            r#"contract ALTER TABLE "r" VALIDATE CONSTRAINT "r_t_id_fkey""#,
        ]
    );
    let shared: Vec<bool> = p.steps.iter().map(|s| s.shares_transaction).collect();
    assert_eq!(shared, [false, true, true, true, true, false]);
    // A new reference to the new key waits for its index: refused with the way forward.
    new[1].foreign_keys[0].ref_columns = vec!["code".into()];
    new[1].foreign_keys[0].name = "r_code_fkey".into();
    let errs = plan_of(&old, &new, &PlanOptions::default()).unwrap_err();
    assert!(
        errs.iter().any(|e| e.to_string().contains("in the next")),
        "{errs:#?}"
    );
}

#[test]
fn a_key_column_dropped_with_its_key_needs_a_default_until_contract() {
    let mut old = keyed("t");
    old.columns.push(Column::new("code", "text", false));
    let mut new = table("t", vec![Column::new("code", "text", false)]);
    new.primary_key = Some(crate::model::PrimaryKey {
        name: "t_pkey".into(),
        columns: vec!["code".into()],
    });
    let opts = PlanOptions {
        allow_drop: vec!["t.id".into()],
        ..PlanOptions::default()
    };
    let errs = plan_of(
        std::slice::from_ref(&old),
        std::slice::from_ref(&new),
        &opts,
    )
    .unwrap_err();
    assert!(
        errs[0].to_string().contains("give it a default"),
        "{}",
        errs[0]
    );
    // An identity fills it for new code's inserts: the key swap goes before the drop.
    old.columns[0].identity = true;
    let p = plan_of(&[old], &[new], &opts).unwrap();
    let contract: Vec<&str> = p
        .steps
        .iter()
        .filter(|s| s.phase == Phase::Contract)
        .map(|s| s.sql.as_str())
        .collect();
    assert_eq!(contract.len(), 3, "{contract:#?}");
    assert!(
        contract[2].ends_with(r#"DROP COLUMN IF EXISTS "id""#),
        "{contract:#?}"
    );
}

#[test]
fn shrinking_strings_assigns_and_rounding_numerics_is_refused() {
    let with = |ty: &str| {
        let mut t = keyed("t");
        t.columns.push(Column::new("s", ty, true));
        t
    };
    let p = plan_of(
        &[with("character varying(100)")],
        &[with("character varying(20)")],
        &PlanOptions::default(),
    )
    .unwrap();
    let fill = p.steps.iter().find(|s| s.batch.is_some()).unwrap();
    assert_eq!(
        fill.sql,
        r#"UPDATE "t" SET "s_migrate_new" = ("s") WHERE "s_migrate_new" IS NULL AND "s" IS NOT NULL"#,
        "no explicit cast: it would truncate instead of failing"
    );
    let errs = plan_of(
        &[with("numeric(10,4)")],
        &[with("numeric(10,2)")],
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(errs[0].to_string().contains("rounds"), "{}", errs[0]);
}

#[test]
fn function_names_never_collide_across_tables() {
    use super::fill_function_name;
    assert_ne!(
        fill_function_name("a_b", "c"),
        fill_function_name("a", "b_c")
    );
    let long = "x".repeat(70);
    assert!(fill_function_name(&long, &long).len() <= 63);
}

#[test]
fn renames_and_type_changes_keep_the_old_rules_and_refuse_what_would_vanish() {
    let with = |name: &str, ty: &str, nullable: bool, check: Option<&str>| {
        let mut t = keyed("t");
        t.columns.push(Column::new(name, ty, nullable));
        if let Some(expr) = check {
            t.checks.push(crate::model::Check {
                name: "t_check".into(),
                expr: expr.into(),
            });
        }
        t
    };
    let renamed = |mut t: Table| {
        t.columns[1].renamed_from = Some("a".into());
        t
    };
    // NOT NULL -> nullable with a rename: the old column's NOT NULL goes in expand, or it
    // would refuse the NULLs of new code the trigger copies back.
    let p = plan_of(
        &[with("a", "text", false, None)],
        &[renamed(with("b", "text", true, None))],
        &PlanOptions::default(),
    )
    .unwrap();
    assert!(
        p.steps.iter().any(|s| s.phase == Phase::Expand
            && s.sql == r#"ALTER TABLE "t" ALTER COLUMN "a" DROP NOT NULL"#),
        "{:#?}",
        p.steps
    );
    // Nullable -> NOT NULL with a rename needs a value for the NULLs.
    let errs = plan_of(
        &[with("a", "text", true, None)],
        &[renamed(with("b", "text", false, None))],
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(errs[0].to_string().contains("`no_nulls`"), "{}", errs[0]);
    // A check still naming the old column would vanish with it at contract.
    let errs = plan_of(
        &[with("a", "text", true, Some("char_length(a) > 0"))],
        &[renamed(with("b", "text", true, Some("char_length(a) > 0")))],
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(errs[0].to_string().contains("still names"), "{}", errs[0]);
    // A type change of a column a new check uses.
    let errs = plan_of(
        &[with("a", "integer", true, None)],
        &[with("a", "bigint", true, Some("a > 0"))],
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.to_string().contains("add the constraint in the next")),
        "{errs:#?}"
    );
}

fn index(name: &str, columns: &[&str], unique: bool) -> crate::model::Index {
    crate::model::Index {
        name: name.into(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        unique,
        method: Default::default(),
        predicate: None,
        constraint: false,
        order: Vec::new(),
        include: Vec::new(),
        with: Vec::new(),
        ops: Vec::new(),
        collations: Vec::new(),
    }
}

#[test]
fn a_redefined_index_is_built_under_a_temporary_name_and_swapped_in_contract() {
    let mut old = keyed("users");
    old.columns.push(Column::new("email", "text", false));
    old.columns.push(Column::new("org", "bigint", false));
    let mut new = old.clone();
    old.indexes.push(index("users_email", &["email"], false));
    new.indexes
        .push(index("users_email", &["org", "email"], true));
    let p = plan_of(&[old], &[new], &PlanOptions::default()).unwrap();
    let steps: Vec<(Phase, &str)> = p.steps.iter().map(|s| (s.phase, s.sql.as_str())).collect();
    assert_eq!(
        steps,
        [
            (
                Phase::Backfill,
                r#"CREATE UNIQUE INDEX CONCURRENTLY "users_email_migrate_new" ON "users" ("org", "email")"#
            ),
            (
                Phase::Contract,
                r#"DROP INDEX CONCURRENTLY IF EXISTS "users_email""#
            ),
            (
                Phase::Contract,
                r#"ALTER INDEX IF EXISTS "users_email_migrate_new" RENAME TO "users_email""#
            ),
        ]
    );
    assert_eq!(
        p.steps[2]
            .down
            .iter()
            .map(|d| d.sql.as_str())
            .collect::<Vec<_>>(),
        [r#"ALTER INDEX IF EXISTS "users_email" RENAME TO "users_email_migrate_new""#]
    );
}

#[test]
fn an_index_name_moved_to_another_table_waits_for_the_old_index_drop() {
    let mut a = keyed("a");
    a.columns.push(Column::new("x", "text", false));
    let mut b = keyed("b");
    b.columns.push(Column::new("x", "text", false));
    let (mut old_a, mut new_b) = (a.clone(), b.clone());
    old_a.indexes.push(index("by_x", &["x"], false));
    new_b.indexes.push(index("by_x", &["x"], false));
    let p = plan_of(&[old_a, b], &[a, new_b], &PlanOptions::default()).unwrap();
    let steps: Vec<(Phase, &str)> = p.steps.iter().map(|s| (s.phase, s.sql.as_str())).collect();
    assert_eq!(
        steps,
        [
            (
                Phase::Backfill,
                r#"CREATE INDEX CONCURRENTLY "by_x_migrate_new" ON "b" ("x")"#
            ),
            (
                Phase::Contract,
                r#"DROP INDEX CONCURRENTLY IF EXISTS "by_x""#
            ),
            (
                Phase::Contract,
                r#"ALTER INDEX IF EXISTS "by_x_migrate_new" RENAME TO "by_x""#
            ),
        ]
    );
}

#[test]
fn a_unique_index_a_foreign_key_needs_is_not_rebuilt() {
    let mut users = keyed("users");
    users.columns.push(Column::new("email", "text", false));
    let mut old_users = users.clone();
    old_users
        .indexes
        .push(index("users_email", &["email"], true));
    users.indexes.push(index("users_email", &["email"], false));
    let mut logins = keyed("logins");
    logins.columns.push(Column::new("email", "text", false));
    logins
        .foreign_keys
        .push(fk("logins_email_fkey", "email", "users", "email"));
    let errs = plan_of(
        &[old_users, logins.clone()],
        &[users, logins],
        &PlanOptions::default(),
    )
    .unwrap_err();
    let msg = errs[0].to_string();
    assert!(msg.contains("logins_email_fkey"), "{msg}");
    assert!(msg.contains("new `name`"), "{msg}");
}

#[test]
fn a_swap_hands_over_sequences_it_can_name_and_refuses_the_rest() {
    use crate::catalogue::Kind;
    let with = |ty: &str, default: Option<&str>, identity: bool| {
        let mut t = keyed("t");
        let mut c = Column::new("n", ty, false);
        c.default = default.map(str::to_owned);
        c.identity = identity;
        t.columns.push(c);
        t
    };
    let serial = Some("nextval('t_n_seq'::regclass)");
    let p = plan_of(
        &[with("integer", serial, false)],
        &[with("bigint", serial, false)],
        &PlanOptions::default(),
    )
    .unwrap();
    assert!(
        p.steps
            .iter()
            .any(|s| s.sql == r#"ALTER SEQUENCE "t_n_seq" AS bigint OWNED BY "t"."n_migrate_new""#),
        "the serial's sequence follows the new column"
    );
    let refused = |from: Table, to: Table| {
        plan_of(&[from], &[to], &PlanOptions::default())
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let other = Some("nextval(pick_sequence())");
    assert!(
        refused(with("integer", other, false), with("bigint", other, false))
            .contains("draws from a sequence"),
    );
    assert!(
        refused(with("integer", None, true), with("bigint", None, false))
            .contains("add or drop the identity in the next"),
    );
    let p = plan_of(
        &[with("integer", None, true)],
        &[with("bigint", None, true)],
        &PlanOptions::default(),
    )
    .unwrap();
    let kinds: Vec<Kind> = p
        .steps
        .iter()
        .filter(|s| s.phase == Phase::Contract)
        .map(|s| s.kind)
        .filter(|k| {
            matches!(
                k,
                Kind::AddIdentity | Kind::SetSequenceValue | Kind::RenameSequence
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            Kind::AddIdentity,
            Kind::SetSequenceValue,
            Kind::RenameSequence
        ],
        "an identity of the new column's own, counting on, under the usual name"
    );
}

#[test]
fn generated_columns_are_added_only_virtual_on_18_and_never_changed() {
    use crate::model::Generated;
    let gen_col = |is_virtual: bool, nullable: bool| Column {
        generated: Some(Generated {
            expr: "id * 2".into(),
            is_virtual,
        }),
        ..Column::new("twice", "bigint", nullable)
    };
    let with = |c: Column| {
        let mut t = keyed("t");
        t.columns.push(c);
        t
    };
    let pg18 = PlanOptions {
        pg_version: 18,
        ..PlanOptions::default()
    };
    let refused = |new: Table, opts: &PlanOptions| {
        plan_of(&[keyed("t")], &[new], opts).unwrap_err()[0].to_string()
    };
    assert!(refused(with(gen_col(false, true)), &pg18).contains("rewrites the table"));
    assert!(refused(with(gen_col(true, true)), &PlanOptions::default()).contains("PostgreSQL 18"));
    assert!(refused(with(gen_col(true, false)), &pg18).contains("make it an `Option`"));
    let p = plan_of(&[keyed("t")], &[with(gen_col(true, true))], &pg18).unwrap();
    assert_eq!(
        sql_of(&p),
        [
            r#"expand ALTER TABLE "t" ADD COLUMN "twice" bigint GENERATED ALWAYS AS (id * 2) VIRTUAL"#
        ]
    );
    // A new expression, or a plain column made generated: refused.
    let old = with(gen_col(false, true));
    let mut new = old.clone();
    new.columns[1].generated.as_mut().unwrap().expr = "id * 3".into();
    let errs = plan_of(std::slice::from_ref(&old), &[new], &pg18).unwrap_err();
    assert!(
        errs[0].to_string().contains("add a new generated column"),
        "{}",
        errs[0]
    );
    let plain = with(Column::new("twice", "bigint", true));
    let errs = plan_of(&[plain], &[old], &pg18).unwrap_err();
    assert!(
        errs[0].to_string().contains("rewrites the table"),
        "{}",
        errs[0]
    );
}

#[test]
fn what_a_generated_column_or_an_expression_names_is_not_dropped_or_swapped_under_it() {
    use crate::model::Generated;
    let mut old = keyed("t");
    old.columns.push(Column::new("price", "bigint", false));
    old.columns.push(Column {
        generated: Some(Generated {
            expr: "price * 2".into(),
            is_virtual: false,
        }),
        ..Column::new("twice", "bigint", true)
    });
    let drop_all = PlanOptions {
        allow_drop: vec!["t.price".into(), "t.twice".into()],
        ..PlanOptions::default()
    };
    let errs = plan_of(std::slice::from_ref(&old), &[keyed("t")], &drop_all).unwrap_err();
    assert!(
        errs[0]
            .to_string()
            .contains("drop \"twice\" in one migration"),
        "{}",
        errs[0]
    );
    let mut retyped = old.clone();
    retyped.columns[1].sql_type = "integer".into();
    let errs = plan_of(
        std::slice::from_ref(&old),
        &[retyped],
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(
        errs[0].to_string().contains("computed from it"),
        "{}",
        errs[0]
    );

    // An expression index the models keep on a dropped column.
    let mut old = keyed("t");
    old.columns.push(Column::new("email", "text", true));
    let mut lower = index("t_lower_email", &["(lower(email))"], false);
    old.indexes.push(lower.clone());
    let mut new = keyed("t");
    lower.name = "t_lower_email".into();
    new.indexes.push(lower);
    let opts = PlanOptions {
        allow_drop: vec!["t.email".into()],
        ..PlanOptions::default()
    };
    let errs = plan_of(&[old], &[new], &opts).unwrap_err();
    assert!(
        errs[0].to_string().contains("still names it"),
        "{}",
        errs[0]
    );

    // A virtual column on a new table before PostgreSQL 18.
    let mut created = keyed("n");
    created.columns.push(Column {
        generated: Some(Generated {
            expr: "id * 2".into(),
            is_virtual: true,
        }),
        ..Column::new("twice", "bigint", true)
    });
    let errs = plan_of(&[], &[created], &PlanOptions::default()).unwrap_err();
    assert!(
        errs[0].to_string().contains("needs PostgreSQL 18"),
        "{}",
        errs[0]
    );
}

#[test]
fn a_moving_key_refuses_what_would_hold_on_to_the_old_one() {
    // The old key column made nullable while the key moves: it is NOT NULL until contract.
    let [t, _] = keyed_and_referenced();
    let mut new = t.clone();
    new.primary_key.as_mut().unwrap().columns = vec!["code".into()];
    new.columns[0].nullable = true;
    let errs = plan_of(std::slice::from_ref(&t), &[new], &PlanOptions::default()).unwrap_err();
    assert!(
        errs[0]
            .to_string()
            .contains("in the migration after the key moves"),
        "{}",
        errs[0]
    );
    // A reference to the old key's columns added in the same migration.
    let mut old = keyed_and_referenced();
    old[0].indexes.push(index("t_id_key", &["id"], true));
    old[1].foreign_keys.clear();
    let mut new = keyed_and_referenced();
    new[0].indexes.push(index("t_id_key", &["id"], true));
    new[0].primary_key.as_mut().unwrap().columns = vec!["code".into()];
    let errs = plan_of(&old, &new, &PlanOptions::default()).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.to_string().contains("in the next migration")),
        "{errs:#?}"
    );
    // A new key on a column made NOT NULL in the same migration.
    let mut old = keyed("t");
    old.columns.push(Column::new("code", "text", true));
    let mut new = keyed("t");
    new.columns.push(Column {
        backfill: Some("'x'".into()),
        ..Column::new("code", "text", false)
    });
    new.primary_key.as_mut().unwrap().columns = vec!["code".into()];
    let errs = plan_of(&[old], &[new], &PlanOptions::default()).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.to_string().contains("NOT NULL before this migration")),
        "{errs:#?}"
    );
}
