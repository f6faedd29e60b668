//! The planner: changes → steps, each in its phase (expand, backfill, contract), with its
//! kind in the statement catalogue (what it locks, whether it rewrites or scans) and how it
//! is undone. One file per kind of change in `changes/`, the techniques they share in
//! `recipes/`, statement text in `ddl`. A change without a safe plan is an error naming the
//! change and the table, never a naive statement.

mod changes;
mod context;
pub mod ddl;
pub(crate) mod recipes;
mod settings;
mod step;

pub use crate::phase::Phase;
pub use ddl::{create_index, create_schema, create_table};
pub use recipes::backfill::BATCH_SIZE;
pub use recipes::names::{
    fill_function as fill_function_name, temp_column as temp_name, unique_function_name,
};
pub use settings::{PlanError, PlanOptions, version_schema};
pub use step::{Batch, Down, Plan, Reversible, Step};

use crate::diff::Change;
use crate::model::Table;
use changes::*;
use context::{Context, Planned};

/// Plans `changes` (from [`crate::diff::diff`] of `old` → `new`), or returns every change
/// it refuses.
pub fn plan(
    changes: &[Change],
    old: &[Table],
    new: &[Table],
    opts: &PlanOptions,
) -> Result<Plan, Vec<PlanError>> {
    let ctx = Context::new(changes, old, new, opts);
    let mut out = Planned::default();
    drop_table::plan(&ctx, &mut out);
    out.steps.extend(create_table::schemas(
        &ctx.created().collect::<Vec<_>>(),
        old,
    ));
    out.steps.extend(create_extension::plan(changes));
    out.steps.extend(create_enum::plan(changes));
    for labels in add_enum_values::plan(changes) {
        match labels {
            Ok(steps) => out.steps.extend(steps),
            Err((change, reason)) => out.errors.push(ctx.unsupported(change, &reason)),
        }
    }
    out.type_drops.extend(drop_enum::plan(changes));
    for t in ctx.created() {
        if let Err(reason) = generated_column::created(t, opts) {
            out.errors.push(PlanError::Unsupported {
                table: t.name.clone(),
                change: format!("new table \"{}\"", t.name),
                reason,
            });
        }
        out.steps.extend(create_table::plan(t));
    }
    for change in changes {
        if let Err(e) = dispatch(&ctx, change, &mut out) {
            out.errors.push(e);
        }
    }
    add_foreign_key::plan(&ctx, &mut out);
    assemble(&ctx, out)
}

/// Plans one change on an existing table (new and dropped tables are planned whole).
fn dispatch<'a>(
    ctx: &Context<'a>,
    change: &'a Change,
    out: &mut Planned<'a>,
) -> Result<(), PlanError> {
    let refused = |reason: String| ctx.unsupported(change, &reason);
    let steps = match change {
        // Planned whole, before (or, dropped, after) the changes on tables.
        Change::CreateTable { .. }
        | Change::DropTable(_)
        | Change::CreateExtension { .. }
        | Change::CreateEnum { .. }
        | Change::AlterEnum { .. }
        | Change::DropEnum { .. } => Vec::new(),
        Change::AddColumn { table, column } => {
            add_column::plan(ctx, table, column).map_err(refused)?
        }
        // A renamed column's nullability and default are the rename's business.
        Change::AlterColumn { from, to, .. } if from.name != to.name => Vec::new(),
        Change::AlterColumn { table, from, to } if from.sql_type != to.sql_type => {
            change_type::plan(ctx, table, from, to, out).map_err(refused)?;
            Vec::new()
        }
        Change::AlterColumn { table, from, to } => {
            alter_column::plan(ctx, table, from, to).map_err(refused)?
        }
        Change::AddIndex { table, index } => add_index::plan(ctx, table, index),
        Change::DropIndex { table, index } => {
            drop_index::plan(table, index, out);
            Vec::new()
        }
        Change::ReplaceIndex { table, from, to } => {
            replace_index::plan(ctx, table, from, to, out).map_err(refused)?;
            Vec::new()
        }
        Change::AddForeignKey { table, foreign_key } => {
            if ctx.existed(table) {
                out.foreign_keys.push((table, foreign_key));
            }
            Vec::new()
        }
        Change::AddCheck { table, check } => add_check::plan(ctx, table, check),
        Change::DropCheck { table, check } => vec![drop_check::plan(table, check)],
        Change::DropForeignKey { table, foreign_key } => {
            let redefined = ctx.changes.iter().any(|c| {
                matches!(c, Change::AddForeignKey { table: t, foreign_key: f }
                    if t == table && f.name == foreign_key.name)
            });
            // A redefinition is dropped in contract, once its successor is valid.
            if redefined {
                Vec::new()
            } else {
                vec![drop_foreign_key::plan(table, foreign_key)]
            }
        }
        Change::RenameTable { from, to } => {
            rename_table::plan(ctx, from, to, out).map_err(refused)?;
            Vec::new()
        }
        Change::RenameIndex { table, from, to } => vec![rename_index::plan(table, from, to)],
        Change::RenameConstraint { table, from, to } => {
            vec![rename_constraint::plan(table, from, to)]
        }
        Change::RenameColumn { table, from, to } => {
            rename_column::plan(ctx, table, from, to, out).map_err(refused)?;
            Vec::new()
        }
        Change::DropColumn { table, column } => drop_column::plan(ctx, table, column)?,
        Change::SetComment {
            table,
            column,
            from,
            to,
        } => vec![set_comment::plan(
            table,
            column.as_deref(),
            from.as_deref(),
            to.as_deref(),
        )],
        Change::SetPrimaryKey {
            table,
            from: Some(from),
            to: Some(to),
        } if change_primary_key::renamed_only(ctx, table, from, to) => Vec::new(),
        Change::SetPrimaryKey {
            table,
            from: Some(from),
            to,
        } if ctx.existed(table) => {
            change_primary_key::plan(ctx, table, from, to.as_ref(), out).map_err(refused)?;
            Vec::new()
        }
        Change::SetPrimaryKey {
            table,
            from: None,
            to: Some(pk),
        } if ctx.existed(table) => add_primary_key::plan(ctx, table, pk).map_err(refused)?,
        // A new table's key is part of its CREATE TABLE.
        Change::SetPrimaryKey { .. } => Vec::new(),
    };
    out.steps.extend(steps);
    Ok(())
}

