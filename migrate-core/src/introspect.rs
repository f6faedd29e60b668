//! Reads the schema back from a live server's catalog into the model, so a migrated
//! database can be compared with the snapshot it should match. Types come from
//! `format_type()` (the canonical spelling the model uses); expressions (defaults, checks,
//! predicates) come from `pg_get_expr()`, the server's normalised form. An index key that
//! is an expression is read as its text (`lower((email)::text)`) in place of a column.

use crate::model::{
    Check, Column, EnumType, FkAction, ForeignKey, Index, IndexMethod, KeyOrder, PrimaryKey, Table,
};
use sqlx::PgConnection;

/// A schema read from the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Introspected {
    /// Tables, sorted by name, named objects sorted by name.
    pub tables: Vec<Table>,
    /// Objects a failed or unfinished run left behind: INVALID indexes and NOT VALID
    /// constraints, as `table.object`.
    pub not_valid: Vec<String>,
}

/// Reads every table of `schema`, keyed as the models name them (`billing.invoices` for a
/// table of `billing`, `invoices` in `public`).
pub async fn introspect(
    conn: &mut PgConnection,
    schema: &str,
) -> Result<Introspected, sqlx::Error> {
    read_schema(conn, schema, schema).await
}

/// Reads every table of each of `schemas` (the managed set), keyed as [`introspect`] keys
/// them, sorted by key.
pub async fn introspect_schemas(
    conn: &mut PgConnection,
    schemas: &[String],
) -> Result<Introspected, sqlx::Error> {
    let mut out = Introspected {
        tables: Vec::new(),
        not_valid: Vec::new(),
    };
    for schema in schemas {
        let read = introspect(conn, schema).await?;
        out.tables.extend(read.tables);
        out.not_valid.extend(read.not_valid);
    }
    out.tables.sort_by(|a, b| a.name.cmp(&b.name));
    out.not_valid.sort();
    Ok(out)
}

/// Reads the tables of `nspname` keyed as tables of `schema` (the comparison reads tables
/// it made in its temporary schema as the schema they stand for).
pub(crate) async fn read_schema(
    conn: &mut PgConnection,
    nspname: &str,
    schema: &str,
) -> Result<Introspected, sqlx::Error> {
    // language=SQL
    let tables: Vec<(i64, String)> = sqlx::query_as(
        r#"SELECT c.oid::int8, c.relname::text
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
           ORDER BY c.relname"#,
    )
    .bind(nspname)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Introspected {
        tables: Vec::new(),
        not_valid: Vec::new(),
    };
    for (oid, name) in tables {
        let key = crate::sql::table_key(schema, &name);
        let table = read_table(conn, (oid, &key), (nspname, schema), &mut out.not_valid).await?;
        out.tables.push(table.schema_only());
    }
    Ok(out)
}

