//! Generated rows for a scratch database: `n` rows in every table of a snapshot, parents
//! before the tables that reference them. Row `g` (1 to `n`) gets, in each column, a value
//! of the column's type made from `g`, so keys are unique and a foreign key column takes
//! its referenced column's value for the same `g` (a row of the parent that exists).
//! Generated columns are left to the server; columns with a default take it unless a
//! foreign key references them (its rows must find theirs); a type it cannot make a value
//! of is NULL where allowed, or an error naming the column.

use super::ApplyError;
use crate::model::{EnumType, Table};
use crate::sql::{ident, literal, table_ref};
use sqlx::PgConnection;

/// Inserts `n` rows into each of `tables` and analyzes them.
pub(super) async fn seed(
    conn: &mut PgConnection,
    tables: &[Table],
    n: u64,
) -> Result<(), ApplyError> {
    for t in order(tables) {
        let (columns, values) = row_of(t, tables)?;
        let table = table_ref(&t.name);
        let sql = if columns.is_empty() {
            format!("INSERT INTO {table} SELECT FROM generate_series(1, {n}) g")
        } else {
            format!(
                "INSERT INTO {table} ({}) SELECT {} FROM generate_series(1, {n}) g",
                columns.join(", "),
                values.join(", ")
            )
        };
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await
            .map_err(|e| ApplyError::Seed {
                table: t.name.clone(),
                reason: e.to_string(),
            })?;
        // A sequence behind the values given would hand them out again.
        for c in &t.columns {
            let sql = format!(
                "SELECT setval(s, greatest({n}, 1)) FROM (SELECT pg_get_serial_sequence({}, {}) AS s) q WHERE s IS NOT NULL",
                literal(&table),
                literal(&c.name)
            );
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await?;
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ANALYZE {table}")))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Parents first; a table in a cycle of foreign keys after what it can follow.
fn order(tables: &[Table]) -> Vec<&Table> {
    let mut out: Vec<&Table> = Vec::with_capacity(tables.len());
    let mut left: Vec<&Table> = tables.iter().collect();
    while !left.is_empty() {
        let ready = left.iter().position(|t| {
            t.foreign_keys.iter().all(|fk| {
                fk.ref_table == t.name
                    || out.iter().any(|o| o.name == fk.ref_table)
                    || !left.iter().any(|l| l.name == fk.ref_table)
            })
        });
        out.push(left.remove(ready.unwrap_or(0)));
    }
    out
}

/// The columns to insert and the expression of each, over row number `g`.
fn row_of(t: &Table, tables: &[Table]) -> Result<(Vec<String>, Vec<String>), ApplyError> {
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for c in &t.columns {
        let referenced = tables.iter().any(|o| {
            o.foreign_keys
                .iter()
                .any(|fk| fk.ref_table == t.name && fk.ref_columns.contains(&c.name))
        });
        if c.generated.is_some() || (c.default.is_some() && !c.identity && !referenced) {
            continue;
        }
        let referenced = t.foreign_keys.iter().find_map(|fk| {
            let i = fk.columns.iter().position(|x| *x == c.name)?;
            let parent = tables.iter().find(|p| p.name == fk.ref_table)?;
            let rc = parent
                .columns
                .iter()
                .find(|x| x.name == fk.ref_columns[i])?;
            Some((rc.sql_type.clone(), &parent.enums))
        });
        let (sql_type, enums) = referenced.unwrap_or((c.sql_type.clone(), &t.enums));
        let value = match value_of(&sql_type, enums) {
            Some(v) => format!("({v})::{}", c.sql_type),
            None if c.nullable => "NULL".to_owned(),
            None => {
                return Err(ApplyError::Seed {
                    table: t.name.clone(),
                    reason: format!(
                        "cannot make a value of type {} for column {}: trace on a database that has rows (--database-url)",
                        c.sql_type, c.name
                    ),
                });
            }
        };
        columns.push(ident(&c.name));
        values.push(value);
    }
    Ok((columns, values))
}

/// An expression of `sql_type` made from `g`.
fn value_of(sql_type: &str, enums: &[EnumType]) -> Option<String> {
    if let Some(element) = sql_type.strip_suffix("[]") {
        return value_of(element, enums).map(|v| format!("ARRAY[{v}]"));
    }
    if let Some(e) = enums.iter().find(|e| e.types(sql_type)) {
        let n = e.values.len().max(1);
        return Some(format!("(enum_range(NULL::{}))[1 + g % {n}]", e.sql_type()));
    }
    let base = sql_type.split('(').next().unwrap_or(sql_type).trim();
    let modifiers: Vec<u32> = sql_type
        .split_once('(')
        .map(|(_, r)| {
            r.trim_end_matches(')')
                .split(',')
                .filter_map(|m| m.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let width = modifiers.first().copied();
    Some(match base {
        "smallint" => "g % 32767".to_owned(),
        "integer" | "bigint" | "real" | "double precision" | "oid" => "g".to_owned(),
        // numeric(p, s) holds p - s digits before the point.
        "numeric" => match modifiers[..] {
            [p] => format!("g % 1e{}", p.min(30)),
            [p, s] => format!("g % 1e{}", p.saturating_sub(s).min(30)),
            _ => "g".to_owned(),
        },
        "text" | "citext" | "character varying" | "character" | "varchar" | "char" => match width {
            Some(w) => format!("right('v' || g, {w})"),
            None => "'v' || g".to_owned(),
        },
        "boolean" => "g % 2 = 0".to_owned(),
        "timestamp with time zone" | "timestamp without time zone" | "date" => {
            "timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute'".to_owned()
        }
        "time without time zone" | "time with time zone" => {
            "time '00:00' + g * interval '1 second'".to_owned()
        }
        "interval" => "g * interval '1 second'".to_owned(),
        "uuid" => "md5(g::text)".to_owned(),
        "json" | "jsonb" => "json_build_object('n', g)::text".to_owned(),
        "bytea" => "decode(md5(g::text), 'hex')".to_owned(),
        "inet" | "cidr" => "inet '10.0.0.0' + g".to_owned(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_common_type_gets_a_value_and_an_unknown_one_none() {
        for t in [
            "integer",
            "bigint",
            "character varying(20)",
            "text[]",
            "timestamp with time zone",
            "uuid",
            "jsonb",
            "numeric(10,2)",
        ] {
            assert!(value_of(t, &[]).is_some(), "{t}");
        }
        assert_eq!(
            value_of("character varying(4)", &[]).as_deref(),
            Some("right('v' || g, 4)")
        );
        assert_eq!(value_of("tsvector", &[]), None);
        assert_eq!(value_of("numeric(5,2)", &[]).as_deref(), Some("g % 1e3"));
        let status = EnumType {
            name: "post_status".into(),
            values: vec!["draft".into(), "live".into()],
        };
        assert_eq!(
            value_of("post_status", &[status]).as_deref(),
            Some("(enum_range(NULL::post_status))[1 + g % 2]")
        );
    }
}
