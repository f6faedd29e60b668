//! Tables → `#[derive(Schema)]` source, formatted, deterministic: one struct per table in
//! the order given, attributes in a fixed order, names the derive would generate left
//! out and others spelled. What the models do not express goes in doc comments: the
//! file's for the schema, a struct's for its table — unless the table or a column has a
//! comment: then the struct is `#[schema(comments)]`, its doc comments are the comments,
//! and its findings go in the file's.

use super::Finding;
use crate::model::{Check, Column, ForeignKey, Index, IndexMethod, Table};
use crate::sql::{shorten_name, split_table};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The source of a models file for `tables` of `schemas`, with `findings` as comments.
pub fn source(schemas: &[String], tables: &[Table], findings: &[Finding]) -> String {
    let listed: Vec<String> = schemas.iter().map(|s| format!("`{s}`")).collect();
    let plural = if schemas.len() == 1 { "" } else { "s" };
    let mut header = vec![
        format!(
            " Models of schema{plural} {}, written by `cargo migrate init --from-database`",
            listed.join(", ")
        ),
        " from the live catalog. Review them like code: they are the schema from now on."
            .to_owned(),
    ];
    let general: Vec<&Finding> = findings.iter().filter(|f| f.table.is_none()).collect();
    if !general.is_empty() {
        header.push(String::new());
        header.push(
            " Not expressed by these models (left in the database as they are, not managed):"
                .to_owned(),
        );
        header.extend(general.iter().map(|f| format!(" - {f}")));
    }
    let own = |t: &Table| -> Vec<&Finding> {
        findings
            .iter()
            .filter(|f| f.table.as_deref() == Some(t.name.as_str()))
            .collect()
    };
    // A commented table's doc comments are its comments: its findings go up here.
    for t in tables.iter().filter(|t| t.keeps_comments()) {
        let own = own(t);
        if !own.is_empty() {
            header.push(String::new());
            header.push(format!(
                " Table `{}`, not expressed by its model (left as it is, not managed):",
                t.name
            ));
            header.extend(own.iter().map(|f| format!(" - {f}")));
        }
    }
    let header = header.iter().map(|line| quote!(#![doc = #line]));
    let mut names = Names::default();
    let structs = tables
        .iter()
        .map(|t| model(t, &own(t), names.struct_name(&t.name)));
    let tokens = quote! {
        #(#header)*
        use migrate_core::Schema;
        #(#structs)*
    };
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => spaced(&prettyplease::unparse(&file)),
        // Every identifier is checked before it is made, so this is not reached; the
        // unformatted tokens are still a valid source.
        Err(_) => tokens.to_string(),
    }
}

/// `#[doc]` lines giving `text` back as the derive reads it.
fn doc_lines(text: &str) -> Vec<String> {
    text.split('\n').map(|l| format!(" {l}")).collect()
}

/// A blank line before each item after the header.
fn spaced(source: &str) -> String {
    let mut out = String::new();
    let mut previous = "";
    for line in source.lines() {
        let ends_item = previous == "}" || previous.starts_with("use ");
        let starts_item = !line.starts_with(' ') && !line.is_empty();
        if (line.starts_with("use ") || (ends_item && starts_item)) && !out.is_empty() {
            out.push('\n');
        }
        previous = line;
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn model(t: &Table, findings: &[&Finding], name: Ident) -> TokenStream {
    let commented = t.keeps_comments();
    let mut docs = vec![format!(" Table `{}`.", t.name)];
    if commented {
        docs = t.comment.as_deref().map(doc_lines).unwrap_or_default();
    } else if !findings.is_empty() {
        docs.push(String::new());
        docs.push(" Not expressed by this model (left as it is, not managed):".to_owned());
        docs.extend(findings.iter().map(|f| format!(" - {f}")));
    }
    let mut fields = FieldNames::default();
    let idents: Vec<Ident> = t.columns.iter().map(|c| fields.ident(&c.name)).collect();
    let field_of = |column: &str| {
        t.columns
            .iter()
            .position(|c| c.name == column)
            .map(|i| idents[i].clone())
    };
    let mut table_attrs = vec![{
        let n = &t.name;
        quote!(table = #n)
    }];
    if commented {
        table_attrs.push(quote!(comments));
    }
    let single_pk = t.primary_key.as_ref().filter(|pk| pk.columns.len() == 1);
    if let Some(pk) = t.primary_key.as_ref().filter(|pk| pk.columns.len() > 1) {
        let cols = pk.columns.iter().filter_map(|c| field_of(c));
        table_attrs.push(quote!(primary_key(#(#cols),*)));
    }
    let field_level = |ix: &Index| {
        ix.columns.len() == 1
            && ix.method == IndexMethod::Btree
            && ix.predicate.is_none()
            && ix.order.is_empty()
            && ix.include.is_empty()
            && ix.with.is_empty()
            && ix.ops.is_empty()
            && ix.collations.is_empty()
            && !Index::is_expression(&ix.columns[0])
            && ix.name == index_name(bare(t), &ix.columns[0], ix.unique)
    };
    for ix in t.indexes.iter().filter(|ix| !field_level(ix)) {
        table_attrs.push(struct_index(ix, &field_of));
    }
    for fk in t.foreign_keys.iter().filter(|fk| field_fk(t, fk).is_none()) {
        table_attrs.push(struct_foreign_key(fk, &field_of));
    }
    for ck in t.checks.iter().filter(|c| column_of_check(t, c).is_none()) {
        let (n, e) = (&ck.name, &ck.expr);
        table_attrs.push(quote!(check(name = #n, expr = #e)));
    }
    let fields = t.columns.iter().zip(&idents).map(|(c, ident)| {
        let mut attrs = column_attrs(c, ident);
        if single_pk.is_some_and(|pk| pk.columns[0] == c.name) {
            attrs.insert(0, quote!(primary_key));
        }
        for ix in t
            .indexes
            .iter()
            .filter(|ix| field_level(ix) && ix.columns[0] == c.name)
        {
            attrs.push(if ix.constraint {
                quote!(unique_constraint)
            } else if ix.unique {
                quote!(unique)
            } else {
                quote!(index)
            });
        }
        if let Some(ck) = t
            .checks
            .iter()
            .find(|k| column_of_check(t, k) == Some(&c.name))
        {
            let e = &ck.expr;
            attrs.push(quote!(check = #e));
        }
        if let Some(fk) = t
            .foreign_keys
            .iter()
            .find(|fk| field_fk(t, fk) == Some(&c.name))
        {
            attrs.extend(references(fk));
        }
        let ty = rust_type(c);
        let attr = (!attrs.is_empty()).then(|| quote!(#[schema(#(#attrs),*)]));
        let docs = c.comment.as_deref().map(doc_lines).unwrap_or_default();
        quote! { #(#[doc = #docs])* #attr pub #ident: #ty }
    });
    quote! {
        #(#[doc = #docs])*
        #[derive(Schema)]
        #[schema(#(#table_attrs),*)]
        pub struct #name {
            #(#fields),*
        }
    }
}

/// The table's name in its schema (the names the derive gives its objects start with it).
fn bare(t: &Table) -> &str {
    split_table(&t.name).1
}

/// The name the derive gives a field-level `unique` or `index`.
fn index_name(table: &str, column: &str, unique: bool) -> String {
    let suffix = if unique { "key" } else { "idx" };
    shorten_name(&format!("{table}_{column}_{suffix}"))
}

/// The column a CHECK belongs to when its name is the one a field-level `check` gets.
fn column_of_check<'a>(t: &'a Table, ck: &Check) -> Option<&'a String> {
    t.columns
        .iter()
        .map(|c| &c.name)
        .find(|c| ck.name == shorten_name(&format!("{}_{c}_check", bare(t))))
}

/// The column of a foreign key a field-level `references` expresses: one column, to one
/// column, under the name the derive gives it.
fn field_fk<'a>(t: &Table, fk: &'a ForeignKey) -> Option<&'a String> {
    let [col] = fk.columns.as_slice() else {
        return None;
    };
    let generated = fk.name == shorten_name(&format!("{}_{col}_fkey", bare(t)));
    (fk.ref_columns.len() == 1 && generated && !fk.deferrable && !fk.initially_deferred)
        .then_some(col)
}

/// A struct-level `foreign_key(...)`: composite, named or deferrable.
fn struct_foreign_key(fk: &ForeignKey, field_of: &dyn Fn(&str) -> Option<Ident>) -> TokenStream {
    let name = &fk.name;
    let cols = fk.columns.iter().filter_map(|c| field_of(c));
    let target = format!("{}({})", fk.ref_table, fk.ref_columns.join(", "));
    let mut parts = vec![
        quote!(name = #name),
        quote!(columns(#(#cols),*)),
        quote!(references = #target),
    ];
    parts.extend(actions(fk));
    if fk.deferrable {
        parts.push(quote!(deferrable));
    }
    if fk.initially_deferred {
        parts.push(quote!(initially_deferred));
    }
    quote!(foreign_key(#(#parts),*))
}

fn references(fk: &ForeignKey) -> Vec<TokenStream> {
    let target = format!("{}({})", fk.ref_table, fk.ref_columns[0]);
    let mut out = vec![quote!(references = #target)];
    out.extend(actions(fk));
    out
}

/// `on_delete = "…"`, `on_update = "…"` when not the default.
fn actions(fk: &ForeignKey) -> Vec<TokenStream> {
    let mut out = Vec::new();
    if fk.on_delete != Default::default() {
        let a = fk.on_delete.as_sql().to_ascii_lowercase();
        out.push(quote!(on_delete = #a));
    }
    if fk.on_update != Default::default() {
        let a = fk.on_update.as_sql().to_ascii_lowercase();
        out.push(quote!(on_update = #a));
    }
    out
}

fn struct_index(ix: &Index, field_of: &dyn Fn(&str) -> Option<Ident>) -> TokenStream {
    let name = &ix.name;
    let keys = ix.columns.iter().enumerate().filter_map(|(i, c)| {
        let o = ix.order.get(i).copied().unwrap_or_default();
        let plain = o == Default::default()
            && ix.ops.get(i).is_none_or(|o| o.is_empty())
            && ix.collations.get(i).is_none_or(|c| c.is_empty());
        if Index::is_expression(c) {
            let e = &c[1..c.len() - 1];
            if plain {
                return Some(quote!(expr = #e));
            }
            let mut options = vec![quote!(#e)];
            options.extend(key_options(ix, i));
            return Some(quote!(expr(#(#options),*)));
        }
        let field = field_of(c)?;
        let order = key_options(ix, i);
        Some(if order.is_empty() {
            quote!(#field)
        } else {
            quote!(#field(#(#order),*))
        })
    });
    let mut parts = vec![quote!(name = #name), quote!(columns(#(#keys),*))];
    if !ix.include.is_empty() {
        let cols = ix.include.iter().filter_map(|c| field_of(c));
        parts.push(quote!(include(#(#cols),*)));
    }
    if !ix.with.is_empty() {
        let params = ix.with.iter().map(|p| storage_param(p));
        parts.push(quote!(with(#(#params),*)));
    }
    if ix.unique {
        parts.push(quote!(unique));
    }
    if ix.constraint {
        parts.push(quote!(constraint));
    }
    if ix.method != IndexMethod::Btree {
        let m = ix.method.as_sql();
        parts.push(quote!(using = #m));
    }
    if let Some(p) = &ix.predicate {
        parts.push(quote!(where = #p));
    }
    quote!(index(#(#parts),*))
}

/// Key `i`'s options as the derive reads them: `desc`, `nulls_first`, `ops = "…"`, ….
fn key_options(ix: &Index, i: usize) -> Vec<TokenStream> {
    let o = ix.order.get(i).copied().unwrap_or_default();
    let mut out = Vec::new();
    if o.desc {
        out.push(quote!(desc));
    }
    match o.nulls_first {
        Some(true) => out.push(quote!(nulls_first)),
        Some(false) => out.push(quote!(nulls_last)),
        None => {}
    }
    if let Some(ops) = ix.ops.get(i).filter(|o| !o.is_empty()) {
        out.push(quote!(ops = #ops));
    }
    if let Some(c) = ix.collations.get(i).filter(|c| !c.is_empty()) {
        out.push(quote!(collate = #c));
    }
    out
}

/// `fillfactor=70` → `fillfactor = 70` (numbers and `true` / `false` as literals, other
/// values as strings).
fn storage_param(p: &str) -> TokenStream {
    let (name, value) = p.split_once('=').unwrap_or((p, "true"));
    let name = Ident::new(name, Span::call_site());
    if let Ok(n) = value.parse::<u64>() {
        let n = proc_macro2::Literal::u64_unsuffixed(n);
        return quote!(#name = #n);
    }
    match value {
        "true" => quote!(#name = true),
        "false" => quote!(#name = false),
        other => quote!(#name = #other),
    }
}

fn column_attrs(c: &Column, ident: &Ident) -> Vec<TokenStream> {
    let mut out = Vec::new();
    let field = ident.to_string();
    if field.trim_start_matches("r#") != c.name {
        let n = &c.name;
        out.push(quote!(column = #n));
    }
    let (_, sql_type, max_length) = mapped(&c.sql_type);
    if let Some(t) = sql_type {
        out.push(quote!(sql_type = #t));
    }
    if let Some(n) = max_length {
        let n = proc_macro2::Literal::u32_unsuffixed(n);
        out.push(quote!(max_length = #n));
    }
    if c.identity {
        out.push(quote!(identity));
    }
    if let Some(d) = &c.default {
        out.push(quote!(default = #d));
    }
    if let Some(g) = &c.generated {
        let e = &g.expr;
        out.push(quote!(generated = #e));
        if g.is_virtual {
            out.push(quote!(virtual));
        }
    }
    out
}

/// `Option<T>` for a nullable column.
fn rust_type(c: &Column) -> TokenStream {
    let (ty, _, _) = mapped(&c.sql_type);
    if c.nullable { quote!(Option<#ty>) } else { ty }
}

/// The Rust type of an SQL type, and what the field must say besides: `sql_type` when the
/// Rust type maps to another SQL type, `max_length` for `varchar(n)`.
fn mapped(sql: &str) -> (TokenStream, Option<String>, Option<u32>) {
    if let Some(n) = sql
        .strip_prefix("character varying(")
        .and_then(|r| r.strip_suffix(')'))
        .and_then(|n| n.parse().ok())
    {
        return (quote!(String), None, Some(n));
    }
    if let Some(ty) = scalar(sql) {
        return (ty, None, None);
    }
    if let Some(ty) = sql.strip_suffix("[]").and_then(scalar) {
        return (quote!(Vec<#ty>), None, None);
    }
    let base = sql.split('(').next().unwrap_or(sql).trim();
    let ty = scalar(base).unwrap_or_else(|| quote!(String));
    (ty, Some(sql.to_owned()), None)
}

/// The Rust type the derive maps to exactly this SQL type.
fn scalar(sql: &str) -> Option<TokenStream> {
    Some(match sql {
        "smallint" => quote!(i16),
        "integer" => quote!(i32),
        "bigint" => quote!(i64),
        "real" => quote!(f32),
        "double precision" => quote!(f64),
        "boolean" => quote!(bool),
        "text" => quote!(String),
        "bytea" => quote!(Vec<u8>),
        "uuid" => quote!(uuid::Uuid),
        "timestamp with time zone" => quote!(chrono::DateTime<chrono::Utc>),
        "timestamp without time zone" => quote!(chrono::NaiveDateTime),
        "date" => quote!(chrono::NaiveDate),
        "time without time zone" => quote!(chrono::NaiveTime),
        "numeric" => quote!(rust_decimal::Decimal),
        "jsonb" => quote!(serde_json::Value),
        _ => return None,
    })
}

/// Struct names: the table's in UpperCamelCase, made unique.
#[derive(Default)]
struct Names(Vec<String>);

impl Names {
    fn struct_name(&mut self, table: &str) -> Ident {
        let camel = heck::ToUpperCamelCase::to_upper_camel_case(table);
        let base = valid_ident(&camel, "Table");
        let ident = unique(&mut self.0, base);
        Ident::new(&ident, Span::call_site())
    }
}

/// Field names of one struct: the column's in snake_case, raw for keywords, made unique.
#[derive(Default)]
struct FieldNames(Vec<String>);

impl FieldNames {
    fn ident(&mut self, column: &str) -> Ident {
        let snake = heck::ToSnakeCase::to_snake_case(column);
        let base = valid_ident(&snake, "column");
        let name = unique(&mut self.0, base);
        if syn::parse_str::<Ident>(&name).is_ok() {
            Ident::new(&name, Span::call_site())
        } else {
            // A keyword that may be raw (`type`, `match`); the derive strips `r#`.
            Ident::new_raw(&name, Span::call_site())
        }
    }
}

/// `name` made of ASCII letters, digits and `_`, not starting with a digit, not one of
/// the keywords that cannot be raw.
fn valid_ident(name: &str, fallback: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.trim_matches('_').is_empty() {
        s = fallback.to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("{fallback}_{s}");
    }
    if ["self", "Self", "super", "crate", "_"].contains(&s.as_str()) {
        s.push('_');
    }
    s
}

fn unique(taken: &mut Vec<String>, base: String) -> String {
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}
