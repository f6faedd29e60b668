use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users")]
struct User {
    #[schema(primary_key)]
    id: i64,
    #[schema(default = "1", default = "2")]
    login_count: i32,
}

fn main() {}
