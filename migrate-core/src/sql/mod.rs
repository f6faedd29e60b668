//! SQL text helpers: identifier and literal quoting, PostgreSQL's 63-byte names, canonical
//! type names, the phase-file format, and the rendering of plans into phase files. Pure:
//! no I/O.

mod render;

pub use migrate_shared::sql::*;
pub use render::{PhaseFiles, render_plan};

/// Whether the models can manage schema `name`: 1 to 63 bytes, no dot, not `pg_*`.
pub fn manageable_schema(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= crate::sql::MAX_IDENT_BYTES
        && !name.contains('.')
        && !name.starts_with("pg_")
}
