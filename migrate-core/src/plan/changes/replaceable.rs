//! What a column swap (a rename or a type change) refuses because contract's `DROP COLUMN`
//! would take it along: a check or partial-index predicate of the new models still naming
//! the old column, and a sequence default the swap cannot hand over (a serial's sequence
//! moves to the new column: `recipes::sequence`).

use crate::model::{Column, Table};
use crate::plan::recipes::sequence::Serial;
use crate::sql::references_column;

/// `Err(reason)` when replacing `from` by `to` on `table` would lose an object.
pub fn check(table: &str, from: &Column, to: &Column, new: &[Table]) -> Result<(), String> {
    let sequence_default = from
        .default
        .as_deref()
        .is_some_and(|d| d.contains("nextval("));
    if sequence_default && Serial::of(from, to).is_none() {
        return Err("the column's default draws from a sequence, and is not `nextval('<sequence>'::regclass)` before and after: change the default in a migration of its own".into());
    }
    let Some(t) = new.iter().find(|t| t.name == table) else {
        return Ok(());
    };
    if let Some(g) = super::generated_column::depending_on(t, &to.name)
        .or_else(|| super::generated_column::depending_on(t, &from.name))
    {
        return Err(format!(
            "the generated column \"{}\" is computed from it, and the swap ends by dropping the old column, which PostgreSQL refuses while a generated column depends on it: drop or redefine \"{}\" in an earlier migration",
            g.name, g.name
        ));
    }
    let stale = t
        .checks
        .iter()
        .map(|c| c.expr.as_str())
        .chain(t.indexes.iter().filter_map(|i| i.predicate.as_deref()))
        .chain(
            t.indexes
                .iter()
                .flat_map(|i| &i.columns)
                .filter(|k| crate::model::Index::is_expression(k))
                .map(String::as_str),
        )
        .any(|e| references_column(e, &from.name));
    if stale && from.name != to.name {
        return Err(format!(
            "a check, index predicate or index expression of the models still names \"{}\"; contract drops that column and the constraint or index with it",
            from.name
        ));
    }
    Ok(())
}
