//! Model diff: the changes that turn one schema (the newest snapshot) into another (the
//! models). Pure and deterministic: tables in name order, and within a table columns,
//! then keys, indexes, checks and foreign keys.

mod enums;

use crate::model::{Check, Column, EnumType, ForeignKey, Index, PrimaryKey, Table};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// One difference between two schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // fields are named after what they hold
pub enum Change {
    /// A table the old schema did not have (the new schema holds it).
    CreateTable {
        table: String,
    },
    /// A table the new schema no longer has.
    DropTable(Table),
    /// `renamed_from` on the struct, and the old name is in the old schema.
    RenameTable {
        from: String,
        to: String,
    },
    AddColumn {
        table: String,
        column: Column,
    },
    DropColumn {
        table: String,
        column: Column,
    },
    /// `renamed_from` on the field.
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    /// Type, nullability, default or identity changed.
    AlterColumn {
        table: String,
        from: Column,
        to: Column,
    },
    SetPrimaryKey {
        table: String,
        from: Option<PrimaryKey>,
        to: Option<PrimaryKey>,
    },
    AddIndex {
        table: String,
        index: Index,
    },
    DropIndex {
        table: String,
        index: Index,
    },
    /// Same name, different definition.
    ReplaceIndex {
        table: String,
        from: Index,
        to: Index,
    },
    /// Same definition, another name (e.g. after a table rename).
    RenameIndex {
        table: String,
        from: String,
        to: String,
    },
    /// A primary key, check or foreign key with the same definition and another name.
    RenameConstraint {
        table: String,
        from: String,
        to: String,
    },
    AddCheck {
        table: String,
        check: Check,
    },
    DropCheck {
        table: String,
        check: Check,
    },
    AddForeignKey {
        table: String,
        foreign_key: ForeignKey,
    },
    DropForeignKey {
        table: String,
        foreign_key: ForeignKey,
    },
    /// An extension a table needs that no table needed before (`table`: the first that
    /// does). One no table needs any more is left installed.
    CreateExtension {
        table: String,
        name: String,
    },
    /// An enum type the models declare that the old schema did not (`table`: the first
    /// that uses it). `existing`: an old column already had the type, made outside the
    /// models, so its labels are added where missing rather than the type created.
    CreateEnum {
        table: String,
        enum_type: EnumType,
        existing: bool,
    },
    /// An enum type whose labels changed.
    AlterEnum {
        table: String,
        from: EnumType,
        to: EnumType,
    },
    /// An enum type the models declared that no column has any more (`table`: the first
    /// old table that used it).
    DropEnum {
        table: String,
        enum_type: EnumType,
    },
    /// The comment of a table (`column: None`) or of a column set, changed or removed.
    SetComment {
        table: String,
        column: Option<String>,
        from: Option<String>,
        to: Option<String>,
    },
}

