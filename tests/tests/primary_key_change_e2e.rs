//! Primary keys moved to other columns on several tables in one migration, under old- and
//! new-code traffic on tables with rows: `members` from `(user_id)` to `(user_id, action)`,
//! `accounts` from its surrogate `id` (made unique by the migration before, still referenced
//! by `sessions`) to the natural `(tenant, email)`. Each new key's index is built
//! concurrently in backfill and swapped in at contract in one short transaction that moves
//! the foreign key to the remaining unique index; then rolled back and applied again. Then
//! the surrogate `id` of `tags` dropped for `(post_id, name)`: the key swapped before the
//! column goes.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::Phase;
use migrate_core::project::GenerateOptions;
use migrate_tests::{
    Scenario, Workload, assert_schema_matches, assert_schema_matches_any_column_order, at, up_files,
};

fn models(members_key: &str, accounts: &str, tags: &str) -> String {
    format!(
        r#"
#[derive(Schema)]
#[schema(table = "members"{members_key})]
pub struct Member {{
    pub user_id: i64,
    pub action: String,
    pub note: Option<String>,
}}

#[derive(Schema)]
#[schema(table = "accounts"{accounts})]
pub struct Account {{
    pub tenant: i64,
    pub email: String,
}}

#[derive(Schema)]
#[schema(table = "sessions")]
pub struct Session {{
    #[schema(primary_key)]
    pub id: i64,
    #[schema(references = "accounts(id)")]
    pub account_id: i64,
}}

#[derive(Schema)]
#[schema(table = "tags"{tags})]
pub struct Tag {{
    pub post_id: i64,
    pub name: String,
}}
"#
    )
    .replace(
        "pub tenant: i64,",
        match accounts {
            "" | UNIQUE_ID => {
                "#[schema(primary_key, identity)]\n    pub id: i64,\n    pub tenant: i64,"
            }
            _ => "#[schema(identity, unique)]\n    pub id: i64,\n    pub tenant: i64,",
        },
    )
    .replace(
        "pub post_id: i64,",
        if tags.is_empty() {
            "#[schema(primary_key, identity)]\n    pub id: i64,\n    pub post_id: i64,"
        } else {
            "pub post_id: i64,"
        },
    )
}

const MEMBERS_BEFORE: &str = r#", primary_key(user_id)"#;
const MEMBERS_AFTER: &str = r#", primary_key(user_id, action)"#;
/// The step before moving the key of `accounts`: `id` made unique on its own.
const UNIQUE_ID: &str = r#", index(name = "accounts_id_key", columns(id), unique)"#;
const ACCOUNTS_AFTER: &str = r#", primary_key(tenant, email)"#;
const TAGS_AFTER: &str = r#", primary_key(post_id, name)"#;

const SEED: &str = "
    CREATE SEQUENCE traffic_ids START 1000000;
    INSERT INTO members SELECT g, 'a' || (g % 3), NULL FROM generate_series(1, 10000) g;
    INSERT INTO accounts (tenant, email) SELECT g % 10, 'u' || g || '@x.io' FROM generate_series(1, 10000) g;
    INSERT INTO sessions SELECT g, g FROM generate_series(1, 10000) g;
    INSERT INTO tags (post_id, name) SELECT g, 't' || (g % 5) FROM generate_series(1, 10000) g;
";

/// One version's writes and reads (the same for both: neither relies on the new keys
/// before contract).
fn traffic(sc: &Scenario, search_path: &str, who: &str) -> Workload {
    let statements = [
        format!("INSERT INTO members (user_id, action) VALUES (nextval('traffic_ids'), '{who}')"),
        format!("INSERT INTO accounts (tenant, email) VALUES (1, '{who}' || nextval('traffic_ids') || '@x.io')"),
        "INSERT INTO sessions (id, account_id) SELECT nextval('traffic_ids'), max(id) FROM accounts".into(),
        format!("INSERT INTO tags (post_id, name) VALUES (nextval('traffic_ids'), '{who}')"),
        "SELECT * FROM members WHERE user_id = 42".into(),
        "UPDATE accounts SET email = email WHERE id = 7".into(),
    ];
    let refs: Vec<&str> = statements.iter().map(String::as_str).collect();
    Workload::start(&sc.db, search_path, &refs)
}

