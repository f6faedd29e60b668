//! The phase-file format, written and read here and nowhere else: a header, then units (a
//! statement alone, or several in `BEGIN` … `COMMIT`), each statement preceded by a comment
//! saying what it does, its lock, rewrite and scan, and the markers the apply engine reads
//! (`-- migrate:no-transaction`, `-- migrate:batch`, `-- migrate:destructive`,
//! `-- migrate:allow`, and in down files `-- migrate:loses-data` and
//! `-- migrate:irreversible`). `SET lock_timeout` lines say whether the units after them
//! wait at most the short timeout for their locks. Generated and typed migrations are both
//! written with [`write`]; [`read`] reads either back, and hand-edited files as long as they
//! keep the shape.

pub mod read;
pub mod write;

pub use read::{Raw, ScriptError, Statement, Unit, parse, split};

/// Marker comment before a statement that must run outside a transaction.
pub const NO_TRANSACTION_MARKER: &str = "-- migrate:no-transaction";
/// Marker comment before a backfill statement, followed by its [`Batch`] as
/// JSON: a runner executes the change in keyset batches instead of as one statement.
pub const BATCH_MARKER: &str = "-- migrate:batch";
/// Marker comment before a statement that destroys data, followed by what it destroys and
/// [`DESTRUCTIVE_NOTE`].
pub const DESTRUCTIVE_MARKER: &str = "-- migrate:destructive";
/// What follows the object on a destructive marker.
pub const DESTRUCTIVE_NOTE: &str = " (applied only with explicit acknowledgement)";
/// Marker comment exempting the next statement from lint rules, with the reason:
/// `-- migrate:allow RULE[, RULE]: REASON`.
pub const ALLOW_MARKER: &str = "-- migrate:allow";
/// Marker comment, in a down file, before a statement that drops data written since the up
/// ran (a rollback runs it only with the acknowledgement a destructive step needs).
pub const LOSES_DATA_MARKER: &str = "-- migrate:loses-data";
/// Marker comment, in a down file, before a statement that restores structure only: the
/// up destroyed the data (a rollback runs it only when forced).
pub const IRREVERSIBLE_MARKER: &str = "-- migrate:irreversible";
/// What follows the no-transaction marker.
pub const NO_TRANSACTION_NOTE: &str = " (cannot run inside a transaction)";

/// What a runner needs to run a backfill in keyset batches, each its own short transaction:
/// `UPDATE table SET column = expr … WHERE condition` over successive key ranges up to the
/// largest key read when the backfill starts (so it ends under write load).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Batch {
    /// Table (unquoted).
    pub table: String,
    /// Primary key columns, the keyset order.
    pub key: Vec<String>,
    /// Column (unquoted) and the SQL expression it is set to.
    pub set: Vec<(String, String)>,
    /// Which rows still need it (an SQL condition; rows not matching are skipped).
    pub condition: String,
    /// Rows per batch.
    pub batch_size: u32,
}

/// How long a statement whose lock blocks traffic may wait for it.
pub const LOCK_TIMEOUT: &str = "2s";
