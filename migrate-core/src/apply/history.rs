//! The history table: a row per migration phase, with the checksum of the file it ran, who
//! ran it, when, how far it got (statements done, backfill cursor), committed with the work
//! itself so a killed run resumes exactly where it stopped. The row also keeps the checksums
//! of the phase's down file and of the migration's snapshot as they were when it ran. A
//! rollback counts its own progress through the down file in the same row, and deletes the
//! row when it is done. A baseline's rows say so, with the other tools' versions it covers.

use crate::sql::ident;
use sqlx::PgConnection;

/// Where the history lives: `schema.table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryTable {
    /// Schema (created if missing).
    pub schema: String,
    /// Table.
    pub table: String,
}

impl Default for HistoryTable {
    fn default() -> Self {
        HistoryTable {
            schema: "cargo_migrate".into(),
            table: "history".into(),
        }
    }
}

impl HistoryTable {
    /// The quoted, schema-qualified name.
    pub fn qualified(&self) -> String {
        format!("{}.{}", ident(&self.schema), ident(&self.table))
    }

    /// The advisory lock key appliers of this history share.
    pub fn lock_key(&self) -> i64 {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(format!("cargo-migrate:{}", self.qualified()));
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[..8]);
        i64::from_be_bytes(bytes)
    }

    /// The backend holding the appliers' advisory lock in the current database, if any.
    pub async fn lock_holder(&self, conn: &mut PgConnection) -> Result<Option<i32>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND classid = (($1 >> 32) & 4294967295)::oid
               AND objid = ($1 & 4294967295)::oid AND objsubid = 1 LIMIT 1",
        )
        .bind(self.lock_key())
        .fetch_optional(&mut *conn)
        .await
    }

    /// Creates the schema and table when missing.
    pub async fn ensure(&self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        // CREATE SCHEMA IF NOT EXISTS checks the CREATE privilege on the database even
        // when the schema exists: a deploy role without it could never run.
        let schema_exists: bool = sqlx::query_scalar("SELECT to_regnamespace($1) IS NOT NULL")
            .bind(ident(&self.schema))
            .fetch_one(&mut *conn)
            .await?;
        if !schema_exists {
            let created = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "CREATE SCHEMA IF NOT EXISTS {}",
                ident(&self.schema)
            )))
            .execute(&mut *conn)
            .await;
            // Another applier (a tenant of the same database) created it meanwhile: IF NOT
            // EXISTS does not cover that race (23505 on pg_namespace, or 42P06).
            match created {
                Err(e) if is_concurrent_creation(&e) => {}
                r => {
                    r?;
                }
            }
        }
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS {table} (
                 migration text NOT NULL,
                 phase text NOT NULL,
                 checksum text NOT NULL,
                 down_checksum text,
                 snapshot_checksum text,
                 applied_by text NOT NULL DEFAULT current_user,
                 started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                 finished_at timestamptz,
                 duration_ms bigint,
                 statements_done integer NOT NULL DEFAULT 0,
                 backfill_last_key text[],
                 backfill_upper_key text[],
                 backfill_rows bigint NOT NULL DEFAULT 0,
                 statements_undone integer NOT NULL DEFAULT 0,
                 baseline boolean NOT NULL DEFAULT false,
                 covers text[],
                 request text,
                 PRIMARY KEY (migration, phase)
             )",
            table = self.qualified()
        );
        // Built from quoted identifiers only.
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await?;
        self.upgrade(conn).await
    }

    /// Adds the columns a history table made by an older version lacks. Each ALTER takes
    /// ACCESS EXCLUSIVE on the history table only, and only when a column is missing.
    async fn upgrade(&self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        let present = self.columns(conn).await?;
        for (column, definition, _) in ADDED_LATER {
            if !present.iter().any(|p| p == column) {
                let sql = format!(
                    "ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {definition}",
                    self.qualified(),
                    ident(column)
                );
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok(())
    }

    async fn columns(&self, conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT attname::text FROM pg_attribute
              WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
        )
        .bind(self.qualified())
        .fetch_all(&mut *conn)
        .await
    }

    /// Every row, oldest first. A table an older version made reads too (before an apply
    /// upgrades it): the columns it lacks read as their value for old rows.
    pub async fn rows(&self, conn: &mut PgConnection) -> Result<Vec<Row>, sqlx::Error> {
        let present = self.columns(conn).await?;
        let later: Vec<String> = ADDED_LATER
            .iter()
            .map(|(column, _, missing)| {
                if present.iter().any(|p| p == column) {
                    ident(column)
                } else {
                    format!("{missing} AS {}", ident(column))
                }
            })
            .collect();
        let sql = format!(
            "SELECT migration, phase, checksum, applied_by,
                    started_at::text AS started_at, finished_at::text AS finished_at,
                    duration_ms, statements_done, backfill_last_key, backfill_upper_key,
                    backfill_rows, statements_undone, {}
             FROM {} ORDER BY migration, array_position(ARRAY['expand','backfill','contract'], phase)",
            later.join(", "),
            self.qualified()
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *conn)
            .await
    }
}

/// Columns added after the first release: name, definition, and what an old row reads as.
const ADDED_LATER: [(&str, &str, &str); 5] = [
    ("down_checksum", "text", "NULL::text"),
    ("snapshot_checksum", "text", "NULL::text"),
    ("baseline", "boolean NOT NULL DEFAULT false", "false"),
    ("covers", "text[]", "NULL::text[]"),
    ("request", "text", "NULL::text"),
];

/// An object created by a concurrent session between our check and our `CREATE`.
fn is_concurrent_creation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "23505" || c == "42P06" || c == "42P07")
}

/// One applied (or partly applied) phase.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Row {
    /// Migration id (folder name).
    pub migration: String,
    /// `expand`, `backfill` or `contract`.
    pub phase: String,
    /// SHA-256 of the up file it ran.
    pub checksum: String,
    /// SHA-256 of the phase's down file when the up file ran (`""`: it had none; `None`:
    /// recorded before down files were checksummed).
    pub down_checksum: Option<String>,
    /// SHA-256 of the migration's `snapshot.json` then (`""`: none, as for a typed
    /// migration; `None`: recorded before snapshots were checksummed).
    pub snapshot_checksum: Option<String>,
    /// Database role that ran it.
    pub applied_by: String,
    /// When it started.
    pub started_at: String,
    /// When it finished (`None`: interrupted, resumable).
    pub finished_at: Option<String>,
    /// How long it took.
    pub duration_ms: Option<i64>,
    /// Statements of the file done (a batched backfill counts once, when finished).
    pub statements_done: i32,
    /// Cursor of the backfill in progress: the last key done.
    pub backfill_last_key: Option<Vec<String>>,
    /// The largest key when that backfill started: where it ends.
    pub backfill_upper_key: Option<Vec<String>>,
    /// Rows the backfills of this phase updated so far.
    pub backfill_rows: i64,
    /// Statements of the down file done by a rollback still in progress (the row goes
    /// when the rollback of the phase finishes).
    pub statements_undone: i32,
    /// Recorded by `baseline` as applied without running: the database already had the
    /// schema.
    pub baseline: bool,
    /// For a baseline: the newest version of each other tool's history it covers
    /// (`table version`).
    pub covers: Option<Vec<String>>,
    /// What `cargo migrate backfill pause|stop` asked of this phase's backfill
    /// (`pause`, `stop`; `None`: nothing).
    pub request: Option<String>,
}
