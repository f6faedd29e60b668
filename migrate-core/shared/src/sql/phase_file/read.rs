//! Reading a phase file back, for the apply engine and the linter: its statements split by
//! a lexer that knows PostgreSQL's quoting (strings, `E''` strings, quoted identifiers,
//! dollar quotes, line and nested block comments), grouped into the units that run
//! together, with the markers [`super::write`] puts before a statement.

use super::{
    BATCH_MARKER, DESTRUCTIVE_MARKER, DESTRUCTIVE_NOTE, IRREVERSIBLE_MARKER, LOSES_DATA_MARKER,
    NO_TRANSACTION_MARKER,
};
use crate::sql::phase_file::Batch;

/// One statement of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement, without its trailing semicolon and preceding comments.
    pub sql: String,
    /// Line (1-based) where it starts.
    pub line: usize,
    /// Marked to run outside any transaction.
    pub no_transaction: bool,
    /// Marked as a backfill to run in keyset batches.
    pub batch: Option<Batch>,
    /// What it destroys, from its destructive markers.
    pub destroys: Vec<String>,
    /// In a down file: the data it drops (written since the up ran), from its
    /// `-- migrate:loses-data` markers.
    pub loses_data: Vec<String>,
    /// In a down file: why it cannot restore the data, from its `-- migrate:irreversible`
    /// markers.
    pub irreversible: Vec<String>,
}

/// Statements that run together: several in one transaction (`BEGIN` … `COMMIT` in the
/// file), or one alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Its statements.
    pub statements: Vec<Statement>,
    /// Whether their locks block traffic (the file's `SET lock_timeout` before them is not
    /// zero): they get the short lock timeout and retries.
    pub short_lock_timeout: bool,
}

impl Unit {
    /// Whether it runs in a transaction (everything but a lone `CONCURRENTLY`-like statement).
    pub fn transactional(&self) -> bool {
        !self.statements.iter().any(|s| s.no_transaction)
    }
}

/// Why a file could not be read as a phase script.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// Unterminated quote or comment.
    #[error("line {line}: unterminated {what}")]
    Unterminated {
        /// Where it starts.
        line: usize,
        /// What is open.
        what: &'static str,
    },
    /// A `-- migrate:batch` marker whose JSON does not parse.
    #[error("line {line}: bad `{BATCH_MARKER}` marker: {message}")]
    BadBatch {
        /// Line of the marker.
        line: usize,
        /// The JSON error.
        message: String,
    },
    /// `BEGIN` without `COMMIT`, `COMMIT` without `BEGIN`, or a statement that must run
    /// outside a transaction inside one.
    #[error("line {line}: {message}")]
    Structure {
        /// Line of the statement.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// A statement with the comment lines right before it.
pub struct Raw {
    /// The statement, without its semicolon and the comments before it.
    pub sql: String,
    /// Line where it starts.
    pub line: usize,
    /// The comments before it: `(line, text)`.
    pub comments: Vec<(usize, String)>,
}

/// Where the (nested) block comment opening at `i` ends, counting its lines into `line`.
fn block_comment_end(chars: &[char], mut i: usize, line: &mut usize) -> Result<usize, ScriptError> {
    let open = *line;
    let at = |i: usize, s: &str| chars[i..].iter().take(s.len()).copied().eq(s.chars());
    let mut depth = 0;
    loop {
        if i >= chars.len() {
            return Err(ScriptError::Unterminated {
                line: open,
                what: "block comment",
            });
        }
        if at(i, "/*") {
            depth += 1;
            i += 2;
        } else if at(i, "*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Ok(i);
            }
        } else {
            if chars[i] == '\n' {
                *line += 1;
            }
            i += 1;
        }
    }
}

/// Where the quoted text opening at `i` ends: `None` when no quote opens there,
/// `Some(None)` when it never closes.
fn quoted_end(chars: &[char], i: usize) -> Option<Option<usize>> {
    match chars[i] {
        '\'' => {
            let escapes =
                i > 0 && matches!(chars[i - 1], 'E' | 'e') && (i < 2 || !ident_char(chars, i - 2));
            Some(close_quote(chars, i, '\'', escapes))
        }
        '"' => Some(close_quote(chars, i, '"', false)),
        '$' if !(i > 0 && ident_char(chars, i - 1)) => dollar_tag(chars, i).map(|tag| {
            let body = i + tag.len();
            (body..=chars.len().saturating_sub(tag.len()))
                .find(|&j| chars[j..].iter().take(tag.len()).copied().eq(tag.chars()))
                .map(|j| j + tag.len())
        }),
        _ => None,
    }
}

