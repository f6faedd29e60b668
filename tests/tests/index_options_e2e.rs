//! Index options in the models: key order (`DESC`, `NULLS FIRST` / `LAST`, per column),
//! `INCLUDE` columns and storage parameters (`WITH (pages_per_range = 1)`), built on a table
//! with rows, compared with the catalog, changed (a rebuild beside the old index), and
//! rolled back.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::Phase;
use migrate_tests::{Scenario, assert_schema_matches, assert_schema_matches_any_column_order, at};

fn models(indexes: &str) -> String {
    format!(
        r#"
#[derive(Schema)]
#[schema(table = "posts"{indexes})]
pub struct Post {{
    #[schema(primary_key)]
    pub id: i64,
    pub published: Option<i64>,
    pub title: String,
    pub rank: i32,
}}
"#
    )
}

const INDEXES: &str = r#",
    index(name = "posts_feed_idx", columns(published(desc, nulls_last), id(desc))),
    index(name = "posts_rank_cover_idx", columns(rank(nulls_first)), include(title)),
    index(name = "posts_id_brin", columns(id), using = "brin", with(pages_per_range = 1)),
    index(name = "posts_title_idx", columns(title), with(fillfactor = 70))"#;

fn definition(sc: &Scenario, index: &str) -> String {
    sc.db
        .value(&format!("SELECT pg_get_indexdef('{index}'::regclass)"))
}

#[test]
fn key_order_include_and_storage_parameters_are_built_and_kept() {
    let sc = Scenario::new("index_options");
    let v1 = sc.start(
        &models(""),
        "INSERT INTO posts SELECT g, NULLIF(g % 7, 0), 't' || g, g % 100 FROM generate_series(1, 10000) g",
    );
    let (v2, p2) = sc.generate(&models(INDEXES), &at("29990101000000"));
    for phase in Phase::ALL {
        sc.apply(&p2, phase, "up");
    }
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "options built");
    for (index, expect) in [
        ("posts_feed_idx", "(published DESC NULLS LAST, id DESC)"),
        ("posts_rank_cover_idx", "(rank NULLS FIRST) INCLUDE (title)"),
        (
            "posts_id_brin",
            "USING brin (id) WITH (pages_per_range='1')",
        ),
        ("posts_title_idx", "(title) WITH (fillfactor='70')"),
    ] {
        let def = definition(&sc, index);
        assert!(def.contains(expect), "{index}: {def}");
    }

    // A parameter changed: the index is rebuilt beside the old one.
    let (v3, p3) = sc.generate(
        &models(&INDEXES.replace("pages_per_range = 1", "pages_per_range = 4")),
        &at("29990102000000"),
    );
    for phase in Phase::ALL {
        sc.apply(&p3, phase, "up");
    }
    assert_schema_matches(&sc.db, &v3.snapshot.tables, "parameter changed");
    assert!(definition(&sc, "posts_id_brin").contains("pages_per_range='4'"));
    for phase in Phase::ALL.iter().rev() {
        sc.apply(&p3, *phase, "down");
    }
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "parameter change rolled back");
    for phase in Phase::ALL.iter().rev() {
        sc.apply(&p2, *phase, "down");
    }
    assert_schema_matches_any_column_order(&sc.db, &v1.snapshot.tables, "rolled back");
}

#[test]
fn a_type_change_rebuilds_the_indexes_that_include_the_column() {
    let sc = Scenario::new("index_include_type_change");
    sc.start(
        &models(INDEXES),
        "INSERT INTO posts SELECT g, NULLIF(g % 7, 0), 't' || g, g % 100 FROM generate_series(1, 10000) g",
    );
    let retyped = models(INDEXES).replace(
        "    pub title: String,",
        "    #[schema(max_length = 200)]\n    pub title: String,",
    );
    let (v2, path) = sc.generate(&retyped, &at("29990101000000"));
    for phase in Phase::ALL {
        sc.apply(&path, phase, "up");
    }
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "title retyped");
    assert!(
        definition(&sc, "posts_rank_cover_idx").contains("INCLUDE (title)"),
        "the covering index survived the swap"
    );
}

#[test]
fn a_type_change_and_a_new_index_on_the_column_in_one_migration() {
    let sc = Scenario::new("index_new_with_type_change");
    let v1 = sc.start(
        &models(""),
        "INSERT INTO posts SELECT g, NULLIF(g % 7, 0), 't' || g, g % 100 FROM generate_series(1, 10000) g",
    );
    let v2_models = models(r#", index(name = "posts_rank_idx", columns(rank(desc)))"#)
        .replace("    pub rank: i32,", "    pub rank: i64,");
    let (v2, path) = sc.generate(&v2_models, &at("29990101000000"));
    for phase in Phase::ALL {
        sc.apply(&path, phase, "up");
    }
    assert_schema_matches(&sc.db, &v2.snapshot.tables, "retyped, with its new index");
    assert!(definition(&sc, "posts_rank_idx").contains("(rank DESC)"));
    for phase in Phase::ALL.iter().rev() {
        sc.apply(&path, *phase, "down");
    }
    assert_schema_matches_any_column_order(
        &sc.db,
        &v1.snapshot.tables,
        "rolled back, no index left",
    );
}
