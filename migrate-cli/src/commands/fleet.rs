//! The `--targets` forms of `apply` and `status`: the same migrations on every database of
//! a fleet.

use crate::cli::{ApplyArgs, FleetArgs, StatusArgs};
use crate::progress::Reporter;
use migrate_core::apply::{ApplyOptions, MigrationSource, PhaseStatus};
use migrate_core::fleet::{self, Fleet, FleetReport, Outcome, Resolved, TargetStatus};
use migrate_core::plan::Phase;
use std::path::Path;
use std::process::ExitCode;

/// The fleet `--targets` names (a file, or Migrate.toml's `[[targets]]`), with the
/// command line's overrides, and its targets resolved.
fn load(dir: &Path, args: &FleetArgs) -> anyhow::Result<(Fleet, Vec<Resolved>)> {
    let (mut fleet, from) = match args.targets.as_deref() {
        Some(p) if p != Path::new(migrate_core::project::CONFIG_FILE) => (
            migrate_core::project::load_targets(p).map_err(anyhow::Error::msg)?,
            p.display().to_string(),
        ),
        _ => {
            let project = migrate_core::project::Project::open(dir)?;
            let from = project.root.join(migrate_core::project::CONFIG_FILE);
            (project.config.fleet(), from.display().to_string())
        }
    };
    if let Some(c) = &args.canary {
        fleet.waves.canary = Some(c.clone());
    }
    if let Some(n) = args.wave_size {
        fleet.waves.wave_size = n;
    }
    if let Some(n) = args.parallel {
        fleet.waves.parallel = n;
    }
    let targets = fleet
        .resolve()
        .map_err(|e| anyhow::anyhow!("{from}: {e}"))?;
    Ok((fleet, targets))
}

/// `apply --targets`: the canary, then the waves; a line per target as it ends, the
/// report at the end (JSON with `--json`). Exit 1 when a target failed, 130 when stopped.
pub fn apply(
    dir: &Path,
    args: &ApplyArgs,
    sources: Vec<MigrationSource>,
    options: ApplyOptions,
) -> anyhow::Result<ExitCode> {
    let (fleet, targets) = load(dir, &args.fleet)?;
    let waves = fleet.waves(&targets);
    eprintln!(
        "fleet: {} targets; the canary {} first, then {} wave{} of up to {}, {} at a time",
        targets.len(),
        waves[0][0].name,
        waves.len() - 1,
        if waves.len() == 2 { "" } else { "s" },
        fleet.waves.wave_size,
        fleet.waves.parallel
    );
    let dry_run = options.dry_run;
    let stop = options.stop.clone();
    let run = async {
        Ok(fleet::apply(
            &sources,
            &options,
            &fleet,
            &targets,
            |name| {
                let mut reporter = Reporter::for_target(dry_run, name);
                Box::new(move |e| reporter.event(e))
            },
            |t| eprintln!("[{}] {}", t.target, outcome_line(&t.outcome)),
        )
        .await)
    };
    let Some(report) = super::stoppable(stop.clone(), run)? else {
        return Ok(ExitCode::from(130));
    };
    print_report(&report, args.json)?;
    Ok(if report.failed() {
        ExitCode::from(1)
    } else if report.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(130)
    })
}

fn outcome_line(o: &Outcome) -> String {
    match o {
        Outcome::Applied {
            applied,
            stopped_before,
        } => {
            let ran = match applied.len() {
                0 => "up to date".to_owned(),
                1 => "applied 1 phase".to_owned(),
                n => format!("applied {n} phases"),
            };
            match stopped_before {
                Some((id, phase)) => format!("{ran}; stopped before the {phase} of {id}"),
                None => ran,
            }
        }
        Outcome::Failed { error } => format!("failed: {error}"),
        Outcome::Stopped => "stopped after its statement or batch (resumable)".to_owned(),
        Outcome::NotStarted => "not started".to_owned(),
    }
}

fn print_report(report: &FleetReport, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
        return Ok(());
    }
    let width = report
        .targets
        .iter()
        .map(|t| t.target.len())
        .max()
        .unwrap_or(6);
    println!("{:<width$}  wave  outcome", "target");
    for t in &report.targets {
        println!(
            "{:<width$}  {:>4}  {}",
            t.target,
            t.wave,
            outcome_line(&t.outcome)
        );
    }
    let count = |f: fn(&Outcome) -> bool| report.targets.iter().filter(|t| f(&t.outcome)).count();
    println!(
        "{} applied, {} failed, {} stopped, {} not started",
        count(|o| matches!(o, Outcome::Applied { .. })),
        count(|o| matches!(o, Outcome::Failed { .. })),
        count(|o| matches!(o, Outcome::Stopped)),
        count(|o| matches!(o, Outcome::NotStarted)),
    );
    if report.complete()
        && report.targets.iter().any(|t| {
            matches!(
                &t.outcome,
                Outcome::Applied {
                    stopped_before: Some((_, Phase::Contract)),
                    ..
                }
            )
        })
    {
        println!(
            "Contract is left on every target: deploy the new code everywhere, then `cargo migrate apply --targets … --through contract`."
        );
    }
    Ok(())
}

/// `status --targets`: a row per target, a column per migration, a letter per phase.
pub fn status(
    dir: &Path,
    args: &StatusArgs,
    sources: Vec<MigrationSource>,
    options: ApplyOptions,
) -> anyhow::Result<ExitCode> {
    let (fleet, targets) = load(dir, &args.fleet)?;
    let read = super::runtime()?.block_on(fleet::status(&sources, &options, &fleet, &targets));
    let code = if read.iter().any(|t| t.error.is_some()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&read)?);
        return Ok(code);
    }
    let ids: Vec<&str> = sources.iter().map(|m| m.id.as_str()).collect();
    for (i, id) in ids.iter().enumerate() {
        println!("#{:<3} {id}", i + 1);
    }
    let width = targets
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let header: String = (1..=ids.len())
        .map(|i| format!("  {:<4}", format!("#{i}")))
        .collect();
    println!("{:<width$}{header}", "target");
    for t in &read {
        print_row(t, &ids, width);
    }
    println!(
        "a letter per phase (expand, backfill, contract): E B C applied or baselined, e b c in progress, interrupted or paused, . pending, space: the migration has no such phase"
    );
    Ok(code)
}

fn print_row(t: &TargetStatus, ids: &[&str], width: usize) {
    if let Some(e) = &t.error {
        println!("{:<width$}  unreadable: {e}", t.target);
        return;
    }
    let cells: String = ids
        .iter()
        .map(|id| {
            let mine: Vec<&PhaseStatus> = t.phases.iter().filter(|p| p.migration == *id).collect();
            let cell: String = Phase::ALL
                .iter()
                .map(|phase| letter(mine.iter().find(|p| p.phase == *phase).copied(), *phase))
                .collect();
            format!("  {cell:<4}")
        })
        .collect();
    println!("{:<width$}{cells}", t.target);
}

fn letter(p: Option<&PhaseStatus>, phase: Phase) -> char {
    let initial = match phase {
        Phase::Expand => 'E',
        Phase::Backfill => 'B',
        Phase::Contract => 'C',
    };
    match p.map(|p| p.state) {
        None => ' ',
        Some("applied" | "baselined") => initial,
        Some("pending") => '.',
        Some(_) => initial.to_ascii_lowercase(),
    }
}
