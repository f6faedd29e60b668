//! The parts of a struct-level `index(...)` beyond names: key columns with their order,
//! `columns(published(desc), id(desc, nulls_last))`, and storage parameters,
//! `with(fillfactor = 70, pages_per_range = 1)`.

use super::attr::{Sp, key_of, skip_value, unknown_key, value_expr};
use super::ctxt::Ctxt;
use super::symbol::*;
use crate::model::KeyOrder;
use syn::meta::ParseNestedMeta;
use syn::{Expr, Lit};

/// `(a, b(desc), c(nulls_first))` — key columns, each with its order.
pub fn key_list(cx: &mut Ctxt, meta: &ParseNestedMeta) -> syn::Result<Vec<(Sp<String>, KeyOrder)>> {
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
        let Some(id) = inner
            .path
            .get_ident()
            .filter(|_| !inner.input.peek(syn::Token![=]))
        else {
            cx.error_spanned_by(&inner.path, "expected a column name");
            return skip_value(&inner);
        };
        let (mut desc, mut nulls_first) = (false, None);
        if inner.input.peek(syn::token::Paren) {
            inner.parse_nested_meta(|o| {
                match key_of(&o).as_str() {
                    ASC => desc = false,
                    DESC => desc = true,
                    NULLS_FIRST => nulls_first = Some(true),
                    NULLS_LAST => nulls_first = Some(false),
                    other => unknown_key(cx, &o, other, ORDER_KEYS, "in a column's order")?,
                }
                Ok(())
            })?;
        }
        keys.push((
            Sp {
                value: id.to_string().trim_start_matches("r#").to_owned(),
                span: id.span(),
            },
            KeyOrder::new(desc, nulls_first),
        ));
        Ok(())
    })?;
    if keys.is_empty() {
        cx.error_spanned_by(&meta.path, "the column list is empty");
    }
    Ok(keys)
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
