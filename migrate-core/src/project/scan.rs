//! Finds every `#[derive(Schema)]` struct in the model sources by parsing them with syn —
//! no compile of the user's crate, so it is fast and works while the crate does not build.

use crate::model::Table;
use crate::schema::{derives_schema, table_from_derive};
use std::fmt;
use std::path::{Path, PathBuf};

/// A model found in the sources.
#[derive(Debug, Clone)]
pub struct FoundModel {
    /// The table it describes.
    pub table: Table,
    /// The struct's name.
    pub struct_name: String,
    /// Where it is defined.
    pub location: Location,
}

/// A place in a source file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File path as given (relative to the crate root when found by the scanner).
    pub path: PathBuf,
    /// Line.
    pub line: usize,
    /// Column.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// An error at a place in the sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// Where.
    pub location: Location,
    /// What.
    pub message: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

fn located(path: &Path, err: &syn::Error) -> SourceError {
    let start = err.span().start();
    SourceError {
        location: Location {
            path: path.to_owned(),
            line: start.line,
            column: start.column + 1,
        },
        message: err.to_string(),
    }
}

/// Parses one file's text and returns its models, or every error in it.
pub fn scan_source(path: &Path, text: &str) -> Result<Vec<FoundModel>, Vec<SourceError>> {
    let file = syn::parse_file(text).map_err(|e| {
        vec![SourceError {
            message: format!("cannot parse this file: {}", e),
            ..located(path, &e)
        }]
    })?;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    visit(path, &file.items, &mut found, &mut errors);
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    }
}

fn visit(
    path: &Path,
    items: &[syn::Item],
    found: &mut Vec<FoundModel>,
    errors: &mut Vec<SourceError>,
) {
    for item in items {
        let input: syn::DeriveInput = match item {
            syn::Item::Struct(s) if derives_schema(&s.attrs) => s.clone().into(),
            syn::Item::Enum(e) if derives_schema(&e.attrs) => e.clone().into(),
            syn::Item::Union(u) if derives_schema(&u.attrs) => u.clone().into(),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    visit(path, inner, found, errors);
                }
                continue;
            }
            _ => continue,
        };
        match table_from_derive(&input) {
            Ok(table) => {
                let start = input.ident.span().start();
                found.push(FoundModel {
                    table,
                    struct_name: input.ident.to_string(),
                    location: Location {
                        path: path.to_owned(),
                        line: start.line,
                        column: start.column + 1,
                    },
                });
            }
            Err(e) => errors.extend(e.into_iter().map(|e| located(path, &e))),
        }
    }
}

/// Every file under `root` whose path relative to `root` matches one of `globs`, sorted;
/// `target/` and hidden folders are skipped.
pub fn source_files(root: &Path, globs: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut builder = globset::GlobSetBuilder::new();
    for g in globs {
        let glob = globset::GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid models glob `{g}`: {e}"))?;
        builder.add(glob);
    }
    let set = builder.build().map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(name.starts_with('.') || (e.file_type().is_dir() && name == "target"))
        });
    for entry in walker {
        let entry = entry.map_err(|e| e.to_string())?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        if set.is_match(rel) {
            files.push(rel.to_owned());
        }
    }
    Ok(files)
}
