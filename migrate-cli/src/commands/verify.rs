//! `cargo migrate verify`.

use crate::cli::VerifyArgs;
use anyhow::Context as _;
use migrate_core::apply::{ApplyOptions, HistoryTable, Migrator};
use std::path::Path;
use std::process::ExitCode;

/// Applies, re-applies, rolls back and applies again every migration on a scratch
/// database, comparing the schema at each stage; exit 1 on any difference.
pub fn run(dir: &Path, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let project = migrate_core::project::Project::open(dir)?;
    let sources = migrate_core::apply::load_dir(&project.migrations_dir())?;
    if sources.is_empty() {
        anyhow::bail!("no migrations in {}", project.migrations_dir().display());
    }
    let migrator = Migrator::new(
        sources,
        ApplyOptions {
            history: HistoryTable::default(),
            ..ApplyOptions::default()
        },
    );
    let found = super::runtime()?
        .block_on(migrator.verify(&args.shadow_url))
        .context("verify needs a server where its role may CREATE DATABASE (--shadow-url)")?;
    let code = if found.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&found)?);
        return Ok(code);
    }
    for s in &found.stages {
        println!("{} {}", if s.ok() { "ok  " } else { "FAIL" }, s.name);
        for d in &s.differences {
            println!("       {d}");
        }
        if let Some(e) = &s.error {
            for line in e.lines() {
                println!("       {line}");
            }
        }
    }
    if found.ok() {
        println!(
            "Verified on a scratch database ({}, dropped): every snapshot matches, applying twice changes nothing, apply → rollback → apply gives the same schema.",
            found.database
        );
    } else {
        println!(
            "Verification failed (scratch database {}, dropped).",
            found.database
        );
    }
    Ok(code)
}
