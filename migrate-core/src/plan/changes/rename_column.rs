//! A column renamed (`renamed_from`): a column swap to a column under the new name, with a
//! view in the version schema for new code. A type change rides along (the trigger casts
//! both ways); becoming NOT NULL fills the old column's NULLs from the field's `backfill` or
//! `default` (or, with `no_nulls`, VALIDATE proves there are none); becoming nullable drops
//! the old column's NOT NULL in expand. A default change waits for the next migration.

use super::replaceable;
use crate::plan::context::{Context, Planned};
use crate::plan::recipes::column_swap::{Swap, null_fill};

/// Files the rename of `table`.`from` to `to`, or why it is refused.
pub fn plan(
    ctx: &Context<'_>,
    table: &str,
    from: &str,
    to: &str,
    out: &mut Planned<'_>,
) -> Result<(), String> {
    let after = ctx.after(table).and_then(|t| t.column(to));
    let (Some(before), Some(after)) = (ctx.old_column(table, from), after) else {
        return Err("the renamed column is missing from one of the schemas".into());
    };
    if let Some(why) = super::generated_column::changed(before, after) {
        return Err(why);
    }
    if before.default != after.default {
        return Err("rename the column in one migration, and change its default in the next: during the transition the old column's default (moved into the sync trigger) applies to both".into());
    }
    if super::change_type::rounds(&before.sql_type, &after.sql_type) {
        return Err(format!(
            "{} → {} rounds existing values to the smaller scale; change the data deliberately first",
            before.sql_type, after.sql_type
        ));
    }
    let fill = null_fill(before, after)?;
    replaceable::check(table, before, after, ctx.new)?;
    if before.identity != after.identity {
        return Err(
            "rename the column in one migration, and add or drop the identity in the next".into(),
        );
    }
    let in_key = ctx
        .before(table)
        .and_then(|t| t.primary_key.as_ref())
        .is_some_and(|p| p.columns.iter().any(|c| c == from));
    if in_key {
        return Err("renaming a primary key column is not planned yet".into());
    }
    let key = ctx.key(table)?;
    out.steps.extend(
        Swap {
            table,
            key,
            from: before,
            to: after,
            physical: &after.name,
            indexes: &[],
            new_indexes: &[],
            constraints: &[],
            fill,
            relax_old: after.nullable && !before.nullable,
            key_swap: None,
            restore: &[],
            route: crate::plan::recipes::not_null::Route::for_version(ctx.opts.pg_version),
        }
        .steps(),
    );
    out.view(table);
    Ok(())
}
