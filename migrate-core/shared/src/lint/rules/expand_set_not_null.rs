//! `expand-set-not-null`: `SET NOT NULL` in expand breaks the old code, which still writes
//! NULLs there. Proven by a valid check or not, NOT NULL belongs after the deploy.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "expand-set-not-null",
    summary: "SET NOT NULL in expand (the old code may still write NULL)",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::SetNotNull { table, column } if ctx.old_code_runs() && ctx.existing(table) => {
            violation(
                format!(
                    "SET NOT NULL on \"{table}\".\"{column}\" in expand: the old code still runs and may insert NULL there"
                ),
                "backfill the NULLs, add CHECK (… IS NOT NULL) NOT VALID and VALIDATE it, and SET NOT NULL in contract",
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
        finds(
            "expand-set-not-null",
            "ALTER TABLE t ADD CONSTRAINT k CHECK (a IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT k;\nALTER TABLE t ALTER COLUMN a SET NOT NULL",
            Some(Phase::Expand),
        );
        finds(
            "expand-set-not-null",
            "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
            Some(Phase::Expand),
        );
        finds(
            "expand-set-not-null",
            "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
            None,
        );
    }

    #[test]
    fn ok() {
        passes(
            "expand-set-not-null",
            "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
            Some(Phase::Contract),
        );
        passes(
            "expand-set-not-null",
            "CREATE TABLE n (a int);\nALTER TABLE n ALTER COLUMN a SET NOT NULL",
            Some(Phase::Expand),
        );
    }
}
