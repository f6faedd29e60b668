//! Foreign keys, added once every column exists. Between two tables created in this
//! migration: one plain statement in their transaction. On or to an existing table:
//! `NOT VALID` in expand (brief locks, no scan), `VALIDATE` in backfill (SHARE UPDATE
//! EXCLUSIVE: reads and writes go on during the scan). One whose referenced key only gets
//! its unique index in this migration's backfill cannot be added in expand: refused.

use super::replace_foreign_key;
use crate::catalogue::{Kind, On};
use crate::diff::Change;
use crate::model::ForeignKey;
use crate::phase::Phase;
use crate::plan::context::{Context, Planned};
use crate::plan::ddl;
use crate::plan::recipes::names;
use crate::plan::recipes::validate::validate;
use crate::plan::settings::PlanError;
use crate::plan::step::{Down, Step};
use crate::sql::{ident, table_ref};
use std::collections::HashMap;

/// Files the steps of every foreign key collected in `out` (those of new tables first).
pub fn plan<'a>(ctx: &Context<'a>, out: &mut Planned<'a>) {
    // A new table's by name, as a snapshot keeps them.
    let mut all: Vec<(&str, &ForeignKey)> = ctx
        .created()
        .flat_map(|t| {
            let mut fks: Vec<_> = t
                .foreign_keys
                .iter()
                .map(|f| (t.name.as_str(), f))
                .collect();
            fks.sort_by(|a, b| a.1.name.cmp(&b.1.name));
            fks
        })
        .collect();
    all.append(&mut out.foreign_keys);
    // Looked up once per foreign key: the keys this migration builds, the keys it drops.
    let built = keys_built(ctx.changes);
    let dropped: HashMap<(&str, &str), &ForeignKey> = ctx
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::DropForeignKey { table, foreign_key } => {
                Some(((table.as_str(), foreign_key.name.as_str()), foreign_key))
            }
            _ => None,
        })
        .collect();
    for (table, fk) in all {
        if key_built_late(fk, ctx, &built) {
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
        match dropped.get(&(table, fk.name.as_str())).copied() {
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
/// The unique keys `changes` build: `(table, columns)` of new unique indexes and keys.
fn keys_built(changes: &[Change]) -> Vec<(&str, &[String])> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::AddIndex { table, index } if index.unique => {
                Some((table.as_str(), index.columns.as_slice()))
            }
            Change::SetPrimaryKey {
                table,
                to: Some(pk),
                ..
            } => Some((table.as_str(), pk.columns.as_slice())),
            _ => None,
        })
        .collect()
}

fn key_built_late(fk: &ForeignKey, ctx: &Context<'_>, built: &[(&str, &[String])]) -> bool {
    let Some(target) = ctx.old_table(&fk.ref_table) else {
        return false;
    };
    let keyed_before = target
        .primary_key
        .as_ref()
        .is_some_and(|p| p.columns == fk.ref_columns)
        || target
            .indexes
            .iter()
            .any(|i| i.unique && i.predicate.is_none() && i.columns == fk.ref_columns);
    let built_now = built
        .iter()
        .any(|(t, cols)| *t == fk.ref_table && *cols == fk.ref_columns.as_slice());
    built_now && !keyed_before
}
