//! A primary key moved to other columns, or dropped, on an existing table.
//!
//! Moved: the new key's unique index is built concurrently in backfill (under a temporary
//! name while the old key holds the name), then in contract, in one short transaction, the
//! old key is dropped and the index attached as the new one (`USING INDEX`: no build, no
//! scan). Dropped: `DROP CONSTRAINT` in contract, once no deployed code relies on it.
//!
//! PostgreSQL ties a foreign key to the unique index it found when it was created, and for
//! columns the primary key covers that is the key's index, even when another unique index
//! covers them too. A foreign key that referenced the old key's columns and still does
//! (through a unique index on them that exists before the migration and stays) is dropped in
//! that same transaction and added back `NOT VALID`, finding the remaining index, then
//! validated: every write is checked throughout. Both go first in contract, before any column drop.

use super::add_primary_key::{columns_not_null, key_index};
use super::drop_foreign_key;
use crate::catalogue::{Kind, On};
use crate::diff::Change;
use crate::model::{ForeignKey, PrimaryKey};
use crate::phase::Phase;
use crate::plan::context::{Context, Planned};
use crate::plan::ddl;
use crate::plan::recipes::{index, names, validate::validate};
use crate::plan::step::{Down, Reversible, Step};
use crate::sql::{ident, table_ref};

/// Files the steps replacing `from` by `to` (`None`: no key) on `table`, or why not.
pub fn plan<'a>(
    ctx: &Context<'a>,
    table: &str,
    from: &PrimaryKey,
    to: Option<&PrimaryKey>,
    out: &mut Planned<'a>,
) -> Result<(), String> {
    let referencing = still_referencing(ctx, table, from)?;
    let mut contract: Vec<Step> = referencing
        .iter()
        .map(|(t, fk)| Step {
            phase: Phase::Contract,
            shares_transaction: true,
            ..drop_foreign_key::plan(t, fk)
        })
        .collect();
    let column_dropped = ctx
        .after(table)
        .is_some_and(|t| from.columns.iter().any(|c| t.column(c).is_none()));
    contract.push(drop_key(table, from, column_dropped));
    if let Some(pk) = to {
        columns_not_null(ctx, table, pk)?;
        // A column made NOT NULL in this migration gets it in contract, after the key is
        // attached: the down would drop its NOT NULL while it is in the key.
        let was_nullable = ctx.before(table).is_some_and(|t| {
            pk.columns
                .iter()
                .any(|c| t.column(c).is_none_or(|c| c.nullable))
        });
        if was_nullable {
            return Err("the new key's columns must be NOT NULL before this migration: make them NOT NULL in one migration and move the key in the next".into());
        }
        let taken = pk.name == from.name
            || ctx
                .before(table)
                .is_some_and(|t| t.index(&pk.name).is_some());
        let built = if taken {
            names::temp_name(&pk.name)
        } else {
            pk.name.clone()
        };
        let ix = key_index(&built, &pk.columns);
        out.steps.push(Step {
            summary: format!(
                "Build the unique index of the new primary key {} without blocking writes.",
                ident(&pk.name)
            ),
            ..index::build(table, &ix)
        });
        contract.push(Step {
            shares_transaction: true,
            ..index::attach_key(
                table,
                &pk.name,
                &ix,
                ddl::add_primary_key_using_index(table, &pk.name, &built),
                format!(
                    "Make the index {} the primary key {} (no build, no scan: its columns are NOT NULL).",
                    ident(&built),
                    ident(&pk.name)
                ),
            )
        });
    }
    contract.extend(referencing.iter().map(|(t, fk)| add_back(t, fk)));
    contract.extend(referencing.iter().map(|(t, fk)| Step {
        phase: Phase::Contract,
        ..validate(t, &fk.name, "foreign key", Some(&fk.ref_table))
    }));
    out.index_drops.extend(contract);
    Ok(())
}

/// Whether `to` is `from` with renamed columns only: the renames' business.
pub fn renamed_only(ctx: &Context<'_>, table: &str, from: &PrimaryKey, to: &PrimaryKey) -> bool {
    let renamed = |c: &String| {
        ctx.changes
            .iter()
            .find_map(|ch| match ch {
                Change::RenameColumn { table: t, from, to } if t == table && from == c => {
                    Some(to.clone())
                }
                _ => None,
            })
            .unwrap_or_else(|| c.clone())
    };
    from.columns
        .iter()
        .map(renamed)
        .eq(to.columns.iter().cloned())
}

