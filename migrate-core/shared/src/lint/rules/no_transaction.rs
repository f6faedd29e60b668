//! `no-transaction`: a statement PostgreSQL refuses inside a transaction block
//! (`CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX CONCURRENTLY`,
//! `VACUUM`) inside `BEGIN` … `COMMIT`, or unmarked beside other statements (a runner that
//! wraps the file in one transaction fails on it).

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "no-transaction",
    summary: "a statement that cannot run in a transaction, inside one or unmarked beside others",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    if !action.needs_no_transaction() {
        return None;
    }
    if ctx.in_transaction_block() {
        return violation(
            "this statement cannot run inside a transaction block, and it is inside BEGIN … COMMIT",
            "move it after COMMIT, alone, with `-- migrate:no-transaction` before it",
        );
    }
    if !ctx.marked_no_transaction && ctx.statements_in_file > 1 {
        return violation(
            "this statement cannot run inside a transaction, and other statements share its file unmarked: a runner that wraps the file in one transaction fails on it",
            "put `-- migrate:no-transaction` on the line before it (cargo migrate apply then runs it alone)",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};

    #[test]
    fn err() {
        finds(
            "no-transaction",
            "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;",
            None,
        );
        finds(
            "no-transaction",
            "ALTER TABLE t ADD COLUMN c int;\nCREATE INDEX CONCURRENTLY i ON t (c);",
            None,
        );
    }

    #[test]
    fn ok() {
        passes(
            "no-transaction",
            "CREATE INDEX CONCURRENTLY i ON t (c)",
            None,
        );
        passes(
            "no-transaction",
            "ALTER TABLE t ADD COLUMN c int;\n-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);",
            None,
        );
    }
}
