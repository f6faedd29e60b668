//! Verification on a scratch database: every migration applied through the engine and the
//! schema compared with that migration's snapshot; everything applied again (nothing to
//! run, nothing changes); everything rolled back (no table left); and applied once more
//! (the same catalog as the first time). The scratch database is created on the server
//! given and dropped at the end, whatever happened.

use super::{ApplyError, ApplyOptions, Database, Migrator, RollbackTo};
use crate::compare::{Difference, Options, compare};
use crate::introspect::introspect_schemas;
use crate::model::Table;
use crate::plan::Phase;
use sqlx::{Connection as _, PgPool};

/// One stage of a verification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stage {
    /// What ran: `apply <id>`, `apply again`, `rollback all`, `apply after rollback`.
    pub name: String,
    /// How the schema differs from what was expected after it (empty: as expected).
    pub differences: Vec<Difference>,
    /// The engine's error, when the stage failed (the stages after it did not run).
    pub error: Option<String>,
}

impl Stage {
    /// The stage ran and the schema is as expected.
    pub fn ok(&self) -> bool {
        self.differences.is_empty() && self.error.is_none()
    }
}

/// What [`Migrator::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verification {
    /// The scratch database (dropped).
    pub database: String,
    /// Every stage, in order.
    pub stages: Vec<Stage>,
}

impl Verification {
    /// Every stage ran and matched.
    pub fn ok(&self) -> bool {
        self.stages.iter().all(Stage::ok)
    }
}

impl Migrator {
    /// Verifies the migrations on a scratch database created on the server `server_url`
    /// points to (its role needs CREATEDB) and dropped at the end.
    pub async fn verify(&self, server_url: &str) -> Result<Verification, ApplyError> {
        let scratch = super::scratch::Scratch::create(server_url, "verify").await?;
        let stages = match scratch.pool().await {
            Ok(pool) => {
                let stages = self.stages(&pool).await;
                pool.close().await;
                stages
            }
            Err(e) => Err(e.into()),
        };
        let database = scratch.name.clone();
        let dropped = scratch.drop().await;
        let stages = stages?;
        dropped?;
        Ok(Verification { database, stages })
    }

    async fn stages(&self, pool: &PgPool) -> Result<Vec<Stage>, ApplyError> {
        let options = ApplyOptions {
            through: Phase::Contract,
            allow_destructive: true,
            force: true,
            history: self.options.history.clone(),
            ..ApplyOptions::default()
        };
        let all = || Migrator::new(self.sources.clone(), options.clone());
        let schemas = super::drift::managed_schemas(&self.sources)?;
        let mut stages = Vec::new();
        for (i, m) in self.sources.iter().enumerate() {
            let mut upto = Migrator::new(self.sources[..=i].to_vec(), options.clone());
            let stage = match upto.apply(pool).await {
                Ok(_) => drifted(&upto, pool, format!("apply {}", m.id)).await?,
                Err(e) => failed(format!("apply {}", m.id), &e),
            };
            if !push(&mut stages, stage) {
                return Ok(stages);
            }
        }
        let first = tables(pool, &schemas).await?;
        let stage = match all().apply(pool).await {
            Ok(r) if !r.applied.is_empty() => Stage {
                name: "apply again".into(),
                differences: Vec::new(),
                error: Some(format!("ran {} phases again", r.applied.len())),
            },
            Ok(_) => drifted(&all(), pool, "apply again".into()).await?,
            Err(e) => failed("apply again".into(), &e),
        };
        if !push(&mut stages, stage) {
            return Ok(stages);
        }
        let stage = match all().rollback(pool, Some(&RollbackTo::All)).await {
            Ok(_) => Stage {
                name: "rollback all".into(),
                differences: compare(&[], &tables(pool, &schemas).await?, Options::default()),
                error: None,
            },
            Err(e) => failed("rollback all".into(), &e),
        };
        if !push(&mut stages, stage) {
            return Ok(stages);
        }
        let stage = match all().apply(pool).await {
            Ok(_) => Stage {
                name: "apply after rollback".into(),
                differences: compare(&first, &tables(pool, &schemas).await?, Options::default()),
                error: None,
            },
            Err(e) => failed("apply after rollback".into(), &e),
        };
        push(&mut stages, stage);
        Ok(stages)
    }
}

/// Pushes `stage`; whether the next may run (this one did not fail).
fn push(stages: &mut Vec<Stage>, stage: Stage) -> bool {
    let go_on = stage.error.is_none();
    stages.push(stage);
    go_on
}

fn failed(name: String, e: &ApplyError) -> Stage {
    Stage {
        name,
        differences: Vec::new(),
        error: Some(e.to_string()),
    }
}

/// The schema against the newest snapshot of `m`'s migrations.
async fn drifted(m: &Migrator, pool: &PgPool, name: String) -> Result<Stage, ApplyError> {
    let differences = m
        .drift(pool)
        .await?
        .map_or_else(Vec::new, |d| d.differences);
    Ok(Stage {
        name,
        differences,
        error: None,
    })
}

async fn tables(pool: &PgPool, schemas: &[String]) -> Result<Vec<Table>, ApplyError> {
    let mut conn = Database::Pool(pool).connect().await?;
    let read = introspect_schemas(&mut conn, schemas).await?;
    conn.close().await.ok();
    Ok(read.tables)
}
