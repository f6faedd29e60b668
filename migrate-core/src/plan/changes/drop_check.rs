//! A CHECK removed from the models: dropped in expand (relaxing: old code keeps working).
//! Its down puts it back without a blocking scan: `NOT VALID`, then `VALIDATE`.

use crate::catalogue::Kind;
use crate::model::Check;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Reversible, Step};
use crate::sql::ident;

/// The step dropping `check` from `table`.
pub fn plan(table: &str, check: &Check) -> Step {
    Step {
        down: vec![
            Down::new(
                Kind::AddCheckNotValid,
                ddl::add_check_not_valid(table, &check.name, &check.expr),
            ),
            Down::new(
                Kind::ValidateConstraint,
                ddl::validate_constraint(table, &check.name),
            ),
        ],
        down_atomic: false,
        reversible: Reversible::LosesData(
            "the down fails if rows violating the check were written since".into(),
        ),
        ..Step::new(
            Phase::Expand,
            Kind::DropConstraint,
            table,
            format!("Drop check {}.", ident(&check.name)),
            ddl::drop_constraint(table, &check.name, true),
        )
    }
}
