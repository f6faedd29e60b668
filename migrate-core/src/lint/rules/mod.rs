//! The rules, one per file. Each looks at one [`Action`] of a statement with its
//! [`Context`] and says what is wrong and what to do instead.

mod backfill_schema_change;
mod cluster;
mod constraint_not_valid;
mod expand_drop;
mod expand_drop_default;
mod expand_rename;
mod expand_set_not_null;
mod index_concurrently;
mod no_transaction;
mod reindex_concurrently;
mod type_change;
mod unique_using_index;
mod vacuum_full;
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
    type_change::RULE,
    vacuum_full::RULE,
    cluster::RULE,
    reindex_concurrently::RULE,
    no_transaction::RULE,
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
