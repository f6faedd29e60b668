//! A primary key added to an existing table whose key columns are NOT NULL (or become so by
//! the check route in this same migration): its unique index built concurrently in
//! backfill, then attached as the key in contract (`USING INDEX`: no build, no scan).
//! Changing or dropping an existing primary key: `change_primary_key`.

use crate::diff::Change;
use crate::model::{Index, IndexMethod, PrimaryKey};
use crate::plan::context::Context;
use crate::plan::ddl;
use crate::plan::recipes::index;
use crate::plan::step::Step;
use crate::sql::ident;

/// The steps of giving `table` the key `pk`, or why it is refused.
pub fn plan(ctx: &Context<'_>, table: &str, pk: &PrimaryKey) -> Result<Vec<Step>, String> {
    columns_not_null(ctx, table, pk)?;
    Ok(steps(table, pk))
}

/// Whether the key's columns are NOT NULL before and after (or become so by the check
/// route in this migration), as `USING INDEX` needs to attach without a scan.
pub fn columns_not_null(ctx: &Context<'_>, table: &str, pk: &PrimaryKey) -> Result<(), String> {
    let nullable = ctx
        .after(table)
        .map(|t| {
            pk.columns
                .iter()
                .any(|c| t.column(c).is_none_or(|c| c.nullable))
        })
        .unwrap_or(true);
    let made_not_null = |col: &String| {
        ctx.changes.iter().any(|c| {
            matches!(c, Change::AlterColumn { table: t, from, to }
                if t == table && &to.name == col && from.nullable && !to.nullable)
        })
    };
    let was_nullable = ctx.before(table).is_some_and(|t| {
        pk.columns
            .iter()
            .any(|c| t.column(c).is_none_or(|c| c.nullable) && !made_not_null(c))
    });
    if nullable || was_nullable {
        return Err("the key columns must be NOT NULL before the key is added (or become NOT NULL by the check route in this same migration); a new column's NULLs would make ADD PRIMARY KEY scan while reads and writes wait".into());
    }
    Ok(())
}

/// The unique index `name` on `columns` a primary key is attached from.
pub fn key_index(name: &str, columns: &[String]) -> Index {
    Index {
        name: name.to_owned(),
        columns: columns.to_vec(),
        unique: true,
        method: IndexMethod::Btree,
        predicate: None,
        constraint: false,
        order: Vec::new(),
        include: Vec::new(),
        with: Vec::new(),
        ops: Vec::new(),
        collations: Vec::new(),
    }
}

fn steps(table: &str, pk: &PrimaryKey) -> Vec<Step> {
    let ix = key_index(&pk.name, &pk.columns);
    let attach = ddl::add_primary_key_using_index(table, &pk.name, &pk.name);
    vec![
        Step {
            summary: format!(
                "Build the unique index of the primary key {} without blocking writes.",
                ident(&pk.name)
            ),
            ..index::build(table, &ix)
        },
        index::attach_key(
            table,
            &pk.name,
            &ix,
            attach,
            format!(
                "Make the index {} the primary key (no build, no scan: its columns are NOT NULL).",
                ident(&pk.name)
            ),
        ),
    ]
}
