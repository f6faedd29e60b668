//! Version 2: profiles get a bio and an admin flag, posts a view counter and an index for
//! the "latest published" query, and readers can comment.

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
    /// New: nullable, so existing rows need nothing.
    pub bio: Option<String>,
    /// New: NOT NULL with a constant default, kept in the catalog (no rewrite).
    #[schema(default = "false")]
    pub is_admin: bool,
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
#[schema(index(
    name = "posts_published_idx",
    columns(published_at),
    where = "published_at IS NOT NULL"
))]
pub struct Post {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(references = "users(id)", on_delete = "cascade", index)]
    pub author_id: i64,
    #[schema(max_length = 200)]
    pub title: String,
    pub body: String,
    pub published_at: Option<DateTime<Utc>>,
    #[schema(default = "0")]
    pub view_count: i64,
}

/// A comment on a post; kept when its author deletes their account.
#[derive(Schema)]
#[schema(table = "comments")]
pub struct Comment {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(references = "posts(id)", on_delete = "cascade", index)]
    pub post_id: i64,
    #[schema(references = "users(id)", on_delete = "set null")]
    pub author_id: Option<i64>,
    #[schema(check = "char_length(body) BETWEEN 1 AND 10000")]
    pub body: String,
    #[schema(default = "now()")]
    pub created_at: DateTime<Utc>,
}
