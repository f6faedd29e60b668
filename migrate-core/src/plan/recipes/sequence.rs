//! The sequence behind a column that a swap replaces (a rename or a type change).
//!
//! A serial's sequence belongs to the old column, so dropping that column would take the
//! sequence the new column's default calls (PostgreSQL refuses: the default depends on it).
//! In the swap's transaction it moves to the new column (`OWNED BY`) and, for a type change
//! between integer types, takes the new type (`AS bigint`: an `integer` sequence stops at
//! 2,147,483,647 whatever its column's type).
//!
//! An identity's sequence cannot change hands, so the new column gets an identity of its
//! own in the swap's transaction, counting on from the old one's next value (`setval`),
//! under a temporary name until the old column and its sequence are gone, then under the
//! name PostgreSQL gives a column's identity. Until then the old column's identity numbers
//! both versions' inserts (the sync trigger copies it). The downs give everything back.

use crate::catalogue::{Kind, On};
use crate::model::Column;
use crate::phase::Phase;
use crate::plan::recipes::names;
use crate::plan::step::{Down, Step};
use crate::sql::{ident, in_schema_of, literal, shorten_name, split_table, table_ref};

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

/// An identity column swapped for another (`from` and `to` both identities).
pub struct Identity<'a> {
    /// The table.
    pub table: &'a str,
    /// The old column.
    pub from: &'a Column,
    /// The new column, until the swap renames it.
    pub physical: &'a str,
    /// The column after.
    pub to: &'a Column,
}

impl Identity<'_> {
    /// The name PostgreSQL gives the identity sequence of the column after.
    fn final_name(&self) -> String {
        shorten_name(&format!(
            "{}_{}_seq",
            split_table(self.table).1,
            self.to.name
        ))
    }

    fn temp_name(&self) -> String {
        names::temp_name(&self.final_name())
    }

    /// Contract, in the swap's transaction before the old column goes: the new column's
    /// identity, set to the old one's next value. Their downs give the restored old column
    /// its identity back, counting on from the new one.
    pub fn take_over(&self) -> Vec<Step> {
        let (table, physical, old) = (self.table, self.physical, &self.from.name);
        let temp = in_schema_of(table, &self.temp_name());
        vec![
            Step {
                down: vec![Down::new(
                    Kind::DropIdentity,
                    format!(
                        "ALTER TABLE {} ALTER COLUMN {} DROP IDENTITY IF EXISTS",
                        table_ref(table),
                        ident(physical)
                    ),
                )],
                shares_transaction: true,
                ..Step::new(
                    Phase::Contract,
                    Kind::AddIdentity,
                    table,
                    format!(
                        "Give {} an identity of its own (the old one goes with {}).",
                        ident(physical),
                        ident(old)
                    ),
                    add_identity(table, physical, Some(&temp)),
                )
            },
            Step {
                down: vec![
                    Down::new(Kind::AddIdentity, add_identity(table, old, None)),
                    Down::new(
                        Kind::SetSequenceValue,
                        set_to_next(&serial_sequence(table, old), &literal(&temp)),
                    ),
                ],
                shares_transaction: true,
                ..Step::on(
                    Phase::Contract,
                    Kind::SetSequenceValue,
                    table,
                    On::table(temp.clone()),
                    format!(
                        "Count on from the next value of the identity of {}.",
                        ident(old)
                    ),
                    set_to_next(&literal(&temp), &serial_sequence(table, old)),
                )
            },
        ]
    }

    /// Contract, after the swap's renames: the new identity's sequence takes the name
    /// PostgreSQL gives a column's identity.
    pub fn rename(&self) -> Step {
        let (temp, name) = (self.temp_name(), self.final_name());
        let rename = |from: &str, to: &str| {
            format!(
                "ALTER SEQUENCE {} RENAME TO {}",
                in_schema_of(self.table, from),
                ident(to)
            )
        };
        Step {
            down: vec![Down::new(Kind::RenameSequence, rename(&name, &temp))],
            shares_transaction: true,
            ..Step::on(
                Phase::Contract,
                Kind::RenameSequence,
                self.table,
                On::table(in_schema_of(self.table, &temp)),
                format!(
                    "Name the identity's sequence {} (the old one is gone).",
                    ident(&name)
                ),
                rename(&temp, &name),
            )
        }
    }
}

/// `ALTER TABLE t ALTER COLUMN c ADD GENERATED BY DEFAULT AS IDENTITY [(SEQUENCE NAME s)]`.
pub fn add_identity(table: &str, column: &str, sequence: Option<&str>) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} ADD GENERATED BY DEFAULT AS IDENTITY{}",
        table_ref(table),
        ident(column),
        sequence
            .map(|s| format!(" (SEQUENCE NAME {s})"))
            .unwrap_or_default()
    )
}

/// `pg_get_serial_sequence('t', 'c')`: the identity sequence of a column, found at run time.
pub fn serial_sequence(table: &str, column: &str) -> String {
    format!(
        "pg_get_serial_sequence({}, {})",
        literal(&table_ref(table)),
        literal(column)
    )
}

/// `SELECT setval(s, nextval(from), false)`: `s` hands out next what `from` would have.
pub fn set_to_next(sequence: &str, from: &str) -> String {
    format!("SELECT setval({sequence}, nextval({from}), false)")
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
