//! `cargo migrate generate`.

use crate::cli::GenerateArgs;
use anyhow::Context;
use migrate_core::plan::Phase;
use migrate_core::project::{GenerateOptions, Project};
use std::path::Path;
use std::process::ExitCode;

/// Writes the next migration, or says there is nothing to write.
pub fn run(dir: &Path, args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let project = Project::open(dir)?;
    let opts = GenerateOptions {
        name: args.name.clone(),
        allow_drop: args.allow_drop.clone(),
        timestamp: args.timestamp.clone(),
    };
    let Some(pending) = project
        .pending(&opts)
        .context("cannot generate a migration")?
    else {
        let status = project.status()?;
        match status.history.head() {
            Some(head) => println!("No changes: the models match migration {}.", head.id),
            None => println!(
                "No changes: no `#[derive(Schema)]` struct found in {} and no migration yet.",
                project.config.models.join(", ")
            ),
        }
        return Ok(ExitCode::SUCCESS);
    };
    let path = project.write(&pending)?;
    println!("Wrote {}/", path.display());
    print!("{}", super::change_list(&pending.changes));
    for phase in Phase::ALL {
        let steps = pending.plan.phase(phase).count();
        if steps > 0 {
            println!("  {phase}.up.sql / {phase}.down.sql: {steps} step(s)");
        }
    }
    println!("  snapshot.json");
    if let Some(path) = pending.plan.search_path() {
        println!(
            "New code reads the new shape through views: deploy it with search_path = {path} (e.g. in the pool's after_connect). Contract drops them; the same search_path keeps working after it."
        );
    }
    if pending.files.iter().any(|(n, _)| n.starts_with("contract")) {
        println!(
            "Review the files. Apply expand and backfill before deploying the new code; contract only after every instance runs it."
        );
    } else {
        println!("Review the files, then apply them before deploying the new code.");
    }
    Ok(ExitCode::SUCCESS)
}
