//! `#[derive(Schema)]` input → [`Table`]: the one parser that both the proc macro and the
//! CLI's source scanner call, so the two can never disagree.
//!
//! Stages: `attr` reads attribute syntax into typed slots, `types` maps Rust types, this
//! file assembles the model, `check` applies the cross-field rules. Every error is collected
//! in a `Ctxt` and reported together, each on the narrowest token.

mod attr;
mod check;
mod ctxt;
mod enum_type;
mod foreign_key;
mod index_keys;
mod symbol;
mod types;

pub use enum_type::enum_from_derive;

use crate::model::{
    Check, Column, EnumType, FkAction, ForeignKey, Generated, Index, IndexMethod, KeyOrder,
    PrimaryKey, Table,
};
use crate::sql::{MAX_IDENT_BYTES, canonical_type, shorten_name};
use attr::{FieldAttrs, Sp};
use ctxt::Ctxt;
use proc_macro2::Span;

/// Turns a `#[derive(Schema)]` struct into its table model, or every error found in it.
///
/// ```
/// let input: syn::DeriveInput = syn::parse_quote! {
///     #[derive(Schema)]
///     struct BlogPost {
///         #[schema(primary_key, identity)]
///         id: i64,
///         #[schema(max_length = 200)]
///         title: String,
///         body: Option<String>,
///     }
/// };
/// let table = migrate_shared::schema::table_from_derive(&input).unwrap();
/// assert_eq!(table.name, "blog_post");
/// assert_eq!(table.columns[1].sql_type, "character varying(200)");
/// assert!(table.columns[2].nullable);
/// ```
pub fn table_from_derive(input: &syn::DeriveInput) -> Result<Table, syn::Error> {
    let mut cx = Ctxt::default();
    let table = build(&mut cx, input);
    cx.check()?;
    table.ok_or_else(|| syn::Error::new(input.ident.span(), "invalid `Schema` input"))
}

/// What a `#[derive(Schema)]` item describes: a struct a table, an enum an enum type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Derived {
    /// From a struct.
    Table(Box<Table>),
    /// From an enum.
    Enum(EnumType),
}

/// The model of any `#[derive(Schema)]` item, or every error found in it.
pub fn from_derive(input: &syn::DeriveInput) -> Result<Derived, syn::Error> {
    match input.data {
        syn::Data::Enum(_) => enum_from_derive(input).map(Derived::Enum),
        _ => table_from_derive(input).map(|t| Derived::Table(Box::new(t))),
    }
}

/// Whether an item carries `#[derive(…Schema…)]` (the scanner's filter).
pub fn derives_schema(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            let mut found = false;
            let _ = a.parse_nested_meta(|m| {
                if m.path.segments.last().is_some_and(|s| s.ident == "Schema") {
                    found = true;
                }
                Ok(())
            });
            found
        })
}

/// The extension names, checked, sorted and without repeats.
fn extensions(cx: &mut Ctxt, names: &[Sp<String>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let fine = !n.value.is_empty()
            && n.value.len() <= MAX_IDENT_BYTES
            && n.value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !fine {
            cx.error_at(
                n.span,
                format!("`{}` is not an extension name (letters, digits, `_` and `-`, at most 63 bytes)", n.value),
            );
        }
        out.push(n.value.clone());
    }
    out.sort();
    out.dedup();
    out
}

/// The text of the `///` doc comments in `attrs`, as rustdoc reads it (one leading space
/// of each line dropped, the lines joined by newlines: an empty `///` line is an empty
/// line of the comment); `None` when there is none.
fn doc_text(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }),
                ..
            }) => Some(s.value()),
            _ => None,
        })
        .flat_map(|d| d.split('\n').map(str::to_owned).collect::<Vec<_>>())
        .map(|l| l.strip_prefix(' ').unwrap_or(&l).to_owned())
        .collect();
    let text = lines.join("\n");
    (!text.trim().is_empty()).then_some(text)
}

/// A field that is a column, with what the model needs to refer back to it.
struct FieldColumn {
    rust_name: String,
    ident_span: Span,
    attrs: FieldAttrs,
    column: Column,
}

