//! Serial columns (a `nextval('<sequence>'::regclass)` default, the sequence owned by the
//! column, as adopted databases have them) replaced by a column swap: `integer` → `bigint`
//! on a serial primary key that a foreign key references, and a serial column renamed. The
//! sequence moves to the new column in the swap's transaction (dropping the old column would
//! take it) and, for the type change, becomes `bigint`, so ids go past 2,147,483,647; the
//! down gives it back. With rows, old code's and new code's inserts drawing from it in every
//! phase, and everything rolled back.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::{Phase, version_schema};
use migrate_core::project::Pending;
use migrate_tests::{
    Scenario, TestDb, apply_phase, assert_schema_matches, assert_schema_matches_any_column_order,
    at, up_files,
};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "tickets")]
pub struct Ticket {
    #[schema(primary_key, default = "nextval('tickets_id_seq'::regclass)")]
    pub id: i32,
    pub title: String,
}

#[derive(Schema)]
#[schema(table = "replies")]
pub struct Reply {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(references = "tickets(id)")]
    pub ticket_id: i32,
}
"#;

const TS: &str = "29990101000000";

fn v2() -> String {
    V1.replacen("pub id: i32,", "pub id: i64,", 1).replacen(
        "pub ticket_id: i32,",
        "pub ticket_id: i64,",
        1,
    )
}

/// The sequence made first (an adopted database's serial), owned by the column once the
/// table exists.
fn start(sc: &Scenario, models: &str, sequence: &str, column: &str, seed: &str) -> Pending {
    sc.db
        .sql(&format!("CREATE SEQUENCE {sequence} AS integer"))
        .unwrap();
    sc.start(
        models,
        &format!("ALTER SEQUENCE {sequence} OWNED BY {column}; {seed}"),
    )
}

/// Who owns the sequence and its type: `public.tickets.id bigint`.
fn sequence_of(db: &TestDb, sequence: &str) -> String {
    db.value(&format!(
        "SELECT d.refobjid::regclass || '.' || a.attname || ' ' || format_type(s.seqtypid, NULL)
           FROM pg_sequence s
           JOIN pg_depend d ON d.objid = s.seqrelid AND d.classid = 'pg_class'::regclass AND d.deptype = 'a'
           JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
          WHERE s.seqrelid = '{sequence}'::regclass"
    ))
}

/// Old code and new code each insert a ticket drawing its id from the sequence, and a
/// reply to it.
fn inserts(db: &TestDb, new_code: bool) {
    let path = if new_code {
        format!("SET search_path = {}, public;", version_schema(TS))
    } else {
        String::new()
    };
    db.sql(&format!(
        "{path}
         INSERT INTO tickets (title) VALUES ('{}');
         INSERT INTO replies (id, ticket_id) SELECT 1000000 + max(id), max(id) FROM tickets",
        if new_code { "new" } else { "old" }
    ))
    .unwrap_or_else(|e| panic!("new code {new_code}: {e}"));
}

#[test]
fn a_serial_key_becomes_bigint_and_its_sequence_follows() {
    let sc = Scenario::new("serial_key");
    let v1 = start(
        &sc,
        V1,
        "tickets_id_seq",
        "tickets.id",
        "INSERT INTO tickets (title) SELECT 't' || g FROM generate_series(1, 10000) g;
         INSERT INTO replies SELECT g, 1 + g % 10000 FROM generate_series(1, 20000) g",
    );
    let (v2, path) = sc.generate(&v2(), &at(TS));
    insta::assert_snapshot!("serial_key_v2", up_files(&v2));
    let db = &sc.db;
    apply_phase(db, &path, Phase::Expand, "up");
    inserts(db, false);
    apply_phase(db, &path, Phase::Backfill, "up");
    inserts(db, false);
    inserts(db, true);
    apply_phase(db, &path, Phase::Contract, "up");
    inserts(db, true);
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    assert_eq!(sequence_of(db, "tickets_id_seq"), "tickets.id bigint");
    assert_eq!(
        db.value("SELECT count(*) FROM tickets WHERE id > 10000"),
        "4",
        "each insert drew from the one sequence"
    );

    apply_phase(db, &path, Phase::Contract, "down");
    assert_eq!(sequence_of(db, "tickets_id_seq"), "tickets.id integer");
    inserts(db, true);
    for phase in [Phase::Backfill, Phase::Expand] {
        apply_phase(db, &path, phase, "down");
    }
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");
    assert_eq!(sequence_of(db, "tickets_id_seq"), "tickets.id integer");
    inserts(db, false);

    for phase in Phase::ALL {
        apply_phase(db, &path, phase, "up");
    }
    db.sql("SELECT setval('tickets_id_seq', 3000000000)")
        .unwrap();
    inserts(db, true);
    assert_eq!(
        db.value("SELECT max(id) FROM tickets"),
        "3000000001",
        "ids past the integer range"
    );
}

const COUNTERS_V1: &str = r#"
#[derive(Schema)]
#[schema(table = "orders")]
pub struct Order {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(default = "nextval('orders_number_seq'::regclass)")]
    pub number: i32,
}
"#;

#[test]
fn a_renamed_serial_column_keeps_its_sequence() {
    let sc = Scenario::new("serial_rename");
    let v1 = start(
        &sc,
        COUNTERS_V1,
        "orders_number_seq",
        "orders.number",
        "INSERT INTO orders (id) SELECT g FROM generate_series(1, 10000) g",
    );
    let v2_models = COUNTERS_V1.replace(
        "pub number: i32,",
        "#[schema(renamed_from = \"number\")]\n    pub order_no: i32,",
    );
    let (v2, path) = sc.generate(&v2_models, &at(TS));
    let db = &sc.db;
    let insert = |new_code: bool, id: i64| {
        let path = if new_code {
            format!("SET search_path = {}, public;", version_schema(TS))
        } else {
            String::new()
        };
        db.sql(&format!("{path} INSERT INTO orders (id) VALUES ({id})"))
            .unwrap_or_else(|e| panic!("insert {id}: {e}"));
    };
    apply_phase(db, &path, Phase::Expand, "up");
    insert(false, 20_001);
    apply_phase(db, &path, Phase::Backfill, "up");
    insert(true, 20_002);
    apply_phase(db, &path, Phase::Contract, "up");
    insert(true, 20_003);
    assert_schema_matches(db, &v2.snapshot.tables, "after contract");
    assert_eq!(
        sequence_of(db, "orders_number_seq"),
        "orders.order_no integer"
    );
    assert_eq!(
        db.value("SELECT string_agg(order_no::text, ',' ORDER BY id) FROM orders WHERE id > 20000"),
        "10001,10002,10003",
        "old and new code's rows numbered by the one sequence"
    );
    for phase in Phase::ALL.iter().rev() {
        apply_phase(db, &path, *phase, "down");
    }
    assert_schema_matches_any_column_order(db, &v1.snapshot.tables, "rolled back");
    assert_eq!(
        sequence_of(db, "orders_number_seq"),
        "orders.number integer"
    );
    insert(false, 20_004);
}
