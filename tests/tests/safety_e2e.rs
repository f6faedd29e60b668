//! Every planned change (the README's table; docs/safety.md says what each keeps true), end
//! to end on a real server, through one harness
//! ([`migrate_tests::Transition`]): 10,000 rows with NULLs and edge values, the plan applied
//! phase by phase while old code and new code keep writing on their own connections, the
//! final catalog equal to the model, no row lost, the downs back to the previous schema and
//! data where the plan can undo its steps; and, per expand and backfill statement, the
//! locks it took, its scans and whether it rewrote (snapshotted with the generated files).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_tests::{Outcome, Transition};

/// The `items` table with `fields` after its identity key.
fn items(fields: &str) -> String {
    format!(
        r#"
#[derive(Schema)]
#[schema(table = "items")]
pub struct Item {{
    #[schema(primary_key, identity)]
    pub id: i64,
{fields}
}}
"#
    )
}

const BASE: &str = r#"
    pub name: String,
    pub note: Option<String>,
    #[schema(max_length = 40)]
    pub code: String,
    pub qty: i32,
    pub at: chrono::NaiveDateTime,
"#;

/// 10,000 rows: empty strings, quotes, unicode, long text, NULL notes, the `integer` range's
/// ends, times around a DST change.
const SEED: &str = r#"
INSERT INTO items (name, note, code, qty, at)
SELECT CASE g % 4 WHEN 0 THEN '' WHEN 1 THEN 'it''s "ünïcode" ' || g WHEN 2 THEN 'Name ' || g
                  ELSE repeat('x', 300) END,
       CASE WHEN g % 3 = 0 THEN NULL ELSE 'note ' || g END,
       'c-' || g,
       CASE WHEN g % 5 = 0 THEN 2147483647 WHEN g % 7 = 0 THEN -2147483648 ELSE g END,
       timestamp '2024-03-10 01:30' + g * interval '17 minutes'
FROM generate_series(1, 10000) g
"#;

/// What code built against the base model runs.
const OLD: &[&str] = &[
    "INSERT INTO items (name, note, code, qty, at) VALUES ('old', NULL, 'o' || left(md5(random()::text), 8), 1, localtimestamp)",
    "UPDATE items SET note = 'touched by old code' WHERE id = (random() * 9999)::int + 1",
    "SELECT id, name, note, code, qty, at FROM items WHERE id = (random() * 9999)::int + 1",
];

fn check(t: Transition<'_>, after_contract: &str) -> Outcome {
    let out = t.run(after_contract);
    let files: String = out
        .v2
        .files
        .iter()
        .filter(|(n, _)| n.ends_with(".sql"))
        .map(|(n, text)| format!("==> {n}\n{text}"))
        .collect();
    insta::assert_snapshot!(format!("{}_files", t.name), files);
    insta::assert_snapshot!(format!("{}_locks", t.name), out.locks);
    out
}

fn base_with(extra: &str) -> String {
    items(&format!("{BASE}{extra}"))
}

#[test]
fn new_table_with_a_foreign_key_to_an_existing_table() {
    let v2 = format!(
        "{}{}",
        items(BASE),
        r#"
#[derive(Schema)]
#[schema(table = "tags")]
pub struct Tag {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(references = "items(id)", index)]
    pub item_id: i64,
    pub label: String,
}
"#
    );
    let out = check(
        Transition {
            name: "safety_new_table",
            v1: &items(BASE),
            seed: SEED,
            v2: &v2,
            old_code: OLD,
            new_code: &[
                "INSERT INTO tags (item_id, label) VALUES ((random() * 9999)::int + 1, 'new')",
                "SELECT t.label, i.name FROM tags t JOIN items i ON i.id = t.item_id LIMIT 5",
            ],
            ..Transition::default()
        },
        "SELECT count(*) > 0 FROM tags",
    );
    assert_eq!(out.after_contract, "t");
}

