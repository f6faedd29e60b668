//! `cargo migrate lint`.

use crate::cli::LintArgs;
use anyhow::Context as _;
use migrate_core::lint::{self, Finding, LintOptions, RULES};
use migrate_core::plan::Phase;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Lints the given files and folders (or the project's migrations); exit 1 on findings.
pub fn run(dir: &Path, args: &LintArgs) -> anyhow::Result<ExitCode> {
    if args.rules {
        for r in RULES {
            println!("{:<24} {}", r.name, r.summary);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let phase = args.phase.as_deref().and_then(Phase::named);
    let pg_version = args.postgres.unwrap_or_else(|| {
        migrate_core::project::Project::open(dir)
            .map(|p| p.config.postgres)
            .unwrap_or(LintOptions::default().pg_version)
    });
    let paths = if args.paths.is_empty() {
        let project = migrate_core::project::Project::open(dir)?;
        migrate_core::migrations::load(&project.migrations_dir())?
            .migrations
            .into_iter()
            .map(|m| m.path)
            .collect()
    } else {
        args.paths.clone()
    };
    let mut found: Vec<(PathBuf, Finding)> = Vec::new();
    for path in &paths {
        if path.is_dir() {
            found.extend(lint_folder(path, pg_version)?);
        } else {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read", path.display()))?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let options = LintOptions {
                phase: phase.or_else(|| name.as_deref().and_then(lint::phase_of_file)),
                down: phase.is_none() && name.as_deref().is_some_and(|n| n.ends_with(".down.sql")),
                pg_version,
                ..LintOptions::default()
            };
            let findings = lint::lint(&text, &options)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            found.extend(findings.into_iter().map(|f| (path.clone(), f)));
        }
    }
    if args.format == "github" {
        for (path, f) in &found {
            println!("{}", github_annotation(path, f));
        }
    } else if args.json || args.format == "json" {
        let out: Vec<serde_json::Value> = found
            .iter()
            .map(|(p, f)| {
                let mut v = serde_json::to_value(f).unwrap_or_default();
                v["file"] = p.display().to_string().into();
                v
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for (path, f) in &found {
            println!(
                "{}:{}: {} [{}]\n{}",
                path.display(),
                f.line,
                f.message,
                f.rule,
                f.details()
            );
        }
        if found.is_empty() {
            eprintln!("{} path(s) checked: nothing found", paths.len());
        } else {
            eprintln!(
                "{} finding(s). A statement that is safe where it runs may carry `-- migrate:allow RULE: why` on the line before it",
                found.len()
            );
        }
    }
    Ok(if found.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The `.sql` files of a migration folder, linted together.
fn lint_folder(path: &Path, pg_version: u32) -> anyhow::Result<Vec<(PathBuf, Finding)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).with_context(|| format!("{}", path.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".sql") {
            let text = std::fs::read_to_string(entry.path())
                .with_context(|| format!("{}: cannot read", entry.path().display()))?;
            files.push((name, text));
        }
    }
    let found = lint::lint_migration_for(&files, pg_version)
        .map_err(|(file, e)| anyhow::anyhow!("{}: {e}", path.join(file).display()))?;
    Ok(found
        .into_iter()
        .map(|(file, f)| (path.join(file), f))
        .collect())
}

/// A GitHub Actions workflow command that annotates the finding's line in the pull request.
fn github_annotation(path: &Path, f: &Finding) -> String {
    // The format's escapes: data may not hold `%`, CR or LF; properties not `:` or `,`.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let lock = f
        .lock
        .as_deref()
        .map(|l| format!(" (lock: {l})"))
        .unwrap_or_default();
    format!(
        "::error file={},line={},title={}::{}",
        property(&path.display().to_string()),
        f.line,
        property(&format!("migrate lint: {}", f.rule)),
        data(&format!("{}{lock}\nhelp: {}", f.message, f.help))
    )
}
