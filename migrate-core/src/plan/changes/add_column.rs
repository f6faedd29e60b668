//! A new column on an existing table. Nullable, or NOT NULL with a constant default kept in
//! the catalog (PostgreSQL ≥ 11): one statement. A volatile default, or a `backfill`
//! expression: the column is added empty, new rows get the default (or the fill trigger's
//! value), existing rows are backfilled in batches, and NOT NULL comes by the check route.

use crate::catalogue::Kind;
use crate::model::Column;
use crate::phase::Phase;
use crate::plan::context::Context;
use crate::plan::ddl;
use crate::plan::recipes::{backfill, defaults, fill, not_null};
use crate::plan::settings::PlanOptions;
use crate::plan::step::{Down, Reversible, Step};
use crate::sql::{default_is_constant, ident};

/// The steps of adding `column` to `table`, or why it is refused.
pub fn plan(ctx: &Context<'_>, table: &str, column: &Column) -> Result<Vec<Step>, String> {
    refuse(column, ctx.opts)?;
    if column.generated.is_some() {
        return super::generated_column::added(column, ctx.opts).map(|()| vec![add(table, column)]);
    }
    let constant = column.default.as_deref().is_none_or(default_is_constant);
    let backfill_is_default = column.backfill.is_none() || column.backfill == column.default;
    if constant && (column.nullable || (column.default.is_some() && backfill_is_default)) {
        return Ok(vec![add(table, column)]);
    }
    let Some(expr) = column.backfill.as_deref().or(column.default.as_deref()) else {
        return Err("a NOT NULL column on an existing table needs a value for the rows already there: add `default = \"...\"` (for new rows too) or `backfill = \"...\"` (an expression over the row) to the field, or make it an `Option`".into());
    };
    let key = ctx.key(table)?;
    let empty = Column {
        nullable: true,
        default: None,
        ..column.clone()
    };
    let mut steps = vec![add(table, &empty)];
    if let Some(d) = &column.default {
        steps.push(defaults::set(table, &column.name, None, Some(d)));
    } else {
        steps.extend(fill::create(table, &column.name, expr));
    }
    steps.push(backfill::backfill(
        table,
        key,
        &column.name,
        expr,
        backfill::is_null(&column.name),
        Reversible::NothingToUndo,
    ));
    if !column.nullable {
        let route = not_null::Route::for_version(ctx.opts.pg_version);
        steps.extend(not_null::check(table, &column.name, route));
        let trigger = column.default.is_none().then_some(expr);
        steps.extend(not_null::set(table, &column.name, trigger, route));
    }
    Ok(steps)
}

fn refuse(column: &Column, opts: &PlanOptions) -> Result<(), String> {
    if column.identity {
        return Err("an identity column added to an existing table fills every row and rewrites the table; not planned safely yet".into());
    }
    if column.no_nulls {
        return Err("`no_nulls` is for an existing column becoming NOT NULL; a new column has no values yet: give it a `default` or a `backfill`".into());
    }
    let since = Kind::AddColumn.facts().since;
    if column.default.is_some() && opts.pg_version < since {
        return Err(format!(
            "before PostgreSQL {since}, ADD COLUMN … DEFAULT rewrites the table"
        ));
    }
    Ok(())
}

/// Expand: a nullable column, or a NOT NULL one with a constant default (PostgreSQL ≥ 11
/// keeps the default in the catalog: no rewrite).
pub fn add(table: &str, c: &Column) -> Step {
    Step {
        down: vec![Down::new(
            Kind::DropColumn,
            format!(
                "ALTER TABLE {} DROP COLUMN {}",
                crate::sql::table_ref(table),
                ident(&c.name)
            ),
        )],
        reversible: Reversible::LosesData(
            "expand.down.sql drops the column with the values written since".into(),
        ),
        ..Step::new(
            Phase::Expand,
            Kind::AddColumn,
            table,
            match (&c.default, c.nullable) {
                _ if c.generated.is_some() => format!(
                    "Add the virtual generated column {} (computed when read: no row is touched).",
                    ident(&c.name)
                ),
                (Some(_), false) => format!(
                    "Add column {} NOT NULL with a constant default (stored in the catalog, existing rows read it).",
                    ident(&c.name)
                ),
                _ => format!("Add nullable column {}.", ident(&c.name)),
            },
            ddl::add_column(table, c),
        )
    }
}
