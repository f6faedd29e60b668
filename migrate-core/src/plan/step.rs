//! A plan's steps: one statement each, with its kind in the catalogue (which says what it
//! locks, whether it rewrites or scans and whether it runs in a transaction), how it is
//! undone and what the phase file marks on it.

use crate::catalogue::{Facts, Kind, On};
use crate::phase::Phase;
pub use crate::sql::phase_file::Batch;

/// How a step is undone by the phase's down file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "why", rename_all = "snake_case")]
pub enum Reversible {
    /// The down statement restores the previous state exactly.
    Yes,
    /// The down statement restores the previous state, with a caveat for the operator
    /// (it may fail on data written since, or take long): said why.
    Caveat(String),
    /// The down statement restores the schema but drops data written since (said why).
    LosesData(String),
    /// The down statement restores the structure only; the data is gone (said why).
    SchemaOnly(String),
    /// Nothing to undo: the step changes no schema state (e.g. validating a constraint).
    NothingToUndo,
}

impl std::fmt::Display for Reversible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reversible::Yes => f.write_str("yes"),
            Reversible::Caveat(why) => write!(f, "yes; note: {why}"),
            Reversible::LosesData(why) => write!(f, "yes, losing data: {why}"),
            Reversible::SchemaOnly(why) => write!(f, "schema only: {why}"),
            Reversible::NothingToUndo => f.write_str("nothing to undo"),
        }
    }
}

/// One statement of a down file, with its kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Down {
    /// Its kind in the catalogue.
    pub kind: Kind,
    /// The statement (no trailing semicolon).
    pub sql: String,
    /// A lint rule it is exempt from, with why (`(rule, reason)`): a rollback may have to
    /// do what a forward step never would.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow: Option<(String, String)>,
}

impl Down {
    /// A down statement of kind `kind`.
    pub fn new(kind: Kind, sql: String) -> Down {
        Down {
            kind,
            sql,
            allow: None,
        }
    }
}

/// One statement of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Phase the step runs in.
    pub phase: Phase,
    /// Table the step is on.
    pub table: String,
    /// What it does, for the reviewer: `Create table "users".`
    pub summary: String,
    /// The statement (no trailing semicolon).
    pub sql: String,
    /// Its kind in the catalogue: its locks, rewrite, scan and transaction handling.
    pub kind: Kind,
    /// The relations its lock line names.
    pub on: On,
    /// The statements that undo it, run by the phase's down file (empty: nothing to undo).
    pub down: Vec<Down>,
    /// How it is undone.
    pub reversible: Reversible,
    /// Runs in one transaction with the adjacent steps that share too: the statements on
    /// a table created in the same phase, or a column swap that must look atomic.
    pub shares_transaction: bool,
    /// What the step destroys (`table "x"`, `column "t"."c"`): it needs the acknowledgement
    /// recorded in the file.
    pub destroys: Vec<String>,
    /// For a data backfill: how a runner batches it (the `sql` is the same change as one
    /// statement, correct but unbatched, for psql).
    pub batch: Option<Batch>,
    /// Whether the down statements must run in one transaction (false: each alone, e.g. a
    /// NOT VALID constraint followed by its non-blocking VALIDATE).
    pub down_atomic: bool,
    /// Lint rules the statement is exempt from, with why (`(rule, reason)`): written as
    /// `-- migrate:allow` comments, for the reviewer and the linter.
    pub allow: Vec<(String, String)>,
}

impl Step {
    /// A reversible step of kind `kind` on an existing table (its lock line naming
    /// `table`, quoted), with no down statements yet: completed with struct update syntax.
    pub fn new(phase: Phase, kind: Kind, table: &str, summary: String, sql: String) -> Step {
        Step::on(
            phase,
            kind,
            table,
            On::table(crate::sql::table_ref(table)),
            summary,
            sql,
        )
    }

