use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users")]
struct User {
    #[schema(primary_key)]
    id: i64,
    email: String,
    #[schema(column = "email")]
    contact_email: String,
}

fn main() {}
