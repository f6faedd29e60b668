use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "posts")]
struct Post {
    #[schema(primary_key)]
    id: i64,
    #[schema(on_delete = "cascade")]
    author_id: i64,
}

fn main() {}