#[test]
fn new_nullable_column() {
    check(
        Transition {
            name: "safety_nullable_column",
            v1: &items(BASE),
            seed: SEED,
            v2: &base_with("    pub color: Option<String>,\n"),
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (name, code, qty, at, color) VALUES ('new', 'n', 2, localtimestamp, 'red')",
            ],
            ..Transition::default()
        },
        "SELECT 1",
    );
}

#[test]
fn new_not_null_column_with_a_constant_default() {
    let out = check(
        Transition {
            name: "safety_constant_default",
            v1: &items(BASE),
            seed: SEED,
            v2: &base_with("    #[schema(default = \"0\")]\n    pub rank: i32,\n"),
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (name, code, qty, at, rank) VALUES ('new', 'n', 2, localtimestamp, 5)",
            ],
            ..Transition::default()
        },
        "SELECT count(*) FILTER (WHERE rank = 0) >= 10000 AND count(*) FILTER (WHERE rank = 5) > 0 FROM items",
    );
    assert_eq!(out.after_contract, "t");
}

#[test]
fn new_column_with_a_volatile_default() {
    let out = check(
        Transition {
            name: "safety_volatile_default",
            v1: &items(BASE),
            seed: SEED,
            v2: &base_with(
                "    #[schema(default = \"gen_random_uuid()\")]\n    pub public_id: uuid::Uuid,\n",
            ),
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (name, code, qty, at) VALUES ('new', 'n', 2, localtimestamp)",
                "SELECT public_id FROM items WHERE id = (random() * 9999)::int + 1",
            ],
            ..Transition::default()
        },
        "SELECT count(DISTINCT public_id) = count(*) FROM items",
    );
    assert_eq!(out.after_contract, "t", "every row has its own value");
}

#[test]
fn new_not_null_column_backfilled_from_an_expression() {
    let out = check(
        Transition {
            name: "safety_backfill_expression",
            v1: &items(BASE),
            seed: SEED,
            v2: &base_with(
                "    #[schema(backfill = \"upper(code)\")]\n    pub code_upper: String,\n",
            ),
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (name, code, qty, at, code_upper) VALUES ('new', 'n', 2, localtimestamp, 'written by new code')",
            ],
            ..Transition::default()
        },
        "SELECT count(*) FROM items WHERE code_upper IS DISTINCT FROM upper(code) AND name <> 'new'",
    );
    assert_eq!(
        out.after_contract, "0",
        "seeded rows and old code's rows got the expression"
    );
}

#[test]
fn column_made_not_null() {
    let out = check(
        Transition {
            name: "safety_make_not_null",
            v1: &items(BASE),
            seed: SEED,
            v2: &items(&BASE.replace(
                "    pub note: Option<String>,",
                "    #[schema(backfill = \"'none'\")]\n    pub note: String,",
            )),
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (name, note, code, qty, at) VALUES ('new', 'by new code', 'n', 2, localtimestamp)",
            ],
            ..Transition::default()
        },
        "SELECT count(*) FILTER (WHERE note = 'none') > 3000 AND count(*) FILTER (WHERE name = 'old' AND note <> 'none' AND note <> 'touched by old code') = 0 FROM items",
    );
    assert_eq!(
        out.after_contract, "t",
        "NULLs, seeded and written by old code, got the backfill value"
    );
}

#[test]
fn not_null_dropped() {
    check(
        Transition {
            name: "safety_drop_not_null",
            v1: &items(BASE),
            seed: SEED,
            v2: &items(&BASE.replace("    pub name: String,", "    pub name: Option<String>,")),
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (name, code, qty, at) VALUES (NULL, 'n', 2, localtimestamp)",
            ],
            // expand.down.sql: "the down fails if NULLs were written since; set them first".
            before_down: Some("UPDATE items SET name = '' WHERE name IS NULL"),
            ..Transition::default()
        },
        "SELECT 1",
    );
}

