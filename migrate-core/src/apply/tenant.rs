//! Tenant schemas: the same migrations applied once per schema of one database. A run for
//! tenant schema `s` sets `search_path = s` on its connections, so the migrations'
//! unqualified names resolve there (and nowhere else: a missing table fails loudly rather
//! than resolving to `public`); drift reads `s` as the `public` the snapshots describe;
//! and the history of `s` is a table of its own, `<history>_<s>`, with its own applier
//! lock, so tenants of one database run side by side. Migrations that name a schema (a
//! table of another schema, a version schema for renames) cannot run per tenant and are
//! refused before anything runs.

use super::{ApplyError, HistoryTable, MigrationSource, Row};
use crate::plan::Phase;
use crate::sql::{ident, phase_file};
use sqlx::PgConnection;

/// Makes schema `s` the session's only schema (it need not exist yet: a tenant nothing
/// was applied to reads as empty).
pub(super) async fn enter(conn: &mut PgConnection, s: &str) -> Result<(), sqlx::Error> {
    let sql = format!("SET search_path = {}", ident(s));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Creates schema `s` when missing (once the run is known to go ahead).
pub(super) async fn create(conn: &mut PgConnection, s: &str) -> Result<(), sqlx::Error> {
    let exists: bool = sqlx::query_scalar("SELECT to_regnamespace($1) IS NOT NULL")
        .bind(ident(s))
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
        let sql = format!("CREATE SCHEMA IF NOT EXISTS {}", ident(s));
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The history table of tenant schema `s`: `base`'s table suffixed `_s`, or, when that
/// passes 63 bytes, cut and suffixed with a hash of `s` (deterministic, unique).
pub fn history_for(base: &HistoryTable, s: &str) -> HistoryTable {
    let plain = format!("{}_{s}", base.table);
    let table = if plain.len() <= 63 {
        plain
    } else {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(s.as_bytes());
        let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        let mut cut = 63 - hash.len() - 1;
        while !plain.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}_{hash}", &plain[..cut])
    };
    HistoryTable {
        schema: base.schema.clone(),
        table,
    }
}

/// Refuses migrations that cannot run per tenant: a project managing other schemas than
/// `public`, or a pending statement that names a schema (creates one, or qualifies a table).
pub(super) fn check(sources: &[MigrationSource], rows: &[Row], s: &str) -> Result<(), ApplyError> {
    let managed = super::drift::managed_schemas(sources)?;
    if managed != ["public"] {
        return Err(ApplyError::Tenant {
            schema: s.to_owned(),
            reason: format!(
                "the migrations manage the schemas {}; per tenant, only `public` (unqualified tables)",
                managed.join(", ")
            ),
        });
    }
    for m in sources {
        for phase in Phase::ALL {
            let done = rows.iter().any(|r| {
                r.migration == m.id && r.phase == phase.as_str() && r.finished_at.is_some()
            });
            let name = format!("{phase}.up.sql");
            let Some(text) = m.file(&name).filter(|_| !done) else {
                continue;
            };
            let Ok(units) = phase_file::parse(text) else {
                continue;
            };
            for st in super::statements(&units) {
                if let Some(what) = names_a_schema(&st.sql) {
                    return Err(ApplyError::Tenant {
                        schema: s.to_owned(),
                        reason: format!(
                            "{}:{}: {what}; per tenant, a migration names no schema",
                            m.path.join(&name).display(),
                            st.line
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// What in `sql` names a schema, if anything.
fn names_a_schema(sql: &str) -> Option<String> {
    let actions = crate::lint::classify(sql).ok()?;
    actions.iter().find_map(|a| {
        if a.kind() == Some(crate::catalogue::Kind::CreateSchema) {
            return Some(
                "it creates a schema (a version schema, for a rename or a type change)".to_owned(),
            );
        }
        a.table()
            .filter(|t| t.contains('.'))
            .map(|t| format!("it names the table {t} with its schema"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_history_is_named_within_63_bytes_and_apart_from_the_others() {
        let base = HistoryTable::default();
        assert_eq!(history_for(&base, "tenant_7").table, "history_tenant_7");
        let long_a = "a".repeat(60);
        let long_b = format!("{}b", "a".repeat(59));
        let (a, b) = (
            history_for(&base, &long_a).table,
            history_for(&base, &long_b).table,
        );
        assert!(a.len() <= 63 && b.len() <= 63, "{a} {b}");
        assert_ne!(a, b);
        assert_eq!(a, history_for(&base, &long_a).table, "deterministic");
    }

    #[test]
    fn a_statement_that_names_a_schema_cannot_run_per_tenant() {
        assert!(names_a_schema(r#"CREATE SCHEMA IF NOT EXISTS "migrate_v1""#).is_some());
        let qualified =
            names_a_schema(r#"ALTER TABLE "billing"."invoices" ADD COLUMN "n" integer"#);
        assert_eq!(
            qualified.as_deref(),
            Some("it names the table billing.invoices with its schema")
        );
        assert_eq!(
            names_a_schema(r#"ALTER TABLE "events" ADD COLUMN "n" integer"#),
            None
        );
        assert_eq!(
            names_a_schema(r#"CREATE INDEX CONCURRENTLY "i" ON "events" ("n")"#),
            None
        );
    }
}