impl Change {
    /// The table the change is on (the new name for renames).
    pub fn table(&self) -> &str {
        match self {
            Change::CreateTable { table } => table,
            Change::DropTable(t) => &t.name,
            Change::RenameTable { to, .. } => to,
            Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::RenameColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::SetPrimaryKey { table, .. }
            | Change::AddIndex { table, .. }
            | Change::DropIndex { table, .. }
            | Change::ReplaceIndex { table, .. }
            | Change::RenameIndex { table, .. }
            | Change::RenameConstraint { table, .. }
            | Change::AddCheck { table, .. }
            | Change::DropCheck { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::SetComment { table, .. }
            | Change::CreateEnum { table, .. }
            | Change::AlterEnum { table, .. }
            | Change::DropEnum { table, .. }
            | Change::CreateExtension { table, .. } => table,
        }
    }

    /// A few words for a migration name: `create_users`, `add_posts_views`.
    pub fn slug(&self) -> String {
        let s = match self {
            Change::CreateTable { table } => format!("create_{table}"),
            Change::DropTable(t) => format!("drop_{}", t.name),
            Change::RenameTable { to, .. } => format!("rename_{to}"),
            Change::AddColumn { table, column } => format!("add_{table}_{}", column.name),
            Change::DropColumn { table, column } => format!("drop_{table}_{}", column.name),
            Change::RenameColumn { table, to, .. } => format!("rename_{table}_{to}"),
            Change::AlterColumn { table, to, .. } => format!("alter_{table}_{}", to.name),
            Change::SetPrimaryKey { table, .. } => format!("{table}_primary_key"),
            Change::AddIndex { index, .. } | Change::ReplaceIndex { to: index, .. } => {
                format!("index_{}", index.name)
            }
            Change::DropIndex { index, .. } => format!("drop_{}", index.name),
            Change::RenameIndex { to, .. } | Change::RenameConstraint { to, .. } => {
                format!("rename_{to}")
            }
            Change::AddCheck { check, .. } => format!("check_{}", check.name),
            Change::DropCheck { check, .. } => format!("drop_{}", check.name),
            Change::AddForeignKey { foreign_key, .. } => format!("fk_{}", foreign_key.name),
            Change::DropForeignKey { foreign_key, .. } => format!("drop_{}", foreign_key.name),
            Change::CreateExtension { name, .. } => format!("extension_{name}"),
            Change::CreateEnum { enum_type, .. } | Change::AlterEnum { to: enum_type, .. } => {
                format!("enum_{}", enum_type.name)
            }
            Change::DropEnum { enum_type, .. } => format!("drop_enum_{}", enum_type.name),
            Change::SetComment { table, column, .. } => match column {
                Some(c) => format!("comment_{table}_{c}"),
                None => format!("comment_{table}"),
            },
        };
        slugify(&s)
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::CreateTable { table } => write!(f, "new table \"{table}\""),
            Change::DropTable(t) => write!(f, "table \"{}\" removed from the models", t.name),
            Change::RenameTable { from, to } => write!(f, "table \"{from}\" renamed to \"{to}\""),
            Change::AddColumn { table, column } => write!(
                f,
                "new column \"{table}\".\"{}\" {}{}{}",
                column.name,
                column.sql_type,
                column
                    .generated
                    .as_ref()
                    .map(|g| format!(" {}", g.sql()))
                    .unwrap_or_default(),
                if column.nullable { "" } else { " NOT NULL" }
            ),
            Change::DropColumn { table, column } => {
                write!(f, "column \"{table}\".\"{}\" removed", column.name)
            }
            Change::RenameColumn { table, from, to } => {
                write!(f, "column \"{table}\".\"{from}\" renamed to \"{to}\"")
            }
            Change::AlterColumn { table, from, to } => {
                write!(f, "column \"{table}\".\"{}\" changed:", to.name)?;
                if from.sql_type != to.sql_type {
                    write!(f, " type {} → {}", from.sql_type, to.sql_type)?;
                }
                if from.nullable != to.nullable {
                    let n = |b: bool| if b { "NULL" } else { "NOT NULL" };
                    write!(f, " {} → {}", n(from.nullable), n(to.nullable))?;
                }
                if from.default != to.default {
                    let d = |d: &Option<String>| d.clone().unwrap_or_else(|| "no default".into());
                    write!(f, " default {} → {}", d(&from.default), d(&to.default))?;
                }
                if from.identity != to.identity {
                    write!(f, " identity {} → {}", from.identity, to.identity)?;
                }
                if from.generated != to.generated {
                    let g = |g: &Option<crate::model::Generated>| {
                        g.as_ref()
                            .map(|g| g.sql())
                            .unwrap_or_else(|| "not generated".into())
                    };
                    write!(f, " {} → {}", g(&from.generated), g(&to.generated))?;
                }
                Ok(())
            }
            Change::SetPrimaryKey { table, to, .. } => match to {
                Some(pk) => write!(
                    f,
                    "primary key of \"{table}\" set to ({})",
                    pk.columns.join(", ")
                ),
                None => write!(f, "primary key of \"{table}\" removed"),
            },
            Change::AddIndex { table, index } => {
                write!(f, "new index \"{}\" on \"{table}\"", index.name)
            }
            Change::DropIndex { table, index } => {
                write!(f, "index \"{}\" on \"{table}\" removed", index.name)
            }
            Change::ReplaceIndex { table, to, .. } => {
                write!(f, "index \"{}\" on \"{table}\" redefined", to.name)
            }
            Change::RenameIndex { table, from, to } => {
                write!(f, "index \"{from}\" on \"{table}\" renamed to \"{to}\"")
            }
            Change::RenameConstraint { table, from, to } => {
                write!(
                    f,
                    "constraint \"{from}\" on \"{table}\" renamed to \"{to}\""
                )
            }
            Change::AddCheck { table, check } => {
                write!(f, "new check \"{}\" on \"{table}\"", check.name)
            }
            Change::DropCheck { table, check } => {
                write!(f, "check \"{}\" on \"{table}\" removed", check.name)
            }
            Change::AddForeignKey { table, foreign_key } => {
                write!(f, "new foreign key \"{}\" on \"{table}\"", foreign_key.name)
            }
            Change::DropForeignKey { table, foreign_key } => {
                write!(
                    f,
                    "foreign key \"{}\" on \"{table}\" removed",
                    foreign_key.name
                )
            }
            Change::CreateExtension { table, name } => {
                write!(f, "extension \"{name}\" needed by \"{table}\"")
            }
            Change::CreateEnum { enum_type, .. } => {
                write!(f, "new enum type \"{}\"", enum_type.name)
            }
            Change::AlterEnum { from, to, .. } => write!(
                f,
                "enum type \"{}\" labels ({}) → ({})",
                to.name,
                from.values.join(", "),
                to.values.join(", ")
            ),
            Change::DropEnum { enum_type, .. } => {
                write!(f, "enum type \"{}\" removed", enum_type.name)
            }
            Change::SetComment {
                table, column, to, ..
            } => {
                match column {
                    Some(c) => write!(f, "comment on \"{table}\".\"{c}\"")?,
                    None => write!(f, "comment on \"{table}\"")?,
                }
                f.write_str(if to.is_some() { " set" } else { " removed" })
            }
        }
    }
}

