//! `set-not-null`: `SET NOT NULL` scans the whole table under ACCESS EXCLUSIVE, unless a
//! valid `CHECK (c IS NOT NULL)` on the column established earlier in the migration proves
//! it (PostgreSQL ≥ 12), or, on PostgreSQL 18, a validated `NOT NULL … NOT VALID`
//! constraint. Adding a NOT NULL constraint without `NOT VALID` scans the same way.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "set-not-null",
    summary: "SET NOT NULL on a table in use without a valid CHECK (c IS NOT NULL) proving it",
    check,
};

const RECIPE: &str = "ADD CONSTRAINT … CHECK (c IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later transaction (it scans without blocking reads or writes), then SET NOT NULL (no scan) and drop the check";

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::SetNotNull { table, column }
            if ctx.existing(table)
                && !ctx
                    .known
                    .proven_not_null
                    .contains(&(table.clone(), column.clone())) =>
        {
            violation(
                format!(
                    "SET NOT NULL on \"{table}\".\"{column}\" scans every row while reads and writes wait: nothing proves it yet"
                ),
                RECIPE,
            )
        }
        Action::AddConstraint {
            table,
            kind: "NOT NULL",
            not_valid: false,
            not_null_of,
            ..
        } if ctx.existing(table) => violation(
            format!(
                "ADD CONSTRAINT … NOT NULL {} on \"{table}\" scans every row while reads and writes wait",
                not_null_of.as_deref().unwrap_or("")
            ),
            "PostgreSQL 18: add it NOT VALID, then VALIDATE CONSTRAINT in a later transaction; before 18: the CHECK (c IS NOT NULL) route",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes, passes_on};
    use crate::phase::Phase;

    #[test]
    fn err() {
        for phase in [
            None,
            Some(Phase::Expand),
            Some(Phase::Backfill),
            Some(Phase::Contract),
        ] {
            finds(
                "set-not-null",
                "ALTER TABLE t ALTER COLUMN c SET NOT NULL",
                phase,
            );
        }
        // A check on another column, or one still NOT VALID, proves nothing.
        finds(
            "set-not-null",
            "ALTER TABLE t ADD CONSTRAINT k CHECK (d IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT k;\nALTER TABLE t ALTER COLUMN c SET NOT NULL",
            Some(Phase::Contract),
        );
        finds(
            "set-not-null",
            "ALTER TABLE t ADD CONSTRAINT k CHECK (c IS NOT NULL) NOT VALID;\nALTER TABLE t ALTER COLUMN c SET NOT NULL",
            Some(Phase::Contract),
        );
    }

    #[test]
    fn ok() {
        passes(
            "set-not-null",
            "ALTER TABLE t ADD CONSTRAINT k CHECK (\"c\" IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT k;\nALTER TABLE t ALTER COLUMN c SET NOT NULL",
            Some(Phase::Contract),
        );
        // A check with more terms than the NULL test proves it too.
        passes(
            "set-not-null",
            "ALTER TABLE t ADD CONSTRAINT k CHECK (c IS NOT NULL AND c <> '') NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT k;\nALTER TABLE t ALTER COLUMN c SET NOT NULL",
            Some(Phase::Contract),
        );
        passes(
            "set-not-null",
            "CREATE TABLE n (c int);\nALTER TABLE n ALTER COLUMN c SET NOT NULL",
            Some(Phase::Expand),
        );
        // PostgreSQL 18: a NOT NULL constraint added NOT VALID, then validated.
        passes_on(
            18,
            "set-not-null",
            "ALTER TABLE t ADD CONSTRAINT c_nn NOT NULL c NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT c_nn;\nALTER TABLE t ALTER COLUMN c SET NOT NULL",
            Some(Phase::Contract),
        );
    }
}
