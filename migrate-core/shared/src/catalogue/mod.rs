//! The statement catalogue: for every kind of statement the project emits or meets, which
//! lock it takes on which relation, whether it rewrites or scans the table (and under which
//! lock), whether it can run inside a transaction, whether the code version before it keeps
//! working, and in which phases it is allowed under which conditions.
//!
//! This is the one place those facts are written. The planner's step headers, the typed
//! API's allowances, the linter's findings and the apply engine's lock timeouts read them;
//! `tests/tests/catalogue_e2e.rs` runs every kind on a server with rows and checks each
//! claim from a second connection (`pg_locks`, `relfilenode`, scan counters).

mod functions;
mod kinds;
mod lock;

pub use functions::{EVALUATED_ONCE, evaluated_once};
pub use kinds::Kind;
pub use lock::LockMode;

use crate::phase::Phase;

/// A relation a statement locks, named by its role in the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The table the statement is about (`ALTER TABLE t`, `CREATE INDEX … ON t`).
    Table,
    /// The table a foreign key references.
    Referenced,
    /// The index the statement renames or drops.
    Index,
    /// The view the statement replaces or drops.
    View,
    /// The relation the statement creates: no other session can see it before the
    /// statement's transaction commits, so its lock is never waited for.
    Created,
}

/// One lock a statement takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Lock {
    /// The mode.
    pub mode: LockMode,
    /// On which relation.
    pub on: Target,
    /// The PostgreSQL major version from which the statement takes it (`GRANT` locks its
    /// relation from 18 on).
    pub since: u32,
}

impl Lock {
    /// Whether a server of major version `version` takes it.
    pub fn taken_on(&self, version: u32) -> bool {
        version >= self.since
    }
}

/// Which rows a statement locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowLocks {
    /// None.
    None,
    /// The rows of one batch at a time, each batch its own transaction.
    Batch,
    /// Every row it changes, until it commits.
    Every,
}

/// How a statement reads the table's existing rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scan {
    /// It reads no rows (catalog only).
    None,
    /// One full scan, while holding the given lock.
    Full(LockMode),
    /// Two full scans (a concurrent index build), holding the given lock.
    TwoFull(LockMode),
    /// Every row once, one batch at a time along the primary key.
    Batched,
    /// Only the few rows it names, through an index or a bounded subquery.
    Keyed,
}

/// A condition under which a phase allows a kind of statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// The table was created earlier in the same migration: no other session uses it.
    NewTable,
}

/// Whether a phase allows a kind of statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "allowed", content = "why", rename_all = "snake_case")]
pub enum Allowance {
    /// Always.
    Yes,
    /// Only under the condition.
    If(Condition),
    /// Never, and why.
    No(Why),
}

/// Why a phase does not allow a kind of statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// The old code still runs and relies on what it removes or forbids: contract.
    OldCodeRuns,
    /// Backfill is for data and work that blocks no traffic; schema changes go in expand or
    /// contract.
    SchemaInBackfill,
    /// On a table in use it blocks traffic for a whole scan, build or rewrite.
    BlocksTraffic,
    /// Data work goes in backfill.
    DataInBackfill,
}

impl Why {
    /// In words, for findings and errors.
    pub fn text(self) -> &'static str {
        match self {
            Why::OldCodeRuns => {
                "the old code still runs until the deploy and relies on what this removes or forbids: contract"
            }
            Why::SchemaInBackfill => {
                "backfill is for data and for work that blocks no traffic; schema changes go in expand (additions) or contract (removals)"
            }
            Why::BlocksTraffic => {
                "on a table in use it blocks traffic for a whole scan, build or rewrite; use the safe recipe"
            }
            Why::DataInBackfill => {
                "data work goes in backfill, after expand added what it fills and before the deploy that reads it"
            }
        }
    }
}

/// What the catalogue says about one kind of statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Facts {
    /// The kind.
    pub kind: Kind,
    /// The statement's form, for the reader: `ALTER TABLE t ADD COLUMN c T`.
    pub form: &'static str,
    /// The table-level locks it takes, strongest concern first.
    pub locks: &'static [Lock],
    /// The row locks it takes.
    pub row_locks: RowLocks,
    /// Whether it writes a new copy of the table (a new `relfilenode`).
    pub rewrite: bool,
    /// How it reads the existing rows.
    pub scan: Scan,
    /// Whether it may run inside a transaction block.
    pub transactional: bool,
    /// Whether the code version before it keeps working once it ran (for a `NOT VALID`
    /// constraint: as long as the old code writes no row that violates it).
    pub backward_compatible: bool,
    /// How long its locks are held, as the header says it (`, brief (catalog only)`).
    pub hold: &'static str,
    /// What the header adds when it takes no table lock (`(a function touches no table)`).
    pub no_lock_note: &'static str,
    /// Whether expand, backfill and contract allow it, in that order.
    pub phases: [Allowance; 3],
    /// The PostgreSQL major version from which these facts hold (a constant default kept
    /// in the catalog: 11; `SET NOT NULL` proven by a check, `ALTER INDEX RENAME` under
    /// SHARE UPDATE EXCLUSIVE, `REINDEX CONCURRENTLY`: 12). The planner and the linter rely
    /// on them only from there on.
    pub since: u32,
}