/// Lower-case ASCII words joined by `_`, at most 60 bytes.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let mut out = out.trim_end_matches('_').to_owned();
    if out.len() > 60 {
        out.truncate(60);
        out = out.trim_end_matches('_').to_owned();
    }
    out
}

/// The changes from `old` to `new`. Rename hints (`renamed_from`) in `new` are honoured
/// only when the old name exists in `old` and the new one does not.
pub fn diff(old: &[Table], new: &[Table]) -> Vec<Change> {
    // Foreign keys follow a renamed table (PostgreSQL tracks it by oid): compare them as if
    // they already named it by its new name.
    let renamed: Vec<(&str, &str)> = new
        .iter()
        .filter_map(|t| {
            let from = t.renamed_from.as_deref()?;
            let fresh = old.iter().all(|o| o.name != t.name);
            let known = old.iter().any(|o| o.name == from) && new.iter().all(|n| n.name != from);
            (fresh && known).then_some((from, t.name.as_str()))
        })
        .collect();
    // Copied only when a table is renamed (rare); a schema of thousands of tables is
    // otherwise compared as it is.
    let rewritten: Vec<Table>;
    let old: &[Table] = if renamed.is_empty() {
        old
    } else {
        rewritten = old
            .iter()
            .map(|t| {
                let mut t = t.clone();
                for fk in &mut t.foreign_keys {
                    if let Some((_, to)) = renamed.iter().find(|(from, _)| *from == fk.ref_table) {
                        fk.ref_table = (*to).to_owned();
                    }
                }
                t
            })
            .collect();
        &rewritten
    };
    let mut changes = new_extensions(old, new);
    let (enum_changes, enum_drops) = enums::changes(old, new);
    changes.extend(enum_changes);
    // By name: a schema may have thousands of tables.
    let old_by_name: HashMap<&str, &Table> = old.iter().map(|t| (t.name.as_str(), t)).collect();
    let new_names: HashSet<&str> = new.iter().map(|t| t.name.as_str()).collect();
    let find_old = |name: &str| -> Option<&Table> { old_by_name.get(name).copied() };
    let mut new_sorted: Vec<&Table> = new.iter().collect();
    new_sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut consumed_old: HashSet<String> = HashSet::new();
    for t in new_sorted {
        let before = match find_old(&t.name) {
            Some(b) => Some(b),
            None => match &t.renamed_from {
                Some(from) if !new_names.contains(from.as_str()) => find_old(from).inspect(|_| {
                    changes.push(Change::RenameTable {
                        from: from.clone(),
                        to: t.name.clone(),
                    });
                }),
                _ => None,
            },
        };
        match before {
            None => changes.push(Change::CreateTable {
                table: t.name.clone(),
            }),
            Some(b) => {
                consumed_old.insert(b.name.clone());
                diff_table(b, t, &mut changes);
            }
        }
    }
    let mut dropped: Vec<&Table> = old
        .iter()
        .filter(|t| !consumed_old.contains(&t.name))
        .collect();
    dropped.sort_by(|a, b| a.name.cmp(&b.name));
    changes.extend(
        dropped
            .into_iter()
            .map(|t| Change::DropTable(t.schema_only())),
    );
    changes.extend(enum_drops);
    changes
}

