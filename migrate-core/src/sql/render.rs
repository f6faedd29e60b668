//! Plan → phase files, in the format of [`super::phase_file`]. Each file runs as it is with
//! `psql -v ON_ERROR_STOP=1 -f FILE`: statements that share a transaction are wrapped in
//! `BEGIN`/`COMMIT`, and statements that cannot run in one (CONCURRENTLY) stand alone.

use super::phase_file::write::{
    self, Origin, StepComment, Unit, irreversible_marker, loses_data_marker, no_transaction_marker,
    one_line, set_lock_timeout,
};
use crate::plan::{Phase, Plan, Reversible, Step};

/// Rendered files of one migration, in phase order: `(file name, content)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseFiles {
    /// `expand.up.sql`, `expand.down.sql`, … for each phase that has steps.
    pub files: Vec<(String, String)>,
}

/// Renders the up and down file of every phase that has steps.
pub fn render_plan(plan: &Plan) -> PhaseFiles {
    let mut files = Vec::new();
    for phase in Phase::ALL {
        let steps: Vec<&Step> = plan.phase(phase).collect();
        if steps.is_empty() {
            continue;
        }
        files.push((format!("{phase}.up.sql"), render_up(phase, &steps)));
        files.push((format!("{phase}.down.sql"), render_down(phase, &steps)));
    }
    PhaseFiles { files }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn step_comment(n: usize, step: &Step) -> String {
    let cost = format!(
        "rewrite: {} · scan: {} · reversible: {}",
        yes_no(step.rewrites()),
        step.scan().as_deref().unwrap_or("no"),
        step.reversible
    );
    StepComment {
        n,
        summary: &step.summary,
        lock: &step.lock(),
        cost: &cost,
        transactional: step.transactional(),
        batch: step.batch.as_ref(),
        destroys: &step.destroys,
        allow: &step.allow,
    }
    .render()
}

/// Groups consecutive steps that share a transaction into one unit (the statements on a
/// table created in this phase, a column swap); every other step runs alone, so each lock
/// on an existing table is held for one statement. A unit waits at most the short lock
/// timeout when any of its statements does.
fn grouped<'a>(
    steps: impl Iterator<Item = (usize, &'a Step)>,
    down: bool,
    body: impl Fn(usize, &Step) -> (String, usize),
) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    // Per unit: the tables its first step locks ACCESS EXCLUSIVE, and its later steps'.
    let mut locks: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let mut open_group = false;
    for (n, step) in steps {
        let (text, statements) = body(n, step);
        let groupable = step.transactional()
            && step.shares_transaction
            && statements > 0
            && (!down || step.down_atomic);
        let exclusive = if down {
            down_exclusive(step)
        } else {
            Vec::new()
        };
        match (units.last_mut(), locks.last_mut()) {
            (Some(last), Some((_, later))) if open_group && groupable => {
                last.text.push('\n');
                last.text.push_str(&text);
                last.statements += statements;
                last.short_lock_timeout |= step.short_lock_timeout();
                later.extend(exclusive);
            }
            _ => {
                units.push(Unit {
                    text,
                    statements,
                    short_lock_timeout: step.short_lock_timeout(),
                    atomic: !down || step.down_atomic,
                });
                locks.push((exclusive, Vec::new()));
            }
        }
        open_group = groupable;
    }
    for (unit, (first, later)) in units.iter_mut().zip(locks) {
        lock_first(unit, &first, &later);
    }
    units
}

/// The tables a step's down statements lock ACCESS EXCLUSIVE.
fn down_exclusive(step: &Step) -> Vec<String> {
    let exclusive = step.down.iter().any(|d| {
        d.kind.facts().locks.iter().any(|l| {
            l.mode == crate::catalogue::LockMode::AccessExclusive
                && l.on == crate::catalogue::Target::Table
        })
    });
    if exclusive {
        vec![step.table.clone()]
    } else {
        Vec::new()
    }
}

