//! A CHECK on an existing table: `NOT VALID` in expand (new rows are checked from then on,
//! catalog only), `VALIDATE` in backfill (a scan that blocks no reads or writes). On a
//! table created in this migration it is part of `CREATE TABLE`.

use crate::catalogue::Kind;
use crate::model::Check;
use crate::phase::Phase;
use crate::plan::context::Context;
use crate::plan::ddl;
use crate::plan::recipes::validate::validate;
use crate::plan::step::{Down, Step};
use crate::sql::ident;

/// The steps of adding `check` to `table`.
pub fn plan(ctx: &Context<'_>, table: &str, check: &Check) -> Vec<Step> {
    if !ctx.existed(table) {
        return Vec::new();
    }
    vec![
        Step {
            down: vec![Down::new(
                Kind::DropConstraint,
                ddl::drop_constraint(table, &check.name, false),
            )],
            ..Step::new(
                Phase::Expand,
                Kind::AddCheckNotValid,
                table,
                format!(
                    "Add check {} without checking existing rows; new rows are checked from now on.",
                    ident(&check.name)
                ),
                ddl::add_check_not_valid(table, &check.name, &check.expr),
            )
        },
        validate(table, &check.name, "check", None),
    ]
}
