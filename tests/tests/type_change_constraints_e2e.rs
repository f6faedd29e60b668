//! Type changes of columns that constraints and indexes name: a partial index keyed on
//! another column whose predicate names the retyped one (`rank: i32` → `f64` under
//! `where = "rank <> 0"`), a CHECK on it, and a foreign key on a retyped referencing column
//! (`author_id: i32` → `i64`). Each is rebuilt on the new column (the index concurrently,
//! the check and foreign key NOT VALID then validated) and takes its name back in the swap,
//! so contract's DROP COLUMN takes nothing the models keep. With rows, old and new code
//! between the phases, the rules enforced throughout, statement locks, and a rollback.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::{Phase, version_schema};
use migrate_tests::{
    Scenario, assert_schema_matches, assert_schema_matches_any_column_order, at, lock_report,
    up_files,
};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "authors")]
pub struct Author {
    #[schema(primary_key)]
    pub id: i32,
    pub name: String,
}

#[derive(Schema)]
#[schema(table = "posts", index(name = "posts_ranked", columns(published), where = "rank <> 0"))]
pub struct Post {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(references = "authors(id)")]
    pub author_id: i32,
    #[schema(check = "rank >= 0")]
    pub rank: i32,
    pub published: bool,
}
"#;

const TS: &str = "29990101000000";

fn v2() -> String {
    V1.replace("pub author_id: i32", "pub author_id: i64")
        .replace("pub rank: i32", "pub rank: f64")
}

fn old_code(round: i64) -> String {
    format!(
        "INSERT INTO posts (id, author_id, rank, published) VALUES ({0}, 3, 4, true);
         UPDATE posts SET rank = rank + 1, author_id = 2 WHERE id = 5;",
        100_000 + round
    )
}

fn new_code(round: i64) -> String {
    format!(
        "SET search_path = {1}, public;
         INSERT INTO posts (id, author_id, rank, published) VALUES ({0}, 4, 2.5, true);
         UPDATE posts SET rank = rank * 1.5 WHERE id = 6;
         SELECT count(*) FROM posts WHERE published AND rank <> 0;",
        200_000 + round,
        version_schema(TS)
    )
}

const SEED: &str = "INSERT INTO authors SELECT g, 'a' || g FROM generate_series(1, 100) g;
    INSERT INTO posts SELECT g, 1 + g % 100, g % 7, g % 2 = 0 FROM generate_series(1, 10000) g";

#[test]
fn constraints_and_partial_indexes_move_to_the_new_column() {
    let sc = Scenario::new("type_change_constraints");
    let v1 = sc.start(V1, SEED);
    let (v2, path) = sc.generate(&v2(), &at(TS));
    insta::assert_snapshot!("type_change_constraints_v2", up_files(&v2));
    let db = &sc.db;
    for (round, phase) in [Phase::Expand, Phase::Backfill].into_iter().enumerate() {
        db.apply_file(&path.join(format!("{phase}.up.sql")))
            .unwrap_or_else(|e| panic!("{phase}: {e}"));
        let round = i64::try_from(round).unwrap();
        db.sql(&old_code(round))
            .unwrap_or_else(|e| panic!("old code after {phase}: {e}"));
        if phase == Phase::Backfill {
            // The deploy: new code runs from here on.
            db.sql(&new_code(round))
                .unwrap_or_else(|e| panic!("new code after {phase}: {e}"));
        }
        // The rules hold for both versions' writes throughout.
        let bad_rank = db
            .sql("INSERT INTO posts (id, author_id, rank, published) VALUES (300000, 1, -1, true)")
            .unwrap_err();
        assert!(bad_rank.contains("check constraint"), "{phase}: {bad_rank}");
        let bad_author = db
            .sql(&format!(
                "SET search_path = {}, public; INSERT INTO posts (id, author_id, rank, published) VALUES (300001, 999, 1, true)",
                version_schema(TS)
            ))
            .unwrap_err();
        assert!(bad_author.contains("foreign key"), "{phase}: {bad_author}");
    }
    assert_eq!(
        db.value(
            "SELECT string_agg(conname || ':' || convalidated, ' ' ORDER BY conname)
             FROM pg_constraint WHERE conrelid = 'posts'::regclass AND contype IN ('c', 'f')
               AND conname LIKE '%migrate_new'"
        ),
        "posts_author_id_fkey_migrate_new:true posts_rank_check_migrate_new:true",
        "rebuilt on the new columns and validated by the end of backfill"
    );
    db.apply_file(&path.join("contract.up.sql")).unwrap();
    db.sql(&new_code(9))
        .unwrap_or_else(|e| panic!("new code after contract: {e}"));
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    assert_eq!(
        db.value("SELECT pg_get_indexdef('posts_ranked'::regclass)"),
        "CREATE INDEX posts_ranked ON public.posts USING btree (published) WHERE (rank <> (0)::double precision)",
        "the partial index survived the swap, on the new column"
    );
    assert_eq!(
        db.value("SELECT rank FROM posts WHERE id = 6"),
        "13.5",
        "6 % 7 = 6, times 1.5 by new code after backfill and after contract"
    );
    for (write, error) in [
        ("(300002, 1, -0.5, true)", "posts_rank_check"),
        ("(300003, 999, 1, true)", "posts_author_id_fkey"),
    ] {
        let err = db
            .sql(&format!(
                "INSERT INTO posts (id, author_id, rank, published) VALUES {write}"
            ))
            .unwrap_err();
        assert!(err.contains(error), "after contract: {err}");
    }

    for phase in Phase::ALL.iter().rev() {
        db.apply_file(&path.join(format!("{phase}.down.sql")))
            .unwrap_or_else(|e| panic!("{phase} down: {e}"));
    }
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");
}

#[test]
fn the_rebuilds_block_no_traffic() {
    let sc = Scenario::new("type_change_constraints_locks");
    sc.start(V1, SEED);
    let (v2, _) = sc.generate(&v2(), &at(TS));
    let db = &sc.db;
    let report = lock_report(db, &v2.plan);
    insta::assert_snapshot!("type_change_constraints_locks", report);
    assert_schema_matches(db, &v2.snapshot.tables, "v2 applied step by step");
}
