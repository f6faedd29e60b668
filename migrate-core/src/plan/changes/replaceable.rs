//! What a column swap (a rename or a type change) refuses because contract's `DROP COLUMN`
//! would take it along: a check or partial-index predicate of the new models still naming
//! the old column, and sequences a column default owns.

use crate::model::{Column, Table};
use crate::sql::references_column;

/// `Err(reason)` when replacing `from` by `to` on `table` would lose an object.
pub fn check(table: &str, from: &Column, to: &Column, new: &[Table]) -> Result<(), String> {
    if from
        .default
        .as_deref()
        .is_some_and(|d| d.contains("nextval("))
    {
        return Err("the column's default draws from a sequence it owns; not planned yet".into());
    }
    let Some(t) = new.iter().find(|t| t.name == table) else {
        return Ok(());
    };
    let stale = t
        .checks
        .iter()
        .map(|c| c.expr.as_str())
        .chain(t.indexes.iter().filter_map(|i| i.predicate.as_deref()))
        .any(|e| references_column(e, &from.name));
    if stale && from.name != to.name {
        return Err(format!(
            "a check or index predicate of the models still names \"{}\"; contract drops that column and the constraint with it",
            from.name
        ));
    }
    Ok(())
}
