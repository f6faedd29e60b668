use migrate_macros::Schema;

#[derive(Schema)]
#[schema(
    table = "posts",
    index(name = "a", columns(published(desc, sideways))),
    index(name = "b", columns(title(desc)), using = "gin"),
    index(name = "c", columns(title), using = "hash", include(id)),
    index(name = "d", columns(id), with(fillfactor = "70; DROP TABLE posts")),
    index(name = "e", columns(id), with(FillFactor = 70))
)]
pub struct Post {
    #[schema(primary_key)]
    pub id: i64,
    pub published: i64,
    pub title: String,
}

fn main() {}
