//! SQL text helpers: identifier and literal quoting, PostgreSQL's 63-byte names, canonical
//! type names, the phase-file format, and the rendering of plans into phase files. Pure:
//! no I/O.

mod render;

pub use migrate_shared::sql::*;
pub use render::{PhaseFiles, render_plan};
