//! The linter agrees with the statement catalogue: every kind's statement (the cases
//! `catalogue_e2e` runs on a server), on a table in use, is a finding in exactly the phases
//! the catalogue does not allow it in — and in a hand-written file with no phase exactly
//! where expand does not.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::catalogue::Kind;
use migrate_core::lint::{LintOptions, lint};
use migrate_core::plan::Phase;
use migrate_tests::catalogue_cases::cases;

#[test]
fn every_kind_is_a_finding_exactly_where_the_catalogue_refuses_it() {
    let mut wrong = Vec::new();
    for c in cases() {
        // A batched backfill is an UPDATE with a marker comment: the same statement is
        // `Update` to the classifier, whose case covers it.
        if c.kind == Kind::BackfillBatch {
            continue;
        }
        // A setup that creates the relation under test would make it new to the linter; the
        // point is a relation in use.
        let creates_it = matches!(
            c.kind,
            Kind::RefreshMaterializedView
                | Kind::DetachPartition
                | Kind::DetachPartitionConcurrently
        );
        let text = if c.setup.is_empty() || creates_it {
            format!("{};\n", c.sql)
        } else {
            format!("{};\n{};\n", c.setup, c.sql)
        };
        let line = text.lines().count();
        let facts = c.kind.facts();
        for (phase, judged_as) in [
            (Some(Phase::Expand), Phase::Expand),
            (Some(Phase::Backfill), Phase::Backfill),
            (Some(Phase::Contract), Phase::Contract),
            (None, Phase::Expand),
        ] {
            let options = LintOptions {
                phase,
                ..LintOptions::default()
            };
            let findings: Vec<&'static str> = lint(&text, &options)
                .unwrap()
                .into_iter()
                .filter(|f| f.line == line)
                .map(|f| f.rule)
                .collect();
            let refused = !facts.allowed_in(judged_as, false);
            if refused == findings.is_empty() {
                wrong.push(format!(
                    "{:?} in {phase:?}: the catalogue {} it, the linter found {findings:?} ({})",
                    c.kind,
                    if refused { "refuses" } else { "allows" },
                    c.sql
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
