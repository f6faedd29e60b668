//! A type change of a key column that other tables' foreign keys reference (`integer` →
//! `bigint` on a primary key, the id-overflow migration): the column swap of the key's
//! table, plus
//! - backfill: the key's unique index on the new column, built concurrently; then, once
//!   every table's new columns are filled, each referencing foreign key added again on the
//!   new key (`NOT VALID`, then `VALIDATE`: brief locks, a scan that blocks no writes), on
//!   its table's new column when that column changes type too;
//! - contract: the old foreign keys handed over to the new ones (dropped, the new ones
//!   renamed), then, in the key table's swap transaction, `DROP CONSTRAINT` of the old key
//!   and `ADD PRIMARY KEY USING INDEX` of the new one (no build, no scan; the new foreign
//!   keys follow the index into the constraint).
//!
//! Every foreign key is enforced throughout. The downs restore the state before each phase:
//! undoing the contract rebuilds the old key's index, moves the new foreign keys back onto
//! a plain unique index of the new column, and gives the old key its constraint again.

use super::index;
use super::names;
use super::validate::validate;
use crate::catalogue::{Kind, On};
use crate::model::{ForeignKey, Index, IndexMethod, PrimaryKey};
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Reversible, Step};
use crate::sql::{ident, table_ref};

/// A foreign key of another table (or of this one) that references the swapped column.
#[derive(Debug, Clone)]
pub struct Referencing {
    /// Its table.
    pub table: String,
    /// The foreign key, as modelled.
    pub fk: ForeignKey,
    /// Its columns during the transition: a column whose type changes in this migration
    /// too is its new, temporary column.
    pub physical: Vec<String>,
    /// Whether one of its columns changes type (its own swap drops the old foreign key
    /// with the old column).
    pub swapped: bool,
}

/// The key side of a column swap.
pub struct KeySwap<'a> {
    /// The key's table.
    pub table: &'a str,
    /// The swapped column.
    pub from: &'a str,
    /// Its new, temporary column.
    pub physical: &'a str,
    /// The primary key, when the column is part of it.
    pub primary_key: Option<&'a PrimaryKey>,
    /// The foreign keys referencing the column.
    pub referencing: &'a [Referencing],
}

