//! A blog whose schema evolves in three versions; `src/models.rs` is the current one and
//! `versions/` keeps the earlier ones (compiled here, so each is real `#[derive(Schema)]`
//! input). `migrations/` holds what `cargo migrate generate` wrote for each version.
#![allow(
    missing_docs,
    reason = "model fields are columns named after what they hold"
)]

pub mod models;

/// Version 1 of the models, kept to replay the migration history.
#[path = "../versions/v1.rs"]
pub mod v1;
/// Version 2 of the models.
#[path = "../versions/v2.rs"]
pub mod v2;

#[cfg(test)]
mod tests {
    use migrate_core::Schema;

    #[test]
    fn models_are_the_tables_the_cli_sees() {
        let posts = crate::models::Post::table();
        assert_eq!(posts.name, "posts");
        assert!(posts.index("posts_metadata_idx").is_some());
        assert_eq!(crate::v1::Session::table().name, "sessions");
    }
}
