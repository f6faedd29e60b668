//! `expand-set-not-null`: `SET NOT NULL` in expand breaks the old code, which still writes
//! NULLs there.

use super::{Action, Context, Rule, Violation, violation};
use crate::plan::Phase;

pub const RULE: Rule = Rule {
    name: "expand-set-not-null",
    summary: "SET NOT NULL in expand (the old code may still write NULL)",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::SetNotNull { table, column }
            if ctx.phase == Some(Phase::Expand) && ctx.existing(table) =>
        {
            violation(
                format!(
                    "SET NOT NULL on \"{table}\".\"{column}\" in expand: the old code still runs and may insert NULL there"
                ),
                "backfill the NULLs, add CHECK (… IS NOT NULL) NOT VALID and VALIDATE it, and SET NOT NULL in contract",
            )
        }
        _ => None,
    }
}
