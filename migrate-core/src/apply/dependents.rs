//! Objects outside the models that depend on what a pending migration drops or retypes,
//! read from `pg_depend` before anything runs. A `DROP COLUMN` silently takes an index,
//! a CHECK or a generated column made by hand with it, and fails on a view, a rule, a
//! policy, a trigger `UPDATE OF` it or another table's foreign key — after expand and
//! backfill already ran. An `ALTER COLUMN … TYPE` fails on the same; a `DROP TABLE`
//! takes the table's own triggers and policies and fails on views and foreign keys to it.
//! Objects the migrations model (named in the snapshots before and after the migration)
//! and objects the migration's own files name are not reported: the plan rebuilds those.

use super::{ApplyError, MigrationSource, Row, done, drift, statements};
use crate::lint::classify::{Action, classify};
use crate::model::Table;
use crate::plan::Phase;
use crate::sql::phase_file;
use sqlx::PgConnection;
use std::collections::BTreeSet;

/// An object outside the models that a pending statement drops or fails on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Dependent {
    /// The object: `index keywords.keywords_lower_idx`, `view active_keywords`, …
    pub object: String,
    /// The statement: `20261201_x/contract.up.sql:14 DROP COLUMN keywords.keyword`.
    pub statement: String,
    /// What the statement would do to it.
    pub effect: String,
}

impl std::fmt::Display for Dependent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} {}", self.object, self.statement, self.effect)
    }
}

/// What a statement removes or retypes.
enum Target {
    Column {
        table: String,
        column: String,
        retype: bool,
    },
    Table(String),
}

/// Every dependent of every pending phase of `sources` (in `tenant`, when given, for the
/// tables the files leave unqualified).
pub(super) async fn find(
    conn: &mut PgConnection,
    sources: &[MigrationSource],
    rows: &[Row],
    tenant: Option<&str>,
) -> Result<Vec<Dependent>, ApplyError> {
    let mut out = Vec::new();
    for (i, m) in sources.iter().enumerate() {
        let own = managed(sources, i)?;
        let mut targets = Vec::new();
        for phase in Phase::ALL {
            let name = format!("{phase}.up.sql");
            let Some(text) = m.file(&name) else { continue };
            let pending = !done(rows, &m.id, phase);
            let Ok(units) = phase_file::parse(text) else {
                continue;
            };
            for s in statements(&units) {
                let Ok(actions) = classify(&s.sql) else {
                    continue;
                };
                for a in actions {
                    if let Some(t) = target(&a).filter(|_| pending) {
                        targets.push((format!("{}/{name}:{}", m.id, s.line), t));
                    }
                }
            }
        }
        let version_schema = crate::plan::version_schema(m.id.get(..14).unwrap_or(&m.id));
        for (at, t) in targets {
            for (object, deptype, in_schema) in depending(conn, &t, tenant).await? {
                if own.contains(&object) || in_schema == version_schema || mentioned(m, &object) {
                    continue;
                }
                if let Some(effect) = effect(&t, &deptype) {
                    out.push(Dependent {
                        object,
                        statement: format!("{at} {}", described(&t)),
                        effect,
                    });
                }
            }
        }
    }
    out.dedup();
    Ok(out)
}

/// Whether the migration's own up files name the object (it makes or drops it itself).
fn mentioned(m: &MigrationSource, object: &str) -> bool {
    let name = object.rsplit(['.', ' ']).next().unwrap_or(object);
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    m.files
        .iter()
        .filter(|(n, _)| n.ends_with(".up.sql"))
        .any(|(_, text)| text.split(|c: char| !ident(c)).any(|word| word == name))
}

fn target(a: &Action) -> Option<Target> {
    Some(match a {
        Action::DropColumn { table, column } => Target::Column {
            table: table.clone(),
            column: column.clone(),
            retype: false,
        },
        Action::AlterType { table, column } => Target::Column {
            table: table.clone(),
            column: column.clone(),
            retype: true,
        },
        Action::DropTable { tables } => Target::Table(tables.first()?.clone()),
        _ => return None,
    })
}

fn described(t: &Target) -> String {
    match t {
        Target::Column {
            table,
            column,
            retype: false,
        } => format!("DROP COLUMN {table}.{column}"),
        Target::Column { table, column, .. } => format!("ALTER COLUMN {table}.{column} TYPE"),
        Target::Table(t) => format!("DROP TABLE {t}"),
    }
}

/// What the statement does to an object depending on it with `deptype` (`a`: dropped with
/// it; `n`: the statement fails); `None`: nothing (a retype rebuilds indexes and checks).
fn effect(t: &Target, deptype: &str) -> Option<String> {
    let retype = matches!(t, Target::Column { retype: true, .. });
    match (deptype, retype) {
        ("a", true) => None,
        ("a", false) => Some("drops it with the column or table, silently".to_owned()),
        _ => Some(
            "fails on it (it depends on what the statement changes), after the phases before it ran"
                .to_owned(),
        ),
    }
}

/// The objects the snapshots before and after migration `i` model, as [`depending`]
/// names them.
fn managed(sources: &[MigrationSource], i: usize) -> Result<BTreeSet<String>, ApplyError> {
    let mut out = BTreeSet::new();
    let before = i.checked_sub(1).map(|p| &sources[p]);
    for m in before.into_iter().chain(Some(&sources[i])) {
        let Some(snapshot) = drift::snapshot(m)? else {
            continue;
        };
        for t in &snapshot.tables {
            out.extend(names(t));
        }
    }
    Ok(out)
}

