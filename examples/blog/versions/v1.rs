//! Version 1: users, their sessions and posts.

use chrono::{DateTime, Utc};
use migrate_core::Schema;

/// A registered user.
#[derive(Schema)]
#[schema(table = "users")]
pub struct User {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(max_length = 255, unique)]
    pub email: String,
    pub display_name: String,
    #[schema(default = "now()")]
    pub created_at: DateTime<Utc>,
}

/// A login session.
#[derive(Schema)]
#[schema(table = "sessions")]
pub struct Session {
    #[schema(primary_key)]
    pub token: uuid::Uuid,
    #[schema(references = "users(id)", on_delete = "cascade", index)]
    pub user_id: i64,
    pub expires_at: DateTime<Utc>,
}

/// A blog post.
#[derive(Schema)]
#[schema(
    table = "posts",
    check(name = "posts_title_not_blank", expr = "btrim(title) <> ''")
)]
pub struct Post {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(references = "users(id)", on_delete = "cascade", index)]
    pub author_id: i64,
    #[schema(max_length = 200)]
    pub title: String,
    pub body: String,
    pub published_at: Option<DateTime<Utc>>,
}
