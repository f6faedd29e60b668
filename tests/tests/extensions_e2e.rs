//! Extensions the models name (`extensions("citext")` on a struct): installed first in
//! expand, before the new table whose column type needs it, then for an existing table's
//! new column whose default calls one of its functions; applied with rows, compared with
//! the models, and rolled back (the extensions stay, said in the plan).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_tests::{
    Scenario, assert_schema_matches, assert_schema_matches_any_column_order, at, up_files,
};

fn models(extensions: &str, token: &str) -> String {
    format!(
        r#"
#[derive(Schema)]
#[schema(table = "members"{extensions})]
pub struct Member {{
    #[schema(primary_key)]
    pub id: i64,
    #[schema(sql_type = "citext", unique)]
    pub email: String,
{token}}}
"#
    )
}

fn installed(sc: &Scenario) -> String {
    sc.db.value(
        "SELECT coalesce(string_agg(extname, ',' ORDER BY extname), '') FROM pg_extension WHERE extname <> 'plpgsql'",
    )
}

#[test]
fn extensions_come_before_what_uses_them() {
    let sc = Scenario::new("extensions");
    let v1 = sc.start(
        &models(r#", extensions("citext")"#, ""),
        "INSERT INTO members SELECT g, 'M' || g || '@X.io' FROM generate_series(1, 5000) g",
    );
    assert_eq!(installed(&sc), "citext");
    assert!(
        sc.db
            .sql("INSERT INTO members VALUES (9, 'm1@x.IO')")
            .is_err(),
        "citext: unique without regard to case"
    );

    let token = "    #[schema(sql_type = \"bytea\", default = \"gen_random_bytes(8)\")]\n    pub token: Vec<u8>,\n";
    let (v2, path) = sc.generate(
        &models(r#", extensions("citext", "pgcrypto")"#, token),
        &at("29990101000000"),
    );
    insta::assert_snapshot!("extensions_added", up_files(&v2));
    sc.up(&path);
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "pgcrypto's default");
    assert_eq!(installed(&sc), "citext,pgcrypto");
    assert_eq!(
        sc.db
            .value("SELECT count(*) FROM members WHERE length(token) = 8"),
        "5000"
    );
    sc.down(&path);
    assert_schema_matches_any_column_order(&sc.db, &v1.snapshot.tables, "rolled back");
    assert_eq!(
        installed(&sc),
        "citext,pgcrypto",
        "the down leaves extensions installed"
    );
}
