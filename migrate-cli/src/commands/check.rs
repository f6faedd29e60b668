//! `cargo migrate check`.

use migrate_core::project::Project;
use std::path::Path;
use std::process::ExitCode;

/// Exit 1 with the list of changes when the models differ from the newest snapshot.
pub fn run(dir: &Path) -> anyhow::Result<ExitCode> {
    let project = Project::open(dir)?;
    let status = project.status()?;
    let base = status
        .history
        .head()
        .map(|m| format!("migration {}", m.id))
        .unwrap_or_else(|| "an empty schema (no migration yet)".into());
    if status.changes.is_empty() {
        println!("Up to date: the models match {base}.");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "The models differ from {base} in {} change(s):",
        status.changes.len()
    );
    print!("{}", super::change_list(&status.changes));
    println!("Run `cargo migrate generate` and commit the new migration.");
    Ok(ExitCode::from(1))
}
