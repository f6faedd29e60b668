//! Enum types. Each table carries the ones its columns use (`Table::enums`), so a type is
//! declared by the tables, and compared by name across all of them.

use super::Change;
use crate::model::{EnumType, Table};

/// The changes of enum types from `old` to `new`: creations and label changes (planned
/// before the tables), and drops (after them).
pub(super) fn changes(old: &[Table], new: &[Table]) -> (Vec<Change>, Vec<Change>) {
    let before = declared(old);
    let after = declared(new);
    let mut out = Vec::new();
    for (table, e) in &after {
        match before.iter().find(|(_, o)| o.name == e.name) {
            Some((_, o)) if o.values != e.values => out.push(Change::AlterEnum {
                table: (*table).to_owned(),
                from: (*o).clone(),
                to: (*e).clone(),
            }),
            Some(_) => {}
            None => out.push(Change::CreateEnum {
                table: (*table).to_owned(),
                enum_type: (*e).clone(),
                existing: uses(old, e),
            }),
        }
    }
    let drops = before
        .iter()
        .filter(|(_, o)| !after.iter().any(|(_, e)| e.name == o.name) && !uses(new, o))
        .map(|(table, o)| Change::DropEnum {
            table: (*table).to_owned(),
            enum_type: (*o).clone(),
        })
        .collect();
    (out, drops)
}

/// Each enum type the tables declare, with the first table (by name) declaring it; by
/// type name.
fn declared(tables: &[Table]) -> Vec<(&str, &EnumType)> {
    let mut sorted: Vec<&Table> = tables.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out: Vec<(&str, &EnumType)> = Vec::new();
    for t in sorted {
        for e in &t.enums {
            if !out.iter().any(|(_, o)| o.name == e.name) {
                out.push((&t.name, e));
            }
        }
    }
    out.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    out
}

/// Whether a column of `tables` has type `e` (or an array of it).
fn uses(tables: &[Table], e: &EnumType) -> bool {
    tables
        .iter()
        .any(|t| t.columns.iter().any(|c| e.types(&c.sql_type)))
}
