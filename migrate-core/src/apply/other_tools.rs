//! History tables of other migration tools (sqlx, Diesel, refinery) in the managed schema.
//! They are not part of the schema drift compares. A baseline records the newest version
//! of each it finds (it covers those migrations); a version applied by the other tool
//! after the baseline is drift: its schema changes are outside ours.

use super::Row;
use crate::compare::Difference;
use crate::sql::ident;
use sqlx::PgConnection;

/// History tables of other migration tools: theirs, not part of the schema.
pub const OTHER_TOOLS_HISTORY: [&str; 3] = [
    "_sqlx_migrations",
    "__diesel_schema_migrations",
    "refinery_schema_history",
];

/// Another tool's history table, as found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OtherHistory {
    /// `sqlx`, `diesel` or `refinery`.
    pub tool: &'static str,
    /// Its table.
    pub table: String,
    /// Migrations it records as applied.
    pub migrations: i64,
    /// The newest of them (`None`: none).
    pub newest: Option<String>,
}

impl OtherHistory {
    /// What a baseline records of it: `table version`.
    pub fn covers(&self) -> String {
        format!("{} {}", self.table, self.newest.as_deref().unwrap_or("-"))
    }
}

fn tool_of(table: &str) -> &'static str {
    match table {
        "_sqlx_migrations" => "sqlx",
        "__diesel_schema_migrations" => "diesel",
        _ => "refinery",
    }
}

/// The other tools' history tables in each of `schemas`.
pub async fn find_in(
    conn: &mut PgConnection,
    schemas: &[String],
) -> Result<Vec<OtherHistory>, sqlx::Error> {
    let mut out = Vec::new();
    for s in schemas {
        out.extend(find(conn, s).await?);
    }
    Ok(out)
}

/// The other tools' history tables in `schema`. A table of that name without the usual
/// columns is still reported (its newest version unknown), never an error.
pub async fn find(conn: &mut PgConnection, schema: &str) -> Result<Vec<OtherHistory>, sqlx::Error> {
    let mut out = Vec::new();
    for table in OTHER_TOOLS_HISTORY {
        let name = format!("{}.{}", ident(schema), ident(table));
        let columns: Option<Vec<String>> = sqlx::query_scalar(
            "SELECT ARRAY(SELECT attname::text FROM pg_attribute
                    WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped)
              WHERE to_regclass($1) IS NOT NULL",
        )
        .bind(&name)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(columns) = columns else { continue };
        let has = |c: &str| columns.iter().any(|x| x == c);
        let newest = if has("version") {
            "max(version)::text"
        } else {
            "NULL::text"
        };
        // sqlx records failed runs too.
        let applied = if table == "_sqlx_migrations" && has("success") {
            "success"
        } else {
            "true"
        };
        // Built from a quoted identifier and constants.
        let sql = format!("SELECT count(*), {newest} FROM {name} WHERE {applied}");
        let (migrations, newest): (i64, Option<String>) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *conn)
            .await?;
        out.push(OtherHistory {
            tool: tool_of(table),
            table: table.to_owned(),
            migrations,
            newest,
        });
    }
    Ok(out)
}

/// A difference for each other tool whose newest version is not the one the baseline in
/// `rows` covers (none without a baseline).
pub(super) fn ran_since(rows: &[Row], found: &[OtherHistory]) -> Vec<Difference> {
    let Some(baseline) = rows.iter().rev().find(|r| r.baseline) else {
        return Vec::new();
    };
    let covered = baseline.covers.clone().unwrap_or_default();
    let mut out = Vec::new();
    for f in found {
        let now = f.covers();
        let then = covered
            .iter()
            .find(|c| c.split_once(' ').is_some_and(|(t, _)| t == f.table));
        let version = |c: &str| {
            c.split_once(' ')
                .map_or(String::new(), |(_, v)| v.to_owned())
        };
        let expected = match then {
            Some(t) if *t == now => continue,
            Some(t) => format!(
                "newest version {} (covered by the baseline {})",
                version(t),
                baseline.migration
            ),
            None if f.migrations == 0 => continue,
            None => format!("no such table at the baseline {}", baseline.migration),
        };
        out.push(Difference {
            object: format!("{} history {}", f.tool, f.table),
            expected: Some(expected),
            actual: Some(format!(
                "newest version {}: {} ran a migration after the baseline",
                version(&now),
                f.tool
            )),
        });
    }
    out
}
