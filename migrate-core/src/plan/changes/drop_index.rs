//! An index removed from the models: dropped concurrently in contract, once no deployed
//! code relies on it, before the columns it covers (so each down step finds what it
//! rebuilds on).

use crate::model::Index;
use crate::plan::context::Planned;
use crate::plan::recipes::index;

/// Files the drop of `ix` on `table`.
pub fn plan(table: &str, ix: &Index, out: &mut Planned<'_>) {
    out.index_drops.push(index::drop(table, ix));
}
