//! Internal to `migrate`: what `migrate-core` and the `migrate-macros` proc macros both
//! need — the schema model, the statement catalogue, the `#[derive(Schema)]` parser
//! (feature `parse`), phase files and migration folders, and the linter (feature `lint`).
//! Depend on `migrate-core`, which re-exports every module here under the same path; this
//! crate exists so the macro crate does not depend on the crate that re-exports it.

pub mod catalogue;
pub mod migrations;
pub mod model;
pub mod phase;
#[cfg(feature = "parse")]
pub mod schema;
pub mod snapshot;
pub mod sql;

#[cfg(feature = "lint")]
pub mod lint;
