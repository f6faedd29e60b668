//! `validate-same-transaction`: `VALIDATE CONSTRAINT` in the same transaction as the
//! `ADD CONSTRAINT … NOT VALID` it validates gains nothing: the ADD's lock (ACCESS
//! EXCLUSIVE for a check, SHARE ROW EXCLUSIVE for a foreign key) is held through the whole
//! validation scan.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "validate-same-transaction",
    summary: "VALIDATE in the transaction that added the constraint NOT VALID",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::ValidateConstraint { table, name }
            if ctx.block.is_some_and(|b| b.not_valid.contains(name)) && ctx.existing(table) =>
        {
            violation(
                format!(
                    "VALIDATE CONSTRAINT \"{name}\" in the transaction that added it NOT VALID: the ADD's lock on \"{table}\" is held for the whole scan"
                ),
                "COMMIT after ADD … NOT VALID and validate in a later transaction (in backfill): VALIDATE alone blocks no reads or writes",
            )
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};

    #[test]
    fn err() {
        finds(
            "validate-same-transaction",
            "BEGIN;\nALTER TABLE t ADD CONSTRAINT k CHECK (a > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT k;\nCOMMIT;",
            None,
        );
    }

    #[test]
    fn ok() {
        passes(
            "validate-same-transaction",
            "ALTER TABLE t ADD CONSTRAINT k CHECK (a > 0) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT k;",
            None,
        );
        passes(
            "validate-same-transaction",
            "BEGIN;\nALTER TABLE t ADD CONSTRAINT k CHECK (a > 0) NOT VALID;\nCOMMIT;\nALTER TABLE t VALIDATE CONSTRAINT k;",
            None,
        );
    }
}
