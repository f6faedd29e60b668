use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users")]
struct User {
    #[schema(primary_key)]
    id: i64,
    #[schema(sql_type = "varchar(100)", max_length = 100)]
    name: String,
}

fn main() {}
