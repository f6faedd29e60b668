//! `expand-drop`: dropping a column or table in expand breaks the old code, which still
//! reads and writes it.

use super::{Action, Context, Rule, Violation, violation};
use crate::catalogue::{Kind, Why};
use crate::phase::Phase;

pub const RULE: Rule = Rule {
    name: "expand-drop",
    summary: "a drop in expand (a column, table, index, function, trigger, view, schema: the old code still uses it)",
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
        // Any other removal the catalogue keeps for contract: an index (even dropped
        // concurrently: the old code's queries or its ON CONFLICT rely on it), a function,
        // a trigger, a view, a schema. Renames, defaults and NOT NULL have rules of their own.
        _ => {
            let kind = ctx.known.kind_of(action)?;
            let covered = matches!(
                kind,
                Kind::RenameColumn
                    | Kind::RenameTable
                    | Kind::DropDefault
                    | Kind::SetNotNull
                    | Kind::SetNotNullProven
                    | Kind::DropColumn
                    | Kind::DropTable
            );
            let refused = kind.facts().refused_in(Phase::Expand) == Some(Why::OldCodeRuns);
            (refused && !covered).then(|| Violation {
                message: format!(
                    "`{}` in expand: the old code still runs and may rely on what it removes",
                    kind.facts().form
                ),
                help: help.to_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};
    use crate::phase::Phase;

    #[test]
    fn err() {
        finds(
            "expand-drop",
            "DROP INDEX CONCURRENTLY i",
            Some(Phase::Expand),
        );
        finds("expand-drop", "DROP TRIGGER g ON t", None);
        finds("expand-drop", "DROP VIEW v", Some(Phase::Expand));
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
