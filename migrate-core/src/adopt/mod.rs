//! Adopting an existing database: its catalog read into models (`#[derive(Schema)]`
//! source), with everything the models cannot express listed, never silently lost.
//!
//! The models written are checked before they are returned: parsed back with the derive's
//! own parser and compared, on the server, with the live tables. Every difference left
//! (a primary key or foreign key under a name the derive does not give, a composite
//! foreign key, …) is a [`Finding`] too, so the list is what the models lack, whatever the
//! reason. The baseline migration `init` writes from these models has a snapshot that
//! matches the live schema wherever no finding says otherwise.

mod models;
mod prerequisites;
mod unmanaged;

pub use models::source;
pub use prerequisites::{Prerequisite, add_to_baseline};

use crate::apply::{OTHER_TOOLS_HISTORY, OtherHistory};
use crate::compare::{Difference, Options, live};
use crate::introspect::introspect_schemas;
use crate::model::Table;
use crate::sql::split_table;
use sqlx::PgConnection;
use std::fmt;
use std::path::Path;

/// Something in the database the models do not express.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// The table it belongs to (`None`: a schema-level object).
    pub table: Option<String>,
    /// What it is: `view active_users`, `index users.users_lower_email_idx`, …
    pub object: String,
    /// Why it is not in the models, and what that means.
    pub why: String,
    /// Left out of the models (a column or index they would describe wrongly); otherwise
    /// it is modelled approximately, or not a table's part at all.
    pub left_out: bool,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.object, self.why)
    }
}

/// The schemas read for adoption.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Adoption {
    /// The schemas read, as given.
    pub schemas: Vec<String>,
    /// The tables as the models describe them (other tools' history tables left out).
    pub tables: Vec<Table>,
    /// What the models do not express.
    pub findings: Vec<Finding>,
    /// Other migration tools' history tables found.
    pub other_tools: Vec<OtherHistory>,
    /// What the tables need that the models do not make (enum types, extensions): the
    /// baseline makes them first.
    pub prerequisites: Vec<Prerequisite>,
    /// The models' source, findings included as comments.
    pub source: String,
    /// The server's major version.
    pub postgres: u32,
}

/// Why adoption failed.
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    /// A catalog query failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A schema asked for is not in the database.
    #[error("schema {0:?} does not exist in the database (schemas are named as `\\dn` lists them)")]
    NoSchema(String),
    /// The models written do not parse back (a bug: please report it with the schema).
    #[error("the models written do not parse back (please report this with the schema): {errors}")]
    Unparsable {
        /// Each error, with its line in the source.
        errors: String,
    },
}

/// Reads `schemas` into models: their tables keyed as the models name them
/// (`billing.invoices` outside `public`), foreign keys across them included.
pub async fn read(conn: &mut PgConnection, schemas: &[String]) -> Result<Adoption, AdoptError> {
    let missing: Option<String> = sqlx::query_scalar(
        "SELECT s FROM unnest($1::text[]) WITH ORDINALITY u(s, n)
          WHERE NOT EXISTS (SELECT FROM pg_namespace WHERE nspname = s) ORDER BY n LIMIT 1",
    )
    .bind(schemas)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(s) = missing {
        return Err(AdoptError::NoSchema(s));
    }
    let mut live_schema = introspect_schemas(conn, schemas).await?;
    live_schema
        .tables
        .retain(|t| !OTHER_TOOLS_HISTORY.contains(&split_table(&t.name).1));
    let mut findings = Vec::new();
    let mut prerequisites = Vec::new();
    for schema in schemas {
        findings.extend(unmanaged::find(conn, schema).await?);
        prerequisites.extend(prerequisites::find(conn, schema).await?);
    }
    let mut tables = live_schema.tables.clone();
    leave_out(&mut tables, &findings);
    let modelled = parse_back(&models::source(schemas, &tables, &[]))?;
    let reference = live::normalized(conn, &modelled).await?;
    let options = Options { column_order: true };
    let known: Vec<String> = findings.iter().map(|f| f.object.clone()).collect();
    let keys: Vec<&str> = live_schema.tables.iter().map(|t| t.name.as_str()).collect();
    for d in live::against(&live_schema, &reference, options) {
        if !known.contains(&d.object) {
            findings.push(from_difference(d, &keys));
        }
    }
    findings.sort_by(|a, b| (&a.table, &a.object).cmp(&(&b.table, &b.object)));
    let source = models::source(schemas, &tables, &findings);
    let other_tools = crate::apply::find_other_tools(conn, schemas).await?;
    let version: i32 = sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
        .fetch_one(&mut *conn)
        .await?;
    Ok(Adoption {
        schemas: schemas.to_vec(),
        tables: modelled,
        findings,
        other_tools,
        prerequisites,
        source,
        postgres: u32::try_from(version / 10_000).unwrap_or_default(),
    })
}

/// Removes the columns and indexes the findings leave out.
fn leave_out(tables: &mut [Table], findings: &[Finding]) {
    for f in findings.iter().filter(|f| f.left_out) {
        let Some(t) = tables
            .iter_mut()
            .find(|t| Some(&t.name) == f.table.as_ref())
        else {
            continue;
        };
        let Some((kind, target)) = f.object.split_once(' ') else {
            continue;
        };
        let Some(name) = target
            .strip_prefix(t.name.as_str())
            .and_then(|n| n.strip_prefix('.'))
        else {
            continue;
        };
        match kind {
            "column" => t.columns.retain(|c| c.name != name),
            "index" => t.indexes.retain(|i| i.name != name),
            _ => {}
        }
    }
}

fn parse_back(source: &str) -> Result<Vec<Table>, AdoptError> {
    let found = crate::project::scan_source(Path::new("models.rs"), source)
        .and_then(crate::project::Scanned::resolve)
        .map_err(|errors| AdoptError::Unparsable {
            errors: errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        })?;
    Ok(found.into_iter().map(|m| m.table).collect())
}

/// A difference between the models and the live schema, as a finding of the table it
/// names (`column users.email` → `users`, `column billing.invoices.id` →
/// `billing.invoices`): the longest of the tables' `keys` the object's target starts with.
fn from_difference(d: Difference, keys: &[&str]) -> Finding {
    let target = d.object.split_once(' ').map_or("", |(_, t)| t);
    let table = keys
        .iter()
        .filter(|k| target == **k || target.strip_prefix(**k).is_some_and(|r| r.starts_with('.')))
        .max_by_key(|k| k.len())
        .copied()
        .unwrap_or_default();
    let why = match (&d.expected, &d.actual) {
        (Some(e), Some(a)) => format!("the models give {e}, the database has {a}"),
        (None, Some(a)) => format!("not expressible by the models yet: {a}"),
        (Some(e), None) => format!("the models would add {e}, which the database lacks"),
        (None, None) => String::new(),
    };
    Finding {
        table: (!table.is_empty()).then(|| table.to_owned()),
        object: d.object,
        why,
        left_out: false,
    }
}
