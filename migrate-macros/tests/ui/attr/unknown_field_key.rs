use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users")]
struct User {
    #[schema(primary_key)]
    id: i64,
    #[schema(defualt = "true")]
    active: bool,
}

fn main() {}
