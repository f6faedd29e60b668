//! The planner's settings and its errors.

/// Planner settings.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Target PostgreSQL major version.
    pub pg_version: u32,
    /// Tables the user has acknowledged dropping (`--allow-drop`).
    pub allow_drop: Vec<String>,
    /// Schema of views exposing the new shape during a rename (see [`version_schema`]).
    pub version_schema: String,
}

/// The schema new code puts first in its `search_path` while migration `timestamp`
/// (`yyyymmddhhmmss`) is between expand and contract.
pub fn version_schema(timestamp: &str) -> String {
    format!("migrate_{timestamp}")
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            pg_version: 14,
            allow_drop: Vec::new(),
            version_schema: "migrate_next".into(),
        }
    }
}

/// A change the planner refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// No safe plan exists for it yet.
    #[error("table \"{table}\": {change}: {reason}")]
    Unsupported {
        /// Table name.
        table: String,
        /// The change, in words.
        change: String,
        /// Why, and what to do instead.
        reason: String,
    },
    /// A table or column would be dropped without acknowledgement.
    #[error(
        "{what} is in the last snapshot but no model defines it. Dropping it destroys its data: if that is intended, run again with `--allow-drop {flag}`; if not, check the `models` globs in Migrate.toml (or restore the field)"
    )]
    DropNotAcknowledged {
        /// `table "x"` or `column "t"."c"`.
        what: String,
        /// What `--allow-drop` takes for it: `x` or `t.c`.
        flag: String,
    },
}
