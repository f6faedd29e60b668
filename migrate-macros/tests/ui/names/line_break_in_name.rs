use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users")]
struct User {
    #[schema(primary_key)]
    id: i64,
    #[schema(column = "x\nDROP TABLE users; --")]
    sneaky: String,
}

fn main() {}
