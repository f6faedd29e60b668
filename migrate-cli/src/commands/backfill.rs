//! `cargo migrate backfill pause|resume|stop`.

use crate::cli::{BackfillArgs, BackfillRequest};
use migrate_core::apply::{ApplyOptions, Request};
use std::path::Path;
use std::process::ExitCode;

/// Records the request on the backfill in progress and says what happens next.
pub fn run(dir: &Path, args: &BackfillArgs) -> anyhow::Result<ExitCode> {
    let request = match args.request {
        BackfillRequest::Pause => Request::Pause,
        BackfillRequest::Resume => Request::Resume,
        BackfillRequest::Stop => Request::Stop,
    };
    let migrator = super::migrator(dir, &args.db, ApplyOptions::default())?;
    let done = super::runtime()?.block_on(migrator.request_backfill(
        args.db.url()?,
        args.migration.as_deref(),
        request,
    ))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&done)?);
        return Ok(ExitCode::SUCCESS);
    }
    let who = match done.running_pid {
        Some(pid) => format!("the apply running it (backend pid {pid})"),
        None => "no apply is running it now; the next apply".to_owned(),
    };
    let what = match request {
        Request::Pause => {
            format!("{who} waits before its next batch, until `cargo migrate backfill resume`")
        }
        Request::Resume => format!("{who} goes on with its next batch"),
        Request::Stop => match done.running_pid {
            Some(_) => format!(
                "{who} stops after the batch running now; `cargo migrate apply` goes on from there"
            ),
            None => "no apply is running it now: nothing to stop".to_owned(),
        },
    };
    println!(
        "Backfill of {} ({} rows done): {what}.",
        done.migration, done.rows
    );
    Ok(ExitCode::SUCCESS)
}
