//! Attribute syntax → typed slots. Each `#[schema(...)]` key lands in one slot that keeps
//! its span; a second occurrence is reported at the second one; an unknown key is reported
//! with the closest known key; a value of the wrong kind is reported on the value. Meaning
//! (is this combination allowed?) is `check.rs`'s business, not this file's.

use super::ctxt::Ctxt;
use super::index_keys;
use super::symbol::*;
use crate::model::{FkAction, IndexMethod, KeyOrder};
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned as _;
use syn::{Expr, Lit, LitStr};

/// A value and where the user wrote it.
#[derive(Debug, Clone)]
pub struct Sp<T> {
    pub value: T,
    pub span: Span,
}

/// One slot: empty until set, and set at most once.
pub struct Slot<T> {
    name: &'static str,
    value: Option<Sp<T>>,
}

impl<T> Slot<T> {
    pub fn new(name: &'static str) -> Self {
        Slot { name, value: None }
    }

    pub(super) fn set(&mut self, cx: &mut Ctxt, span: Span, value: T) {
        if self.value.is_some() {
            cx.error_at(span, format!("duplicate schema attribute `{}`", self.name));
        } else {
            self.value = Some(Sp { value, span });
        }
    }

    pub fn get(&self) -> Option<&Sp<T>> {
        self.value.as_ref()
    }

    pub fn span(&self) -> Option<Span> {
        self.value.as_ref().map(|v| v.span)
    }
}

/// Struct-level attributes.
pub struct ContainerAttrs {
    pub table: Slot<String>,
    pub primary_key: Slot<Vec<Sp<String>>>,
    pub renamed_from: Slot<String>,
    /// The doc comments are the table's and its columns' `COMMENT`s.
    pub comments: Slot<()>,
    /// `extensions("citext", "pgcrypto")`.
    pub extensions: Vec<Sp<String>>,
    pub indexes: Vec<IndexAttr>,
    pub checks: Vec<CheckAttr>,
    pub foreign_keys: Vec<super::foreign_key::ForeignKeyAttr>,
}

/// `index(columns(a, b), unique, constraint, name = "…", where = "…", using = "gin")`.
pub struct IndexAttr {
    pub span: Span,
    pub columns: Slot<Vec<Sp<String>>>,
    pub unique: Slot<()>,
    pub constraint: Slot<()>,
    /// Each key's order, operator class and collation, and whether it is an expression,
    /// beside `columns`.
    pub order: Vec<KeyOrder>,
    pub ops: Vec<String>,
    pub collations: Vec<String>,
    pub exprs: Vec<bool>,
    pub include: Slot<Vec<Sp<String>>>,
    pub with: Slot<Vec<String>>,
    pub name: Slot<String>,
    pub predicate: Slot<String>,
    pub method: Slot<IndexMethod>,
}

/// `check(name = "…", expr = "…")`.
pub struct CheckAttr {
    pub span: Span,
    pub name: Slot<String>,
    pub expr: Slot<String>,
}

/// Field-level attributes.
pub struct FieldAttrs {
    pub primary_key: Slot<()>,
    pub unique: Slot<()>,
    pub unique_constraint: Slot<()>,
    pub index: Slot<()>,
    pub column: Slot<String>,
    pub sql_type: Slot<String>,
    pub max_length: Slot<u32>,
    pub default: Slot<String>,
    pub backfill: Slot<String>,
    pub no_nulls: Slot<()>,
    pub convert: Slot<String>,
    pub convert_back: Slot<String>,
    pub generated: Slot<String>,
    pub is_virtual: Slot<()>,
    pub renamed_from: Slot<String>,
    pub references: Slot<(String, String)>,
    pub on_delete: Slot<FkAction>,
    pub on_update: Slot<FkAction>,
    pub check: Slot<String>,
    pub identity: Slot<()>,
    pub skip: Slot<()>,
}

