//! Whether an `UPDATE` or `DELETE` changes only a few rows: the data fix of a support ticket
//! (`WHERE id = 7`, `WHERE code IN ('a', 'b')`), one batch of a hand-rolled backfill
//! (`WHERE id BETWEEN 1 AND 5000`, `WHERE id IN (SELECT id … LIMIT 1000)`, a `LIMIT`-ed
//! CTE). Those hold row locks on a handful of rows for a moment; an `UPDATE` of every row
//! that matches a broad condition is another statement (`unbatched-update`).

use squawk_syntax::SyntaxNode;
use squawk_syntax::ast::{self, AstNode};

/// The most rows a `LIMIT` or a `BETWEEN` range may name and still count as a few.
pub const FEW_ROWS: i64 = 10_000;

/// Whether the statement (an `UPDATE` or `DELETE`) changes only a few rows.
pub fn few_rows(stmt: &SyntaxNode) -> bool {
    let limited = stmt
        .descendants()
        .filter_map(ast::LimitClause::cast)
        .filter_map(|l| l.limit_value())
        .any(|v| {
            v.syntax()
                .text()
                .to_string()
                .trim()
                .parse::<i64>()
                .is_ok_and(|n| n <= FEW_ROWS)
        });
    limited || top_where(stmt).is_some_and(|w| names_few_rows(&w))
}

/// The statement's own `WHERE` condition (not a subquery's), as text.
fn top_where(stmt: &SyntaxNode) -> Option<String> {
    stmt.children()
        .flat_map(|c| std::iter::once(c.clone()).chain(c.children()))
        .find_map(ast::WhereClause::cast)
        .and_then(|w| w.expr())
        .map(|e| e.syntax().text().to_string())
}

/// Whether one term of the condition's top-level `AND` pins the rows: a key-like column
/// equal to a literal or in a list of literals, or a numeric `BETWEEN` range of at most
/// [`FEW_ROWS`].
fn names_few_rows(condition: &str) -> bool {
    let terms = super::classify::conjuncts(condition);
    terms.iter().enumerate().any(|(i, term)| {
        let words: Vec<String> = term
            .split_whitespace()
            .map(|w| w.to_ascii_lowercase())
            .collect();
        match words.as_slice() {
            [column, between, low] if between == "between" && key_like(column) => {
                let high = terms.get(i + 1).map(|t| t.trim());
                match (low.parse::<i64>(), high.and_then(|h| h.parse::<i64>().ok())) {
                    (Ok(low), Some(high)) => (0..=FEW_ROWS).contains(&(high - low)),
                    _ => false,
                }
            }
            _ => equality(term) || in_list(term),
        }
    })
}

/// `key = literal`.
fn equality(term: &str) -> bool {
    let Some((column, value)) = term.split_once('=') else {
        return false;
    };
    let column = column.trim();
    !column.ends_with(['<', '>', '!']) && key_like(column) && literal(value.trim())
}

/// `key IN (literal, …)`.
fn in_list(term: &str) -> bool {
    let lower = term.to_ascii_lowercase();
    let Some((column, list)) = lower.split_once(" in ") else {
        return false;
    };
    let Some(items) = list
        .trim()
        .strip_prefix('(')
        .and_then(|l| l.strip_suffix(')'))
    else {
        return false;
    };
    key_like(column.trim()) && items.split(',').all(|i| literal(i.trim()))
}

fn literal(value: &str) -> bool {
    let quoted = value.len() >= 2
        && value.starts_with('\'')
        && value.ends_with('\'')
        && !value[1..value.len() - 1].contains('\'');
    quoted || value.parse::<f64>().is_ok()
}

/// A column that names a row or a few: `id`, `uuid`, `code`, `slug`, `email`, `key`,
/// `token`, or `…_id`, `…_uuid`, `…_code`, `…_key` (a table prefix and quotes allowed).
fn key_like(column: &str) -> bool {
    let name = column
        .rsplit('.')
        .next()
        .unwrap_or(column)
        .trim_matches('"');
    let name = name.to_ascii_lowercase();
    if !name.chars().all(|c| c.is_alphanumeric() || c == '_') || name.is_empty() {
        return false;
    }
    matches!(
        name.as_str(),
        "id" | "uuid" | "code" | "slug" | "email" | "key" | "token"
    ) || ["_id", "_uuid", "_code", "_key"]
        .iter()
        .any(|s| name.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmt(sql: &str) -> SyntaxNode {
        let file = squawk_syntax::SourceFile::parse(sql).tree();
        let s = file.stmts().next().unwrap_or_else(|| panic!("{sql}"));
        s.syntax().clone()
    }

    #[test]
    fn data_fixes_and_batches_change_few_rows() {
        for sql in [
            "UPDATE orders SET status = 'refunded' WHERE id = 881203",
            "DELETE FROM orders WHERE id IN (90211, 90212, 90215)",
            "UPDATE tariffs SET active = false WHERE code = 'LEGACY-2019'",
            "UPDATE c SET email = lower(email) WHERE c.\"id\" = 5 AND deleted_at IS NULL",
            "UPDATE t SET a = id WHERE id BETWEEN 1000001 AND 1005000",
            "UPDATE t SET a = id WHERE id IN (SELECT id FROM t WHERE a IS NULL ORDER BY id LIMIT 1000)",
            "WITH b AS (SELECT id FROM s WHERE e < now() LIMIT 5000) DELETE FROM s USING b WHERE s.id = b.id",
        ] {
            assert!(few_rows(&stmt(sql)), "{sql}");
        }
    }

    #[test]
    fn broad_conditions_change_many_rows() {
        for sql in [
            "UPDATE orders SET status = 'x' WHERE status = 'pending' AND created_at < '2023-01-01'",
            "DELETE FROM e WHERE created_at < now() - interval '2 years'",
            "UPDATE t SET a = 0",
            "UPDATE t SET a = 0 WHERE a IS NULL",
            "UPDATE t SET a = id WHERE id BETWEEN 1 AND 5000000",
            "UPDATE t SET a = 0 WHERE id > 7",
            "UPDATE t SET a = 0 WHERE user_id = other_id",
            "UPDATE t SET a = 0 WHERE id IN (SELECT id FROM u)",
            "UPDATE t SET a = 0 WHERE id IN (SELECT id FROM u LIMIT 500000)",
        ] {
            assert!(!few_rows(&stmt(sql)), "{sql}");
        }
    }
}
