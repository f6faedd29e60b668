use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users")]
struct User {
    #[schema(primary_key)]
    id: i64,
    #[schema(sql_type = "text; DROP TABLE users")]
    name: String,
}

fn main() {}
