//! Cross-field rules, one function each, run after the attributes are read. Each says why
//! the combination is refused.

use super::FieldColumn;
use super::attr::{ContainerAttrs, FieldAttrs, Sp};
use super::ctxt::Ctxt;
use crate::model::{IndexMethod, PrimaryKey, Table};
use proc_macro2::Span;
use std::collections::HashMap;

/// `skip` means "not a column": any column attribute beside it would be silently ignored.
pub fn skip_alone(cx: &mut Ctxt, attrs: &FieldAttrs) {
    for (key, span) in attrs.spans_besides_skip() {
        cx.error_at(
            span,
            format!("`{key}` has no effect on a `skip` field (it is not a column)"),
        );
    }
}

/// A table has one primary key: two field-level keys would be two keys, and a field-level
/// key beside a struct-level one is ambiguous. `unique` beside `primary_key` would build a
/// second, redundant index. `on_delete` / `on_update` without `references` would be lost.
pub fn one_primary_key(cx: &mut Ctxt, cattrs: &ContainerAttrs, columns: &[FieldColumn]) {
    let mut field_pks = columns.iter().filter_map(|f| f.attrs.primary_key.span());
    if let Some(first) = field_pks.next() {
        if cattrs.primary_key.get().is_some() {
            cx.error_at(
                first,
                "the primary key is declared twice: on this field and with `#[schema(primary_key(...))]` on the struct",
            );
        }
        for extra in field_pks {
            cx.error_at(
                extra,
                "a second field-level `primary_key`; for a composite key write `#[schema(primary_key(a, b))]` on the struct",
            );
        }
    }
    for f in columns {
        if let (Some(_), Some(u)) = (f.attrs.primary_key.get(), f.attrs.unique.get()) {
            cx.error_at(
                u.span,
                "`unique` is redundant beside `primary_key` (a primary key is unique)",
            );
        }
        for slot in [&f.attrs.on_delete, &f.attrs.on_update] {
            if let (Some(a), None) = (slot.get(), f.attrs.references.get()) {
                cx.error_at(
                    a.span,
                    "a referential action needs `references = \"table(column)\"` on the same field",
                );
            }
        }
    }
}

/// Primary key columns are NOT NULL in PostgreSQL; an `Option` field would lie about it.
pub fn primary_key_not_null(cx: &mut Ctxt, pk: &PrimaryKey, columns: &[FieldColumn]) {
    for f in columns {
        if f.column.nullable && pk.columns.contains(&f.column.name) {
            cx.error_at(
                f.ident_span,
                format!(
                    "primary key column `{}` cannot be an `Option`: primary key columns are NOT NULL",
                    f.column.name
                ),
            );
        }
    }
}

/// Two fields mapping to one column would make an invalid CREATE TABLE.
pub fn distinct_columns(cx: &mut Ctxt, columns: &[FieldColumn]) {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for f in columns {
        if let Some(prev) = seen.insert(&f.column.name, &f.rust_name) {
            let span = f.attrs.column.span().unwrap_or(f.ident_span);
            cx.error_at(
                span,
                format!(
                    "column `{}` is already mapped by field `{prev}`",
                    f.column.name
                ),
            );
        }
    }
}

/// Index names share the schema's relation namespace with tables; constraint names must be
/// distinct within a table. A clash here would fail at apply time instead of compile time.
pub fn distinct_names(cx: &mut Ctxt, table: &Table, span: Span) {
    let mut relations: HashMap<String, ()> = HashMap::new();
    for prev in table.relation_names() {
        if relations.insert(prev.clone(), ()).is_some() {
            cx.error_at(
                span,
                format!(
                    "two objects of table `{}` are named `{prev}`; give one of them its own `name = \"...\"`",
                    table.name
                ),
            );
        }
    }
    let mut constraints: HashMap<&str, ()> = HashMap::new();
    let names = table
        .primary_key
        .iter()
        .map(|p| p.name.as_str())
        .chain(table.checks.iter().map(|c| c.name.as_str()))
        .chain(table.foreign_keys.iter().map(|f| f.name.as_str()));
    for name in names {
        if constraints.insert(name, ()).is_some() {
            cx.error_at(
                span,
                format!(
                    "two constraints of table `{}` are named `{name}`",
                    table.name
                ),
            );
        }
    }
}

/// A column named twice in one key or index: PostgreSQL rejects the primary key ("appears
/// twice") and an index on (a, a) is never what was meant.
pub fn no_repeats(cx: &mut Ctxt, written: &[Sp<String>], resolved: &[String], what: &str) {
    for (i, col) in resolved.iter().enumerate() {
        if resolved[..i].contains(col)
            && let Some(w) = written.get(i)
        {
            cx.error_at(
                w.span,
                format!("column `{col}` appears twice in this {what}"),
            );
        }
    }
}

