use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "posts")]
struct Post {
    #[schema(primary_key)]
    id: i64,
    #[schema(references = "users(id)", on_delete = "cascading")]
    author_id: i64,
}

fn main() {}
