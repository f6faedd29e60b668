//! Enum types from `#[derive(Schema)]` enums: created before the tables that use them,
//! labels added (in their place, each committed alone) while old code writes the old
//! labels and new code the new ones, a type the database already had taken over, a
//! removed or moved label refused with the way forward, and a type no column has any
//! more dropped after its column, a text column made an enum through the column swap;
//! every step applied with rows, compared with the models and rolled back.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::Phase;
use migrate_core::project::GenerateOptions;
use migrate_tests::{
    Scenario, Workload, assert_schema_matches, assert_schema_matches_any_column_order, at, up_files,
};

/// `status` variants, a `visibility` enum column when given, and the `reviews` table.
fn models(status: &str, visibility: bool, reviews: bool) -> String {
    let mut out = format!(
        r#"
#[derive(Debug, Schema, sqlx::Type)]
#[sqlx(type_name = "post_status", rename_all = "snake_case")]
pub enum PostStatus {{
{status}
}}

#[derive(Schema)]
#[schema(table = "posts")]
pub struct Post {{
    #[schema(primary_key)]
    pub id: i64,
    pub title: String,
    #[schema(sql_type = "post_status", default = "'draft'")]
    pub status: PostStatus,
"#
    );
    if visibility {
        out.push_str("    #[schema(sql_type = \"\\\"Visibility\\\"\")]\n    pub visibility: Option<Visibility>,\n");
    }
    out.push_str("}\n");
    if visibility {
        out.push_str(
            r#"
#[derive(Schema)]
#[schema(type_name = "Visibility")]
pub enum Visibility {
    Public,
    #[schema(rename = "members only")]
    MembersOnly,
}
"#,
        );
    }
    if reviews {
        out.push_str(
            r#"
#[derive(Schema)]
#[schema(table = "reviews")]
pub struct Review {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(sql_type = "post_status[]")]
    pub seen: Vec<PostStatus>,
}
"#,
        );
    }
    out
}

const V1: &str = "    Draft,\n    Published,";
const V2: &str = "    Draft,\n    Scheduled,\n    Published,\n    Archived,";
const SEED: &str = "INSERT INTO posts SELECT g, 't' || g, (ARRAY['draft', 'published'])[1 + g % 2]::post_status FROM generate_series(1, 10000) g";

fn labels(sc: &Scenario, ty: &str) -> String {
    sc.db.value(&format!(
        "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = '{ty}'::regtype"
    ))
}

#[test]
fn labels_are_added_in_place_under_traffic_and_new_types_come_first() {
    let sc = Scenario::new("enums_add");
    let v1 = sc.start(&models(V1, false, false), SEED);
    assert_eq!(labels(&sc, "post_status"), "draft,published");
    assert_schema_matches(&sc.db, &v1.snapshot.tables, "created");

    let (v2, path) = sc.generate(&models(V2, true, true), &at("29990101000000"));
    insta::assert_snapshot!("enum_labels_added", up_files(&v2));
    let old = Workload::start(
        &sc.db,
        "",
        &[
            "INSERT INTO posts (id, title, status) VALUES (100000 + (random() * 1e9)::int, 'old', 'published')",
            "SELECT id, status FROM posts WHERE status = 'draft' LIMIT 5",
        ],
    );
    old.wait_for(30);
    sc.apply(&path, Phase::Expand, "up");
    old.wait_for(30);
    let new = Workload::start(
        &sc.db,
        "",
        &[
            "INSERT INTO posts (id, title, status, visibility) VALUES (2000000000 + (random() * 1e8)::int, 'new', 'archived', 'members only')",
            "INSERT INTO reviews (id, seen) VALUES ((random() * 1e9)::int, ARRAY['scheduled']::post_status[])",
        ],
    );
    new.wait_for(30);
    sc.apply(&path, Phase::Backfill, "up");
    sc.apply(&path, Phase::Contract, "up");
    new.wait_for(30);
    old.stop().assert_clean("old code");
    new.stop().assert_clean("new code");
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "labels added");
    assert_eq!(
        labels(&sc, "post_status"),
        "draft,scheduled,published,archived"
    );
    assert_eq!(labels(&sc, "\"Visibility\""), "Public,members only");

    // Rolled back: the new column, table and type go; the labels stay (said in the plan).
    let mut stays = v1.snapshot.tables.clone();
    let kept = v2.snapshot.tables[0]
        .enums
        .iter()
        .find(|e| e.name == "post_status");
    stays[0].enums[0].values = kept.unwrap().values.clone();
    sc.db
        .sql("UPDATE posts SET status = 'draft' WHERE status = 'archived'")
        .unwrap();
    sc.down(&path);
    assert_schema_matches_any_column_order(&sc.db, &stays, "rolled back, labels kept");
    assert_eq!(
        sc.db
            .value("SELECT count(*) FROM pg_type WHERE typname = 'Visibility'"),
        "0"
    );
    // And again: the labels are there already (IF NOT EXISTS).
    sc.up(&path);
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "again");
}

