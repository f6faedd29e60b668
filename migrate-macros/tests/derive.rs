//! The derive produces exactly the model the shared parser produces (the CLI's view), and
//! that model is what the attributes say.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::Schema as _;
use migrate_core::model::{FkAction, IndexMethod, Table};
use migrate_macros::Schema;

/// Defines the items and keeps their source text, so a test can parse the same struct the
/// way the CLI does and compare with what the derive generated.
macro_rules! with_source {
    ($src:ident, $($item:tt)*) => {
        $($item)*
        const $src: &str = stringify!($($item)*);
    };
}

fn parsed(src: &str) -> Table {
    let input: syn::DeriveInput = syn::parse_str(src).unwrap();
    migrate_core::schema::table_from_derive(&input).unwrap()
}

with_source! { POST,
    #[allow(dead_code)]
    #[derive(Schema)]
    #[schema(table = "posts", index(columns(author_id, published_at), name = "posts_by_author_recent"))]
    #[schema(index(columns(tags), using = "gin"), check(name = "posts_title_not_blank", expr = "title <> ''"))]
    struct Post {
        #[schema(primary_key, identity)]
        id: i64,
        #[schema(references = "users(id)", on_delete = "cascade")]
        author_id: i64,
        #[schema(max_length = 200)]
        title: String,
        #[schema(unique, column = "url_slug")]
        slug: String,
        #[schema(default = "'{}'")]
        tags: Vec<String>,
        published_at: Option<chrono::DateTime<chrono::Utc>>,
        #[schema(skip)]
        cached_html: Option<String>,
    }
}

#[test]
fn derive_and_cli_parser_agree() {
    assert_eq!(Post::table(), parsed(POST));
}

#[test]
fn attributes_shape_the_model() {
    let t = Post::table();
    assert_eq!(t.name, "posts");
    let cols: Vec<(&str, &str, bool)> = t
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.sql_type.as_str(), c.nullable))
        .collect();
    assert_eq!(
        cols,
        [
            ("id", "bigint", false),
            ("author_id", "bigint", false),
            ("title", "character varying(200)", false),
            ("url_slug", "text", false),
            ("tags", "text[]", false),
            ("published_at", "timestamp with time zone", true),
        ]
    );
    assert!(t.columns[0].identity);
    assert_eq!(t.columns[4].default.as_deref(), Some("'{}'"));
    assert_eq!(t.primary_key.as_ref().unwrap().columns, ["id"]);
    let ix: Vec<(&str, bool, IndexMethod)> = t
        .indexes
        .iter()
        .map(|i| (i.name.as_str(), i.unique, i.method))
        .collect();
    assert_eq!(
        ix,
        [
            ("posts_url_slug_key", true, IndexMethod::Btree),
            ("posts_by_author_recent", false, IndexMethod::Btree),
            ("posts_tags_idx", false, IndexMethod::Gin),
        ]
    );
    assert_eq!(t.foreign_keys[0].ref_table, "users");
    assert_eq!(t.foreign_keys[0].on_delete, FkAction::Cascade);
    assert_eq!(t.checks[0].expr, "title <> ''");
}
