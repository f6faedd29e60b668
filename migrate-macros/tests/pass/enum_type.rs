use migrate_core::SchemaEnum as _;
use migrate_macros::Schema;

#[derive(Schema)]
#[schema(type_name = "post_status", rename_all = "snake_case")]
#[allow(dead_code)]
enum PostStatus {
    Draft,
    InReview,
    #[schema(rename = "live")]
    Published,
}

fn main() {
    assert_eq!(PostStatus::TYPE_NAME, "post_status");
    let e = PostStatus::enum_type();
    assert_eq!(e.name, "post_status");
    assert_eq!(e.values, ["draft", "in_review", "live"]);
}
