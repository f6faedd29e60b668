//! Constraints on a column a type change swaps, rebuilt on the new column: added `NOT
//! VALID` in expand under a temporary name (catalog only; new writes, which the sync
//! trigger copies into the new column, are checked from then on), validated in backfill
//! once every row has its value (a scan that blocks no reads or writes), and given their
//! names back in the swap's transaction, after `DROP COLUMN` took the old ones along.

use super::names;
use super::validate::validate;
use crate::catalogue::{Kind, On};
use crate::model::{Check, ForeignKey};
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Step};
use crate::sql::{ident, rename_column_in, table_ref};

/// A check or foreign key that names the swapped column.
#[derive(Debug, Clone)]
pub enum Constraint {
    /// A CHECK whose expression names the column.
    Check(Check),
    /// A foreign key of the table with the column among its columns.
    ForeignKey(ForeignKey),
}

impl Constraint {
    /// Its name.
    pub fn name(&self) -> &str {
        match self {
            Constraint::Check(c) => &c.name,
            Constraint::ForeignKey(f) => &f.name,
        }
    }

    /// Whether it names `column`.
    pub fn covers(&self, column: &str) -> bool {
        match self {
            Constraint::Check(c) => crate::sql::references_column(&c.expr, column),
            Constraint::ForeignKey(f) => f.columns.iter().any(|c| c == column),
        }
    }

    fn what(&self) -> &'static str {
        match self {
            Constraint::Check(_) => "check",
            Constraint::ForeignKey(_) => "foreign key",
        }
    }

    /// The same constraint on column `physical` instead of `from`, named `name`.
    fn moved(&self, from: &str, physical: &str, name: String) -> Constraint {
        match self {
            Constraint::Check(c) => Constraint::Check(Check {
                name,
                expr: rename_column_in(&c.expr, from, physical),
            }),
            Constraint::ForeignKey(f) => Constraint::ForeignKey(ForeignKey {
                name,
                columns: f
                    .columns
                    .iter()
                    .map(|c| {
                        if c == from {
                            physical.to_owned()
                        } else {
                            c.clone()
                        }
                    })
                    .collect(),
                ..f.clone()
            }),
        }
    }

    /// Added without checking the rows there: `(kind, what it locks, statement)`.
    fn add_not_valid(&self, table: &str) -> (Kind, On, String) {
        match self {
            Constraint::Check(c) => (
                Kind::AddCheckNotValid,
                On::table(table_ref(table)),
                ddl::add_check_not_valid(table, &c.name, &c.expr),
            ),
            Constraint::ForeignKey(f) => (
                Kind::AddForeignKeyNotValid,
                On::with(table_ref(table), table_ref(&f.ref_table)),
                format!("{} NOT VALID", ddl::add_foreign_key(table, f)),
            ),
        }
    }

    fn referenced(&self) -> Option<&str> {
        match self {
            Constraint::Check(_) => None,
            Constraint::ForeignKey(f) => Some(&f.ref_table),
        }
    }
}

/// The constraints of one swap: `from` replaced by `physical` on `table`.
pub struct Rebuilt<'a> {
    /// The table.
    pub table: &'a str,
    /// The column swapped out.
    pub from: &'a str,
    /// The column swapped in, under its temporary name.
    pub physical: &'a str,
    /// The constraints naming `from`, as they are.
    pub constraints: &'a [Constraint],
}

impl Rebuilt<'_> {
    fn on_new(&self, c: &Constraint) -> Constraint {
        c.moved(self.from, self.physical, names::temp_name(c.name()))
    }

    /// Expand: each constraint on the new column, `NOT VALID`, under its temporary name.
    pub fn expand(&self) -> Vec<Step> {
        let table = self.table;
        self.constraints
            .iter()
            .map(|c| {
                let new = self.on_new(c);
                let (kind, on, sql) = new.add_not_valid(table);
                Step {
                    down: vec![Down::new(
                        Kind::DropConstraint,
                        ddl::drop_constraint(table, new.name(), true),
                    )],
                    ..Step::on(
                        Phase::Expand,
                        kind,
                        table,
                        on,
                        format!(
                            "Add {} {} on {} as {} without checking existing rows; writes are checked from now on.",
                            c.what(),
                            ident(c.name()),
                            ident(self.physical),
                            ident(new.name())
                        ),
                        sql,
                    )
                }
            })
            .collect()
    }

    /// Backfill, once every row has its new value: each validated.
    pub fn validate(&self) -> Vec<Step> {
        self.constraints
            .iter()
            .map(|c| {
                let new = self.on_new(c);
                validate(self.table, new.name(), c.what(), c.referenced())
            })
            .collect()
    }

    /// Contract, in the swap's transaction: the temporary names given back.
    pub fn renames(&self) -> Vec<Step> {
        self.constraints
            .iter()
            .map(|c| {
                take_name(
                    self.table,
                    &names::temp_name(c.name()),
                    c.name(),
                    format!(
                        "Give the {} on the swapped column the name {}.",
                        c.what(),
                        ident(c.name())
                    ),
                )
            })
            .collect()
    }

    /// Down of the old column's drop, once it is back with its values: each constraint as
    /// it was, added `NOT VALID` and validated.
    pub fn restore(&self) -> Vec<Down> {
        let mut out = Vec::new();
        for c in self.constraints {
            let (kind, _, sql) = c.add_not_valid(self.table);
            out.push(Down::new(kind, sql));
            out.push(Down::new(
                Kind::ValidateConstraint,
                ddl::validate_constraint(self.table, c.name()),
            ));
        }
        out
    }
}

/// Contract, in the transaction that dropped the constraint holding `name`: the constraint
/// built under `temp` takes the name (catalog only); the down gives `temp` back.
pub fn take_name(table: &str, temp: &str, name: &str, summary: String) -> Step {
    Step {
        down: vec![Down::new(
            Kind::RenameConstraint,
            ddl::rename_constraint(table, name, temp),
        )],
        shares_transaction: true,
        ..Step::new(
            Phase::Contract,
            Kind::RenameConstraint,
            table,
            summary,
            ddl::rename_constraint(table, temp, name),
        )
    }
}
