//! Recipes several kinds of change share: each builds the steps of one safe technique
//! (the NOT NULL check route, a fill trigger, a batched backfill, a column swap, index
//! builds, the version schema and its grants). Recipes use `ddl` and each other, never a
//! change module.

pub mod backfill;
pub mod column_swap;
pub mod comment;
pub mod defaults;
pub mod fill;
pub mod grants;
pub mod index;
pub mod key_swap;
pub mod names;
pub mod not_null;
pub mod rebuilt;
pub mod sequence;
pub mod validate;
pub mod version_schema;