/// A [`Change::SetComment`] when the comment changes.
fn push_comment(
    out: &mut Vec<Change>,
    table: &str,
    column: Option<&str>,
    from: &Option<String>,
    to: &Option<String>,
) {
    if from != to {
        out.push(Change::SetComment {
            table: table.to_owned(),
            column: column.map(str::to_owned),
            from: from.clone(),
            to: to.clone(),
        });
    }
}

/// The extensions tables of `new` need that no table of `old` did, each with the first
/// table (by name) that needs it.
fn new_extensions(old: &[Table], new: &[Table]) -> Vec<Change> {
    let had: Vec<&String> = old.iter().flat_map(|t| &t.extensions).collect();
    let mut tables: Vec<&Table> = new.iter().collect();
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out: Vec<Change> = Vec::new();
    for t in tables {
        for name in &t.extensions {
            let listed = out
                .iter()
                .any(|c| matches!(c, Change::CreateExtension { name: n, .. } if n == name));
            if !had.contains(&name) && !listed {
                out.push(Change::CreateExtension {
                    table: t.name.clone(),
                    name: name.clone(),
                });
            }
        }
    }
    out
}

fn diff_table(old: &Table, new: &Table, out: &mut Vec<Change>) {
    let table = new.name.clone();
    push_comment(out, &table, None, &old.comment, &new.comment);
    let mut consumed: Vec<&str> = Vec::new();
    for c in &new.columns {
        let before = match old.column(&c.name) {
            Some(b) => Some(b),
            None => match &c.renamed_from {
                Some(from) if new.column(from).is_none() => old.column(from).inspect(|_| {
                    out.push(Change::RenameColumn {
                        table: table.clone(),
                        from: from.clone(),
                        to: c.name.clone(),
                    });
                }),
                _ => None,
            },
        };
        match before {
            None => {
                out.push(Change::AddColumn {
                    table: table.clone(),
                    column: c.clone(),
                });
                push_comment(out, &table, Some(&c.name), &None, &c.comment);
            }
            Some(b) => {
                consumed.push(&b.name);
                // A renamed or retyped column is a new column: the swap gives it its comment.
                if b.name == c.name && b.sql_type == c.sql_type {
                    push_comment(out, &table, Some(&c.name), &b.comment, &c.comment);
                }
                let same = b.sql_type == c.sql_type
                    && b.nullable == c.nullable
                    && b.default == c.default
                    && b.identity == c.identity
                    && b.generated == c.generated;
                if !same {
                    out.push(Change::AlterColumn {
                        table: table.clone(),
                        from: b.clone(),
                        to: c.clone(),
                    });
                }
            }
        }
    }
    for c in &old.columns {
        if !consumed.contains(&c.name.as_str()) {
            out.push(Change::DropColumn {
                table: table.clone(),
                column: c.clone(),
            });
        }
    }
    let old = &renamed_objects(old, new, &table, out);
    if old.primary_key != new.primary_key {
        out.push(Change::SetPrimaryKey {
            table: table.clone(),
            from: old.primary_key.clone(),
            to: new.primary_key.clone(),
        });
    }
    named(
        &old.indexes,
        &new.indexes,
        |i| &i.name,
        |from, to| match (from, to) {
            (None, Some(i)) => out.push(Change::AddIndex {
                table: table.clone(),
                index: i.clone(),
            }),
            (Some(i), None) => out.push(Change::DropIndex {
                table: table.clone(),
                index: i.clone(),
            }),
            (Some(a), Some(b)) => out.push(Change::ReplaceIndex {
                table: table.clone(),
                from: a.clone(),
                to: b.clone(),
            }),
            (None, None) => {}
        },
    );
    named(
        &old.checks,
        &new.checks,
        |c| &c.name,
        |from, to| {
            if let Some(c) = from {
                out.push(Change::DropCheck {
                    table: table.clone(),
                    check: c.clone(),
                });
            }
            if let Some(c) = to {
                out.push(Change::AddCheck {
                    table: table.clone(),
                    check: c.clone(),
                });
            }
        },
    );
    named(
        &old.foreign_keys,
        &new.foreign_keys,
        |f| &f.name,
        |from, to| {
            if let Some(f) = from {
                out.push(Change::DropForeignKey {
                    table: table.clone(),
                    foreign_key: f.clone(),
                });
            }
            if let Some(f) = to {
                out.push(Change::AddForeignKey {
                    table: table.clone(),
                    foreign_key: f.clone(),
                });
            }
        },
    );
}

