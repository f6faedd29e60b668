//! Drift: the live schema against the snapshot of the newest applied migration. A change
//! made outside the migrations (a column added by hand, an index dropped in an incident, a
//! migration of another tool) shows up as a difference, and `apply` refuses to start on
//! it, before the first phase, never halfway.
//!
//! A migration partly applied (expand and backfill done, contract waiting for the deploy)
//! leaves the tables it changes between two snapshots: those are reported as in flight and
//! not compared; every other table is. An INVALID index under the name a pending phase
//! builds concurrently is the leftover of a failed build the run repairs (it drops it and
//! builds again), not drift.

use super::other_tools::{self, OTHER_TOOLS_HISTORY};
use super::{ApplyError, HistoryTable, MigrationSource, Row, done};
use crate::compare::{Difference, Options, live};
use crate::migrations::SNAPSHOT_FILE;
use crate::model::Table;
use crate::plan::Phase;
use crate::snapshot::Snapshot;
use sqlx::PgConnection;

/// What [`Migrator::drift`](super::Migrator::drift) found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Drift {
    /// The migration whose snapshot the schema was compared with (`None`: none is applied,
    /// so the schema is expected to hold no tables).
    pub against: Option<String>,
    /// The schemas compared (the managed ones), joined: `public` or `billing, public`.
    pub schema: String,
    /// A migration partly applied, and the tables it changes (not compared).
    pub in_flight: Option<InFlight>,
    /// What differs.
    pub differences: Vec<Difference>,
}

/// A migration some of whose phases ran.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InFlight {
    /// Its id.
    pub migration: String,
    /// The tables it changes, by their names before and after it.
    pub tables: Vec<String>,
}

/// The drift of the database `conn` is on, or `None` when the migration to compare with
/// has no snapshot (a typed or hand-assembled migration): there is nothing to compare.
pub(super) async fn drift(
    conn: &mut PgConnection,
    sources: &[MigrationSource],
    rows: &[Row],
    history: &HistoryTable,
    tenant: Option<&str>,
) -> Result<Option<Drift>, ApplyError> {
    let schemas = managed_schemas(sources)?;
    let schema = tenant.map_or_else(|| schemas.join(", "), str::to_owned);
    let scope = Scope {
        schemas: &schemas,
        sources,
        rows,
        history,
        tenant,
    };
    let touched = |m: &MigrationSource| rows.iter().any(|r| r.migration == m.id);
    let Some(newest) = sources.iter().rposition(touched) else {
        // Nothing applied: compare with the empty schema, unless the migrations carry no
        // snapshots (then nothing says what they expect).
        if sources
            .first()
            .is_some_and(|m| m.file(SNAPSHOT_FILE).is_none())
        {
            return Ok(None);
        }
        let differences = differences(conn, &scope, &[], &[], &[]).await?;
        return Ok(Some(Drift {
            against: None,
            schema,
            in_flight: None,
            differences,
        }));
    };
    let m = &sources[newest];
    let Some(expected) = snapshot(m)? else {
        return Ok(None);
    };
    let in_flight = if finished(m, rows) {
        None
    } else {
        let parent = match newest.checked_sub(1) {
            Some(i) => snapshot(&sources[i])?.map_or_else(Vec::new, |s| s.tables),
            None => Vec::new(),
        };
        Some(InFlight {
            migration: m.id.clone(),
            tables: changed_tables(&parent, &expected.tables),
        })
    };
    let skip = in_flight.as_ref().map_or(&[][..], |f| &f.tables[..]);
    let mut differences =
        differences(conn, &scope, &expected.tables, skip, &expected.unmanaged).await?;
    let read = tenant.map_or_else(|| schemas.clone(), |t| vec![t.to_owned()]);
    let others = other_tools::find_in(conn, &read).await?;
    differences.extend(other_tools::ran_since(rows, &others));
    Ok(Some(Drift {
        against: Some(m.id.clone()),
        schema,
        in_flight,
        differences,
    }))
}

pub(super) fn snapshot(m: &MigrationSource) -> Result<Option<Snapshot>, ApplyError> {
    m.file(SNAPSHOT_FILE)
        .map(|text| {
            Snapshot::from_json(text).map_err(|source| ApplyError::Snapshot {
                path: m.path.join(SNAPSHOT_FILE),
                source,
            })
        })
        .transpose()
}

/// Every phase of `m` that has an up file finished.
fn finished(m: &MigrationSource, rows: &[Row]) -> bool {
    Phase::ALL
        .into_iter()
        .filter(|p| m.file(&format!("{p}.up.sql")).is_some())
        .all(|p| done(rows, &m.id, p))
}