    /// [`Step::new`] with the relations of its lock line given.
    pub fn on(phase: Phase, kind: Kind, table: &str, on: On, summary: String, sql: String) -> Step {
        Step {
            phase,
            table: table.to_owned(),
            summary,
            sql,
            kind,
            on,
            down: Vec::new(),
            reversible: Reversible::Yes,
            shares_transaction: false,
            destroys: Vec::new(),
            batch: None,
            down_atomic: true,
            allow: Vec::new(),
        }
    }

    /// What the catalogue says about its statement.
    pub fn facts(&self) -> &'static Facts {
        self.kind.facts()
    }

    /// The lock it takes and for how long, as its header says.
    pub fn lock(&self) -> String {
        self.facts().lock_text(&self.on)
    }

    /// Whether it rewrites the table.
    pub fn rewrites(&self) -> bool {
        self.facts().rewrite
    }

    /// Whether and how it scans the table (`None` for a table created in this migration:
    /// it is empty).
    pub fn scan(&self) -> Option<String> {
        if self.on.fresh {
            None
        } else {
            self.facts().scan_text()
        }
    }

    /// False for statements that cannot run inside a transaction (CONCURRENTLY).
    pub fn transactional(&self) -> bool {
        self.facts().transactional
    }

    /// Whether it waits at most the short `lock_timeout` for its locks (see
    /// [`Facts::waits_without_timeout`]).
    pub fn short_lock_timeout(&self) -> bool {
        !self.facts().waits_without_timeout()
    }
}

impl serde::Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct View<'a> {
            phase: Phase,
            table: &'a str,
            summary: &'a str,
            sql: &'a str,
            kind: Kind,
            down: Vec<&'a str>,
            lock: String,
            locks: &'static [crate::catalogue::Lock],
            rewrites: bool,
            scan: Option<String>,
            reversible: &'a Reversible,
            transactional: bool,
            shares_transaction: bool,
            destroys: &'a [String],
            short_lock_timeout: bool,
            batch: &'a Option<Batch>,
            down_atomic: bool,
            allow: &'a [(String, String)],
        }
        View {
            phase: self.phase,
            table: &self.table,
            summary: &self.summary,
            sql: &self.sql,
            kind: self.kind,
            down: self.down.iter().map(|d| d.sql.as_str()).collect(),
            lock: self.lock(),
            locks: self.facts().locks,
            rewrites: self.rewrites(),
            scan: self.scan(),
            reversible: &self.reversible,
            transactional: self.transactional(),
            shares_transaction: self.shares_transaction,
            destroys: &self.destroys,
            short_lock_timeout: self.short_lock_timeout(),
            batch: &self.batch,
            down_atomic: self.down_atomic,
            allow: &self.allow,
        }
        .serialize(serializer)
    }
}

/// The steps of one migration, in run order within each phase.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Every step, phase by phase.
    pub steps: Vec<Step>,
    /// The schema of views new code reads through (`search_path = "<it>", public`) from
    /// expand until contract, when the migration renames columns.
    pub version_schema: Option<String>,
}

impl Plan {
    /// The `search_path` new code runs with from expand on, when the plan has a version
    /// schema: it first, then the schemas of the tables it shows (`public` last).
    pub fn search_path(&self) -> Option<String> {
        let schema = self.version_schema.as_ref()?;
        let prefix = format!("CREATE OR REPLACE VIEW {}.", crate::sql::ident(schema));
        let shown = self
            .steps
            .iter()
            .filter(|s| s.sql.starts_with(&prefix))
            .map(|s| s.table.as_str());
        Some(super::recipes::version_schema::search_path(schema, shown))
    }

    /// The steps of one phase, in order.
    pub fn phase(&self, phase: Phase) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(move |s| s.phase == phase)
    }

    /// Steps whose kind the catalogue does not allow in their phase, and that carry no
    /// allow comment saying why it is safe there: none in a plan the planner makes (the
    /// test suite checks every plan it generates).
    pub fn misplaced(&self) -> impl Iterator<Item = &Step> {
        self.steps
            .iter()
            .filter(|s| s.allow.is_empty() && !s.facts().allowed_in(s.phase, s.on.fresh))
    }
}
