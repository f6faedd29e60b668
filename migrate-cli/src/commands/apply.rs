//! `cargo migrate apply`.

use crate::cli::ApplyArgs;
use migrate_core::apply::{ApplyOptions, Event, Migrator};
use migrate_core::plan::Phase;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// Applies the pending phases, printing progress on stderr.
pub fn run(dir: &Path, args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    let (sources, history) = super::sources(dir, &args.db)?;
    let through = match args.through.as_str() {
        "expand" => Phase::Expand,
        "contract" => Phase::Contract,
        _ => Phase::Backfill,
    };
    let options = ApplyOptions {
        through,
        history,
        lock_timeout: Duration::from_millis(args.lock_timeout),
        max_retries: args.retries,
        batch_size: args.batch_size,
        batch_pause: Duration::from_millis(args.batch_pause),
        no_wait: args.no_wait,
        allow_destructive: args.allow_destructive,
        allow_edited: args.allow_edited,
        allow_missing: args.allow_missing,
        dry_run: args.dry_run,
        ..ApplyOptions::default()
    };
    let dry_run = args.dry_run;
    let mut migrator = Migrator::new(sources, options).on_event(move |e| print_event(e, dry_run));
    let report = super::runtime()?.block_on(migrator.apply(&args.db.database_url))?;
    if report.applied.is_empty() && report.stopped_before.is_none() && !dry_run {
        println!("Nothing to apply: the database is up to date.");
    }
    for (id, phase) in &report.applied {
        println!("applied {id} {phase}");
    }
    match &report.stopped_before {
        Some((id, Phase::Contract)) => println!(
            "Stopped before the contract of {id}: deploy the code built against its models, then run `cargo migrate apply --through contract`."
        ),
        Some((id, phase)) => println!(
            "Stopped before the {phase} of {id} (--through {})",
            args.through
        ),
        None => {}
    }
    Ok(ExitCode::SUCCESS)
}

fn print_event(e: &Event, dry_run: bool) {
    match e {
        Event::Waiting { pid } => eprintln!(
            "waiting for another applier (backend pid {})…",
            pid.map_or("unknown".into(), |p| p.to_string())
        ),
        Event::PhaseStarted {
            migration,
            phase,
            done,
        } if !dry_run => {
            if *done > 0 {
                eprintln!("{migration} {phase}: resuming after {done} statements");
            } else {
                eprintln!("{migration} {phase}");
            }
        }
        Event::Statement { at, sql } => {
            let verb = if dry_run { "would run" } else { "  " };
            eprintln!("{verb} {at}: {sql}");
        }
        Event::Blocked { blockers } => {
            for (pid, secs, query) in blockers {
                eprintln!("    blocked by pid {pid} (in transaction {secs:.1}s): {query}");
            }
        }
        Event::Retry { attempt, wait } => {
            eprintln!(
                "    lock timeout; retry {attempt} in {} ms",
                wait.as_millis()
            )
        }
        Event::InvalidIndexDropped { name } => {
            eprintln!("    dropped the INVALID index {name} an interrupted build left")
        }
        Event::Batch {
            table,
            rows,
            estimate,
        } => {
            if *estimate > 0 {
                eprintln!("    {table}: {rows} rows (~{}%)", rows * 100 / estimate);
            } else {
                eprintln!("    {table}: {rows} rows");
            }
        }
        Event::PhaseFinished {
            migration,
            phase,
            duration,
        } => eprintln!("{migration} {phase}: done in {} ms", duration.as_millis()),
        _ => {}
    }
}
