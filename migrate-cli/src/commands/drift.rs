//! `cargo migrate drift`.

use crate::cli::DriftArgs;
use migrate_core::apply::ApplyOptions;
use std::path::Path;
use std::process::ExitCode;

/// Compares the live schema with the newest applied migration's snapshot; exit 1 when
/// they differ.
pub fn run(dir: &Path, args: &DriftArgs) -> anyhow::Result<ExitCode> {
    let migrator = super::migrator(dir, &args.db, ApplyOptions::default())?;
    let Some(drift) = super::runtime()?.block_on(migrator.drift(args.db.url()?))? else {
        anyhow::bail!(
            "the newest applied migration has no snapshot.json: there is nothing to compare the schema with"
        );
    };
    let code = if drift.differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&drift)?);
        return Ok(code);
    }
    let against = drift
        .against
        .as_deref()
        .map_or("the empty schema (no migration applied)".to_owned(), |id| {
            format!("the snapshot of {id}")
        });
    if let Some(f) = &drift.in_flight {
        println!(
            "{} is partly applied; its tables are between two snapshots and not compared: {}",
            f.migration,
            f.tables.join(", ")
        );
    }
    if drift.differences.is_empty() {
        println!("No drift: schema {} matches {against}.", drift.schema);
    } else {
        println!(
            "Schema {} differs from {against} ({} differences):",
            drift.schema,
            drift.differences.len()
        );
        for d in &drift.differences {
            println!("  {d}");
        }
    }
    Ok(code)
}
