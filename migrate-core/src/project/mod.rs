//! A crate using the toolkit: its `Migrate.toml`, its model sources and its migrations
//! folder. This is the library behind `cargo migrate generate` and `check`; the CLI only
//! parses arguments and prints.

mod config;
mod scan;
mod squash;

pub use crate::sql::manageable_schema;
pub use config::{CONFIG_FILE, Config, load_targets};
pub use scan::{FoundEnum, FoundModel, Location, Scanned, SourceError, scan_source, source_files};
pub use squash::Squashed;

use crate::diff::{Change, diff, physical_order, slugify};
use crate::migrations::{self, History, MigrationsError};
use crate::model::Table;
use crate::plan::{Plan, PlanError, PlanOptions, plan, version_schema};
use crate::snapshot::Snapshot;
use crate::sql::{render_plan, split_table};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why a project command failed. Every variant names the file, line or object at fault.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// `Migrate.toml` is invalid.
    #[error("{0}")]
    Config(String),
    /// Errors in the model sources, each with its location.
    #[error("{}", join_lines(.0))]
    Sources(Vec<SourceError>),
    /// The migrations folder is inconsistent.
    #[error(transparent)]
    Migrations(#[from] MigrationsError),
    /// Changes without a safe plan.
    #[error("{}", join_lines(.0))]
    Plan(Vec<PlanError>),
    /// `squash` cannot do what was asked (the message names the migration or file).
    #[error("{0}")]
    Squash(String),
}

fn join_lines<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A crate root and its configuration.
#[derive(Debug, Clone)]
pub struct Project {
    /// Crate root.
    pub root: PathBuf,
    /// Its settings.
    pub config: Config,
}

/// Models compared with the newest snapshot.
#[derive(Debug, Clone)]
pub struct Status {
    /// The migrations found.
    pub history: History,
    /// The tables the models describe.
    pub models: Vec<Table>,
    /// What differs from the newest snapshot.
    pub changes: Vec<Change>,
}

/// A migration ready to be written.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Folder name.
    pub id: String,
    /// The changes it makes.
    pub changes: Vec<Change>,
    /// Its steps.
    pub plan: Plan,
    /// Phase files, `(name, content)`.
    pub files: Vec<(String, String)>,
    /// The schema after it.
    pub snapshot: Snapshot,
}

/// Options of `generate`.
#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    /// Migration name (slugified); derived from the changes when absent.
    pub name: Option<String>,
    /// Tables whose drop the user acknowledged.
    pub allow_drop: Vec<String>,
    /// UTC time for the folder name as `yyyymmddhhmmss`; now when absent. Always moved
    /// past the newest migration's, so folder order is chain order.
    pub timestamp: Option<String>,
}

impl Project {
    /// Opens the crate at `root`, reading its `Migrate.toml` if there is one.
    pub fn open(root: &Path) -> Result<Project, ProjectError> {
        let config = Config::load(root).map_err(ProjectError::Config)?;
        Ok(Project {
            root: root.to_owned(),
            config,
        })
    }

    /// The migrations folder.
    pub fn migrations_dir(&self) -> PathBuf {
        self.root.join(&self.config.migrations)
    }

    /// Every model in the sources, checked against each other.
    pub fn models(&self) -> Result<Vec<FoundModel>, ProjectError> {
        let files = source_files(&self.root, &self.config.models).map_err(ProjectError::Config)?;
        let mut scanned = Scanned::default();
        let mut errors = Vec::new();
        // Each file is read and parsed on its own, on every core; merged in file order.
        let read = in_parallel(&files, |rel| {
            let text = std::fs::read_to_string(self.root.join(rel)).map_err(|e| {
                vec![SourceError {
                    location: Location {
                        path: rel.clone(),
                        line: 1,
                        column: 1,
                    },
                    message: format!("cannot read: {e}"),
                }]
            })?;
            scan_source(rel, &text)
        });
        for r in read {
            match r {
                Ok(s) => {
                    scanned.models.extend(s.models);
                    scanned.enums.extend(s.enums);
                }
                Err(errs) => errors.extend(errs),
            }
        }
        let found = scanned.resolve().unwrap_or_else(|errs| {
            errors.extend(errs);
            Vec::new()
        });
        errors.extend(validate_models(&found));
        errors.extend(self.outside_schemas(&found));
        if errors.is_empty() {
            Ok(found)
        } else {
            Err(ProjectError::Sources(errors))
        }
    }