#[test]
fn defaults_set_and_dropped() {
    let v1 = base_with("    #[schema(default = \"'x'\")]\n    pub label: String,\n");
    let v2 = items(&format!(
        "{}    pub label: String,\n",
        BASE.replace(
            "    pub qty: i32,",
            "    #[schema(default = \"1\")]\n    pub qty: i32,"
        )
    ));
    let out = check(
        Transition {
            name: "safety_defaults",
            v1: &v1,
            seed: SEED,
            v2: &v2,
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (name, code, at, label) VALUES ('new', 'n', localtimestamp, 'given')",
            ],
            ..Transition::default()
        },
        "SELECT count(*) FILTER (WHERE name = 'new' AND qty = 1) > 0 AND count(*) FILTER (WHERE name = 'old' AND label = 'x') > 0 FROM items",
    );
    assert_eq!(out.after_contract, "t");
}

#[test]
fn column_removed() {
    check(
        Transition {
            name: "safety_remove_column",
            v1: &items(BASE),
            seed: SEED,
            v2: &items(&BASE.replace(
                "    #[schema(max_length = 40)]\n    pub code: String,\n",
                "",
            )),
            old_code: OLD,
            new_code: &["INSERT INTO items (name, qty, at) VALUES ('new', 2, localtimestamp)"],
            allow_drop: &["items.code"],
            ..Transition::default()
        },
        "SELECT 1",
    );
}

#[test]
fn column_renamed() {
    let out = check(
        Transition {
            name: "safety_rename_column",
            v1: &items(BASE),
            seed: SEED,
            v2: &items(&BASE.replace(
                "    pub name: String,",
                "    #[schema(renamed_from = \"name\")]\n    pub title: String,",
            )),
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (title, code, qty, at) VALUES ('new', 'n', 2, localtimestamp)",
                "UPDATE items SET title = 'renamed by new code' WHERE id = (random() * 9999)::int + 1",
                "SELECT id, title FROM items WHERE id = (random() * 9999)::int + 1",
            ],
            during: Some(
                "SELECT count(*) FILTER (WHERE name = 'new' AND title = 'new') > 0 AND count(*) FILTER (WHERE name = 'old' AND title = 'old') > 0 AND count(*) FILTER (WHERE name IS DISTINCT FROM title) = 0 FROM items",
            ),
            ..Transition::default()
        },
        "SELECT count(*) FILTER (WHERE title = 'old') > 0 AND count(*) FILTER (WHERE title = 'renamed by new code') > 0 FROM items",
    );
    assert_eq!(
        out.after_contract, "t",
        "old code's writes under the new name"
    );
}

#[test]
fn table_renamed() {
    let v2 = items(BASE).replace(
        "#[schema(table = \"items\")]",
        "#[schema(table = \"goods\", renamed_from = \"items\")]",
    );
    let out = check(
        Transition {
            name: "safety_rename_table",
            v1: &items(BASE),
            seed: SEED,
            v2: &v2,
            old_code: OLD,
            new_code: &[
                "INSERT INTO goods (name, code, qty, at) VALUES ('new', 'n', 2, localtimestamp)",
                "SELECT id, name FROM goods WHERE id = (random() * 9999)::int + 1",
            ],
            during: Some(
                "SELECT (SELECT count(*) FROM items WHERE name = 'new') > 0 AND (SELECT count(*) FROM goods WHERE name = 'old') > 0",
            ),
            ..Transition::default()
        },
        "SELECT count(*) FILTER (WHERE name = 'old') > 0 FROM goods",
    );
    assert_eq!(out.after_contract, "t");
}

#[test]
fn type_widened_through_a_swapped_column() {
    check(
        Transition {
            name: "safety_widen_type",
            v1: &items(BASE),
            seed: SEED,
            v2: &items(&BASE.replace("max_length = 40", "max_length = 100")),
            old_code: OLD,
            // Until contract the trigger copies into the old column: values must fit both.
            new_code: &[
                "INSERT INTO items (name, code, qty, at) VALUES ('new', repeat('w', 40), 2, localtimestamp)",
                "SELECT id, code FROM items WHERE id = (random() * 9999)::int + 1",
            ],
            ..Transition::default()
        },
        "SELECT 1",
    );
}

