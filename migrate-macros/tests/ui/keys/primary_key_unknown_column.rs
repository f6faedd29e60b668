use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "user_roles", primary_key(user_id, missing))]
struct UserRole {
    user_id: i64,
    role_id: i64,
}

fn main() {}
