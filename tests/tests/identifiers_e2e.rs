//! Awkward identifiers end to end: upper case, spaces, double quotes, reserved words,
//! unicode and generated names over PostgreSQL's 63 bytes go through generate and psql on
//! a real server, with rows in the tables. Also the plans for CHECK and FOREIGN KEY added to
//! an existing table (NOT VALID, then VALIDATE).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::project::{GenerateOptions, Project};
use migrate_tests::{TestDb, assert_schema_matches, checksum};

const V1: &str = r#"
use migrate_core::Schema;

#[derive(Schema)]
#[schema(table = "Order Items")]
pub struct OrderItem {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(column = "select")]
    pub select_: String,
    #[schema(column = "say \"hi\"", unique)]
    pub quoted: String,
    #[schema(column = "naïve café")]
    pub naive: Option<i32>,
}

#[derive(Schema)]
#[schema(table = "a_table_name_that_is_long_enough_to_push_generated_names_over")]
pub struct LongOne {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(index)]
    pub a_column_name_that_is_also_quite_long: String,
}
"#;

const V2: &str = r#"
use migrate_core::Schema;

#[derive(Schema)]
#[schema(table = "Order Items")]
pub struct OrderItem {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(column = "select", check = "char_length(\"select\") < 100")]
    pub select_: String,
    // Added in the middle of the struct: the database appends it.
    #[schema(column = "Status", default = "'it''s new'")]
    pub status: String,
    #[schema(column = "say \"hi\"", unique)]
    pub quoted: String,
    #[schema(column = "naïve café")]
    pub naive: Option<i32>,
    #[schema(column = "Long Ref", references = "a_table_name_that_is_long_enough_to_push_generated_names_over(id)", on_delete = "set null", index)]
    pub long_ref: Option<i64>,
}

#[derive(Schema)]
#[schema(table = "a_table_name_that_is_long_enough_to_push_generated_names_over")]
pub struct LongOne {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(index)]
    pub a_column_name_that_is_also_quite_long: String,
}
"#;

#[test]
fn awkward_identifiers_survive_generate_and_apply() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    let project = Project::open(dir.path()).unwrap();
    let db = TestDb::create("identifiers_e2e");

    let mut before = Vec::new();
    for (n, source) in [V1, V2].iter().enumerate() {
        std::fs::write(dir.path().join("src/models.rs"), source).unwrap();
        let pending = project
            .pending(&GenerateOptions::default())
            .unwrap()
            .unwrap();
        insta::assert_snapshot!(
            format!("identifiers_v{}", n + 1),
            pending
                .files
                .iter()
                .filter(|(name, _)| name.ends_with(".up.sql"))
                .map(|(name, text)| format!("==> {name}\n{text}"))
                .collect::<String>()
        );
        let path = project.write(&pending).unwrap();
        if n == 1 {
            db.sql(
                r#"INSERT INTO a_table_name_that_is_long_enough_to_push_generated_names_over
                   SELECT g, 'v' || g FROM generate_series(1, 10000) g;
                   INSERT INTO "Order Items" ("select", "say ""hi""", "naïve café")
                   SELECT 'sel ' || g, 'q' || g, CASE WHEN g % 2 = 0 THEN NULL ELSE g END
                   FROM generate_series(1, 10000) g"#,
            )
            .unwrap();
        }
        let sums: Vec<String> = before
            .iter()
            .map(|t: &migrate_core::model::Table| {
                let cols: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
                checksum(&db, &t.name, &cols)
            })
            .collect();
        for phase in ["expand", "backfill", "contract"] {
            let f = path.join(format!("{phase}.up.sql"));
            if f.exists() {
                db.apply_file(&f)
                    .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            }
        }
        assert_schema_matches(&db, &pending.snapshot.tables, &pending.id);
        for (t, sum) in before.iter().zip(&sums) {
            let cols: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
            assert_eq!(&checksum(&db, &t.name, &cols), sum, "rows of {}", t.name);
        }
        before = pending.snapshot.tables.clone();
    }
    // The constant default reached the existing rows; names stayed within 63 bytes.
    assert_eq!(
        db.value(r#"SELECT count(*) FROM "Order Items" WHERE "Status" = 'it''s new'"#),
        "10000"
    );
    let longest: usize = db
        .value("SELECT max(octet_length(relname)) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
        .parse()
        .unwrap();
    assert!(longest <= 63);
    // The new check rejects what it should, on new rows.
    let err = db
        .sql(r#"INSERT INTO "Order Items" ("select", "say ""hi""") VALUES (repeat('x', 200), 'z')"#)
        .unwrap_err();
    assert!(err.contains("Order Items_select_check"), "{err}");
}
