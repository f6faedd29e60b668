//! One module per subcommand.

pub mod check;
pub mod generate;
pub mod plan;

use migrate_core::diff::Change;

/// The changes as an indented list, one per line.
pub fn change_list(changes: &[Change]) -> String {
    changes.iter().map(|c| format!("  - {c}\n")).collect()
}
