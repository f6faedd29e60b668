//! `cargo migrate plan`.

use crate::cli::PlanArgs;
use anyhow::Context;
use migrate_core::plan::Phase;
use migrate_core::project::{GenerateOptions, Project};
use sqlx::Connection as _;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

/// Prints the pending migration's steps; writes nothing.
pub fn run(dir: &Path, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let project = Project::open(dir)?;
    let opts = GenerateOptions {
        allow_drop: args.allow_drop.clone(),
        ..GenerateOptions::default()
    };
    let pending = project.pending(&opts).context("cannot plan a migration")?;
    let rows = match &args.database_url {
        Some(url) => estimated_rows(url, &project.config.schemas)
            .context("cannot read row estimates from DATABASE_URL")?,
        None => BTreeMap::new(),
    };
    let dependents = match (&args.database_url, &pending) {
        (Some(url), Some(p)) => dependents(&project, p, url)
            .context("cannot read what depends on the changed columns from DATABASE_URL")?,
        _ => Vec::new(),
    };
    let Some(pending) = pending else {
        if args.json {
            println!("{}", serde_json::json!({ "changes": [], "steps": [] }));
        } else {
            println!("No changes: nothing to plan.");
        }
        return Ok(ExitCode::SUCCESS);
    };
    if args.json {
        let steps: Vec<serde_json::Value> = pending
            .plan
            .steps
            .iter()
            .map(|s| {
                let mut v = serde_json::to_value(s).unwrap_or_default();
                v["estimated_rows"] = serde_json::json!(rows.get(&s.table));
                v
            })
            .collect();
        let changes: Vec<String> = pending.changes.iter().map(|c| c.to_string()).collect();
        let out = serde_json::json!({
            "id": pending.id,
            "changes": changes,
            "version_schema": pending.plan.version_schema,
            "steps": steps,
            "dependents": dependents,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("Pending migration {}:", pending.id);
    print!("{}", super::change_list(&pending.changes));
    if let Some(path) = pending.plan.search_path() {
        println!("New code runs with search_path = {path} from expand on.");
    }
    for phase in Phase::ALL {
        let steps: Vec<_> = pending.plan.phase(phase).collect();
        if steps.is_empty() {
            continue;
        }
        println!("\n{phase}");
        for (n, s) in steps.iter().enumerate() {
            println!("  {}. {}", n + 1, s.summary);
            for line in s.sql.lines() {
                println!("       {line}");
            }
            let rows = match rows.get(&s.table) {
                Some(r) => format!(" · rows: ~{r}"),
                None => String::new(),
            };
            let reversible = &s.reversible;
            println!(
                "     lock: {} · rewrite: {} · scan: {}{rows} · reversible: {reversible}",
                s.lock(),
                if s.rewrites() { "yes" } else { "no" },
                s.scan().as_deref().unwrap_or("no"),
            );
            if !s.destroys.is_empty() {
                println!("     DESTRUCTIVE: {}", s.destroys.join(", "));
            }
        }
    }
    if !dependents.is_empty() {
        println!(
            "\nObjects the models do not describe depend on what this migration drops or retypes (`apply` refuses to start on them):"
        );
        for d in &dependents {
            println!("  - {d}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `apply` would refuse on, with the pending migration written after the others.
fn dependents(
    project: &Project,
    pending: &migrate_core::project::Pending,
    url: &str,
) -> anyhow::Result<Vec<migrate_core::apply::Dependent>> {
    let mut sources = migrate_core::apply::load_dir(&project.migrations_dir())?;
    let mut files = pending.files.clone();
    files.push((
        migrate_core::migrations::SNAPSHOT_FILE.to_owned(),
        pending.snapshot.to_json(),
    ));
    sources.push(migrate_core::apply::MigrationSource {
        id: pending.id.clone(),
        path: project.migrations_dir().join(&pending.id),
        files,
    });
    let migrator =
        migrate_core::apply::Migrator::new(sources, migrate_core::apply::ApplyOptions::default());
    Ok(super::runtime()?.block_on(migrator.dependents(url))?)
}

fn estimated_rows(url: &str, schemas: &[String]) -> anyhow::Result<BTreeMap<String, i64>> {
    super::runtime()?.block_on(async {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let rows = migrate_core::introspect::estimated_rows(&mut conn, schemas).await?;
        conn.close().await.ok();
        Ok(rows)
    })
}
