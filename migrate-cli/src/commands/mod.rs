//! One module per subcommand.

pub mod apply;
pub mod backfill;
pub mod baseline;
pub mod check;
pub mod drift;
pub mod fleet;
pub mod generate;
pub mod init;
pub mod lint;
pub mod plan;
pub mod rollback;
pub mod squash;
pub mod status;
pub mod trace;
pub mod verify;

use migrate_core::diff::Change;

/// The changes as an indented list, one per line.
pub fn change_list(changes: &[Change]) -> String {
    changes.iter().map(|c| format!("  - {c}\n")).collect()
}

/// The project's migrations and the history table the database arguments name.
pub fn sources(
    dir: &std::path::Path,
    db: &crate::cli::DbArgs,
) -> anyhow::Result<(
    Vec<migrate_core::apply::MigrationSource>,
    migrate_core::apply::HistoryTable,
)> {
    let project = migrate_core::project::Project::open(dir)?;
    let sources = migrate_core::apply::load_dir(&project.migrations_dir())?;
    let Some((schema, table)) = db.history_table.split_once('.') else {
        anyhow::bail!(
            "--history-table {}: expected SCHEMA.TABLE",
            db.history_table
        );
    };
    let history = migrate_core::apply::HistoryTable {
        schema: schema.to_owned(),
        table: table.to_owned(),
    };
    Ok((sources, history))
}

/// A migrator over the project's migrations and the history table `db` names, with
/// `options` otherwise.
pub fn migrator(
    dir: &std::path::Path,
    db: &crate::cli::DbArgs,
    options: migrate_core::apply::ApplyOptions,
) -> anyhow::Result<migrate_core::apply::Migrator> {
    let (sources, history) = sources(dir, db)?;
    Ok(migrate_core::apply::Migrator::new(
        sources,
        migrate_core::apply::ApplyOptions { history, ..options },
    ))
}

/// The sources and the run settings `apply` and `rollback` share.
pub fn run_options(
    dir: &std::path::Path,
    run: &crate::cli::RunArgs,
) -> anyhow::Result<(
    Vec<migrate_core::apply::MigrationSource>,
    migrate_core::apply::ApplyOptions,
)> {
    use std::time::Duration;
    let (sources, history) = sources(dir, &run.db)?;
    let options = migrate_core::apply::ApplyOptions {
        history,
        lock_timeout: Duration::from_millis(run.lock_timeout),
        first_lock_timeout: Duration::from_millis(run.first_lock_timeout),
        max_retries: run.retries,
        ddl_statement_timeout: Duration::from_millis(run.ddl_statement_timeout),
        long_statement_timeout: Duration::from_millis(run.long_statement_timeout),
        no_wait: run.no_wait,
        allow_edited: run.allow_edited,
        allow_missing: run.allow_missing,
        dry_run: run.dry_run,
        ..migrate_core::apply::ApplyOptions::default()
    };
    Ok((sources, options))
}

/// One line per other tool's history a baseline covers.
pub fn print_other_tools(tools: &[migrate_core::apply::OtherHistory]) {
    for t in tools {
        println!(
            "Found the {} history {} ({} migrations, newest {}): the baseline covers it; a migration {} applies from now on shows up as drift.",
            t.tool,
            t.table,
            t.migrations,
            t.newest.as_deref().unwrap_or("none"),
            t.tool
        );
    }
}

/// Runs `work` (an apply or a rollback) on a new runtime: Ctrl-C once sets `stop`, so the
/// run stops after the unit or backfill batch running now (committed, resumable) and this
/// returns `None`, having said so; twice exits at once (the server rolls back what ran).
pub fn stoppable<T>(
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    work: impl std::future::Future<Output = Result<T, migrate_core::apply::ApplyError>>,
) -> anyhow::Result<Option<T>> {
    let rt = runtime()?;
    rt.spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        eprintln!(
            "stopping after the statement or batch running now (Ctrl-C again to stop at once)"
        );
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
    match rt.block_on(work) {
        Err(e @ migrate_core::apply::ApplyError::Stopped { .. }) => {
            eprintln!("{e}");
            Ok(None)
        }
        r => Ok(Some(r?)),
    }
}

/// A runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
