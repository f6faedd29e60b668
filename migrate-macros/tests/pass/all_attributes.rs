use migrate_core::Schema as _;
use migrate_macros::Schema;

#[derive(Schema)]
#[schema(primary_key(post_id, tag_id), renamed_from = "post_tag_links")]
#[schema(index(columns(tag_id), name = "post_tags_positive", where = "post_id > 0", using = "hash"))]
#[schema(check(name = "post_tags_distinct", expr = "post_id <> tag_id"))]
#[allow(dead_code)]
struct PostTag {
    #[schema(references = "posts(id)", on_delete = "cascade", on_update = "no action")]
    post_id: i64,
    #[schema(references = "tags(id)", on_delete = "restrict", index)]
    tag_id: i64,
    #[schema(sql_type = "numeric(5,2)", default = "0", check = "weight >= 0")]
    weight: u32,
    #[schema(renamed_from = "added", backfill = "now()")]
    added_at: chrono::NaiveDateTime,
    #[schema(skip)]
    transient: std::collections::HashMap<String, String>,
}

fn main() {
    let t = PostTag::table();
    assert_eq!(t.name, "post_tag");
    assert_eq!(t.columns.len(), 4);
    assert_eq!(t.columns[2].sql_type, "numeric(5,2)");
}