    /// A model whose table lives in a schema `Migrate.toml` does not list.
    fn outside_schemas(&self, found: &[FoundModel]) -> Vec<SourceError> {
        let schemas = &self.config.schemas;
        found
            .iter()
            .filter(|m| !schemas.iter().any(|s| s == split_table(&m.table.name).0))
            .map(|m| SourceError {
                location: m.location.clone(),
                message: format!(
                    "struct `{}` maps to table {}, in schema \"{}\", which `schemas` in Migrate.toml does not list (it lists {}): add the schema there, or name the table in a listed one",
                    m.struct_name,
                    crate::sql::table_ref(&m.table.name),
                    split_table(&m.table.name).0,
                    schemas.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
                ),
            })
            .collect()
    }

    /// Models compared with the newest snapshot.
    pub fn status(&self) -> Result<Status, ProjectError> {
        let history = migrations::load(&self.migrations_dir())?;
        let models: Vec<Table> = self.models()?.into_iter().map(|m| m.table).collect();
        let old = history.head().map_or(&[][..], |m| &m.snapshot.tables[..]);
        let changes = diff(old, &models);
        Ok(Status {
            history,
            models,
            changes,
        })
    }

    /// Plans and renders the next migration; `None` when the models match the newest
    /// snapshot. Writes nothing.
    pub fn pending(&self, opts: &GenerateOptions) -> Result<Option<Pending>, ProjectError> {
        let status = self.status()?;
        if status.changes.is_empty() {
            return Ok(None);
        }
        let head = status.history.head();
        let old = head.map(|m| m.snapshot.tables.as_slice()).unwrap_or(&[]);
        let timestamp = next_timestamp(opts.timestamp.as_deref(), head.map(|m| m.id.as_str()));
        let plan = plan(
            &status.changes,
            old,
            &status.models,
            &PlanOptions {
                pg_version: self.config.postgres,
                allow_drop: opts.allow_drop.clone(),
                version_schema: version_schema(&timestamp),
            },
        )
        .map_err(ProjectError::Plan)?;
        let files = render_plan(&plan).files;
        let name = match &opts.name {
            Some(n) if !slugify(n).is_empty() => slugify(n),
            _ => default_name(&status.changes),
        };
        let id = format!("{timestamp}_{name}");
        let mut snapshot = Snapshot::of(
            head.map(|m| m.id.clone()),
            physical_order(old, status.models),
        );
        snapshot.unmanaged = head.map_or_else(Vec::new, |m| m.snapshot.unmanaged.clone());
        snapshot.postgres = Some(self.config.postgres);
        if self.config.schemas != ["public"] {
            snapshot.schemas = self.config.schemas.clone();
        }
        Ok(Some(Pending {
            id,
            changes: status.changes,
            plan,
            files,
            snapshot,
        }))
    }

    /// Writes `pending` as a new folder in the migrations folder; returns its path.
    pub fn write(&self, pending: &Pending) -> Result<PathBuf, ProjectError> {
        Ok(migrations::write(
            &self.migrations_dir(),
            &pending.id,
            &pending.files,
            &pending.snapshot,
        )?)
    }
}

/// `f` of each item, in order, the items shared out over the machine's cores.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = items.len().div_ceil(threads).max(1);
    if threads == 1 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

fn default_name(changes: &[Change]) -> String {
    let mut slugs: Vec<String> = changes.iter().take(3).map(Change::slug).collect();
    if changes.len() > 3 {
        slugs.push("and_more".into());
    }
    slugify(&slugs.join("_"))
}

