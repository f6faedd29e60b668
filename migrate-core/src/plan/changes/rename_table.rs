//! A table renamed (`renamed_from` on the struct): expand renames it and, in the same
//! transaction, puts a simple view under the old name, so old code reads and writes on;
//! contract drops that view. Alone: the view needs the old columns.

use crate::catalogue::{Kind, On};
use crate::diff::Change;
use crate::model::Table;
use crate::phase::Phase;
use crate::plan::context::{Context, Planned};
use crate::plan::recipes::grants::grant_like;
use crate::plan::step::{Down, Step};
use crate::sql::{full_table_ref, ident, split_table, table_ref};

/// Files the rename of `from` to `to`, or why it is refused.
pub fn plan(ctx: &Context<'_>, from: &str, to: &str, out: &mut Planned<'_>) -> Result<(), String> {
    let reshaped = ctx.changes.iter().any(|c| {
        c.table() == to
            && matches!(
                c,
                Change::RenameColumn { .. }
                    | Change::AlterColumn { .. }
                    | Change::DropColumn { .. }
            )
    });
    let Some(before) = ctx.original.iter().find(|t| t.name == from) else {
        return Err("the old table is not in the last snapshot".into());
    };
    if split_table(from).0 != split_table(to).0 {
        return Err(format!(
            "moving a table to another schema ({} to {}) is not planned yet: old code would lose it at once",
            table_ref(from),
            table_ref(to)
        ));
    }
    if reshaped {
        return Err("rename the table in one migration and rename, retype or drop its columns in the next: the view that keeps the old name working needs the old columns".into());
    }
    let (expand, contract) = steps(before, to);
    out.steps.extend(expand);
    out.old_name_views.push(contract);
    Ok(())
}

fn steps(from: &Table, to: &str) -> (Vec<Step>, Step) {
    let cols: Vec<String> = from.columns.iter().map(|c| ident(&c.name)).collect();
    let old = table_ref(&from.name);
    let new_name = ident(split_table(to).1);
    let view = format!(
        "CREATE VIEW {old} AS SELECT {} FROM {}",
        cols.join(", "),
        table_ref(to)
    );
    let expand = vec![
        Step {
            down: vec![Down::new(
                Kind::RenameTable,
                format!(
                    "ALTER TABLE {} RENAME TO {}",
                    table_ref(to),
                    ident(split_table(&from.name).1)
                ),
            )],
            shares_transaction: true,
            allow: vec![(
                "expand-rename".into(),
                "a view under the old name takes its place in the same transaction".into(),
            )],
            ..Step::on(
                Phase::Expand,
                Kind::RenameTable,
                to,
                On::table(old.clone()),
                format!("Rename table {old} to {}.", table_ref(to)),
                format!("ALTER TABLE {old} RENAME TO {new_name}"),
            )
        },
        Step {
            down: vec![Down::new(
                Kind::DropView,
                format!("DROP VIEW IF EXISTS {old}"),
            )],
            shares_transaction: true,
            ..Step::new(
                Phase::Expand,
                Kind::CreateView,
                to,
                format!(
                    "Keep the old name {old} working for old code: a simple view, so it takes inserts and updates."
                ),
                view.clone(),
            )
        },
        grant_like(to, &full_table_ref(&from.name), None),
    ];
    let contract = Step {
        down: vec![Down::new(Kind::CreateView, view)],
        ..Step::on(
            Phase::Contract,
            Kind::DropView,
            to,
            On::with(table_ref(to), old.clone()),
            format!("Drop the view {old}: no running code uses the old name any more."),
            format!("DROP VIEW IF EXISTS {old}"),
        )
    };
    (expand, contract)
}
