//! `type-change`: `ALTER COLUMN … TYPE` on a table in use.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "type-change",
    summary: "ALTER COLUMN … TYPE on a table in use",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::AlterType { table, column } if ctx.existing(table) => violation(
            format!(
                "changing the type of \"{table}\".\"{column}\" blocks reads and writes while it usually rewrites the table, and breaks running code's prepared statements even when it does not"
            ),
            "add a column of the new type kept in sync by a trigger, backfill it in batches, and swap in contract (`cargo migrate generate` plans this from a changed field type)",
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
            "type-change",
            "ALTER TABLE t ALTER COLUMN a TYPE bigint",
            None,
        );
        finds(
            "type-change",
            "ALTER TABLE t ALTER COLUMN s TYPE varchar(100)",
            Some(Phase::Contract),
        );
    }

    #[test]
    fn ok() {
        passes(
            "type-change",
            "CREATE TABLE n (a int);\nALTER TABLE n ALTER COLUMN a TYPE bigint",
            None,
        );
    }
}
