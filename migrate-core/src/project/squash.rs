//! `squash`: the migrations up to one become a single migration that makes their schema
//! from nothing, under the id of the last of them, with its snapshot. The snapshot lists
//! the ids it replaces (`squashes`): a database that applied the originals counts it as
//! applied (the engine reads their history rows as its own); a fresh database runs only
//! it. The migrations after it keep their parent, so the chain is unchanged.

use super::{Project, ProjectError};
use crate::diff::diff;
use crate::migrations;
use crate::plan::{PlanOptions, plan, version_schema};
use crate::snapshot::Snapshot;
use crate::sql::render_plan;
use std::path::PathBuf;

/// What [`Project::squash`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Squashed {
    /// The new folder (the id of the last migration squashed).
    pub path: PathBuf,
    /// The migrations it replaces, oldest first (their folders are gone).
    pub replaced: Vec<String>,
    /// Its phase files.
    pub files: Vec<String>,
}

impl Project {
    /// Replaces the migrations up to `through` with one migration.
    pub fn squash(&self, through: &str) -> Result<Squashed, ProjectError> {
        let dir = self.migrations_dir();
        let history = migrations::load(&dir)?;
        let Some(end) = history.migrations.iter().position(|m| m.id == through) else {
            return Err(ProjectError::Squash(format!(
                "--through {through}: no such migration in {}",
                dir.display()
            )));
        };
        if end == 0 {
            return Err(ProjectError::Squash(format!(
                "{through} is the first migration: there is nothing to squash it with"
            )));
        }
        let target = &history.migrations[end];
        let tables = &target.snapshot.tables;
        let changes = diff(&[], tables);
        let plan = plan(
            &changes,
            &[],
            tables,
            &PlanOptions {
                pg_version: self.config.postgres,
                allow_drop: Vec::new(),
                version_schema: version_schema(target.id.get(..14).unwrap_or(&target.id)),
            },
        )
        .map_err(ProjectError::Plan)?;
        let files = render_plan(&plan).files;
        let mut replaced = Vec::new();
        for m in &history.migrations[..=end] {
            replaced.extend(m.snapshot.squashes.iter().cloned());
            replaced.push(m.id.clone());
        }
        replaced.dedup();
        let mut snapshot = Snapshot::new(None, tables);
        snapshot.unmanaged = target.snapshot.unmanaged.clone();
        snapshot.squashes = replaced.clone();
        // Written aside first: the originals go only once the new folder is complete.
        let staging = dir.join(format!(".squash-{}", target.id));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
        let written = migrations::write(&staging, &target.id, &files, &snapshot)?;
        for m in &history.migrations[..=end] {
            std::fs::remove_dir_all(&m.path).map_err(io(&m.path))?;
        }
        let path = dir.join(&target.id);
        std::fs::rename(&written, &path).map_err(io(&path))?;
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
        Ok(Squashed {
            path,
            replaced: history.migrations[..=end]
                .iter()
                .map(|m| m.id.clone())
                .collect(),
            files: files.into_iter().map(|(n, _)| n).collect(),
        })
    }
}

fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> ProjectError + '_ {
    move |e| ProjectError::Squash(format!("{}: {e}", path.display()))
}
