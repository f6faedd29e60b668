//! Column references in SQL expressions (a CHECK, an index predicate), read with squawk's
//! lexer: a string literal, a function of the same name or a type after `::` is not a
//! reference.

use super::quote::ident;
use squawk_lexer::{TokenKind, tokenize};

/// The tokens of `expr` with their text.
fn tokens(expr: &str) -> Vec<(TokenKind, &str)> {
    let mut at = 0;
    tokenize(expr)
        .map(|t| {
            let end = at + t.len as usize;
            let text = &expr[at..end];
            at = end;
            (t.kind, text)
        })
        .collect()
}

/// The column a token names, if it is one: an unquoted identifier folded to lower case, a
/// quoted one as written; not a function name (followed by `(`) nor a type (after `::`).
fn column_of(toks: &[(TokenKind, &str)], i: usize) -> Option<String> {
    let significant = |k: &TokenKind| !matches!(k, TokenKind::Whitespace);
    let next = toks[i + 1..].iter().find(|(k, _)| significant(k));
    if matches!(next, Some((TokenKind::OpenParen, _))) {
        return None;
    }
    let mut before = toks[..i].iter().rev().filter(|(k, _)| significant(k));
    if matches!(
        (before.next(), before.next()),
        (Some((TokenKind::Colon, _)), Some((TokenKind::Colon, _)))
    ) {
        return None;
    }
    let (kind, text) = toks[i];
    match kind {
        TokenKind::Ident => Some(text.to_lowercase()),
        TokenKind::QuotedIdent { .. } => Some(
            text.trim_start_matches('"')
                .trim_end_matches('"')
                .replace("\"\"", "\""),
        ),
        _ => None,
    }
}

/// Whether `expr` references column `column`.
pub fn references_column(expr: &str, column: &str) -> bool {
    let toks = tokens(expr);
    (0..toks.len()).any(|i| column_of(&toks, i).as_deref() == Some(column))
}

/// `expr` with every reference to column `from` replaced by `to`, quoted.
pub fn rename_column_in(expr: &str, from: &str, to: &str) -> String {
    let toks = tokens(expr);
    let mut out = String::with_capacity(expr.len());
    for (i, (_, text)) in toks.iter().enumerate() {
        if column_of(&toks, i).as_deref() == Some(from) {
            out.push_str(&ident(to));
        } else {
            out.push_str(text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_not_literals_functions_or_types() {
        assert!(references_column("rank <> 0", "rank"));
        assert!(references_column("\"Rank\" > 1", "Rank"));
        assert!(references_column("RANK > 1", "rank"));
        assert!(!references_column("\"Rank\" > 1", "rank"));
        assert!(!references_column("state = 'rank'", "rank"));
        assert!(!references_column("lower(email) <> ''", "lower"));
        assert!(!references_column("x::text <> ''", "text"));
        assert!(!references_column("ranking > 0", "rank"));
    }

    #[test]
    fn renames_references_only() {
        assert_eq!(
            rename_column_in(
                "rank <> 0 AND note <> 'rank' AND t.rank > 1",
                "rank",
                "rank_new"
            ),
            "\"rank_new\" <> 0 AND note <> 'rank' AND t.\"rank_new\" > 1"
        );
        assert_eq!(
            rename_column_in("(\"Rank\" > 0)", "Rank", "Rank_new"),
            "(\"Rank_new\" > 0)"
        );
    }
}
