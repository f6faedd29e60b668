//! Generated columns (`generated = "…"`): created with their table; added to an existing
//! table only as a nullable `virtual` column on PostgreSQL 18 (catalog only: a `STORED`
//! one computes and rewrites every row under ACCESS EXCLUSIVE); dropped like any column.
//! Changing one — its expression, how it is kept, its type or name, or turning it into a
//! plain column or back — rewrites or breaks writes: refused, saying what to do instead.

use crate::model::Column;
use crate::plan::settings::PlanOptions;

/// A generated column on an existing table: only a nullable `virtual` one on PostgreSQL 18
/// adds without touching the rows.
pub fn added(column: &Column, opts: &PlanOptions) -> Result<(), String> {
    let virtual_ = column.generated.as_ref().is_some_and(|g| g.is_virtual);
    if !virtual_ {
        return Err("ADD COLUMN … GENERATED ALWAYS AS (…) STORED computes every row and rewrites the table under ACCESS EXCLUSIVE: on PostgreSQL 18 make it `virtual` (computed when read, catalog only); otherwise add a plain column with `backfill = \"<the expression>\"` (batched for existing rows, filled by a trigger on writes that leave it NULL) and keep it current from the application".into());
    }
    if opts.pg_version < 18 {
        return Err(format!(
            "virtual generated columns need PostgreSQL 18; Migrate.toml says `postgres = {}`",
            opts.pg_version
        ));
    }
    if !column.nullable {
        return Err("a NOT NULL virtual column is checked against every row under ACCESS EXCLUSIVE: make it an `Option`".into());
    }
    Ok(())
}

/// Why a change of `from` → `to` is refused when either is generated (`None`: neither).
pub fn changed(from: &Column, to: &Column) -> Option<String> {
    if from.generated.is_none() && to.generated.is_none() {
        return None;
    }
    Some(match (&from.generated, &to.generated) {
        (Some(_), None) => "a generated column becoming a plain one (DROP EXPRESSION) leaves old code's inserts without its value, and a plain one becoming generated rewrites the table: add a new column and drop the old one in a later migration".into(),
        (None, Some(_)) => "a plain column becoming generated rewrites the table (and old code writes it, which a generated column refuses): add a new generated column and drop the old one in a later migration".into(),
        _ => "changing a generated column (its expression, VIRTUAL or STORED, its type or name) rewrites the table or breaks old code: add a new generated column and drop the old one in a later migration".into(),
    })
}

/// The generated column of `table` (other than `column` itself) whose expression names
/// `column`: PostgreSQL refuses to drop a column one depends on, and a swap ends in that
/// drop.
pub fn depending_on<'a>(table: &'a crate::model::Table, column: &str) -> Option<&'a Column> {
    table.columns.iter().find(|c| {
        c.name != column
            && c.generated
                .as_ref()
                .is_some_and(|g| crate::sql::references_column(&g.expr, column))
    })
}

/// A new table's generated columns: `virtual` ones need PostgreSQL 18.
pub fn created(table: &crate::model::Table, opts: &PlanOptions) -> Result<(), String> {
    let virtual_ = table
        .columns
        .iter()
        .find(|c| c.generated.as_ref().is_some_and(|g| g.is_virtual));
    match virtual_ {
        Some(c) if opts.pg_version < 18 => Err(format!(
            "column \"{}\" is a virtual generated column, which needs PostgreSQL 18; Migrate.toml says `postgres = {}`",
            c.name, opts.pg_version
        )),
        _ => Ok(()),
    }
}
