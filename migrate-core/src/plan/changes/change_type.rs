//! A column's type changed: every type change goes through a swapped column, binary-
//! coercible widenings too (in place, `varchar(20)` → `varchar(100)` rewrites nothing but
//! changes the result type of every prepared statement selecting the column, and those fail
//! with "cached plan must not change result type" until re-prepared). The new column is
//! kept in sync by a trigger with casts both ways, converted in batches, and swapped in at
//! contract. Its indexes (and those whose predicate names it) are built on the new column
//! in backfill, its checks and foreign keys added there `NOT VALID` in expand and validated
//! in backfill; all take their names back in the swap. A key column (in the primary key,
//! or referenced by foreign keys) swaps its key too: `change_key_type`.

use super::change_key_type as key;
use super::replaceable;
use crate::diff::Change;
use crate::model::{Column, Index, Table};
use crate::phase::Phase;
use crate::plan::context::{Context, Planned};
use crate::plan::recipes::column_swap::{Swap, null_fill};
use crate::plan::recipes::key_swap::KeySwap;
use crate::plan::recipes::names;
use crate::plan::recipes::rebuilt::Constraint;
use crate::plan::step::Step;
use crate::sql::references_column;

/// Files the swap of `from` → `to` on `table`, or why it is refused.
pub fn plan(
    ctx: &Context<'_>,
    table: &str,
    from: &Column,
    to: &Column,
    out: &mut Planned<'_>,
) -> Result<(), String> {
    if let Some(why) = super::generated_column::changed(from, to) {
        return Err(why);
    }
    let before = ctx
        .before(table)
        .ok_or("the table is missing from the last snapshot")?;
    let after = ctx.after(table);
    let (indexes, new_indexes) = rebuilt_indexes(before, after, from, to)?;
    let constraints = rebuilt_constraints(ctx, before, after, from)?;
    let primary_key = key::primary_key(before, after, &from.name)?;
    let referencing = key::referencing(ctx, table, &from.name)?;
    let all: Vec<Index> = indexes.iter().chain(&new_indexes).cloned().collect();
    refuse(ctx, table, from, to, &all, &constraints)?;
    let keyed = primary_key.is_some() || !referencing.is_empty();
    let physical = names::temp_column(&to.name);
    let key_swap = KeySwap {
        table,
        from: &from.name,
        physical: &physical,
        primary_key,
        referencing: &referencing,
    };
    let restore = key::restore(ctx, before, &from.name);
    let steps = Swap {
        table,
        key: ctx.key(table)?,
        from,
        to,
        physical: &physical,
        indexes: &indexes,
        new_indexes: &new_indexes,
        constraints: &constraints,
        fill: null_fill(from, to)?,
        relax_old: to.nullable && !from.nullable,
        key_swap: keyed.then_some(&key_swap),
        restore: &restore,
        route: crate::plan::recipes::not_null::Route::for_version(ctx.opts.pg_version),
    }
    .steps();
    if keyed {
        // The key table's contract waits for every foreign key on the old key to be gone.
        let (contract, rest): (Vec<Step>, Vec<Step>) =
            steps.into_iter().partition(|s| s.phase == Phase::Contract);
        out.steps.extend(rest);
        out.key_contract.extend(contract);
        out.late_backfill.extend(key_swap.repoint());
        out.late_contract.extend(key_swap.hand_over());
    } else {
        out.steps.extend(steps);
    }
    out.physical
        .push((table.to_owned(), to.name.clone(), physical.clone()));
    out.view(table);
    Ok(())
}

/// What a type change refuses besides its objects' rebuilds.
fn refuse(
    ctx: &Context<'_>,
    table: &str,
    from: &Column,
    to: &Column,
    indexes: &[Index],
    constraints: &[Constraint],
) -> Result<(), String> {
    for other in other_swaps(ctx, table, &from.name) {
        let index = indexes.iter().find(|i| index_covers(i, &other));
        let constraint = constraints.iter().find(|c| c.covers(&other));
        if let Some(name) = index
            .map(|i| i.name.as_str())
            .or(constraint.map(Constraint::name))
        {
            return Err(format!(
                "\"{name}\" also covers \"{other}\", whose type changes in this migration too; change one of them per migration"
            ));
        }
    }
    if from.identity != to.identity {
        return Err(
            "change the type in one migration, and add or drop the identity in the next".into(),
        );
    }
    if from.default != to.default {
        return Err("change the type in one migration, and the default in the next: during the transition the old column's default (moved into the sync trigger) applies to both".into());
    }
    replaceable::check(table, from, to, ctx.new)?;
    if rounds(&from.sql_type, &to.sql_type) {
        return Err(format!(
            "{} → {} rounds existing values to the smaller scale; change the data deliberately first",
            from.sql_type, to.sql_type
        ));
    }
    Ok(())
}

