use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users")]
struct User {
    #[schema(primary_key)]
    id: i64,
    #[schema(no_nulls)]
    nickname: Option<String>,
    #[schema(no_nulls, backfill = "'x'")]
    email: String,
}

fn main() {}
