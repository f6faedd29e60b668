//! `expand-rename`: renaming a column or table in expand breaks the old code, which still
//! uses the old name.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "expand-rename",
    summary: "RENAME of a column or table in expand (the old code uses the old name)",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    if !ctx.old_code_runs() {
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

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};
    use crate::phase::Phase;

    #[test]
    fn err() {
        finds(
            "expand-rename",
            "ALTER TABLE t RENAME COLUMN a TO b",
            Some(Phase::Expand),
        );
        finds("expand-rename", "ALTER TABLE t RENAME TO u", None);
    }

    #[test]
    fn ok() {
        passes(
            "expand-rename",
            "ALTER TABLE t RENAME COLUMN a TO b",
            Some(Phase::Contract),
        );
        passes(
            "expand-rename",
            "-- migrate:allow expand-rename: a view under the old name takes its place\nALTER TABLE t RENAME TO u",
            Some(Phase::Expand),
        );
    }
}
