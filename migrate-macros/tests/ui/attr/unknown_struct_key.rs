use migrate_macros::Schema;

#[derive(Schema)]
#[schema(tabel = "users")]
struct User {
    #[schema(primary_key)]
    id: i64,
}

fn main() {}
