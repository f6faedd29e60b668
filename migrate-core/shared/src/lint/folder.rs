//! A whole migrations folder checked before it is embedded (`migrations!`): the parent
//! chain, timestamps rising along it, phase file names, phase file structure, and every
//! statement against the lint rules. Every problem is reported, each naming its file.

use super::lint_migration;
use crate::migrations::{self, SNAPSHOT_FILE, phase_file_names};
use crate::sql::phase_file;
use std::path::{Path, PathBuf};

/// One migration that passed: its id and its files (`(name, path)`): the phase files in
/// phase order, up before down, then `snapshot.json` (embedded so the engine can tell
/// whether it changed since the migration ran).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedMigration {
    /// Folder name.
    pub id: String,
    /// `(file name, full path)`.
    pub files: Vec<(String, PathBuf)>,
}

/// Checks the folder at `dir`; `shown` is how messages name it (the path as the user
/// wrote it). Returns the migrations oldest first, or every problem found.
pub fn check_folder(dir: &Path, shown: &str) -> Result<Vec<CheckedMigration>, Vec<String>> {
    if !dir.is_dir() {
        return Err(vec![format!("{shown}: no such folder")]);
    }
    let history = migrations::load(dir).map_err(|e| vec![format!("{shown}: {e}")])?;
    let names = phase_file_names();
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut previous: Option<&str> = None;
    for m in &history.migrations {
        let at = format!("{shown}/{}", m.id);
        if let Some(p) = previous
            && m.id.as_str() <= p
        {
            problems.push(format!(
                "{at}: out of order: it follows {p} in the parent chain but its timestamp is not later; rename the folder with a later timestamp (the chain, not the name, says what runs first, and the two must agree)"
            ));
        }
        previous = Some(&m.id);
        let mut present = Vec::new();
        let entries = match std::fs::read_dir(&m.path) {
            Ok(e) => e,
            Err(e) => {
                problems.push(format!("{at}: {e}"));
                continue;
            }
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == SNAPSHOT_FILE || name.starts_with('.') {
                continue;
            }
            if names.contains(&name) {
                present.push(name);
            } else {
                problems.push(format!(
                    "{at}/{name}: not a phase file; a migration folder holds {} and {SNAPSHOT_FILE}",
                    names.join(", ")
                ));
            }
        }
        let mut files = Vec::new();
        for name in names.iter().filter(|n| present.contains(n)) {
            if let Some(stem) = name.strip_suffix(".down.sql")
                && !present.contains(&format!("{stem}.up.sql"))
            {
                problems.push(format!("{at}/{name}: a down file without {stem}.up.sql"));
            }
            let path = m.path.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    if let Err(e) = phase_file::parse(&text) {
                        problems.push(format!("{at}/{name}: {e}"));
                    }
                    files.push((name.clone(), text, path));
                }
                Err(e) => problems.push(format!("{at}/{name}: {e}")),
            }
        }
        let texts: Vec<(String, String)> = files
            .iter()
            .map(|(n, t, _)| (n.clone(), t.clone()))
            .collect();
        match lint_migration(&texts) {
            Ok(findings) => problems.extend(findings.into_iter().map(|(file, f)| {
                let exempt = if super::RULES.iter().any(|r| r.name == f.rule) {
                    format!(
                        "; or, if it is safe here, put `-- migrate:allow {}: <why>` on the line before it",
                        f.rule
                    )
                } else {
                    String::new()
                };
                format!(
                    "{at}/{file}:{}: {} [{}]\n{}{exempt}",
                    f.line,
                    f.message,
                    f.rule,
                    f.details()
                )
            })),
            Err((file, e)) => problems.push(format!("{at}/{file}: {e}")),
        }
        let mut files: Vec<_> = files.into_iter().map(|(n, _, p)| (n, p)).collect();
        files.push((SNAPSHOT_FILE.to_owned(), m.path.join(SNAPSHOT_FILE)));
        out.push(CheckedMigration {
            id: m.id.clone(),
            files,
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}