/// Splits `text` into statements (empty ones dropped).
pub fn split(text: &str) -> Result<Vec<Raw>, ScriptError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let mut current = String::new();
    let mut start_line = 0;
    let mut comments: Vec<(usize, String)> = Vec::new();
    let at = |i: usize, s: &str| chars[i..].iter().take(s.len()).copied().eq(s.chars());
    while i < chars.len() {
        let c = chars[i];
        let started = !current.trim().is_empty();
        if c == '-' && at(i, "--") {
            let end = chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |p| i + p);
            let comment: String = chars[i..end].iter().collect();
            if started {
                current.push_str(&comment);
            } else {
                comments.push((line, comment));
            }
            i = end;
            continue;
        }
        if c == '/' && at(i, "/*") {
            let begin = i;
            i = block_comment_end(&chars, i, &mut line)?;
            if started {
                current.extend(&chars[begin..i]);
            }
            continue;
        }
        if c == ';' {
            if started {
                out.push(Raw {
                    sql: current.trim().to_owned(),
                    line: start_line,
                    comments: std::mem::take(&mut comments),
                });
            }
            current.clear();
            i += 1;
            continue;
        }
        if !started && !c.is_whitespace() {
            start_line = line;
        }
        // Quoted text: copied as it is, semicolons and all.
        match quoted_end(&chars, i) {
            Some(Some(end)) => {
                for &ch in &chars[i..end] {
                    if ch == '\n' {
                        line += 1;
                    }
                    current.push(ch);
                }
                i = end;
            }
            Some(None) => {
                return Err(ScriptError::Unterminated {
                    line,
                    what: "quoted text",
                });
            }
            None => {
                if c == '\n' {
                    line += 1;
                    if !started {
                        // A blank line separates comments from the statement they are not
                        // about.
                        if i + 1 < chars.len() && chars[i + 1] == '\n' {
                            comments.clear();
                        }
                    }
                }
                current.push(c);
                i += 1;
            }
        }
    }
    if !current.trim().is_empty() {
        out.push(Raw {
            sql: current.trim().to_owned(),
            line: start_line,
            comments,
        });
    }
    Ok(out)
}

fn ident_char(chars: &[char], i: usize) -> bool {
    chars
        .get(i)
        .is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// End (exclusive) of the quote opened at `i`, or `None` when it never closes.
fn close_quote(chars: &[char], i: usize, q: char, backslash: bool) -> Option<usize> {
    let mut j = i + 1;
    while j < chars.len() {
        if backslash && chars[j] == '\\' {
            j += 2;
            continue;
        }
        if chars[j] == q {
            if chars.get(j + 1) == Some(&q) {
                j += 2;
                continue;
            }
            return Some(j + 1);
        }
        j += 1;
    }
    None
}

/// The dollar-quote tag (`$$`, `$body$`) starting at `i`, if one does.
fn dollar_tag(chars: &[char], i: usize) -> Option<String> {
    let mut j = i + 1;
    while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
        j += 1;
    }
    (chars.get(j) == Some(&'$') && !chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()))
        .then(|| chars[i..=j].iter().collect())
}

/// Reads a phase file into the units the apply engine runs. `SET lock_timeout` lines set
/// whether the units after them block traffic; `BEGIN`/`COMMIT` group a transaction.
pub fn parse(text: &str) -> Result<Vec<Unit>, ScriptError> {
    let mut units = Vec::new();
    let mut short_lock_timeout = true;
    let mut open: Option<(usize, Vec<Statement>)> = None;
    for raw in split(text)? {
        let upper = raw.sql.to_ascii_uppercase();
        let words: Vec<&str> = upper.split_whitespace().collect();
        match words.as_slice() {
            ["SET", "LOCK_TIMEOUT", "=" | "TO", value] => {
                short_lock_timeout = !matches!(value.trim_matches('\''), "0" | "0S" | "0MS");
                continue;
            }
            ["BEGIN"] | ["BEGIN", "TRANSACTION"] | ["START", "TRANSACTION"] => {
                if open.is_some() {
                    return Err(structure(raw.line, "BEGIN inside a transaction"));
                }
                open = Some((raw.line, Vec::new()));
                continue;
            }
            ["COMMIT"] | ["END"] => {
                let Some((_, statements)) = open.take() else {
                    return Err(structure(raw.line, "COMMIT without BEGIN"));
                };
                if !statements.is_empty() {
                    units.push(Unit {
                        statements,
                        short_lock_timeout,
                    });
                }
                continue;
            }
            _ => {}
        }
        let statement = statement(raw)?;
        match &mut open {
            Some(_) if statement.no_transaction => {
                return Err(structure(
                    statement.line,
                    "a statement marked to run outside a transaction is inside BEGIN … COMMIT",
                ));
            }
            Some((_, statements)) => statements.push(statement),
            None => units.push(Unit {
                statements: vec![statement],
                short_lock_timeout,
            }),
        }
    }
    if let Some((line, _)) = open {
        return Err(structure(line, "BEGIN without COMMIT"));
    }
    Ok(units)
}

fn structure(line: usize, message: &str) -> ScriptError {
    ScriptError::Structure {
        line,
        message: message.to_owned(),
    }
}