#[test]
fn primary_keys_move_to_other_columns_under_traffic() {
    let sc = Scenario::new("pk_change");
    let db = &sc.db;
    let v0 = sc.start(&models(MEMBERS_BEFORE, "", ""), SEED);
    let (v1, path) = sc.generate(
        &models(MEMBERS_BEFORE, UNIQUE_ID, ""),
        &at("29990101000000"),
    );
    sc.up(&path);
    assert_schema_matches(db, &v1.snapshot.tables, "id unique");
    assert!(v0.snapshot.tables != v1.snapshot.tables);
    let (v2, path) = sc.generate(
        &models(MEMBERS_AFTER, ACCOUNTS_AFTER, ""),
        &at("29990102000000"),
    );
    insta::assert_snapshot!("moved_keys", up_files(&v2));

    let old = traffic(&sc, "", "old");
    old.wait_for(30);
    sc.apply(&path, Phase::Expand, "up");
    old.wait_for(30);
    // No column changes shape: new code needs no version schema.
    assert!(v2.plan.version_schema.is_none());
    let new = traffic(&sc, "", "new");
    sc.apply(&path, Phase::Backfill, "up");
    old.wait_for(30);
    new.wait_for(30);
    old.stop().assert_clean("old code");
    let rels = "SELECT string_agg(relname || ':' || relfilenode, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('members', 'accounts', 'sessions')";
    let before = db.value(rels);
    sc.apply(&path, Phase::Contract, "up");
    new.wait_for(30);
    new.stop().assert_clean("new code");
    assert_eq!(db.value(rels), before, "no table rewritten");
    assert_schema_matches(db, &v2.snapshot.tables, "keys moved");

    // The new keys hold, the old ones are gone, the reference still checks.
    db.sql("INSERT INTO members VALUES (1, 'second action')")
        .unwrap();
    assert!(
        db.sql("INSERT INTO members VALUES (1, 'second action')")
            .is_err()
    );
    assert!(
        db.sql("INSERT INTO accounts (tenant, email) VALUES (1, 'u1@x.io')")
            .is_err()
    );
    assert!(
        db.sql("INSERT INTO sessions VALUES (-1, -1)").is_err(),
        "the foreign key checks"
    );
    assert_eq!(
        db.value("SELECT conindid::regclass::text || ' ' || convalidated FROM pg_constraint WHERE conname = 'sessions_account_id_fkey'"),
        "accounts_id_key true",
        "the reference moved to the remaining unique index, validated"
    );

    // Rolled back (the duplicate user first: the old key would refuse it), then again.
    db.sql("DELETE FROM members WHERE action = 'second action'")
        .unwrap();
    sc.down(&path);
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");
    sc.up(&path);
    assert_schema_matches(db, &v2.snapshot.tables, "keys moved again");

    // The surrogate key of tags dropped for the natural one: swapped, then the column goes.
    let (v3, path) = sc.generate(
        &models(MEMBERS_AFTER, ACCOUNTS_AFTER, TAGS_AFTER),
        &GenerateOptions {
            allow_drop: vec!["tags.id".into()],
            ..at("29990103000000")
        },
    );
    insta::assert_snapshot!("surrogate_dropped", up_files(&v3));
    let old = traffic(&sc, "", "old3");
    for phase in [Phase::Expand, Phase::Backfill] {
        sc.apply(&path, phase, "up");
        old.wait_for(30);
    }
    old.stop().assert_clean("old code");
    sc.apply(&path, Phase::Contract, "up");
    assert_schema_matches(db, &v3.snapshot.tables, "surrogate key dropped");
    assert!(
        db.sql("INSERT INTO tags VALUES (1, 't1')").is_err(),
        "(post_id, name) is the key"
    );
    // Its rollback gives the column back empty, without the key it can no longer carry.
    let down = std::fs::read_to_string(path.join("contract.down.sql")).unwrap();
    assert!(
        !down.contains(r#"PRIMARY KEY USING INDEX "tags_pkey""#),
        "{down}"
    );
    sc.down(&path);
    assert_eq!(
        db.value("SELECT count(*) FROM tags WHERE id IS NULL"),
        db.value("SELECT count(*) FROM tags")
    );
}