/// The objects of `t` by the bare name of their table, as [`depending`] prints them.
fn names(t: &Table) -> Vec<String> {
    let mut out = Vec::new();
    let t = &Table {
        name: crate::sql::split_table(&t.name).1.to_owned(),
        ..t.clone()
    };
    for ix in &t.indexes {
        out.push(format!("index {}.{}", t.name, ix.name));
        out.push(format!("unique constraint {}.{}", t.name, ix.name));
    }
    for c in &t.checks {
        out.push(format!("check {}.{}", t.name, c.name));
    }
    for fk in &t.foreign_keys {
        out.push(format!("foreign key {}.{}", t.name, fk.name));
    }
    if let Some(pk) = &t.primary_key {
        out.push(format!("primary key {}.{}", t.name, pk.name));
        out.push(format!("index {}.{}", t.name, pk.name));
    }
    for c in &t.columns {
        out.push(format!("column {}.{}", t.name, c.name));
    }
    out
}

/// `(object, deptype, schema of the object)` of everything that depends on the target.
async fn depending(
    conn: &mut PgConnection,
    t: &Target,
    tenant: Option<&str>,
) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    let (table, column) = match t {
        Target::Column { table, column, .. } => (table.as_str(), Some(column.as_str())),
        Target::Table(table) => (table.as_str(), None),
    };
    // As the statement names it: `billing.invoices`, `public.users` or `users`.
    let (schema, table) = crate::sql::split_table(table);
    let schema = tenant.filter(|_| schema == "public").unwrap_or(schema);
    // language=SQL
    sqlx::query_as(
        r#"WITH target AS (
             SELECT c.oid AS rel,
                    (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = c.oid
                      AND a.attname = $3 AND NOT a.attisdropped) AS attnum
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relname = $2)
           SELECT DISTINCT o.object, d.deptype::text, coalesce(o.schema, '')
           FROM target, pg_depend d
           CROSS JOIN LATERAL (
             SELECT k.relkind AS k_relkind, v.oid AS v_oid, con.contype AS con_type,
               CASE
                 WHEN d.classid = 'pg_rewrite'::regclass THEN
                   CASE v.relkind WHEN 'm' THEN 'materialized view ' WHEN 'v' THEN 'view '
                     ELSE 'rule ' || r.rulename || ' on ' END || v.relname
                 WHEN d.classid = 'pg_class'::regclass AND d.objsubid <> 0 THEN
                   'column ' || k.relname || '.' || (SELECT attname FROM pg_attribute
                     WHERE attrelid = d.objid AND attnum = d.objsubid)
                 WHEN d.classid = 'pg_class'::regclass AND k.relkind IN ('i', 'I') THEN
                   'index ' || (SELECT t.relname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                     WHERE i.indexrelid = k.oid) || '.' || k.relname
                 WHEN d.classid = 'pg_constraint'::regclass THEN
                   CASE con.contype WHEN 'c' THEN 'check ' WHEN 'f' THEN 'foreign key '
                     WHEN 'u' THEN 'unique constraint ' WHEN 'p' THEN 'primary key '
                     ELSE 'constraint ' END || ct.relname || '.' || con.conname
                 WHEN d.classid = 'pg_trigger'::regclass THEN
                   'trigger ' || tt.relname || '.' || tg.tgname
                 WHEN d.classid = 'pg_policy'::regclass THEN
                   'policy ' || pt.relname || '.' || pol.polname
                 ELSE pg_describe_object(d.classid, d.objid, d.objsubid)
               END AS object,
               coalesce(vn.nspname, kn.nspname)::text AS schema
             FROM (SELECT 1) one
             LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
             LEFT JOIN pg_class v ON v.oid = r.ev_class
             LEFT JOIN pg_namespace vn ON vn.oid = v.relnamespace
             LEFT JOIN pg_class k ON d.classid = 'pg_class'::regclass AND k.oid = d.objid
             LEFT JOIN pg_namespace kn ON kn.oid = k.relnamespace
             LEFT JOIN pg_constraint con ON d.classid = 'pg_constraint'::regclass AND con.oid = d.objid
             LEFT JOIN pg_class ct ON ct.oid = con.conrelid
             LEFT JOIN pg_trigger tg ON d.classid = 'pg_trigger'::regclass AND tg.oid = d.objid
             LEFT JOIN pg_class tt ON tt.oid = tg.tgrelid
             LEFT JOIN pg_policy pol ON d.classid = 'pg_policy'::regclass AND pol.oid = d.objid
             LEFT JOIN pg_class pt ON pt.oid = pol.polrelid
           ) o
           WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = target.rel
             AND ($3::text IS NULL OR d.refobjsubid = target.attnum)
             AND d.deptype IN ('n', 'a')
             AND d.classid <> 'pg_attrdef'::regclass
             AND NOT (d.classid = 'pg_class'::regclass AND o.k_relkind IS NOT DISTINCT FROM 'S')
             AND o.v_oid IS DISTINCT FROM target.rel
             -- PostgreSQL 18 records NOT NULL as constraints: the models' nullability.
             AND o.con_type IS DISTINCT FROM 'n'
           ORDER BY 1"#,
    )
    .bind(schema)
    .bind(table)
    .bind(column)
    .fetch_all(&mut *conn)
    .await
}
