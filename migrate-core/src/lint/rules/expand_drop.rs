//! `expand-drop`: dropping a column or table in expand breaks the old code, which still
//! reads and writes it.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "expand-drop",
    summary: "DROP COLUMN / DROP TABLE in expand (the old code still uses it)",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    if !ctx.old_code_runs() {
        return None;
    }
    let help = "stop using it in the code first; drop it in contract, after the deploy";
    match action {
        Action::DropColumn { table, column } if ctx.existing(table) => violation(
            format!(
                "DROP COLUMN \"{table}\".\"{column}\" in expand: the old code still runs and uses it"
            ),
            help,
        ),
        Action::DropTable { tables } if tables.iter().any(|t| ctx.existing(t)) => violation(
            format!(
                "DROP TABLE {} in expand: the old code still runs and uses it",
                tables.join(", ")
            ),
            help,
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};
    use crate::plan::Phase;

    #[test]
    fn err() {
        finds(
            "expand-drop",
            "ALTER TABLE t DROP COLUMN a",
            Some(Phase::Expand),
        );
        finds("expand-drop", "DROP TABLE t", None);
    }

    #[test]
    fn ok() {
        passes(
            "expand-drop",
            "ALTER TABLE t DROP COLUMN a",
            Some(Phase::Contract),
        );
        passes(
            "expand-drop",
            "CREATE TABLE n (a int, b int);\nALTER TABLE n DROP COLUMN b",
            Some(Phase::Expand),
        );
    }
}
