//! Safe PostgreSQL schema changes from Rust types: the model, its snapshots, the differ,
//! the phase planner and the SQL renderer.
//!
//! Pipeline: [`schema`] (derive input → [`model::Table`]) → [`snapshot`] (the schema
//! after each migration) → [`diff`] (what changed) → [`plan`] (safe phased steps) →
//! [`sql`] (reviewable phase files). Every stage here is pure; reading and writing
//! migration folders lives in [`migrations`]; running them against a server in `apply`
//! (feature `db`).

#[cfg(feature = "lint")]
pub use migrate_shared::lint;
#[cfg(feature = "parse")]
pub use migrate_shared::schema;
pub use migrate_shared::{catalogue, migrations, model, phase, snapshot};

pub mod compare;
pub mod diff;
pub mod fleet;
pub mod plan;
#[cfg(feature = "parse")]
pub mod project;
pub mod sql;
/// Custom migrations in Rust whose phase order and operations the compiler checks.
pub mod typed;

#[cfg(feature = "init")]
pub mod adopt;
#[cfg(feature = "db")]
pub mod apply;
#[cfg(feature = "db")]
pub mod introspect;

/// `#[derive(Schema)]` on a struct: the table it describes (feature `derive`). See
/// [`migrate_macros::Schema`](macro@migrate_macros::Schema).
#[cfg(feature = "derive")]
pub use migrate_macros::Schema;
/// `migrations!("migrations")`: the folder embedded in the binary, checked when it compiles
/// (feature `derive`).
#[cfg(feature = "derive")]
pub use migrate_macros::migrations;

/// Implemented by `#[derive(Schema)]` on a struct: the table it describes.
pub trait Schema {
    /// The table model, as `cargo migrate generate` sees the struct (which also attaches
    /// the enum types its columns name to `enums`).
    fn table() -> model::Table;
}

/// Implemented by `#[derive(Schema)]` on an enum: the PostgreSQL enum type it describes.
pub trait SchemaEnum {
    /// The type's name (`post_status`), as a column names it in `sql_type`.
    const TYPE_NAME: &'static str;
    /// The type and its labels.
    fn enum_type() -> model::EnumType;
}
