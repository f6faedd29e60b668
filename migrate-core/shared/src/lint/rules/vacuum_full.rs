//! `vacuum-full`: `VACUUM FULL` rewrites the table under an ACCESS EXCLUSIVE lock.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "vacuum-full",
    summary: "VACUUM FULL",
    check,
};

fn check(action: &Action, _: &Context<'_>) -> Option<Violation> {
    match action {
        Action::Vacuum { full: true } => violation(
            "VACUUM FULL rewrites the table while blocking reads and writes",
            "plain VACUUM (no lock on traffic), or pg_repack for an online rewrite; maintenance does not belong in a migration",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};

    #[test]
    fn err() {
        finds("vacuum-full", "VACUUM FULL t", None);
        finds("vacuum-full", "VACUUM (FULL, ANALYZE) t", None);
    }

    #[test]
    fn ok() {
        passes("vacuum-full", "VACUUM t", None);
        passes("vacuum-full", "VACUUM (ANALYZE) t", None);
    }
}
