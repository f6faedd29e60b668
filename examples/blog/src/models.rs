//! Version 3 (current): tags, post metadata, a composite index replacing the single-column
//! author index, and sessions moved out of the database (the table is dropped, with
//! `cargo migrate generate --allow-drop sessions`).

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
    pub bio: Option<String>,
    #[schema(default = "false")]
    pub is_admin: bool,
}

/// A blog post.
#[allow(
    clippy::duplicated_attributes,
    reason = "clippy reads two `index(columns(..))` helper attributes naming one column as duplicates"
)]
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
#[schema(index(name = "posts_author_recent_idx", columns(author_id, published_at)))]
#[schema(index(name = "posts_metadata_idx", columns(metadata), using = "gin"))]
pub struct Post {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(references = "users(id)", on_delete = "cascade")]
    pub author_id: i64,
    #[schema(max_length = 200)]
    pub title: String,
    pub body: String,
    pub published_at: Option<DateTime<Utc>>,
    #[schema(default = "0")]
    pub view_count: i64,
    #[schema(default = "'{}'::jsonb")]
    pub metadata: serde_json::Value,
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

/// A tag.
#[derive(Schema)]
#[schema(table = "tags")]
pub struct Tag {
    #[schema(primary_key, identity)]
    pub id: i32,
    #[schema(max_length = 50, unique)]
    pub name: String,
}

/// Which post carries which tag.
#[derive(Schema)]
#[schema(table = "post_tags", primary_key(post_id, tag_id))]
pub struct PostTag {
    #[schema(references = "posts(id)", on_delete = "cascade")]
    pub post_id: i64,
    #[schema(references = "tags(id)", on_delete = "cascade", index)]
    pub tag_id: i32,
}
