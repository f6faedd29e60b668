use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users", index(columns(email), unique, using = "hash"))]
struct User {
    #[schema(primary_key)]
    id: i64,
    email: String,
}

fn main() {}
