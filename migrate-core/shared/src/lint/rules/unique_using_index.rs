//! `unique-using-index`: `ADD UNIQUE` / `ADD PRIMARY KEY` build their index under an
//! ACCESS EXCLUSIVE lock.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "unique-using-index",
    summary: "ADD UNIQUE / PRIMARY KEY without USING INDEX, or ADD EXCLUDE, on a table in use",
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
        Action::AddConstraint {
            table,
            kind: "EXCLUDE",
            ..
        } if ctx.existing(table) => violation(
            format!("ADD EXCLUDE builds its index while blocking reads and writes of \"{table}\""),
            "an exclusion constraint has no concurrent build and no USING INDEX form: add it when the table is created, or in a window when blocking the table for the build is acceptable",
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
            "unique-using-index",
            "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)",
            None,
        );
        finds(
            "unique-using-index",
            "ALTER TABLE t ADD PRIMARY KEY (id)",
            None,
        );
        finds(
            "unique-using-index",
            "ALTER TABLE t ADD CONSTRAINT x EXCLUDE USING gist (r WITH &&)",
            Some(Phase::Expand),
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
        passes(
            "unique-using-index",
            "CREATE TABLE n (r tstzrange);\nALTER TABLE n ADD CONSTRAINT x EXCLUDE USING gist (r WITH &&)",
            Some(Phase::Expand),
        );
    }
}
