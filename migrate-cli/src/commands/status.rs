//! `cargo migrate status`.

use crate::cli::StatusArgs;
use migrate_core::apply::ApplyOptions;
use std::path::Path;
use std::process::ExitCode;

/// Prints the state of every migration phase (of every target with `--targets`).
pub fn run(dir: &Path, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    if args.fleet.targets.is_some() {
        let (sources, history) = super::sources(dir, &args.db)?;
        let options = ApplyOptions {
            history,
            ..ApplyOptions::default()
        };
        return super::fleet::status(dir, args, sources, options);
    }
    let migrator = super::migrator(dir, &args.db, ApplyOptions::default())?;
    let status = super::runtime()?.block_on(migrator.status(args.db.url()?))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<44} {:<9} {:<12} {:>10}  finished",
        "migration", "phase", "state", "ms"
    );
    for s in &status {
        let row = s.row.as_ref();
        println!(
            "{:<44} {:<9} {:<12} {:>10}  {}",
            s.migration,
            s.phase.as_str(),
            s.state,
            row.and_then(|r| r.duration_ms)
                .map_or(String::new(), |d| d.to_string()),
            row.and_then(|r| r.finished_at.clone()).unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}
