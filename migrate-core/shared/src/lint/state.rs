//! What the linter knows of a migration so far, statement by statement: the tables and
//! indexes it created (nobody uses them yet), the columns a valid `CHECK (c IS NOT NULL)`
//! proves (so `SET NOT NULL` scans nothing), and, inside `BEGIN` … `COMMIT`, the first lock
//! that blocks traffic and the constraints added `NOT VALID` (held or added until COMMIT).

use super::Action;
use crate::catalogue::{Kind, Scan};
use std::collections::{HashMap, HashSet};

/// What carries from statement to statement (and from file to file of a migration).
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Tables created in this migration.
    pub new_tables: HashSet<String>,
    /// Indexes created on such tables.
    pub new_indexes: HashSet<String>,
    /// `(table, column)` a valid check (or NOT NULL constraint) proves NOT NULL.
    pub proven_not_null: HashSet<(String, String)>,
    /// Constraints added `NOT VALID` that would prove a column NOT NULL once validated:
    /// name → `(table, column)`.
    pub pending_not_null: HashMap<String, (String, String)>,
}

/// An open `BEGIN` … `COMMIT` block.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// The first statement in it whose lock blocks reads or writes of a table in use:
    /// `(line, the lock)`. The lock is held until COMMIT.
    pub holding: Option<(usize, String)>,
    /// Constraints added `NOT VALID` in it.
    pub not_valid: HashSet<String>,
}

impl Known {
    /// Whether `table` already exists and may be in use (not created by this migration).
    pub fn existing(&self, table: &str) -> bool {
        !self.new_tables.contains(table)
    }

    /// Records what `action` (of the statement at `line`) leaves behind, on a server of
    /// major version `pg_version`, inside `block` when in one.
    pub fn record(
        &mut self,
        action: &Action,
        line: usize,
        pg_version: u32,
        block: Option<&mut Block>,
    ) {
        match action {
            Action::CreateTable { table } => {
                self.new_tables.insert(table.clone());
            }
            Action::CreateIndex { name, table, .. } if self.new_tables.contains(table) => {
                // The index lives in its table's schema: `ix ON billing.t` is `billing.ix`.
                let name = match table.split_once('.') {
                    Some((schema, _)) if !name.contains('.') => format!("{schema}.{name}"),
                    _ => name.clone(),
                };
                self.new_indexes.insert(name);
            }
            Action::AddConstraint {
                table,
                kind,
                name,
                not_valid,
                not_null_of: Some(column),
                ..
            } => {
                // A check proves NOT NULL from PostgreSQL 12 on, a NOT NULL constraint
                // added NOT VALID (then validated) from 18 on.
                let proves = match *kind {
                    "CHECK" => pg_version >= Kind::SetNotNullProven.facts().since,
                    "NOT NULL" => pg_version >= crate::catalogue::NOT_NULL_NOT_VALID_SINCE,
                    _ => false,
                };
                let target = (table.clone(), column.clone());
                if proves && !*not_valid {
                    self.proven_not_null.insert(target);
                } else if proves {
                    self.pending_not_null.insert(name.clone(), target);
                }
            }
            Action::ValidateConstraint { name, .. } => {
                if let Some(target) = self.pending_not_null.remove(name) {
                    self.proven_not_null.insert(target);
                }
            }
            _ => {}
        }
        if let Some(block) = block {
            self.record_in_block(action, line, block);
        }
    }

    fn record_in_block(&self, action: &Action, line: usize, block: &mut Block) {
        if let Action::AddConstraint {
            name,
            not_valid: true,
            ..
        } = action
        {
            block.not_valid.insert(name.clone());
        }
        let blocks = action.kind().is_some_and(|k| k.facts().blocks_traffic())
            && action.kind() != Some(Kind::Update)
            && action.table().is_some_and(|t| self.existing(t));
        if blocks && block.holding.is_none() {
            block.holding = action.lock().map(|lock| (line, lock));
        }
        // An explicit lock that blocks reads or writes is held to the end of the block.
        if let Action::LockTable { table, mode } = action
            && (mode.blocks_reads() || mode.blocks_writes())
            && self.existing(table)
            && block.holding.is_none()
        {
            block.holding = Some((line, format!("{mode} on \"{table}\", until COMMIT")));
        }
    }

    /// The kind of `action` with what the migration proved: a `SET NOT NULL` that a valid
    /// check proves is [`Kind::SetNotNullProven`].
    pub fn kind_of(&self, action: &Action) -> Option<Kind> {
        match action {
            Action::SetNotNull { table, column }
                if self
                    .proven_not_null
                    .contains(&(table.clone(), column.clone())) =>
            {
                Some(Kind::SetNotNullProven)
            }
            _ => action.kind(),
        }
    }

    /// Whether `action` reads every row of a table in use (a scan, a build, a rewrite, an
    /// unbatched UPDATE): slow work, long on a big table.
    pub fn slow(&self, action: &Action) -> bool {
        let Some(kind) = self.kind_of(action) else {
            return false;
        };
        let f = kind.facts();
        (f.rewrites_a_table() || !matches!(f.scan, Scan::None | Scan::Keyed))
            && action.table().is_some_and(|t| self.existing(t))
    }
}