impl FieldAttrs {
    /// Spans of every key set, except `skip` (for "skip with any other key").
    pub fn spans_besides_skip(&self) -> Vec<(&'static str, Span)> {
        let mut out = Vec::new();
        let mut push = |name: &'static str, s: Option<Span>| {
            if let Some(s) = s {
                out.push((name, s));
            }
        };
        push(PRIMARY_KEY, self.primary_key.span());
        push(UNIQUE, self.unique.span());
        push(UNIQUE_CONSTRAINT, self.unique_constraint.span());
        push(INDEX, self.index.span());
        push(COLUMN, self.column.span());
        push(SQL_TYPE, self.sql_type.span());
        push(MAX_LENGTH, self.max_length.span());
        push(DEFAULT, self.default.span());
        push(BACKFILL, self.backfill.span());
        push(NO_NULLS, self.no_nulls.span());
        push(CONVERT, self.convert.span());
        push(CONVERT_BACK, self.convert_back.span());
        push(GENERATED, self.generated.span());
        push(VIRTUAL, self.is_virtual.span());
        push(RENAMED_FROM, self.renamed_from.span());
        push(REFERENCES, self.references.span());
        push(ON_DELETE, self.on_delete.span());
        push(ON_UPDATE, self.on_update.span());
        push(CHECK, self.check.span());
        push(IDENTITY, self.identity.span());
        out
    }
}

/// Reads every `#[schema(...)]` on the struct.
pub fn container(cx: &mut Ctxt, attrs: &[syn::Attribute]) -> ContainerAttrs {
    let mut out = ContainerAttrs {
        table: Slot::new(TABLE),
        primary_key: Slot::new(PRIMARY_KEY),
        renamed_from: Slot::new(RENAMED_FROM),
        comments: Slot::new(COMMENTS),
        extensions: Vec::new(),
        indexes: Vec::new(),
        checks: Vec::new(),
        foreign_keys: Vec::new(),
    };
    for_each_key(cx, attrs, |cx, meta| {
        let key = key_of(&meta);
        match key.as_str() {
            TABLE => string_value(cx, &meta, &mut out.table),
            RENAMED_FROM => string_value(cx, &meta, &mut out.renamed_from),
            COMMENTS => flag(cx, &meta, &mut out.comments),
            EXTENSIONS => {
                out.extensions.extend(string_list(cx, &meta)?);
                Ok(())
            }
            PRIMARY_KEY => {
                let cols = ident_list(cx, &meta)?;
                out.primary_key.set(cx, meta.path.span(), cols);
                Ok(())
            }
            INDEX => {
                let index = index_attr(cx, &meta)?;
                out.indexes.push(index);
                Ok(())
            }
            CHECK => {
                let check = check_attr(cx, &meta)?;
                out.checks.push(check);
                Ok(())
            }
            FOREIGN_KEY => {
                let fk = super::foreign_key::parse(cx, &meta)?;
                out.foreign_keys.push(fk);
                Ok(())
            }
            _ => unknown_key(cx, &meta, &key, STRUCT_KEYS, "on a struct"),
        }
    });
    out
}

