//! Applying the migrations to every target of a fleet, wave by wave.

use super::{Fleet, Resolved};
use crate::apply::{ApplyError, ApplyOptions, Event, MigrationSource, Migrator};
use crate::plan::Phase;
use serde::Serialize;
use std::sync::atomic::Ordering;

/// How one target's run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// It ran through the phase bound.
    Applied {
        /// Phases run, in order (none: it was up to date).
        applied: Vec<(String, Phase)>,
        /// The first phase left for later (a contract, unless `through` said otherwise).
        stopped_before: Option<(String, Phase)>,
    },
    /// It failed; what it applied before stays applied and recorded.
    Failed {
        /// The error, as the single run says it.
        error: String,
    },
    /// Asked to stop (a failure elsewhere in its wave, or the caller's stop flag): it
    /// stopped after its statement or batch, committed; the next run goes on.
    Stopped,
    /// Never started: the run stopped before its turn.
    NotStarted,
}

/// One target's part of a fleet run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetReport {
    /// The target's name.
    pub target: String,
    /// Its wave (0: the canary).
    pub wave: usize,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What a fleet run did, target by target in the fleet's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FleetReport {
    /// Every target.
    pub targets: Vec<TargetReport>,
}

impl FleetReport {
    /// Whether a target failed.
    pub fn failed(&self) -> bool {
        self.targets
            .iter()
            .any(|t| matches!(t.outcome, Outcome::Failed { .. }))
    }

    /// Whether every target ran through the phase bound.
    pub fn complete(&self) -> bool {
        self.targets
            .iter()
            .all(|t| matches!(t.outcome, Outcome::Applied { .. }))
    }
}

/// Applies `sources` to every target of `fleet` (resolved as `targets`) with `options`,
/// wave by wave. `events(name)` makes the event handler of target `name`'s run;
/// `on_done` hears each target's end as it comes. A failure sets `options.stop`, which
/// stops the rest of its wave; setting it from outside (Ctrl-C) stops the fleet the same
/// way. The targets' runs share the calling thread (a local task set): they wait on their
/// servers, not on the CPU.
pub async fn apply(
    sources: &[MigrationSource],
    options: &ApplyOptions,
    fleet: &Fleet,
    targets: &[Resolved],
    events: impl Fn(&str) -> Box<dyn FnMut(&Event) + Send>,
    on_done: impl FnMut(&TargetReport),
) -> FleetReport {
    tokio::task::LocalSet::new()
        .run_until(waves(sources, options, fleet, targets, events, on_done))
        .await
}

async fn waves(
    sources: &[MigrationSource],
    options: &ApplyOptions,
    fleet: &Fleet,
    targets: &[Resolved],
    events: impl Fn(&str) -> Box<dyn FnMut(&Event) + Send>,
    mut on_done: impl FnMut(&TargetReport),
) -> FleetReport {
    let stop = options.stop.clone();
    let mut done: Vec<TargetReport> = Vec::with_capacity(targets.len());
    for (wave, members) in fleet.waves(targets).into_iter().enumerate() {
        let mut queue = members.into_iter();
        let mut running = tokio::task::JoinSet::new();
        let mut names = std::collections::HashMap::new();
        loop {
            while running.len() < fleet.waves.parallel && !stop.load(Ordering::SeqCst) {
                let Some(t) = queue.next() else { break };
                let migrator = Migrator::new(sources.to_vec(), super::options_for(options, &t));
                let mut migrator = migrator.on_event(events(&t.name));
                let url = t.url;
                let id = running
                    .spawn_local(async move { migrator.apply(url.as_str()).await })
                    .id();
                names.insert(id, t.name);
            }
            let Some(joined) = running.join_next_with_id().await else {
                break;
            };
            let (id, outcome) = match joined {
                Ok((id, result)) => (id, outcome_of(result)),
                Err(e) => (
                    e.id(),
                    Outcome::Failed {
                        error: format!("the run ended abnormally: {e}"),
                    },
                ),
            };
            if matches!(outcome, Outcome::Failed { .. }) {
                stop.store(true, Ordering::SeqCst);
            }
            let report = TargetReport {
                target: names.remove(&id).unwrap_or_default(),
                wave,
                outcome,
            };
            on_done(&report);
            done.push(report);
        }
        for t in queue {
            let report = TargetReport {
                target: t.name,
                wave,
                outcome: Outcome::NotStarted,
            };
            on_done(&report);
            done.push(report);
        }
    }
    done.sort_by_key(|r| targets.iter().position(|t| t.name == r.target));
    FleetReport { targets: done }
}

fn outcome_of(result: Result<crate::apply::ApplyReport, ApplyError>) -> Outcome {
    match result {
        Ok(r) => Outcome::Applied {
            applied: r.applied,
            stopped_before: r.stopped_before,
        },
        Err(ApplyError::Stopped { .. }) => Outcome::Stopped,
        Err(e) => Outcome::Failed {
            error: e.to_string(),
        },
    }
}
