use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users")]
struct User {
    #[schema(primary_key)]
    id: i64,
    #[schema(max_length = "255")]
    email: String,
}

fn main() {}
