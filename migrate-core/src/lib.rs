//! Safe PostgreSQL schema changes from Rust types: the model, its snapshots, the differ,
//! the phase planner and the SQL renderer.
//!
//! Pipeline: [`schema`] (derive input → [`model::Table`]) → [`snapshot`] (the schema
//! after each migration) → [`diff`] (what changed) → [`plan`] (safe phased steps) →
//! [`sql`] (reviewable phase files). Every stage here is pure; reading and writing
//! migration folders lives in [`migrations`]; running them against a server in `apply`
//! (feature `db`).

pub mod catalogue;
pub mod diff;
pub mod migrations;
pub mod model;
pub mod phase;
pub mod plan;
#[cfg(feature = "parse")]
pub mod project;
#[cfg(feature = "parse")]
pub mod schema;
pub mod snapshot;
pub mod sql;
/// Custom migrations in Rust whose phase order and operations the compiler checks.
pub mod typed;

#[cfg(feature = "db")]
pub mod apply;
#[cfg(feature = "db")]
pub mod introspect;
#[cfg(feature = "lint")]
pub mod lint;

/// Implemented by `#[derive(Schema)]`: the table a struct describes.
pub trait Schema {
    /// The table model, exactly as `cargo migrate generate` sees the struct.
    fn table() -> model::Table;
}
