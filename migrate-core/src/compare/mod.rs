//! The one comparison of two schemas: what a snapshot (or a model) expects against what a
//! catalog holds. The test suite, `drift` and `verify` all use it. Each table becomes a
//! list of facts (a column's type, nullability, default, identity; each key, index, check
//! and foreign key), keyed by the object they describe; two schemas differ where a key is
//! missing on one side or its fact differs.
//!
//! Expressions are compared as text, so both sides must come from the same server's
//! printer: [`live`] (feature `db`) runs the expected tables through it first.

#[cfg(feature = "db")]
pub mod live;

use crate::model::{Check, Column, ForeignKey, Index, PrimaryKey, Table};
use std::fmt;

/// One difference between the expected schema and the actual one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Difference {
    /// The object: `table users`, `column users.email`, `index users.users_email_idx`, …
    pub object: String,
    /// What is expected (`None`: it should not exist).
    pub expected: Option<String>,
    /// What there is (`None`: it does not exist).
    pub actual: Option<String>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.expected, &self.actual) {
            (Some(e), None) => write!(f, "- {}: missing (expected {e})", self.object),
            (None, Some(a)) => write!(f, "+ {}: not expected (found {a})", self.object),
            (Some(e), Some(a)) => write!(f, "~ {}: expected {e}, found {a}", self.object),
            (None, None) => write!(f, "  {}", self.object),
        }
    }
}

/// How strict a comparison is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Compare the order of each table's columns (a rollback that re-adds a dropped
    /// column puts it last; the schema is otherwise the same).
    pub column_order: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { column_order: true }
    }
}

/// Every difference between `expected` and `actual`, expected tables first (in their
/// order), then tables only `actual` has. A table missing or extra is one difference,
/// not one per column.
pub fn compare(expected: &[Table], actual: &[Table], options: Options) -> Vec<Difference> {
    let mut out = Vec::new();
    for e in expected {
        match actual.iter().find(|a| a.name == e.name) {
            None => out.push(Difference {
                object: format!("table {}", e.name),
                expected: Some(summary(e)),
                actual: None,
            }),
            Some(a) => {
                // Comments count only where the models keep them (`#[schema(comments)]`):
                // a table without has the database's comments, untouched.
                let mut actual = facts(a, options);
                if !e.keeps_comments() {
                    actual.retain(|(o, _)| !o.starts_with("comment on "));
                }
                // An enum type counts where the models declare it (a `#[derive(Schema)]`
                // enum); one a column merely names (`sql_type`) is the database's.
                let expected = facts(e, options);
                actual.retain(|(o, _)| {
                    !o.starts_with("enum type ") || expected.iter().any(|(x, _)| x == o)
                });
                out.extend(compare_facts(expected, actual))
            }
        }
    }
    for a in actual {
        if !expected.iter().any(|e| e.name == a.name) {
            out.push(Difference {
                object: format!("table {}", a.name),
                expected: None,
                actual: Some(summary(a)),
            });
        }
    }
    out
}

/// Expected facts in their order, then facts only `actual` has.
fn compare_facts(expected: Facts, actual: Facts) -> Vec<Difference> {
    let find = |facts: &Facts, object: &str| {
        facts
            .iter()
            .find(|(o, _)| o == object)
            .map(|(_, f)| f.clone())
    };
    let mut out = Vec::new();
    for (object, e) in &expected {
        match find(&actual, object) {
            Some(a) if a == *e => {}
            a => out.push(Difference {
                object: object.clone(),
                expected: Some(e.clone()),
                actual: a,
            }),
        }
    }
    for (object, a) in actual {
        if find(&expected, &object).is_none() {
            out.push(Difference {
                object,
                expected: None,
                actual: Some(a),
            });
        }
    }
    out
}

/// `(object, fact)` in reading order: columns, primary key, indexes, checks, foreign keys.
type Facts = Vec<(String, String)>;

fn summary(t: &Table) -> String {
    format!("a table of {} columns", t.columns.len())
}

