//! What every change's planner reads (the schemas before and after, the other changes, the
//! options) and what planning collects besides the main run of steps.

use super::recipes::version_schema::Physical;
use super::settings::{PlanError, PlanOptions};
use super::step::Step;
use crate::diff::Change;
use crate::model::{Column, ForeignKey, Table};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// The schemas and changes of one migration.
pub(super) struct Context<'a> {
    /// Every change, in diff order.
    pub changes: &'a [Change],
    /// The schema before, as the last snapshot has it.
    pub original: &'a [Table],
    /// The schema before with renamed tables under their new names: every other change on
    /// a renamed table names it by its new name.
    pub old: Vec<Cow<'a, Table>>,
    /// The schema after.
    pub new: &'a [Table],
    /// The planner's settings.
    pub opts: &'a PlanOptions,
    /// `old` by name.
    old_index: HashMap<String, usize>,
    /// `new` by name.
    new_index: HashMap<&'a str, usize>,
    /// The names of the tables this migration creates.
    created_names: HashSet<&'a str>,
}

impl<'a> Context<'a> {
    pub fn new(
        changes: &'a [Change],
        old: &'a [Table],
        new: &'a [Table],
        opts: &'a PlanOptions,
    ) -> Context<'a> {
        let renames: HashMap<&str, &str> = changes
            .iter()
            .filter_map(|c| match c {
                Change::RenameTable { from, to } => Some((from.as_str(), to.as_str())),
                _ => None,
            })
            .collect();
        // Only a renamed table is copied, to carry its new name.
        let renamed: Vec<Cow<'a, Table>> = old
            .iter()
            .map(|t| match renames.get(t.name.as_str()) {
                Some(to) => Cow::Owned(Table {
                    name: (*to).to_owned(),
                    ..t.clone()
                }),
                None => Cow::Borrowed(t),
            })
            .collect();
        let old_index = renamed
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        let created_names = changes
            .iter()
            .filter_map(|c| match c {
                Change::CreateTable { table } => Some(table.as_str()),
                _ => None,
            })
            .collect();
        Context {
            changes,
            original: old,
            old: renamed,
            new,
            opts,
            old_index,
            new_index: new
                .iter()
                .enumerate()
                .map(|(i, t)| (t.name.as_str(), i))
                .collect(),
            created_names,
        }
    }

    /// Whether `table` exists before this migration (under its new name if renamed).
    pub fn existed(&self, table: &str) -> bool {
        self.old_index.contains_key(table)
    }

    /// The table before this migration (under its new name if renamed).
    pub fn old_table(&self, table: &str) -> Option<&Table> {
        self.old_index.get(table).map(|&i| &*self.old[i])
    }

    /// The tables this migration creates, as the new schema has them.
    pub fn created(&self) -> impl Iterator<Item = &'a Table> + '_ {
        self.changes.iter().filter_map(|c| match c {
            Change::CreateTable { table } => self.after(table),
            _ => None,
        })
    }

    /// Whether this migration creates `table`.
    pub fn is_created(&self, table: &str) -> bool {
        self.created_names.contains(table)
    }

    /// The tables this migration drops.
    pub fn dropped(&self) -> impl Iterator<Item = &'a Table> {
        self.changes.iter().filter_map(|c| match c {
            Change::DropTable(t) => Some(t),
            _ => None,
        })
    }

    /// `table` before this migration.
    pub fn before(&self, table: &str) -> Option<&Table> {
        self.old_table(table)
    }

    /// `table` after this migration.
    pub fn after(&self, table: &str) -> Option<&'a Table> {
        self.new_index.get(table).map(|&i| &self.new[i])
    }

    /// Column `name` of `table` before this migration.
    pub fn old_column(&self, table: &str, name: &str) -> Option<&Column> {
        self.before(table).and_then(|t| t.column(name))
    }

    /// The primary key of an existing table: the keyset a backfill batches along.
    pub fn key_of(&self, table: &str) -> Option<&[String]> {
        self.before(table)
            .and_then(|t| t.primary_key.as_ref())
            .map(|p| p.columns.as_slice())
    }

    /// [`Context::key_of`], or the reason a backfill cannot run without one.
    pub fn key(&self, table: &str) -> Result<&[String], String> {
        self.key_of(table).ok_or_else(|| NEEDS_KEY.to_owned())
    }

    /// The refusal of `change`, with the reason.
    pub fn unsupported(&self, change: &Change, reason: &str) -> PlanError {
        PlanError::Unsupported {
            table: change.table().to_owned(),
            change: change.to_string(),
            reason: reason.to_owned(),
        }
    }
}

const NEEDS_KEY: &str =
    "a batched backfill walks the table along its primary key, and this table has none";

/// What planning collects: the main run of steps in change order, and the steps that take
/// a fixed place in the plan.
#[derive(Default)]
pub(super) struct Planned<'a> {
    /// Steps in change order (sorted by phase at the end, keeping that order).
    pub steps: Vec<Step>,
    /// Every refused change.
    pub errors: Vec<PlanError>,
    /// Contract: the tables dropped, before the index drops.
    pub table_drops: Vec<Step>,
    /// Contract: the indexes dropped, before the columns they cover.
    pub index_drops: Vec<Step>,
    /// Contract, first: the views that kept renamed tables' old names working.
    pub old_name_views: Vec<Step>,
    /// Tables that get a view in the version schema.
    pub viewed: Vec<String>,
    /// Columns whose values live in a temporary column until contract.
    pub physical: Vec<Physical>,
    /// Foreign keys to add once every column exists: `(table, foreign key)`.
    pub foreign_keys: Vec<(&'a str, &'a ForeignKey)>,
    /// Backfill, last: foreign keys re-pointed at a swapped key (every new column filled,
    /// every new unique index built).
    pub late_backfill: Vec<Step>,
    /// Contract, after the column swaps: the re-pointed foreign keys taking over.
    pub late_contract: Vec<Step>,
    /// Contract, after those: the swaps of key columns (no foreign key on the old key is
    /// left by then).
    pub key_contract: Vec<Step>,
    /// Contract, last: the enum types no column has any more.
    pub type_drops: Vec<Step>,
}

impl Planned<'_> {
    /// `table` gets a view in the version schema.
    pub fn view(&mut self, table: &str) {
        if !self.viewed.iter().any(|t| t == table) {
            self.viewed.push(table.to_owned());
        }
    }
}