#[test]
fn removing_or_moving_a_label_is_refused_with_the_way_forward() {
    let sc = Scenario::new("enums_refused");
    sc.start(&models(V2, false, false), SEED);
    for (status, said) in [
        (
            "    Draft,\n    Published,\n    Archived,",
            "cannot remove a label",
        ),
        (
            "    Draft,\n    Scheduled,\n    Drafted,\n    Archived,",
            "RENAME VALUE",
        ),
        (
            "    Draft,\n    Published,\n    Scheduled,\n    Archived,",
            "change order",
        ),
    ] {
        std::fs::write(sc.models_path(), models(status, false, false)).unwrap();
        let err = sc
            .project
            .pending(&at("29990102000000"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(said), "{said}: {err}");
        assert!(err.contains("post_status"), "names the type: {err}");
    }
}

#[test]
fn a_type_the_database_has_is_taken_over_and_a_type_no_column_has_is_dropped() {
    let sc = Scenario::new("enums_adopted");
    sc.db
        .sql("CREATE TYPE post_status AS ENUM ('draft', 'published')")
        .unwrap();
    // The column names the type without a `#[derive(Schema)]` enum: the database's.
    let bare = models(V1, false, false).replace("#[derive(Debug, Schema, sqlx::Type)]", "");
    sc.start(&bare, SEED);
    let (v1, path) = sc.generate(&models(V2, false, false), &at("29990101000000"));
    insta::assert_snapshot!("enum_taken_over", up_files(&v1));
    sc.up(&path);
    assert_schema_matches(&sc.db, &v1.snapshot.tables, "taken over");

    // The column dropped (acknowledged) and the enum gone: the type goes after it.
    let gone = "\n#[derive(Schema)]\n#[schema(table = \"posts\")]\npub struct Post {\n    #[schema(primary_key)]\n    pub id: i64,\n    pub title: String,\n}\n";
    let (v2, path) = sc.generate(
        gone,
        &GenerateOptions {
            allow_drop: vec!["posts.status".into()],
            ..at("29990102000000")
        },
    );
    insta::assert_snapshot!("enum_dropped", up_files(&v2));
    sc.up(&path);
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "dropped");
    assert_eq!(
        sc.db
            .value("SELECT count(*) FROM pg_type WHERE typname = 'post_status'"),
        "0"
    );
    sc.down(&path);
    // The column comes back nullable and empty (the plan says so).
    let mut back = v1.snapshot.tables.clone();
    back[0].columns[2].nullable = true;
    assert_schema_matches_any_column_order(&sc.db, &back, "rolled back");
    assert_eq!(
        labels(&sc, "post_status"),
        "draft,scheduled,published,archived"
    );
}

#[test]
fn a_text_column_becomes_an_enum_through_the_column_swap() {
    let sc = Scenario::new("enums_retype");
    let text = models(V1, false, false)
        .replace("#[schema(sql_type = \"post_status\", default = \"'draft'\")]\n    pub status: PostStatus,", "#[schema(default = \"'draft'\")]\n    pub status: String,")
        .replace("#[derive(Debug, Schema, sqlx::Type)]", "");
    let v1 = sc.start(&text, &SEED.replace("::post_status", ""));
    let (v2, path) = sc.generate(&models(V1, false, false), &at("29990101000000"));
    insta::assert_snapshot!("enum_from_text", up_files(&v2));
    let old = Workload::start(
        &sc.db,
        "",
        &[
            "INSERT INTO posts (id, title, status) VALUES (100000 + (random() * 1e9)::int, 'old', 'published')",
        ],
    );
    old.wait_for(20);
    sc.up(&path);
    old.wait_for(20);
    old.stop().assert_clean("old code");
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "retyped");
    assert_eq!(
        sc.db
            .value("SELECT count(*) FROM posts WHERE status IS NULL"),
        "0"
    );
    sc.down(&path);
    assert_schema_matches_any_column_order(&sc.db, &v1.snapshot.tables, "rolled back");
}
