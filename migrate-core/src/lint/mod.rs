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

pub mod classify;
pub mod folder;
pub mod rules;

pub use classify::{Action, SyntaxError, classify, concurrent_index};
pub use folder::{CheckedMigration, check_folder};
pub use rules::{RULES, Rule};

use crate::plan::Phase;
use crate::sql::phase_file::{self, ScriptError};
use std::collections::HashSet;

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
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// The phase the file runs in (`None`: unknown, e.g. a hand-written file; only the
    /// rules for every phase apply).
    pub phase: Option<Phase>,
    /// Tables created earlier in the same migration: new, so nothing uses them yet.
    pub new_tables: HashSet<String>,
    /// Indexes on such tables.
    pub new_indexes: HashSet<String>,
}

/// What a rule sees besides the action itself.
#[derive(Debug)]
pub struct Context<'a> {
    /// The file's phase, when known.
    pub phase: Option<Phase>,
    /// Tables created in this migration so far (nobody uses them yet).
    pub new_tables: &'a HashSet<String>,
    /// Indexes created in this migration so far.
    pub new_indexes: &'a HashSet<String>,
    /// The statement is inside `BEGIN` … `COMMIT`.
    pub in_transaction_block: bool,
    /// The statement carries `-- migrate:no-transaction`.
    pub marked_no_transaction: bool,
    /// Statements in the file.
    pub statements_in_file: usize,
}

impl Context<'_> {
    /// Whether `table` already exists and may be in use (not created by this migration).
    pub fn existing(&self, table: &str) -> bool {
        !self.new_tables.contains(table)
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
/// its phase; tables created in expand (and their indexes) count as new in backfill. A
/// down file gets the rules for every phase, with what its phase's up files created
/// counting as new (the down removes it). Other names: the rules for every phase. Returns
/// `(file name, finding)`, up files in phase order first.
pub fn lint_migration(
    files: &[(String, String)],
) -> Result<Vec<(String, Finding)>, (String, ScriptError)> {
    let mut ups: Vec<(Phase, &String, &String)> = files
        .iter()
        .filter_map(|(name, text)| phase_of_file(name).map(|p| (p, name, text)))
        .collect();
    ups.sort_by_key(|(p, _, _)| *p);
    let mut created = LintOptions::default();
    let mut created_through: Vec<(Phase, LintOptions)> = Vec::new();
    let mut out = Vec::new();
    for (phase, name, text) in ups {
        let options = LintOptions {
            phase: Some(phase),
            // In contract the new code runs: the migration's new tables are in use.
            ..if phase == Phase::Contract {
                LintOptions::default()
            } else {
                created.clone()
            }
        };
        let (findings, made) = lint_tracking(text, &options).map_err(|e| (name.clone(), e))?;
        created.new_tables.extend(made.new_tables);
        created.new_indexes.extend(made.new_indexes);
        created_through.push((phase, created.clone()));
        out.extend(findings.into_iter().map(|f| (name.clone(), f)));
    }
    let mut others: Vec<&(String, String)> = files
        .iter()
        .filter(|(name, _)| phase_of_file(name).is_none())
        .collect();
    others.sort();
    for (name, text) in others {
        let down_of = name.strip_suffix(".down.sql").and_then(Phase::named);
        let options = created_through
            .iter()
            .rev()
            .find(|(p, _)| Some(*p) <= down_of)
            .map(|(_, o)| o.clone())
            .unwrap_or_default();
        let (findings, _) = lint_tracking(text, &options).map_err(|e| (name.clone(), e))?;
        out.extend(findings.into_iter().map(|f| (name.clone(), f)));
    }
    Ok(out)
}

/// [`lint`], also returning the tables (and their indexes) the file creates.
fn lint_tracking(
    text: &str,
    options: &LintOptions,
) -> Result<(Vec<Finding>, LintOptions), ScriptError> {
    let statements = phase_file::split(text)?;
    let mut new_tables = options.new_tables.clone();
    let mut new_indexes = options.new_indexes.clone();
    let mut in_block = false;
    let mut findings = Vec::new();
    for raw in &statements {
        let first_line = raw.sql.lines().next().unwrap_or("").to_owned();
        let finding = |rule: &'static str, line: usize, message: String, help: String| Finding {
            lock: None,
            rule,
            line,
            statement: first_line.clone(),
            message,
            help,
        };
        let (allowed, allow_findings) = allows(&raw.comments);
        findings.extend(
            allow_findings
                .into_iter()
                .map(|(line, message, help)| finding("allow-comment", line, message, help)),
        );
        let actions = match classify(&raw.sql) {
            Ok(a) => a,
            Err(e) => {
                let line = raw.line + raw.sql[..e.offset.min(raw.sql.len())].matches('\n').count();
                findings.push(finding(
                    "syntax",
                    line,
                    format!("PostgreSQL would not parse this: {}", e.message),
                    "fix the statement; the linter checks nothing else in it".into(),
                ));
                continue;
            }
        };
        let marked = raw
            .comments
            .iter()
            .any(|(_, c)| c.starts_with(crate::sql::NO_TRANSACTION_MARKER));
        for action in &actions {
            match action {
                Action::Begin => in_block = true,
                Action::Commit => in_block = false,
                _ => {}
            }
            let ctx = Context {
                phase: options.phase,
                new_tables: &new_tables,
                new_indexes: &new_indexes,
                in_transaction_block: in_block && !matches!(action, Action::Begin),
                marked_no_transaction: marked,
                statements_in_file: statements.len(),
            };
            for rule in RULES {
                if let Some(v) = (rule.check)(action, &ctx)
                    && !allowed.contains(rule.name)
                {
                    findings.push(Finding {
                        lock: action.lock(),
                        ..finding(rule.name, raw.line, v.message, v.help)
                    });
                }
            }
            match action {
                Action::CreateTable { table } => {
                    new_tables.insert(table.clone());
                }
                Action::CreateIndex { name, table, .. } if new_tables.contains(table) => {
                    new_indexes.insert(name.clone());
                }
                _ => {}
            }
        }
    }
    let created = LintOptions {
        phase: options.phase,
        new_tables: new_tables
            .difference(&options.new_tables)
            .cloned()
            .collect(),
        new_indexes: new_indexes
            .difference(&options.new_indexes)
            .cloned()
            .collect(),
    };
    Ok((findings, created))
}

/// The rules a statement's allow comments name, and the findings of malformed ones
/// (`(line, message, help)`).
fn allows(comments: &[(usize, String)]) -> (HashSet<&'static str>, Vec<(usize, String, String)>) {
    let mut allowed = HashSet::new();
    let mut bad = Vec::new();
    let usage = format!("write `{ALLOW_MARKER} RULE[, RULE]: why it is safe here`");
    for (line, comment) in comments {
        let Some(rest) = comment.strip_prefix(ALLOW_MARKER) else {
            continue;
        };
        let Some((names, _)) = rest
            .split_once(':')
            .filter(|(_, reason)| !reason.trim().is_empty())
        else {
            bad.push((
                *line,
                "allow comment without a reason".to_owned(),
                usage.clone(),
            ));
            continue;
        };
        for name in names.split(',').map(str::trim) {
            match RULES.iter().find(|r| r.name == name) {
                Some(rule) => {
                    allowed.insert(rule.name);
                }
                None => bad.push((
                    *line,
                    format!("allow comment names no rule `{name}`"),
                    format!(
                        "rules: {}",
                        RULES.iter().map(|r| r.name).collect::<Vec<_>>().join(", ")
                    ),
                )),
            }
        }
    }
    (allowed, bad)
}

#[cfg(test)]
mod tests;
