use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users", index(unique))]
struct User {
    #[schema(primary_key)]
    id: i64,
    email: String,
}

fn main() {}
