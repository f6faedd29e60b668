//! The NOT NULL check route: `CHECK (c IS NOT NULL) NOT VALID` (catalog only), `VALIDATE`
//! (a scan that blocks no reads or writes), then `SET NOT NULL`, which the valid check
//! proves without a scan (PostgreSQL ≥ 12), and the check dropped. On PostgreSQL 18
//! (`postgres = 18` in `Migrate.toml`) a NOT NULL constraint itself is added `NOT VALID`
//! and validated: the column is NOT NULL then, with no detour through a check.

use super::validate::validate;
use super::{fill, names};
use crate::catalogue::Kind;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Reversible, Step};
use crate::sql::ident;

/// The check (`NOT VALID`) and its validation, as down statements.
pub fn check_sql(table: &str, column: &str) -> [Down; 2] {
    let name = names::not_null_check(table, column);
    [
        Down::new(
            Kind::AddCheckNotValid,
            ddl::add_check_not_valid(table, &name, &format!("{} IS NOT NULL", ident(column))),
        ),
        Down::new(
            Kind::ValidateConstraint,
            ddl::validate_constraint(table, &name),
        ),
    ]
}

/// The whole route as statements run one by one (for down files): the check, its
/// validation, `SET NOT NULL` (proven, no scan), the check dropped.
pub fn route_sql(table: &str, column: &str) -> Vec<Down> {
    let mut out = check_sql(table, column).to_vec();
    out.push(Down::new(
        Kind::SetNotNullProven,
        ddl::alter_column(table, column, "SET NOT NULL"),
    ));
    out.push(Down::new(
        Kind::DropConstraint,
        ddl::drop_constraint(table, &names::not_null_check(table, column), false),
    ));
    out
}

/// How a column is proven NOT NULL on the target server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// A CHECK `NOT VALID`, validated, then `SET NOT NULL` (proven) and the check dropped.
    Check,
    /// `ADD CONSTRAINT … NOT NULL c NOT VALID`, validated (PostgreSQL ≥ 18).
    NotNullNotValid,
}

impl Route {
    /// The better route the target PostgreSQL major version has.
    pub fn for_version(pg: u32) -> Route {
        if pg >= crate::catalogue::NOT_NULL_NOT_VALID_SINCE {
            Route::NotNullNotValid
        } else {
            Route::Check
        }
    }
}

/// Backfill: `CHECK (c IS NOT NULL) NOT VALID` (or the NOT NULL constraint itself, on
/// PostgreSQL 18), then `VALIDATE` (no blocking scan).
pub fn check(table: &str, column: &str, route: Route) -> Vec<Step> {
    let name = names::not_null_check(table, column);
    if route == Route::NotNullNotValid {
        return vec![
            Step {
                down: vec![Down::new(
                    Kind::DropNotNull,
                    ddl::alter_column(table, column, "DROP NOT NULL"),
                )],
                ..Step::new(
                    Phase::Backfill,
                    Kind::AddCheckNotValid,
                    table,
                    format!(
                        "Make {} NOT NULL for new and updated rows (a NOT NULL constraint, NOT VALID: existing rows are checked next).",
                        ident(column)
                    ),
                    format!(
                        "ALTER TABLE {} ADD CONSTRAINT {} NOT NULL {} NOT VALID",
                        crate::sql::table_ref(table),
                        ident(&name),
                        ident(column)
                    ),
                )
            },
            validate(table, &name, "NOT NULL constraint", None),
        ];
    }
    let [add, _] = check_sql(table, column);
    vec![
        Step {
            down: vec![Down::new(
                Kind::DropConstraint,
                ddl::drop_constraint(table, &name, true),
            )],
            ..Step::new(
                Phase::Backfill,
                Kind::AddCheckNotValid,
                table,
                format!(
                    "Require {} on new and updated rows, without checking existing ones yet.",
                    ident(column)
                ),
                add.sql,
            )
        },
        validate(table, &name, "check", None),
    ]
}

/// Contract: `SET NOT NULL` (the valid check proves it: no scan), then the check goes (on
/// PostgreSQL 18 the validated constraint is the NOT NULL: nothing to do), and with `fill`
/// (the fill trigger's expression) the fill trigger and its function.
pub fn set(table: &str, column: &str, fill: Option<&str>, route: Route) -> Vec<Step> {
    if route == Route::NotNullNotValid {
        return fill
            .map(|expr| fill::drop(table, column, expr))
            .unwrap_or_default();
    }
    let name = names::not_null_check(table, column);
    let mut steps = vec![
        Step {
            down: vec![Down::new(
                Kind::DropNotNull,
                ddl::alter_column(table, column, "DROP NOT NULL"),
            )],
            ..Step::new(
                Phase::Contract,
                Kind::SetNotNullProven,
                table,
                format!(
                    "Make {} NOT NULL; the validated check proves it, so no scan.",
                    ident(column)
                ),
                ddl::alter_column(table, column, "SET NOT NULL"),
            )
        },
        Step {
            down: check_sql(table, column).to_vec(),
            down_atomic: false,
            ..Step::new(
                Phase::Contract,
                Kind::DropConstraint,
                table,
                format!("Drop the check {}, now redundant.", ident(&name)),
                ddl::drop_constraint(table, &name, true),
            )
        },
    ];
    if let Some(expr) = fill {
        steps.extend(fill::drop(table, column, expr));
    }
    steps
}

/// Expand: NOT NULL dropped (catalog only). Its down puts it back by the check route.
pub fn drop(table: &str, column: &str) -> Step {
    Step {
        down: route_sql(table, column),
        down_atomic: false,
        reversible: Reversible::Caveat(
            "the down fails if NULLs were written since; set them first".into(),
        ),
        ..Step::new(
            Phase::Expand,
            Kind::DropNotNull,
            table,
            format!("Allow NULL in {}.", ident(column)),
            ddl::alter_column(table, column, "DROP NOT NULL"),
        )
    }
}