/// The PostgreSQL major version from which a `NOT NULL … NOT VALID` constraint, once
/// validated, proves a column NOT NULL.
pub const NOT_NULL_NOT_VALID_SINCE: u32 = 18;

/// The relations of one statement, as its header names them (quoted identifiers, or a
/// description such as `the new table only`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct On {
    /// [`Target::Table`].
    pub table: String,
    /// [`Target::Referenced`], [`Target::Index`] or [`Target::View`], when the statement
    /// has one.
    pub other: Option<String>,
    /// The table was created earlier in the same migration: it is empty and nobody uses it.
    pub fresh: bool,
}

impl On {
    /// A statement on one table (or index, or view), named as given.
    pub fn table(name: impl Into<String>) -> On {
        On {
            table: name.into(),
            ..On::default()
        }
    }

    /// A statement on a table and a second relation (a referenced table, an index, a
    /// view).
    pub fn with(table: impl Into<String>, other: impl Into<String>) -> On {
        On {
            table: table.into(),
            other: Some(other.into()),
            fresh: false,
        }
    }

    /// A statement on a table created earlier in the same migration.
    pub fn new_table() -> On {
        On {
            table: "the new table only".into(),
            other: None,
            fresh: true,
        }
    }

    /// A statement on two tables both created earlier in the same migration.
    pub fn new_tables() -> On {
        On {
            table: "both new tables only".into(),
            other: None,
            fresh: true,
        }
    }
}

impl Kind {
    /// What the catalogue says about it.
    pub fn facts(self) -> &'static Facts {
        kinds::facts(self)
    }
}

impl Facts {
    /// Why `phase` does not allow it on a table in use (`None`: it does).
    pub fn refused_in(&self, phase: Phase) -> Option<Why> {
        match self.phases[phase as usize] {
            Allowance::No(why) => Some(why),
            Allowance::If(Condition::NewTable) => Some(Why::BlocksTraffic),
            Allowance::Yes => None,
        }
    }

    /// Whether `phase` allows it, given what holds (`new_table`: the table was created
    /// earlier in the same migration).
    pub fn allowed_in(&self, phase: Phase, new_table: bool) -> bool {
        match self.phases[phase as usize] {
            Allowance::Yes => true,
            Allowance::If(Condition::NewTable) => new_table,
            Allowance::No(_) => false,
        }
    }

    /// Whether its rewrite copies a table, taking time in proportion to its size (a
    /// sequence's, by `ALTER SEQUENCE … AS`, is one page).
    pub fn rewrites_a_table(&self) -> bool {
        self.rewrite && self.kind != Kind::AlterSequence
    }

    /// Whether a session that wants to read or write the table waits while this statement
    /// holds or queues for its locks: a lock that conflicts with reads or writes, or row
    /// locks.
    pub fn blocks_traffic(&self) -> bool {
        self.row_locks != RowLocks::None
            || self
                .existing_locks()
                .any(|l| l.mode.blocks_reads() || l.mode.blocks_writes())
    }

    /// Whether it runs without a lock timeout: its strongest lock on an existing relation
    /// is SHARE UPDATE EXCLUSIVE, which blocks no reads or writes while it queues, and it
    /// is the long, waiting work (a concurrent build waits for older transactions, a
    /// validation scans) that a short timeout would only make fail. Everything else is
    /// brief DDL and waits at most the short lock timeout, even when its lock blocks
    /// nothing: it costs nothing.
    pub fn waits_without_timeout(&self) -> bool {
        !self.blocks_traffic()
            && self
                .existing_locks()
                .map(|l| l.mode)
                .max()
                .is_some_and(|m| m == LockMode::ShareUpdateExclusive)
    }

    /// The version from which the statement takes `mode`, when not on every supported one.
    fn lock_since(&self, mode: LockMode) -> Option<u32> {
        self.existing_locks()
            .filter(|l| l.mode == mode)
            .map(|l| l.since)
            .min()
            .filter(|v| *v > MIN_SUPPORTED)
    }

    fn existing_locks(&self) -> impl Iterator<Item = &Lock> {
        self.locks.iter().filter(|l| l.on != Target::Created)
    }

