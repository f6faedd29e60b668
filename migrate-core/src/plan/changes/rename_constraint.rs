//! A key or constraint renamed with the same definition: `RENAME CONSTRAINT` in expand
//! (catalog only).

use crate::catalogue::Kind;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Step};
use crate::sql::ident;

/// The step renaming constraint `from` of `table` to `to`.
pub fn plan(table: &str, from: &str, to: &str) -> Step {
    let sql = |a: &str, b: &str| ddl::rename_constraint(table, a, b);
    Step {
        down: vec![Down::new(Kind::RenameConstraint, sql(to, from))],
        ..Step::new(
            Phase::Expand,
            Kind::RenameConstraint,
            table,
            format!("Rename constraint {} to {}.", ident(from), ident(to)),
            sql(from, to),
        )
    }
}
