//! Comparing a live schema with what a snapshot expects, on the server itself: the
//! expected tables are created as temporary tables in a transaction that is rolled back,
//! and read back through the same catalog queries as the live ones, so defaults, checks
//! and predicates are printed by the same server on both sides. Nothing is written: the
//! temporary tables never commit, and they live in the session's own temporary schema, so
//! no name can collide with a real object. It needs the TEMPORARY privilege on the
//! database (granted to every role by default), and a primary, not a read-only standby.

use super::{Difference, Options, compare};
use crate::introspect::{Introspected, introspect_schemas, read_schema};
use crate::model::{ForeignKey, Table};
use crate::sql::split_table;
use sqlx::{Connection as _, PgConnection};

/// `tables` as this server prints them: each created as a temporary table and read back.
/// Statements the server refuses are an error naming the statement. The tables of each
/// schema are made on their own, under their bare names, in the one temporary schema (so
/// index names of two schemas cannot collide); a foreign key to another schema's table is
/// kept as modelled (nothing in it is the server's to print).
pub async fn normalized(
    conn: &mut PgConnection,
    tables: &[Table],
) -> Result<Vec<Table>, sqlx::Error> {
    let mut schemas: Vec<&str> = tables.iter().map(|t| split_table(&t.name).0).collect();
    schemas.sort();
    schemas.dedup();
    let mut out = Vec::new();
    for schema in schemas {
        let (group, foreign) = bare_group(tables, schema);
        let mut read = normalized_group(conn, &group, schema).await?;
        for t in &mut read {
            t.foreign_keys.extend(
                foreign
                    .iter()
                    .filter(|(k, _)| *k == t.name)
                    .map(|(_, fk)| fk.clone()),
            );
            t.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        }
        out.extend(read);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The tables of `schema` under their bare names, without their foreign keys to other
/// schemas, which come back as (table key, key).
fn bare_group(tables: &[Table], schema: &str) -> (Vec<Table>, Vec<(String, ForeignKey)>) {
    let mut group = Vec::new();
    let mut foreign = Vec::new();
    for t in tables.iter().filter(|t| split_table(&t.name).0 == schema) {
        let mut bare = t.clone();
        bare.name = split_table(&t.name).1.to_owned();
        let (same, other): (Vec<ForeignKey>, Vec<ForeignKey>) = bare
            .foreign_keys
            .drain(..)
            .partition(|fk| split_table(&fk.ref_table).0 == schema);
        bare.foreign_keys = same
            .into_iter()
            .map(|fk| ForeignKey {
                ref_table: split_table(&fk.ref_table).1.to_owned(),
                ..fk
            })
            .collect();
        foreign.extend(other.into_iter().map(|fk| (t.name.clone(), fk)));
        group.push(bare);
    }
    (group, foreign)
}

/// One schema's tables (bare names) made temporary and read back as tables of `schema`.
async fn normalized_group(
    conn: &mut PgConnection,
    tables: &[Table],
    schema: &str,
) -> Result<Vec<Table>, sqlx::Error> {
    let mut tx = conn.begin().await?;
    // The session's temporary schema exists once a temporary object does; with it first
    // in the search path, unqualified names are created (and resolved) there.
    sqlx::raw_sql("CREATE TEMPORARY TABLE cargo_migrate_probe () ON COMMIT DROP; DROP TABLE cargo_migrate_probe")
        .execute(&mut *tx)
        .await?;
    let temp: String = sqlx::query_scalar(
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
    let read = read_schema(&mut tx, &temp, schema).await?;
    tx.rollback().await?;
    Ok(read.tables)
}

/// Every difference between the tables of `schemas` on the server and `expected`,
/// including indexes and constraints an unfinished run left INVALID or NOT VALID.
pub async fn differences(
    conn: &mut PgConnection,
    schemas: &[String],
    expected: &[Table],
    options: Options,
) -> Result<Vec<Difference>, sqlx::Error> {
    let live = introspect_schemas(conn, schemas).await?;
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
