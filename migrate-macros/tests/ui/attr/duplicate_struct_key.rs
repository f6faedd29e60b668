use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users")]
#[schema(table = "accounts")]
struct User {
    #[schema(primary_key)]
    id: i64,
}

fn main() {}
