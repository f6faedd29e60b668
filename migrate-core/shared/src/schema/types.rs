//! Rust type → SQL type, by path segments (never by stringified tokens).

use syn::{GenericArgument, PathArguments, Type};

/// What a field's Rust type maps to.
pub struct Mapped {
    /// Canonical SQL type.
    pub sql_type: String,
    /// The base type is `String` (so `max_length` applies).
    pub is_string: bool,
}

/// Whether the type is `Option<T>`, and `T`.
pub fn unwrap_option(ty: &Type) -> (bool, &Type) {
    match single_generic(ty, "Option") {
        Some(inner) => (true, inner),
        None => (false, ty),
    }
}

/// Maps a field type; `None` when there is no mapping (the user must give `sql_type`).
pub fn map_type(ty: &Type) -> Option<Mapped> {
    let (_, base) = unwrap_option(ty);
    let sql_type = scalar(base).or_else(|| {
        let elem = single_generic(base, "Vec")?;
        if last_ident(elem).as_deref() == Some("u8") {
            return Some("bytea".to_owned());
        }
        scalar(elem).map(|s| format!("{s}[]"))
    })?;
    let name = last_ident(base);
    Some(Mapped {
        is_string: name.as_deref() == Some("String"),
        sql_type,
    })
}

fn scalar(ty: &Type) -> Option<String> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let segs: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let last = segs.last()?.as_str();
    let sql = match last {
        "i16" => "smallint",
        "i32" => "integer",
        "i64" => "bigint",
        "f32" => "real",
        "f64" => "double precision",
        "bool" => "boolean",
        "String" => "text",
        "Uuid" => "uuid",
        "DateTime" | "OffsetDateTime" => "timestamp with time zone",
        "NaiveDateTime" | "PrimitiveDateTime" => "timestamp without time zone",
        "NaiveDate" | "Date" => "date",
        "NaiveTime" | "Time" => "time without time zone",
        "Decimal" | "BigDecimal" => "numeric",
        "Json" | "JsonValue" => "jsonb",
        // `serde_json::Value`, or `Value` imported from it.
        "Value" if segs.len() == 1 || segs.iter().any(|s| s == "serde_json") => "jsonb",
        _ => return None,
    };
    Some(sql.to_owned())
}

fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn single_generic<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let first = types.next()?;
    types.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(ty: &str) -> Option<(String, bool)> {
        let ty: Type = syn::parse_str(ty).unwrap();
        map_type(&ty).map(|m| (m.sql_type, unwrap_option(&ty).0))
    }

    #[test]
    fn maps_by_path() {
        let cases = [
            ("i16", "smallint", false),
            ("i32", "integer", false),
            ("i64", "bigint", false),
            ("f32", "real", false),
            ("f64", "double precision", false),
            ("bool", "boolean", false),
            ("String", "text", false),
            ("std::string::String", "text", false),
            ("Vec<u8>", "bytea", false),
            ("uuid::Uuid", "uuid", false),
            ("DateTime<Utc>", "timestamp with time zone", false),
            (
                "chrono::DateTime<chrono::Utc>",
                "timestamp with time zone",
                false,
            ),
            ("time::OffsetDateTime", "timestamp with time zone", false),
            ("NaiveDateTime", "timestamp without time zone", false),
            ("PrimitiveDateTime", "timestamp without time zone", false),
            ("NaiveDate", "date", false),
            ("time::Date", "date", false),
            ("NaiveTime", "time without time zone", false),
            ("rust_decimal::Decimal", "numeric", false),
            ("serde_json::Value", "jsonb", false),
            ("sqlx::types::Json<Settings>", "jsonb", false),
            ("Vec<String>", "text[]", false),
            ("Vec<i64>", "bigint[]", false),
            ("Option<i32>", "integer", true),
            ("Option<Vec<uuid::Uuid>>", "uuid[]", true),
        ];
        for (ty, want, nullable) in cases {
            assert_eq!(sql(ty), Some((want.to_owned(), nullable)), "{ty}");
        }
    }

    #[test]
    fn unmapped() {
        for ty in [
            "u32",
            "i8",
            "Money",
            "HashMap<String, i32>",
            "Vec<Money>",
            "&str",
            "other::Value",
        ] {
            assert_eq!(sql(ty), None, "{ty}");
        }
    }
}
