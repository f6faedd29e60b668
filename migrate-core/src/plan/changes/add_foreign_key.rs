//! Foreign keys, added once every column exists. Between two tables created in this
//! migration: one plain statement in their transaction. On or to an existing table:
//! `NOT VALID` in expand (brief locks, no scan), `VALIDATE` in backfill (SHARE UPDATE
//! EXCLUSIVE: reads and writes go on during the scan). One whose referenced key only gets
//! its unique index in this migration's backfill cannot be added in expand: refused.

use super::replace_foreign_key;
use crate::catalogue::{Kind, On};
use crate::diff::Change;
use crate::model::{ForeignKey, Table};
use crate::phase::Phase;
use crate::plan::context::{Context, Planned};
use crate::plan::ddl;
use crate::plan::recipes::names;
use crate::plan::recipes::validate::validate;
use crate::plan::settings::PlanError;
use crate::plan::step::{Down, Step};
use crate::sql::{ident, table_ref};

/// Files the steps of every foreign key collected in `out` (those of new tables first).
pub fn plan<'a>(ctx: &Context<'a>, out: &mut Planned<'a>) {
    let mut all: Vec<(&str, &ForeignKey)> = ctx
        .created()
        .flat_map(|t| t.foreign_keys.iter().map(|f| (t.name.as_str(), f)))
        .collect();
    all.append(&mut out.foreign_keys);
    for (table, fk) in all {
        if key_built_late(fk, &ctx.old, ctx.changes) {
            out.errors.push(PlanError::Unsupported {
                table: table.to_owned(),
                change: format!("new foreign key \"{}\" on \"{table}\"", fk.name),
                reason: format!(
                    "it references \"{}\"({}), whose unique index this same migration builds concurrently in backfill, after the foreign key would be added in expand. Generate the unique index in one migration and the reference in the next",
                    fk.ref_table,
                    fk.ref_columns.join(", ")
                ),
            });
            continue;
        }
        let both_new = ctx.is_created(table) && ctx.is_created(&fk.ref_table);
        match replace_foreign_key::replaced(ctx.changes, table, fk) {
            Some(old) => {
                let temp = ForeignKey {
                    name: names::temp_name(&fk.name),
                    ..fk.clone()
                };
                let added = steps(table, &temp, false);
                out.steps
                    .extend(replace_foreign_key::plan(table, old, fk, added));
            }
            None => out.steps.extend(steps(table, fk, both_new)),
        }
    }
}

fn steps(table: &str, fk: &ForeignKey, both_new: bool) -> Vec<Step> {
    let add = ddl::add_foreign_key(table, fk);
    let down = vec![Down::new(
        Kind::DropForeignKey,
        ddl::drop_constraint(table, &fk.name, false),
    )];
    let (t, r) = (table_ref(table), table_ref(&fk.ref_table));
    if both_new {
        return vec![Step {
            down,
            shares_transaction: true,
            ..Step::on(
                Phase::Expand,
                Kind::AddForeignKey,
                table,
                On::new_tables(),
                format!(
                    "Add foreign key {} ({t} → {r}); both tables are new and empty.",
                    ident(&fk.name)
                ),
                add,
            )
        }];
    }
    vec![
        Step {
            down,
            ..Step::on(
                Phase::Expand,
                Kind::AddForeignKeyNotValid,
                table,
                On::with(t.clone(), r.clone()),
                format!(
                    "Add foreign key {} ({t} → {r}) without checking existing rows; new rows are checked from now on.",
                    ident(&fk.name)
                ),
                format!("{add} NOT VALID"),
            )
        },
        validate(table, &fk.name, "foreign key", Some(&fk.ref_table)),
    ]
}

/// Whether the key `fk` references exists before this migration only as a unique index it
/// builds concurrently (in backfill), for itself or for a primary key.
fn key_built_late(fk: &ForeignKey, old: &[Table], changes: &[Change]) -> bool {
    let keyed_before = old
        .iter()
        .find(|t| t.name == fk.ref_table)
        .is_some_and(|t| {
            t.primary_key
                .as_ref()
                .is_some_and(|p| p.columns == fk.ref_columns)
                || t.indexes
                    .iter()
                    .any(|i| i.unique && i.predicate.is_none() && i.columns == fk.ref_columns)
        });
    let built_now = changes.iter().any(|c| match c {
        Change::AddIndex { table, index } => {
            *table == fk.ref_table && index.unique && index.columns == fk.ref_columns
        }
        Change::SetPrimaryKey {
            table,
            to: Some(pk),
            ..
        } => *table == fk.ref_table && pk.columns == fk.ref_columns,
        _ => false,
    });
    built_now && !keyed_before && old.iter().any(|t| t.name == fk.ref_table)
}
