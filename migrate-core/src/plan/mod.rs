//! The planner: changes → steps, each in its phase (expand, backfill, contract), with the
//! lock it takes, whether it rewrites or scans, and how it is undone. The catalogue it
//! follows is `shared/SAFETY.md`; a change without a safe plan here is an error naming the
//! change and the table, never a naive statement.

mod columns;
pub(crate) mod ddl;
mod rename;

use crate::diff::Change;
use crate::model::{Column, ForeignKey, Index, Table};
use crate::sql::default_is_constant;
pub use ddl::{create_index, create_schema, create_table};
use std::fmt;

/// The three phases of a migration, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
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

    /// The phase whose [`Phase::as_str`] is `name`.
    pub fn named(name: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a step is undone by the phase's down file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "why", rename_all = "snake_case")]
pub enum Reversible {
    /// The down statement restores the previous state exactly.
    Yes,
    /// The down statement restores the previous state, with a caveat for the operator
    /// (it may fail on data written since, or take long): said why.
    Caveat(String),
    /// The down statement restores the schema but drops data written since (said why).
    LosesData(String),
    /// The down statement restores the structure only; the data is gone (said why).
    SchemaOnly(String),
    /// Nothing to undo: the step changes no schema state (e.g. validating a constraint).
    NothingToUndo,
}

impl std::fmt::Display for Reversible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reversible::Yes => f.write_str("yes"),
            Reversible::Caveat(why) => write!(f, "yes; note: {why}"),
            Reversible::LosesData(why) => write!(f, "yes, losing data: {why}"),
            Reversible::SchemaOnly(why) => write!(f, "schema only: {why}"),
            Reversible::NothingToUndo => f.write_str("nothing to undo"),
        }
    }
}

/// One statement of the plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
    /// Runs in one transaction with the adjacent steps that share too: the statements on
    /// a table created in the same phase, or a column swap that must look atomic.
    pub shares_transaction: bool,
    /// What the step destroys (`table "x"`, `column "t"."c"`): it needs the acknowledgement
    /// recorded in the file.
    pub destroys: Vec<String>,
    /// Its lock (or its undo's) conflicts with reads or writes, so it must not wait in the
    /// lock queue for long: it runs under a short `lock_timeout`. Steps that only take
    /// SHARE UPDATE EXCLUSIVE / ROW SHARE block no traffic and wait as long as needed (a
    /// concurrent index build waits for older transactions; a short timeout would only
    /// make it fail and leave an INVALID index).
    pub blocks_traffic: bool,
    /// For a data backfill: how a runner batches it (the `sql` is the same change as one
    /// statement, correct but unbatched, for psql).
    pub batch: Option<Batch>,
    /// Whether the down statements must run in one transaction (false: each alone, e.g. a
    /// NOT VALID constraint followed by its non-blocking VALIDATE).
    pub down_atomic: bool,
    /// Lint rules the statement is exempt from, with why (`(rule, reason)`): written as
    /// `-- migrate:allow` comments, for the reviewer and the linter.
    pub allow: Vec<(String, String)>,
}

/// What a runner needs to run a backfill in keyset batches, each its own short transaction:
/// `UPDATE table SET column = expr … WHERE condition` over successive key ranges up to the
/// largest key read when the backfill starts (so it ends under write load).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Batch {
    /// Table (unquoted).
    pub table: String,
    /// Primary key columns, the keyset order.
    pub key: Vec<String>,
    /// Column (unquoted) and the SQL expression it is set to.
    pub set: Vec<(String, String)>,
    /// Which rows still need it (an SQL condition; rows not matching are skipped).
    pub condition: String,
    /// Rows per batch.
    pub batch_size: u32,
}

impl Step {
    /// A transactional step on an existing table whose lock blocks traffic, reversible,
    /// with no down statements yet: the common case, completed with struct update syntax.
    pub fn new(phase: Phase, table: &str, summary: String, sql: String, lock: String) -> Step {
        Step {
            phase,
            table: table.to_owned(),
            summary,
            sql,
            down: Vec::new(),
            lock,
            rewrites: false,
            scan: None,
            reversible: Reversible::Yes,
            transactional: true,
            shares_transaction: false,
            destroys: Vec::new(),
            allow: Vec::new(),
            blocks_traffic: true,
            batch: None,
            down_atomic: true,
        }
    }
}

