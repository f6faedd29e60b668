//! A new index on an existing table: built concurrently in backfill (a UNIQUE constraint
//! attached to it in contract). Index names are
//! schema-wide: a name still held by an index that this contract drops (moved from another
//! table) is built under a temporary name and taken over after the drop.

use crate::model::Index;
use crate::plan::context::Context;
use crate::plan::recipes::index;
use crate::plan::step::Step;

/// The steps of adding `ix` to `table` (none for a table created in this migration: its
/// indexes come with it).
pub fn plan(ctx: &Context<'_>, table: &str, ix: &Index) -> Vec<Step> {
    if !ctx.existed(table) || super::change_type::builds_new_index(ctx, table, ix) {
        return Vec::new();
    }
    let name_taken = ctx
        .original
        .iter()
        .any(|t| t.indexes.iter().any(|i| i.name == ix.name));
    if name_taken {
        index::build_then_rename(table, ix).to_vec()
    } else if ix.constraint {
        vec![index::build(table, ix), index::attach(table, ix, &ix.name)]
    } else {
        vec![index::build(table, ix)]
    }
}
