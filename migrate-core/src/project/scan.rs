//! Finds every `#[derive(Schema)]` struct in the model sources by parsing them with syn —
//! no compile of the user's crate, so it is fast and works while the crate does not build.

use crate::model::{EnumType, Table};
use crate::schema::{Derived, derives_schema, from_derive};
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

/// An enum type found in the sources (`#[derive(Schema)]` on an enum).
#[derive(Debug, Clone)]
pub struct FoundEnum {
    /// The type it describes.
    pub enum_type: EnumType,
    /// The Rust enum's name.
    pub enum_name: String,
    /// Where it is defined.
    pub location: Location,
}

/// What the sources define: tables and enum types.
#[derive(Debug, Clone, Default)]
pub struct Scanned {
    /// The structs' tables, their `enums` not yet attached.
    pub models: Vec<FoundModel>,
    /// The enums.
    pub enums: Vec<FoundEnum>,
}

impl Scanned {
    /// The models, each table with the enum types its columns name (in `sql_type`, or an
    /// array of one); an error for two enums of one type name.
    pub fn resolve(self) -> Result<Vec<FoundModel>, Vec<SourceError>> {
        let mut errors = Vec::new();
        for (i, e) in self.enums.iter().enumerate() {
            if let Some(first) = self.enums[..i]
                .iter()
                .find(|f| f.enum_type.name == e.enum_type.name)
            {
                errors.push(SourceError {
                    location: e.location.clone(),
                    message: format!(
                        "enum `{}` describes type \"{}\", which enum `{}` at {} already does; give one of them another `type_name`",
                        e.enum_name, e.enum_type.name, first.enum_name, first.location
                    ),
                });
            }
        }
        for m in &self.models {
            errors.extend(m.table.columns.iter().filter_map(|c| {
                let e = self.enums.iter().find(|e| unquoted(e, &c.sql_type))?;
                Some(SourceError {
                    location: m.location.clone(),
                    message: format!(
                        "column \"{}\".\"{}\" has type {}, but enum `{}` is type {} (a name with upper case is quoted): write `sql_type = {:?}`",
                        m.table.name,
                        c.name,
                        c.sql_type,
                        e.enum_name,
                        e.enum_type.sql_type(),
                        c.sql_type.replace(c.sql_type.trim_end_matches("[]"), &e.enum_type.sql_type())
                    ),
                })
            }));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut models = self.models;
        for m in &mut models {
            for e in &self.enums {
                if m.table
                    .columns
                    .iter()
                    .any(|c| e.enum_type.types(&c.sql_type))
                {
                    m.table.enums.push(e.enum_type.clone());
                }
            }
            m.table.enums.sort_by(|a, b| a.name.cmp(&b.name));
        }
        Ok(models)
    }
}

/// Whether `sql_type` names enum `e` without the quotes its upper-case name needs (and no
/// other enum has that lower-case name).
fn unquoted(e: &FoundEnum, sql_type: &str) -> bool {
    let (base, name) = (sql_type.trim_end_matches("[]"), &e.enum_type.name);
    base != name && base == name.to_lowercase()
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

/// Parses one file's text and returns its models and enums, or every error in it.
pub fn scan_source(path: &Path, text: &str) -> Result<Scanned, Vec<SourceError>> {
    let file = syn::parse_file(text).map_err(|e| {
        vec![SourceError {
            message: format!("cannot parse this file: {}", e),
            ..located(path, &e)
        }]
    })?;
    let mut found = Scanned::default();
    let mut errors = Vec::new();
    visit(path, file.items, &mut found, &mut errors);
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    }
}

fn visit(path: &Path, items: Vec<syn::Item>, found: &mut Scanned, errors: &mut Vec<SourceError>) {
    for item in items {
        let input: syn::DeriveInput = match item {
            syn::Item::Struct(s) if derives_schema(&s.attrs) => s.into(),
            syn::Item::Enum(e) if derives_schema(&e.attrs) => e.into(),
            syn::Item::Union(u) if derives_schema(&u.attrs) => u.into(),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = m.content {
                    visit(path, inner, found, errors);
                }
                continue;
            }
            _ => continue,
        };
        let start = input.ident.span().start();
        let location = Location {
            path: path.to_owned(),
            line: start.line,
            column: start.column + 1,
        };
        match from_derive(&input) {
            Ok(Derived::Table(table)) => found.models.push(FoundModel {
                table: *table,
                struct_name: input.ident.to_string(),
                location,
            }),
            Ok(Derived::Enum(enum_type)) => found.enums.push(FoundEnum {
                enum_type,
                enum_name: input.ident.to_string(),
                location,
            }),
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
