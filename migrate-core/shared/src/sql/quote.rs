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
    fn quotes_literals() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal(r"back\slash"), r"'back\slash'");
    }
}