/// `timestamp` (or now), moved one second past the newest migration's when not later.
fn next_timestamp(timestamp: Option<&str>, head: Option<&str>) -> String {
    let now = timestamp
        .and_then(parse_timestamp)
        .unwrap_or_else(|| chrono::Utc::now().naive_utc());
    // whole seconds: the folder name has no fraction to order by
    let now = chrono::Timelike::with_nanosecond(&now, 0).unwrap_or(now);
    let ts = match head.and_then(|h| h.get(..14)).and_then(parse_timestamp) {
        Some(floor) if now <= floor => floor + chrono::Duration::seconds(1),
        _ => now,
    };
    ts.format("%Y%m%d%H%M%S").to_string()
}

/// `yyyymmddhhmmss` (chrono's `%Y` is greedy on unseparated digits, so fields are cut here).
fn parse_timestamp(s: &str) -> Option<chrono::NaiveDateTime> {
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    chrono::NaiveDate::from_ymd_opt(n(0..4)? as i32, n(4..6)?, n(6..8)?)?.and_hms_opt(
        n(8..10)?,
        n(10..12)?,
        n(12..14)?,
    )
}

/// Rules across models: one struct per table, names unique in the schema, foreign keys to
/// modelled tables naming a key of theirs.
fn validate_models(found: &[FoundModel]) -> Vec<SourceError> {
    let mut errors = Vec::new();
    let mut tables: HashMap<&str, &FoundModel> = HashMap::new();
    for m in found {
        if let Some(first) = tables.insert(&m.table.name, m) {
            errors.push(SourceError {
                location: m.location.clone(),
                message: format!(
                    "struct `{}` maps to table \"{}\", which struct `{}` at {} already defines; give one of them another `table = \"...\"`",
                    m.struct_name, m.table.name, first.struct_name, first.location
                ),
            });
        }
    }
    let mut relations: HashMap<String, &FoundModel> = HashMap::new();
    for m in found {
        for name in m.table.relation_names() {
            if let Some(other) = relations.insert(name.clone(), m)
                && other.table.name != m.table.name
            {
                errors.push(SourceError {
                    location: m.location.clone(),
                    message: format!(
                        "\"{name}\" is used by tables \"{}\" and \"{}\"; table and index names share one namespace in PostgreSQL: rename one",
                        other.table.name, m.table.name
                    ),
                });
            }
        }
    }
    for m in found {
        for fk in &m.table.foreign_keys {
            let Some(target) = tables.get(fk.ref_table.as_str()) else {
                continue; // a table outside the models: the server checks it
            };
            let t = &target.table;
            let keyed = t
                .primary_key
                .as_ref()
                .is_some_and(|p| p.columns == fk.ref_columns)
                || t.indexes
                    .iter()
                    .any(|i| i.unique && i.predicate.is_none() && i.columns == fk.ref_columns);
            if fk.ref_columns.iter().any(|c| t.column(c).is_none()) {
                errors.push(SourceError {
                    location: m.location.clone(),
                    message: format!(
                        "foreign key \"{}\" references \"{}\"({}), but that table has no such column",
                        fk.name, fk.ref_table, fk.ref_columns.join(", ")
                    ),
                });
            } else if !keyed {
                errors.push(SourceError {
                    location: m.location.clone(),
                    message: format!(
                        "foreign key \"{}\" references \"{}\"({}), which is neither its primary key nor `unique`",
                        fk.name, fk.ref_table, fk.ref_columns.join(", ")
                    ),
                });
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::next_timestamp;

    #[test]
    fn timestamps_move_past_the_newest_migration() {
        assert_eq!(
            next_timestamp(Some("20260101000000"), None),
            "20260101000000"
        );
        assert_eq!(
            next_timestamp(Some("20260101000000"), Some("20260101000000_a")),
            "20260101000001"
        );
        assert_eq!(
            next_timestamp(Some("20250101000000"), Some("20260101235959_a")),
            "20260102000000"
        );
    }
}
