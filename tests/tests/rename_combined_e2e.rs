//! Renames and type changes combined with other changes of the same column in one
//! migration, as real histories have them (two renames and two SET NOT NULL at once): a
//! rename that becomes NOT NULL with a `backfill` for the NULLs, one with `no_nulls`, a
//! rename with a type change, a rename that becomes nullable, and type changes that become
//! NOT NULL (with a backfill) and nullable. With rows, old code writing NULLs between
//! the phases, new code through the version schema, then contract and a rollback.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::{Phase, version_schema};
use migrate_tests::{
    Scenario, assert_schema_matches, assert_schema_matches_any_column_order, at, up_files,
};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "profiles")]
pub struct Profile {
    #[schema(primary_key)]
    pub id: i64,
    pub handle: Option<String>,
    pub bio: Option<String>,
    pub score: i32,
    pub title: String,
    pub level: Option<i32>,
    pub rank: i32,
}
"#;

const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "profiles")]
pub struct Profile {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(renamed_from = "handle", backfill = "'user' || id")]
    pub username: String,
    #[schema(renamed_from = "bio", no_nulls)]
    pub about: String,
    #[schema(renamed_from = "score")]
    pub points: i64,
    #[schema(renamed_from = "title")]
    pub headline: Option<String>,
    #[schema(backfill = "1")]
    pub level: i64,
    pub rank: Option<i64>,
}
"#;

const TS: &str = "29990101000000";

const SEED: &str = "INSERT INTO profiles
    SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'h' || g END, 'bio ' || g, g, 't' || g,
           CASE WHEN g % 7 = 0 THEN NULL ELSE g END, g
    FROM generate_series(1, 5000) g";

fn old_code(round: i64) -> String {
    format!(
        "INSERT INTO profiles (id, handle, bio, score, title, level, rank) VALUES ({0}, NULL, 'old', 7, 'old title', NULL, 1);
         UPDATE profiles SET score = score + 1, handle = NULL WHERE id = 3;",
        100_000 + round
    )
}

fn new_code(round: i64) -> String {
    format!(
        "SET search_path = {1}, public;
         INSERT INTO profiles (id, username, about, points, headline, level, rank) VALUES ({0}, 'new', 'new', 5, NULL, 9, NULL);
         UPDATE profiles SET points = points + 10, headline = NULL WHERE id = 4;",
        200_000 + round,
        version_schema(TS)
    )
}

#[test]
fn renames_with_nullability_and_type_changes_under_both_versions() {
    let sc = Scenario::new("rename_combined");
    let v1 = sc.start(V1, SEED);
    let (v2, path) = sc.generate(V2, &at(TS));
    insta::assert_snapshot!("rename_combined_v2", up_files(&v2));
    let db = &sc.db;
    for (round, phase) in Phase::ALL.into_iter().enumerate() {
        let round = i64::try_from(round).unwrap();
        if phase != Phase::Contract {
            db.sql(&old_code(round))
                .unwrap_or_else(|e| panic!("old code before {phase}: {e}"));
        }
        db.apply_file(&path.join(format!("{phase}.up.sql")))
            .unwrap_or_else(|e| panic!("{phase}: {e}"));
        if phase == Phase::Expand {
            db.sql(&old_code(round + 10))
                .unwrap_or_else(|e| panic!("old code after {phase}: {e}"));
        } else {
            db.sql(&new_code(round))
                .unwrap_or_else(|e| panic!("new code after {phase}: {e}"));
        }
    }
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    for (sql, expected, why) in [
        (
            "SELECT username FROM profiles WHERE id = 10",
            "user10",
            "a NULL handle gets the backfill",
        ),
        (
            "SELECT username FROM profiles WHERE id = 100010",
            "user100010",
            "so does old code's NULL, written after expand",
        ),
        (
            "SELECT username FROM profiles WHERE id = 3",
            "user3",
            "and old code's update to NULL",
        ),
        (
            "SELECT points || ' ' || pg_typeof(points) FROM profiles WHERE id = 3",
            "6 bigint",
            "old code's three increments, in the new type",
        ),
        (
            "SELECT points FROM profiles WHERE id = 4",
            "24",
            "new code's increments after backfill and contract",
        ),
        (
            "SELECT coalesce(headline, 'NULL') FROM profiles WHERE id = 4",
            "NULL",
            "new code may write NULL",
        ),
        (
            "SELECT about FROM profiles WHERE id = 2",
            "bio 2",
            "kept as it was",
        ),
        (
            "SELECT level || ' ' || pg_typeof(level) FROM profiles WHERE id = 7",
            "1 bigint",
            "a NULL level gets the backfill",
        ),
        (
            "SELECT level FROM profiles WHERE id = 100010",
            "1",
            "so does old code's NULL",
        ),
        ("SELECT level FROM profiles WHERE id = 8", "8", "converted"),
        (
            "SELECT coalesce(rank::text, 'NULL') FROM profiles WHERE id = 200001",
            "NULL",
            "new code may write a NULL rank",
        ),
    ] {
        assert_eq!(db.value(sql), expected, "{why}");
    }

    // The way back: old code needs its NOT NULL title again, so the NULLs new code wrote
    // must be given values first (expand.down.sql says so when it fails).
    db.sql("UPDATE profiles SET headline = 'restored' WHERE headline IS NULL; UPDATE profiles SET rank = 0 WHERE rank IS NULL")
        .unwrap();
    for phase in Phase::ALL.iter().rev() {
        db.apply_file(&path.join(format!("{phase}.down.sql")))
            .unwrap_or_else(|e| panic!("{phase} down: {e}"));
    }
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");
    assert_eq!(db.value("SELECT score FROM profiles WHERE id = 3"), "6");
}
