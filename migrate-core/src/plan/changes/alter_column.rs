//! A column whose nullability, default or identity changed (a type change is
//! `change_type`'s, a rename `rename_column`'s, an identity `change_identity`'s). NOT NULL comes by the check route, with a fill trigger for
//! the NULLs old code still writes (or, with `no_nulls`, proven by `VALIDATE` alone);
//! dropping NOT NULL is catalog only.

use super::change_identity;
use crate::model::Column;
use crate::plan::context::Context;
use crate::plan::recipes::{backfill, defaults, fill, not_null};
use crate::plan::step::{Reversible, Step};

/// The steps of `from` → `to` on `table`, or why it is refused.
pub fn plan(
    ctx: &Context<'_>,
    table: &str,
    from: &Column,
    to: &Column,
) -> Result<Vec<Step>, String> {
    if let Some(why) = super::generated_column::changed(from, to) {
        return Err(why);
    }
    if !from.nullable && to.nullable && ctx.key_of(table).is_some_and(|k| k.contains(&from.name)) {
        return Err("the column is in the primary key until contract, and PostgreSQL keeps a key column NOT NULL: make it nullable in the migration after the key moves".into());
    }
    let mut steps = Vec::new();
    let route = not_null::Route::for_version(ctx.opts.pg_version);
    if from.identity != to.identity {
        steps.extend(change_identity::plan(table, from, to)?);
    } else if from.default != to.default {
        steps.push(defaults::set(
            table,
            &to.name,
            from.default.as_deref(),
            to.default.as_deref(),
        ));
    }
    if from.nullable && !to.nullable && to.no_nulls {
        // The team knows no row is NULL: VALIDATE proves it (or fails naming the check),
        // no UPDATE and no fill trigger.
        steps.extend(not_null::check(table, &to.name, route));
        steps.extend(not_null::set(table, &to.name, None, route));
    } else if from.nullable && !to.nullable {
        let Some(expr) = to.backfill.as_deref().or(to.default.as_deref()) else {
            return Err("the column becomes NOT NULL: existing NULLs need a value, and old code may still write NULL; add `backfill = \"...\"` (an expression over the row) or `default = \"...\"` to the field, or `no_nulls` when no row is NULL and old code writes none (VALIDATE proves it, without an UPDATE)".into());
        };
        let key = ctx.key(table)?;
        steps.extend(fill::create(table, &to.name, expr));
        steps.push(backfill::backfill(
            table,
            key,
            &to.name,
            expr,
            backfill::is_null(&to.name),
            Reversible::SchemaOnly("the NULLs it replaced are not restored".into()),
        ));
        steps.extend(not_null::check(table, &to.name, route));
        steps.extend(not_null::set(table, &to.name, Some(expr), route));
    } else if !from.nullable && to.nullable {
        steps.push(not_null::drop(table, &to.name));
    }
    Ok(steps)
}
