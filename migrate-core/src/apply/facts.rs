//! How the apply engine runs a unit of a phase file, read from the statement catalogue: the
//! kinds of its statements (from the classifier) say whether it may run inside a
//! transaction and whether it waits at most the short lock timeout (with the short DDL
//! statement timeout) or as long as needed (with the long one: a concurrent build, a
//! validation). A statement the catalogue does not know (DML, a function, `DO`, `SET`) is
//! treated as brief DDL. The file's own `SET lock_timeout` lines are for psql; a test
//! checks that every generated file says what the catalogue says.

use crate::catalogue::Facts;
use crate::lint::classify;
use crate::sql::phase_file::Unit;

/// How one unit runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handling {
    /// In one transaction (false: its statement alone, outside any).
    pub transactional: bool,
    /// Its statements wait at most the short lock timeout.
    pub short_lock_timeout: bool,
}

/// How `unit` runs. A lone statement that PostgreSQL refuses inside a transaction block
/// (a `CREATE INDEX CONCURRENTLY` without the no-transaction marker) runs outside one:
/// that is what its author meant.
pub fn handling(unit: &Unit) -> Handling {
    let facts: Vec<Vec<Option<&'static Facts>>> =
        unit.statements.iter().map(|s| facts_of(&s.sql)).collect();
    let marked = unit.statements.iter().any(|s| s.no_transaction);
    let refuses = facts.iter().flatten().flatten().any(|f| !f.transactional);
    let lone = unit.statements.len() == 1;
    Handling {
        transactional: !(marked || (lone && refuses)),
        short_lock_timeout: facts
            .iter()
            .flatten()
            .any(|f| f.is_none_or(|f| !f.waits_without_timeout())),
    }
}

/// The facts of each thing `sql` does (`None` for what the catalogue does not know); one
/// unknown entry when it does not parse.
fn facts_of(sql: &str) -> Vec<Option<&'static Facts>> {
    match classify(sql) {
        Ok(actions) if !actions.is_empty() => actions
            .iter()
            .map(|a| a.kind().map(|k| k.facts()))
            .collect(),
        _ => vec![None],
    }
}