/// A unit whose first statement locks no table ACCESS EXCLUSIVE but whose later ones do
/// (a down unit runs its steps in reverse, so an index rename can come before the column
/// rename) locks those tables first: it never holds a weaker lock, or a catalog row that
/// PostgreSQL 18's autovacuum waits on, while it queues for the strong one (a deadlock).
fn lock_first(unit: &mut Unit, first: &[String], later: &[String]) {
    if !first.is_empty() {
        return;
    }
    let mut tables: Vec<String> = Vec::new();
    for t in later {
        if !tables.contains(t) {
            tables.push(t.clone());
        }
    }
    if tables.is_empty() {
        return;
    }
    let list: Vec<String> = tables.iter().map(|t| crate::sql::table_ref(t)).collect();
    unit.text = format!(
        "-- Its later statements lock {} ACCESS EXCLUSIVE: take the lock first.\nLOCK TABLE {} IN ACCESS EXCLUSIVE MODE;\n\n{}",
        list.join(", "),
        list.join(", "),
        unit.text
    );
    unit.statements += 1;
}

fn render_up(phase: Phase, steps: &[&Step]) -> String {
    let mut out = write::header(phase, "up", Origin::Generated);
    let units = grouped(
        steps.iter().copied().enumerate().map(|(i, s)| (i + 1, s)),
        false,
        |n, s| (format!("{}{};\n", step_comment(n, s), s.sql), 1),
    );
    write::write_units(&mut out, units);
    out
}

fn render_down(phase: Phase, steps: &[&Step]) -> String {
    let mut out = write::header(phase, "down", Origin::Generated);
    out.push_str(&format!("\n-- Undoes {phase}.up.sql, last step first.\n"));
    let units = grouped(
        steps
            .iter()
            .copied()
            .enumerate()
            .map(|(i, s)| (i + 1, s))
            .rev(),
        true,
        |n, s| (undo(n, s), s.down.len()),
    );
    write::write_units(&mut out, units);
    out
}

/// The down statements of step `n`, with the marker of how much they restore.
fn undo(n: usize, s: &Step) -> String {
    if s.down.is_empty() {
        return format!(
            "-- Undo step {n}: nothing to undo ({})\n",
            one_line(&s.summary)
        );
    }
    let mut text = format!("-- Undo step {n}: {}\n", one_line(&s.summary));
    match &s.reversible {
        Reversible::LosesData(why) => text.push_str(&loses_data_marker(why)),
        Reversible::SchemaOnly(why) => text.push_str(&irreversible_marker(why)),
        Reversible::Caveat(why) => text.push_str(&format!("-- note: {}\n", one_line(why))),
        Reversible::Yes | Reversible::NothingToUndo => {}
    }
    for d in &s.down {
        let facts = d.kind.facts();
        // Down statements run one by one (not atomic): a non-blocking one (a concurrent
        // index build waits for older transactions) gets no lock timeout of its own.
        let waits = !s.down_atomic && s.short_lock_timeout() && facts.waits_without_timeout();
        if waits {
            text.push_str(&set_lock_timeout(false));
        }
        if !facts.transactional {
            text.push_str(&no_transaction_marker());
        }
        if let Some((rule, why)) = &d.allow {
            text.push_str(&format!(
                "{} {rule}: {}\n",
                super::phase_file::ALLOW_MARKER,
                one_line(why)
            ));
        }
        text.push_str(&d.sql);
        text.push_str(";\n");
        if waits {
            text.push_str(&set_lock_timeout(true));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Kind;
    use crate::model::Column;

    #[test]
    fn a_line_break_in_a_name_cannot_escape_a_comment() {
        let evil = "x\nDROP TABLE users; --";
        let plan = Plan {
            steps: vec![Step::new(
                Phase::Expand,
                Kind::AddColumn,
                evil,
                format!("Add nullable column {}.", crate::sql::ident(evil)),
                crate::plan::ddl::add_column(evil, &Column::new(evil, "text", true)),
            )],
            version_schema: None,
        };
        let files = render_plan(&plan).files;
        for (name, text) in &files {
            // A line is SQL when it starts outside a quoted identifier and is no comment;
            // what it holds before its first quote must not be the injected statement.
            let mut in_ident = false;
            for line in text.lines() {
                if !in_ident && !line.starts_with("--") {
                    let head = line.split('"').next().unwrap_or("");
                    assert!(!head.contains("DROP TABLE users"), "{name}: {line}");
                }
                if in_ident || !line.starts_with("--") {
                    in_ident ^= line.matches('"').count() % 2 == 1;
                }
            }
        }
    }
}