/// Reads every `#[schema(...)]` on a field.
pub fn field(cx: &mut Ctxt, attrs: &[syn::Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs {
        primary_key: Slot::new(PRIMARY_KEY),
        unique: Slot::new(UNIQUE),
        unique_constraint: Slot::new(UNIQUE_CONSTRAINT),
        index: Slot::new(INDEX),
        column: Slot::new(COLUMN),
        sql_type: Slot::new(SQL_TYPE),
        max_length: Slot::new(MAX_LENGTH),
        default: Slot::new(DEFAULT),
        backfill: Slot::new(BACKFILL),
        no_nulls: Slot::new(NO_NULLS),
        convert: Slot::new(CONVERT),
        convert_back: Slot::new(CONVERT_BACK),
        generated: Slot::new(GENERATED),
        is_virtual: Slot::new(VIRTUAL),
        renamed_from: Slot::new(RENAMED_FROM),
        references: Slot::new(REFERENCES),
        on_delete: Slot::new(ON_DELETE),
        on_update: Slot::new(ON_UPDATE),
        check: Slot::new(CHECK),
        identity: Slot::new(IDENTITY),
        skip: Slot::new(SKIP),
    };
    for_each_key(cx, attrs, |cx, meta| {
        let key = key_of(&meta);
        match key.as_str() {
            PRIMARY_KEY => flag(cx, &meta, &mut out.primary_key),
            UNIQUE => flag(cx, &meta, &mut out.unique),
            UNIQUE_CONSTRAINT => flag(cx, &meta, &mut out.unique_constraint),
            INDEX => flag(cx, &meta, &mut out.index),
            IDENTITY => flag(cx, &meta, &mut out.identity),
            NO_NULLS => flag(cx, &meta, &mut out.no_nulls),
            CONVERT => string_value(cx, &meta, &mut out.convert),
            CONVERT_BACK => string_value(cx, &meta, &mut out.convert_back),
            GENERATED => string_value(cx, &meta, &mut out.generated),
            VIRTUAL => flag(cx, &meta, &mut out.is_virtual),
            SKIP => flag(cx, &meta, &mut out.skip),
            COLUMN => string_value(cx, &meta, &mut out.column),
            SQL_TYPE => string_value(cx, &meta, &mut out.sql_type),
            DEFAULT => string_value(cx, &meta, &mut out.default),
            BACKFILL => string_value(cx, &meta, &mut out.backfill),
            RENAMED_FROM => string_value(cx, &meta, &mut out.renamed_from),
            CHECK => string_value(cx, &meta, &mut out.check),
            MAX_LENGTH => {
                let Some(expr) = value_expr(cx, &meta)? else {
                    return Ok(());
                };
                match &expr {
                    Expr::Lit(syn::ExprLit {
                        lit: Lit::Int(i), ..
                    }) => match i.base10_parse::<u32>() {
                        Ok(0) | Err(_) => cx.error_spanned_by(
                            i,
                            "`max_length` must be a positive integer up to 10485760",
                        ),
                        Ok(n) if n > 10_485_760 => cx.error_spanned_by(
                            i,
                            "`max_length` must be a positive integer up to 10485760 (PostgreSQL's varchar limit)",
                        ),
                        Ok(n) => out.max_length.set(cx, meta.path.span(), n),
                    },
                    other => cx.error_spanned_by(
                        other,
                        "`max_length` takes an integer, e.g. `max_length = 255`",
                    ),
                }
                Ok(())
            }
            REFERENCES => {
                let Some(lit) = string_lit(cx, &meta)? else {
                    return Ok(());
                };
                match parse_reference(&lit.value()) {
                    Ok(r) => out.references.set(cx, meta.path.span(), r),
                    Err(msg) => cx.error_spanned_by(&lit, msg),
                }
                Ok(())
            }
            ON_DELETE => fk_action(cx, &meta, &mut out.on_delete),
            ON_UPDATE => fk_action(cx, &meta, &mut out.on_update),
            _ => unknown_key(cx, &meta, &key, FIELD_KEYS, "on a field"),
        }
    });
    out
}

fn index_attr(cx: &mut Ctxt, meta: &ParseNestedMeta) -> syn::Result<IndexAttr> {
    let mut index = IndexAttr {
        span: meta.path.span(),
        columns: Slot::new(COLUMNS),
        unique: Slot::new(UNIQUE),
        constraint: Slot::new(CONSTRAINT),
        order: Vec::new(),
        ops: Vec::new(),
        collations: Vec::new(),
        exprs: Vec::new(),
        include: Slot::new(INCLUDE),
        with: Slot::new(WITH),
        name: Slot::new(NAME),
        predicate: Slot::new(WHERE),
        method: Slot::new(USING),
    };
    if !meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            "a struct-level `index` takes a list, e.g. `index(columns(a, b), unique)`",
        );
        return skip_value(meta).map(|_| index);
    }
    meta.parse_nested_meta(|inner| {
        let key = key_of(&inner);
        match key.as_str() {
            COLUMNS => {
                let keys = index_keys::key_list(cx, &inner)?;
                index.order = keys.iter().map(|k| k.order).collect();
                index.ops = keys.iter().map(|k| k.ops.clone()).collect();
                index.collations = keys.iter().map(|k| k.collate.clone()).collect();
                index.exprs = keys.iter().map(|k| k.expr).collect();
                let names = keys.into_iter().map(|k| k.name).collect();
                index.columns.set(cx, inner.path.span(), names);
                Ok(())
            }
            INCLUDE => {
                let cols = ident_list(cx, &inner)?;
                index.include.set(cx, inner.path.span(), cols);
                Ok(())
            }
            WITH => {
                let params = index_keys::storage_params(cx, &inner)?;
                index.with.set(cx, inner.path.span(), params);
                Ok(())
            }
            UNIQUE => flag(cx, &inner, &mut index.unique),
            CONSTRAINT => flag(cx, &inner, &mut index.constraint),
            NAME => string_value(cx, &inner, &mut index.name),
            WHERE => string_value(cx, &inner, &mut index.predicate),
            USING => {
                let Some(lit) = string_lit(cx, &inner)? else {
                    return Ok(());
                };
                match IndexMethod::from_sql(&lit.value()) {
                    Some(m) => index.method.set(cx, inner.path.span(), m),
                    None => {
                        let all: Vec<&str> = IndexMethod::ALL.iter().map(|m| m.as_sql()).collect();
                        cx.error_spanned_by(
                            &lit,
                            format!(
                                "unknown index method `{}`; expected one of: {}",
                                lit.value(),
                                all.join(", ")
                            ),
                        )
                    }
                }
                Ok(())
            }
            _ => unknown_key(cx, &inner, &key, INDEX_KEYS, "inside `index(...)`"),
        }
    })?;
    Ok(index)
}

