//! The SQL statements inside a `DO` block, so the linter judges them like top-level ones.
//! PL/pgSQL is not SQL: the body is split into statements with the phase-file lexer, and
//! each is read from its first SQL command word that starts a statement (at the start, or
//! after `BEGIN`, `THEN`, `ELSE` or `LOOP`); `EXECUTE '…'` with a plain string literal is
//! read as the statement it runs. Control flow, assignments, `PERFORM`, `RAISE` and dynamic
//! SQL built at run time (`EXECUTE format(…)`) are not statements the linter can judge.

/// Words that start an SQL statement the linter has rules for.
const COMMANDS: &[&str] = &[
    "ALTER", "CREATE", "DROP", "UPDATE", "DELETE", "INSERT", "VACUUM", "CLUSTER", "REINDEX",
    "LOCK", "TRUNCATE", "GRANT", "REVOKE", "COMMENT",
];

/// Words after which a new statement starts inside a PL/pgSQL block.
const OPENERS: &[&str] = &["BEGIN", "THEN", "ELSE", "LOOP"];

/// The text inside a string literal (`'…'`, `E'…'` without escapes, or `$tag$…$tag$`).
pub fn unquote(literal: &str) -> Option<String> {
    let l = literal.trim();
    if let Some(rest) = l.strip_prefix('$') {
        let end = rest.find('$')?;
        let tag = &l[..end + 2];
        let inner = l.strip_prefix(tag)?.strip_suffix(tag)?;
        return Some(inner.to_owned());
    }
    let inner = l.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

/// The statements of a PL/pgSQL block body the linter can judge.
pub fn statements(body: &str) -> Vec<String> {
    let Ok(chunks) = crate::sql::phase_file::split(body) else {
        return Vec::new();
    };
    chunks
        .iter()
        .filter_map(|raw| statement_in(&raw.sql))
        .collect()
}

/// The SQL an `EXECUTE` runs: a string literal, or the format string of `format('…', …)`
/// with its `%I`, `%s` and `%L` placeholders read as a name.
fn executed(arg: &str) -> Option<String> {
    let lower = arg.to_ascii_lowercase();
    match lower.strip_prefix("format").map(str::trim_start) {
        Some(rest) if rest.starts_with('(') => {
            let open = arg.len() - rest.len() + 1;
            let template = leading_literal(arg[open..].trim_start())?;
            Some(
                template
                    .replace("%I", "x")
                    .replace("%s", "x")
                    .replace("%L", "'x'")
                    .replace("%%", "%"),
            )
        }
        _ => unquote(arg),
    }
}

/// The single-quoted literal `text` starts with, unescaped (`'it''s', 1` → `it's`).
fn leading_literal(text: &str) -> Option<String> {
    let rest = text.strip_prefix('\'')?;
    let mut out = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' if chars.peek() == Some(&'\'') => {
                out.push('\'');
                chars.next();
            }
            '\'' => return Some(out),
            c => out.push(c),
        }
    }
    None
}

fn statement_in(chunk: &str) -> Option<String> {
    let words: Vec<(usize, &str)> = chunk
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - chunk.as_ptr() as usize, w))
        .collect();
    words.iter().enumerate().find_map(|(i, (at, w))| {
        let starts = i == 0
            || OPENERS
                .iter()
                .any(|o| words[i - 1].1.eq_ignore_ascii_case(o));
        if !starts {
            return None;
        }
        if w.eq_ignore_ascii_case("EXECUTE") {
            let (arg, _) = words.get(i + 1)?;
            return executed(&chunk[*arg..]).filter(|s| starts_with_command(s));
        }
        is_command(w).then(|| chunk[*at..].to_owned())
    })
}

fn is_command(word: &str) -> bool {
    COMMANDS.iter().any(|c| word.eq_ignore_ascii_case(c))
}

fn starts_with_command(sql: &str) -> bool {
    sql.split_whitespace().next().is_some_and(is_command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_statements_of_a_block() {
        let body = "
DECLARE
  n int;
BEGIN
  ALTER TABLE t ADD COLUMN c int;
  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'i') THEN
    CREATE INDEX i ON t (c);
  ELSE
    UPDATE t SET c = 0;
  END IF;
  n := 1;
  PERFORM pg_sleep(0);
  EXECUTE 'ALTER TABLE t ALTER COLUMN c SET NOT NULL';
  EXECUTE format('DROP TABLE %I', 'x');
  FOR r IN SELECT 1 LOOP DELETE FROM t WHERE c = 1; END LOOP;
END";
        assert_eq!(
            statements(body),
            [
                "ALTER TABLE t ADD COLUMN c int",
                "CREATE INDEX i ON t (c)",
                "UPDATE t SET c = 0",
                "ALTER TABLE t ALTER COLUMN c SET NOT NULL",
                "DROP TABLE x",
                "DELETE FROM t WHERE c = 1",
            ]
        );
    }

    #[test]
    fn unquotes_literals() {
        assert_eq!(unquote("$$ x $$").as_deref(), Some(" x "));
        assert_eq!(unquote("$body$ a$b $body$").as_deref(), Some(" a$b "));
        assert_eq!(unquote("'it''s'").as_deref(), Some("it's"));
        assert_eq!(unquote("format('x')"), None);
    }

    #[test]
    fn reads_the_sql_of_execute_format() {
        let body = "BEGIN\n  EXECUTE format('CREATE INDEX CONCURRENTLY %I ON t (c)', 'i');\n  EXECUTE format ( 'ALTER TABLE %s ADD COLUMN n text DEFAULT ''x''', part);\nEND";
        assert_eq!(
            statements(body),
            [
                "CREATE INDEX CONCURRENTLY x ON t (c)",
                "ALTER TABLE x ADD COLUMN n text DEFAULT 'x'"
            ]
        );
    }
}