/// `new` with each existing table's columns in the table's physical order: the old
/// columns in their old order, then the added ones (PostgreSQL appends added columns,
/// wherever the field sits in the struct, and a type change swaps in a new
/// column). This is the order a snapshot records.
pub fn physical_order(old: &[Table], new: Vec<Table>) -> Vec<Table> {
    let by_name: std::collections::HashMap<&str, &Table> =
        old.iter().map(|t| (t.name.as_str(), t)).collect();
    new.into_iter()
        .map(|mut t| {
            let Some(before) = by_name.get(t.name.as_str()) else {
                return t;
            };
            // A type change is done by swapping in a new column: it ends up last, like an
            // added one.
            let rank = |c: &crate::model::Column| {
                before
                    .columns
                    .iter()
                    .position(|b| b.name == c.name && b.sql_type == c.sql_type)
                    .unwrap_or(usize::MAX)
            };
            t.columns.sort_by_key(rank); // stable: added ones keep model order
            t
        })
        .collect()
}

/// Objects whose definition is unchanged but whose name changed (a table rename changes
/// every generated name): reported as renames, and returned with `old` using the new names
/// so the rest of the diff sees no change.
fn renamed_objects(old: &Table, new: &Table, table: &str, out: &mut Vec<Change>) -> Table {
    let mut old = old.clone();
    if let (Some(a), Some(b)) = (&mut old.primary_key, &new.primary_key)
        && a.columns == b.columns
        && a.name != b.name
    {
        out.push(Change::RenameConstraint {
            table: table.to_owned(),
            from: a.name.clone(),
            to: b.name.clone(),
        });
        a.name = b.name.clone();
    }
    let fresh_indexes: Vec<&Index> = new
        .indexes
        .iter()
        .filter(|n| old.index(&n.name).is_none())
        .collect();
    let mut taken: Vec<String> = Vec::new();
    for i in &mut old.indexes {
        if new.index(&i.name).is_some() {
            continue;
        }
        let same = |n: &&&Index| {
            !taken.contains(&n.name)
                && n.columns == i.columns
                && n.unique == i.unique
                && n.method == i.method
                && n.predicate == i.predicate
        };
        if let Some(n) = fresh_indexes.iter().find(same) {
            out.push(Change::RenameIndex {
                table: table.to_owned(),
                from: i.name.clone(),
                to: n.name.clone(),
            });
            taken.push(n.name.clone());
            i.name = n.name.clone();
        }
    }
    for c in &mut old.checks {
        if new.checks.iter().any(|n| n.name == c.name) {
            continue;
        }
        if let Some(n) = new
            .checks
            .iter()
            .find(|n| n.expr == c.expr && !taken.contains(&n.name))
        {
            out.push(Change::RenameConstraint {
                table: table.to_owned(),
                from: c.name.clone(),
                to: n.name.clone(),
            });
            taken.push(n.name.clone());
            c.name = n.name.clone();
        }
    }
    for f in &mut old.foreign_keys {
        if new.foreign_keys.iter().any(|n| n.name == f.name) {
            continue;
        }
        if let Some(n) = new.foreign_keys.iter().find(|n| {
            !taken.contains(&n.name)
                && n.columns == f.columns
                && n.ref_table == f.ref_table
                && n.ref_columns == f.ref_columns
                && n.on_delete == f.on_delete
                && n.on_update == f.on_update
        }) {
            out.push(Change::RenameConstraint {
                table: table.to_owned(),
                from: f.name.clone(),
                to: n.name.clone(),
            });
            taken.push(n.name.clone());
            f.name = n.name.clone();
        }
    }
    old
}

/// Pairs named objects by name and calls `f` for each pair that differs, in name order.
fn named<T: PartialEq>(
    old: &[T],
    new: &[T],
    name: impl Fn(&T) -> &String,
    mut f: impl FnMut(Option<&T>, Option<&T>),
) {
    let mut names: Vec<&String> = old.iter().chain(new.iter()).map(&name).collect();
    names.sort();
    names.dedup();
    for n in names {
        let a = old.iter().find(|o| name(o) == n);
        let b = new.iter().find(|o| name(o) == n);
        if a != b {
            f(a, b);
        }
    }
}

#[cfg(test)]
mod tests;