/// The other columns of `table` whose type this migration changes.
fn other_swaps(ctx: &Context<'_>, table: &str, column: &str) -> Vec<String> {
    ctx.changes
        .iter()
        .filter_map(|c| match c {
            Change::AlterColumn { table: t, from, to }
                if t == table && from.name != column && from.sql_type != to.sql_type =>
            {
                Some(from.name.clone())
            }
            _ => None,
        })
        .collect()
}

/// Whether index `ix` keys or includes `column`, or names it in a key expression or its
/// predicate.
fn index_covers(ix: &Index, column: &str) -> bool {
    ix.mentions(column)
}

/// The indexes on the column, rebuilt on the new one (and those new in this migration,
/// built on it too), a predicate naming it rewritten; an index redefined in this same
/// migration is refused.
fn rebuilt_indexes(
    before: &Table,
    after: Option<&Table>,
    from: &Column,
    to: &Column,
) -> Result<(Vec<Index>, Vec<Index>), String> {
    let indexes: Vec<Index> = before
        .indexes
        .iter()
        .filter(|i| index_covers(i, &from.name))
        .cloned()
        .collect();
    let new: Vec<Index> = after
        .iter()
        .flat_map(|t| &t.indexes)
        .filter(|i| index_covers(i, &to.name) && !before.indexes.iter().any(|b| b.name == i.name))
        .cloned()
        .collect();
    for ix in &indexes {
        if !after.is_some_and(|t| t.indexes.contains(ix)) {
            return Err(format!(
                "index \"{}\" on the column changes in the same migration; change the type in one migration and the index in the next",
                ix.name
            ));
        }
    }
    Ok((indexes, new))
}

/// Whether `ix`, new on `table` in this migration, covers a column whose type changes in it
/// (the column's swap builds it on the new column).
pub fn builds_new_index(ctx: &Context<'_>, table: &str, ix: &Index) -> bool {
    ctx.changes.iter().any(|c| match c {
        Change::AlterColumn { table: t, from, to } => {
            t == table && from.sql_type != to.sql_type && index_covers(ix, &to.name)
        }
        _ => false,
    })
}

/// The checks naming the column and the foreign keys it is part of, rebuilt on the new
/// one; one redefined in this same migration is refused (the other change's).
fn rebuilt_constraints(
    ctx: &Context<'_>,
    before: &Table,
    after: Option<&Table>,
    from: &Column,
) -> Result<Vec<Constraint>, String> {
    let checks = before
        .checks
        .iter()
        .filter(|c| references_column(&c.expr, &from.name));
    // One referencing a key whose type changes too is re-pointed by that key's swap.
    let fks = before
        .foreign_keys
        .iter()
        .filter(|f| f.columns.contains(&from.name) && !key::references_retyped(ctx, f));
    let new_check = after
        .iter()
        .flat_map(|t| &t.checks)
        .find(|c| references_column(&c.expr, &from.name) && !before.checks.contains(c));
    let new_fk = after
        .iter()
        .flat_map(|t| &t.foreign_keys)
        .find(|f| f.columns.contains(&from.name) && !before.foreign_keys.contains(f));
    if let Some(name) = new_check.map(|c| &c.name).or(new_fk.map(|f| &f.name)) {
        return Err(format!(
            "\"{name}\" on the column is new in the same migration; change the type in one migration and add the constraint in the next"
        ));
    }
    let mut out = Vec::new();
    for c in checks {
        if !after.is_some_and(|t| t.checks.contains(c)) {
            return Err(format!(
                "check \"{}\" on the column changes in the same migration; change the type in one migration and the check in the next",
                c.name
            ));
        }
        out.push(Constraint::Check(c.clone()));
    }
    for f in fks {
        if !after.is_some_and(|t| t.foreign_keys.contains(f)) {
            return Err(format!(
                "foreign key \"{}\" on the column changes in the same migration; change the type in one migration and the foreign key in the next",
                f.name
            ));
        }
        out.push(Constraint::ForeignKey(f.clone()));
    }
    Ok(out)
}

/// Whether converting `numeric(p, s)` to `numeric(q, t)` with `t < s` would round values.
pub(super) fn rounds(from: &str, to: &str) -> bool {
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
