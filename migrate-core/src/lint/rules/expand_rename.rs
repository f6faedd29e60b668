//! `expand-rename`: renaming a column or table in expand breaks the old code, which still
//! uses the old name.

use super::{Action, Context, Rule, Violation, violation};
use crate::plan::Phase;

pub const RULE: Rule = Rule {
    name: "expand-rename",
    summary: "RENAME of a column or table in expand (the old code uses the old name)",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    if ctx.phase != Some(Phase::Expand) {
        return None;
    }
    let help = "expand-contract: add the new column kept in sync by a trigger (or serve the new name through a view in a version schema), backfill, and rename or drop in contract (`#[schema(renamed_from = …)]` plans this)";
    match action {
        Action::RenameColumn { table, column } if ctx.existing(table) => violation(
            format!(
                "renaming \"{table}\".\"{column}\" in expand: the old code still runs and uses the old name"
            ),
            help,
        ),
        Action::RenameTable { table } if ctx.existing(table) => violation(
            format!(
                "renaming table \"{table}\" in expand: the old code still runs and uses the old name"
            ),
            help,
        ),
        _ => None,
    }
}
