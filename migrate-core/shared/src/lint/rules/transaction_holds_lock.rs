//! `transaction-holds-lock`: inside `BEGIN` … `COMMIT`, a lock that blocks reads or writes
//! is held until COMMIT: slow work after it in the same transaction (a scan, an index
//! build, a rewrite, an UPDATE or DELETE of a table in use) keeps the table blocked for
//! all of it.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "transaction-holds-lock",
    summary: "slow work in the transaction of an earlier lock that blocks traffic",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    let (line, lock) = ctx.block?.holding.as_ref()?;
    if !ctx.known.slow(action) && !is_update_of_existing(action, ctx) {
        return None;
    }
    // VALIDATE of a constraint added in this same transaction has a rule of its own.
    if let Action::ValidateConstraint { name, .. } = action
        && ctx.block.is_some_and(|b| b.not_valid.contains(name))
    {
        return None;
    }
    violation(
        format!(
            "this statement reads every row (or changes many) in the transaction that took {lock} at line {line}: that lock is held until COMMIT, blocking the table's traffic for the whole of it"
        ),
        "COMMIT right after the statement that takes the lock, and do the slow work in its own transaction (or batched, in backfill)",
    )
}

fn is_update_of_existing(action: &Action, ctx: &Context<'_>) -> bool {
    matches!(
        action,
        Action::Catalogued {
            kind: crate::catalogue::Kind::Update,
            table: Some(t),
        } if ctx.existing(t)
    )
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};

    #[test]
    fn err() {
        finds(
            "transaction-holds-lock",
            "BEGIN;\nALTER TABLE t ADD COLUMN c int;\nUPDATE t SET c = 0;\nCOMMIT;",
            None,
        );
        finds(
            "transaction-holds-lock",
            "BEGIN;\nALTER TABLE t ADD CONSTRAINT k CHECK (a > 0) NOT VALID;\nALTER TABLE u VALIDATE CONSTRAINT f;\nCOMMIT;",
            None,
        );
        finds(
            "transaction-holds-lock",
            "BEGIN;\nALTER TABLE t ALTER COLUMN a SET DEFAULT 1;\nCREATE INDEX t_c ON t (c);\nCOMMIT;",
            None,
        );
        // An explicit lock that blocks writes, then a whole-table UPDATE.
        finds(
            "transaction-holds-lock",
            "BEGIN;\nLOCK TABLE t IN SHARE MODE;\nUPDATE t SET a = 0 WHERE a IS NULL;\nCOMMIT;",
            None,
        );
    }

    #[test]
    fn ok() {
        passes(
            "transaction-holds-lock",
            "BEGIN;\nALTER TABLE t ADD COLUMN c int;\nCOMMIT;\nUPDATE t SET c = 0 WHERE id < 100;",
            None,
        );
        passes(
            "transaction-holds-lock",
            "BEGIN;\nALTER TABLE t ADD COLUMN c int;\nALTER TABLE t ALTER COLUMN c SET DEFAULT 0;\nCOMMIT;",
            None,
        );
        passes(
            "transaction-holds-lock",
            "BEGIN;\nCREATE TABLE n (a int);\nCREATE INDEX n_a ON n (a);\nCOMMIT;",
            None,
        );
        // Locked, then a few rows changed: held only for a moment.
        passes(
            "transaction-holds-lock",
            "BEGIN;\nLOCK TABLE t IN EXCLUSIVE MODE;\nUPDATE t SET a = 0 WHERE id = 7;\nCOMMIT;",
            None,
        );
        // A lock that blocks neither reads nor writes holds nothing up.
        passes(
            "transaction-holds-lock",
            "BEGIN;\nLOCK TABLE t IN ROW EXCLUSIVE MODE;\nUPDATE t SET a = 0 WHERE a IS NULL;\nCOMMIT;",
            Some(crate::phase::Phase::Backfill),
        );
    }
}
