//! Expression keys, operator classes and collations in indexes: `expr = "lower(email)"`,
//! `email(ops = "text_pattern_ops")`, `name(collate = "C")`, and `gin_trgm_ops` from the
//! extension the struct names. Built concurrently on a table with rows, read back from the
//! catalog as the models say, then the column under the expression index retyped: the
//! index is rebuilt on the new column (its expression rewritten) before the swap, instead
//! of going with the old column. Rolled back each time.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_tests::{
    Scenario, assert_schema_matches, assert_schema_matches_any_column_order, at, up_files,
};

fn models(email_type: &str, indexes: &str) -> String {
    format!(
        r#"
#[derive(Schema)]
#[schema(table = "people", extensions("pg_trgm"){indexes})]
pub struct Person {{
    #[schema(primary_key)]
    pub id: i64,
    #[schema(sql_type = "{email_type}")]
    pub email: String,
    pub name: String,
}}
"#
    )
}

const INDEXES: &str = r#",
    index(name = "people_email_lower_key", columns(expr = "lower(email)"), unique),
    index(name = "people_email_prefix_idx", columns(email(ops = "text_pattern_ops"))),
    index(name = "people_name_c_idx", columns(name(collate = "C", desc))),
    index(name = "people_name_trgm_idx", columns(name(ops = "gin_trgm_ops")), using = "gin"),
    index(name = "people_lower_name_idx", columns(expr("lower(name)", desc, collate = "C")))"#;

fn definition(sc: &Scenario, index: &str) -> String {
    sc.db
        .value(&format!("SELECT pg_get_indexdef('{index}'::regclass)"))
}

#[test]
fn expression_keys_operator_classes_and_collations_are_built_and_kept() {
    let sc = Scenario::new("index_expressions");
    let v1 = sc.start(
        &models("text", ""),
        "INSERT INTO people SELECT g, 'P' || g || '@x.io', 'name ' || g FROM generate_series(1, 10000) g",
    );
    let (v2, path) = sc.generate(&models("text", INDEXES), &at("29990101000000"));
    insta::assert_snapshot!("index_expressions_added", up_files(&v2));
    sc.up(&path);
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "indexes built");
    for (index, says) in [
        ("people_email_lower_key", "(lower(email))"),
        ("people_email_prefix_idx", "(email text_pattern_ops)"),
        ("people_name_c_idx", "(name COLLATE \"C\" DESC)"),
        ("people_name_trgm_idx", "gin (name gin_trgm_ops)"),
        ("people_lower_name_idx", "(lower(name) COLLATE \"C\" DESC)"),
    ] {
        let def = definition(&sc, index);
        assert!(def.contains(says), "{says}: {def}");
    }
    assert!(
        sc.db
            .sql("INSERT INTO people VALUES (20001, 'p1@X.IO', 'x')")
            .is_err(),
        "unique on lower(email)"
    );
    sc.down(&path);
    assert_schema_matches_any_column_order(&sc.db, &v1.snapshot.tables, "rolled back");
    sc.up(&path);

    // The column under the expression index retyped: the index moves with it.
    let (v3, path) = sc.generate(
        &models("character varying(320)", INDEXES),
        &at("29990102000000"),
    );
    sc.up(&path);
    assert_schema_matches(&sc.db, &v3.snapshot.tables, "email retyped");
    assert!(definition(&sc, "people_email_lower_key").contains("lower((email)::text)"));
    sc.down(&path);
    assert_schema_matches_any_column_order(&sc.db, &v2.snapshot.tables, "retype rolled back");
}
