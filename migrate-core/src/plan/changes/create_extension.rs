//! An extension a table needs (`extensions("citext")` on its struct): `CREATE EXTENSION IF
//! NOT EXISTS`, first in expand, before the tables, columns and defaults that use it. It
//! locks no table. The down leaves it installed, as does a model that stops needing it:
//! other objects (and other tools) may use it.

use crate::catalogue::{Kind, On};
use crate::diff::Change;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Reversible, Step};
use crate::sql::ident;

/// The steps of every extension `changes` create, in their order.
pub fn plan(changes: &[Change]) -> Vec<Step> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateExtension { table, name } => Some(step(table, name)),
            _ => None,
        })
        .collect()
}

fn step(table: &str, name: &str) -> Step {
    Step {
        reversible: Reversible::Caveat(format!(
            "expand.down.sql leaves the extension {} installed (other objects may use it)",
            ident(name)
        )),
        ..Step::on(
            Phase::Expand,
            Kind::CreateExtension,
            table,
            On::new_table(),
            format!("Install the extension {} the models use.", ident(name)),
            ddl::create_extension(name),
        )
    }
}
