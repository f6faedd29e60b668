//! What a schema holds that the models cannot express yet, read from the catalog (the
//! baseline makes enum types, extensions and serial sequences; see `prerequisites`): views,
//! functions, triggers, policies, sequences behind `serial` columns, types, extensions,
//! rules, ALWAYS identity columns, deferrable UNIQUE and EXCLUDE constraints, MATCH FULL
//! foreign keys, column collations, partitions and table options. Each is a [`Finding`];
//! the indexes the models must leave out (operator class parameters: they would describe
//! them wrongly) are named too.

use super::Finding;
use sqlx::PgConnection;

/// One query per kind: `(table or NULL, object, why, leave out of the models)`, `$1` the
/// schema, `$2` what names of its objects start with (empty in `public`, `billing.`
/// elsewhere: tables keyed as the models key them). Objects that belong to an extension
/// are the extension's.
const QUERIES: &[&str] = &[
    // Views and materialized views.
    r#"SELECT NULL::text, CASE c.relkind WHEN 'v' THEN 'view ' ELSE 'materialized view ' END || $2 || c.relname,
              'not in the models: kept as it is, not created by the baseline', false
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('v', 'm')
         AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                         AND d.objid = c.oid AND d.deptype = 'e')"#,
    // Functions and procedures.
    r#"SELECT NULL::text, CASE p.prokind WHEN 'p' THEN 'procedure ' ELSE 'function ' END
                || p.oid::regprocedure::text,
              'not in the models: kept as it is, not created by the baseline', false
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = $1
         AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                         AND d.objid = p.oid AND d.deptype = 'e')"#,
    // Triggers.
    r#"SELECT $2 || c.relname, 'trigger ' || $2 || c.relname || '.' || t.tgname,
              'not in the models: kept as it is, not created by the baseline ('
                || pg_get_triggerdef(t.oid) || ')', false
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND NOT t.tgisinternal"#,
    // Row-level security and its policies.
    r#"SELECT $2 || c.relname, 'policy ' || $2 || c.relname || '.' || p.polname,
              'not in the models: kept as it is, not created by the baseline', false
       FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1"#,
    r#"SELECT $2 || c.relname, 'row level security on ' || $2 || c.relname,
              'enabled on the table; the models do not enable it', false
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relrowsecurity"#,
    // Sequences: behind a serial column (the models create no sequences), or standalone.
    r#"SELECT $2 || t.relname, 'sequence ' || $2 || s.relname,
              CASE WHEN d.deptype = 'a'
                THEN 'behind the serial column ' || $2 || t.relname || '.' || a.attname
                  || ': the baseline makes it (owned by the column) and the models keep the nextval default; an identity column is the modelled form'
                ELSE 'not in the models: kept as it is, not created by the baseline' END, false
       FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
       LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       LEFT JOIN pg_class t ON t.oid = d.refobjid
       LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
       WHERE n.nspname = $1 AND s.relkind = 'S' AND d.deptype IS DISTINCT FROM 'i'"#,
    // Types: enums, domains, composite and range types.
    r#"SELECT NULL::text, CASE t.typtype WHEN 'e' THEN 'enum type ' WHEN 'd' THEN 'domain '
                WHEN 'c' THEN 'composite type ' ELSE 'range type ' END || $2 || t.typname,
              CASE WHEN t.typtype = 'e'
                THEN 'made by the baseline migration as it is in the database (the models name it in sql_type); later changes to it are not managed'
                ELSE 'not in the models: kept as it is, not created by the baseline (columns of this type name it in sql_type)' END, false
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = $1 AND t.typtype IN ('e', 'd', 'c', 'r')
         AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
         AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                         AND d.objid = t.oid AND d.deptype = 'e')"#,
    // Extensions installed in the schema.
    r#"SELECT NULL::text, 'extension ' || e.extname,
              'made by the baseline migration as it is in the database (the models name it in sql_type); later changes to it are not managed', false
       FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
       WHERE n.nspname = $1 AND e.extname <> 'plpgsql'"#,
    // Rules.
    r#"SELECT $2 || c.relname, 'rule ' || $2 || c.relname || '.' || r.rulename,
              'not in the models: kept as it is, not created by the baseline', false
       FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND r.rulename <> '_RETURN'"#,
    // ALWAYS identity: the models write BY DEFAULT.
    r#"SELECT $2 || c.relname, 'column ' || $2 || c.relname || '.' || a.attname,
              'GENERATED ALWAYS AS IDENTITY: the models write BY DEFAULT (an insert may then give the value)', false
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attidentity = 'a'
         AND NOT a.attisdropped"#,
    // Collations other than the type's.
    r#"SELECT $2 || c.relname, 'column ' || $2 || c.relname || '.' || a.attname,
              'COLLATE ' || quote_ident(co.collname) || ': the models write the default collation', false
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type ty ON ty.oid = a.atttypid JOIN pg_collation co ON co.oid = a.attcollation
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0
         AND NOT a.attisdropped AND a.attcollation <> ty.typcollation"#,
    // Indexes whose operator classes take parameters (`gin_trgm_ops(siglen = 32)`): left
    // out (the models would build them without).
    r#"SELECT $2 || c.relname, 'index ' || $2 || c.relname || '.' || ic.relname,
              'operator class parameters are not expressible yet; left out of the model: '
                || pg_get_indexdef(i.indexrelid), true
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND NOT i.indisprimary
         AND EXISTS (SELECT FROM pg_attribute a
                     WHERE a.attrelid = i.indexrelid AND a.attoptions IS NOT NULL)"#,
    // Constraints: deferrable UNIQUE (read as an immediate one), EXCLUDE (left out),
    // MATCH FULL foreign keys.
    r#"SELECT $2 || c.relname,
              CASE k.contype WHEN 'u' THEN 'unique constraint ' WHEN 'x' THEN 'index '
                ELSE 'foreign key ' END || $2 || c.relname || '.' || k.conname,
              CASE k.contype
                WHEN 'u' THEN pg_get_constraintdef(k.oid) || ': the models write an immediate UNIQUE constraint'
                WHEN 'x' THEN 'an EXCLUDE constraint: left out of the model: ' || pg_get_constraintdef(k.oid)
                ELSE pg_get_constraintdef(k.oid) || ': the models write a MATCH SIMPLE foreign key' END,
              k.contype = 'x'
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND (k.contype = 'x' OR (k.contype = 'u' AND k.condeferrable)
             OR (k.contype = 'f' AND k.confmatchtype = 'f'))"#,
    // Partitioning, inheritance, table options.
    r#"SELECT $2 || c.relname, 'table ' || $2 || c.relname,
              concat_ws('; ',
                CASE WHEN c.relkind = 'p' THEN 'partitioned (' || pg_get_partkeydef(c.oid) || '): the models write a plain table' END,
                CASE WHEN c.relispartition THEN 'a partition of ' || (SELECT p.relname FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent WHERE h.inhrelid = c.oid LIMIT 1) || ': the models write a plain table' END,
                CASE WHEN NOT c.relispartition AND EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = c.oid) THEN 'inherits from another table: the models write a plain table' END,
                CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED: the models write a logged table' END,
                CASE WHEN c.reloptions IS NOT NULL THEN 'storage parameters ' || array_to_string(c.reloptions, ', ') || ': the models write none' END), false
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
         AND (c.relkind = 'p' OR c.relispartition OR c.relpersistence = 'u' OR c.reloptions IS NOT NULL
              OR EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = c.oid))"#,
];

/// What `schema` holds that the models cannot express, sorted by table, then object.
pub async fn find(conn: &mut PgConnection, schema: &str) -> Result<Vec<Finding>, sqlx::Error> {
    let prefix = crate::sql::table_key(schema, "");
    let mut out = Vec::new();
    for sql in QUERIES {
        let mut query = sqlx::query_as(*sql).bind(schema);
        if sql.contains("$2") {
            query = query.bind(&prefix);
        }
        let rows: Vec<(Option<String>, String, String, bool)> = query.fetch_all(&mut *conn).await?;
        out.extend(
            rows.into_iter()
                .map(|(table, object, why, left_out)| Finding {
                    table,
                    object,
                    why,
                    left_out,
                }),
        );
    }
    out.sort_by(|a, b| (&a.table, &a.object).cmp(&(&b.table, &b.object)));
    Ok(out)
}
