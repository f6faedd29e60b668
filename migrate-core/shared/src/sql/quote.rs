//! Quoting. Every identifier the toolkit writes passes through [`ident`]; every user string
//! that becomes an SQL literal passes through [`literal`].

/// Quotes an identifier: `users` → `"users"`, `a"b` → `"a""b"`.
pub fn ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for ch in name.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
    out
}

/// The schema and bare name of a table key: `billing.invoices` → (`billing`, `invoices`);
/// a key without a dot is a table of `public`. The models name tables of other schemas
/// `schema.table` (`#[schema(table = "billing.invoices")]`), introspection reads them so.
pub fn split_table(key: &str) -> (&str, &str) {
    key.split_once('.').unwrap_or(("public", key))
}

/// The key of table `name` in `schema`: bare in `public`, `schema.name` elsewhere.
pub fn table_key(schema: &str, name: &str) -> String {
    if schema == "public" {
        name.to_owned()
    } else {
        format!("{schema}.{name}")
    }
}

/// Quotes a table key: `users` → `"users"`, `billing.invoices` → `"billing"."invoices"`.
pub fn table_ref(key: &str) -> String {
    match key.split_once('.') {
        Some((schema, name)) => format!("{}.{}", ident(schema), ident(name)),
        None => ident(key),
    }
}

/// A table key always schema-qualified, for SQL that runs under another `search_path`
/// (views of a version schema): `users` → `public."users"`.
pub fn full_table_ref(key: &str) -> String {
    match key.split_once('.') {
        Some(_) => table_ref(key),
        None => format!("public.{}", ident(key)),
    }
}

/// Quotes `name`, an object living in the schema of table `key` (an index, a function),
/// qualified when that schema is not `public`: (`billing.invoices`, `ix`) → `"billing"."ix"`.
pub fn in_schema_of(key: &str, name: &str) -> String {
    match key.split_once('.') {
        Some((schema, _)) => format!("{}.{}", ident(schema), ident(name)),
        None => ident(name),
    }
}

/// Quotes a string literal: `it's` → `'it''s'` (standard_conforming_strings is on since
/// PostgreSQL 9.1, so backslashes need no escaping).
pub fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// `("a", "b")` — a parenthesised list of quoted identifiers.
pub fn qualified_columns(columns: &[String]) -> String {
    let quoted: Vec<String> = columns.iter().map(|c| ident(c)).collect();
    format!("({})", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_identifiers() {
        assert_eq!(ident("users"), r#""users""#);
        assert_eq!(ident("User Name"), r#""User Name""#);
        assert_eq!(ident(r#"a"b"#), r#""a""b""#);
        assert_eq!(ident("order"), r#""order""#);
        assert_eq!(ident("ünï"), r#""ünï""#);
    }

    #[test]
    fn quotes_table_keys() {
        assert_eq!(table_ref("users"), r#""users""#);
        assert_eq!(table_ref("billing.invoices"), r#""billing"."invoices""#);
        assert_eq!(in_schema_of("billing.invoices", "ix"), r#""billing"."ix""#);
        assert_eq!(in_schema_of("invoices", "ix"), r#""ix""#);
        assert_eq!(split_table("invoices"), ("public", "invoices"));
        assert_eq!(split_table("billing.invoices"), ("billing", "invoices"));
        assert_eq!(table_key("public", "a"), "a");
        assert_eq!(table_key("billing", "a"), "billing.a");
    }

    #[test]
    fn quotes_literals() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal(r"back\slash"), r"'back\slash'");
    }
}
