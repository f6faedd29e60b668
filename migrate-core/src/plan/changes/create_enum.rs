//! A new enum type (a `#[derive(Schema)]` enum a column uses): `CREATE TYPE … AS ENUM`,
//! in expand before the tables and columns that have it. It locks no table; the down
//! drops it after them.

use crate::catalogue::{Kind, On};
use crate::diff::Change;
use crate::model::EnumType;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Step};

/// The steps of every enum type `changes` create, in their order (one the database
/// already has is `add_enum_values`' business).
pub fn plan(changes: &[Change]) -> Vec<Step> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateEnum {
                table,
                enum_type,
                existing: false,
            } => Some(step(table, enum_type)),
            _ => None,
        })
        .collect()
}

fn step(table: &str, e: &EnumType) -> Step {
    Step {
        down: vec![Down::new(Kind::DropType, ddl::drop_type(&e.name))],
        ..Step::on(
            Phase::Expand,
            Kind::CreateType,
            table,
            On::table(e.sql_type()),
            format!(
                "Create the enum type {} ({} labels).",
                crate::sql::table_ref(&e.name),
                e.values.len()
            ),
            ddl::create_enum(e),
        )
    }
}
