//! `cluster`: `CLUSTER` rewrites the table under an ACCESS EXCLUSIVE lock.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "cluster",
    summary: "CLUSTER",
    check,
};

fn check(action: &Action, _: &Context<'_>) -> Option<Violation> {
    match action {
        Action::Cluster => violation(
            "CLUSTER rewrites the table while blocking reads and writes",
            "pg_repack --order-by for an online reorder; maintenance does not belong in a migration",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};

    #[test]
    fn err() {
        finds("cluster", "CLUSTER t USING t_pkey", None);
    }

    #[test]
    fn ok() {
        passes("cluster", "VACUUM t", None);
    }
}