/// Only btree builds unique indexes, and hash and spgist index one column: PostgreSQL would
/// refuse the CREATE INDEX at apply time.
/// `unique_constraint` on a field says all that `unique` or `index` would.
pub fn unique_constraint_alone(cx: &mut Ctxt, attrs: &super::attr::FieldAttrs) {
    let Some(span) = attrs.unique_constraint.span() else {
        return;
    };
    if attrs.unique.get().is_some() || attrs.index.get().is_some() {
        cx.error_at(
            span,
            "`unique_constraint` already makes the column unique: drop `unique` / `index`",
        );
    }
}

/// `constraint` inside `index(...)`: a UNIQUE constraint, so `unique`, btree, no `where`.
pub fn index_constraint(cx: &mut Ctxt, ix: &super::attr::IndexAttr) {
    let Some(span) = ix.constraint.span() else {
        return;
    };
    if ix.unique.get().is_none() {
        cx.error_at(
            span,
            "`constraint` makes a UNIQUE constraint: add `unique` as well",
        );
    }
    if ix.predicate.get().is_some() {
        cx.error_at(
            span,
            "a UNIQUE constraint cannot be partial: drop `where`, or `constraint` (a partial unique index)",
        );
    }
    if ix
        .method
        .get()
        .is_some_and(|m| m.value != IndexMethod::Btree)
    {
        cx.error_at(span, "a UNIQUE constraint is a btree index: drop `using`");
    }
}

/// Key order and `include` need an access method that has them: only btree sorts its
/// keys; btree and gist store INCLUDE columns.
pub fn index_options(cx: &mut Ctxt, ix: &super::attr::IndexAttr) {
    let method = ix.method.get().map(|m| m.value).unwrap_or_default();
    let sorted = ix
        .order
        .iter()
        .any(|o| *o != crate::model::KeyOrder::default());
    if sorted
        && method != IndexMethod::Btree
        && let Some(span) = ix.columns.span()
    {
        cx.error_at(
            span,
            format!(
                "only a btree index sorts its keys; a `{}` index takes no `desc` / `nulls_*`",
                method.as_sql()
            ),
        );
    }
    if let Some(include) = ix.include.get()
        && !matches!(method, IndexMethod::Btree | IndexMethod::Gist)
    {
        cx.error_at(
            include.span,
            format!(
                "a `{}` index cannot `include` columns (btree and gist can)",
                method.as_sql()
            ),
        );
    }
}

pub fn index_method(cx: &mut Ctxt, method: &Sp<IndexMethod>, unique: bool, columns: usize) {
    if unique && method.value != IndexMethod::Btree {
        cx.error_at(
            method.span,
            format!(
                "a unique index must use btree; `{}` cannot enforce uniqueness",
                method.value.as_sql()
            ),
        );
    }
    if columns > 1 && matches!(method.value, IndexMethod::Hash | IndexMethod::Spgist) {
        cx.error_at(
            method.span,
            format!("a `{}` index covers one column", method.value.as_sql()),
        );
    }
}

/// `generated = "…"` computes the column: nothing else may give it a value; `virtual` only
/// with it.
pub fn generated_alone(cx: &mut Ctxt, attrs: &super::attr::FieldAttrs) {
    if let Some(span) = attrs.is_virtual.span()
        && attrs.generated.get().is_none()
    {
        cx.error_at(
            span,
            "`virtual` is for a generated column: add `generated = \"…\"` (an expression over the row)",
        );
    }
    let Some(generated) = attrs.generated.get() else {
        return;
    };
    let others = [
        ("default", attrs.default.span()),
        ("identity", attrs.identity.span()),
        ("backfill", attrs.backfill.span()),
        ("primary_key", attrs.primary_key.span()),
    ];
    for (key, span) in others {
        if let Some(span) = span {
            cx.error_at(
                span,
                format!("`{key}` and `generated` both give the column its value: keep one"),
            );
        }
    }
    if generated.value.trim().is_empty() {
        cx.error_at(
            generated.span,
            "`generated` needs an expression over the row",
        );
    }
}

/// An index with an expression key needs its `name` (one made from the expression would be
/// unreadable), and cannot back a UNIQUE constraint (PostgreSQL's are on columns only).
pub fn expression_keys(cx: &mut Ctxt, ix: &super::attr::IndexAttr) {
    if !ix.exprs.iter().any(|e| *e) {
        return;
    }
    if ix.name.get().is_none() {
        cx.error_at(ix.span, "an index with an `expr` key needs `name = \"…\"`");
    }
    if let Some(c) = ix.constraint.get() {
        cx.error_at(
            c.span,
            "a UNIQUE constraint is on columns only: drop `constraint` (a unique index can have an `expr` key)",
        );
    }
}