fn build(cx: &mut Ctxt, input: &syn::DeriveInput) -> Option<Table> {
    let fields = match &input.data {
        syn::Data::Struct(s) => match &s.fields {
            syn::Fields::Named(named) => &named.named,
            other => {
                cx.error_spanned_by(
                    other,
                    "`Schema` needs a struct with named fields: a column is named by its field",
                );
                return None;
            }
        },
        syn::Data::Enum(e) => {
            cx.error_at(
                e.enum_token.span,
                "`Schema` can only be derived for a struct with named fields, not an enum",
            );
            return None;
        }
        syn::Data::Union(u) => {
            cx.error_at(
                u.union_token.span,
                "`Schema` can only be derived for a struct with named fields, not a union",
            );
            return None;
        }
    };
    let cattrs = attr::container(cx, &input.attrs);
    let table_name = match cattrs.table.get() {
        Some(t) => table_key(cx, &t.value, t.span, "table name"),
        None => {
            let name = heck::ToSnakeCase::to_snake_case(input.ident.to_string().as_str());
            check_ident(
                cx,
                &name,
                input.ident.span(),
                "table name (from the struct name)",
            );
            name
        }
    };
    let renamed_from = cattrs
        .renamed_from
        .get()
        .map(|r| table_key(cx, &r.value, r.span, "previous table name"));
    let comments = cattrs.comments.get().is_some();
    // Derived names carry the bare name: the objects live in the table's schema.
    let bare = crate::sql::split_table(&table_name).1.to_owned();

    let mut columns: Vec<FieldColumn> = Vec::new();
    for field in fields {
        let fattrs = attr::field(cx, &field.attrs);
        let Some(ident) = &field.ident else { continue };
        if fattrs.skip.get().is_some() {
            check::skip_alone(cx, &fattrs);
            continue;
        }
        let rust_name = ident.to_string().trim_start_matches("r#").to_owned();
        let name = match fattrs.column.get() {
            Some(c) => {
                check_ident(cx, &c.value, c.span, "column name");
                c.value.clone()
            }
            None => {
                check_ident(cx, &rust_name, ident.span(), "column name");
                rust_name.clone()
            }
        };
        let mut column = column_of(cx, &name, field, &fattrs, &table_name);
        if comments {
            column.comment = doc_text(&field.attrs);
        }
        columns.push(FieldColumn {
            rust_name,
            ident_span: ident.span(),
            attrs: fattrs,
            column,
        });
    }
    check::distinct_columns(cx, &columns);

    let resolve = |cx: &mut Ctxt, c: &Sp<String>| -> Option<String> {
        let found = columns
            .iter()
            .find(|f| f.rust_name == c.value)
            .or_else(|| columns.iter().find(|f| f.column.name == c.value));
        if found.is_none() {
            cx.error_at(
                c.span,
                format!("no field or column `{}` in this struct", c.value),
            );
        }
        found.map(|f| f.column.name.clone())
    };

    // Primary key.
    check::one_primary_key(cx, &cattrs, &columns);
    let pk_name = shorten_name(&format!("{bare}_pkey"));
    let primary_key = if let Some(pk) = cattrs.primary_key.get() {
        let cols: Vec<String> = pk.value.iter().filter_map(|c| resolve(cx, c)).collect();
        check::no_repeats(cx, &pk.value, &cols, "primary key");
        Some(PrimaryKey {
            name: pk_name,
            columns: cols,
        })
    } else {
        columns
            .iter()
            .find(|f| f.attrs.primary_key.get().is_some())
            .map(|f| PrimaryKey {
                name: pk_name,
                columns: vec![f.column.name.clone()],
            })
    };
    if let Some(pk) = &primary_key {
        check::primary_key_not_null(cx, pk, &columns);
    }

    // Indexes, checks and foreign keys: field-level first, then struct-level.
    let mut indexes = Vec::new();
    let mut checks = Vec::new();
    let mut foreign_keys = Vec::new();
    for f in &columns {
        let col = &f.column.name;
        let constraint = f.attrs.unique_constraint.get().is_some();
        check::unique_constraint_alone(cx, &f.attrs);
        if constraint || f.attrs.unique.get().is_some() || f.attrs.index.get().is_some() {
            let unique = constraint || f.attrs.unique.get().is_some();
            let suffix = if unique { "key" } else { "idx" };
            indexes.push(Index {
                name: shorten_name(&format!("{bare}_{col}_{suffix}")),
                columns: vec![col.clone()],
                unique,
                method: IndexMethod::Btree,
                predicate: None,
                constraint,
                order: Vec::new(),
                include: Vec::new(),
                with: Vec::new(),
                ops: Vec::new(),
                collations: Vec::new(),
            });
        }
        if let Some(expr) = f.attrs.check.get() {
            check_expr(cx, &expr.value, expr.span, "check");
            checks.push(Check {
                name: shorten_name(&format!("{bare}_{col}_check")),
                expr: expr.value.trim().to_owned(),
            });
        }
        if let Some(r) = f.attrs.references.get() {
            let (ref_table, ref_col) = &r.value;
            let ref_table = &table_key(cx, ref_table, r.span, "referenced table name");
            check_ident(cx, ref_col, r.span, "referenced column name");
            let action = |s: &attr::Slot<FkAction>| s.get().map(|a| a.value).unwrap_or_default();
            foreign_keys.push(ForeignKey {
                name: shorten_name(&format!("{bare}_{col}_fkey")),
                columns: vec![col.clone()],
                ref_table: ref_table.clone(),
                ref_columns: vec![ref_col.clone()],
                on_delete: action(&f.attrs.on_delete),
                on_update: action(&f.attrs.on_update),
                deferrable: false,
                initially_deferred: false,
            });
        }
    }
    for ix in &cattrs.indexes {
        let Some(cols) = ix.columns.get() else {
            cx.error_at(
                ix.span,
                "`index` needs its columns, e.g. `index(columns(author_id, published_at))`",
            );
            continue;
        };
        let resolved: Vec<String> = cols
            .value
            .iter()
            .zip(ix.exprs.iter().chain(std::iter::repeat(&false)))
            .filter_map(|(c, &expr)| {
                if expr {
                    check_expr(cx, &c.value, c.span, "expr");
                    Some(format!("({})", c.value))
                } else {
                    resolve(cx, c)
                }
            })
            .collect();
        check::no_repeats(cx, &cols.value, &resolved, "index");
        check::expression_keys(cx, ix);
        let unique = ix.unique.get().is_some();
        if let Some(m) = ix.method.get() {
            check::index_method(cx, m, unique, resolved.len());
        }
        let name = match ix.name.get() {
            Some(n) => {
                check_ident(cx, &n.value, n.span, "index name");
                n.value.clone()
            }
            None => shorten_name(&format!(
                "{bare}_{}_{}",
                resolved.join("_"),
                if unique { "key" } else { "idx" }
            )),
        };
        if let Some(p) = ix.predicate.get() {
            check_expr(cx, &p.value, p.span, "where");
        }
        check::index_constraint(cx, ix);
        let include: Vec<String> = ix
            .include
            .get()
            .map(|cols| {
                let resolved: Vec<String> =
                    cols.value.iter().filter_map(|c| resolve(cx, c)).collect();
                check::no_repeats(cx, &cols.value, &resolved, "include");
                resolved
            })
            .unwrap_or_default();
        check::index_options(cx, ix);
        let order = if ix.order.iter().all(|o| *o == KeyOrder::default()) {
            Vec::new()
        } else {
            ix.order.clone()
        };
        indexes.push(Index {
            name,
            columns: resolved,
            unique,
            method: ix.method.get().map(|m| m.value).unwrap_or_default(),
            predicate: ix.predicate.get().map(|p| p.value.trim().to_owned()),
            constraint: ix.constraint.get().is_some(),
            order,
            include,
            with: ix.with.get().map(|w| w.value.clone()).unwrap_or_default(),
            ops: Index::unless_default(ix.ops.clone()),
            collations: Index::unless_default(ix.collations.clone()),
        });
    }
    for fk in &cattrs.foreign_keys {
        foreign_keys.extend(struct_foreign_key(cx, fk, &bare, &resolve));
    }
    for ck in &cattrs.checks {
        let (Some(name), Some(expr)) = (ck.name.get(), ck.expr.get()) else {
            cx.error_at(
                ck.span,
                "`check` needs both `name` and `expr`, e.g. `check(name = \"price_positive\", expr = \"price > 0\")`",
            );
            continue;
        };
        check_ident(cx, &name.value, name.span, "check name");
        check_expr(cx, &expr.value, expr.span, "expr");
        checks.push(Check {
            name: name.value.clone(),
            expr: expr.value.trim().to_owned(),
        });
    }

    let table = Table {
        name: table_name,
        renamed_from,
        // Not collected in place: the buffer of the much larger field records would stay
        // allocated under every table's columns (a third of `generate`'s memory at 10,000
        // tables).
        columns: columns.iter().map(|f| f.column.clone()).collect(),
        primary_key,
        indexes,
        checks,
        foreign_keys,
        comment: comments.then(|| doc_text(&input.attrs)).flatten(),
        extensions: extensions(cx, &cattrs.extensions),
        enums: Vec::new(),
    };
    check::distinct_names(cx, &table, input.ident.span());
    Some(table)
}

