//! The migrations folder: one sub-folder per migration, `<yyyymmddhhmmss>_<name>/`, holding
//! the phase files and `snapshot.json`. Each snapshot names its parent, so the folders form
//! one chain; two folders with the same parent are a branch conflict (two pull requests
//! generated migrations from the same base), reported with how to resolve it.

use crate::snapshot::{Snapshot, SnapshotError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File holding a migration's schema snapshot.
pub const SNAPSHOT_FILE: &str = "snapshot.json";

/// One migration folder.
#[derive(Debug, Clone)]
pub struct Migration {
    /// Folder name: `20261124120000_create_users`.
    pub id: String,
    /// Folder path.
    pub path: PathBuf,
    /// Its snapshot.
    pub snapshot: Snapshot,
}

/// A migration folder embedded in a binary by `migrations!` (checked when it compiled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedMigration {
    /// Folder name.
    pub id: &'static str,
    /// The folder as the source named it (for messages).
    pub path: &'static str,
    /// `(file name, content)` of its phase files and its `snapshot.json`.
    pub files: &'static [(&'static str, &'static str)],
}

/// Every migration, oldest first, each following the one before it.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Migrations in chain order.
    pub migrations: Vec<Migration>,
}

impl History {
    /// The newest migration, if any.
    pub fn head(&self) -> Option<&Migration> {
        self.migrations.last()
    }
}

