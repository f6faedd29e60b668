//! `unbatched-update`: an `UPDATE` or `DELETE` of a table in use in one statement, in expand
//! or contract (or a hand-written file), holds a row lock on every row it changes until it
//! commits: the traffic's writes to those rows wait for all of it.

use super::{Action, Context, Rule, Violation, violation};
use crate::catalogue::Kind;
use crate::phase::Phase;

pub const RULE: Rule = Rule {
    name: "unbatched-update",
    summary: "UPDATE / DELETE of a table in use in one statement, outside a batched backfill",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::Catalogued {
            kind: Kind::Update,
            table: Some(table),
        } if ctx.existing(table)
            && !ctx.batched
            && (ctx.old_code_runs() || ctx.phase == Some(Phase::Contract)) =>
        {
            violation(
                format!(
                    "UPDATE / DELETE of \"{table}\" in one statement holds a lock on every row it changes until it commits"
                ),
                "run it in backfill in keyset batches along the primary key, each its own short transaction (`-- migrate:batch {…}` before it, or a typed BackfillColumn)",
            )
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};
    use crate::phase::Phase;

    #[test]
    fn err() {
        for phase in [None, Some(Phase::Expand), Some(Phase::Contract)] {
            finds(
                "unbatched-update",
                "UPDATE t SET a = 0 WHERE a IS NULL",
                phase,
            );
            finds(
                "unbatched-update",
                "DELETE FROM t WHERE created < now() - interval '1 year'",
                phase,
            );
        }
    }

    #[test]
    fn ok() {
        passes(
            "unbatched-update",
            "UPDATE t SET a = 0 WHERE a IS NULL",
            Some(Phase::Backfill),
        );
        passes(
            "unbatched-update",
            "-- migrate:batch {\"table\":\"t\",\"key\":[\"id\"],\"set\":[[\"a\",\"0\"]],\"condition\":\"a IS NULL\",\"batch_size\":1000}\nUPDATE t SET a = 0 WHERE a IS NULL",
            Some(Phase::Expand),
        );
        passes(
            "unbatched-update",
            "CREATE TABLE n (a int);\nUPDATE n SET a = 0",
            None,
        );
        // A data fix of a few rows, and one bounded batch.
        passes("unbatched-update", "UPDATE t SET a = 0 WHERE id = 7", None);
        passes(
            "unbatched-update",
            "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE a IS NULL ORDER BY id LIMIT 1000)",
            Some(Phase::Contract),
        );
    }
}