/// The column a field maps to: type from `sql_type`, `max_length` or the Rust type.
/// A struct-level `foreign_key(...)`: its columns resolved, as many as it references; named
/// as PostgreSQL names one (`<table>_<columns>_fkey`) unless `name` says otherwise.
fn struct_foreign_key(
    cx: &mut Ctxt,
    fk: &foreign_key::ForeignKeyAttr,
    bare: &str,
    resolve: &dyn Fn(&mut Ctxt, &Sp<String>) -> Option<String>,
) -> Option<ForeignKey> {
    let (Some(cols), Some(r)) = (fk.columns.get(), fk.references.get()) else {
        cx.error_at(
            fk.span,
            "`foreign_key` needs `columns(...)` and `references = \"table(column, …)\"`",
        );
        return None;
    };
    let columns: Vec<String> = cols.value.iter().filter_map(|c| resolve(cx, c)).collect();
    check::no_repeats(cx, &cols.value, &columns, "foreign key");
    let (ref_table, ref_columns) = &r.value;
    if ref_columns.len() != cols.value.len() {
        cx.error_at(
            r.span,
            format!(
                "the foreign key has {} columns and references {}; give as many on each side",
                cols.value.len(),
                ref_columns.len()
            ),
        );
    }
    for c in ref_columns {
        check_ident(cx, c, r.span, "referenced column name");
    }
    if let Some(span) = fk.initially_deferred.span()
        && fk.deferrable.get().is_none()
    {
        cx.error_at(span, "`initially_deferred` needs `deferrable` as well");
    }
    let name = match fk.name.get() {
        Some(n) => {
            check_ident(cx, &n.value, n.span, "foreign key name");
            n.value.clone()
        }
        None => shorten_name(&format!("{bare}_{}_fkey", columns.join("_"))),
    };
    let action = |s: &attr::Slot<FkAction>| s.get().map(|a| a.value).unwrap_or_default();
    Some(ForeignKey {
        name,
        columns,
        ref_table: table_key(cx, ref_table, r.span, "referenced table name"),
        ref_columns: ref_columns.clone(),
        on_delete: action(&fk.on_delete),
        on_update: action(&fk.on_update),
        deferrable: fk.deferrable.get().is_some(),
        initially_deferred: fk.initially_deferred.get().is_some(),
    })
}

