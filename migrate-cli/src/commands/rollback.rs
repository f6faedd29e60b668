//! `cargo migrate rollback`.

use crate::cli::RollbackArgs;
use crate::progress::Reporter;
use migrate_core::apply::{Migrator, RollbackTo};
use migrate_core::plan::Phase;
use std::path::Path;
use std::process::ExitCode;

/// Rolls back the newest migration (or its phases from `--phase` on, or aborts it), or
/// every migration after `--to`.
pub fn run(dir: &Path, args: &RollbackArgs) -> anyhow::Result<ExitCode> {
    let (sources, mut options) = super::run_options(dir, &args.run)?;
    options.allow_destructive = args.allow_destructive;
    options.force = args.force;
    let phase = args.phase.as_deref().and_then(Phase::named);
    let to = match (&args.to, args.all, phase, args.abort) {
        (Some(id), ..) => Some(RollbackTo::After(id.clone())),
        (None, true, ..) => Some(RollbackTo::All),
        (None, false, Some(p), _) => Some(RollbackTo::Phases(p)),
        (None, false, None, true) => Some(RollbackTo::Abort),
        (None, false, None, false) => None,
    };
    let mut reporter = Reporter::new(args.run.dry_run);
    let stop = options.stop.clone();
    let mut migrator = Migrator::new(sources, options).on_event(move |e| reporter.event(e));
    let work = migrator.rollback(args.run.db.url()?, to.as_ref());
    let Some(done) = super::stoppable(stop, work)? else {
        return Ok(ExitCode::from(130));
    };
    if done.is_empty() {
        println!("Nothing to roll back.");
    }
    let verb = if args.run.dry_run {
        "would roll back"
    } else {
        "rolled back"
    };
    for (id, phase) in &done {
        println!("{verb} {id} {phase}");
    }
    Ok(ExitCode::SUCCESS)
}