    /// The lock line of a step's header: `ACCESS EXCLUSIVE on "t", brief (catalog only)`.
    /// Locks on the relation the statement creates are left out (nobody can wait for them).
    pub fn lock_text(&self, on: &On) -> String {
        // The strongest mode per relation named (a self-referencing key names one table).
        let mut strongest: Vec<(&str, LockMode)> = Vec::new();
        for lock in self.existing_locks() {
            let name = match lock.on {
                Target::Table => on.table.as_str(),
                _ => match &on.other {
                    Some(other) => other.as_str(),
                    None => continue,
                },
            };
            match strongest.iter_mut().find(|(n, _)| *n == name) {
                Some((_, mode)) => *mode = (*mode).max(lock.mode),
                None => strongest.push((name, lock.mode)),
            }
        }
        let mut groups: Vec<(LockMode, Vec<&str>)> = Vec::new();
        for (name, mode) in strongest {
            match groups.last_mut() {
                Some((m, names)) if *m == mode => names.push(name),
                _ => groups.push((mode, vec![name])),
            }
        }
        if groups.is_empty() {
            return if self.no_lock_note.is_empty() {
                "none".to_owned()
            } else {
                format!("none {}", self.no_lock_note)
            };
        }
        let quiet = !self.blocks_traffic();
        let parts: Vec<String> = groups
            .iter()
            .enumerate()
            .map(|(i, (mode, names))| {
                let mut notes = Vec::new();
                if let Some(v) = self.lock_since(*mode) {
                    notes.push(format!("from PostgreSQL {v}"));
                }
                if i == 0 && quiet {
                    notes.push("reads and writes continue".to_owned());
                }
                let qualifier = if notes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", notes.join("; "))
                };
                format!("{mode} on {}{qualifier}", names.join(" and "))
            })
            .collect();
        format!("{}{}", parts.join(", "), self.hold)
    }

    /// The scan part of a step's header: `no`, `full scan, not blocking writes`, …
    pub fn scan_text(&self) -> Option<String> {
        let blocking = |m: LockMode| {
            if m.blocks_reads() {
                "blocking reads and writes"
            } else if m.blocks_writes() {
                "blocking writes"
            } else {
                "not blocking writes"
            }
        };
        match self.scan {
            Scan::None => None,
            Scan::Full(m) => Some(format!("full scan, {}", blocking(m))),
            Scan::TwoFull(m) => Some(format!("two full scans, {}", blocking(m))),
            Scan::Batched => Some("every row once, batch by batch along the primary key".into()),
            Scan::Keyed => Some("only the rows it names".into()),
        }
    }
}

#[cfg(test)]
mod tests;

impl Target {
    /// How the reference table names it.
    fn describe(self) -> &'static str {
        match self {
            Target::Table => "the table",
            Target::Referenced => "the referenced table",
            Target::Index => "the index",
            Target::View => "the view",
            Target::Created => "what it creates",
        }
    }
}

/// The oldest PostgreSQL major version the catalogue describes.
pub const MIN_SUPPORTED: u32 = 10;

/// The whole catalogue as a Markdown table (`docs/catalogue.md` is this, checked by a
/// test): one row per kind.
pub fn markdown() -> String {
    let mut out = String::from(
        "| statement | locks | rewrite | scan | in a transaction | old code keeps working | expand | backfill | contract | since |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    for kind in Kind::all() {
        let f = kind.facts();
        let mut locks: Vec<String> = f
            .locks
            .iter()
            .map(|l| match l.since {
                MIN_SUPPORTED => format!("{} on {}", l.mode, l.on.describe()),
                v => format!("{} on {} (from {v})", l.mode, l.on.describe()),
            })
            .collect();
        match f.row_locks {
            RowLocks::None => {}
            RowLocks::Batch => locks.push("row locks, one batch at a time".into()),
            RowLocks::Every => locks.push("row locks on every row changed".into()),
        }
        let phases: Vec<&str> = f
            .phases
            .iter()
            .map(|a| match a {
                Allowance::Yes => "yes",
                Allowance::If(Condition::NewTable) => "new table only",
                Allowance::No(_) => "no",
            })
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            f.form.replace('|', "\\|"),
            if locks.is_empty() {
                "none".to_owned()
            } else {
                locks.join("; ")
            },
            yes_no(f.rewrite),
            f.scan_text().unwrap_or_else(|| "no".into()),
            yes_no(f.transactional),
            yes_no(f.backward_compatible),
            phases.join(" | "),
            if f.since > MIN_SUPPORTED {
                format!("PostgreSQL {}", f.since)
            } else {
                "—".to_owned()
            },
        ));
    }
    out
}