fn column_of(
    cx: &mut Ctxt,
    name: &str,
    field: &syn::Field,
    fattrs: &FieldAttrs,
    table: &str,
) -> Column {
    let mapped = types::map_type(&field.ty);
    let (option, _) = types::unwrap_option(&field.ty);
    let sql_type = match (fattrs.sql_type.get(), fattrs.max_length.get()) {
        (Some(t), Some(m)) => {
            cx.error_at(
                m.span,
                "`max_length` and `sql_type` conflict: write the length in `sql_type`, or drop `sql_type`",
            );
            canonical(cx, &t.value, t.span)
        }
        (Some(t), None) => canonical(cx, &t.value, t.span),
        (None, Some(m)) => {
            if !mapped.as_ref().is_some_and(|m| m.is_string) {
                cx.error_at(
                    m.span,
                    "`max_length` applies to `String` fields (it makes a `varchar(n)`); use `sql_type` for other types",
                );
            }
            format!("character varying({})", m.value)
        }
        (None, None) => match &mapped {
            Some(m) => m.sql_type.clone(),
            None => {
                cx.error_spanned_by(
                    &field.ty,
                    format!(
                        "no SQL type is known for this Rust type; add `#[schema(sql_type = \"...\")]` to column `{table}.{name}`"
                    ),
                );
                String::new()
            }
        },
    };
    if let Some(id) = fattrs.identity.get() {
        // The column's final SQL type decides, whatever the Rust type.
        let integer = ["smallint", "integer", "bigint"].contains(&sql_type.as_str());
        if !integer {
            cx.error_at(
                id.span,
                "`identity` needs an integer column (i16, i32 or i64)",
            );
        } else if option {
            cx.error_at(
                id.span,
                "an identity column is NOT NULL: use the integer type without `Option`",
            );
        }
    }
    if let Some(d) = fattrs.default.get() {
        check_expr(cx, &d.value, d.span, "default");
        if fattrs.identity.get().is_some() {
            cx.error_at(d.span, "an identity column cannot also have a `default`");
        }
    }
    if let Some(b) = fattrs.backfill.get() {
        check_expr(cx, &b.value, b.span, "backfill");
        if option {
            cx.error_at(
                b.span,
                "`backfill` is for NOT NULL columns (existing rows need a value); an `Option` column can stay NULL",
            );
        }
    }
    if let Some(n) = fattrs.no_nulls.get() {
        if option {
            cx.error_at(
                n.span,
                "`no_nulls` is for a column becoming NOT NULL (`Option<T>` → `T`); an `Option` column can stay NULL",
            );
        } else if fattrs.backfill.get().is_some() {
            cx.error_at(
                n.span,
                "`no_nulls` says no row is NULL, `backfill` gives NULL rows a value: keep one",
            );
        }
    }
    if let Some(r) = fattrs.renamed_from.get() {
        check_ident(cx, &r.value, r.span, "previous column name");
    }
    check::generated_alone(cx, fattrs);
    for (slot, key) in [
        (&fattrs.convert, "convert"),
        (&fattrs.convert_back, "convert_back"),
        (&fattrs.generated, "generated"),
    ] {
        if let Some(e) = slot.get() {
            check_expr(cx, &e.value, e.span, key);
        }
    }
    Column {
        name: name.to_owned(),
        sql_type,
        nullable: option,
        default: fattrs.default.get().map(|d| d.value.trim().to_owned()),
        identity: fattrs.identity.get().is_some(),
        backfill: fattrs.backfill.get().map(|b| b.value.trim().to_owned()),
        no_nulls: fattrs.no_nulls.get().is_some(),
        convert: fattrs.convert.get().map(|e| e.value.trim().to_owned()),
        convert_back: fattrs.convert_back.get().map(|e| e.value.trim().to_owned()),
        renamed_from: fattrs.renamed_from.get().map(|r| r.value.clone()),
        comment: None,
        generated: fattrs.generated.get().map(|g| Generated {
            expr: g.value.trim().to_owned(),
            is_virtual: fattrs.is_virtual.get().is_some(),
        }),
    }
}