/// The plan in run order. The version schema's views come last in expand (every column
/// exists then); foreign keys re-pointed at a swapped key last in backfill. Contract
/// order: the old-name views of renamed tables, then dropped tables (before the indexes
/// their foreign keys need), then index drops (before the columns they cover, so each down
/// step finds what it rebuilds on), then the rest, then the re-pointed foreign keys taking
/// over and the key columns' swaps, and the version schema's views last: they follow the
/// swapped columns (views track columns by number), so new code keeps reading the same
/// types until the table itself has them; the enum types no column has any more after
/// everything.
fn assemble(ctx: &Context<'_>, mut out: Planned<'_>) -> Result<Plan, Vec<PlanError>> {
    let views: Vec<&Table> = ctx
        .new
        .iter()
        .filter(|t| out.viewed.contains(&t.name))
        .collect();
    for (i, t) in views.iter().enumerate() {
        let bare = crate::sql::split_table(&t.name).1;
        if let Some(other) = views[..i]
            .iter()
            .find(|o| crate::sql::split_table(&o.name).1 == bare)
        {
            out.errors.push(PlanError::Unsupported {
                table: t.name.clone(),
                change: "a rename or type change".into(),
                reason: format!(
                    "\"{}\" changes shape in the same migration, and new code finds both through one version schema by the bare name \"{bare}\": change them in separate migrations",
                    other.name
                ),
            });
        }
    }
    let (view_expand, view_contract): (Vec<Step>, Vec<Step>) = if views.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        recipes::version_schema::steps(&ctx.opts.version_schema, &views, &out.physical)
            .into_iter()
            .partition(|s| s.phase == Phase::Expand)
    };
    out.steps.extend(view_expand);
    if !out.errors.is_empty() {
        return Err(out.errors);
    }
    let mut steps = out.steps;
    steps.sort_by_key(|s| s.phase); // stable: keeps order within a phase
    let first_contract = steps
        .iter()
        .position(|s| s.phase == Phase::Contract)
        .unwrap_or(steps.len());
    let early: Vec<Step> = out
        .late_backfill
        .into_iter()
        .chain(out.old_name_views)
        .chain(out.table_drops)
        .chain(out.index_drops)
        .collect();
    steps.splice(first_contract..first_contract, early);
    steps.extend(out.late_contract);
    steps.extend(out.key_contract);
    steps.extend(view_contract);
    steps.extend(out.type_drops);
    Ok(Plan {
        steps,
        version_schema: (!views.is_empty()).then(|| ctx.opts.version_schema.clone()),
    })
}

#[cfg(test)]
mod tests;
