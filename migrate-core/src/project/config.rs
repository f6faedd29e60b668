//! `Migrate.toml`, optional, at the crate root.

use serde::Deserialize;
use std::path::Path;

/// File name of the project configuration.
pub const CONFIG_FILE: &str = "Migrate.toml";

/// Project settings; every key is optional.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Globs (relative to the crate root) of the sources holding `#[derive(Schema)]` structs.
    pub models: Vec<String>,
    /// Migrations folder, relative to the crate root.
    pub migrations: String,
    /// Target PostgreSQL major version.
    pub postgres: u32,
    /// The schemas the models manage; a table of another schema is written
    /// `table = "billing.invoices"`. Nothing outside them is read, changed or reported.
    pub schemas: Vec<String>,
    /// The databases `apply --targets` and `status --targets` run on when no file is given.
    pub targets: Vec<crate::fleet::Target>,
    /// How a fleet run proceeds (canary, wave size, parallelism).
    pub fleet: crate::fleet::Waves,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            models: vec!["src/**/*.rs".into()],
            migrations: "migrations".into(),
            postgres: 14,
            schemas: vec!["public".into()],
            targets: Vec::new(),
            fleet: crate::fleet::Waves::default(),
        }
    }
}

impl Config {
    /// Reads `Migrate.toml` in `root`, or the defaults when there is none.
    pub fn load(root: &Path) -> Result<Config, String> {
        let path = root.join(CONFIG_FILE);
        if !path.exists() {
            return Ok(Config::default());
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let config: Config =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if config.models.is_empty() {
            return Err(format!("{}: `models` lists no glob", path.display()));
        }
        if config.schemas.is_empty() {
            return Err(format!("{}: `schemas` lists no schema", path.display()));
        }
        if let Some(bad) = config
            .schemas
            .iter()
            .find(|s| !crate::sql::manageable_schema(s))
        {
            return Err(format!(
                "{}: `schemas`: \"{bad}\" is not a schema name the models can manage (1 to 63 bytes, no dot, not pg_*)",
                path.display()
            ));
        }
        // The plans rely on SET NOT NULL proven by a valid CHECK (and EXECUTE FUNCTION, and
        // index renames that block no traffic): the catalogue says from which version.
        let oldest = crate::catalogue::Kind::SetNotNullProven.facts().since;
        if !(oldest..=99).contains(&config.postgres) {
            return Err(format!(
                "{}: `postgres = {}`: the plans need PostgreSQL {oldest} or later (SET NOT NULL proven by a valid CHECK, EXECUTE FUNCTION, index renames that block no traffic)",
                path.display(),
                config.postgres
            ));
        }
        Ok(config)
    }
}

impl Config {
    /// The fleet `[[targets]]` and `[fleet]` describe.
    pub fn fleet(&self) -> crate::fleet::Fleet {
        crate::fleet::Fleet {
            targets: self.targets.clone(),
            waves: self.fleet.clone(),
        }
    }
}

/// Reads a targets file: `[[targets]]` (name, and url or url_env) and an optional
/// `[fleet]` (canary, wave_size, parallel), as in `Migrate.toml`.
pub fn load_targets(path: &Path) -> Result<crate::fleet::Fleet, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}
