//! The planner: changes → steps, each in its phase (expand, backfill, contract), with the
//! lock it takes, whether it rewrites or scans, and how it is undone. The catalogue it
//! follows is `shared/SAFETY.md`; a change without a safe plan here is an error naming the
//! change and the table, never a naive statement.

pub(crate) mod ddl;

use crate::diff::Change;
use crate::model::{Column, ForeignKey, Table};
use crate::sql::default_is_constant;
pub use ddl::{create_index, create_schema, create_table};
use std::fmt;

/// The three phases of a migration, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Backward compatible: old code keeps working.
    Expand,
    /// Long-running, non-blocking data work (validation, concurrent index builds, batches).
    Backfill,
    /// After every running instance uses the new schema.
    Contract,
}

impl Phase {
    /// All phases in run order.
    pub const ALL: [Phase; 3] = [Phase::Expand, Phase::Backfill, Phase::Contract];

    /// File stem: `expand`, `backfill`, `contract`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Expand => "expand",
            Phase::Backfill => "backfill",
            Phase::Contract => "contract",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a step is undone by the phase's down file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reversible {
    /// The down statement restores the previous state exactly.
    Yes,
    /// The down statement restores the schema but drops data written since (said why).
    LosesData(String),
    /// The down statement restores the structure only; the data is gone (said why).
    SchemaOnly(String),
    /// Nothing to undo: the step changes no schema state (e.g. validating a constraint).
    NothingToUndo,
}

/// One statement of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Phase the step runs in.
    pub phase: Phase,
    /// Table the step is on.
    pub table: String,
    /// What it does, for the reviewer: `Create table "users".`
    pub summary: String,
    /// The statement (no trailing semicolon).
    pub sql: String,
    /// The statements that undo it, run by the phase's down file (empty: nothing to undo).
    pub down: Vec<String>,
    /// The lock it takes and for how long.
    pub lock: String,
    /// Whether it rewrites the table.
    pub rewrites: bool,
    /// Whether it scans the table (and whether that blocks).
    pub scan: Option<String>,
    /// How it is undone.
    pub reversible: Reversible,
    /// False for statements that cannot run inside a transaction (CONCURRENTLY).
    pub transactional: bool,
    /// True when the step only touches objects created earlier in the same phase, so it
    /// can share a transaction with them.
    pub on_new_table: bool,
    /// Tables whose rows the step destroys: it needs the acknowledgement recorded in the
    /// file.
    pub destroys: Vec<String>,
    /// Its lock (or its undo's) conflicts with reads or writes, so it must not wait in the
    /// lock queue for long: it runs under a short `lock_timeout`. Steps that only take
    /// SHARE UPDATE EXCLUSIVE / ROW SHARE block no traffic and wait as long as needed (a
    /// concurrent index build waits for older transactions; a short timeout would only
    /// make it fail and leave an INVALID index).
    pub blocks_traffic: bool,
}

/// The steps of one migration, in run order within each phase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Every step, phase by phase.
    pub steps: Vec<Step>,
}

impl Plan {
    /// The steps of one phase, in order.
    pub fn phase(&self, phase: Phase) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(move |s| s.phase == phase)
    }
}

/// Planner settings.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Target PostgreSQL major version.
    pub pg_version: u32,
    /// Tables the user has acknowledged dropping (`--allow-drop`).
    pub allow_drop: Vec<String>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            pg_version: 14,
            allow_drop: Vec::new(),
        }
    }
}

/// A change the planner refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// No safe plan exists for it yet.
    #[error("table \"{table}\": {change}: {reason}")]
    Unsupported {
        /// Table name.
        table: String,
        /// The change, in words.
        change: String,
        /// Why, and what to do instead.
        reason: String,
    },
    /// A table would be dropped without acknowledgement.
    #[error(
        "table \"{table}\" is in the last snapshot but no model defines it. Dropping it destroys its rows: if that is intended, run again with `--allow-drop {table}`; if not, check the `models` globs in Migrate.toml"
    )]
    DropNotAcknowledged {
        /// Table name.
        table: String,
    },
}