fn canonical(cx: &mut Ctxt, raw: &str, span: Span) -> String {
    match canonical_type(raw) {
        Ok(t) => t,
        Err(e) => {
            cx.error_at(span, format!("invalid `sql_type`: {e}"));
            String::new()
        }
    }
}

/// A table key as written (`invoices`, `billing.invoices`): each part an identifier, at
/// most one dot; `public.x` is `x`. Returns the key the model uses.
fn table_key(cx: &mut Ctxt, name: &str, span: Span, what: &str) -> String {
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        [table] => {
            check_ident(cx, table, span, what);
            name.to_owned()
        }
        [schema, table] => {
            check_ident(cx, schema, span, &format!("schema of the {what}"));
            check_ident(cx, table, span, what);
            crate::sql::table_key(schema, table)
        }
        _ => {
            cx.error_at(
                span,
                format!("the {what} `{name}` has more than one dot; write `schema.table`"),
            );
            name.to_owned()
        }
    }
}

/// Identifiers: 1 to 63 bytes, no NUL (PostgreSQL would truncate longer names silently).
fn check_ident(cx: &mut Ctxt, name: &str, span: Span, what: &str) {
    if name.is_empty() {
        cx.error_at(span, format!("the {what} is empty"));
    } else if name.len() > MAX_IDENT_BYTES {
        cx.error_at(
            span,
            format!(
                "the {what} `{name}` is {} bytes; PostgreSQL truncates identifiers to {MAX_IDENT_BYTES} bytes",
                name.len()
            ),
        );
    } else if name.chars().any(char::is_control) {
        cx.error_at(
            span,
            format!("the {what} contains a control character (a line break, tab or NUL)"),
        );
    }
}

/// SQL expressions are the user's to write, but an empty one or one with a NUL or a
/// statement separator is a mistake we can see now.
fn check_expr(cx: &mut Ctxt, expr: &str, span: Span, key: &str) {
    if expr.trim().is_empty() {
        cx.error_at(span, format!("`{key}` is empty"));
    } else if expr.contains('\0') {
        cx.error_at(span, format!("`{key}` contains a NUL character"));
    } else if expr.contains(';') && !expr.contains('\'') {
        cx.error_at(
            span,
            format!("`{key}` is one SQL expression; it must not contain `;`"),
        );
    }
}

#[cfg(test)]
mod tests;
