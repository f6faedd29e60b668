use migrate_macros::Schema;

#[derive(Schema)]
#[schema(table = "user_account_activity_events_archived_by_the_nightly_cleanup_job")]
struct UserActivityEvent {
    #[schema(primary_key)]
    id: i64,
}

fn main() {}
