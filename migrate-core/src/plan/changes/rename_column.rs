//! A column renamed (`renamed_from`): a column swap to a column under the new name, with a
//! view in the version schema for new code. Alone: a type, nullability or default change in
//! the same migration would need values the old column may not have.

use super::replaceable;
use crate::plan::context::{Context, Planned};
use crate::plan::recipes::column_swap::Swap;

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
    if before.sql_type != after.sql_type
        || before.nullable != after.nullable
        || before.default != after.default
    {
        return Err("rename the column in one migration, and change its type, nullability or default in the next: during the transition the old column's rules apply to both".into());
    }
    replaceable::check(table, before, after, ctx.new)?;
    if before.identity || after.identity {
        return Err("renaming an identity column is not planned yet".into());
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
            constraints: &[],
        }
        .steps(),
    );
    out.view(table);
    Ok(())
}
