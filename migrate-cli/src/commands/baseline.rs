//! `cargo migrate baseline`.

use crate::cli::BaselineArgs;
use migrate_core::apply::ApplyOptions;
use std::path::Path;
use std::process::ExitCode;

/// Checks the schema against the migration's snapshot and records the migrations up to it
/// as applied.
pub fn run(dir: &Path, args: &BaselineArgs) -> anyhow::Result<ExitCode> {
    let options = ApplyOptions {
        dry_run: args.dry_run,
        ..ApplyOptions::default()
    };
    let mut migrator = super::migrator(dir, &args.db, options)?;
    let url = args.db.url()?;
    let done = super::runtime()?.block_on(migrator.baseline(url, args.id.as_deref()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&done)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Schema {} matches the snapshot of {}.",
        done.schema, done.migration
    );
    super::print_other_tools(&done.other_tools);
    let verb = if done.dry_run {
        "Would record (dry run, nothing recorded)"
    } else {
        "Recorded"
    };
    println!(
        "{verb} {} migrations ({} phases) as applied without running them:",
        done.recorded.len(),
        done.phases
    );
    for id in &done.recorded {
        println!("  {id}");
    }
    Ok(ExitCode::SUCCESS)
}