fn statement(raw: Raw) -> Result<Statement, ScriptError> {
    let mut s = Statement {
        sql: raw.sql,
        line: raw.line,
        no_transaction: false,
        batch: None,
        destroys: Vec::new(),
        loses_data: Vec::new(),
        irreversible: Vec::new(),
    };
    for (line, comment) in raw.comments {
        if comment.starts_with(NO_TRANSACTION_MARKER) {
            s.no_transaction = true;
        } else if let Some(json) = comment.strip_prefix(BATCH_MARKER) {
            s.batch =
                Some(
                    serde_json::from_str(json.trim()).map_err(|e| ScriptError::BadBatch {
                        line,
                        message: e.to_string(),
                    })?,
                );
        } else if let Some(what) = comment.strip_prefix(DESTRUCTIVE_MARKER) {
            let what = what.trim_end();
            let what = what.strip_suffix(DESTRUCTIVE_NOTE).unwrap_or(what);
            s.destroys.push(what.trim().to_owned());
        } else if let Some(why) = comment.strip_prefix(LOSES_DATA_MARKER) {
            s.loses_data.push(why.trim().to_owned());
        } else if let Some(why) = comment.strip_prefix(IRREVERSIBLE_MARKER) {
            s.irreversible.push(why.trim().to_owned());
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_semicolons_outside_quotes_and_comments() {
        let text = "-- a; comment\nSELECT 'a;b', \"c;d\", E'\\';'; /* x; /* nested; */ */\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\nSELECT $1 ;";
        let units = parse(text).unwrap();
        let sql: Vec<&str> = units
            .iter()
            .flat_map(|u| &u.statements)
            .map(|s| s.sql.as_str())
            .collect();
        assert_eq!(
            sql,
            [
                "SELECT 'a;b', \"c;d\", E'\\';'",
                "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
                "SELECT $1",
            ]
        );
        assert_eq!(units[1].statements[0].line, 3);
    }

    #[test]
    fn reads_the_rendered_structure_and_markers() {
        let text = format!(
            "SET lock_timeout = '2s';\n\nBEGIN;\n\n-- Step 1\nALTER TABLE t DROP COLUMN a;\n-- Step 2\n{DESTRUCTIVE_MARKER} column \"t\".\"b\" (applied only with explicit acknowledgement)\nALTER TABLE t DROP COLUMN b;\n\nCOMMIT;\n\n-- The next locks block no reads or writes.\nSET lock_timeout = 0;\n\n-- Step 3\n{NO_TRANSACTION_MARKER} (cannot run inside a transaction)\nCREATE INDEX CONCURRENTLY i ON t (c);\n\n-- Step 4\n{BATCH_MARKER} {{\"table\":\"t\",\"key\":[\"id\"],\"set\":[[\"c\",\"1\"]],\"condition\":\"c IS NULL\",\"batch_size\":10}}\nUPDATE t SET c = 1 WHERE c IS NULL;\n"
        );
        let units = parse(&text).unwrap();
        assert_eq!(units.len(), 3);
        assert_eq!(units[0].statements.len(), 2);
        assert!(units[0].short_lock_timeout && units[0].transactional());
        assert_eq!(units[0].statements[1].destroys, ["column \"t\".\"b\""]);
        assert!(!units[1].short_lock_timeout && !units[1].transactional());
        assert_eq!(
            units[2].statements[0].batch.as_ref().unwrap().batch_size,
            10
        );
    }

    #[test]
    fn reads_the_down_markers() {
        let text = format!(
            "-- Undo step 2: Drop column\n{IRREVERSIBLE_MARKER} its values are not restored\nALTER TABLE t ADD COLUMN b int;\n-- Undo step 1: Add table\n{LOSES_DATA_MARKER} drops the rows written since\nDROP TABLE u;\nDROP INDEX i;\n"
        );
        let units = parse(&text).unwrap();
        let s: Vec<_> = units.iter().flat_map(|u| &u.statements).collect();
        assert_eq!(s[0].irreversible, ["its values are not restored"]);
        assert!(s[0].loses_data.is_empty());
        assert_eq!(s[1].loses_data, ["drops the rows written since"]);
        assert!(s[2].loses_data.is_empty() && s[2].irreversible.is_empty());
    }

    #[test]
    fn reports_broken_files_with_their_line() {
        assert_eq!(
            parse("SELECT 1;\nSELECT 'open;").unwrap_err(),
            ScriptError::Unterminated {
                line: 2,
                what: "quoted text"
            }
        );
        assert!(matches!(
            parse("BEGIN;\nSELECT 1;").unwrap_err(),
            ScriptError::Structure { line: 1, .. }
        ));
        assert!(matches!(
            parse("-- migrate:batch {oops\nUPDATE t SET a = 1;").unwrap_err(),
            ScriptError::BadBatch { line: 1, .. }
        ));
    }
}
