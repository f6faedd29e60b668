//! The state of every migration phase on every target of a fleet.

use super::{Fleet, Resolved};
use crate::apply::{ApplyOptions, MigrationSource, Migrator, PhaseStatus};
use serde::Serialize;

/// One target's phases, or why they could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetStatus {
    /// The target's name.
    pub target: String,
    /// Its phases as `status` shows them (empty when `error`).
    pub phases: Vec<PhaseStatus>,
    /// Why they could not be read (the server is down, the history unreadable).
    pub error: Option<String>,
}

/// Reads every target's history, `fleet.waves.parallel` at a time, in the fleet's order.
pub async fn status(
    sources: &[MigrationSource],
    options: &ApplyOptions,
    fleet: &Fleet,
    targets: &[Resolved],
) -> Vec<TargetStatus> {
    tokio::task::LocalSet::new()
        .run_until(read_all(sources, options, fleet, targets))
        .await
}

async fn read_all(
    sources: &[MigrationSource],
    options: &ApplyOptions,
    fleet: &Fleet,
    targets: &[Resolved],
) -> Vec<TargetStatus> {
    let mut out = Vec::with_capacity(targets.len());
    for chunk in targets.chunks(fleet.waves.parallel.max(1)) {
        let mut running = tokio::task::JoinSet::new();
        for (i, t) in chunk.iter().enumerate() {
            let migrator = Migrator::new(sources.to_vec(), super::options_for(options, t));
            let url = t.url.clone();
            running.spawn_local(async move { (i, migrator.status(url.as_str()).await) });
        }
        let mut read: Vec<_> = running.join_all().await;
        read.sort_by_key(|(i, _)| *i);
        for (i, r) in read {
            let target = chunk[i].name.clone();
            out.push(match r {
                Ok(phases) => TargetStatus {
                    target,
                    phases,
                    error: None,
                },
                Err(e) => TargetStatus {
                    target,
                    phases: Vec::new(),
                    error: Some(e.to_string()),
                },
            });
        }
    }
    out
}
