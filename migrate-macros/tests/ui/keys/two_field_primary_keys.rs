use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "user_roles")]
struct UserRole {
    #[schema(primary_key)]
    user_id: i64,
    #[schema(primary_key)]
    role_id: i64,
}

fn main() {}
