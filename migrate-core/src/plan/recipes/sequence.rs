//! The sequence behind a serial column that a swap replaces (a rename or a type change):
//! the sequence belongs to the old column, so dropping that column would take the sequence
//! the new column's default calls (PostgreSQL refuses: the default depends on it). In the
//! swap's transaction it moves to the new column (`OWNED BY`) and, for a type change
//! between integer types, takes the new type (`AS bigint`: an `integer` sequence stops at
//! 2,147,483,647 whatever its column's type). The down gives it back.

use crate::catalogue::{Kind, On};
use crate::model::Column;
use crate::phase::Phase;
use crate::plan::step::{Down, Step};
use crate::sql::{ident, table_ref};

/// Integer types a sequence can have.
const SEQUENCE_TYPES: &[&str] = &["smallint", "integer", "bigint"];

/// A serial column's sequence, as SQL (quoted, schema-qualified when the default is).
pub struct Serial {
    sequence: String,
}

impl Serial {
    /// The sequence of a column whose default, the same before and after, is
    /// `nextval('<sequence>'::regclass)`.
    pub fn of(from: &Column, to: &Column) -> Option<Serial> {
        let default = from.default.as_deref()?;
        if to.default.as_deref() != Some(default) {
            return None;
        }
        let parts = nextval_sequence(default)?;
        let sequence = parts.iter().map(|p| ident(p)).collect::<Vec<_>>().join(".");
        Some(Serial { sequence })
    }

    /// Contract, in the swap's transaction before the old column goes: the sequence owned
    /// by `physical` (and of its type); the down gives it back to the restored old column.
    pub fn hand_over(&self, table: &str, physical: &str, from: &Column, to: &Column) -> Step {
        Step {
            down: vec![Down::new(
                Kind::AlterSequence,
                self.alter(table, &from.name, retype(to, from)),
            )],
            shares_transaction: true,
            ..Step::on(
                Phase::Contract,
                Kind::AlterSequence,
                table,
                On::table(self.sequence.clone()),
                format!(
                    "Give the sequence {} to {}: dropping {} would drop it{}.",
                    self.sequence,
                    ident(physical),
                    ident(&from.name),
                    retype(from, to)
                        .map(|t| format!(". As {t}, it counts on past the old type's range"))
                        .unwrap_or_default()
                ),
                self.alter(table, physical, retype(from, to)),
            )
        }
    }

    fn alter(&self, table: &str, column: &str, sql_type: Option<&str>) -> String {
        let retyped = sql_type.map(|t| format!(" AS {t}")).unwrap_or_default();
        format!(
            "ALTER SEQUENCE {}{retyped} OWNED BY {}.{}",
            self.sequence,
            table_ref(table),
            ident(column)
        )
    }
}

/// The type the sequence takes when the column goes from `from` to `to`.
fn retype<'a>(from: &Column, to: &'a Column) -> Option<&'a str> {
    let to_type = to.sql_type.as_str();
    (from.sql_type != to.sql_type && SEQUENCE_TYPES.contains(&to_type)).then_some(to_type)
}

/// The name parts of the sequence in `nextval('<name>'[::regclass])`, as PostgreSQL reads
/// the literal (unquoted parts folded to lower case); `None` for any other expression.
pub fn nextval_sequence(default: &str) -> Option<Vec<String>> {
    let inner = default.trim().strip_prefix("nextval(")?.strip_suffix(')')?;
    let inner = inner.trim();
    let literal = inner.strip_suffix("::regclass").unwrap_or(inner).trim();
    let name = literal.strip_prefix('\'')?.strip_suffix('\'')?;
    if name.replace("''", "").contains('\'') {
        return None;
    }
    name_parts(&name.replace("''", "'"))
}

/// `a.b`, `"A"."b c"` … split into identifiers; `None` unless every part is a plain or a
/// quoted identifier.
fn name_parts(name: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut chars = name.chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push('"');
                    }
                    '"' => break,
                    c => part.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| c.is_alphanumeric() || *c == '_' || *c == '$') {
                part.extend(c.to_lowercase());
            }
        }
        if part.is_empty() {
            return None;
        }
        parts.push(part);
        match chars.next() {
            None => break,
            Some('.') => {}
            Some(_) => return None,
        }
    }
    (parts.len() <= 2).then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::nextval_sequence;

    #[test]
    fn reads_the_sequence_of_a_nextval_default() {
        let parts = |d: &str| nextval_sequence(d).map(|p| p.join("|"));
        assert_eq!(
            parts("nextval('tickets_id_seq'::regclass)").as_deref(),
            Some("tickets_id_seq")
        );
        assert_eq!(
            parts("nextval('billing.Inv_id_seq')").as_deref(),
            Some("billing|inv_id_seq")
        );
        assert_eq!(
            parts(r#"nextval('"We""ird"."it''s"'::regclass)"#).as_deref(),
            Some(r#"We"ird|it's"#)
        );
        for not_one in [
            "now()",
            "nextval(seq_name())",
            "nextval('a; DROP TABLE t')",
            "nextval('a.b.c.d')",
            "nextval('a'::regclass) + 1",
        ] {
            assert_eq!(parts(not_one), None, "{not_one}");
        }
    }
}