/// The foreign keys of surviving tables that reference `table`'s old key columns before and
/// after this migration; refused when no unique index on those columns remains for them.
fn still_referencing<'a>(
    ctx: &Context<'a>,
    table: &str,
    from: &PrimaryKey,
) -> Result<Vec<(&'a str, &'a ForeignKey)>, String> {
    let refs_old_key = |fk: &ForeignKey| fk.ref_table == table && fk.ref_columns == from.columns;
    // A reference to the old key's columns new in this migration (or redefined: its new
    // definition is added in expand) would be tied to the old key's index.
    let fresh = ctx
        .new
        .iter()
        .flat_map(|t| t.foreign_keys.iter().map(move |f| (t.name.as_str(), f)))
        .find(|(t, fk)| {
            refs_old_key(fk)
                && !ctx
                    .before(t)
                    .is_some_and(|b| b.foreign_keys.iter().any(|o| o == *fk))
        });
    if let Some((t, fk)) = fresh {
        return Err(format!(
            "foreign key \"{}\" of \"{t}\", new or redefined in this migration, references ({}), the old key's columns: PostgreSQL would tie it to the old key's index, which contract drops. Add or change it in the next migration",
            fk.name,
            from.columns.join(", ")
        ));
    }
    let found: Vec<(&str, &ForeignKey)> = ctx
        .new
        .iter()
        .filter(|t| ctx.existed(&t.name))
        .flat_map(|t| t.foreign_keys.iter().map(move |f| (t.name.as_str(), f)))
        .filter(|(t, fk)| {
            refs_old_key(fk)
                && ctx.before(t).is_some_and(|b| {
                    b.foreign_keys
                        .iter()
                        .any(|o| o.name == fk.name && refs_old_key(o))
                })
        })
        .collect();
    let unique_on = |t: &crate::model::Table| {
        t.indexes
            .iter()
            .any(|i| i.unique && i.predicate.is_none() && i.columns == from.columns)
    };
    let kept_unique = ctx.after(table).is_some_and(unique_on);
    let unique_before = ctx.before(table).is_some_and(unique_on);
    match found.first() {
        Some((t, fk)) if !kept_unique => Err(format!(
            "foreign key \"{}\" of \"{t}\" references ({}), the old key's columns: keep them unique (a unique index or constraint on them in the models, which the foreign key then relies on) or remove the reference",
            fk.name,
            from.columns.join(", ")
        )),
        // The rollback adds the reference back while both indexes exist, and PostgreSQL
        // ties it to the older one: a unique index new here could then not be dropped.
        Some((t, fk)) if !unique_before => Err(format!(
            "foreign key \"{}\" of \"{t}\" moves to the unique index on ({}) this migration builds: add that index in one migration and move the key in the next",
            fk.name,
            from.columns.join(", ")
        )),
        _ => Ok(found),
    }
}

/// Contract: the old key dropped, in the transaction that attaches the new one; the down
/// builds its index again and attaches it, unless one of its columns is dropped too (it
/// comes back empty).
fn drop_key(table: &str, pk: &PrimaryKey, column_dropped: bool) -> Step {
    let step = Step {
        down: vec![
            Down::new(
                Kind::CreateIndexConcurrently,
                ddl::create_index(table, &key_index(&pk.name, &pk.columns), true),
            ),
            Down::new(
                Kind::AddKeyUsingIndex,
                ddl::add_primary_key_using_index(table, &pk.name, &pk.name),
            ),
        ],
        down_atomic: false,
        reversible: Reversible::Caveat(
            "the down fails if rows duplicating the old key were written since".into(),
        ),
        shares_transaction: true,
        ..Step::new(
            Phase::Contract,
            Kind::DropConstraint,
            table,
            format!(
                "Drop the primary key {} ({}): no deployed code relies on it any more.",
                ident(&pk.name),
                pk.columns
                    .iter()
                    .map(|c| ident(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ddl::drop_constraint(table, &pk.name, false),
        )
    };
    if !column_dropped {
        return step;
    }
    Step {
        down: Vec::new(),
        reversible: Reversible::SchemaOnly(
            "a column of the old key is dropped too: contract.down.sql adds it back empty, and the key cannot be restored on it".into(),
        ),
        ..step
    }
}

/// Contract, in the key's transaction: a foreign key dropped there added back `NOT VALID`
/// (it finds the unique index that remains; its rows were valid a moment ago).
fn add_back(table: &str, fk: &ForeignKey) -> Step {
    let (t, r) = (table_ref(table), table_ref(&fk.ref_table));
    Step {
        down: vec![Down::new(
            Kind::DropForeignKey,
            ddl::drop_constraint(table, &fk.name, false),
        )],
        shares_transaction: true,
        ..Step::on(
            Phase::Contract,
            Kind::AddForeignKeyNotValid,
            table,
            On::with(t.clone(), r.clone()),
            format!(
                "Add foreign key {} ({t} → {r}) back, tied to the unique index that remains; new rows are checked from now on.",
                ident(&fk.name)
            ),
            format!("{} NOT VALID", ddl::add_foreign_key(table, fk)),
        )
    }
}
