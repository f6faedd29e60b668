use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "user_roles", primary_key(user_id, role_id))]
struct UserRole {
    #[schema(primary_key)]
    user_id: i64,
    role_id: i64,
}

fn main() {}
