//! `volatile-default`: `ADD COLUMN … DEFAULT f()` with a volatile function rewrites the
//! whole table under an ACCESS EXCLUSIVE lock; a NOT NULL column without a default fails on
//! a table with rows.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "volatile-default",
    summary: "ADD COLUMN with a volatile DEFAULT (or NOT NULL without one) on a table in use",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    let Action::AddColumn {
        table,
        column,
        default_calls,
        not_null,
        has_default,
    } = action
    else {
        return None;
    };
    if !ctx.existing(table) {
        return None;
    }
    if let Some(f) = default_calls
        .iter()
        .find(|f| !crate::catalogue::evaluated_once(f))
    {
        return violation(
            format!(
                "the DEFAULT of \"{table}\".\"{column}\" calls {f}(), evaluated per row: the table is rewritten under an ACCESS EXCLUSIVE lock"
            ),
            "add the column without the default (or with a constant one), SET DEFAULT in a separate statement, and fill existing rows in batched UPDATEs in backfill",
        );
    }
    if *not_null && !has_default {
        return violation(
            format!(
                "NOT NULL column \"{table}\".\"{column}\" without a default fails on a table with rows"
            ),
            "add it nullable, backfill in batches, then CHECK (… IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL",
        );
    }
    None
}
