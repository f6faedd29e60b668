use migrate_macros::Schema;

#[derive(Schema)]
#[schema(
    table = "posts",
    index(
        columns(author_id, published_at),
        name = "idx_posts_on_author_id_and_published_at_and_title_and_created_at"
    )
)]
struct Post {
    #[schema(primary_key)]
    id: i64,
    author_id: i64,
    published_at: i64,
}

fn main() {}
