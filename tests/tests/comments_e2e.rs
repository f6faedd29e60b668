//! Comments from doc comments (`#[schema(comments)]`): written with a new table, set,
//! changed and removed on an existing one, carried to the new column of a rename and of a
//! type change, all applied on a server with rows; the catalog (comments included) compared
//! with the models, then rolled back to the first version's comments.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_tests::{Scenario, assert_schema_matches, assert_schema_matches_any_column_order, at};

const V1: &str = r#"
/// Notes people write.
/// One row per note.
#[derive(Schema)]
#[schema(table = "notes", comments)]
pub struct Note {
    /// The note's number.
    #[schema(primary_key)]
    pub id: i64,
    /// What it says: it's free text.
    pub body: String,
    pub rank: i32,
    /// Soon renamed.
    pub heading: Option<String>,
}
"#;

const V2: &str = r#"
/// Notes people write, and keep.
#[derive(Schema)]
#[schema(table = "notes", comments)]
pub struct Note {
    /// The note's number.
    #[schema(primary_key)]
    pub id: i64,
    pub body: String,
    /// Higher comes first.
    pub rank: i64,
    /// Renamed from heading.
    #[schema(renamed_from = "heading")]
    pub title: Option<String>,
    /// Added with its comment.
    pub tags: Option<String>,
}
"#;

fn comments(sc: &Scenario) -> String {
    sc.db.value(
        "SELECT coalesce(obj_description('notes'::regclass, 'pg_class'), '-') || ' | ' || string_agg(a.attname || '=' || coalesce(col_description(a.attrelid, a.attnum), '-'), ', ' ORDER BY a.attname)
         FROM pg_attribute a WHERE a.attrelid = 'notes'::regclass AND a.attnum > 0 AND NOT a.attisdropped",
    )
}

#[test]
fn doc_comments_are_the_table_and_column_comments() {
    let sc = Scenario::new("comments");
    let v1 = sc.start(
        V1,
        "INSERT INTO notes SELECT g, 'b' || g, g, 'h' || g FROM generate_series(1, 5000) g",
    );
    assert_eq!(
        comments(&sc),
        "Notes people write.\nOne row per note. | body=What it says: it's free text., heading=Soon renamed., id=The note's number., rank=-"
    );
    let (v2, path) = sc.generate(V2, &at("29990101000000"));
    let expand = std::fs::read_to_string(path.join("expand.up.sql")).unwrap();
    for sql in [
        r#"COMMENT ON TABLE "notes" IS 'Notes people write, and keep.'"#,
        r#"COMMENT ON COLUMN "notes"."body" IS NULL"#,
        r#"COMMENT ON COLUMN "notes"."rank_migrate_new" IS 'Higher comes first.'"#,
        r#"COMMENT ON COLUMN "notes"."title" IS 'Renamed from heading.'"#,
        r#"COMMENT ON COLUMN "notes"."tags" IS 'Added with its comment.'"#,
    ] {
        assert!(expand.contains(sql), "{sql}\n{expand}");
    }
    assert!(
        expand.contains("-- lock: SHARE UPDATE EXCLUSIVE on \"notes\" (reads and writes continue), brief (catalog only)"),
        "{expand}"
    );
    sc.up(&path);
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "comments changed");
    assert_eq!(
        comments(&sc),
        "Notes people write, and keep. | body=-, id=The note's number., rank=Higher comes first., tags=Added with its comment., title=Renamed from heading."
    );
    sc.down(&path);
    assert_schema_matches_any_column_order(&sc.db, &v1.snapshot.tables, "rolled back");
    assert_eq!(
        comments(&sc),
        "Notes people write.\nOne row per note. | body=What it says: it's free text., heading=Soon renamed., id=The note's number., rank=-"
    );
}

/// Without `#[schema(comments)]` the database's comments are its own: a DBA's comment is
/// not drift, and no migration touches it.
#[test]
fn comments_on_a_table_whose_models_keep_none_are_left_alone() {
    let sc = Scenario::new("comments_unmanaged");
    let plain = V1.replace(", comments)]", ")]");
    let v1 = sc.start(&plain, "");
    sc.db
        .sql("COMMENT ON TABLE notes IS 'by hand'; COMMENT ON COLUMN notes.body IS 'also'")
        .unwrap();
    assert_schema_matches(&sc.db, &v1.snapshot.tables, "a hand-made comment");
    let (v2, path) = sc.generate(
        &plain.replace(
            "pub rank: i32,",
            "pub rank: i32,\n    pub extra: Option<i32>,",
        ),
        &at("29990101000000"),
    );
    assert!(!migrate_tests::up_files(&v2).contains("COMMENT"));
    sc.up(&path);
    assert_eq!(
        sc.db
            .value("SELECT obj_description('notes'::regclass, 'pg_class')"),
        "by hand"
    );
}
