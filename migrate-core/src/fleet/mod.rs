//! Fleets: the same migrations applied to many databases (a database per tenant, per
//! region) and to tenant schemas (a schema per tenant of one database: each its own
//! target, see `apply::ApplyOptions::tenant_schema`). A fleet lists its targets, names a
//! canary, and sizes its waves: the canary
//! runs first, alone; then the other targets in waves of `wave_size`, at most `parallel`
//! at a time, each wave finished before the next starts. The first failure stops its
//! wave (the targets running then stop after their statement or batch, committed and
//! resumable; the ones not started stay so) and no later wave starts. Every target keeps
//! its own history, so a fleet run killed anywhere resumes each target where it stopped.
//! The phase bound is the single run's: contract runs only when asked (`through`).

#[cfg(feature = "db")]
mod run;
#[cfg(feature = "db")]
mod status;

#[cfg(feature = "db")]
pub use run::{FleetReport, Outcome, TargetReport, apply};
#[cfg(feature = "db")]
pub use status::{TargetStatus, status};

use serde::{Deserialize, Serialize};

/// One database of a fleet.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// How the output names it (unique in the fleet).
    pub name: String,
    /// Its URL (give `url_env` instead to keep a password out of the file).
    #[serde(default, skip_serializing)]
    pub url: Option<String>,
    /// The environment variable holding its URL.
    #[serde(default)]
    pub url_env: Option<String>,
    /// Tenant schemas: the migrations run once per schema, each its own target
    /// `name/schema` with its own history. Empty: the database itself, schema `public`.
    #[serde(default)]
    pub schemas: Vec<String>,
}

/// How a fleet run proceeds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Waves {
    /// The target that runs first, alone (default: the first listed).
    pub canary: Option<String>,
    /// Targets per wave after the canary.
    pub wave_size: usize,
    /// Targets of a wave running at once.
    pub parallel: usize,
}

impl Default for Waves {
    fn default() -> Self {
        Waves {
            canary: None,
            wave_size: 10,
            parallel: 4,
        }
    }
}

/// A fleet: its targets, and its waves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fleet {
    /// The targets, in order.
    pub targets: Vec<Target>,
    /// The waves.
    #[serde(rename = "fleet")]
    pub waves: Waves,
}

/// A fleet that cannot run as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FleetError {
    /// It lists no target.
    #[error("the fleet lists no target ([[targets]] with name and url)")]
    Empty,
    /// A target without a name.
    #[error("target {index} has an empty name")]
    Unnamed {
        /// Its position (1-based).
        index: usize,
    },
    /// Two targets share a name.
    #[error("two targets are named \"{name}\": names must be unique")]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// A target gives neither or both of `url` and `url_env`.
    #[error("target \"{name}\": give exactly one of url and url_env")]
    Url {
        /// The target.
        name: String,
    },
    /// `url_env` names an unset variable.
    #[error("target \"{name}\": the environment variable {var} (its url_env) is not set")]
    UnsetVariable {
        /// The target.
        name: String,
        /// The variable.
        var: String,
    },
    /// Two targets reach the same database.
    #[error("targets \"{first}\" and \"{second}\" have the same URL: each database once")]
    SameDatabase {
        /// The first one listed.
        first: String,
        /// The second.
        second: String,
    },
    /// The canary is not a target.
    #[error("the canary \"{name}\" is not one of the targets")]
    UnknownCanary {
        /// The name given.
        name: String,
    },
    /// A tenant schema name the migrations cannot run in.
    #[error(
        "target \"{name}\": \"{schema}\" is not a tenant schema name (1 to 63 bytes, no dot, not pg_*)"
    )]
    BadSchema {
        /// The target.
        name: String,
        /// The schema.
        schema: String,
    },
    /// A wave size or parallelism of 0.
    #[error("wave_size and parallel must be at least 1")]
    ZeroWave,
}

/// A target ready to run: its name, URL and tenant schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Its name (`target/schema` for a tenant schema).
    pub name: String,
    /// Its URL (never printed).
    pub url: String,
    /// The tenant schema it runs in (`None`: the database's `public`).
    pub schema: Option<String>,
    /// The name of the target it comes from (its own name, without a schema).
    pub target: String,
}

impl Fleet {
    /// The targets with their URLs (read from the environment for `url_env`), one per
    /// tenant schema of a target that lists some, checked: names unique and given, one URL
    /// each, no database (or tenant schema) twice, the canary a target.
    pub fn resolve(&self) -> Result<Vec<Resolved>, FleetError> {
        if self.targets.is_empty() {
            return Err(FleetError::Empty);
        }
        if self.waves.wave_size == 0 || self.waves.parallel == 0 {
            return Err(FleetError::ZeroWave);
        }
        let mut out: Vec<Resolved> = Vec::with_capacity(self.targets.len());
        for (i, t) in self.targets.iter().enumerate() {
            let name = t.name.trim().to_owned();
            if name.is_empty() {
                return Err(FleetError::Unnamed { index: i + 1 });
            }
            if out.iter().any(|r| r.name == name) {
                return Err(FleetError::DuplicateName { name });
            }
            let url = match (&t.url, &t.url_env) {
                (Some(url), None) => url.clone(),
                (None, Some(var)) => std::env::var(var).map_err(|_| FleetError::UnsetVariable {
                    name: name.clone(),
                    var: var.clone(),
                })?,
                _ => return Err(FleetError::Url { name }),
            };
            if let Some(first) = out.iter().find(|r| r.url == url && t.schemas.is_empty()) {
                return Err(FleetError::SameDatabase {
                    first: first.name.clone(),
                    second: name,
                });
            }
            if t.schemas.is_empty() {
                out.push(Resolved {
                    target: name.clone(),
                    name,
                    url,
                    schema: None,
                });
                continue;
            }
            for s in &t.schemas {
                if !crate::sql::manageable_schema(s) {
                    return Err(FleetError::BadSchema {
                        name,
                        schema: s.clone(),
                    });
                }
                let tenant = format!("{name}/{s}");
                if out
                    .iter()
                    .any(|r| r.name == tenant || (r.url == url && r.schema.as_ref() == Some(s)))
                {
                    return Err(FleetError::DuplicateName { name: tenant });
                }
                out.push(Resolved {
                    name: tenant,
                    url: url.clone(),
                    schema: Some(s.clone()),
                    target: name.clone(),
                });
            }
        }
        if let Some(canary) = &self.waves.canary
            && !out.iter().any(|r| &r.target == canary)
        {
            return Err(FleetError::UnknownCanary {
                name: canary.clone(),
            });
        }
        Ok(out)
    }

