//! Replacing a column by another, for a rename or a type change. Expand adds the new
//! column and a trigger keeping old and new in sync on every write, from old code (which
//! writes the old column) and new code (the new one) alike; backfill copies the existing
//! rows in batches and builds the column's indexes on the new column; contract drops the
//! trigger and the old column (and, for a type change, renames the new one into its place)
//! in one short transaction.
//!
//! The old column's default moves into the trigger during the transition: a default would
//! fill the old column on an insert by new code before the trigger could copy the new value
//! over.

use super::key_swap::KeySwap;
use super::rebuilt::{Constraint, Rebuilt};
use super::sequence::{Identity, Serial};
use super::{backfill, defaults, index, names, not_null};
use crate::catalogue::Kind;
use crate::model::{Column, Index};
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Reversible, Step};
use crate::sql::{ident, table_ref};

/// One column replaced by another on `table`.
pub struct Swap<'a> {
    /// The table.
    pub table: &'a str,
    /// Its primary key, the keyset of the backfill.
    pub key: &'a [String],
    /// The column before.
    pub from: &'a Column,
    /// The column after.
    pub to: &'a Column,
    /// Where the new values live until contract: `to`'s name for a rename, a temporary
    /// column for a type change (swapped in at contract).
    pub physical: &'a str,
    /// Indexes on the column or whose predicate names it: built on the new column in
    /// backfill, named back in the swap.
    pub indexes: &'a [Index],
    /// Indexes on the column new in this migration: built on the new column in backfill
    /// and named in the swap like the others, but not rebuilt by the downs.
    pub new_indexes: &'a [Index],
    /// Checks and foreign keys naming the column: rebuilt on the new column.
    pub constraints: &'a [Constraint],
    /// For a nullable column becoming NOT NULL: the value (an expression over the row)
    /// the new column gets where the old one is NULL, in the trigger and the backfill.
    pub fill: Option<&'a str>,
    /// The old column's NOT NULL is dropped in expand: the new column allows NULL, and the
    /// trigger copies new code's NULLs into the old column.
    pub relax_old: bool,
    /// For a key column that foreign keys reference: the key's side of the swap.
    pub key_swap: Option<&'a KeySwap<'a>>,
    /// Down statements the old column's restore ends with: the foreign keys a key swap
    /// re-pointed, given back to the restored column.
    pub restore: &'a [Down],
    /// How the new column is proven NOT NULL on the target server.
    pub route: not_null::Route,
}

/// The value NULLs of the old column give the new one when it becomes NOT NULL: the
/// field's `backfill` or `default`; none with `no_nulls` (VALIDATE proves it).
pub fn null_fill<'a>(before: &Column, after: &'a Column) -> Result<Option<&'a str>, String> {
    if !before.nullable || after.nullable || after.no_nulls {
        return Ok(None);
    }
    match after.backfill.as_deref().or(after.default.as_deref()) {
        Some(e) => Ok(Some(e)),
        None => Err("the column becomes NOT NULL: rows where the old column is NULL (and old code's NULL writes) need a value: add `backfill = \"...\"` or `default = \"...\"` to the field, or `no_nulls` when no row is NULL and old code writes none".into()),
    }
}

fn is_string(ty: &str) -> bool {
    ty == "text" || ty.starts_with("character varying") || ty.starts_with("character(")
}

/// `x` converted from `from` to `to`. Between string types no explicit cast: an explicit
/// `::varchar(n)` silently truncates a longer value, while an assignment raises "value too
/// long" — a shrink must fail loudly, never cut data.
pub fn cast(x: &str, from: &str, to: &str) -> String {
    if from == to || (is_string(from) && is_string(to)) {
        x.to_owned()
    } else {
        format!("({x})::{to}")
    }
}

