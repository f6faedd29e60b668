//! A new object's comment (a new table's, a swapped column's new column's): `COMMENT ON`
//! in the transaction that creates the object, so its down goes with it.

use crate::catalogue::Kind;
use crate::phase::Phase;
use crate::plan::step::Step;

/// The step setting a new object's comment with `sql`, in its creation's transaction.
pub fn with_new(table: &str, sql: String) -> Step {
    Step {
        shares_transaction: true,
        ..Step::new(
            Phase::Expand,
            Kind::Comment,
            table,
            "Set its comment.".into(),
            sql,
        )
    }
}
