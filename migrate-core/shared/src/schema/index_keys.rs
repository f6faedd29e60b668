//! The parts of a struct-level `index(...)` beyond names: keys with their order, operator
//! class and collation, `columns(published(desc), email(ops = "text_pattern_ops",
//! collate = "C"), expr = "lower(email)")`, and storage parameters, `with(fillfactor = 70,
//! pages_per_range = 1)`.

use super::attr::{Sp, key_of, skip_value, unknown_key, value_expr};
use super::ctxt::Ctxt;
use super::symbol::*;
use crate::model::KeyOrder;
use syn::meta::ParseNestedMeta;
use syn::{Expr, Lit};

/// One key of an index as written: a column (its name) or an expression (`expr = "…"`).
pub struct Key {
    /// The column's name, or the expression.
    pub name: Sp<String>,
    /// An expression rather than a column.
    pub expr: bool,
    /// Its order.
    pub order: KeyOrder,
    /// Its operator class, `""` for the default.
    pub ops: String,
    /// Its collation, `""` for the column's own.
    pub collate: String,
}

/// `(a, b(desc), c(nulls_first, ops = "…", collate = "…"), expr = "lower(d)")` — the keys.
pub fn key_list(cx: &mut Ctxt, meta: &ParseNestedMeta) -> syn::Result<Vec<Key>> {
    let mut keys = Vec::new();
    if !meta.input.peek(syn::token::Paren) {
        let key = key_of(meta);
        cx.error_spanned_by(
            &meta.path,
            format!("`{key}` takes a list of columns, e.g. `{key}(a, b(desc))`"),
        );
        skip_value(meta)?;
        return Ok(keys);
    }
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident(EXPR) && inner.input.peek(syn::token::Paren) {
            keys.extend(expr_with_options(cx, &inner)?);
            return Ok(());
        }
        if inner.path.is_ident(EXPR) && inner.input.peek(syn::Token![=]) {
            if let Some(e) = word(cx, &inner, "an expression, e.g. `expr = \"lower(email)\"`")? {
                keys.push(Key {
                    name: e,
                    expr: true,
                    order: KeyOrder::default(),
                    ops: String::new(),
                    collate: String::new(),
                });
            }
            return Ok(());
        }
        let Some(id) = inner
            .path
            .get_ident()
            .filter(|_| !inner.input.peek(syn::Token![=]))
        else {
            cx.error_spanned_by(&inner.path, "expected a column name, or `expr = \"…\"`");
            return skip_value(&inner);
        };
        let mut options = KeyOptions::default();
        if inner.input.peek(syn::token::Paren) {
            inner.parse_nested_meta(|o| {
                let k = key_of(&o);
                if !options.set(&k, || name_value(cx, &o))? {
                    unknown_key(cx, &o, &k, ORDER_KEYS, "in a key's options")?;
                }
                Ok(())
            })?;
        }
        let name = Sp {
            value: id.to_string().trim_start_matches("r#").to_owned(),
            span: id.span(),
        };
        keys.push(options.key(name, false));
        Ok(())
    })?;
    if keys.is_empty() {
        cx.error_spanned_by(&meta.path, "the column list is empty");
    }
    Ok(keys)
}

