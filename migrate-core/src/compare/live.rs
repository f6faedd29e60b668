//! Comparing a live schema with what a snapshot expects, on the server itself: the
//! expected tables are created as temporary tables in a transaction that is rolled back,
//! and read back through the same catalog queries as the live ones, so defaults, checks
//! and predicates are printed by the same server on both sides. Nothing is written: the
//! temporary tables never commit, and they live in the session's own temporary schema, so
//! no name can collide with a real object. It needs the TEMPORARY privilege on the
//! database (granted to every role by default), and a primary, not a read-only standby.

use super::{Difference, Options, compare};
use crate::introspect::{Introspected, introspect};
use crate::model::Table;
use sqlx::{Connection as _, PgConnection};

/// `tables` as this server prints them: each created as a temporary table and read back.
/// Statements the server refuses are an error naming the statement.
pub async fn normalized(
    conn: &mut PgConnection,
    tables: &[Table],
) -> Result<Vec<Table>, sqlx::Error> {
    let mut tx = conn.begin().await?;
    // The session's temporary schema exists once a temporary object does; with it first
    // in the search path, unqualified names are created (and resolved) there.
    sqlx::raw_sql("CREATE TEMPORARY TABLE cargo_migrate_probe () ON COMMIT DROP; DROP TABLE cargo_migrate_probe")
        .execute(&mut *tx)
        .await?;
    let schema: String = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE oid = pg_my_temp_schema()",
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::raw_sql("SET LOCAL search_path = pg_temp, public")
        .execute(&mut *tx)
        .await?;
    for statement in crate::plan::create_schema(tables) {
        // The statements are built from the model with every identifier quoted.
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone()))
            .execute(&mut *tx)
            .await
            .map_err(|e| sqlx::Error::Protocol(format!("{e}\n  statement: {statement}")))?;
    }
    let read = introspect(&mut tx, &schema).await?;
    tx.rollback().await?;
    Ok(read.tables)
}

/// Every difference between the tables of `schema` on the server and `expected`,
/// including indexes and constraints an unfinished run left INVALID or NOT VALID.
pub async fn differences(
    conn: &mut PgConnection,
    schema: &str,
    expected: &[Table],
    options: Options,
) -> Result<Vec<Difference>, sqlx::Error> {
    let live = introspect(conn, schema).await?;
    let reference = normalized(conn, expected).await?;
    Ok(against(&live, &reference, options))
}

/// [`compare`] of an introspected schema with a reference, plus its unfinished objects.
pub fn against(live: &Introspected, reference: &[Table], options: Options) -> Vec<Difference> {
    let mut out = compare(reference, &live.tables, options);
    out.extend(live.not_valid.iter().map(|object| Difference {
        object: object.clone(),
        expected: Some("valid".into()),
        actual: Some("INVALID or NOT VALID, left by an unfinished run".into()),
    }));
    out
}
