//! Backfill: `VALIDATE CONSTRAINT` of a `NOT VALID` check or foreign key, a scan under
//! SHARE UPDATE EXCLUSIVE (reads and writes go on).

use crate::catalogue::{Kind, On};
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Reversible, Step};
use crate::sql::{ident, table_ref};

/// `Validate <what> "name" against the existing rows.`: the backfill step of a NOT VALID
/// constraint (`referenced`: a foreign key's table, which it locks too).
pub fn validate(table: &str, name: &str, what: &str, referenced: Option<&str>) -> Step {
    let on = match referenced {
        Some(r) => On::with(table_ref(table), table_ref(r)),
        None => On::table(table_ref(table)),
    };
    Step {
        reversible: Reversible::NothingToUndo,
        ..Step::on(
            Phase::Backfill,
            Kind::ValidateConstraint,
            table,
            on,
            format!("Validate {what} {} against the existing rows.", ident(name)),
            ddl::validate_constraint(table, name),
        )
    }
}
