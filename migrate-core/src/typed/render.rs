//! Typed operations → phase files, in the format `cargo migrate generate` writes
//! ([`crate::sql::phase_file`]): every statement runs alone (none shares a transaction), so
//! a non-transactional one is never inside `BEGIN`/`COMMIT`. What a statement locks, and
//! whether it runs in a transaction, comes from the catalogue; only the escape hatch
//! ([`super::Sql`]) says it itself.

use crate::catalogue::{Kind, On};
use crate::plan::{Batch, Phase};
use crate::sql::phase_file::write::{self, Origin, StepComment, Unit};

/// What the file says about a statement's locks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facts {
    /// A statement of a kind in the catalogue, on these relations.
    Known(Kind, On),
    /// Custom SQL, not analysed: what its author says.
    Custom {
        /// It may run inside a transaction.
        transactional: bool,
        /// It waits at most the short lock timeout.
        short_lock_timeout: bool,
    },
}

/// One statement of a phase file, with what its comment says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// What it does, for the reviewer.
    pub summary: String,
    /// The statement, without its semicolon.
    pub sql: String,
    /// Its locks, rewrite, scan and transaction handling.
    pub facts: Facts,
    /// For a backfill: how a runner batches it.
    pub batch: Option<Batch>,
    /// What it destroys (`column "t"."c"`): applied only with acknowledgement.
    pub destroys: Vec<String>,
}

impl Statement {
    /// A statement of kind `kind` whose lock line names `table` (quoted as given).
    pub fn new(kind: Kind, table: &str, summary: String, sql: String) -> Statement {
        Statement::on(kind, On::table(crate::sql::table_ref(table)), summary, sql)
    }

    /// [`Statement::new`] with the relations of its lock line given.
    pub fn on(kind: Kind, on: On, summary: String, sql: String) -> Statement {
        Statement {
            summary,
            sql,
            facts: Facts::Known(kind, on),
            batch: None,
            destroys: Vec::new(),
        }
    }

    fn lock(&self) -> String {
        match &self.facts {
            Facts::Known(kind, on) => kind.facts().lock_text(on),
            Facts::Custom { .. } => "not analysed (custom SQL)".into(),
        }
    }

    fn cost(&self) -> String {
        match &self.facts {
            Facts::Known(kind, _) => {
                let f = kind.facts();
                format!(
                    "rewrite: {} · scan: {}",
                    if f.rewrite { "yes" } else { "no" },
                    f.scan_text().as_deref().unwrap_or("no")
                )
            }
            Facts::Custom { .. } => "rewrite, scan: not analysed (custom SQL)".into(),
        }
    }

    /// Whether it may run inside a transaction.
    pub fn transactional(&self) -> bool {
        match &self.facts {
            Facts::Known(kind, _) => kind.facts().transactional,
            Facts::Custom { transactional, .. } => *transactional,
        }
    }

    /// Whether it waits at most the short lock timeout.
    pub fn short_lock_timeout(&self) -> bool {
        match &self.facts {
            Facts::Known(kind, _) => !kind.facts().waits_without_timeout(),
            Facts::Custom {
                short_lock_timeout, ..
            } => *short_lock_timeout,
        }
    }
}

impl From<&crate::plan::Step> for Statement {
    fn from(step: &crate::plan::Step) -> Statement {
        Statement {
            batch: step.batch.clone(),
            destroys: step.destroys.clone(),
            ..Statement::on(
                step.kind,
                step.on.clone(),
                step.summary.clone(),
                step.sql.clone(),
            )
        }
    }
}

/// The `.up.sql` file of every phase that has statements.
pub fn files(id: &str, phases: &[(Phase, Vec<Statement>)]) -> Vec<(String, String)> {
    phases
        .iter()
        .filter(|(_, statements)| !statements.is_empty())
        .map(|(phase, statements)| (format!("{phase}.up.sql"), up(id, *phase, statements)))
        .collect()
}

fn up(id: &str, phase: Phase, statements: &[Statement]) -> String {
    let mut out = write::header(phase, "up", Origin::Typed(id));
    let units = statements
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let comment = StepComment {
                n: i + 1,
                summary: &s.summary,
                lock: &s.lock(),
                cost: &s.cost(),
                transactional: s.transactional(),
                batch: s.batch.as_ref(),
                destroys: &s.destroys,
                allow: &[],
            };
            Unit {
                text: format!("{}{};\n", comment.render(), s.sql),
                statements: 1,
                short_lock_timeout: s.short_lock_timeout(),
                atomic: true,
            }
        })
        .collect();
    write::write_units(&mut out, units);
    out
}