    /// The waves of `targets` (as [`Fleet::resolve`] returned them): the canary alone,
    /// then the others in order, `wave_size` each.
    pub fn waves(&self, targets: &[Resolved]) -> Vec<Vec<Resolved>> {
        let canary = self
            .waves
            .canary
            .as_ref()
            // A target with tenant schemas as the canary: its first schema.
            .and_then(|c| targets.iter().position(|t| &t.target == c))
            .unwrap_or(0);
        let Some(first) = targets.get(canary) else {
            return Vec::new();
        };
        let rest: Vec<Resolved> = targets
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != canary)
            .map(|(_, t)| t.clone())
            .collect();
        let mut waves = vec![vec![first.clone()]];
        waves.extend(
            rest.chunks(self.waves.wave_size.max(1))
                .map(<[Resolved]>::to_vec),
        );
        waves
    }
}

/// The run options of target `t`: `options`, in its tenant schema with its own history.
#[cfg(feature = "db")]
fn options_for(options: &crate::apply::ApplyOptions, t: &Resolved) -> crate::apply::ApplyOptions {
    let mut o = options.clone();
    if let Some(s) = &t.schema {
        o.history = crate::apply::tenant_history(&options.history, s);
        o.tenant_schema = Some(s.clone());
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str, url: &str) -> Target {
        Target {
            name: name.into(),
            url: Some(url.into()),
            url_env: None,
            schemas: Vec::new(),
        }
    }

    fn fleet(n: usize, wave_size: usize, canary: Option<&str>) -> Fleet {
        Fleet {
            targets: (1..=n)
                .map(|i| target(&format!("t{i}"), &format!("postgres://h/db{i}")))
                .collect(),
            waves: Waves {
                canary: canary.map(str::to_owned),
                wave_size,
                parallel: 2,
            },
        }
    }

    fn names(waves: &[Vec<Resolved>]) -> Vec<Vec<&str>> {
        waves
            .iter()
            .map(|w| w.iter().map(|t| t.name.as_str()).collect())
            .collect()
    }

    #[test]
    fn the_canary_runs_alone_then_waves_of_the_rest_in_order() {
        let f = fleet(6, 2, Some("t3"));
        let waves = f.waves(&f.resolve().unwrap());
        assert_eq!(
            names(&waves),
            [vec!["t3"], vec!["t1", "t2"], vec!["t4", "t5"], vec!["t6"]]
        );
        let f = fleet(3, 10, None);
        assert_eq!(
            names(&f.waves(&f.resolve().unwrap())),
            [vec!["t1"], vec!["t2", "t3"]]
        );
    }

    #[test]
    fn a_target_with_tenant_schemas_is_one_target_per_schema() {
        let mut f = fleet(2, 3, Some("t2"));
        f.targets[1].schemas = vec!["a".into(), "b".into()];
        let resolved = f.resolve().unwrap();
        let listed: Vec<&str> = resolved.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(listed, ["t1", "t2/a", "t2/b"]);
        assert_eq!(resolved[2].schema.as_deref(), Some("b"));
        assert_eq!(
            names(&f.waves(&resolved)),
            [vec!["t2/a"], vec!["t1", "t2/b"]]
        );
        f.targets[1].schemas.push("pg_x".into());
        assert!(matches!(f.resolve(), Err(FleetError::BadSchema { .. })));
    }

    #[test]
    fn a_fleet_that_cannot_run_says_which_target() {
        assert_eq!(Fleet::default().resolve(), Err(FleetError::Empty));
        let mut f = fleet(2, 2, None);
        f.targets[1].url = f.targets[0].url.clone();
        assert_eq!(
            f.resolve(),
            Err(FleetError::SameDatabase {
                first: "t1".into(),
                second: "t2".into()
            })
        );
        let mut f = fleet(2, 2, None);
        f.targets[1].name = "t1".into();
        assert!(matches!(f.resolve(), Err(FleetError::DuplicateName { .. })));
        let mut f = fleet(2, 2, None);
        f.targets[0].url_env = Some("X".into());
        assert!(matches!(f.resolve(), Err(FleetError::Url { name }) if name == "t1"));
        let mut f = fleet(1, 2, None);
        f.targets[0].url = None;
        f.targets[0].url_env = Some("CARGO_MIGRATE_TEST_UNSET_VARIABLE".into());
        assert!(
            matches!(f.resolve(), Err(FleetError::UnsetVariable { var, .. }) if var == "CARGO_MIGRATE_TEST_UNSET_VARIABLE")
        );
        assert!(matches!(
            fleet(2, 2, Some("t9")).resolve(),
            Err(FleetError::UnknownCanary { .. })
        ));
        assert_eq!(fleet(2, 0, None).resolve(), Err(FleetError::ZeroWave));
    }
}
