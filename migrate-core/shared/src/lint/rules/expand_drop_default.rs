//! `expand-drop-default`: dropping a default in expand breaks the old code's inserts that
//! rely on it (on a NOT NULL column every one fails).

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "expand-drop-default",
    summary: "DROP DEFAULT in expand (the old code's inserts rely on it)",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::DropDefault { table, column } if ctx.old_code_runs() && ctx.existing(table) => {
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

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};
    use crate::phase::Phase;

    #[test]
    fn err() {
        finds(
            "expand-drop-default",
            "ALTER TABLE t ALTER COLUMN a DROP DEFAULT",
            Some(Phase::Expand),
        );
        finds(
            "expand-drop-default",
            "ALTER TABLE t ALTER COLUMN a DROP DEFAULT",
            None,
        );
    }

    #[test]
    fn ok() {
        passes(
            "expand-drop-default",
            "ALTER TABLE t ALTER COLUMN a DROP DEFAULT",
            Some(Phase::Contract),
        );
        passes(
            "expand-drop-default",
            "ALTER TABLE t ALTER COLUMN a SET DEFAULT 0",
            Some(Phase::Expand),
        );
    }
}
