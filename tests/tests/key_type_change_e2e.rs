//! `integer` → `bigint` on a primary key that foreign keys of two tables reference, one of
//! whose columns changes to `bigint` too and one not: new columns kept in sync, the new
//! key's unique index built concurrently, the foreign keys added again on it (NOT VALID,
//! then validated), and in contract the old foreign keys handed over and the key swapped
//! by `PRIMARY KEY USING INDEX`. With rows, old code until the deploy and new code after,
//! every foreign key enforced in every phase, statement locks, contract undone and done
//! again, and everything rolled back.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::{Phase, version_schema};
use migrate_tests::{
    Scenario, TestDb, apply_phase, assert_schema_matches, assert_schema_matches_any_column_order,
    at, lock_report,
};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "accounts")]
pub struct Account {
    #[schema(primary_key)]
    pub id: i32,
    pub name: String,
}

#[derive(Schema)]
#[schema(table = "invoices")]
pub struct Invoice {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(references = "accounts(id)")]
    pub account_id: i32,
    pub total: i64,
}

#[derive(Schema)]
#[schema(table = "notes")]
pub struct Note {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(references = "accounts(id)", on_delete = "cascade")]
    pub account_id: Option<i32>,
    pub body: String,
}
"#;

fn v2() -> String {
    V1.replace(
        "#[schema(primary_key)]\n    pub id: i32,",
        "#[schema(primary_key)]\n    pub id: i64,",
    )
    .replace(
        "#[schema(references = \"accounts(id)\")]\n    pub account_id: i32,",
        "#[schema(references = \"accounts(id)\")]\n    pub account_id: i64,",
    )
}

const TS: &str = "29990101000000";

const SEED: &str = "INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 1000) g;
    INSERT INTO invoices SELECT g, 1 + g % 500, g FROM generate_series(1, 20000) g;
    INSERT INTO notes SELECT g, 1 + g % 1000, 'n' || g FROM generate_series(1, 5000) g";

/// Writes of one version of the code, `n` making the keys unique per round.
fn writes(n: i64, new_code: bool) -> String {
    let path = if new_code {
        format!("SET search_path = {}, public;", version_schema(TS))
    } else {
        String::new()
    };
    format!(
        "{path}
         INSERT INTO accounts (id, name) VALUES ({n}, 'w');
         INSERT INTO invoices (id, account_id, total) VALUES ({n}, {n}, 1);
         INSERT INTO notes (id, account_id, body) VALUES ({n}, {n}, 'w');
         UPDATE invoices SET account_id = 2 WHERE id = 5;
         UPDATE notes SET account_id = 3 WHERE id = 6;"
    )
}

/// Every foreign key holds: dangling references fail, a cascade deletes.
fn enforced(db: &TestDb, when: &str, cascade_account: i64) {
    for bad in [
        "INSERT INTO invoices (id, account_id, total) VALUES (9999999, 424242, 1)",
        "INSERT INTO notes (id, account_id, body) VALUES (9999999, 424242, 'x')",
        "UPDATE invoices SET account_id = 424242 WHERE id = 7",
    ] {
        let err = db.sql(bad).unwrap_err();
        assert!(err.contains("foreign key"), "{when}: {bad}: {err}");
    }
    db.sql(&format!(
        "DELETE FROM accounts WHERE id = {cascade_account}"
    ))
    .unwrap_or_else(|e| panic!("{when}: {e}"));
    assert_eq!(
        db.value(&format!(
            "SELECT count(*) FROM notes WHERE account_id = {cascade_account}"
        )),
        "0",
        "{when}: ON DELETE CASCADE"
    );
}

