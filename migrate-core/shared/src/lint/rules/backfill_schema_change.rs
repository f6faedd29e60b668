//! `backfill-schema-change`: backfill is for data and for work that does not block
//! traffic (concurrent index builds, VALIDATE); a schema change there belongs in expand or
//! contract.

use super::{Action, Context, Rule, Violation, violation};
use crate::catalogue::Why;
use crate::phase::Phase;

pub const RULE: Rule = Rule {
    name: "backfill-schema-change",
    summary: "a schema change in backfill (expand or contract is where it belongs)",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    if ctx.phase != Some(Phase::Backfill) || action.table().is_some_and(|t| !ctx.existing(t)) {
        return None;
    }
    // What the catalogue keeps out of backfill as a schema change, or as a removal the old
    // code relies on (statements that block traffic have rules of their own).
    let kind = ctx.known.kind_of(action)?;
    let why = kind.facts().refused_in(Phase::Backfill)?;
    if !matches!(why, Why::SchemaInBackfill | Why::OldCodeRuns) {
        return None;
    }
    violation(
        format!(
            "`{}` in backfill: backfill runs between expand and the deploy, for data and for builds that do not block traffic",
            kind.facts().form
        ),
        "additions go in expand (the old code must keep working), removals and constraints the old code would break go in contract",
    )
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};
    use crate::phase::Phase;

    #[test]
    fn err() {
        finds(
            "backfill-schema-change",
            "CREATE TRIGGER g BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()",
            Some(Phase::Backfill),
        );
        finds(
            "backfill-schema-change",
            "ALTER TABLE t ALTER COLUMN a SET DEFAULT 0",
            Some(Phase::Backfill),
        );
        finds(
            "backfill-schema-change",
            "ALTER TABLE t ADD COLUMN c int",
            Some(Phase::Backfill),
        );
        finds(
            "backfill-schema-change",
            "DROP TABLE t",
            Some(Phase::Backfill),
        );
    }

    #[test]
    fn ok() {
        passes(
            "backfill-schema-change",
            "ALTER TABLE t ADD COLUMN c int",
            Some(Phase::Expand),
        );
        passes(
            "backfill-schema-change",
            "ALTER TABLE t VALIDATE CONSTRAINT k",
            Some(Phase::Backfill),
        );
    }
}