/// Why the migrations folder could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum MigrationsError {
    /// A file system error.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A folder that is not named like a migration.
    #[error(
        "{}: not a migration folder name (expected `<yyyymmddhhmmss>_<name>`, lower-case letters, digits and `_`); move it out of the migrations folder",
        path.display()
    )]
    BadName {
        /// The folder.
        path: PathBuf,
    },
    /// A migration folder without `snapshot.json`.
    #[error("{}: missing {SNAPSHOT_FILE}; every migration folder needs the snapshot it was generated with", path.display())]
    MissingSnapshot {
        /// The folder.
        path: PathBuf,
    },
    /// An unreadable or too new snapshot.
    #[error("{}: {source}", path.display())]
    Snapshot {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: SnapshotError,
    },
    /// Two migrations follow the same parent.
    #[error(
        "branch conflict: migrations {} all follow {}. They were generated on separate branches. Keep the one merged first, delete the other folders, and run `cargo migrate generate` again to regenerate their changes on top of it",
        children.join(", "),
        parent.as_deref().unwrap_or("the empty schema")
    )]
    Branch {
        /// The shared parent (`None`: the empty schema).
        parent: Option<String>,
        /// The migrations following it.
        children: Vec<String>,
    },
    /// Folders the chain from the first migration never reaches (their parents form a
    /// cycle).
    #[error(
        "migrations {} are not reachable from the first migration: their `parent` fields form a cycle; fix the `parent` in their snapshot.json",
        ids.join(", ")
    )]
    Unreachable {
        /// The folders left out.
        ids: Vec<String>,
    },
    /// A snapshot whose parent folder is missing.
    #[error(
        "migration {id} follows {parent}, which is not in the migrations folder; restore that folder (or regenerate {id})"
    )]
    UnknownParent {
        /// The migration.
        id: String,
        /// Its missing parent.
        parent: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> MigrationsError + '_ {
    move |source| MigrationsError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The phase files a migration folder may hold, in run order, up before down:
/// `expand.up.sql`, `expand.down.sql`, … (besides `snapshot.json`).
pub fn phase_file_names() -> Vec<String> {
    crate::phase::Phase::ALL
        .into_iter()
        .flat_map(|p| ["up", "down"].map(move |d| format!("{p}.{d}.sql")))
        .collect()
}

/// Whether `name` looks like `yyyymmddhhmmss_name`.
pub fn is_migration_id(name: &str) -> bool {
    let Some((ts, rest)) = name.split_at_checked(14) else {
        return false;
    };
    ts.bytes().all(|b| b.is_ascii_digit())
        && rest.starts_with('_')
        && rest.len() > 1
        && rest[1..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Reads the migrations folder (a missing folder is an empty history).
pub fn load(dir: &Path) -> Result<History, MigrationsError> {
    if !dir.exists() {
        return Ok(History::default());
    }
    let mut all: Vec<Migration> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !path.is_dir() || name.starts_with('.') {
            continue;
        }
        if !is_migration_id(&name) {
            return Err(MigrationsError::BadName { path });
        }
        let file = path.join(SNAPSHOT_FILE);
        if !file.exists() {
            return Err(MigrationsError::MissingSnapshot { path });
        }
        let text = std::fs::read_to_string(&file).map_err(io(&file))?;
        let snapshot = Snapshot::from_json(&text).map_err(|source| MigrationsError::Snapshot {
            path: file.clone(),
            source,
        })?;
        all.push(Migration {
            id: name,
            path,
            snapshot,
        });
    }
    all.sort_by(|a, b| a.id.cmp(&b.id));
    let mut children: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    for m in &all {
        children
            .entry(m.snapshot.parent.clone())
            .or_default()
            .push(m.id.clone());
    }
    if let Some((parent, kids)) = children.iter().find(|(_, kids)| kids.len() > 1) {
        return Err(MigrationsError::Branch {
            parent: parent.clone(),
            children: kids.clone(),
        });
    }
    for m in &all {
        if let Some(p) = &m.snapshot.parent
            && !all.iter().any(|o| &o.id == p)
        {
            return Err(MigrationsError::UnknownParent {
                id: m.id.clone(),
                parent: p.clone(),
            });
        }
    }
    // One root, no branches, every parent present: following children from the root
    // visits every folder.
    let mut ordered = Vec::with_capacity(all.len());
    let mut cursor: Option<String> = None;
    while let Some(next) = children.get(&cursor).and_then(|k| k.first()) {
        let Some(m) = all.iter().find(|m| &m.id == next) else {
            break;
        };
        ordered.push(m.clone());
        cursor = Some(next.clone());
        if ordered.len() > all.len() {
            break;
        }
    }
    if ordered.len() != all.len() {
        let ids = all
            .iter()
            .filter(|m| !ordered.iter().any(|o| o.id == m.id))
            .map(|m| m.id.clone())
            .collect();
        return Err(MigrationsError::Unreachable { ids });
    }
    Ok(History {
        migrations: ordered,
    })
}

/// Writes a new migration folder atomically: files go to a hidden temporary folder that is
/// renamed into place, so an interrupted run leaves no half-written migration.
pub fn write(
    dir: &Path,
    id: &str,
    files: &[(String, String)],
    snapshot: &Snapshot,
) -> Result<PathBuf, MigrationsError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let target = dir.join(id);
    if target.exists() {
        return Err(MigrationsError::Io {
            path: target,
            source: std::io::Error::new(std::io::ErrorKind::AlreadyExists, "already exists"),
        });
    }
    let tmp = dir.join(format!(".{id}.tmp"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    std::fs::create_dir(&tmp).map_err(io(&tmp))?;
    for (name, content) in files {
        let path = tmp.join(name);
        let mut file = std::fs::File::create(&path).map_err(io(&path))?;
        std::io::Write::write_all(&mut file, content.as_bytes()).map_err(io(&path))?;
        file.sync_all().map_err(io(&path))?;
    }
    let path = tmp.join(SNAPSHOT_FILE);
    let file = std::fs::File::create(&path).map_err(io(&path))?;
    let mut out = std::io::BufWriter::new(file);
    snapshot.write_json(&mut out).map_err(io(&path))?;
    let file = out
        .into_inner()
        .map_err(|e| e.into_error())
        .map_err(io(&path))?;
    file.sync_all().map_err(io(&path))?;
    sync_dir(&tmp)?;
    std::fs::rename(&tmp, &target).map_err(io(&target))?;
    sync_dir(dir)?;
    Ok(target)
}

/// Flushes a folder's entries (so a rename survives a crash).
fn sync_dir(dir: &Path) -> Result<(), MigrationsError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Snapshot;

    fn folder(root: &Path, id: &str, parent: Option<&str>) {
        let snap = Snapshot::new(parent.map(str::to_owned), &[]);
        std::fs::create_dir_all(root.join(id)).unwrap();
        std::fs::write(root.join(id).join(SNAPSHOT_FILE), snap.to_json()).unwrap();
    }

    #[test]
    fn loads_the_chain_and_refuses_cycles_and_branches() {
        let dir = tempfile::tempdir().unwrap();
        folder(dir.path(), "20260101000000_a", None);
        folder(dir.path(), "20260102000000_b", Some("20260101000000_a"));
        let h = load(dir.path()).unwrap();
        assert_eq!(h.head().unwrap().id, "20260102000000_b");

        folder(dir.path(), "20260103000000_c", Some("20260104000000_d"));
        folder(dir.path(), "20260104000000_d", Some("20260103000000_c"));
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("20260103000000_c, 20260104000000_d"), "{err}");
        assert!(err.contains("cycle"), "{err}");

        std::fs::remove_dir_all(dir.path().join("20260103000000_c")).unwrap();
        std::fs::remove_dir_all(dir.path().join("20260104000000_d")).unwrap();
        folder(dir.path(), "20260105000000_e", Some("20260101000000_a"));
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(err.starts_with("branch conflict"), "{err}");
    }

    #[test]
    fn migration_ids() {
        assert!(is_migration_id("20261124120000_create_users"));
        assert!(!is_migration_id("20261124120000_"));
        assert!(!is_migration_id("2026112412000_x"));
        assert!(!is_migration_id("20261124120000-create"));
        assert!(!is_migration_id("20261124120000_Create"));
        assert!(!is_migration_id("ü"));
    }
}