#[test]
fn a_referenced_key_becomes_bigint_with_its_foreign_keys_enforced_throughout() {
    let sc = Scenario::new("key_type_change");
    let v1 = sc.start(V1, SEED);
    let (v2, path) = sc.generate(&v2(), &at(TS));
    insta::assert_snapshot!(
        "key_type_change_v2",
        v2.files
            .iter()
            .map(|(n, t)| format!("==> {n}\n{t}"))
            .collect::<String>()
    );
    let db = &sc.db;
    enforced(db, "before", 990);
    apply_phase(db, &path, Phase::Expand, "up");
    db.sql(&writes(100_001, false)).unwrap();
    enforced(db, "after expand", 991);
    apply_phase(db, &path, Phase::Backfill, "up");
    db.sql(&writes(100_002, false)).unwrap();
    db.sql(&writes(100_003, true)).unwrap();
    enforced(db, "after backfill", 992);
    apply_phase(db, &path, Phase::Contract, "up");
    db.sql(&writes(100_004, true)).unwrap();
    enforced(db, "after contract", 993);
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    assert_eq!(
        db.value(
            "SELECT string_agg(conname || ' ' || conindid::regclass::text || ' ' || convalidated, ', ' ORDER BY conname)
             FROM pg_constraint WHERE confrelid = 'accounts'::regclass"
        ),
        "invoices_account_id_fkey accounts_pkey true, notes_account_id_fkey accounts_pkey true",
        "the foreign keys hang on the new primary key, validated"
    );
    assert_eq!(
        db.value("SELECT count(*) FROM invoices WHERE account_id = 2"),
        "41",
        "40 seeded, and the row old code moved"
    );

    // Contract undone (new code keeps running), and done again.
    apply_phase(db, &path, Phase::Contract, "down");
    db.sql(&writes(100_005, true)).unwrap();
    enforced(db, "after contract.down", 994);
    apply_phase(db, &path, Phase::Contract, "up");
    assert_schema_matches(db, &v2.snapshot.tables, "after contract, again");

    for phase in Phase::ALL.iter().rev() {
        apply_phase(db, &path, *phase, "down");
    }
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");
    enforced(db, "rolled back", 995);
}

#[test]
fn the_key_swap_blocks_no_traffic() {
    let sc = Scenario::new("key_type_change_locks");
    sc.start(V1, SEED);
    let (v2, _) = sc.generate(&v2(), &at(TS));
    let db = &sc.db;
    let report = lock_report(db, &v2.plan);
    insta::assert_snapshot!("key_type_change_locks", report);
    assert_schema_matches(db, &v2.snapshot.tables, "v2 applied step by step");
}

#[test]
fn the_engine_applies_it_around_the_deploy_and_rolls_it_back() {
    use migrate_core::apply::{ApplyOptions, Migrator, RollbackTo, load_dir};
    let sc = Scenario::new("key_type_change_engine");
    sc.generate(V1, &at("29980101000000"));
    sc.generate(&v2(), &at(TS));
    let sources = load_dir(&sc.project.migrations_dir()).unwrap();
    let options = ApplyOptions {
        through: Phase::Contract,
        allow_destructive: true,
        ..ApplyOptions::default()
    };
    let db = TestDb::create("key_type_change_engine_db");
    let rt = migrate_tests::runtime();
    rt.block_on(Migrator::new(sources[..1].to_vec(), options.clone()).apply(db.url.as_str()))
        .unwrap();
    db.sql(SEED).unwrap();
    // As a deploy runs it: through backfill, then (after the deploy) contract, whose drift
    // check must leave the referencing tables' transition foreign keys alone.
    let before_deploy = ApplyOptions {
        through: Phase::Backfill,
        ..options.clone()
    };
    rt.block_on(Migrator::new(sources.clone(), before_deploy).apply(db.url.as_str()))
        .unwrap_or_else(|e| panic!("apply through backfill: {e}"));
    enforced(&db, "before the deploy", 998);
    let mut migrator = Migrator::new(sources.clone(), options);
    rt.block_on(migrator.apply(db.url.as_str()))
        .unwrap_or_else(|e| panic!("apply through contract: {e}"));
    enforced(&db, "applied by the engine", 996);
    rt.block_on(migrator.rollback(
        db.url.as_str(),
        Some(&RollbackTo::After(sources[0].id.clone())),
    ))
    .unwrap_or_else(|e| panic!("rollback: {e}"));
    enforced(&db, "rolled back by the engine", 997);
    assert_eq!(
        db.value("SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'id'"),
        "integer"
    );
}
