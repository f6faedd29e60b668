//! What `apply` and `rollback` print while they run: one line per phase and statement on
//! stderr, and for a backfill a progress bar (rows, rows/s, ETA) when stderr is a
//! terminal, plain lines otherwise.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use migrate_core::apply::Event;
use std::io::IsTerminal as _;

/// Prints the events of one run.
pub struct Reporter {
    dry_run: bool,
    terminal: bool,
    bar: Option<(String, ProgressBar)>,
    /// Put before every line: `[target] ` in a fleet run.
    prefix: String,
}

impl Reporter {
    /// A reporter for a run (a dry run prints only what would run).
    pub fn new(dry_run: bool) -> Reporter {
        Reporter {
            dry_run,
            terminal: std::io::stderr().is_terminal(),
            bar: None,
            prefix: String::new(),
        }
    }

    /// A reporter for one target of a fleet run: plain lines (the targets' runs
    /// interleave), each starting `[name] `.
    pub fn for_target(dry_run: bool, name: &str) -> Reporter {
        Reporter {
            dry_run,
            terminal: false,
            bar: None,
            prefix: format!("[{name}] "),
        }
    }

    fn say(&self, line: std::fmt::Arguments<'_>) {
        eprintln!("{}{line}", self.prefix);
    }

    /// Prints `e`.
    pub fn event(&mut self, e: &Event) {
        if !matches!(e, Event::Batch { .. })
            && let Some((_, bar)) = self.bar.take()
        {
            bar.finish();
        }
        match e {
            Event::Waiting { pid } => self.say(format_args!(
                "waiting for another applier (backend pid {})…",
                pid.map_or("unknown".into(), |p| p.to_string())
            )),
            Event::PhaseStarted {
                migration,
                phase,
                done,
                rollback,
            } if !self.dry_run => {
                let what = if *rollback { " rollback" } else { "" };
                if *done > 0 {
                    self.say(format_args!(
                        "{migration} {phase}{what}: resuming after {done} statements"
                    ));
                } else {
                    self.say(format_args!("{migration} {phase}{what}"));
                }
            }
            Event::Statement { at, sql } => {
                let verb = if self.dry_run { "would run" } else { "  " };
                self.say(format_args!("{verb} {at}: {sql}"));
            }
            Event::Blocked { blockers } => {
                for (pid, secs, query) in blockers {
                    self.say(format_args!(
                        "    blocked by pid {pid} (in transaction {secs:.1}s): {query}"
                    ));
                }
            }
            Event::Retry {
                attempt,
                wait,
                lock_timeout,
                next_lock_timeout,
            } => self.say(format_args!(
                "    lock not granted within {} ms; retry {attempt} in {} ms, waiting up to {} ms",
                lock_timeout.as_millis(),
                wait.as_millis(),
                next_lock_timeout.as_millis()
            )),
            Event::Paused { table, reason } => {
                self.say(format_args!("    {table}: paused: {reason}"))
            }
            Event::Resumed { table, waited } => self.say(format_args!(
                "    {table}: going on after {:.1} s",
                waited.as_secs_f64()
            )),
            Event::InvalidIndexDropped { name } => self.say(format_args!(
                "    dropped the INVALID index {name} an interrupted build left"
            )),
            Event::Batch {
                table,
                rows,
                estimate,
                batch_size,
                ..
            } => self.batch(table, *rows, *estimate, *batch_size),
            Event::PhaseFinished {
                migration,
                phase,
                duration,
                rollback,
            } => {
                let what = if *rollback { "rolled back" } else { "done" };
                self.say(format_args!(
                    "{migration} {phase}: {what} in {} ms",
                    duration.as_millis()
                ))
            }
            _ => {}
        }
    }

    fn batch(&mut self, table: &str, rows: i64, estimate: i64, size: u32) {
        let rows = u64::try_from(rows).unwrap_or(0);
        let estimate = u64::try_from(estimate).unwrap_or(0);
        if !self.terminal {
            match rows.saturating_mul(100).checked_div(estimate) {
                Some(percent) => self.say(format_args!(
                    "    {table}: {rows} rows (~{percent}%), batches of {size}"
                )),
                None => self.say(format_args!("    {table}: {rows} rows, batches of {size}")),
            }
            return;
        }
        let bar = match &self.bar {
            Some((t, bar)) if t == table => bar,
            _ => {
                let bar = ProgressBar::with_draw_target(
                    Some(estimate.max(rows)),
                    ProgressDrawTarget::stderr(),
                );
                bar.set_style(
                    ProgressStyle::with_template(
                        "    {prefix} [{bar:30}] {human_pos}/~{human_len} rows, {per_sec}, ETA {eta} {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar.set_prefix(table.to_owned());
                &self.bar.insert((table.to_owned(), bar)).1
            }
        };
        // reltuples is an estimate: the bar grows when the table holds more.
        if rows > bar.length().unwrap_or(0) {
            bar.set_length(rows);
        }
        bar.set_position(rows);
        bar.set_message(format!("(batches of {size})"));
    }
}
