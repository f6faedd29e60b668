//! `cargo migrate init --from-database`.

use crate::cli::InitArgs;
use anyhow::Context;
use migrate_core::adopt;
use migrate_core::apply::{ApplyError, ApplyOptions};
use migrate_core::project::{CONFIG_FILE, GenerateOptions, Project};
use sqlx::Connection as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The migrations folder `init` configures.
const MIGRATIONS: &str = "migrations";

/// What `init` wrote and recorded (`--json`).
#[derive(serde::Serialize)]
struct Report<'a> {
    schemas: &'a [String],
    postgres: u32,
    tables: usize,
    models: PathBuf,
    config: PathBuf,
    migration: String,
    findings: &'a [adopt::Finding],
    other_tools: &'a [migrate_core::apply::OtherHistory],
    recorded: bool,
    crates: Vec<&'static str>,
}

/// Reads the database into models, writes them with `Migrate.toml` and a baseline
/// migration, and records the baseline as applied on that database.
pub fn run(dir: &Path, args: &InitArgs) -> anyhow::Result<ExitCode> {
    let schemas = schemas(&args.schemas)?;
    let config = dir.join(CONFIG_FILE);
    let models = dir.join(&args.models);
    for path in [&config, &models] {
        if path.exists() {
            anyhow::bail!(
                "{} exists: `init` writes a new project and never overwrites a file (move it, or choose another `--models` path)",
                path.display()
            );
        }
    }
    let migrations = dir.join(MIGRATIONS);
    if std::fs::read_dir(&migrations).is_ok_and(|mut d| d.next().is_some()) {
        anyhow::bail!(
            "{} is not empty: `init` starts a project's history (move the migrations of the old tool elsewhere; the baseline records the newest version of their history it covers)",
            migrations.display()
        );
    }
    let db = crate::cli::DbArgs {
        database_url: Some(args.from_database.clone()),
        history_table: args.history_table.clone(),
    };
    let rt = super::runtime()?;
    let adoption = rt.block_on(async {
        let mut conn = sqlx::PgConnection::connect(&args.from_database).await?;
        let read = adopt::read(&mut conn, &schemas).await;
        conn.close().await.ok();
        anyhow::Ok(read?)
    })?;
    if adoption.tables.is_empty() {
        anyhow::bail!(
            "{} no tables: there is nothing to adopt (start with models and `cargo migrate generate`)",
            listed(&schemas, if schemas.len() == 1 { "has" } else { "have" })
        );
    }
    write(&models, &adoption.source)?;
    write(
        &config,
        &config_text(&args.models, &schemas, adoption.postgres),
    )?;
    let project = Project::open(dir)?;
    let opts = GenerateOptions {
        name: Some("baseline".to_owned()),
        ..GenerateOptions::default()
    };
    let mut pending = project
        .pending(&opts)?
        .context("the models written describe no change from the empty schema")?;
    adopt::add_to_baseline(&mut pending.files, &adoption.prerequisites);
    // What the models leave out stays in the database; drift is not to report it.
    pending.snapshot.unmanaged = adoption
        .findings
        .iter()
        .filter(|f| f.left_out)
        .map(|f| f.object.clone())
        .collect();
    let folder = project.write(&pending)?;
    let recorded = !args.no_record && record(&rt, dir, &db, &pending.id)?;
    let report = Report {
        schemas: &adoption.schemas,
        postgres: adoption.postgres,
        tables: adoption.tables.len(),
        models,
        config,
        migration: pending.id.clone(),
        findings: &adoption.findings,
        other_tools: &adoption.other_tools,
        recorded,
        crates: crates(&adoption.source),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print(&report, &folder);
    }
    Ok(if recorded || args.no_record {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// The schemas asked for, each once, in order; an error names one the models cannot
/// manage.
fn schemas(asked: &[String]) -> anyhow::Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for s in asked {
        if !migrate_core::project::manageable_schema(s) {
            anyhow::bail!(
                "--schema {s:?}: not a schema the models can manage (1 to 63 bytes, no dot, not pg_*)"
            );
        }
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    Ok(out)
}

/// `schema public`, `schemas public, billing`, then `then`.
fn listed(schemas: &[String], then: &str) -> String {
    let s = if schemas.len() == 1 { "" } else { "s" };
    format!("schema{s} {} {then}", schemas.join(", "))
        .trim_end()
        .to_owned()
}

fn config_text(models: &Path, schemas: &[String], postgres: u32) -> String {
    let oldest = migrate_core::catalogue::Kind::SetNotNullProven
        .facts()
        .since;
    let models = models.display().to_string().replace('\\', "/");
    let schemas = if schemas == ["public"] {
        String::new()
    } else {
        format!(
            "# The schemas the models manage: nothing outside them is touched or reported.\nschemas = {schemas:?}\n"
        )
    };
    format!(
        "# Written by `cargo migrate init --from-database`.\nmodels = [{models:?}]\nmigrations = \"{MIGRATIONS}\"\n{schemas}# The server's major version when it was read: the plans use what it supports.\npostgres = {}\n",
        postgres.max(oldest)
    )
}

/// Records the baseline; `false` (with the reason printed) when the database is not at
/// it: the models could not express something the comparison sees.
fn record(
    rt: &tokio::runtime::Runtime,
    dir: &Path,
    db: &crate::cli::DbArgs,
    id: &str,
) -> anyhow::Result<bool> {
    let mut migrator = super::migrator(dir, db, ApplyOptions::default())?;
    match rt.block_on(migrator.baseline(db.url()?, Some(id))) {
        Ok(_) => Ok(true),
        Err(e @ ApplyError::NotAtBaseline { .. }) => {
            eprintln!("{e}");
            eprintln!(
                "The files are written; the baseline is not recorded. Once the differences are resolved, `cargo migrate baseline {id}` records it."
            );
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// Crates the models' field types come from, besides migrate-core.
fn crates(source: &str) -> Vec<&'static str> {
    ["chrono", "rust_decimal", "serde_json", "uuid"]
        .into_iter()
        .filter(|c| source.contains(&format!("{c}::")))
        .collect()
}

fn print(r: &Report<'_>, folder: &Path) {
    println!(
        "Read {} (PostgreSQL {}): {} tables.",
        listed(r.schemas, ""),
        r.postgres,
        r.tables
    );
    println!(
        "Wrote {} ({} models), {} and {}/.",
        r.models.display(),
        r.tables,
        r.config.display(),
        folder.display()
    );
    if !r.crates.is_empty() {
        println!(
            "The models' field types come from: {} (add them to Cargo.toml, with migrate-core's feature `derive`).",
            r.crates.join(", ")
        );
    }
    if r.findings.is_empty() {
        println!("The models express everything in the schema.");
    } else {
        println!(
            "Not expressed by the models ({}; also listed in {}):",
            r.findings.len(),
            r.models.display()
        );
        for f in r.findings {
            println!("  - {f}");
        }
    }
    super::print_other_tools(r.other_tools);
    if r.recorded {
        println!(
            "Recorded {} as applied on this database, without running it. On another environment already at this schema: `cargo migrate baseline`. Next: change a model, then `cargo migrate generate`.",
            r.migration
        );
    }
}
