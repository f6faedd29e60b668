use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "posts", index(columns(tags), using = "gin2"))]
struct Post {
    #[schema(primary_key)]
    id: i64,
    tags: Vec<String>,
}

fn main() {}