/// A table as `object → fact`. Every field of the model that is part of the schema is in
/// some fact: the structs are taken apart whole, so a new field does not compile until it
/// is compared (or said not to be part of the schema).
fn facts(t: &Table, options: Options) -> Facts {
    let Table {
        name: table,
        renamed_from: _, // how it got its name, not the schema
        columns,
        primary_key,
        indexes,
        checks,
        foreign_keys,
        comment,
        extensions: _, // installed for the database, not a fact of the table
        enums,
    } = t;
    let mut out = Vec::new();
    let mut fact = |object: String, f: String| out.push((object, f));
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    if options.column_order {
        fact(format!("column order {table}"), names.join(", "));
    }
    for c in columns {
        fact(format!("column {table}.{}", c.name), column(c));
    }
    if let Some(PrimaryKey { name, columns }) = primary_key {
        fact(
            format!("primary key {table}"),
            format!("{name} ({})", columns.join(", ")),
        );
    }
    for ix in indexes {
        fact(format!("index {table}.{}", ix.name), index(ix));
    }
    for Check { name, expr } in checks {
        fact(format!("check {table}.{name}"), format!("CHECK ({expr})"));
    }
    for fk in foreign_keys {
        fact(format!("foreign key {table}.{}", fk.name), foreign_key(fk));
    }
    if let Some(text) = comment {
        fact(format!("comment on {table}"), comment_text(text));
    }
    for c in columns {
        if let Some(text) = &c.comment {
            fact(format!("comment on {table}.{}", c.name), comment_text(text));
        }
    }
    for e in enums {
        let labels: Vec<String> = e.values.iter().map(|v| crate::sql::literal(v)).collect();
        fact(format!("enum type {}", e.name), labels.join(", "));
    }
    out
}

/// A comment as doc comments can say it: without `\r` or spaces ending a line (the
/// formatter of `///` lines drops them), so an adopted comment is not drift for them.
fn comment_text(text: &str) -> String {
    text.replace('\r', "")
        .split('\n')
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

fn column(c: &Column) -> String {
    let Column {
        name: _,
        sql_type,
        nullable,
        default,
        identity,
        backfill: _, // how the data got there, not the schema
        no_nulls: _,
        convert: _, // how the values were converted
        convert_back: _,
        renamed_from: _, // how it got its name
        comment: _,      // a fact of its own
        generated,
    } = c;
    let mut s = sql_type.clone();
    if !nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    if *identity {
        s.push_str(" GENERATED BY DEFAULT AS IDENTITY");
    }
    if let Some(g) = generated {
        s.push_str(&format!(" {}", g.sql()));
    }
    s
}

fn index(ix: &Index) -> String {
    let Index {
        name: _,
        columns,
        unique,
        method,
        predicate,
        constraint,
        order,
        include,
        with,
        ops,
        collations,
    } = ix;
    let part = |v: &[String], i: usize, before: &str| {
        v.get(i)
            .filter(|s| !s.is_empty())
            .map(|s| format!("{before}{s}"))
            .unwrap_or_default()
    };
    let keys: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "{c}{}{}{}",
                part(collations, i, " COLLATE "),
                part(ops, i, " "),
                order.get(i).map(|o| o.sql()).unwrap_or_default()
            )
        })
        .collect();
    let mut s = format!(
        "{}{}{} ({})",
        if *constraint { "CONSTRAINT " } else { "" },
        if *unique { "UNIQUE " } else { "" },
        method.as_sql(),
        keys.join(", ")
    );
    if !include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", include.join(", ")));
    }
    if !with.is_empty() {
        s.push_str(&format!(" WITH ({})", with.join(", ")));
    }
    if let Some(p) = predicate {
        s.push_str(&format!(" WHERE {p}"));
    }
    s
}

fn foreign_key(fk: &ForeignKey) -> String {
    let ForeignKey {
        name: _,
        columns,
        ref_table,
        ref_columns,
        on_delete,
        on_update,
        deferrable,
        initially_deferred,
    } = fk;
    format!(
        "({}) REFERENCES {ref_table} ({}) ON DELETE {} ON UPDATE {}{}{}",
        columns.join(", "),
        ref_columns.join(", "),
        on_delete.as_sql(),
        on_update.as_sql(),
        if *deferrable { " DEFERRABLE" } else { "" },
        if *initially_deferred {
            " INITIALLY DEFERRED"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests;
