//! `integer` → `bigint` on an identity primary key that a foreign key references: the old
//! column's identity numbers both versions' inserts until contract, where the new column
//! gets an identity of its own counting on from it (the old one's sequence goes with the old
//! column) and its sequence takes the usual name. Ids keep counting on through contract, its
//! down and the full rollback, and go past the `integer` range after contract.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::{Phase, version_schema};
use migrate_tests::{
    Scenario, TestDb, apply_phase, assert_schema_matches, assert_schema_matches_any_column_order,
    at, up_files,
};
use std::path::Path;

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "accounts")]
pub struct Account {
    #[schema(primary_key, identity)]
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
}
"#;

const TS: &str = "29990101000000";

fn v2() -> String {
    V1.replacen("pub id: i32,", "pub id: i64,", 1).replacen(
        "pub account_id: i32,",
        "pub account_id: i64,",
        1,
    )
}

/// Inserts an account the identity numbers (and an invoice for it); returns its id.
fn insert(db: &TestDb, new_code: bool) -> i64 {
    let path = if new_code {
        format!("SET search_path = {}, public;", version_schema(TS))
    } else {
        String::new()
    };
    db.sql(&format!(
        "{path}
         INSERT INTO accounts (name) VALUES ('{new_code}');
         INSERT INTO invoices (id, account_id) SELECT 1000000 + max(id), max(id) FROM accounts WHERE id < 900000"
    ))
    .unwrap_or_else(|e| panic!("new code {new_code}: {e}"));
    db.value("SELECT max(id) FROM accounts WHERE id < 900000")
        .parse()
        .unwrap()
}

/// The identity of `accounts.id`: its sequence, the sequence's type, and the next value.
fn identity(db: &TestDb) -> String {
    db.value(
        "SELECT a.attidentity::text || ' ' || pg_get_serial_sequence('accounts', 'id') || ' ' || format_type(s.seqtypid, NULL)
           FROM pg_attribute a JOIN pg_sequence s ON s.seqrelid = pg_get_serial_sequence('accounts', 'id')::regclass
          WHERE a.attrelid = 'accounts'::regclass AND a.attname = 'id'",
    )
}

#[test]
fn an_identity_key_becomes_bigint_and_keeps_counting() {
    let sc = Scenario::new("identity_key");
    let v1 = sc.start(
        V1,
        "INSERT INTO accounts (name) SELECT 'a' || g FROM generate_series(1, 10000) g;
         INSERT INTO invoices SELECT g, 1 + g % 10000 FROM generate_series(1, 20000) g",
    );
    let (v2, path) = sc.generate(&v2(), &at(TS));
    insta::assert_snapshot!("identity_key_v2", up_files(&v2));
    let db = &sc.db;
    apply_phase(db, &path, Phase::Expand, "up");
    assert_eq!(insert(db, false), 10001);
    apply_phase(db, &path, Phase::Backfill, "up");
    assert_eq!(insert(db, false), 10002);
    assert_eq!(insert(db, true), 10003);
    db.sql(&format!(
        "SET search_path = {}, public; INSERT INTO accounts (id, name) VALUES (900001, 'given')",
        version_schema(TS)
    ))
    .unwrap();
    assert_eq!(
        db.value("SELECT id FROM accounts WHERE name = 'given'"),
        "900001",
        "new code's own id reaches the old column"
    );
    apply_phase(db, &path, Phase::Contract, "up");
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    assert_eq!(identity(db), "d public.accounts_id_seq bigint");
    assert_eq!(
        insert(db, true),
        10005,
        "counting on (10004 went to the given id's old column)"
    );

    apply_phase(db, &path, Phase::Contract, "down");
    assert_eq!(identity(db), "d public.accounts_id_seq integer");
    assert_eq!(
        insert(db, true),
        10006,
        "the restored identity counts on too"
    );
    for phase in [Phase::Backfill, Phase::Expand] {
        apply_phase(db, &path, phase, "down");
    }
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");
    assert_eq!(insert(db, false), 10007);

    for phase in Phase::ALL {
        apply_phase(db, &path, phase, "up");
    }
    db.sql("SELECT setval(pg_get_serial_sequence('accounts', 'id'), 3000000000)")
        .unwrap();
    db.sql("INSERT INTO accounts (name) VALUES ('big')")
        .unwrap();
    assert_eq!(
        db.value("SELECT id FROM accounts WHERE name = 'big'"),
        "3000000001",
        "ids past the integer range"
    );
}

