//! `expand-drop-default`: dropping a default in expand breaks the old code's inserts that
//! rely on it (on a NOT NULL column every one fails).

use super::{Action, Context, Rule, Violation, violation};
use crate::plan::Phase;

pub const RULE: Rule = Rule {
    name: "expand-drop-default",
    summary: "DROP DEFAULT in expand (the old code's inserts rely on it)",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::DropDefault { table, column }
            if ctx.phase == Some(Phase::Expand) && ctx.existing(table) =>
        {
            violation(
                format!(
                    "DROP DEFAULT on \"{table}\".\"{column}\" in expand: the old code still inserts rows that rely on it"
                ),
                "drop the default in contract, once no old code runs",
            )
        }
        _ => None,
    }
}