/// The steps of one migration, in run order within each phase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Every step, phase by phase.
    pub steps: Vec<Step>,
    /// The schema of views new code reads through (`search_path = "<it>", public`) from
    /// expand until contract, when the migration renames columns.
    pub version_schema: Option<String>,
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
    /// Schema of views exposing the new shape during a rename (see [`version_schema`]).
    pub version_schema: String,
}

/// The schema new code puts first in its `search_path` while migration `timestamp`
/// (`yyyymmddhhmmss`) is between expand and contract.
pub fn version_schema(timestamp: &str) -> String {
    format!("migrate_{timestamp}")
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            pg_version: 14,
            allow_drop: Vec::new(),
            version_schema: "migrate_next".into(),
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
    /// A table or column would be dropped without acknowledgement.
    #[error(
        "{what} is in the last snapshot but no model defines it. Dropping it destroys its data: if that is intended, run again with `--allow-drop {flag}`; if not, check the `models` globs in Migrate.toml (or restore the field)"
    )]
    DropNotAcknowledged {
        /// `table "x"` or `column "t"."c"`.
        what: String,
        /// What `--allow-drop` takes for it: `x` or `t.c`.
        flag: String,
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
    // The old schema with renamed tables under their new names: every other change on a
    // renamed table names it by its new name.
    let original = old;
    let renamed: Vec<Table> = old
        .iter()
        .map(|t| {
            let mut t = t.clone();
            let to = changes.iter().find_map(|c| match c {
                Change::RenameTable { from, to } if *from == t.name => Some(to.clone()),
                _ => None,
            });
            if let Some(to) = to {
                t.name = to;
            }
            t
        })
        .collect();
    let old = renamed.as_slice();
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
                what: format!("table \"{}\"", t.name),
                flag: t.name.clone(),
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
    let mut table_drops = Vec::new();
    if drop_ok && !dropped.is_empty() {
        table_drops.push(ddl::drop_tables(&dropped));
    }
    let mut index_drops = Vec::new();

    // 2. New tables with their indexes.
    for t in &created {
        steps.extend(ddl::create_table_steps(t));
    }

    // 3. Changes to existing tables; foreign keys wait for step 4. Tables with a renamed
    //    column get a view in the version schema.
    let mut viewed: Vec<String> = Vec::new();
    // Contract steps dropping the views that keep renamed tables' old names working.
    let mut old_name_views: Vec<Step> = Vec::new();
    // (table, column, physical column) while a type change is in flight.
    let mut physical: Vec<(String, String, String)> = Vec::new();
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
            Change::AddColumn { table, column } => {
                match add_column_steps(table, column, key_of(old, table), opts) {
                    Ok(s) => steps.extend(s),
                    Err(reason) => errors.push(unsupported(&reason)),
                }
            }
            // A renamed column's nullability and default are the rename's business.
            Change::AlterColumn { from, to, .. } if from.name != to.name => {}
            // Every type change goes through a swapped column, binary-coercible widenings
            // too: in place, `varchar(20)` → `varchar(100)` rewrites nothing but changes
            // the result type of every prepared statement selecting the column, and those
            // fail ("cached plan must not change result type") until re-prepared.
            Change::AlterColumn { table, from, to } if from.sql_type != to.sql_type => {
                match type_change_steps(table, from, to, old, new) {
                    Ok(s) => {
                        steps.extend(s);
                        physical.push((table.clone(), to.name.clone(), rename::temp_name(&to.name)));
                        if !viewed.contains(table) {
                            viewed.push(table.clone());
                        }
                    }
                    Err(reason) => errors.push(unsupported(&reason)),
                }
            }
            Change::AlterColumn { table, from, to } => {
                match alter_column_steps(table, from, to, key_of(old, table)) {
                    Ok(s) => steps.extend(s),
                    Err(reason) => errors.push(unsupported(&reason)),
                }
            }
            Change::AddIndex { table, index } if existed(table) => {
                // Index names are schema-wide: one still held by an index dropped in
                // this contract (moved from another table) is taken over after the drop.
                if original
                    .iter()
                    .any(|t| t.indexes.iter().any(|i| i.name == index.name))
                {
                    steps.extend(ddl::build_then_rename_index(table, index));
                } else {
                    steps.push(ddl::create_index_concurrently(table, index));
                }
            }
            Change::AddIndex { .. } => {}
            Change::DropIndex { table, index } => index_drops.push(ddl::drop_index(table, index)),
            Change::AddForeignKey { table, foreign_key } if existed(table) => {
                foreign_keys.push((table, foreign_key));
            }
            Change::AddCheck { table, check } if existed(table) => {
                steps.extend(ddl::add_check(table, check));
            }
            Change::AddForeignKey { .. } | Change::AddCheck { .. } => {}
            Change::RenameTable { from, to } => {
                let reshaped = changes.iter().any(|c| {
                    c.table() == to
                        && matches!(
                            c,
                            Change::RenameColumn { .. }
                                | Change::AlterColumn { .. }
                                | Change::DropColumn { .. }
                        )
                });
                match original.iter().find(|t| &t.name == from) {
                    Some(_) if reshaped => errors.push(unsupported(
                        "rename the table in one migration and rename, retype or drop its columns in the next: the view that keeps the old name working needs the old columns",
                    )),
                    Some(before) => {
                        let (expand, contract) = rename::rename_table(before, to);
                        steps.extend(expand);
                        old_name_views.push(contract);
                    }
                    None => errors.push(unsupported("the old table is not in the last snapshot")),
                }
            }
            Change::RenameIndex { table, from, to } => {
                steps.push(rename::rename_index(table, from, to))
            }
            Change::RenameConstraint { table, from, to } => {
                steps.push(rename::rename_constraint(table, from, to))
            }
            Change::RenameColumn { table, from, to } => {
                match rename_steps(table, from, to, old, new) {
                    Ok(s) => {
                        steps.extend(s);
                        if !viewed.contains(table) {
                            viewed.push(table.clone());
                        }
                    }
                    Err(reason) => errors.push(unsupported(&reason)),
                }
            }
            Change::DropColumn { table, column } => {
                let flag = format!("{table}.{}", column.name);
                if opts.allow_drop.contains(&flag) {
                    steps.extend(columns::drop_column(table, column));
                } else {
                    errors.push(PlanError::DropNotAcknowledged {
                        what: format!("column \"{table}\".\"{}\"", column.name),
                        flag,
                    });
                }
            }
            Change::DropCheck { table, check } => steps.push(ddl::drop_check(table, check)),
            Change::DropForeignKey { table, foreign_key } => {
                steps.push(ddl::drop_foreign_key(table, foreign_key))
            }
            Change::SetPrimaryKey {
                table,
                from: None,
                to: Some(pk),
            } if existed(table) => {
                let nullable = new
                    .iter()
                    .find(|t| &t.name == table)
                    .map(|t| {
                        pk.columns
                            .iter()
                            .any(|c| t.column(c).is_none_or(|c| c.nullable))
                    })
                    .unwrap_or(true);
                let made_not_null = |col: &String| {
                    changes.iter().any(|c| {
                        matches!(c, Change::AlterColumn { table: t, from, to }
                            if t == table && &to.name == col && from.nullable && !to.nullable)
                    })
                };
                let was_nullable = old
                    .iter()
                    .find(|t| &t.name == table)
                    .is_some_and(|t| {
                        pk.columns.iter().any(|c| {
                            t.column(c).is_none_or(|c| c.nullable) && !made_not_null(c)
                        })
                    });
                if nullable || was_nullable {
                    errors.push(unsupported(
                        "the key columns must be NOT NULL before the key is added (or become NOT NULL by the check route in this same migration); a new column's NULLs would make ADD PRIMARY KEY scan under ACCESS EXCLUSIVE",
                    ));
                } else {
                    steps.extend(ddl::add_primary_key(table, pk));
                }
            }
            Change::SetPrimaryKey { .. } => errors.push(unsupported(
                "changing or dropping an existing primary key (foreign keys depend on its index) is not planned yet",
            )),
            Change::ReplaceIndex { table, from, to } => {
                let needed_by = from.unique.then(|| {
                    old.iter().flat_map(|t| &t.foreign_keys).find(|fk| {
                        &fk.ref_table == table && fk.ref_columns == from.columns
                    })
                });
                if let Some(Some(fk)) = needed_by {
                    errors.push(unsupported(&format!(
                        "foreign key \"{}\" needs the unique index, which cannot be dropped while the foreign key exists; add the new definition beside it under a new `name`",
                        fk.name
                    )));
                } else {
                    index_drops.push(ddl::drop_index(table, from));
                    steps.extend(ddl::build_then_rename_index(table, to));
                }
            }
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

    // 5. The version schema: its views come last in expand (every column exists then) and
    //    last in contract.
    let views: Vec<&Table> = new.iter().filter(|t| viewed.contains(&t.name)).collect();
    let (view_expand, view_contract): (Vec<Step>, Vec<Step>) = if views.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        rename::view_schema(&opts.version_schema, &views, &physical)
            .into_iter()
            .partition(|s| s.phase == Phase::Expand)
    };
    steps.extend(view_expand);

    if !errors.is_empty() {
        return Err(errors);
    }
    // Contract order: the old-name views of renamed tables, then dropped tables (before the
    // indexes their foreign keys need), then index drops (before the columns they cover, so
    // each down step finds what it rebuilds on), then the rest, and the version schema's
    // views last: they follow the swapped columns (views track columns by number), so new
    // code keeps reading the same types until the table itself has them.
    steps.sort_by_key(|s| s.phase); // stable: keeps order within a phase
    let first_contract = steps
        .iter()
        .position(|s| s.phase == Phase::Contract)
        .unwrap_or(steps.len());
    let early: Vec<Step> = old_name_views
        .into_iter()
        .chain(table_drops)
        .chain(index_drops)
        .collect();
    steps.splice(first_contract..first_contract, early);
    steps.extend(view_contract);
    Ok(Plan {
        steps,
        version_schema: (!views.is_empty()).then(|| opts.version_schema.clone()),
    })
}