/// Plans `changes` (from [`crate::diff::diff`] of `old` → `new`), or returns every change
/// it refuses.
pub fn plan(
    changes: &[Change],
    old: &[Table],
    new: &[Table],
    opts: &PlanOptions,
) -> Result<Plan, Vec<PlanError>> {
    let mut errors = Vec::new();
    let mut steps = Vec::new();
    let existed = |name: &str| old.iter().any(|t| t.name == name);
    let created: Vec<&Table> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable(t) => Some(t),
            _ => None,
        })
        .collect();
    let is_created = |name: &str| created.iter().any(|t| t.name == name);
    let dropped: Vec<&Table> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropTable(t) => Some(t),
            _ => None,
        })
        .collect();

    // 1. Dropped tables: acknowledged, referenced by no surviving table, dropped together
    //    (PostgreSQL resolves the foreign keys among them) and first in contract, before
    //    any index their foreign keys rely on.
    let mut drop_ok = true;
    for t in &dropped {
        if !opts.allow_drop.iter().any(|a| a == &t.name) {
            errors.push(PlanError::DropNotAcknowledged {
                table: t.name.clone(),
            });
            drop_ok = false;
        }
        for other in new {
            if let Some(fk) = other.foreign_keys.iter().find(|f| f.ref_table == t.name) {
                errors.push(PlanError::Unsupported {
                    table: t.name.clone(),
                    change: format!("table \"{}\" removed from the models", t.name),
                    reason: format!(
                        "foreign key \"{}\" of table \"{}\" still references it; remove that reference first",
                        fk.name, other.name
                    ),
                });
                drop_ok = false;
            }
        }
    }
    if drop_ok && !dropped.is_empty() {
        steps.push(ddl::drop_tables(&dropped));
    }

    // 2. New tables with their indexes.
    for t in &created {
        steps.extend(ddl::create_table_steps(t));
    }

    // 3. Changes to existing tables; foreign keys wait for step 4.
    let mut foreign_keys: Vec<(&str, &ForeignKey)> = created
        .iter()
        .flat_map(|t| t.foreign_keys.iter().map(|f| (t.name.as_str(), f)))
        .collect();
    for change in changes {
        let unsupported = |reason: &str| PlanError::Unsupported {
            table: change.table().to_owned(),
            change: change.to_string(),
            reason: reason.to_owned(),
        };
        match change {
            Change::CreateTable(_) | Change::DropTable(_) => {}
            Change::AddColumn { table, column } => match add_column_refusal(column, opts) {
                Some(reason) => errors.push(unsupported(reason)),
                None => steps.push(ddl::add_column(table, column)),
            },
            Change::AddIndex { table, index } => {
                if existed(table) {
                    steps.push(ddl::create_index_concurrently(table, index));
                }
            }
            Change::DropIndex { table, index } => steps.push(ddl::drop_index(table, index)),
            Change::AddForeignKey { table, foreign_key } if existed(table) => {
                foreign_keys.push((table, foreign_key));
            }
            Change::AddCheck { table, check } if existed(table) => {
                steps.extend(ddl::add_check(table, check));
            }
            Change::AddForeignKey { .. } | Change::AddCheck { .. } => {}
            Change::RenameTable { .. } => errors.push(unsupported(
                "renaming a table breaks the code still using the old name; the expand/contract rename (with a view under the old name) is not planned yet. Remove `renamed_from` and keep the old `table` name for now",
            )),
            Change::RenameColumn { .. } => errors.push(unsupported(
                "renaming a column breaks the code still using the old name; the expand/contract rename with a sync trigger is not planned yet",
            )),
            Change::DropColumn { .. } => errors.push(unsupported(
                "dropping a column breaks code that still reads it and destroys its data; the deprecate-then-drop plan is not planned yet",
            )),
            Change::AlterColumn { .. } => errors.push(unsupported(
                "changing a column's type, nullability, default or identity is not planned safely yet",
            )),
            Change::SetPrimaryKey { .. } => errors.push(unsupported(
                "changing a primary key builds a unique index under lock; the concurrent-index plan is not planned yet",
            )),
            Change::ReplaceIndex { .. } => errors.push(unsupported(
                "redefining an index under the same name is not planned yet; give the new definition a new `name` (the old index is then dropped concurrently)",
            )),
            Change::DropCheck { .. } | Change::DropForeignKey { .. } => errors.push(unsupported(
                "dropping or redefining a constraint of an existing table is not planned yet",
            )),
        }
    }

    // 4. Foreign keys, once the columns they use exist. One whose referenced key only gets
    //    its unique index in this migration's backfill cannot be added in expand.
    for (table, fk) in foreign_keys {
        if key_built_late(fk, old, changes) {
            errors.push(PlanError::Unsupported {
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
        let both_new = is_created(table) && is_created(&fk.ref_table);
        steps.extend(ddl::add_foreign_key(table, fk, both_new));
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    steps.sort_by_key(|s| s.phase); // stable: keeps order within a phase
    Ok(Plan { steps })
}

/// Why a new column on an existing table has no safe plan yet, if it has none.
fn add_column_refusal(column: &Column, opts: &PlanOptions) -> Option<&'static str> {
    if column.identity {
        return Some(
            "an identity column added to an existing table fills every row and rewrites the table; not planned safely yet",
        );
    }
    if column.backfill.is_some() && column.backfill != column.default {
        return Some(
            "the batched backfill of `backfill` is not planned yet, and existing rows would get the `default` instead; for now give the field a constant `default` and no `backfill`",
        );
    }
    match (&column.default, column.nullable) {
        (Some(d), _) if !default_is_constant(d) => Some(
            "a default that is not a constant (a volatile function such as gen_random_uuid(), or an expression this version cannot classify) would be evaluated for every row, rewriting the table; not planned safely yet",
        ),
        (Some(_), _) if opts.pg_version < 11 => {
            Some("before PostgreSQL 11, ADD COLUMN … DEFAULT rewrites the table")
        }
        (None, false) => Some(
            "a NOT NULL column on an existing table needs a value for the rows already there: add `default = \"...\"` (a constant) to the field, or make it an `Option`",
        ),
        _ => None,
    }
}

/// Whether the key `fk` references exists before this migration only as a unique index it
/// builds concurrently (in backfill).
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
    let built_now = changes.iter().any(|c| {
        matches!(c, Change::AddIndex { table, index }
            if *table == fk.ref_table && index.unique && index.columns == fk.ref_columns)
    });
    built_now && !keyed_before && old.iter().any(|t| t.name == fk.ref_table)
}

#[cfg(test)]
mod tests;
