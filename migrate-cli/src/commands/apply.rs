//! `cargo migrate apply`.

use crate::cli::ApplyArgs;
use crate::progress::Reporter;
use migrate_core::apply::Migrator;
use migrate_core::plan::Phase;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// Applies the pending phases, printing progress on stderr.
pub fn run(dir: &Path, args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    let (sources, mut options) = super::run_options(dir, &args.run)?;
    options.through = match args.through.as_str() {
        "expand" => Phase::Expand,
        "contract" => Phase::Contract,
        _ => Phase::Backfill,
    };
    options.batch_size = args.batch_size;
    options.batch_target = Duration::from_millis(args.batch_target_ms);
    options.max_replica_lag = args.max_replica_lag.map(Duration::from_millis);
    options.max_transaction_age =
        (args.max_transaction_age > 0).then(|| Duration::from_millis(args.max_transaction_age));
    options.pause_for_lock_waiters = !args.ignore_lock_waiters;
    options.batch_pause = Duration::from_millis(args.batch_pause);
    options.allow_destructive = args.allow_destructive;
    options.allow_out_of_order = args.allow_out_of_order;
    options.allow_drift = args.allow_drift;
    options.allow_dependents = args.allow_dependents;
    if args.fleet.targets.is_some() {
        return super::fleet::apply(dir, args, sources, options);
    }
    let dry_run = args.run.dry_run;
    let mut reporter = Reporter::new(dry_run);
    let stop = options.stop.clone();
    let mut migrator = Migrator::new(sources, options).on_event(move |e| reporter.event(e));
    let Some(report) = super::stoppable(stop, migrator.apply(args.run.db.url()?))? else {
        return Ok(ExitCode::from(130));
    };
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