impl KeySwap<'_> {
    fn mapped(&self, columns: &[String]) -> Vec<String> {
        columns
            .iter()
            .map(|c| {
                if c == self.from {
                    self.physical.to_owned()
                } else {
                    c.clone()
                }
            })
            .collect()
    }

    /// The primary key's unique index on the new column, under its temporary name.
    fn new_key_index(&self) -> Option<Index> {
        self.primary_key.map(|pk| Index {
            name: names::temp_name(&pk.name),
            columns: self.mapped(&pk.columns),
            unique: true,
            method: IndexMethod::Btree,
            predicate: None,
            constraint: false,
            order: Vec::new(),
            include: Vec::new(),
            with: Vec::new(),
            ops: Vec::new(),
            collations: Vec::new(),
        })
    }

    /// Backfill: the primary key's unique index on the new column.
    pub fn build_key(&self) -> Option<Step> {
        let ix = self.new_key_index()?;
        Some(Step {
            summary: format!(
                "Build the unique index of the new key {} on {} without blocking writes (it becomes the primary key in contract).",
                ident(&ix.name),
                ident(self.physical)
            ),
            ..index::build(self.table, &ix)
        })
    }

    /// A referencing foreign key on the new key, named `name`, on `columns` of its table.
    fn on_new_key(&self, r: &Referencing, name: String, columns: Vec<String>) -> ForeignKey {
        ForeignKey {
            name,
            columns,
            ref_columns: self.mapped(&r.fk.ref_columns),
            ..r.fk.clone()
        }
    }

    fn add_not_valid(&self, table: &str, fk: &ForeignKey) -> String {
        format!("{} NOT VALID", ddl::add_foreign_key(table, fk))
    }

    /// Backfill, after every new column is filled: each referencing foreign key again, on
    /// the new key, validated.
    pub fn repoint(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        for r in self.referencing {
            let temp = names::temp_name(&r.fk.name);
            let fk = self.on_new_key(r, temp.clone(), r.physical.clone());
            steps.push(Step {
                down: vec![Down::new(
                    Kind::DropConstraint,
                    ddl::drop_constraint(&r.table, &temp, true),
                )],
                ..Step::on(
                    Phase::Backfill,
                    Kind::AddForeignKeyNotValid,
                    &r.table,
                    On::with(table_ref(&r.table), table_ref(self.table)),
                    format!(
                        "Add foreign key {} again as {}, on the new key {}, without checking existing rows.",
                        ident(&r.fk.name),
                        ident(&temp),
                        ident(self.physical)
                    ),
                    self.add_not_valid(&r.table, &fk),
                )
            });
            steps.push(validate(&r.table, &temp, "foreign key", Some(self.table)));
        }
        steps
    }

    /// Contract, before the key swap: each old foreign key gone (with its column, by its
    /// table's own swap, or dropped here) and the new one under its name.
    pub fn hand_over(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        for r in self.referencing {
            let (table, name) = (r.table.as_str(), r.fk.name.as_str());
            let temp = names::temp_name(name);
            if !r.swapped {
                steps.push(Step {
                    down: vec![
                        Down::new(
                            Kind::AddForeignKeyNotValid,
                            self.add_not_valid(table, &r.fk),
                        ),
                        Down::new(
                            Kind::ValidateConstraint,
                            ddl::validate_constraint(table, name),
                        ),
                    ],
                    down_atomic: false,
                    ..Step::on(
                        Phase::Contract,
                        Kind::DropForeignKey,
                        table,
                        On::with(table_ref(table), table_ref(self.table)),
                        format!(
                            "Drop foreign key {} on the old key: {} enforces it on the new one.",
                            ident(name),
                            ident(&temp)
                        ),
                        ddl::drop_constraint(table, name, false),
                    )
                });
            }
            steps.push(Step {
                down: vec![Down::new(
                    Kind::RenameConstraint,
                    ddl::rename_constraint(table, name, &temp),
                )],
                shares_transaction: !r.swapped,
                ..Step::new(
                    Phase::Contract,
                    Kind::RenameConstraint,
                    table,
                    format!("Give {} the name {}.", ident(&temp), ident(name)),
                    ddl::rename_constraint(table, &temp, name),
                )
            });
        }
        steps
    }

    /// Contract, in the key table's swap transaction before the old column goes: the old
    /// primary key dropped and the new column's unique index attached as the key.
    pub fn swap_key(&self) -> Vec<Step> {
        let (Some(pk), Some(ix)) = (self.primary_key, self.new_key_index()) else {
            return Vec::new();
        };
        let table = self.table;
        vec![
            Step {
                shares_transaction: true,
                reversible: Reversible::Caveat(
                    "undone with the next step's undo, which gives the old column its key back".into(),
                ),
                ..Step::new(
                    Phase::Contract,
                    Kind::DropConstraint,
                    table,
                    format!(
                        "Drop the primary key {} on the old column (no foreign key uses it any more).",
                        ident(&pk.name)
                    ),
                    ddl::drop_constraint(table, &pk.name, false),
                )
            },
            Step {
                down: self.give_back(pk, &ix),
                down_atomic: false,
                shares_transaction: true,
                reversible: Reversible::Caveat(
                    "contract.down.sql moves the foreign keys back onto a unique index of the new column: between their drop and their re-adding (NOT VALID, then validated) a write is not checked".into(),
                ),
                ..Step::new(
                    Phase::Contract,
                    Kind::AddKeyUsingIndex,
                    table,
                    format!(
                        "Make {} the primary key {} (no build, no scan; the foreign keys on it follow).",
                        ident(&ix.name),
                        ident(&pk.name)
                    ),
                    ddl::add_primary_key_using_index(table, &pk.name, &ix.name),
                )
            },
        ]
    }

    /// The down of the key swap, once the old column is back with its values: the old
    /// key's index rebuilt and made the key again, the foreign keys (under their final
    /// names) moved onto a plain unique index of the new column.
    fn give_back(&self, pk: &PrimaryKey, new_ix: &Index) -> Vec<Down> {
        let table = self.table;
        let old_ix = Index {
            name: names::temp_old_name(&pk.name),
            columns: pk.columns.clone(),
            ..new_ix.clone()
        };
        let mut out = vec![Down::new(
            Kind::CreateIndexConcurrently,
            ddl::create_index(table, &old_ix, true),
        )];
        for r in self.referencing {
            out.push(Down::new(
                Kind::DropForeignKey,
                ddl::drop_constraint(&r.table, &r.fk.name, false),
            ));
        }
        out.push(Down::new(
            Kind::DropConstraint,
            ddl::drop_constraint(table, &pk.name, false),
        ));
        out.push(Down::new(
            Kind::AddKeyUsingIndex,
            ddl::add_primary_key_using_index(table, &pk.name, &old_ix.name),
        ));
        out.push(Down::new(
            Kind::CreateIndexConcurrently,
            ddl::create_index(table, new_ix, true),
        ));
        for r in self.referencing {
            let fk = self.on_new_key(r, r.fk.name.clone(), r.fk.columns.clone());
            out.push(Down::new(
                Kind::AddForeignKeyNotValid,
                self.add_not_valid(&r.table, &fk),
            ));
            out.push(Down::new(
                Kind::ValidateConstraint,
                ddl::validate_constraint(&r.table, &r.fk.name),
            ));
        }
        out
    }
}