/// A column rename, when it comes alone: a type change, or a new NOT NULL, in the same
/// migration would need values the old column may not have.
fn rename_steps(
    table: &str,
    from: &str,
    to: &str,
    old: &[Table],
    new: &[Table],
) -> Result<Vec<Step>, String> {
    let column = |tables: &[Table], name: &str| {
        tables
            .iter()
            .find(|t| t.name == table)
            .and_then(|t| t.column(name))
            .cloned()
    };
    let (Some(before), Some(after)) = (column(old, from), column(new, to)) else {
        return Err("the renamed column is missing from one of the schemas".into());
    };
    if before.sql_type != after.sql_type
        || before.nullable != after.nullable
        || before.default != after.default
    {
        return Err("rename the column in one migration, and change its type, nullability or default in the next: during the transition the old column's rules apply to both".into());
    }
    column_replaceable(table, &before, &after, new)?;
    if before.identity || after.identity {
        return Err("renaming an identity column is not planned yet".into());
    }
    let in_key = old
        .iter()
        .find(|t| t.name == table)
        .and_then(|t| t.primary_key.as_ref())
        .is_some_and(|p| p.columns.iter().any(|c| c == from));
    if in_key {
        return Err("renaming a primary key column is not planned yet".into());
    }
    let key = key_of(old, table).ok_or(NEEDS_KEY)?;
    Ok(rename::replace_column(
        table,
        key,
        &before,
        &after,
        &after.name,
        &[],
    ))
}

