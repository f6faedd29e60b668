//! `cargo migrate trace`.

use crate::cli::{DbArgs, TraceArgs};
use crate::progress::Reporter;
use migrate_core::apply::{ApplyOptions, Budget, Migrator, StatementTrace, Trace};
use migrate_core::plan::Phase;
use std::path::Path;
use std::process::ExitCode;

/// Traces the migration, prints what each statement did, and exits 1 on a broken budget.
pub fn run(dir: &Path, args: &TraceArgs) -> anyhow::Result<ExitCode> {
    let db = DbArgs {
        database_url: args.database_url.clone(),
        history_table: args.history_table.clone(),
    };
    let (sources, history) = super::sources(dir, &db)?;
    let through = match args.through.as_str() {
        "expand" => Phase::Expand,
        "backfill" => Phase::Backfill,
        _ => Phase::Contract,
    };
    let options = ApplyOptions {
        history,
        through,
        ..ApplyOptions::default()
    };
    if args.database_url.is_none() && args.server_url.is_none() {
        anyhow::bail!(
            "no server for the scratch database: pass --server-url URL or set DATABASE_URL (or trace on a database with --database-url)"
        );
    }
    let stop = options.stop.clone();
    let migrator = Migrator::new(sources, options);
    let mut reporter = Reporter::new(false);
    let progress = Box::new(move |e: &migrate_core::apply::Event| reporter.event(e));
    let work = async {
        match &args.database_url {
            Some(url) => migrator.trace_on(url.as_str().into(), progress).await,
            None => {
                let server = args.server_url.as_deref().unwrap_or_default();
                let id = args.migration.as_deref();
                migrator
                    .trace_scratch(server, id, args.rows, progress)
                    .await
            }
        }
    };
    // Ctrl-C ends the run after its statement or batch; the scratch database is dropped.
    let Some(trace) = super::stoppable(stop, work)? else {
        return Ok(ExitCode::from(130));
    };
    let budget = Budget {
        max_lock_ms: args.max_lock_ms.map(|ms| ms as f64),
        forbid_rewrite: args.forbid_rewrite,
        forbid_scan_under_lock: args.forbid_scan_under_lock,
    };
    let violations = trace.violations(&budget);
    if args.json {
        let out = serde_json::json!({ "trace": trace, "violations": violations });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_table(&trace);
        for v in &violations {
            println!(
                "over budget: {} {} line {}: {}",
                v.migration, v.phase, v.line, v.what
            );
        }
    }
    Ok(if violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_table(trace: &Trace) {
    let place = match trace.rows {
        Some(n) => format!("a scratch database ({n} rows in every table)"),
        None => format!("database {}", trace.database),
    };
    println!("Trace of {} on {place}:", trace.migrations.join(", "));
    println!(
        "{:<9} {:>5} {:>9} {:>9}  {:<44} {:<8} {:<8} {:>9}  statement",
        "phase", "line", "ms", "held ms", "locks", "rewrite", "scan", "WAL"
    );
    for t in &trace.statements {
        println!(
            "{:<9} {:>5} {:>9.1} {:>9.1}  {:<44} {:<8} {:<8} {:>9}  {}",
            t.phase.as_str(),
            t.line,
            t.duration_ms,
            t.held_ms,
            locks(t),
            list(&t.rewrote),
            t.scanned.as_deref().map_or("n/a".to_owned(), list),
            bytes(t.wal_bytes),
            t.sql
        );
    }
}

/// The strongest lock on each relation, strongest first.
fn locks(t: &StatementTrace) -> String {
    let mut strongest: Vec<&migrate_core::apply::TracedLock> = Vec::new();
    for l in &t.locks {
        match strongest.iter_mut().find(|s| s.relation == l.relation) {
            Some(s) if s.mode < l.mode => *s = l,
            Some(_) => {}
            None => strongest.push(l),
        }
    }
    strongest.sort_by_key(|l| std::cmp::Reverse(l.mode));
    let parts: Vec<String> = strongest
        .iter()
        .map(|l| format!("{} {}", l.mode, l.relation))
        .collect();
    if parts.is_empty() {
        "-".to_owned()
    } else {
        parts.join("; ")
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "-".to_owned()
    } else {
        names.join(", ")
    }
}

fn bytes(n: i64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / f64::from(1 << 20)),
        n if n >= 1 << 10 => format!("{:.1} kB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}
