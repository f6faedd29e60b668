//! `backfill-schema-change`: backfill is for data and for work that does not block
//! traffic (concurrent index builds, VALIDATE); a schema change there belongs in expand or
//! contract.

use super::{Action, Context, Rule, Violation, violation};
use crate::plan::Phase;

pub const RULE: Rule = Rule {
    name: "backfill-schema-change",
    summary: "a schema change in backfill (expand or contract is where it belongs)",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    if ctx.phase != Some(Phase::Backfill) {
        return None;
    }
    let what = match action {
        Action::AddColumn { .. } => "ADD COLUMN",
        Action::SetNotNull { .. } => "SET NOT NULL",
        Action::DropColumn { .. } => "DROP COLUMN",
        Action::DropTable { .. } => "DROP TABLE",
        Action::RenameColumn { .. } | Action::RenameTable { .. } => "RENAME",
        Action::DropDefault { .. } => "DROP DEFAULT",
        _ => return None,
    };
    violation(
        format!(
            "{what} in backfill: backfill runs between expand and the deploy, for data and for builds that do not block traffic"
        ),
        "additions go in expand (the old code must keep working), removals and constraints the old code would break go in contract",
    )
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};
    use crate::plan::Phase;

    #[test]
    fn err() {
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
