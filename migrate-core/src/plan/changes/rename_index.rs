//! An index renamed with the same definition: `ALTER INDEX … RENAME` in expand (SHARE
//! UPDATE EXCLUSIVE on the index: reads and writes go on).

use crate::plan::recipes::index;
use crate::plan::step::Step;

/// The step renaming index `from` of `table` to `to`.
pub fn plan(table: &str, from: &str, to: &str) -> Step {
    index::rename(table, from, to)
}