#[test]
fn types_changed_through_a_swapped_column() {
    let v2 = items(
        &BASE
            .replace("    pub qty: i32,", "    pub qty: i64,")
            .replace(
                "    pub at: chrono::NaiveDateTime,",
                "    pub at: chrono::DateTime<chrono::Utc>,",
            ),
    );
    let out = check(
        Transition {
            name: "safety_rewrite_type",
            v1: &items(BASE),
            seed: SEED,
            v2: &v2,
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (name, code, qty, at) VALUES ('new', 'n', 7, now())",
                "UPDATE items SET qty = qty - 1 WHERE id = (random() * 9999)::int + 1 AND qty > 0",
                "SELECT id, qty, at FROM items WHERE id = (random() * 9999)::int + 1",
            ],
            during: Some(
                "SELECT count(*) FILTER (WHERE qty IS DISTINCT FROM qty_migrate_new) = 0 AND count(*) FILTER (WHERE name = 'new' AND qty = 7) > 0 FROM items",
            ),
            ..Transition::default()
        },
        "SELECT count(*) FILTER (WHERE qty = 2147483647) >= 1900 AND count(*) FILTER (WHERE qty = -2147483648) > 1000 AND count(*) FILTER (WHERE at IS NULL) = 0 FROM items",
    );
    assert_eq!(
        out.after_contract, "t",
        "the integer range's ends survived the conversion"
    );
}

#[test]
fn varchar_shrunk() {
    check(
        Transition {
            name: "safety_shrink_varchar",
            v1: &items(BASE),
            seed: SEED,
            v2: &items(&BASE.replace("max_length = 40", "max_length = 10")),
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (name, code, qty, at) VALUES ('new', 'short', 2, localtimestamp)",
            ],
            ..Transition::default()
        },
        "SELECT 1",
    );
}

#[test]
fn check_added() {
    check(
        Transition {
            name: "safety_add_check",
            v1: &items(BASE),
            seed: SEED,
            v2: &items(&BASE.replace(
                "    pub qty: i32,",
                "    #[schema(check = \"qty <> 0\")]\n    pub qty: i32,",
            )),
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (name, code, qty, at) VALUES ('new', 'n', 2, localtimestamp)",
            ],
            ..Transition::default()
        },
        "SELECT 1",
    );
}

const OWNERS: &str = r#"
#[derive(Schema)]
#[schema(table = "owners")]
pub struct Owner {
    #[schema(primary_key, identity)]
    pub id: i64,
    pub name: String,
}
"#;

#[test]
fn foreign_key_added() {
    let v1 = format!("{}{OWNERS}", base_with("    pub owner_id: Option<i64>,\n"));
    let v2 = format!(
        "{}{OWNERS}",
        base_with("    #[schema(references = \"owners(id)\")]\n    pub owner_id: Option<i64>,\n")
    );
    let seed = format!(
        "INSERT INTO owners (name) SELECT 'owner ' || g FROM generate_series(1, 100) g; {SEED}; UPDATE items SET owner_id = CASE WHEN id % 4 = 0 THEN NULL ELSE id % 100 + 1 END"
    );
    check(
        Transition {
            name: "safety_add_fk",
            v1: &v1,
            seed: &seed,
            v2: &v2,
            old_code: &[
                OLD[0],
                "UPDATE items SET owner_id = (random() * 99)::int + 1 WHERE id = (random() * 9999)::int + 1",
            ],
            new_code: &[
                "INSERT INTO items (name, code, qty, at, owner_id) VALUES ('new', 'n', 2, localtimestamp, 3)",
            ],
            ..Transition::default()
        },
        "SELECT 1",
    );
}

#[test]
fn unique_index_added() {
    let out = check(
        Transition {
            name: "safety_add_unique",
            v1: &items(BASE),
            seed: SEED,
            v2: &items(&BASE.replace("max_length = 40", "max_length = 40, unique")),
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (name, code, qty, at) VALUES ('new', 'n' || left(md5(random()::text), 12), 2, localtimestamp)",
            ],
            ..Transition::default()
        },
        "SELECT count(*) FROM items WHERE code = 'c-1'",
    );
    assert_eq!(out.after_contract, "1");
    assert!(
        out.sc
            .db
            .sql("INSERT INTO items (name, code, qty, at) VALUES ('dup', 'c-1', 1, localtimestamp)")
            .is_ok(),
        "rolled back: the uniqueness is gone again"
    );
}

