//! A foreign key redefined under the same name (columns, referenced key, actions,
//! deferrability): the new definition added beside the old one under a temporary name
//! (`NOT VALID` in expand, validated in backfill), and in contract, in one transaction, the
//! old one dropped and the new one renamed, so every write is checked throughout (by both
//! while both exist: old code keeps the old rules until contract).

use super::drop_foreign_key;
use crate::model::ForeignKey;
use crate::phase::Phase;
use crate::plan::recipes::{names, rebuilt};
use crate::plan::step::Step;
use crate::sql::ident;

/// The steps replacing `from` by `to` on `table`; `added` are the steps adding a foreign
/// key (expand, backfill) as `add_foreign_key` makes them, for `to` under its temporary name.
pub fn plan(table: &str, from: &ForeignKey, to: &ForeignKey, added: Vec<Step>) -> Vec<Step> {
    let temp = names::temp_name(&to.name);
    let mut steps = added;
    steps.push(Step {
        phase: Phase::Contract,
        shares_transaction: true,
        ..drop_foreign_key::plan(table, from)
    });
    steps.push(rebuilt::take_name(
        table,
        &temp,
        &to.name,
        format!(
            "Give {} the name {} (the old definition is gone).",
            ident(&temp),
            ident(&to.name)
        ),
    ));
    steps
}
