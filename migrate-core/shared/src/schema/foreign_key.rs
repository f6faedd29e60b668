//! A struct-level `foreign_key(columns(a, b), references = "t(x, y)", name = "…",
//! on_delete = "…", on_update = "…", deferrable, initially_deferred)`: composite, named or
//! deferrable foreign keys, as adopted databases have them (a field's `references` is one
//! column under the generated name).

use super::attr::{
    Slot, Sp, fk_action, flag, ident_list, key_of, skip_value, string_lit, string_value,
    unknown_key,
};
use super::ctxt::Ctxt;
use super::symbol::*;
use crate::model::FkAction;
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned as _;

/// `foreign_key(...)` as written.
pub struct ForeignKeyAttr {
    pub span: Span,
    pub columns: Slot<Vec<Sp<String>>>,
    /// The referenced table and its columns.
    pub references: Slot<(String, Vec<String>)>,
    pub name: Slot<String>,
    pub on_delete: Slot<FkAction>,
    pub on_update: Slot<FkAction>,
    pub deferrable: Slot<()>,
    pub initially_deferred: Slot<()>,
}

/// Parses one struct-level `foreign_key(...)`.
pub fn parse(cx: &mut Ctxt, meta: &ParseNestedMeta) -> syn::Result<ForeignKeyAttr> {
    let mut fk = ForeignKeyAttr {
        span: meta.path.span(),
        columns: Slot::new(COLUMNS),
        references: Slot::new(REFERENCES),
        name: Slot::new(NAME),
        on_delete: Slot::new(ON_DELETE),
        on_update: Slot::new(ON_UPDATE),
        deferrable: Slot::new(DEFERRABLE),
        initially_deferred: Slot::new(INITIALLY_DEFERRED),
    };
    if !meta.input.peek(syn::token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            "a struct-level `foreign_key` takes a list, e.g. `foreign_key(columns(org_id, team_id), references = \"teams(org_id, id)\")`",
        );
        return skip_value(meta).map(|_| fk);
    }
    meta.parse_nested_meta(|inner| {
        let key = key_of(&inner);
        match key.as_str() {
            COLUMNS => {
                let cols = ident_list(cx, &inner)?;
                fk.columns.set(cx, inner.path.span(), cols);
                Ok(())
            }
            REFERENCES => {
                let Some(lit) = string_lit(cx, &inner)? else {
                    return Ok(());
                };
                match parse_references(&lit.value()) {
                    Ok(r) => fk.references.set(cx, lit.span(), r),
                    Err(msg) => cx.error_spanned_by(&lit, msg),
                }
                Ok(())
            }
            NAME => string_value(cx, &inner, &mut fk.name),
            ON_DELETE => fk_action(cx, &inner, &mut fk.on_delete),
            ON_UPDATE => fk_action(cx, &inner, &mut fk.on_update),
            DEFERRABLE => flag(cx, &inner, &mut fk.deferrable),
            INITIALLY_DEFERRED => flag(cx, &inner, &mut fk.initially_deferred),
            _ => unknown_key(
                cx,
                &inner,
                &key,
                FOREIGN_KEY_KEYS,
                "inside `foreign_key(...)`",
            ),
        }
    })?;
    Ok(fk)
}

/// `teams(org_id, id)` → (`teams`, [`org_id`, `id`]).
fn parse_references(s: &str) -> Result<(String, Vec<String>), String> {
    const HINT: &str = "expected `table(column, …)`, e.g. `references = \"teams(org_id, id)\"`";
    let (table, rest) = s.trim().split_once('(').ok_or(HINT)?;
    let inner = rest.trim().strip_suffix(')').ok_or(HINT)?;
    let columns: Vec<String> = inner.split(',').map(|c| c.trim().to_owned()).collect();
    if table.trim().is_empty()
        || columns
            .iter()
            .any(|c| c.is_empty() || c.contains(['(', ')']))
    {
        return Err(HINT.to_owned());
    }
    Ok((table.trim().to_owned(), columns))
}

#[cfg(test)]
mod tests {
    use super::parse_references;

    #[test]
    fn reads_the_referenced_table_and_columns() {
        assert_eq!(
            parse_references(" teams ( org_id , id ) ").unwrap(),
            (
                "teams".to_owned(),
                vec!["org_id".to_owned(), "id".to_owned()]
            )
        );
        for bad in ["teams", "teams()", "teams(a,)", "(a)", "teams(a(b))"] {
            assert!(parse_references(bad).is_err(), "{bad}");
        }
    }
}
