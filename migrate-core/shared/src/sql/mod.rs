//! SQL text helpers: identifier and literal quoting, PostgreSQL's 63-byte names, canonical
//! type names, and the phase-file format. Pure: no I/O.

mod expr;
mod names;
pub mod phase_file;
mod quote;
mod types;

pub use expr::{references_column, rename_column_in};
pub use names::{MAX_IDENT_BYTES, shorten_name};
pub use phase_file::{
    ALLOW_MARKER, BATCH_MARKER, DESTRUCTIVE_MARKER, LOCK_TIMEOUT, NO_TRANSACTION_MARKER,
};
pub use quote::{
    full_table_ref, ident, in_schema_of, literal, qualified_columns, split_table, table_key,
    table_ref,
};
pub use types::{TypeError, canonical_type, default_is_constant, widens_in_place};