#[test]
fn index_added() {
    check(
        Transition {
            name: "safety_add_index",
            v1: &items(BASE),
            seed: SEED,
            v2: &items(&BASE.replace(
                "    pub qty: i32,",
                "    #[schema(index)]\n    pub qty: i32,",
            )),
            old_code: OLD,
            new_code: &["SELECT count(*) FROM items WHERE qty = 42"],
            ..Transition::default()
        },
        "SELECT 1",
    );
}

#[test]
fn index_redefined_under_the_same_name() {
    let v1 = items(BASE).replace(
        "#[schema(table = \"items\")]",
        "#[schema(table = \"items\", index(columns(code), name = \"items_code_idx\"))]",
    );
    let v2 = items(BASE).replace(
        "#[schema(table = \"items\")]",
        "#[schema(table = \"items\", index(columns(qty, code), name = \"items_code_idx\", where = \"qty > 0\"))]",
    );
    check(
        Transition {
            name: "safety_redefine_index",
            v1: &v1,
            seed: SEED,
            v2: &v2,
            old_code: OLD,
            new_code: &["SELECT count(*) FROM items WHERE qty = 42 AND code = 'c-42'"],
            ..Transition::default()
        },
        "SELECT 1",
    );
}

#[test]
fn index_dropped() {
    check(
        Transition {
            name: "safety_drop_index",
            v1: &items(&BASE.replace(
                "    pub qty: i32,",
                "    #[schema(index)]\n    pub qty: i32,",
            )),
            seed: SEED,
            v2: &items(BASE),
            old_code: OLD,
            new_code: &["SELECT count(*) FROM items WHERE qty = 42"],
            ..Transition::default()
        },
        "SELECT 1",
    );
}

#[test]
fn table_dropped() {
    let legacy = r#"
#[derive(Schema)]
#[schema(table = "legacy")]
pub struct Legacy {
    #[schema(primary_key, identity)]
    pub id: i64,
    pub payload: String,
}
"#;
    let seed = format!(
        "{SEED}; INSERT INTO legacy (payload) SELECT 'p' || g FROM generate_series(1, 10000) g"
    );
    let out = check(
        Transition {
            name: "safety_drop_table",
            v1: &format!("{}{legacy}", items(BASE)),
            seed: &seed,
            v2: &items(BASE),
            old_code: &[OLD[0], "INSERT INTO legacy (payload) VALUES ('old')"],
            new_code: &[
                "INSERT INTO items (name, code, qty, at) VALUES ('new', 'n', 2, localtimestamp)",
            ],
            allow_drop: &["legacy"],
            ..Transition::default()
        },
        "SELECT to_regclass('legacy') IS NULL",
    );
    assert_eq!(out.after_contract, "t");
}

#[test]
fn indexed_columns_retyped_with_their_indexes_rebuilt() {
    let v1 = items(
        &BASE
            .replace("max_length = 40", "max_length = 40, unique")
            .replace(
                "    pub qty: i32,",
                "    #[schema(index)]\n    pub qty: i32,",
            ),
    );
    let v2 = items(
        &BASE
            .replace("max_length = 40", "max_length = 64, unique")
            .replace(
                "    pub qty: i32,",
                "    #[schema(index)]\n    pub qty: i64,",
            ),
    );
    let out = check(
        Transition {
            name: "safety_retype_indexed",
            v1: &v1,
            seed: SEED,
            v2: &v2,
            old_code: OLD,
            new_code: &[
                "INSERT INTO items (name, code, qty, at) VALUES ('new', 'n' || left(md5(random()::text), 12), 3, localtimestamp)",
                "SELECT id, code, qty FROM items WHERE qty = 42",
            ],
            ..Transition::default()
        },
        "SELECT count(*) FROM items WHERE code = 'c-1'",
    );
    assert_eq!(out.after_contract, "1");
}