/// `expr("lower(name)", desc, ops = "gin_trgm_ops", collate = "C")`: an expression key
/// with its options.
fn expr_with_options(cx: &mut Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<Key>> {
    let content;
    syn::parenthesized!(content in meta.input);
    let expr: syn::LitStr = content.parse()?;
    let mut options = KeyOptions::default();
    while content.peek(syn::Token![,]) {
        content.parse::<syn::Token![,]>()?;
        if content.is_empty() {
            break;
        }
        let word: syn::Ident = syn::ext::IdentExt::parse_any(&content)?;
        let w = word.to_string();
        let known = options.set(&w, || {
            content.parse::<syn::Token![=]>()?;
            let v: syn::LitStr = content.parse()?;
            Ok(checked_name(cx, &w, v.value(), v.span()))
        })?;
        if !known {
            cx.error_at(
                word.span(),
                format!(
                    "unknown option `{w}` of an expression key; expected one of: {}",
                    ORDER_KEYS.join(", ")
                ),
            );
        }
    }
    let text = expr.value().trim().to_owned();
    if text.is_empty() {
        cx.error_at(
            expr.span(),
            "expected an expression, e.g. `expr(\"lower(email)\")`",
        );
        return Ok(None);
    }
    let name = Sp {
        value: text,
        span: expr.span(),
    };
    Ok(Some(options.key(name, true)))
}

/// A key's options as written: order, operator class, collation.
#[derive(Default)]
struct KeyOptions {
    desc: bool,
    nulls_first: Option<bool>,
    ops: String,
    collate: String,
}

impl KeyOptions {
    /// Sets option `word` (`value` reads the name `ops` and `collate` take); `false` for a
    /// word that is no option.
    fn set(
        &mut self,
        word: &str,
        value: impl FnOnce() -> syn::Result<String>,
    ) -> syn::Result<bool> {
        match word {
            ASC => self.desc = false,
            DESC => self.desc = true,
            NULLS_FIRST => self.nulls_first = Some(true),
            NULLS_LAST => self.nulls_first = Some(false),
            OPS => self.ops = value()?,
            COLLATE => self.collate = value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn key(self, name: Sp<String>, expr: bool) -> Key {
        Key {
            name,
            expr,
            order: KeyOrder::new(self.desc, self.nulls_first),
            ops: self.ops,
            collate: self.collate,
        }
    }
}

/// `= "text"`: the string, or an error saying `what` it should be.
fn word(cx: &mut Ctxt, meta: &ParseNestedMeta, what: &str) -> syn::Result<Option<Sp<String>>> {
    let Some(expr) = value_expr(cx, meta)? else {
        return Ok(None);
    };
    match &expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) if !s.value().trim().is_empty() => Ok(Some(Sp {
            value: s.value().trim().to_owned(),
            span: s.span(),
        })),
        _ => {
            cx.error_spanned_by(&expr, format!("expected {what}"));
            Ok(None)
        }
    }
}

/// `ops = "gin_trgm_ops"`, `collate = "C"`: a name (letters, digits, `_`, `.`, `-`).
fn name_value(cx: &mut Ctxt, meta: &ParseNestedMeta) -> syn::Result<String> {
    let key = key_of(meta);
    let Some(w) = word(cx, meta, &format!("a name, e.g. `{key} = \"…\"`"))? else {
        return Ok(String::new());
    };
    Ok(checked_name(cx, &key, w.value, w.span))
}

/// `value` of option `key`, with an error at `span` unless it is a name (letters, digits,
/// `_`, `.`, `-`; a schema-qualified identifier at most).
fn checked_name(cx: &mut Ctxt, key: &str, value: String, span: proc_macro2::Span) -> String {
    let fine = !value.is_empty()
        && value.len() <= crate::sql::MAX_IDENT_BYTES * 2 + 1
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if !fine {
        cx.error_at(
            span,
            format!("`{key}` is a name: letters, digits, `_`, `.` and `-`"),
        );
    }
    value
}

/// `(fillfactor = 70, autosummarize = true, buffering = "auto")` — as `name=value`, the way
/// PostgreSQL lists an index's storage parameters.
pub fn storage_params(cx: &mut Ctxt, meta: &ParseNestedMeta) -> syn::Result<Vec<String>> {
    let mut params = Vec::new();
    if !meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            "`with` takes storage parameters, e.g. `with(fillfactor = 70)`",
        );
        skip_value(meta)?;
        return Ok(params);
    }
    meta.parse_nested_meta(|p| {
        let name = key_of(&p);
        let Some(expr) = value_expr(cx, &p)? else {
            return Ok(());
        };
        let value = match &expr {
            Expr::Lit(syn::ExprLit { lit, .. }) => match lit {
                Lit::Int(i) => Some(i.base10_digits().to_owned()),
                Lit::Float(f) => Some(f.base10_digits().to_owned()),
                Lit::Bool(b) => Some(b.value.to_string()),
                Lit::Str(s) => Some(s.value()).filter(|v| {
                    !v.is_empty()
                        && v.chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
                }),
                _ => None,
            },
            _ => None,
        };
        match value {
            Some(v) if name.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
                params.push(format!("{name}={v}"));
            }
            Some(_) => cx.error_spanned_by(&p.path, "a storage parameter's name is lower-case letters and `_`"),
            None => cx.error_spanned_by(
                &expr,
                "a storage parameter's value is a number, `true` / `false`, or a word such as \"auto\"",
            ),
        }
        Ok(())
    })?;
    Ok(params)
}
