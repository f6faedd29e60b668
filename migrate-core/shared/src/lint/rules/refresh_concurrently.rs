//! `refresh-concurrently`: `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY` blocks every
//! read of the view for as long as its query runs.

use super::{Action, Context, Rule, Violation, violation};
use crate::catalogue::Kind;

pub const RULE: Rule = Rule {
    name: "refresh-concurrently",
    summary: "REFRESH MATERIALIZED VIEW without CONCURRENTLY on a view in use",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::Catalogued {
            kind: Kind::RefreshMaterializedView,
            table: Some(view),
        } if ctx.existing(view) => violation(
            format!(
                "REFRESH MATERIALIZED VIEW \"{view}\" holds ACCESS EXCLUSIVE on it while its query runs: every read of the view waits"
            ),
            "REFRESH MATERIALIZED VIEW CONCURRENTLY (reads continue; the view needs a unique index on plain columns)",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};
    use crate::phase::Phase;

    #[test]
    fn err() {
        finds("refresh-concurrently", "REFRESH MATERIALIZED VIEW v", None);
        finds(
            "refresh-concurrently",
            "REFRESH MATERIALIZED VIEW s.v WITH DATA",
            Some(Phase::Backfill),
        );
    }

    #[test]
    fn ok() {
        passes(
            "refresh-concurrently",
            "CREATE MATERIALIZED VIEW n AS SELECT 1 AS a;\nREFRESH MATERIALIZED VIEW n",
            Some(Phase::Expand),
        );
    }
}