/// Table `oid` under key `name`; a foreign key to a table of `nsp.0` is keyed in `nsp.1`.
async fn read_table(
    conn: &mut PgConnection,
    (oid, name): (i64, &str),
    nsp: (&str, &str),
    not_valid: &mut Vec<String>,
) -> Result<Table, sqlx::Error> {
    // language=SQL
    type Row = (
        String,
        String,
        bool,
        Option<String>,
        String,
        Option<String>,
        String,
    );
    let columns: Vec<Row> = sqlx::query_as(
        r#"SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(d.adbin, d.adrelid), a.attidentity::text,
                  col_description(a.attrelid, a.attnum), a.attgenerated::text
           FROM pg_attribute a
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           WHERE a.attrelid::int8 = $1 AND a.attnum > 0 AND NOT a.attisdropped
           ORDER BY a.attnum"#,
    )
    .bind(oid)
    .fetch_all(&mut *conn)
    .await?;
    let columns = columns
        .into_iter()
        .map(
            |(name, sql_type, not_null, default, identity, comment, generated)| {
                // A generated column's expression is where a default would be.
                let (default, generated) = match generated.as_str() {
                    "" => (default, None),
                    how => (
                        None,
                        default.map(|expr| crate::model::Generated {
                            expr,
                            is_virtual: how == "v",
                        }),
                    ),
                };
                Column {
                    default,
                    identity: !identity.is_empty(),
                    comment,
                    generated,
                    ..Column::new(&name, &sql_type, !not_null)
                }
            },
        )
        .collect();

    // language=SQL
    let constraints: Vec<ConstraintRow> = sqlx::query_as(
        r#"SELECT con.conname::text AS name, con.contype::text AS kind,
                  ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n
                        ORDER BY k.o) AS columns,
                  CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS expr,
                  (SELECT r.relname::text FROM pg_class r WHERE r.oid = con.confrelid) AS ref_table,
                  (SELECT rn.nspname::text FROM pg_class r JOIN pg_namespace rn ON rn.oid = r.relnamespace
                    WHERE r.oid = con.confrelid) AS ref_schema,
                  ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n
                        ORDER BY k.o) AS ref_columns,
                  con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
                  con.condeferrable AS deferrable, con.condeferred AS initially_deferred,
                  con.convalidated AS validated
           FROM pg_constraint con
           WHERE con.conrelid::int8 = $1 AND con.contype IN ('p', 'c', 'f')
           ORDER BY con.conname"#,
    )
    .bind(oid)
    .fetch_all(&mut *conn)
    .await?;
    let mut primary_key = None;
    let mut checks = Vec::new();
    let mut foreign_keys = Vec::new();
    for c in constraints {
        if !c.validated {
            not_valid.push(format!("{name}.{}", c.name));
        }
        match c.kind.as_str() {
            "p" => {
                primary_key = Some(PrimaryKey {
                    name: c.name,
                    columns: c.columns,
                })
            }
            "c" => checks.push(Check {
                name: c.name,
                expr: c.expr.unwrap_or_default(),
            }),
            _ => foreign_keys.push(ForeignKey {
                name: c.name,
                columns: c.columns,
                ref_table: match c.ref_schema.as_deref() {
                    Some(s) if s == nsp.0 => {
                        crate::sql::table_key(nsp.1, &c.ref_table.unwrap_or_default())
                    }
                    Some(s) => crate::sql::table_key(s, &c.ref_table.unwrap_or_default()),
                    None => c.ref_table.unwrap_or_default(),
                },
                ref_columns: c.ref_columns,
                on_delete: action(&c.on_delete),
                on_update: action(&c.on_update),
                deferrable: c.deferrable,
                initially_deferred: c.initially_deferred,
            }),
        }
    }

    // language=SQL
    let indexes: Vec<IndexRow> = sqlx::query_as(
        r#"SELECT ic.relname::text AS name, i.indisunique AS unique, i.indisvalid AS valid,
                  EXISTS (SELECT 1 FROM pg_constraint k
                          WHERE k.conindid = i.indexrelid AND k.contype = 'u') AS constraint,
                  am.amname::text AS method, pg_get_expr(i.indpred, i.indrelid) AS predicate,
                  ARRAY(SELECT CASE WHEN k.n = 0 THEN '(' || pg_get_indexdef(i.indexrelid, k.o::int, true) || ')'
                                    ELSE a.attname::text END
                        FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
                        LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
                        ORDER BY k.o) AS columns,
                  i.indnkeyatts::int4 AS keys,
                  ARRAY(SELECT o::int4 FROM unnest(i.indoption::int2[]) WITH ORDINALITY x(o, n)
                        ORDER BY x.n) AS options,
                  coalesce(ic.reloptions, '{}')::text[] AS with,
                  ARRAY(SELECT CASE WHEN oc.opcdefault THEN ''
                                    WHEN ns.nspname IN ('pg_catalog', 'public') THEN oc.opcname::text
                                    ELSE ns.nspname || '.' || oc.opcname END
                        FROM unnest(i.indclass::oid[]) WITH ORDINALITY k(c, o)
                        JOIN pg_opclass oc ON oc.oid = k.c
                        JOIN pg_namespace ns ON ns.oid = oc.opcnamespace
                        ORDER BY k.o) AS ops,
                  ARRAY(SELECT CASE WHEN k.coll = 0 THEN ''
                                    WHEN (i.indkey::int2[])[k.o - 1] = 0 AND k.coll = 100 THEN ''
                                    WHEN k.coll = (SELECT a.attcollation FROM pg_attribute a
                                                   WHERE a.attrelid = i.indrelid
                                                     AND a.attnum = (i.indkey::int2[])[k.o - 1]) THEN ''
                                    ELSE co.collname::text END
                        FROM unnest(i.indcollation::oid[]) WITH ORDINALITY k(coll, o)
                        LEFT JOIN pg_collation co ON co.oid = k.coll
                        ORDER BY k.o) AS collations
           FROM pg_index i
           JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_am am ON am.oid = ic.relam
           WHERE i.indrelid::int8 = $1 AND NOT i.indisprimary
           ORDER BY ic.relname"#,
    )
    .bind(oid)
    .fetch_all(&mut *conn)
    .await?;
    let indexes = indexes
        .into_iter()
        .map(|i| {
            if !i.valid {
                not_valid.push(format!("{name}.{}", i.name));
            }
            let mut columns = i.columns;
            let include = columns.split_off((i.keys.max(0) as usize).min(columns.len()));
            // indoption: bit 1 DESC, bit 2 NULLS FIRST.
            let order: Vec<KeyOrder> = i
                .options
                .iter()
                .map(|o| KeyOrder::new(o & 1 != 0, Some(o & 2 != 0)))
                .collect();
            Index {
                method: IndexMethod::from_sql(&i.method).unwrap_or_default(),
                name: i.name,
                columns,
                unique: i.unique,
                predicate: i.predicate,
                constraint: i.constraint,
                order: if order.iter().all(|o| *o == KeyOrder::default()) {
                    Vec::new()
                } else {
                    order
                },
                include,
                with: i.with,
                ops: Index::unless_default(i.ops),
                collations: Index::unless_default(i.collations),
            }
        })
        .collect();

    Ok(Table {
        name: name.to_owned(),
        renamed_from: None,
        columns,
        primary_key,
        indexes,
        checks,
        foreign_keys,
        comment: table_comment(conn, oid).await?,
        extensions: Vec::new(),
        enums: enums_of(conn, oid, nsp).await?,
    })
}

