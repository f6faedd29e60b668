//! The statement linter behind `cargo migrate lint` and `migrations!`: every statement of a
//! file is parsed with squawk's PostgreSQL parser ([`classify`]), and each [`Action`] is
//! checked by the [`rules`] — some unsafe in any phase (a plain `CREATE INDEX` on a table in
//! use), some only in expand, where the old code still runs (a `DROP COLUMN`).
//!
//! A statement may be exempted from named rules by a comment right before it, with a reason
//! for the reviewer:
//!
//! ```sql
//! -- migrate:allow index-concurrently: the table is created empty by this release
//! CREATE INDEX audit_at_idx ON audit (at);
//! ```

mod allow;
mod bounded;
pub mod classify;
pub mod folder;
mod plpgsql;
pub mod rules;
mod state;

pub use classify::{Action, SyntaxError, classify, concurrent_index};
pub use folder::{CheckedMigration, check_folder};
pub use rules::{RULES, Rule};
pub use state::{Block, Known};

use allow::allows;

use crate::phase::Phase;
use crate::sql::phase_file::{self, ScriptError};

pub use crate::sql::ALLOW_MARKER;

/// One problem found, at a statement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Rule name (`index-concurrently`), or `syntax` / `allow-comment`.
    pub rule: &'static str,
    /// Line (1-based) of the statement in the file.
    pub line: usize,
    /// The statement's first line.
    pub statement: String,
    /// What is wrong.
    pub message: String,
    /// The lock the statement takes, as the statement catalogue has it (none for syntax
    /// and allow-comment findings).
    pub lock: Option<String>,
    /// The safe way to do it.
    pub help: String,
}

impl Finding {
    /// The finding's lines after its first (`message [rule]`): the lock, the statement and
    /// the help, each indented.
    pub fn details(&self) -> String {
        let lock = match &self.lock {
            Some(lock) => format!("  lock: {lock}\n"),
            None => String::new(),
        };
        format!(
            "{lock}  statement: {}\n  help: {}",
            self.statement, self.help
        )
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: {} [{}]\n{}",
            self.line,
            self.message,
            self.rule,
            self.details()
        )
    }
}

/// What the linter knows about a file beyond its text.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// The phase the file runs in. `None`: a hand-written file with no phase in its name;
    /// it runs while the previous version of the code serves traffic, so it is judged by
    /// the rules of expand too.
    pub phase: Option<Phase>,
    /// A down file: only the rules for every phase (it undoes its up file).
    pub down: bool,
    /// The PostgreSQL major version the migration targets (what proves NOT NULL depends on
    /// it).
    pub pg_version: u32,
    /// What earlier files of the same migration created and proved.
    pub known: Known,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            phase: None,
            down: false,
            pg_version: 15,
            known: Known::default(),
        }
    }
}

/// What a rule sees besides the action itself.
#[derive(Debug)]
pub struct Context<'a> {
    /// The file's phase, when known.
    pub phase: Option<Phase>,
    /// A down file.
    pub down: bool,
    /// What the migration created and proved before this statement.
    pub known: &'a Known,
    /// The open `BEGIN` … `COMMIT` block the statement is in.
    pub block: Option<&'a Block>,
    /// The statement carries `-- migrate:no-transaction`.
    pub marked_no_transaction: bool,
    /// The statement carries `-- migrate:batch`: a runner batches it.
    pub batched: bool,
    /// Statements in the file.
    pub statements_in_file: usize,
}

impl Context<'_> {
    /// Whether `table` already exists and may be in use (not created by this migration).
    pub fn existing(&self, table: &str) -> bool {
        self.known.existing(table)
    }

    /// Whether the statement is inside `BEGIN` … `COMMIT`.
    pub fn in_transaction_block(&self) -> bool {
        self.block.is_some()
    }

    /// Whether the code version before this migration still runs while the statement
    /// does: in expand, and in a hand-written file with no phase (it runs before the new
    /// code is deployed).
    pub fn old_code_runs(&self) -> bool {
        !self.down && matches!(self.phase, None | Some(Phase::Expand))
    }
}

/// What a rule reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// What is wrong.
    pub message: String,
    /// The safe way to do it.
    pub help: String,
}

/// Lints one file. Errors only when the file cannot be split into statements (an open
/// quote or comment); a statement the parser rejects is a `syntax` finding.
pub fn lint(text: &str, options: &LintOptions) -> Result<Vec<Finding>, ScriptError> {
    lint_tracking(text, options).map(|(findings, _)| findings)
}

/// The phase a migration file runs in, from its name (`expand.up.sql`); `None` for down
/// files and other names.
pub fn phase_of_file(name: &str) -> Option<Phase> {
    Phase::named(name.strip_suffix(".up.sql")?)
}

/// Lints the files of one migration (`(name, text)`, any order). Each up file runs with
/// its phase; tables created in expand (and their indexes) count as new in backfill, and
/// what a file proves NOT NULL stays proven in the files after it. A down file gets the
/// rules for every phase, with what its phase's up files created counting as new (the down
/// removes it). Other names: a hand-written file (see [`LintOptions::phase`]). Returns
/// `(file name, finding)`, up files in phase order first.
pub fn lint_migration(
    files: &[(String, String)],
) -> Result<Vec<(String, Finding)>, (String, ScriptError)> {
    lint_migration_for(files, LintOptions::default().pg_version)
}