fn check_attr(cx: &mut Ctxt, meta: &ParseNestedMeta) -> syn::Result<CheckAttr> {
    let mut check = CheckAttr {
        span: meta.path.span(),
        name: Slot::new(NAME),
        expr: Slot::new(EXPR),
    };
    if !meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            "a struct-level `check` takes a list, e.g. `check(name = \"price_positive\", expr = \"price > 0\")`",
        );
        return skip_value(meta).map(|_| check);
    }
    meta.parse_nested_meta(|inner| {
        let key = key_of(&inner);
        match key.as_str() {
            NAME => string_value(cx, &inner, &mut check.name),
            EXPR => string_value(cx, &inner, &mut check.expr),
            _ => unknown_key(cx, &inner, &key, CHECK_KEYS, "inside `check(...)`"),
        }
    })?;
    Ok(check)
}

/// Runs `f` for each key of each `#[schema(...)]` attribute; a syntax error aborts only the
/// attribute it is in.
fn for_each_key<F>(cx: &mut Ctxt, attrs: &[syn::Attribute], f: F)
where
    F: FnMut(&mut Ctxt, ParseNestedMeta) -> syn::Result<()>,
{
    for_each_key_of(cx, attrs, SCHEMA, f)
}

/// [`for_each_key`] of the attributes called `name` (`schema`, or `sqlx` whose keys an
/// enum shares).
pub(super) fn for_each_key_of<F>(cx: &mut Ctxt, attrs: &[syn::Attribute], name: &str, mut f: F)
where
    F: FnMut(&mut Ctxt, ParseNestedMeta) -> syn::Result<()>,
{
    for attr in attrs.iter().filter(|a| a.path().is_ident(name)) {
        if let syn::Meta::List(list) = &attr.meta
            && list.tokens.is_empty()
        {
            continue;
        }
        if !matches!(attr.meta, syn::Meta::List(_)) {
            if name == SCHEMA {
                cx.error_spanned_by(
                    attr,
                    "expected `#[schema(...)]`, e.g. `#[schema(primary_key)]`",
                );
            }
            continue;
        }
        // Meaning errors go into `cx` inside the closure; a syntax error stops this
        // attribute (another derive's attribute is that derive's to report).
        if let Err(e) = attr.parse_nested_meta(|meta| f(cx, meta))
            && name == SCHEMA
        {
            cx.syn_error(e);
        }
    }
}

