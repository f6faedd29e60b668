//! `reindex-concurrently`: `REINDEX` without `CONCURRENTLY` blocks writes (and reads that
//! use the index) for the whole rebuild.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "reindex-concurrently",
    summary: "REINDEX without CONCURRENTLY",
    check,
};

fn check(action: &Action, _: &Context<'_>) -> Option<Violation> {
    match action {
        Action::Reindex {
            concurrently: false,
        } => violation(
            "REINDEX without CONCURRENTLY blocks writes to the table for the whole rebuild",
            "REINDEX … CONCURRENTLY (PostgreSQL 12+), outside a transaction (mark it `-- migrate:no-transaction`)",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};

    #[test]
    fn err() {
        finds("reindex-concurrently", "REINDEX INDEX i", None);
        finds("reindex-concurrently", "REINDEX TABLE t", None);
    }

    #[test]
    fn ok() {
        passes("reindex-concurrently", "REINDEX INDEX CONCURRENTLY i", None);
    }
}
