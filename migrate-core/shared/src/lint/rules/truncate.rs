//! `truncate`: `TRUNCATE` of a table in use empties it for the old code and the new, under
//! an ACCESS EXCLUSIVE lock.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "truncate",
    summary: "TRUNCATE of a table in use",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::Truncate { table } if ctx.existing(table) => violation(
            format!(
                "TRUNCATE empties \"{table}\" for every version of the code, and waits for and blocks all its traffic while it takes ACCESS EXCLUSIVE"
            ),
            "delete what must go in batches in backfill (`-- migrate:batch`), or stop using the table and drop it in contract",
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
        finds("truncate", "TRUNCATE TABLE t RESTART IDENTITY", None);
        finds("truncate", "TRUNCATE a, t", Some(Phase::Contract));
    }

    #[test]
    fn ok() {
        passes(
            "truncate",
            "CREATE TABLE n (a int);\nTRUNCATE n",
            Some(Phase::Expand),
        );
    }
}