/// Tables that differ between two snapshots, by every name they have in either, and the
/// tables whose foreign keys reference a column whose type changes.
fn changed_tables(before: &[Table], after: &[Table]) -> Vec<String> {
    let mut out = Vec::new();
    for t in after {
        let old = t.renamed_from.as_deref().unwrap_or(&t.name);
        let was = before.iter().find(|b| b.name == old);
        if was.map(Table::schema_only) != Some(t.schema_only()) {
            out.push(t.name.clone());
            out.push(old.to_owned());
        }
    }
    for b in before {
        if !after.iter().any(|t| t.name == b.name) {
            out.push(b.name.clone());
        }
    }
    // A key retyped under them gives the referencing tables foreign keys of the
    // transition (re-pointed at the new key column in backfill, handed over in contract).
    let retyped = retyped_columns(before, after);
    for t in before.iter().chain(after) {
        let repointed = t.foreign_keys.iter().any(|f| {
            f.ref_columns
                .iter()
                .any(|c| retyped.contains(&(f.ref_table.as_str(), c.as_str())))
        });
        if repointed {
            out.push(t.name.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `(table, column)` of every column whose type differs between two snapshots.
fn retyped_columns<'a>(before: &[Table], after: &'a [Table]) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    for t in after {
        let old = t.renamed_from.as_deref().unwrap_or(&t.name);
        let Some(was) = before.iter().find(|b| b.name == old) else {
            continue;
        };
        for c in &t.columns {
            if was
                .columns
                .iter()
                .any(|x| x.name == c.name && x.sql_type != c.sql_type)
            {
                out.push((t.name.as_str(), c.name.as_str()));
            }
        }
    }
    out
}

/// The schemas the migrations manage: the newest snapshot's list, and the schemas of its
/// tables; `public` when no migration has a snapshot.
pub(super) fn managed_schemas(sources: &[MigrationSource]) -> Result<Vec<String>, ApplyError> {
    for m in sources.iter().rev() {
        if let Some(s) = snapshot(m)? {
            let mut out = s.managed_schemas();
            for t in &s.tables {
                let own = crate::sql::split_table(&t.name).0;
                if !out.iter().any(|x| x == own) {
                    out.push(own.to_owned());
                }
            }
            out.sort();
            return Ok(out);
        }
    }
    Ok(vec!["public".into()])
}

/// What is compared, and what is left out.
pub(super) struct Scope<'a> {
    pub schemas: &'a [String],
    pub sources: &'a [MigrationSource],
    pub rows: &'a [Row],
    pub history: &'a HistoryTable,
    /// The tenant schema read as `public`, if any.
    pub tenant: Option<&'a str>,
}

/// `table.index` of each INVALID index a pending phase builds concurrently.
async fn failed_builds(
    conn: &mut PgConnection,
    sources: &[MigrationSource],
    rows: &[Row],
) -> Result<Vec<String>, ApplyError> {
    let mut out = Vec::new();
    for m in sources {
        for p in Phase::ALL {
            let pending = !done(rows, &m.id, p);
            let Some(text) = m.file(&format!("{p}.up.sql")).filter(|_| pending) else {
                continue;
            };
            let Ok(units) = crate::sql::phase_file::parse(text) else {
                continue;
            };
            for s in super::statements(&units) {
                let Some(name) = crate::lint::concurrent_index(&s.sql) else {
                    continue;
                };
                let found: Option<String> = sqlx::query_scalar(
                    "SELECT t.relname || '.' || c.relname FROM pg_index i
                       JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
                      WHERE i.indexrelid = to_regclass($1) AND NOT i.indisvalid",
                )
                .bind(&name)
                .fetch_optional(&mut *conn)
                .await?;
                out.extend(found);
            }
        }
    }
    Ok(out)
}

pub(super) async fn differences(
    conn: &mut PgConnection,
    scope: &Scope<'_>,
    expected: &[Table],
    skip: &[String],
    unmanaged: &[String],
) -> Result<Vec<Difference>, ApplyError> {
    let Scope {
        schemas,
        sources,
        rows,
        history,
        tenant,
    } = *scope;
    let mut live_schema = match tenant {
        Some(t) => crate::introspect::read_schema(conn, t, "public").await?,
        None => crate::introspect::introspect_schemas(conn, schemas).await?,
    };
    let repaired = failed_builds(conn, sources, rows).await?;
    for t in &mut live_schema.tables {
        t.indexes
            .retain(|ix| !repaired.contains(&format!("{}.{}", t.name, ix.name)));
    }
    live_schema.not_valid.retain(|o| !repaired.contains(o));
    let ours = |t: &Table| crate::sql::table_key(&history.schema, &history.table) == t.name;
    let tool = |t: &Table| OTHER_TOOLS_HISTORY.contains(&crate::sql::split_table(&t.name).1);
    live_schema
        .tables
        .retain(|t| !ours(t) && !tool(t) && !skip.contains(&t.name));
    live_schema.not_valid.retain(|o| {
        !skip
            .iter()
            .any(|t| o.split_once('.').is_some_and(|(x, _)| x == t))
    });
    // Every expected table is created, so foreign keys find the tables they reference;
    // the skipped ones are left out after.
    let mut reference = live::normalized(conn, expected).await?;
    reference.retain(|t| !skip.contains(&t.name));
    let options = Options {
        column_order: false,
    };
    let mut found = live::against(&live_schema, &reference, options);
    found.retain(|d| !unmanaged.contains(&d.object));
    Ok(found)
}
