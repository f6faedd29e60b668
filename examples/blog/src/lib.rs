//! A blog whose schema evolves in three versions; `src/models.rs` is the current one and
//! `versions/` keeps the earlier ones (compiled here, so each is real `#[derive(Schema)]`
//! input). `migrations/` holds what `cargo migrate generate` wrote for each version.
#![allow(
    missing_docs,
    reason = "model fields are columns named after what they hold"
)]

pub mod models;

use migrate_core::apply::{ApplyError, ApplyOptions, ApplyReport, MigrationSource, Migrator};
use migrate_core::migrations::EmbeddedMigration;

/// The migrations, embedded at compile time. The build fails if a file is misnamed, the
/// chain is broken, or a statement breaks a lint rule.
pub const MIGRATIONS: &[EmbeddedMigration] = migrate_core::migrations!("../migrations");

/// What the app runs at start-up on its own pool: expand and backfill of every pending
/// migration (contract waits for `cargo migrate apply --through contract` after the
/// deploy). Several instances starting at once take turns on the advisory lock.
pub async fn migrate_on_boot(pool: &sqlx::PgPool) -> Result<ApplyReport, ApplyError> {
    Migrator::new(
        MigrationSource::embedded(MIGRATIONS),
        ApplyOptions::default(),
    )
    .apply(pool)
    .await
}

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
