//! A scratch database: created on a server (its role needs CREATEDB) under a name of its
//! own, used through a small pool, and dropped at the end whatever happened (its sessions
//! terminated first).

use super::ApplyError;
use crate::sql::ident;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection as _, PgConnection, PgPool};
use std::str::FromStr as _;

/// A scratch database, until [`Scratch::drop`].
pub(super) struct Scratch {
    admin: PgConnection,
    options: PgConnectOptions,
    /// Its name.
    pub name: String,
}

impl Scratch {
    /// Creates `cargo_migrate_<purpose>_<pid>_<random>` on the server of `server_url`.
    pub async fn create(server_url: &str, purpose: &str) -> Result<Scratch, ApplyError> {
        let options = PgConnectOptions::from_str(server_url)?;
        let mut admin = PgConnection::connect_with(&options).await?;
        let name = format!(
            "cargo_migrate_{purpose}_{}_{}",
            std::process::id(),
            fastrand::u32(..)
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {}",
            ident(&name)
        )))
        .execute(&mut admin)
        .await?;
        Ok(Scratch {
            admin,
            options,
            name,
        })
    }

    /// A pool of up to four connections to it.
    pub async fn pool(&self) -> Result<PgPool, sqlx::Error> {
        PgPoolOptions::new()
            .max_connections(4)
            .connect_with(self.options.clone().database(&self.name))
            .await
    }

    /// Drops it.
    pub async fn drop(mut self) -> Result<(), ApplyError> {
        // Best effort: DROP DATABASE says so if a session is still there.
        let _ = sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(&self.name)
        .execute(&mut self.admin)
        .await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {}",
            ident(&self.name)
        )))
        .execute(&mut self.admin)
        .await?;
        self.admin.close().await.ok();
        Ok(())
    }
}
