//! `#[derive(Schema)]` on a Rust enum: a PostgreSQL enum type, one label per unit variant
//! in declaration order. The type's name and the labels follow the same keys sqlx's
//! `#[derive(sqlx::Type)]` reads, so one enum serves both: `type_name` and `rename_all`
//! on the enum, `rename` on a variant, in `#[schema(…)]` or, when that does not say,
//! `#[sqlx(…)]`. Labels are the variant names as written unless renamed, as in sqlx.

use super::attr::{Slot, Sp, for_each_key_of, key_of, skip_value, string_value, unknown_key};
use super::ctxt::Ctxt;
use super::symbol::{ENUM_KEYS, RENAME, RENAME_ALL, SCHEMA, TYPE_NAME, VARIANT_KEYS};
use crate::model::EnumType;
use crate::sql::MAX_IDENT_BYTES;
use heck::{ToKebabCase, ToLowerCamelCase, ToPascalCase, ToShoutySnakeCase, ToSnakeCase as _};
use syn::spanned::Spanned as _;

/// The enum type a `#[derive(Schema)]` enum describes, or every error in it.
pub fn enum_from_derive(input: &syn::DeriveInput) -> Result<EnumType, syn::Error> {
    let mut cx = Ctxt::default();
    let out = build(&mut cx, input);
    cx.check()?;
    out.ok_or_else(|| syn::Error::new(input.ident.span(), "invalid `Schema` enum"))
}

/// `type_name`, `rename_all` or `rename` from `#[schema(…)]`, else from `#[sqlx(…)]`.
struct Keys {
    type_name: Slot<String>,
    rename_all: Slot<String>,
    rename: Slot<String>,
}

fn keys(cx: &mut Ctxt, attrs: &[syn::Attribute], known: &[&str], place: &str) -> Keys {
    let mut ours = read(cx, attrs, SCHEMA, known, place);
    let theirs = read(cx, attrs, "sqlx", known, place);
    for (mine, other) in [
        (&mut ours.type_name, theirs.type_name),
        (&mut ours.rename_all, theirs.rename_all),
        (&mut ours.rename, theirs.rename),
    ] {
        if mine.get().is_none()
            && let Some(v) = other.get()
        {
            mine.set(cx, v.span, v.value.clone());
        }
    }
    ours
}

fn read(cx: &mut Ctxt, attrs: &[syn::Attribute], name: &str, known: &[&str], place: &str) -> Keys {
    let mut out = Keys {
        type_name: Slot::new(TYPE_NAME),
        rename_all: Slot::new(RENAME_ALL),
        rename: Slot::new(RENAME),
    };
    for_each_key_of(cx, attrs, name, |cx, meta| {
        let key = key_of(&meta);
        let slot = match key.as_str() {
            k if !known.contains(&k) => {
                return if name == SCHEMA {
                    unknown_key(cx, &meta, &key, known, place)
                } else {
                    skip_value(&meta) // another derive's key
                };
            }
            TYPE_NAME => &mut out.type_name,
            RENAME_ALL => &mut out.rename_all,
            _ => &mut out.rename,
        };
        string_value(cx, &meta, slot)
    });
    out
}

fn build(cx: &mut Ctxt, input: &syn::DeriveInput) -> Option<EnumType> {
    let syn::Data::Enum(data) = &input.data else {
        return None;
    };
    let keys = keys(cx, &input.attrs, ENUM_KEYS, "on an enum");
    let name = match keys.type_name.get() {
        Some(t) => Some(super::table_key(cx, &t.value, t.span, "type name")),
        None => {
            cx.error_at(
                input.ident.span(),
                format!(
                    "name the PostgreSQL type of enum `{}`: `#[schema(type_name = \"{}\")]` (or sqlx's `#[sqlx(type_name = \"…\")]`)",
                    input.ident,
                    input.ident.to_string().to_snake_case()
                ),
            );
            None
        }
    };
    let rename_all = keys.rename_all.get();
    if let Some(r) = rename_all
        && case(&r.value, "x").is_none()
    {
        cx.error_at(
            r.span,
            format!(
                "unknown `rename_all` rule `{}`; expected one of: lowercase, UPPERCASE, snake_case, SCREAMING_SNAKE_CASE, kebab-case, camelCase, PascalCase",
                r.value
            ),
        );
    }
    if data.variants.is_empty() {
        cx.error_at(
            input.ident.span(),
            "an enum type needs at least one variant (a label)",
        );
    }
    let mut values: Vec<String> = Vec::new();
    for v in &data.variants {
        if let Some(label) = label(cx, v, rename_all) {
            if values.contains(&label) {
                cx.error_at(
                    v.ident.span(),
                    format!("the label '{label}' is already an earlier variant's"),
                );
            }
            values.push(label);
        }
    }
    Some(EnumType {
        name: name?,
        values,
    })
}

/// The label of one variant, checked.
fn label(cx: &mut Ctxt, v: &syn::Variant, rename_all: Option<&Sp<String>>) -> Option<String> {
    if !matches!(v.fields, syn::Fields::Unit) {
        cx.error_at(
            v.fields.span(),
            "an enum type's variants are labels: this one carries data; a column of it holds one of the labels only",
        );
        return None;
    }
    let keys = keys(cx, &v.attrs, VARIANT_KEYS, "on an enum variant");
    let label = match (keys.rename.get(), rename_all) {
        (Some(r), _) => r.value.clone(),
        // An unknown rule is reported once, on the rule.
        (None, Some(rule)) => {
            case(&rule.value, &v.ident.to_string()).unwrap_or_else(|| v.ident.to_string())
        }
        (None, None) => v.ident.to_string(),
    };
    let span = keys.rename.span().unwrap_or(v.ident.span());
    if label.is_empty() {
        cx.error_at(span, "an enum label cannot be empty");
    } else if label.len() > MAX_IDENT_BYTES {
        cx.error_at(
            span,
            format!(
                "the label '{label}' is {} bytes; PostgreSQL allows {MAX_IDENT_BYTES}",
                label.len()
            ),
        );
    }
    Some(label)
}

/// `name` under sqlx's `rename_all` rule `rule`, or `None` for an unknown rule.
fn case(rule: &str, name: &str) -> Option<String> {
    Some(match rule {
        "lowercase" => name.to_lowercase(),
        "UPPERCASE" => name.to_uppercase(),
        "snake_case" => name.to_snake_case(),
        "SCREAMING_SNAKE_CASE" => name.to_shouty_snake_case(),
        "kebab-case" => name.to_kebab_case(),
        "camelCase" => name.to_lower_camel_case(),
        "PascalCase" => name.to_pascal_case(),
        _ => return None,
    })
}
