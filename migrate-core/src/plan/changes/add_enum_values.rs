//! Labels added to an enum type: one `ALTER TYPE … ADD VALUE IF NOT EXISTS` per label, in
//! expand, each committed on its own before anything uses the label (a label added in a
//! transaction is unusable until it commits). No table is locked, and old code never
//! writes the new labels. PostgreSQL cannot remove a label again, so the down leaves them.
//!
//! A label removed, renamed or moved has no safe plan here: removing one replaces the
//! type (every table using it rewritten), and a renamed one breaks whichever code version
//! does not know the new name. Both are refused with the way forward.
//!
//! A type the database already has (made outside the models, and now declared by a
//! `#[derive(Schema)]` enum) gets each label that is missing, in the models' order.

use crate::catalogue::{Kind, On};
use crate::diff::Change;
use crate::model::EnumType;
use crate::phase::Phase;
use crate::plan::ddl::{self, LabelPlace};
use crate::plan::step::{Reversible, Step};

/// The steps of every label change in `changes`; `Err` with the refused change's reason.
pub fn plan(changes: &[Change]) -> Vec<Result<Vec<Step>, (&Change, String)>> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::AlterEnum { table, from, to } => {
                Some(added(table, from, to).map_err(|reason| (c, reason)))
            }
            Change::CreateEnum {
                table,
                enum_type,
                existing: true,
            } => Some(Ok(missing(table, enum_type))),
            _ => None,
        })
        .collect()
}

/// The labels of `to` that `from` lacks, each placed after its predecessor (the first
/// before the first old label).
fn added(table: &str, from: &EnumType, to: &EnumType) -> Result<Vec<Step>, String> {
    refuse_lost(from, to)?;
    let mut steps = Vec::new();
    for (i, label) in to.values.iter().enumerate() {
        if from.values.contains(label) {
            continue;
        }
        let place = match i {
            0 => from
                .values
                .first()
                .map_or(LabelPlace::Last, |l| LabelPlace::Before(l)),
            _ => LabelPlace::After(&to.values[i - 1]),
        };
        steps.push(step(table, to, label, place));
    }
    Ok(steps)
}

/// Every label of `e`, where missing, in order.
fn missing(table: &str, e: &EnumType) -> Vec<Step> {
    e.values
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let place = match i {
                0 => LabelPlace::Last,
                _ => LabelPlace::After(&e.values[i - 1]),
            };
            step(table, e, label, place)
        })
        .collect()
}

/// A label of `from` missing from `to`, or two kept in another order: refused.
fn refuse_lost(from: &EnumType, to: &EnumType) -> Result<(), String> {
    let gone: Vec<&String> = from
        .values
        .iter()
        .filter(|l| !to.values.contains(l))
        .collect();
    if !gone.is_empty() {
        let list: Vec<String> = gone.iter().map(|l| format!("'{l}'")).collect();
        return Err(format!(
            "the label{} {} would leave the type. PostgreSQL cannot remove a label without replacing the type (every table using it rewritten under an ACCESS EXCLUSIVE lock), and old code may still write it; renaming one (ALTER TYPE … RENAME VALUE) breaks whichever code version does not know the new name. Keep the variant (a label can stay unused); for a new name, add the new label in this migration, move the rows with an UPDATE of your own once new code writes it, and forbid the old label with a check (`check = \"… <> '{}'\"`), which is planned NOT VALID then VALIDATE",
            if gone.len() == 1 { "" } else { "s" },
            list.join(", "),
            gone[0]
        ));
    }
    let kept: Vec<&String> = to
        .values
        .iter()
        .filter(|l| from.values.contains(l))
        .collect();
    if kept.iter().copied().ne(from.values.iter()) {
        return Err(format!(
            "the labels change order (from {} to {}); PostgreSQL keeps a label's place in the sort order for good (moving one replaces the type, rewriting every table using it). Keep the old order and add new labels where they belong",
            from.values.join(", "),
            kept.iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(())
}

fn step(table: &str, e: &EnumType, label: &str, place: LabelPlace<'_>) -> Step {
    Step {
        reversible: Reversible::Caveat(format!(
            "expand.down.sql leaves the label '{label}' in the type (PostgreSQL cannot remove one)"
        )),
        ..Step::on(
            Phase::Expand,
            Kind::AddEnumValue,
            table,
            On::table(e.sql_type()),
            format!(
                "Add the label '{label}' to the enum type {}.",
                crate::sql::table_ref(&e.name)
            ),
            ddl::add_enum_value(&e.name, label, place),
        )
    }
}
