use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "users")]
struct User {
    #[schema(primary_key)]
    id: i64,
    #[schema(uniqe)]
    email: String,
    login_count: u32,
    #[schema(column = "primary_email_address_used_for_account_notification_and_recovery")]
    recovery_email: String,
}

fn main() {}
