//! The fill trigger: gives a column the value of an expression over the written row
//! whenever an insert or update leaves it NULL, so rows written by code that does not know
//! the column (or still writes NULL into it) never break the NOT NULL to come.

use super::names;
use crate::catalogue::Kind;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Step};
use crate::sql::ident;

/// The trigger function's `CREATE OR REPLACE FUNCTION`.
pub fn function_sql(table: &str, column: &str, expr: &str) -> String {
    let body = format!(
        "BEGIN\n  IF NEW.{c} IS NULL THEN\n    NEW.{c} := (SELECT ({expr}) FROM (SELECT NEW.*) AS {t});\n  END IF;\n  RETURN NEW;\nEND",
        c = ident(column),
        t = ident(crate::sql::split_table(table).1),
    );
    ddl::create_trigger_function(table, &names::fill_function(table, column), &body, &[])
}

/// The `CREATE TRIGGER`, only for rows that leave the column NULL: the backfill's own
/// updates (and new code's writes) set it, and skip the function call.
pub fn trigger_sql(table: &str, column: &str) -> String {
    let when = format!("NEW.{} IS NULL", ident(column));
    ddl::create_row_trigger(
        table,
        &names::fill_trigger(table, column),
        &names::fill_function(table, column),
        Some(&when),
    )
}

fn drop_trigger_sql(table: &str, column: &str) -> String {
    ddl::drop_trigger(table, &names::fill_trigger(table, column))
}

fn drop_function_sql(table: &str, column: &str) -> String {
    ddl::drop_function(table, &names::fill_function(table, column))
}

/// Expand: the function and the trigger.
pub fn create(table: &str, column: &str, expr: &str) -> Vec<Step> {
    vec![
        Step {
            down: vec![Down::new(
                Kind::DropFunction,
                drop_function_sql(table, column),
            )],
            ..Step::new(
                Phase::Expand,
                Kind::CreateFunction,
                table,
                format!(
                    "Create the function of the trigger that fills {} on writes that leave it NULL.",
                    ident(column)
                ),
                function_sql(table, column, expr),
            )
        },
        Step {
            down: vec![Down::new(
                Kind::DropTrigger,
                drop_trigger_sql(table, column),
            )],
            ..Step::new(
                Phase::Expand,
                Kind::CreateTrigger,
                table,
                format!(
                    "Fill {} on every insert and update that leaves it NULL (old code does not write it).",
                    ident(column)
                ),
                trigger_sql(table, column),
            )
        },
    ]
}

/// Contract: the trigger and its function go, once every running instance writes the
/// column.
pub fn drop(table: &str, column: &str, expr: &str) -> Vec<Step> {
    vec![
        Step {
            down: vec![Down::new(Kind::CreateTrigger, trigger_sql(table, column))],
            ..Step::new(
                Phase::Contract,
                Kind::DropTrigger,
                table,
                format!(
                    "Drop the trigger filling {}: every running instance writes it now.",
                    ident(column)
                ),
                drop_trigger_sql(table, column),
            )
        },
        Step {
            down: vec![Down::new(
                Kind::CreateFunction,
                function_sql(table, column, expr),
            )],
            ..Step::new(
                Phase::Contract,
                Kind::DropFunction,
                table,
                "Drop the trigger's function.".into(),
                drop_function_sql(table, column),
            )
        },
    ]
}
