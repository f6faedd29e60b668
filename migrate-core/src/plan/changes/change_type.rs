//! A column's type changed: every type change goes through a swapped column, binary-
//! coercible widenings too (in place, `varchar(20)` → `varchar(100)` rewrites nothing but
//! changes the result type of every prepared statement selecting the column, and those fail
//! with "cached plan must not change result type" until re-prepared). The new column is
//! kept in sync by a trigger with casts both ways, converted in batches, and swapped in at
//! contract. A column that keys, constrains or partially indexes anything is refused for
//! now: those objects would have to be rebuilt on the new column before the swap.

use super::replaceable;
use crate::model::{Column, Index, Table};
use crate::plan::context::{Context, Planned, mentions};
use crate::plan::recipes::{column_swap::Swap, names};
use crate::plan::step::Step;

/// Files the swap of `from` → `to` on `table`, or why it is refused.
pub fn plan(
    ctx: &Context<'_>,
    table: &str,
    from: &Column,
    to: &Column,
    out: &mut Planned<'_>,
) -> Result<(), String> {
    let steps = steps(ctx, table, from, to)?;
    out.steps.extend(steps);
    out.physical.push((
        table.to_owned(),
        to.name.clone(),
        names::temp_column(&to.name),
    ));
    out.view(table);
    Ok(())
}

fn steps(ctx: &Context<'_>, table: &str, from: &Column, to: &Column) -> Result<Vec<Step>, String> {
    let before = ctx
        .before(table)
        .ok_or("the table is missing from the last snapshot")?;
    let indexes = rebuilt_indexes(before, ctx.after(table), from, to)?;
    let used = replaceable::used(before, &from.name, &ctx.old);
    if used {
        return Err(format!(
            "{} → {} rewrites the table; the column is part of the primary key, a foreign key or a check, and rebuilding those on the new column before the swap is not planned yet",
            from.sql_type, to.sql_type
        ));
    }
    if from.identity || to.identity {
        return Err("changing the type of an identity column is not planned yet".into());
    }
    if from.nullable != to.nullable || from.default != to.default {
        return Err("change the type in one migration, and the nullability or default in the next: during the transition the old column's rules apply to both".into());
    }
    replaceable::check(table, from, to, ctx.new)?;
    if rounds(&from.sql_type, &to.sql_type) {
        return Err(format!(
            "{} → {} rounds existing values to the smaller scale; change the data deliberately first",
            from.sql_type, to.sql_type
        ));
    }
    let key = ctx.key(table)?;
    let physical = names::temp_column(&to.name);
    Ok(Swap {
        table,
        key,
        from,
        to,
        physical: &physical,
        indexes: &indexes,
    }
    .steps())
}

/// The indexes on the column, rebuilt on the new one; a predicate naming it would need
/// rewriting, and an index redefined in this same migration is the other change's.
fn rebuilt_indexes(
    before: &Table,
    after: Option<&Table>,
    from: &Column,
    to: &Column,
) -> Result<Vec<Index>, String> {
    let indexes: Vec<Index> = before
        .indexes
        .iter()
        .filter(|i| i.columns.contains(&from.name))
        .cloned()
        .collect();
    if let Some(ix) = after
        .iter()
        .flat_map(|t| &t.indexes)
        .find(|i| i.columns.contains(&to.name) && !indexes.contains(i))
    {
        return Err(format!(
            "index \"{}\" on the column is new in the same migration; change the type in one migration and add the index in the next",
            ix.name
        ));
    }
    for ix in &indexes {
        if ix
            .predicate
            .as_deref()
            .is_some_and(|p| mentions(p, &from.name))
        {
            return Err(format!(
                "the predicate of index \"{}\" names the column; rebuilding it on the new column is not planned yet",
                ix.name
            ));
        }
        if !after.is_some_and(|t| t.indexes.contains(ix)) {
            return Err(format!(
                "index \"{}\" on the column changes in the same migration; change the type in one migration and the index in the next",
                ix.name
            ));
        }
    }
    Ok(indexes)
}

/// Whether converting `numeric(p, s)` to `numeric(q, t)` with `t < s` would round values.
fn rounds(from: &str, to: &str) -> bool {
    let scale = |t: &str| -> Option<u32> {
        t.strip_prefix("numeric(")?
            .strip_suffix(')')?
            .split(',')
            .nth(1)?
            .trim()
            .parse()
            .ok()
    };
    matches!((scale(from), scale(to)), (Some(s), Some(t)) if t < s)
        || (from == "numeric" && to.starts_with("numeric("))
}