/// A type change that would rewrite the table: a new column in the new type, kept in sync
/// by a trigger with casts both ways, converted in batches, swapped in at contract. A
/// column that keys, indexes or constrains anything is refused for now: those objects
/// would have to be rebuilt on the new column before the swap.
fn type_change_steps(
    table: &str,
    from: &Column,
    to: &Column,
    old: &[Table],
    new: &[Table],
) -> Result<Vec<Step>, String> {
    let before = old
        .iter()
        .find(|t| t.name == table)
        .ok_or("the table is missing from the last snapshot")?;
    // Indexes on the column are rebuilt on the new one; a predicate naming it would need
    // rewriting, and an index redefined in this same migration is the other change's.
    let indexes: Vec<Index> = before
        .indexes
        .iter()
        .filter(|i| i.columns.contains(&from.name))
        .cloned()
        .collect();
    let after_table = new.iter().find(|t| t.name == table);
    if let Some(ix) = after_table
        .iter()
        .flat_map(|t| &t.indexes)
        .find(|i| i.columns.contains(&to.name) && !indexes.contains(i))
    {
        return Err(format!(
            "index \"{}\" on the column is new in the same migration; change the type in one migration and add the index in the next",
            ix.name
        ));
    }
    for ix in &indexes {
        if ix
            .predicate
            .as_deref()
            .is_some_and(|p| mentions(p, &from.name))
        {
            return Err(format!(
                "the predicate of index \"{}\" names the column; rebuilding it on the new column is not planned yet",
                ix.name
            ));
        }
        if !after_table.is_some_and(|t| t.indexes.contains(ix)) {
            return Err(format!(
                "index \"{}\" on the column changes in the same migration; change the type in one migration and the index in the next",
                ix.name
            ));
        }
    }
    let used = before
        .primary_key
        .iter()
        .flat_map(|p| p.columns.iter())
        .chain(before.foreign_keys.iter().flat_map(|f| f.columns.iter()))
        .any(|c| *c == from.name)
        || old
            .iter()
            .flat_map(|t| t.foreign_keys.iter())
            .any(|f| f.ref_table == table && f.ref_columns.contains(&from.name))
        || before.checks.iter().any(|c| mentions(&c.expr, &from.name));
    if used {
        return Err(format!(
            "{} → {} rewrites the table; the column is part of the primary key, a foreign key or a check, and rebuilding those on the new column before the swap is not planned yet",
            from.sql_type, to.sql_type
        ));
    }
    if from.identity || to.identity {
        return Err("changing the type of an identity column is not planned yet".into());
    }
    if from.nullable != to.nullable || from.default != to.default {
        return Err("change the type in one migration, and the nullability or default in the next: during the transition the old column's rules apply to both".into());
    }
    column_replaceable(table, from, to, new)?;
    if rounds(&from.sql_type, &to.sql_type) {
        return Err(format!(
            "{} → {} rounds existing values to the smaller scale; change the data deliberately first",
            from.sql_type, to.sql_type
        ));
    }
    if from.nullable && !to.nullable {
        return Err(
            "change the type in one migration and make the column NOT NULL in the next".into(),
        );
    }
    let key = key_of(old, table).ok_or(NEEDS_KEY)?;
    Ok(rename::replace_column(
        table,
        key,
        from,
        to,
        &rename::temp_name(&to.name),
        &indexes,
    ))
}