/// The enum types the table's columns (or arrays of them) have, by name (one of schema
/// `nsp.0` named as one of `nsp.1`).
async fn enums_of(
    conn: &mut PgConnection,
    oid: i64,
    nsp: (&str, &str),
) -> Result<Vec<EnumType>, sqlx::Error> {
    // language=SQL
    let rows: Vec<(String, String, Vec<String>)> = sqlx::query_as(
        r#"SELECT n.nspname::text, t.typname::text,
                  ARRAY(SELECT e.enumlabel::text FROM pg_enum e
                        WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE t.typtype = 'e' AND EXISTS (
             SELECT FROM pg_attribute a
             WHERE a.attrelid = $1::int8::oid AND a.attnum > 0 AND NOT a.attisdropped
               AND a.atttypid IN (t.oid, t.typarray))"#,
    )
    .bind(oid)
    .fetch_all(conn)
    .await?;
    let mut out: Vec<EnumType> = rows
        .into_iter()
        .map(|(schema, name, values)| {
            let schema = if schema == nsp.0 { nsp.1 } else { &schema };
            EnumType {
                name: crate::sql::table_key(schema, &name),
                values,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

async fn table_comment(conn: &mut PgConnection, oid: i64) -> Result<Option<String>, sqlx::Error> {
    // language=SQL
    sqlx::query_scalar("SELECT obj_description($1::int8::oid, 'pg_class')")
        .bind(oid)
        .fetch_one(conn)
        .await
}

/// The planner's estimate of each table's row count in `schemas` (`pg_class.reltuples`,
/// kept by ANALYZE and autovacuum), keyed as the models key tables; tables never analyzed
/// are absent.
pub async fn estimated_rows(
    conn: &mut PgConnection,
    schemas: &[String],
) -> Result<std::collections::BTreeMap<String, i64>, sqlx::Error> {
    // language=SQL
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        r#"SELECT n.nspname::text, c.relname::text, c.reltuples::int8
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND c.reltuples >= 0"#,
    )
    .bind(schemas)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(schema, name, n)| (crate::sql::table_key(&schema, &name), n))
        .collect())
}

/// A row of the constraint query.
#[derive(sqlx::FromRow)]
struct ConstraintRow {
    name: String,
    kind: String,
    columns: Vec<String>,
    expr: Option<String>,
    ref_table: Option<String>,
    ref_schema: Option<String>,
    ref_columns: Vec<String>,
    on_delete: String,
    on_update: String,
    deferrable: bool,
    initially_deferred: bool,
    validated: bool,
}

/// A row of the index query.
#[derive(sqlx::FromRow)]
struct IndexRow {
    name: String,
    unique: bool,
    constraint: bool,
    valid: bool,
    method: String,
    predicate: Option<String>,
    columns: Vec<String>,
    keys: i32,
    options: Vec<i32>,
    with: Vec<String>,
    ops: Vec<String>,
    collations: Vec<String>,
}

/// `pg_constraint.confdeltype` letters.
fn action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}
