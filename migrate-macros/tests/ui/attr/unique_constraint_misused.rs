use migrate_macros::Schema;

#[derive(Schema)]
#[schema(
    table = "members",
    index(columns(team), constraint),
    index(columns(team, email), unique, constraint, where = "team > 0"),
    index(columns(id, team), unique, constraint, using = "hash")
)]
pub struct Member {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(unique, unique_constraint)]
    pub email: String,
    pub team: i64,
}

fn main() {}