/// Whether `expr` names `column` as an identifier (not as part of a longer name).
fn mentions(expr: &str, column: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    expr.match_indices(column).any(|(i, _)| {
        let before = expr[..i].chars().next_back();
        let after = expr[i + column.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// Objects that would silently vanish when contract drops the old column: a check or
/// partial-index predicate of the new models still naming it, or (same name, new type) a
/// key, index, foreign key or check on the column; and sequences a column default owns.
fn column_replaceable(
    table: &str,
    from: &Column,
    to: &Column,
    new: &[Table],
) -> Result<(), String> {
    if from
        .default
        .as_deref()
        .is_some_and(|d| d.contains("nextval("))
    {
        return Err("the column's default draws from a sequence it owns; not planned yet".into());
    }
    let Some(t) = new.iter().find(|t| t.name == table) else {
        return Ok(());
    };
    let stale = t
        .checks
        .iter()
        .map(|c| c.expr.as_str())
        .chain(t.indexes.iter().filter_map(|i| i.predicate.as_deref()))
        .any(|e| mentions(e, &from.name));
    if stale && from.name != to.name {
        return Err(format!(
            "a check or index predicate of the models still names \"{}\"; contract drops that column and the constraint with it",
            from.name
        ));
    }
    if from.name == to.name {
        let used = t
            .primary_key
            .iter()
            .flat_map(|p| p.columns.iter())
            .chain(t.foreign_keys.iter().flat_map(|f| f.columns.iter()))
            .any(|c| *c == to.name)
            || new
                .iter()
                .flat_map(|o| o.foreign_keys.iter())
                .any(|f| f.ref_table == table && f.ref_columns.contains(&to.name))
            || t.checks.iter().any(|c| mentions(&c.expr, &to.name));
        if used {
            return Err("the column is part of the primary key, a foreign key or a check in the models; rebuilding those on the new column before the swap is not planned yet".into());
        }
    }
    Ok(())
}

/// Whether converting `numeric(p, s)` to `numeric(q, t)` with `t < s` would round values.
fn rounds(from: &str, to: &str) -> bool {
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

/// The primary key of an existing table: the keyset a backfill batches along.
fn key_of<'a>(old: &'a [Table], table: &str) -> Option<&'a [String]> {
    old.iter()
        .find(|t| t.name == table)
        .and_then(|t| t.primary_key.as_ref())
        .map(|p| p.columns.as_slice())
}

const NEEDS_KEY: &str =
    "a batched backfill walks the table along its primary key, and this table has none";

/// A new column on an existing table. Nullable, or NOT NULL with a constant default kept in
/// the catalog: one statement. A volatile default, or a `backfill` expression: the column
/// is added empty, new rows get the default (or the fill trigger's value), existing rows
/// are backfilled in batches, and NOT NULL comes by the check route.
fn add_column_steps(
    table: &str,
    column: &Column,
    key: Option<&[String]>,
    opts: &PlanOptions,
) -> Result<Vec<Step>, String> {
    if column.identity {
        return Err("an identity column added to an existing table fills every row and rewrites the table; not planned safely yet".into());
    }
    if column.default.is_some() && opts.pg_version < 11 {
        return Err("before PostgreSQL 11, ADD COLUMN … DEFAULT rewrites the table".into());
    }
    let constant = column.default.as_deref().is_none_or(default_is_constant);
    let backfill_is_default = column.backfill.is_none() || column.backfill == column.default;
    if constant && (column.nullable || (column.default.is_some() && backfill_is_default)) {
        return Ok(vec![ddl::add_column(table, column)]);
    }
    let Some(expr) = column.backfill.as_deref().or(column.default.as_deref()) else {
        return Err("a NOT NULL column on an existing table needs a value for the rows already there: add `default = \"...\"` (for new rows too) or `backfill = \"...\"` (an expression over the row) to the field, or make it an `Option`".into());
    };
    let key = key.ok_or(NEEDS_KEY)?;
    let empty = Column {
        nullable: true,
        default: None,
        ..column.clone()
    };
    let mut steps = vec![ddl::add_column(table, &empty)];
    if let Some(d) = &column.default {
        steps.push(columns::set_default(table, &column.name, None, Some(d)));
    } else {
        steps.extend(columns::fill_trigger(table, &column.name, expr));
    }
    steps.push(columns::backfill(
        table,
        key,
        &column.name,
        expr,
        columns::is_null(&column.name),
        Reversible::NothingToUndo,
    ));
    if !column.nullable {
        steps.extend(columns::not_null_check(table, &column.name));
        let trigger = column.default.is_none().then_some(expr);
        steps.extend(columns::set_not_null(table, &column.name, trigger));
    }
    Ok(steps)
}

/// A column whose type, nullability or default changed.
fn alter_column_steps(
    table: &str,
    from: &Column,
    to: &Column,
    key: Option<&[String]>,
) -> Result<Vec<Step>, String> {
    if from.identity != to.identity {
        return Err("adding or removing identity is not planned safely yet".into());
    }
    let mut steps = Vec::new();
    if from.default != to.default {
        steps.push(columns::set_default(
            table,
            &to.name,
            from.default.as_deref(),
            to.default.as_deref(),
        ));
    }
    if from.nullable && !to.nullable {
        let Some(expr) = to.backfill.as_deref().or(to.default.as_deref()) else {
            return Err("the column becomes NOT NULL: existing NULLs need a value, and old code may still write NULL; add `backfill = \"...\"` (an expression over the row) or `default = \"...\"` to the field".into());
        };
        let key = key.ok_or(NEEDS_KEY)?;
        steps.extend(columns::fill_trigger(table, &to.name, expr));
        steps.push(columns::backfill(
            table,
            key,
            &to.name,
            expr,
            columns::is_null(&to.name),
            Reversible::SchemaOnly("the NULLs it replaced are not restored".into()),
        ));
        steps.extend(columns::not_null_check(table, &to.name));
        steps.extend(columns::set_not_null(table, &to.name, Some(expr)));
    } else if !from.nullable && to.nullable {
        steps.push(columns::drop_not_null(table, &to.name));
    }
    Ok(steps)
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
