//! The three phases of a migration.

use std::fmt;

/// The three phases of a migration, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Backward compatible: old code keeps working.
    Expand,
    /// Long-running, non-blocking data work (validation, concurrent index builds, batches).
    Backfill,
    /// After every running instance uses the new schema.
    Contract,
}

impl Phase {
    /// All phases in run order.
    pub const ALL: [Phase; 3] = [Phase::Expand, Phase::Backfill, Phase::Contract];

    /// File stem: `expand`, `backfill`, `contract`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Expand => "expand",
            Phase::Backfill => "backfill",
            Phase::Contract => "contract",
        }
    }

    /// The phase whose [`Phase::as_str`] is `name`.
    pub fn named(name: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
