//! Snapshots: the whole schema after a migration, stored as `snapshot.json` in its folder.
//! Pretty-printed with a fixed field order and objects sorted by name, so the diff of a
//! snapshot in a pull request reads like the change itself.

use crate::model::Table;
use serde::{Deserialize, Serialize};

/// The snapshot format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The schema after one migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Format of this file; newer formats are refused, not misread.
    pub format_version: u32,
    /// Id (folder name) of the migration this one follows; `None` for the first.
    pub parent: Option<String>,
    /// Every table, sorted by name, planner hints removed.
    pub tables: Vec<Table>,
    /// Objects on these tables the models do not express, which the database keeps (an
    /// expression index `init` found, as `index users.users_lower_email`): drift ignores
    /// them. Carried from each snapshot to the next.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmanaged: Vec<String>,
    /// The migrations this one replaces (written by `squash`), oldest first, its own id
    /// last: on a database that applied them, it counts as applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub squashes: Vec<String>,
    /// The schemas the models manage (`schemas` in Migrate.toml) when not only `public`:
    /// drift, baseline, verify and the dependents check read these and no other.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    /// The PostgreSQL major version the migration was planned for (`postgres` in
    /// Migrate.toml): its statements may need it, so `apply` refuses an older server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgres: Option<u32>,
}

/// Why a snapshot could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Not valid JSON, or not a snapshot.
    #[error("line {line}, column {column}: {message}")]
    Invalid {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde said.
        message: String,
    },
    /// Written by a newer version of the toolkit.
    #[error(
        "format version {found} is newer than this cargo-migrate understands ({FORMAT_VERSION}); upgrade cargo-migrate"
    )]
    NewerFormat {
        /// The version in the file.
        found: u64,
    },
}

impl Snapshot {
    /// A snapshot of `tables` following `parent`.
    pub fn new(parent: Option<String>, tables: &[Table]) -> Self {
        Snapshot::of(parent, tables.to_vec())
    }

    /// [`Snapshot::new`], taking the tables.
    pub fn of(parent: Option<String>, tables: Vec<Table>) -> Self {
        let mut tables: Vec<Table> = tables.into_iter().map(Table::into_schema_only).collect();
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        Snapshot {
            format_version: FORMAT_VERSION,
            parent,
            tables,
            unmanaged: Vec::new(),
            squashes: Vec::new(),
            schemas: Vec::new(),
            postgres: None,
        }
    }

    /// The schemas this snapshot manages: its `schemas`, or `public` alone.
    pub fn managed_schemas(&self) -> Vec<String> {
        if self.schemas.is_empty() {
            vec!["public".into()]
        } else {
            self.schemas.clone()
        }
    }

    /// The table called `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// [`Snapshot::to_json`], written to `out` as it is made (a large schema's text is
    /// never held whole).
    pub fn write_json(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")
    }

    /// Deterministic pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads a snapshot, refusing formats newer than [`FORMAT_VERSION`].
    pub fn from_json(text: &str) -> Result<Self, SnapshotError> {
        let invalid = |e: serde_json::Error| SnapshotError::Invalid {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        };
        // Read once; a snapshot that does not read is looked at again for a newer
        // format's version (its fields may be unknown here).
        let newer = |found: u64| SnapshotError::NewerFormat { found };
        match serde_json::from_str::<Snapshot>(text) {
            Ok(s) if u64::from(s.format_version) > u64::from(FORMAT_VERSION) => {
                Err(newer(u64::from(s.format_version)))
            }
            Ok(mut s) => {
                // Read lists grow by doubling; a large schema keeps them for the whole run.
                for t in &mut s.tables {
                    t.columns.shrink_to_fit();
                    t.indexes.shrink_to_fit();
                    t.foreign_keys.shrink_to_fit();
                }
                s.tables.shrink_to_fit();
                Ok(s)
            }
            Err(e) => {
                #[derive(serde::Deserialize)]
                struct Version {
                    format_version: Option<u64>,
                }
                match serde_json::from_str::<Version>(text) {
                    Ok(Version {
                        format_version: Some(found),
                    }) if found > u64::from(FORMAT_VERSION) => Err(newer(found)),
                    _ => Err(invalid(e)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Column;

    fn table(name: &str) -> Table {
        Table {
            name: name.into(),
            renamed_from: Some("old".into()),
            columns: vec![Column {
                backfill: Some("1".into()),
                ..Column::new("id", "bigint", false)
            }],
            primary_key: None,
            indexes: vec![],
            checks: vec![],
            foreign_keys: vec![],
            comment: None,
            extensions: vec![],
            enums: vec![],
        }
    }

    #[test]
    fn round_trips_sorted_without_hints() {
        let s = Snapshot::new(Some("p".into()), &[table("b"), table("a")]);
        assert_eq!(s.tables[0].name, "a");
        assert!(s.tables[0].renamed_from.is_none());
        assert!(s.tables[0].columns[0].backfill.is_none());
        let json = s.to_json();
        assert!(json.ends_with("}\n"));
        assert_eq!(Snapshot::from_json(&json).unwrap(), s);
    }

    #[test]
    fn refuses_newer_formats_and_names_the_position_of_bad_json() {
        let newer = r#"{"format_version": 99, "parent": null, "tables": [], "x": 1}"#;
        assert!(matches!(
            Snapshot::from_json(newer),
            Err(SnapshotError::NewerFormat { found: 99 })
        ));
        let broken = "{\n  \"format_version\": 1,\n  \"parent\": null,\n  \"tables\": [\n";
        match Snapshot::from_json(broken) {
            Err(SnapshotError::Invalid { line, .. }) => assert!(line >= 4),
            other => panic!("{other:?}"),
        }
    }
}