/// [`lint_migration`] for a server of major version `pg_version`.
pub fn lint_migration_for(
    files: &[(String, String)],
    pg_version: u32,
) -> Result<Vec<(String, Finding)>, (String, ScriptError)> {
    let mut ups: Vec<(Phase, &String, &String)> = files
        .iter()
        .filter_map(|(name, text)| phase_of_file(name).map(|p| (p, name, text)))
        .collect();
    ups.sort_by_key(|(p, _, _)| *p);
    let mut known = Known::default();
    let mut known_through: Vec<(Phase, Known)> = Vec::new();
    let mut out = Vec::new();
    for (phase, name, text) in ups {
        let mut start = known.clone();
        if phase == Phase::Contract {
            // In contract the new code runs: the migration's new tables are in use.
            start.new_tables.clear();
            start.new_indexes.clear();
        }
        let options = LintOptions {
            phase: Some(phase),
            pg_version,
            known: start,
            ..LintOptions::default()
        };
        let (findings, after) = lint_tracking(text, &options).map_err(|e| (name.clone(), e))?;
        known.new_tables.extend(after.new_tables);
        known.new_indexes.extend(after.new_indexes);
        known.proven_not_null = after.proven_not_null;
        known.pending_not_null = after.pending_not_null;
        known_through.push((phase, known.clone()));
        out.extend(findings.into_iter().map(|f| (name.clone(), f)));
    }
    let mut others: Vec<&(String, String)> = files
        .iter()
        .filter(|(name, _)| phase_of_file(name).is_none())
        .collect();
    others.sort();
    for (name, text) in others {
        let down_of = name.strip_suffix(".down.sql").and_then(Phase::named);
        let known = known_through
            .iter()
            .rev()
            .find(|(p, _)| Some(*p) <= down_of)
            .map(|(_, k)| Known {
                new_tables: k.new_tables.clone(),
                new_indexes: k.new_indexes.clone(),
                ..Known::default()
            })
            .unwrap_or_default();
        let options = LintOptions {
            down: down_of.is_some(),
            pg_version,
            known,
            ..LintOptions::default()
        };
        let (findings, _) = lint_tracking(text, &options).map_err(|e| (name.clone(), e))?;
        out.extend(findings.into_iter().map(|f| (name.clone(), f)));
    }
    Ok(out)
}

/// [`lint`], also returning what the file leaves known (created tables and indexes, and
/// proofs, with those it started from).
fn lint_tracking(text: &str, options: &LintOptions) -> Result<(Vec<Finding>, Known), ScriptError> {
    let statements = phase_file::split(text)?;
    let mut known = options.known.clone();
    let mut block: Option<Block> = None;
    let mut findings = Vec::new();
    for raw in &statements {
        let (allowed, bad) = allows(&raw.comments);
        let first_line = raw.sql.lines().next().unwrap_or("").to_owned();
        findings.extend(bad.into_iter().map(|(line, message, help)| Finding {
            rule: "allow-comment",
            line,
            statement: first_line.clone(),
            message,
            lock: None,
            help,
        }));
        let actions = match classify(&raw.sql) {
            Ok(a) => a,
            Err(e) => {
                findings.push(syntax_finding(raw, &e));
                continue;
            }
        };
        let marked = |marker: &str| raw.comments.iter().any(|(_, c)| c.starts_with(marker));
        for action in &actions {
            match action {
                Action::Begin => block = Some(Block::default()),
                Action::Commit => block = None,
                _ => {}
            }
            let ctx = Context {
                phase: options.phase,
                down: options.down,
                known: &known,
                block: block.as_ref().filter(|_| !matches!(action, Action::Begin)),
                marked_no_transaction: marked(crate::sql::NO_TRANSACTION_MARKER),
                batched: marked(crate::sql::BATCH_MARKER),
                statements_in_file: statements.len(),
            };
            for rule in RULES {
                if let Some(v) = (rule.check)(action, &ctx)
                    && !allowed.contains(rule.name)
                {
                    findings.push(Finding {
                        rule: rule.name,
                        line: raw.line,
                        statement: first_line.clone(),
                        message: v.message,
                        lock: action.lock(),
                        help: v.help,
                    });
                }
            }
            known.record(action, raw.line, options.pg_version, block.as_mut());
        }
    }
    Ok((findings, known))
}

/// The finding of a statement the parser rejects, at the line of the error.
fn syntax_finding(raw: &phase_file::Raw, e: &SyntaxError) -> Finding {
    let line = raw.line + raw.sql[..e.offset.min(raw.sql.len())].matches('\n').count();
    Finding {
        rule: "syntax",
        line,
        statement: raw.sql.lines().next().unwrap_or("").to_owned(),
        message: format!("PostgreSQL would not parse this: {}", e.message),
        lock: None,
        help: "fix the statement; the linter checks nothing else in it".into(),
    }
}

#[cfg(test)]
mod tests;