pub(super) fn key_of(meta: &ParseNestedMeta) -> String {
    meta.path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

pub(super) fn unknown_key(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta,
    key: &str,
    known: &[&str],
    place: &str,
) -> syn::Result<()> {
    let best = known
        .iter()
        .map(|k| (strsim::jaro_winkler(key, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let msg = match best {
        Some((_, k)) => format!("unknown schema attribute `{key}` {place}; did you mean `{k}`?"),
        None => format!(
            "unknown schema attribute `{key}` {place}; expected one of: {}",
            known.join(", ")
        ),
    };
    cx.error_spanned_by(&meta.path, msg);
    skip_value(meta)
}

/// Consumes `= expr` or `(…)` after a key we are not going to use.
pub(super) fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

pub(super) fn flag(cx: &mut Ctxt, meta: &ParseNestedMeta, slot: &mut Slot<()>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
        let key = key_of(meta);
        cx.error_spanned_by(
            &meta.path,
            format!("`{key}` is a flag and takes no value; write just `{key}`"),
        );
        return skip_value(meta);
    }
    slot.set(cx, meta.path.span(), ());
    Ok(())
}

/// `key = <expr>`, or an error if the key is written without a value.
pub(super) fn value_expr(cx: &mut Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<Expr>> {
    if !meta.input.peek(syn::Token![=]) {
        let key = key_of(meta);
        cx.error_spanned_by(
            &meta.path,
            format!("`{key}` needs a value, e.g. `{key} = \"...\"`"),
        );
        skip_value(meta)?;
        return Ok(None);
    }
    Ok(Some(meta.value()?.parse::<Expr>()?))
}

pub(super) fn string_lit(cx: &mut Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<LitStr>> {
    let Some(expr) = value_expr(cx, meta)? else {
        return Ok(None);
    };
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(Some(s)),
        other => {
            let key = key_of(meta);
            cx.error_spanned_by(
                &other,
                format!("`{key}` takes a string, e.g. `{key} = \"...\"`"),
            );
            Ok(None)
        }
    }
}

pub(super) fn string_value(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta,
    slot: &mut Slot<String>,
) -> syn::Result<()> {
    if let Some(lit) = string_lit(cx, meta)? {
        slot.set(cx, lit.span(), lit.value());
    }
    Ok(())
}

pub(super) fn fk_action(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta,
    slot: &mut Slot<FkAction>,
) -> syn::Result<()> {
    let Some(lit) = string_lit(cx, meta)? else {
        return Ok(());
    };
    match FkAction::from_sql(&lit.value()) {
        Some(a) => slot.set(cx, lit.span(), a),
        None => {
            let all: Vec<String> = FkAction::ALL
                .iter()
                .map(|a| format!("\"{}\"", a.as_sql().to_lowercase()))
                .collect();
            cx.error_spanned_by(
                &lit,
                format!(
                    "unknown referential action `{}`; expected one of: {}",
                    lit.value(),
                    all.join(", ")
                ),
            );
        }
    }
    Ok(())
}

/// `(a, b)` — a parenthesised list of column names.
/// `key("a", "b")`: string literals (extension names may hold `-`).
fn string_list(cx: &mut Ctxt, meta: &ParseNestedMeta) -> syn::Result<Vec<Sp<String>>> {
    let key = key_of(meta);
    if !meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`{key}` takes a list of names, e.g. `{key}(\"citext\", \"pgcrypto\")`"),
        );
        skip_value(meta)?;
        return Ok(Vec::new());
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let names =
        syn::punctuated::Punctuated::<syn::LitStr, syn::Token![,]>::parse_terminated(&content)?;
    Ok(names
        .into_iter()
        .map(|n| Sp {
            value: n.value(),
            span: n.span(),
        })
        .collect())
}

pub(super) fn ident_list(cx: &mut Ctxt, meta: &ParseNestedMeta) -> syn::Result<Vec<Sp<String>>> {
    let mut cols = Vec::new();
    if !meta.input.peek(syn::token::Paren) {
        let key = key_of(meta);
        cx.error_spanned_by(
            &meta.path,
            format!("`{key}` takes a list of columns, e.g. `{key}(a, b)`"),
        );
        skip_value(meta)?;
        return Ok(cols);
    }
    meta.parse_nested_meta(|inner| {
        match inner.path.get_ident() {
            Some(id)
                if !inner.input.peek(syn::Token![=]) && !inner.input.peek(syn::token::Paren) =>
            {
                cols.push(Sp {
                    value: id.to_string().trim_start_matches("r#").to_owned(),
                    span: id.span(),
                })
            }
            _ => {
                cx.error_spanned_by(&inner.path, "expected a column name");
                skip_value(&inner)?;
            }
        }
        Ok(())
    })?;
    if cols.is_empty() {
        cx.error_spanned_by(&meta.path, "the column list is empty");
    }
    Ok(cols)
}

/// `users(id)` → (`users`, `id`).
fn parse_reference(s: &str) -> Result<(String, String), String> {
    const HINT: &str = "expected `table(column)`, e.g. `references = \"users(id)\"`";
    let s = s.trim();
    let (table, rest) = s.split_once('(').ok_or_else(|| HINT.to_owned())?;
    let column = rest.strip_suffix(')').ok_or_else(|| HINT.to_owned())?;
    let (table, column) = (table.trim(), column.trim());
    if table.is_empty() {
        return Err(format!("the referenced table is empty; {HINT}"));
    }
    if column.is_empty() {
        return Err(format!("the referenced column is empty; {HINT}"));
    }
    if column.contains([',', '(', ')']) || table.contains([',', ')']) {
        return Err(format!("a field references exactly one column; {HINT}"));
    }
    Ok((table.to_owned(), column.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::parse_reference;

    #[test]
    fn references() {
        assert_eq!(
            parse_reference("users(id)").unwrap(),
            ("users".into(), "id".into())
        );
        assert_eq!(
            parse_reference(" users ( id ) ").unwrap(),
            ("users".into(), "id".into())
        );
        assert!(parse_reference("users").is_err());
        assert!(
            parse_reference("users()")
                .unwrap_err()
                .contains("column is empty")
        );
        assert!(
            parse_reference("(id)")
                .unwrap_err()
                .contains("table is empty")
        );
        assert!(parse_reference("users(a, b)").is_err());
    }
}