impl Swap<'_> {
    /// The new column's value from the old one: the field's `convert` over the row (in the
    /// trigger, over `NEW`), else a cast.
    fn forward(&self, in_trigger: bool) -> String {
        let old = self.column_ref(&self.from.name, in_trigger);
        match &self.to.convert {
            Some(e) => self.over_row(e, in_trigger),
            None => cast(&old, &self.from.sql_type, &self.to.sql_type),
        }
    }

    /// The old column's value from the new one, for old code: the field's `convert_back`
    /// (naming the column by its new name), else a cast.
    fn backward(&self, in_trigger: bool) -> String {
        let new = self.column_ref(self.physical, in_trigger);
        match &self.to.convert_back {
            Some(e) => self.over_row(
                &crate::sql::rename_column_in(e, &self.to.name, self.physical),
                in_trigger,
            ),
            None => cast(&new, &self.to.sql_type, &self.from.sql_type),
        }
    }

    fn column_ref(&self, column: &str, in_trigger: bool) -> String {
        if in_trigger {
            format!("NEW.{}", ident(column))
        } else {
            ident(column)
        }
    }

    /// `e`, an expression over the table's row: in the trigger evaluated over `NEW`.
    fn over_row(&self, e: &str, in_trigger: bool) -> String {
        if in_trigger {
            format!(
                "(SELECT ({e}) FROM (SELECT NEW.*) AS {})",
                ident(crate::sql::split_table(self.table).1)
            )
        } else {
            format!("({e})")
        }
    }

    /// Every step, phase by phase.
    pub fn steps(&self) -> Vec<Step> {
        let mut steps = self.expand();
        steps.extend(self.backfill());
        steps.extend(self.contract());
        steps
    }

    fn swapped(&self) -> bool {
        self.physical != self.to.name
    }

    fn rebuilt(&self) -> Rebuilt<'_> {
        Rebuilt {
            table: self.table,
            from: &self.from.name,
            physical: self.physical,
            constraints: self.constraints,
        }
    }

    fn function_sql(&self) -> String {
        let (o, n) = (ident(&self.from.name), ident(self.physical));
        let (fwd, back) = (self.forward(true), self.backward(true));
        let both_null = match &self.from.default {
            Some(d) => format!(
                "    IF NEW.{n} IS NULL AND NEW.{o} IS NULL THEN\n      NEW.{o} := {d};\n    END IF;\n"
            ),
            None => String::new(),
        };
        let fill = match self.fill {
            Some(e) => format!(
                "  IF NEW.{n} IS NULL THEN\n    NEW.{n} := (SELECT ({e}) FROM (SELECT NEW.*) AS {});\n  END IF;\n",
                ident(crate::sql::split_table(self.table).1)
            ),
            None => String::new(),
        };
        // An identity fills the old column on every insert: new code's value wins.
        let back_if = if self.from.identity {
            "ELSE".to_owned()
        } else {
            format!("ELSIF NEW.{o} IS NULL THEN")
        };
        let body = format!(
            "BEGIN\n  IF TG_OP = 'INSERT' THEN\n{both_null}    IF NEW.{n} IS NULL THEN\n      NEW.{n} := {fwd};\n    {back_if}\n      NEW.{o} := {back};\n    END IF;\n  ELSIF NEW.{o} IS DISTINCT FROM OLD.{o} THEN\n    NEW.{n} := {fwd};\n  ELSIF NEW.{n} IS DISTINCT FROM OLD.{n} AND NEW.{n} IS DISTINCT FROM {fwd} THEN\n    NEW.{o} := {back};\n  ELSIF NEW.{n} IS NULL THEN\n    NEW.{n} := {fwd};\n  END IF;\n{fill}  RETURN NEW;\nEND"
        );
        ddl::create_trigger_function(
            self.table,
            &names::sync_function(self.table, &self.from.name, self.physical),
            &body,
            &["$migrate$", "$migrate_sync$"],
        )
    }

    fn trigger_sql(&self) -> String {
        let (o, n) = (&self.from.name, self.physical);
        ddl::create_row_trigger(
            self.table,
            &names::sync_trigger(self.table, o, n),
            &names::sync_function(self.table, o, n),
            None,
        )
    }

    fn drop_trigger_sql(&self) -> String {
        let (o, n) = (&self.from.name, self.physical);
        ddl::drop_trigger(self.table, &names::sync_trigger(self.table, o, n))
    }

    fn drop_function_sql(&self) -> String {
        let (o, n) = (&self.from.name, self.physical);
        ddl::drop_function(self.table, &names::sync_function(self.table, o, n))
    }

    /// Expand: the new column, empty and without a default; the trigger; the old default
    /// moved into the trigger in the trigger's own transaction (in between, an insert by
    /// old code that omits the column would find neither).
    fn expand(&self) -> Vec<Step> {
        let (table, o, n) = (self.table, ident(&self.from.name), ident(self.physical));
        let mut steps = vec![
            self.add_new_column(),
            Step {
                down: vec![Down::new(Kind::DropFunction, self.drop_function_sql())],
                ..Step::new(
                    Phase::Expand,
                    Kind::CreateFunction,
                    table,
                    format!("Create the function keeping {o} and {n} equal on every write."),
                    self.function_sql(),
                )
            },
            Step {
                down: vec![Down::new(Kind::DropTrigger, self.drop_trigger_sql())],
                shares_transaction: true,
                ..Step::new(
                    Phase::Expand,
                    Kind::CreateTrigger,
                    table,
                    format!(
                        "Sync {o} and {n} on every insert and update, from old and new code alike."
                    ),
                    self.trigger_sql(),
                )
            },
        ];
        if let Some(text) = &self.to.comment {
            let sql = ddl::comment_on(table, Some(self.physical), Some(text));
            steps.insert(1, super::comment::with_new(table, sql));
        }
        steps.extend(self.move_default_into_trigger());
        steps.extend(self.relax_old_not_null());
        steps.extend(self.rebuilt().expand());
        steps
    }

    /// Expand: the old column's NOT NULL dropped (a relaxation old code does not notice),
    /// so new code's NULLs, copied back by the trigger, are accepted.
    fn relax_old_not_null(&self) -> Option<Step> {
        if !self.relax_old || self.from.nullable {
            return None;
        }
        let (table, o) = (self.table, &self.from.name);
        Some(Step {
            down: not_null::route_sql(table, o),
            down_atomic: false,
            reversible: Reversible::Caveat(
                "expand.down.sql makes the old column NOT NULL again; it fails if new code wrote NULLs since".into(),
            ),
            ..Step::new(
                Phase::Expand,
                Kind::DropNotNull,
                table,
                format!(
                    "Let {} hold NULL: the new column allows it, and the trigger copies new code's NULLs here.",
                    ident(o)
                ),
                ddl::alter_column(table, o, "DROP NOT NULL"),
            )
        })
    }

    /// Expand: the new column, nullable and without a default (the trigger fills it).
    fn add_new_column(&self) -> Step {
        let (table, o, n) = (self.table, ident(&self.from.name), ident(self.physical));
        let empty = Column {
            name: self.physical.to_owned(),
            nullable: true,
            default: None,
            identity: false,
            ..self.to.clone()
        };
        let summary = if self.swapped() {
            format!(
                "Add {n} to hold {o} as {}, filled by the sync trigger below.",
                self.to.sql_type
            )
        } else {
            format!("Add {n} (the new name of {o}), filled by the sync trigger below.")
        };
        Step {
            down: vec![Down::new(
                Kind::DropColumn,
                ddl::drop_column(table, self.physical),
            )],
            reversible: Reversible::Caveat(
                "values written only through the new name since are kept in the old column by the trigger"
                    .into(),
            ),
            ..Step::new(
                Phase::Expand,
                Kind::AddColumn,
                table,
                summary,
                ddl::add_column(table, &empty),
            )
        }
    }

    /// Expand: the old column's default, if any, dropped in the trigger's transaction.
    fn move_default_into_trigger(&self) -> Option<Step> {
        let d = self.from.default.as_ref()?;
        let (table, o) = (self.table, ident(&self.from.name));
        Some(Step {
            down: vec![Down::new(
                Kind::SetDefault,
                ddl::alter_column(table, &self.from.name, &format!("SET DEFAULT {d}")),
            )],
            shares_transaction: true,
            allow: vec![(
                "expand-drop-default".into(),
                "the sync trigger created just before supplies it from now on".into(),
            )],
            ..Step::new(
                Phase::Expand,
                Kind::DropDefault,
                table,
                format!(
                    "Move the default of {o} into the sync trigger (a column default would hide inserts by new code from it)."
                ),
                ddl::alter_column(table, &self.from.name, "DROP DEFAULT"),
            )
        })
    }

    /// The column's index `ix` on the new column (its key expressions and predicate too),
    /// under a temporary name.
    fn on_new(&self, ix: &Index) -> Index {
        let (from, physical) = (&self.from.name, self.physical);
        let moved = |cols: &[String]| -> Vec<String> {
            cols.iter()
                .map(|c| {
                    if c == from {
                        physical.to_owned()
                    } else if Index::is_expression(c) {
                        crate::sql::rename_column_in(c, from, physical)
                    } else {
                        c.clone()
                    }
                })
                .collect()
        };
        Index {
            name: names::temp_name(&ix.name),
            predicate: ix
                .predicate
                .as_deref()
                .map(|p| crate::sql::rename_column_in(p, from, physical)),
            columns: moved(&ix.columns),
            include: moved(&ix.include),
            ..ix.clone()
        }
    }

    /// Backfill: copy, then NOT NULL by the check route; the column's indexes built on the
    /// new column without blocking writes.
    fn backfill(&self) -> Vec<Step> {
        let (o, n) = (ident(&self.from.name), ident(self.physical));
        let converted = self.forward(false);
        let (value, condition) = match self.fill {
            Some(e) => (
                format!("COALESCE({converted}, ({e}))"),
                backfill::is_null(self.physical),
            ),
            None => (converted, format!("{n} IS NULL AND {o} IS NOT NULL")),
        };
        let mut steps = vec![backfill::backfill(
            self.table,
            self.key,
            self.physical,
            &value,
            condition,
            Reversible::NothingToUndo,
        )];
        if !self.to.nullable {
            steps.extend(not_null::check(self.table, self.physical, self.route));
        }
        for ix in self.indexes.iter().chain(self.new_indexes) {
            steps.push(index::build(self.table, &self.on_new(ix)));
        }
        steps.extend(self.key_swap.and_then(KeySwap::build_key));
        steps.extend(self.rebuilt().validate());
        steps
    }

    /// Contract: the new column takes over NOT NULL and the default; then the trigger and
    /// the old column go in one transaction with the swap's renames (between the two, an
    /// insert by new code would leave the old, still NOT NULL, column empty), a serial's
    /// sequence handed over to the new column before; the function last.
    fn contract(&self) -> Vec<Step> {
        let table = self.table;
        let mut steps = Vec::new();
        if !self.to.nullable {
            steps.extend(not_null::set(table, self.physical, None, self.route));
        }
        if let Some(d) = &self.to.default {
            steps.push(Step {
                phase: Phase::Contract,
                ..defaults::set(table, self.physical, None, Some(d))
            });
        }
        steps.push(Step {
            down: vec![Down::new(Kind::CreateTrigger, self.trigger_sql())],
            shares_transaction: true,
            ..Step::new(
                Phase::Contract,
                Kind::DropTrigger,
                table,
                format!(
                    "Drop the sync trigger: no running code writes {} any more.",
                    ident(&self.from.name)
                ),
                self.drop_trigger_sql(),
            )
        });
        steps.extend(self.key_swap.map(KeySwap::swap_key).unwrap_or_default());
        steps.extend(
            Serial::of(self.from, self.to)
                .map(|s| s.hand_over(table, self.physical, self.from, self.to)),
        );
        let identity = self.identity();
        steps.extend(identity.iter().flat_map(Identity::take_over));
        steps.push(self.drop_old());
        steps.extend(self.renames());
        steps.extend(identity.as_ref().map(Identity::rename));
        steps.push(Step {
            down: vec![Down::new(Kind::CreateFunction, self.function_sql())],
            ..Step::new(
                Phase::Contract,
                Kind::DropFunction,
                table,
                "Drop the sync trigger's function.".into(),
                self.drop_function_sql(),
            )
        });
        steps
    }

    /// An identity column's hand-over to the new column.
    fn identity(&self) -> Option<Identity<'_>> {
        (self.from.identity && self.to.identity).then_some(Identity {
            table: self.table,
            from: self.from,
            physical: self.physical,
            to: self.to,
        })
    }

    /// The old column dropped; its down adds it back and copies the values.
    fn drop_old(&self) -> Step {
        let (table, o) = (self.table, &self.from.name);
        let mut restore = vec![
            Down::new(
                Kind::AddColumn,
                ddl::add_column(
                    table,
                    &Column {
                        nullable: true,
                        default: None,
                        identity: false,
                        ..self.from.clone()
                    },
                ),
            ),
            Down::new(
                Kind::Update,
                format!(
                    "UPDATE {} SET {} = {}",
                    table_ref(table),
                    ident(o),
                    self.backward(false)
                ),
            ),
        ];
        if let Some(text) = &self.from.comment {
            restore.push(Down::new(
                Kind::Comment,
                ddl::comment_on(table, Some(o), Some(text)),
            ));
        }
        if !self.from.nullable && !self.relax_old {
            restore.extend(not_null::route_sql(table, o));
        }
        restore.extend(self.indexes.iter().map(|ix| {
            Down::new(
                Kind::CreateIndexConcurrently,
                ddl::create_index(table, ix, true),
            )
        }));
        restore.extend(self.rebuilt().restore());
        restore.extend(self.restore.iter().cloned());
        Step {
            down: restore,
            down_atomic: false,
            shares_transaction: true,
            reversible: Reversible::Caveat(
                "contract.down.sql adds the old column back (at the end of the table: PostgreSQL cannot reorder columns) and copies the values in one UPDATE".into(),
            ),
            ..Step::new(
                Phase::Contract,
                Kind::DropColumn,
                table,
                format!(
                    "Drop the old column {} (its values live on in {}).",
                    ident(o),
                    ident(self.physical)
                ),
                ddl::drop_column(table, o),
            )
        }
    }

    /// For a type change: the new column renamed into the old one's place, and its indexes
    /// given their names back, in the swap's transaction (no query sees the table without
    /// the column).
    fn renames(&self) -> Vec<Step> {
        let table = self.table;
        let mut steps = Vec::new();
        if self.swapped() {
            let to = &self.to.name;
            steps.push(Step {
                down: vec![Down::new(
                    Kind::RenameColumn,
                    ddl::rename_column(table, to, self.physical),
                )],
                shares_transaction: true,
                ..Step::new(
                    Phase::Contract,
                    Kind::RenameColumn,
                    table,
                    format!(
                        "Swap in {} under the name {}, with the new type {}.",
                        ident(self.physical),
                        ident(to),
                        self.to.sql_type
                    ),
                    ddl::rename_column(table, self.physical, to),
                )
            });
        }
        for ix in self.indexes.iter().chain(self.new_indexes) {
            let temp = self.on_new(ix).name;
            steps.push(Step {
                down: vec![Down::new(
                    Kind::RenameIndex,
                    ddl::rename_index(table, &ix.name, &temp, false),
                )],
                shares_transaction: true,
                ..Step::on(
                    Phase::Contract,
                    Kind::RenameIndex,
                    table,
                    crate::catalogue::On::with(table_ref(table), ident(&temp)),
                    format!(
                        "Give the index on the swapped column the name {}.",
                        ident(&ix.name)
                    ),
                    ddl::rename_index(table, &temp, &ix.name, false),
                )
            });
        }
        steps.extend(self.rebuilt().renames());
        steps
    }
}
