//! `constraint-not-valid`: a CHECK or FOREIGN KEY added without `NOT VALID` scans the table
//! under a lock that blocks writes.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "constraint-not-valid",
    summary: "ADD CONSTRAINT CHECK / FOREIGN KEY without NOT VALID on a table in use",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::AddConstraint {
            table,
            kind: kind @ ("CHECK" | "FOREIGN KEY"),
            not_valid: false,
            ..
        } if ctx.existing(table) => violation(
            format!(
                "ADD {kind} without NOT VALID checks every row of \"{table}\" while holding a lock that blocks writes"
            ),
            "add it NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT in a later statement: it scans under a lock that lets reads and writes go on",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};

    #[test]
    fn err() {
        finds(
            "constraint-not-valid",
            "ALTER TABLE t ADD CONSTRAINT k CHECK (a > 0)",
            None,
        );
        finds(
            "constraint-not-valid",
            "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)",
            None,
        );
    }

    #[test]
    fn ok() {
        passes(
            "constraint-not-valid",
            "ALTER TABLE t ADD CONSTRAINT k CHECK (a > 0) NOT VALID",
            None,
        );
        passes(
            "constraint-not-valid",
            "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID",
            None,
        );
        passes(
            "constraint-not-valid",
            "CREATE TABLE n (a int);\nALTER TABLE n ADD CONSTRAINT k CHECK (a > 0)",
            None,
        );
    }
}
