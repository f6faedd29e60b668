use migrate_macros::Schema;

#[derive(Schema)]
#[schema(
    table = "members",
    foreign_key(columns(org_id, team_id), references = "teams(id)"),
    foreign_key(columns(team_id), references = "teams(id)", initially_deferred),
    foreign_key(columns(team_id)),
    foreign_key(columns(nobody), references = "teams(id)", deferable)
)]
pub struct Member {
    #[schema(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub team_id: i64,
}

fn main() {}
