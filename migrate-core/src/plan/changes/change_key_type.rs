//! A type change of a key column (`integer` → `bigint` on a primary key that foreign keys
//! reference): what `change_type` needs besides the column swap — the key, the foreign
//! keys to re-point (on their tables' new columns when those change type too), and the
//! refusals. The statements are `recipes::key_swap`'s.

use crate::catalogue::Kind;
use crate::diff::Change;
use crate::model::{ForeignKey, PrimaryKey, Table};
use crate::plan::context::Context;
use crate::plan::ddl;
use crate::plan::recipes::key_swap::Referencing;
use crate::plan::recipes::names;
use crate::plan::step::Down;

/// Whether column `column` of `table` changes type in this migration.
pub fn retyped(ctx: &Context<'_>, table: &str, column: &str) -> bool {
    ctx.changes.iter().any(|c| {
        matches!(c, Change::AlterColumn { table: t, from, to }
            if t == table && from.name == column && from.name == to.name && from.sql_type != to.sql_type)
    })
}

/// Whether `fk` references a column whose type changes in this migration (the key swap
/// re-points it; its own table's swap leaves it alone).
pub fn references_retyped(ctx: &Context<'_>, fk: &ForeignKey) -> bool {
    fk.ref_columns
        .iter()
        .any(|c| retyped(ctx, &fk.ref_table, c))
}

/// The primary key of `before` when `column` is part of it; refused when the models change
/// it in this migration too.
pub fn primary_key<'a>(
    before: &'a Table,
    after: Option<&Table>,
    column: &str,
) -> Result<Option<&'a PrimaryKey>, String> {
    let Some(pk) = before
        .primary_key
        .as_ref()
        .filter(|pk| pk.columns.iter().any(|c| c == column))
    else {
        return Ok(None);
    };
    if after.and_then(|t| t.primary_key.as_ref()) != Some(pk) {
        return Err("the primary key changes in the same migration as its column's type; change the type in one migration and the key in the next".into());
    }
    Ok(Some(pk))
}

/// Every foreign key referencing `table`.`column`, as it is and during the transition;
/// refused when one changes in this same migration.
pub fn referencing(
    ctx: &Context<'_>,
    table: &str,
    column: &str,
) -> Result<Vec<Referencing>, String> {
    let mut out = Vec::new();
    for t in &ctx.old {
        for fk in &t.foreign_keys {
            if fk.ref_table != table || !fk.ref_columns.iter().any(|c| c == column) {
                continue;
            }
            let kept = ctx
                .after(&t.name)
                .is_some_and(|n| n.foreign_keys.contains(fk));
            if !kept {
                return Err(format!(
                    "foreign key \"{}\" of \"{}\" references the column and changes in the same migration; change the type in one migration and the foreign key in the next",
                    fk.name, t.name
                ));
            }
            let physical: Vec<String> = fk
                .columns
                .iter()
                .map(|c| {
                    if retyped(ctx, &t.name, c) {
                        names::temp_column(c)
                    } else {
                        c.clone()
                    }
                })
                .collect();
            out.push(Referencing {
                table: t.name.clone(),
                swapped: physical != fk.columns,
                physical,
                fk: fk.clone(),
            });
        }
    }
    Ok(out)
}

/// For a column swapped on the referencing side: the foreign keys on it that a key swap
/// re-points, given back to the restored old column when its contract is undone.
pub fn restore(ctx: &Context<'_>, before: &Table, column: &str) -> Vec<Down> {
    let mut out = Vec::new();
    for fk in before
        .foreign_keys
        .iter()
        .filter(|f| f.columns.iter().any(|c| c == column) && references_retyped(ctx, f))
    {
        out.push(Down::new(
            Kind::AddForeignKeyNotValid,
            format!("{} NOT VALID", ddl::add_foreign_key(&before.name, fk)),
        ));
        out.push(Down::new(
            Kind::ValidateConstraint,
            ddl::validate_constraint(&before.name, &fk.name),
        ));
    }
    out
}
