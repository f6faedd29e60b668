//! `index-concurrently`: `CREATE INDEX` / `DROP INDEX` without `CONCURRENTLY` hold a lock
//! that blocks writes (a drop: reads too) for the whole build on a table in use.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "index-concurrently",
    summary: "CREATE INDEX / DROP INDEX without CONCURRENTLY on a table in use",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::CreateIndex {
            table,
            concurrently: false,
            ..
        } if ctx.existing(table) => violation(
            format!(
                "CREATE INDEX without CONCURRENTLY blocks every write to \"{table}\" until the index is built"
            ),
            "CREATE INDEX CONCURRENTLY, alone in its own statement outside a transaction (mark it `-- migrate:no-transaction`)",
        ),
        Action::DropIndex {
            names,
            concurrently: false,
        } if names.iter().any(|n| !ctx.known.new_indexes.contains(n)) => violation(
            "DROP INDEX without CONCURRENTLY blocks reads and writes of its table, and queues every later query behind it",
            "DROP INDEX CONCURRENTLY, outside a transaction (mark it `-- migrate:no-transaction`)",
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
        finds("index-concurrently", "CREATE INDEX i ON t (a)", None);
        finds("index-concurrently", "CREATE UNIQUE INDEX i ON t (a)", None);
        finds("index-concurrently", "DROP INDEX i", Some(Phase::Contract));
    }

    #[test]
    fn ok() {
        passes(
            "index-concurrently",
            "CREATE INDEX CONCURRENTLY i ON t (a)",
            None,
        );
        passes(
            "index-concurrently",
            "DROP INDEX CONCURRENTLY i",
            Some(Phase::Contract),
        );
        passes(
            "index-concurrently",
            "CREATE TABLE n (a int);\nCREATE INDEX n_a ON n (a);\nDROP INDEX n_a",
            Some(Phase::Expand),
        );
    }
}
