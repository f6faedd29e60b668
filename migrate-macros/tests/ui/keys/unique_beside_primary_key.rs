use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users")]
struct User {
    #[schema(primary_key, unique)]
    id: i64,
}

fn main() {}
