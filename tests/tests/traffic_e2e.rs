//! The promise, measured: a migration with a column rename and a rewriting type change is
//! applied phase by phase while application traffic keeps running on other connections —
//! old code (prepared statements on the old names and types) from before expand until the
//! "deploy" after backfill, new code (through the version schema) from then on, through
//! contract. Neither sees a single error. The worst statement time is printed, not asserted
//! (machines are noisy).
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::version_schema;
use migrate_core::project::GenerateOptions;
use migrate_tests::{Scenario, Workload, assert_schema_matches, at};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "people")]
pub struct Person {
    #[schema(primary_key, identity)]
    pub id: i64,
    pub name: String,
    pub note: Option<String>,
}

#[derive(Schema)]
#[schema(table = "orders")]
pub struct Order {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(default = "1")]
    pub quantity: i32,
    pub ref_no: String,
}
"#;

const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "people")]
pub struct Person {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(renamed_from = "name")]
    pub full_name: String,
    pub note: Option<String>,
}

#[derive(Schema)]
#[schema(table = "orders")]
pub struct Order {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(default = "1")]
    pub quantity: i64,
    pub ref_no: i64,
}
"#;

const TS: &str = "29990101000000";

const OLD_CODE: &[&str] = &[
    "INSERT INTO people (name, note) VALUES ('w-old', 'old code')",
    "UPDATE people SET name = 'w-old-upd' WHERE id = (random() * 9999)::int + 1",
    "SELECT id, name, note FROM people WHERE id = 42",
    "INSERT INTO orders (quantity, ref_no) VALUES (3, '777')",
    "UPDATE orders SET quantity = quantity + 1 WHERE id = (random() * 9999)::int + 1",
    "SELECT id, quantity, ref_no FROM orders WHERE id = 7",
];

const NEW_CODE: &[&str] = &[
    "INSERT INTO people (full_name, note) VALUES ('w-new', 'new code')",
    "UPDATE people SET full_name = 'w-new-upd' WHERE id = (random() * 9999)::int + 1",
    "SELECT id, full_name, note FROM people WHERE id = 42",
    "INSERT INTO orders (quantity, ref_no) VALUES (5, 888)",
    "INSERT INTO orders (ref_no) VALUES (999)",
    "UPDATE orders SET quantity = quantity + 1 WHERE id = (random() * 9999)::int + 1",
    "SELECT id, quantity, ref_no FROM orders WHERE id = 7",
];

#[test]
fn old_and_new_code_run_through_every_phase_without_an_error() {
    let sc = Scenario::new("traffic_e2e");
    let db = &sc.db;

    let (_v1, v1_path) = sc.generate(V1, &GenerateOptions::default());
    db.apply_file(&v1_path.join("expand.up.sql")).unwrap();
    db.sql(
        "INSERT INTO people (name) SELECT 'person ' || g FROM generate_series(1, 20000) g;
         INSERT INTO orders (quantity, ref_no) SELECT g % 100, (g * 3)::text FROM generate_series(1, 20000) g",
    )
    .unwrap();

    let (v2, v2_path) = sc.generate(V2, &at(TS));
    let apply = |phase: &str| {
        db.apply_file(&v2_path.join(format!("{phase}.up.sql")))
            .unwrap_or_else(|e| panic!("{phase}: {e}"))
    };

    let old = Workload::start(db, "", OLD_CODE);
    apply("expand");
    apply("backfill");
    // Deploy: new instances start, old ones drain.
    let new = Workload::start(
        db,
        &format!("SET search_path = {}, public", version_schema(TS)),
        NEW_CODE,
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    let old = old.stop();
    apply("contract");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let new = new.stop();

    println!(
        "old code: {} statements, worst {:?}; new code: {} statements, worst {:?}",
        old.statements, old.worst, new.statements, new.worst
    );
    assert!(old.errors.is_empty(), "old code failed: {:#?}", old.errors);
    assert!(new.errors.is_empty(), "new code failed: {:#?}", new.errors);
    assert!(old.statements > 0 && new.statements > 0);
    assert_schema_matches(db, &v2.snapshot.tables, "after contract under traffic");
    assert_eq!(
        db.value("SELECT count(*) FROM people WHERE full_name IS NULL"),
        "0"
    );
    let written: i64 = db
        .value(
            "SELECT count(*) FROM orders WHERE ref_no IN (777, 888, 999) AND quantity IS NOT NULL",
        )
        .parse()
        .unwrap();
    assert!(
        written > 0,
        "the workloads' orders are there, with a quantity"
    );
}
