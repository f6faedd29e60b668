use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "memberships", primary_key(user_id, user_id))]
struct Membership {
    user_id: i64,
    group_id: i64,
}

fn main() {}
