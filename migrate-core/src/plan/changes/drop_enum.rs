//! An enum type no column has any more (its `#[derive(Schema)]` enum gone from every
//! model): `DROP TYPE IF EXISTS`, last in contract, after the columns and tables that had
//! it. It locks no table; the down creates it again with its labels.

use crate::catalogue::{Kind, On};
use crate::diff::Change;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Step};

/// The steps of every enum type `changes` drop.
pub fn plan(changes: &[Change]) -> Vec<Step> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::DropEnum { table, enum_type } => Some(Step {
                down: vec![Down::new(Kind::CreateType, ddl::create_enum(enum_type))],
                ..Step::on(
                    Phase::Contract,
                    Kind::DropType,
                    table,
                    On::table(enum_type.sql_type()),
                    format!(
                        "Drop the enum type {}, which no column has any more.",
                        crate::sql::table_ref(&enum_type.name)
                    ),
                    ddl::drop_type(&enum_type.name),
                )
            }),
            _ => None,
        })
        .collect()
}
