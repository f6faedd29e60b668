//! An index redefined under the same name (columns, uniqueness, predicate, method): the new
//! definition built concurrently under a temporary name in backfill; in contract the old
//! index dropped concurrently and the new one renamed, so the table always has one of them.
//! A unique index a foreign key needs cannot be dropped while the foreign key exists. A
//! unique index becoming a UNIQUE constraint is attached in place (`USING INDEX`).

use crate::model::Index;
use crate::plan::context::{Context, Planned};
use crate::plan::recipes::index;

/// Files the replacement of `from` by `to` on `table`, or why it is refused.
pub fn plan(
    ctx: &Context<'_>,
    table: &str,
    from: &Index,
    to: &Index,
    out: &mut Planned<'_>,
) -> Result<(), String> {
    let attach_only = Index {
        constraint: true,
        ..from.clone()
    } == *to;
    if attach_only {
        // The same unique index, now a constraint: no rebuild.
        out.steps.push(index::attach(table, to, &to.name));
        return Ok(());
    }
    let needed_by = from.unique.then(|| {
        ctx.old
            .iter()
            .flat_map(|t| &t.foreign_keys)
            .find(|fk| fk.ref_table == table && fk.ref_columns == from.columns)
    });
    if let Some(Some(fk)) = needed_by {
        return Err(format!(
            "foreign key \"{}\" needs the unique index, which cannot be dropped while the foreign key exists; add the new definition beside it under a new `name`",
            fk.name
        ));
    }
    out.index_drops.push(index::drop(table, from));
    out.steps.extend(index::build_then_rename(table, to));
    Ok(())
}
