//! Typed operations → phase files, in the shape `cargo migrate generate` writes (see
//! `crate::sql::render`): a `SET lock_timeout` wherever the next statement's lock changes
//! from blocking traffic to not or back, a comment before every statement saying what it
//! does and locks, and the markers the apply engine reads. Every statement runs alone
//! (none shares a transaction), so a non-transactional one is never inside `BEGIN`/`COMMIT`.

use crate::plan::{Batch, Phase};
use crate::sql::{BATCH_MARKER, DESTRUCTIVE_MARKER, LOCK_TIMEOUT, NO_TRANSACTION_MARKER};

/// One statement of a phase file, with what its comment says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// What it does, for the reviewer.
    pub summary: String,
    /// The statement, without its semicolon.
    pub sql: String,
    /// The lock it takes and for how long.
    pub lock: String,
    /// Whether and how it rewrites or scans the table (`rewrite: no · scan: no`).
    pub cost: String,
    /// Its lock conflicts with reads or writes: it waits at most [`LOCK_TIMEOUT`] for it.
    pub blocks_traffic: bool,
    /// False for statements that cannot run inside a transaction (CONCURRENTLY).
    pub transactional: bool,
    /// For a backfill: how a runner batches it.
    pub batch: Option<Batch>,
    /// What it destroys (`column "t"."c"`): applied only with acknowledgement.
    pub destroys: Option<String>,
}

impl Statement {
    /// A transactional statement whose lock blocks traffic, neither rewriting nor scanning.
    pub fn new(summary: String, sql: String, lock: String) -> Statement {
        Statement {
            summary,
            sql,
            lock,
            cost: "rewrite: no · scan: no".into(),
            blocks_traffic: true,
            transactional: true,
            batch: None,
            destroys: None,
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

fn purpose(phase: Phase) -> &'static str {
    match phase {
        Phase::Expand => {
            "Backward compatible: the code running now keeps working after this phase.\n-- Run it, then backfill.up.sql to the end, before deploying the new code."
        }
        Phase::Backfill => {
            "Long-running work that does not block reads or writes (batched backfills,\n-- validation, concurrent index builds). Run it after expand; old and new code both\n-- keep working."
        }
        Phase::Contract => {
            "Removes what only the old code needed. Run it only after every running\n-- instance runs the new code."
        }
    }
}

/// Comment text on one line: a line break in a name must never end the comment and leave
/// the rest of the line to run as SQL.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn up(id: &str, phase: Phase, statements: &[Statement]) -> String {
    let mut out = format!(
        "-- {phase} (up)\n\
         -- {}\n\
         --\n\
         -- Typed migration {}, written in Rust with migrate_core::typed:\n\
         -- review it like code. It has no down file: undo it with a new migration.\n\
         -- Run with `psql -v ON_ERROR_STOP=1 -f {phase}.up.sql`.\n\
         -- A statement whose lock would block reads or writes waits at most {LOCK_TIMEOUT}\n\
         -- for it (lock_timeout) instead of queueing in front of the table's traffic; if it\n\
         -- times out, psql stops there and the statements before it stay applied. A statement\n\
         -- whose lock blocks neither waits as long as it needs.\n",
        purpose(phase),
        one_line(id),
    );
    let mut current: Option<bool> = None;
    for (i, s) in statements.iter().enumerate() {
        out.push('\n');
        if current != Some(s.blocks_traffic) {
            if s.blocks_traffic {
                out.push_str(&format!("SET lock_timeout = '{LOCK_TIMEOUT}';\n\n"));
            } else {
                out.push_str(
                    "-- The next locks block no reads or writes: wait for them as long as needed.\nSET lock_timeout = 0;\n\n",
                );
            }
            current = Some(s.blocks_traffic);
        }
        out.push_str(&comment(i + 1, s));
        out.push_str(&s.sql);
        out.push_str(";\n");
    }
    out
}

fn comment(n: usize, s: &Statement) -> String {
    let mut out = format!(
        "-- Step {n}: {}\n-- lock: {}\n-- {}\n",
        one_line(&s.summary),
        one_line(&s.lock),
        one_line(&s.cost),
    );
    if !s.transactional {
        out.push_str(NO_TRANSACTION_MARKER);
        out.push_str(" (cannot run inside a transaction)\n");
    }
    if let Some(batch) = &s.batch {
        out.push_str(
            "-- psql runs it as one statement (correct, one long transaction); a runner\n",
        );
        out.push_str("-- runs it in keyset batches up to the largest key read when it starts:\n");
        out.push_str(BATCH_MARKER);
        out.push(' ');
        out.push_str(&one_line(&serde_json::to_string(batch).unwrap_or_default()));
        out.push('\n');
    }
    if let Some(what) = &s.destroys {
        out.push_str(&format!(
            "{DESTRUCTIVE_MARKER} {} (applied only with explicit acknowledgement)\n",
            one_line(what)
        ));
    }
    out
}
