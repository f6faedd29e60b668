//! `cargo migrate squash`.

use crate::cli::SquashArgs;
use migrate_core::project::Project;
use std::path::Path;
use std::process::ExitCode;

/// Replaces the migrations up to `--through` with one.
pub fn run(dir: &Path, args: &SquashArgs) -> anyhow::Result<ExitCode> {
    let project = Project::open(dir)?;
    let done = project.squash(&args.through)?;
    println!(
        "Squashed {} migrations into {}/ ({}):",
        done.replaced.len(),
        done.path.display(),
        done.files.join(", ")
    );
    for id in &done.replaced {
        println!("  {id}");
    }
    println!(
        "A database that applied them counts it as applied; a new one runs only it. Commit the new folder with the removal of the originals; `cargo migrate verify` proves the result."
    );
    Ok(ExitCode::SUCCESS)
}
