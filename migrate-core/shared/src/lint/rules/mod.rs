//! The rules, one per file. Each looks at one [`Action`] of a statement with its
//! [`Context`] and says what is wrong and what to do instead.

mod add_column_constraint;
mod backfill_schema_change;
mod cluster;
mod constraint_not_valid;
mod expand_drop;
mod expand_drop_default;
mod expand_rename;
mod expand_set_not_null;
mod index_concurrently;
mod no_transaction;
mod refresh_concurrently;
mod reindex_concurrently;
mod set_logged;
mod set_not_null;
mod transaction_holds_lock;
mod truncate;
mod type_change;
mod unbatched_update;
mod unique_using_index;
mod vacuum_full;
mod validate_same_transaction;
mod volatile_default;

use super::{Action, Context, Violation};

/// A lint rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Its name, as allow comments and findings spell it.
    pub name: &'static str,
    /// What it forbids, in one line.
    pub summary: &'static str,
    /// The check.
    pub check: fn(&Action, &Context<'_>) -> Option<Violation>,
}

/// Every rule, in the order findings list them.
pub const RULES: &[Rule] = &[
    index_concurrently::RULE,
    constraint_not_valid::RULE,
    unique_using_index::RULE,
    volatile_default::RULE,
    add_column_constraint::RULE,
    set_not_null::RULE,
    type_change::RULE,
    set_logged::RULE,
    vacuum_full::RULE,
    truncate::RULE,
    refresh_concurrently::RULE,
    cluster::RULE,
    reindex_concurrently::RULE,
    no_transaction::RULE,
    transaction_holds_lock::RULE,
    validate_same_transaction::RULE,
    unbatched_update::RULE,
    expand_set_not_null::RULE,
    expand_drop::RULE,
    expand_rename::RULE,
    expand_drop_default::RULE,
    backfill_schema_change::RULE,
];

/// A violation from two strings.
fn violation(message: impl Into<String>, help: impl Into<String>) -> Option<Violation> {
    Some(Violation {
        message: message.into(),
        help: help.into(),
    })
}

/// Helpers for the `ok` and `err` tests beside each rule: they lint the SQL as a file of
/// the phase given and fail when a test would pass vacuously (a statement that does not
/// parse, or that the classifier reads as nothing a rule looks at).
#[cfg(test)]
pub(crate) mod check {
    use crate::lint::{Action, Finding, LintOptions, classify, lint};
    use crate::phase::Phase;

    fn findings(pg_version: u32, sql: &str, phase: Option<Phase>) -> Vec<Finding> {
        for raw in crate::sql::phase_file::split(sql).unwrap_or_default() {
            let actions = classify(&raw.sql)
                .unwrap_or_else(|e| panic!("{}: does not parse: {}", raw.sql, e.message));
            assert!(
                actions.iter().any(|a| *a != Action::Other),
                "{}: the linter sees nothing in it",
                raw.sql
            );
        }
        let options = LintOptions {
            phase,
            pg_version,
            ..LintOptions::default()
        };
        lint(sql, &options).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// `rule` finds something in `sql`.
    #[track_caller]
    pub fn finds(rule: &str, sql: &str, phase: Option<Phase>) {
        let f = findings(15, sql, phase);
        assert!(
            f.iter().any(|f| f.rule == rule),
            "{sql} ({phase:?}): expected {rule}, got {:?}",
            f.iter().map(|f| f.rule).collect::<Vec<_>>()
        );
    }

    /// `rule` finds nothing in `sql`.
    #[track_caller]
    pub fn passes(rule: &str, sql: &str, phase: Option<Phase>) {
        passes_on(15, rule, sql, phase);
    }

    /// [`passes`] for a server of major version `pg_version`.
    #[track_caller]
    pub fn passes_on(pg_version: u32, rule: &str, sql: &str, phase: Option<Phase>) {
        let f = findings(pg_version, sql, phase);
        assert!(
            !f.iter().any(|f| f.rule == rule || f.rule == "syntax"),
            "{sql} ({phase:?}): expected no {rule}, got {f:?}"
        );
    }
}