const SERIAL: &str = r#"
#[derive(Schema)]
#[schema(table = "tickets")]
pub struct Ticket {
    #[schema(primary_key, default = "nextval('tickets_id_seq'::regclass)")]
    pub id: i64,
    pub title: String,
}
"#;

/// Inserts a ticket without an id; returns the id it got.
fn ticket(db: &TestDb, title: &str) -> i64 {
    db.sql(&format!("INSERT INTO tickets (title) VALUES ('{title}')"))
        .unwrap_or_else(|e| panic!("insert {title}: {e}"));
    db.value(&format!("SELECT id FROM tickets WHERE title = '{title}'"))
        .parse()
        .unwrap()
}

fn phases(sc: &Scenario, path: &Path, direction: &str) {
    let mut phases = Phase::ALL.to_vec();
    if direction == "down" {
        phases.reverse();
    }
    for phase in phases {
        sc.apply(path, phase, direction);
    }
}

#[test]
fn a_serial_key_becomes_an_identity_counting_on() {
    let sc = Scenario::new("serial_to_identity");
    sc.db.sql("CREATE SEQUENCE tickets_id_seq").unwrap();
    let v1 = sc.start(
        SERIAL,
        "ALTER SEQUENCE tickets_id_seq OWNED BY tickets.id;
         INSERT INTO tickets (title) SELECT 't' || g FROM generate_series(1, 10000) g",
    );
    let v2_models = SERIAL.replace(
        "#[schema(primary_key, default = \"nextval('tickets_id_seq'::regclass)\")]",
        "#[schema(primary_key, identity)]",
    );
    let (v2, path) = sc.generate(&v2_models, &at(TS));
    insta::assert_snapshot!("serial_to_identity_v2", up_files(&v2));
    let db = &sc.db;
    sc.apply(&path, Phase::Expand, "up");
    sc.apply(&path, Phase::Backfill, "up");
    assert_eq!(ticket(db, "before contract"), 10001);
    sc.apply(&path, Phase::Contract, "up");
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    assert_eq!(
        db.value("SELECT attidentity::text || ' ' || pg_get_serial_sequence('tickets', 'id') FROM pg_attribute WHERE attrelid = 'tickets'::regclass AND attname = 'id'"),
        "d public.tickets_id_seq",
        "an identity, its sequence under the serial's name"
    );
    assert_eq!(ticket(db, "identity"), 10002);
    phases(&sc, &path, "down");
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");
    assert_eq!(ticket(db, "serial again"), 10003);
}

#[test]
fn a_dropped_identity_goes_at_contract_and_comes_back_past_the_highest_id() {
    let sc = Scenario::new("drop_identity");
    let v1_models = SERIAL.replace(
        "#[schema(primary_key, default = \"nextval('tickets_id_seq'::regclass)\")]",
        "#[schema(primary_key, identity)]",
    );
    let v1 = sc.start(
        &v1_models,
        "INSERT INTO tickets (title) SELECT 't' || g FROM generate_series(1, 100) g",
    );
    let (v2, path) = sc.generate(
        SERIAL
            .replace(
                "#[schema(primary_key, default = \"nextval('tickets_id_seq'::regclass)\")]",
                "#[schema(primary_key)]",
            )
            .as_str(),
        &at(TS),
    );
    let db = &sc.db;
    sc.apply(&path, Phase::Expand, "up");
    sc.apply(&path, Phase::Backfill, "up");
    assert_eq!(ticket(db, "old code, before contract"), 101);
    sc.apply(&path, Phase::Contract, "up");
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    db.sql("INSERT INTO tickets (id, title) VALUES (500, 'new code gives ids')")
        .unwrap();
    phases(&sc, &path, "down");
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");
    assert_eq!(ticket(db, "identity again"), 501);
}
