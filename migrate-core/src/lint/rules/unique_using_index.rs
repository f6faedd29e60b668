//! `unique-using-index`: `ADD UNIQUE` / `ADD PRIMARY KEY` build their index under an
//! ACCESS EXCLUSIVE lock.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "unique-using-index",
    summary: "ADD UNIQUE / PRIMARY KEY without USING INDEX on a table in use",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::AddConstraint {
            table,
            kind: kind @ ("UNIQUE" | "PRIMARY KEY"),
            using_index: false,
            ..
        } if ctx.existing(table) => violation(
            format!("ADD {kind} builds its index while blocking reads and writes of \"{table}\""),
            "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT … USING INDEX (brief lock)",
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
            "unique-using-index",
            "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)",
            None,
        );
        finds(
            "unique-using-index",
            "ALTER TABLE t ADD PRIMARY KEY (id)",
            None,
        );
    }

    #[test]
    fn ok() {
        passes(
            "unique-using-index",
            "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i",
            Some(Phase::Contract),
        );
        passes(
            "unique-using-index",
            "ALTER TABLE t ADD CONSTRAINT p PRIMARY KEY USING INDEX i",
            Some(Phase::Contract),
        );
    }
}
