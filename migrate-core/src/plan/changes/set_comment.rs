//! A table's or a column's comment (from the doc comments of a `#[schema(comments)]`
//! struct) set, changed or removed: `COMMENT ON` in expand, catalog only under SHARE UPDATE
//! EXCLUSIVE (reads and writes go on); the down puts the old text back. A new table's
//! comments come with its `CREATE TABLE`, a swapped column's with the new column
//! (`recipes::comment`).

use crate::catalogue::Kind;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Step};
use crate::sql::{ident, table_ref};

/// The step setting the comment of `table` (or of its `column`) from `from` to `to`.
pub fn plan(table: &str, column: Option<&str>, from: Option<&str>, to: Option<&str>) -> Step {
    let what = match column {
        Some(c) => format!("column {}.{}", table_ref(table), ident(c)),
        None => format!("table {}", table_ref(table)),
    };
    let summary = match to {
        Some(_) => format!("Set the comment of {what}."),
        None => format!("Remove the comment of {what}."),
    };
    Step {
        down: vec![Down::new(
            Kind::Comment,
            ddl::comment_on(table, column, from),
        )],
        ..Step::new(
            Phase::Expand,
            Kind::Comment,
            table,
            summary,
            ddl::comment_on(table, column, to),
        )
    }
}
