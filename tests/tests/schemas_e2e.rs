//! Tables outside `public`: `Migrate.toml` lists the managed schemas, a model names its
//! table `billing.invoices`. On a real server with rows: the first migration makes the
//! schema, a type change's trigger functions and version-schema views work on a table of
//! `billing` while a table of the same name lives in `public`, drift and verify read the
//! managed schemas and no other (a hand-made schema's table is neither touched nor
//! reported), and a model in a schema the file does not list is refused naming it.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::apply::{ApplyOptions, Migrator, load_dir};
use migrate_core::plan::Phase;
use migrate_core::project::{Pending, Project, ProjectError};
use migrate_tests::{TestDb, assert_schema_matches, at, runtime, through_contract};
use std::path::Path;

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "customers")]
pub struct Customer {
    #[schema(primary_key)]
    pub id: i64,
    pub name: String,
}

/// The legacy table of the same name, in `public`.
#[derive(Schema)]
#[schema(table = "invoices")]
pub struct LegacyInvoice {
    #[schema(primary_key)]
    pub id: i64,
}

#[derive(Schema)]
#[schema(table = "billing.invoices")]
pub struct Invoice {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(references = "customers(id)")]
    pub customer_id: i64,
    #[schema(index)]
    pub amount: i32,
}

#[derive(Schema)]
#[schema(table = "billing.lines")]
pub struct Line {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(references = "billing.invoices(id)")]
    pub invoice_id: i64,
}
"#;

fn v2() -> String {
    V1.replace(
        "pub amount: i32,",
        "pub amount: i64,\n    #[schema(default = \"'open'\")]\n    pub status: String,",
    )
}

fn write_config(root: &Path, schemas: &str) {
    std::fs::write(
        root.join("Migrate.toml"),
        format!("models = [\"src/models.rs\"]\npostgres = 15\nschemas = {schemas}\n"),
    )
    .unwrap();
}

fn generate(root: &Path, models: &str, ts: &str) -> Pending {
    std::fs::write(root.join("src/models.rs"), models).unwrap();
    let project = Project::open(root).unwrap();
    let pending = project
        .pending(&at(ts))
        .unwrap()
        .expect("the models changed");
    let path = project.write(&pending).unwrap();
    migrate_tests::assert_lint_clean(&path);
    pending
}

fn apply(db: &TestDb, root: &Path, options: ApplyOptions) {
    let sources = load_dir(&root.join("migrations")).unwrap();
    runtime()
        .block_on(Migrator::new(sources, options).apply(db.url.as_str()))
        .unwrap_or_else(|e| panic!("apply: {e}"));
}

fn drift(db: &TestDb, root: &Path) -> Vec<String> {
    let sources = load_dir(&root.join("migrations")).unwrap();
    let found = runtime()
        .block_on(Migrator::new(sources, ApplyOptions::default()).drift(db.url.as_str()))
        .unwrap()
        .expect("the migrations have snapshots");
    found.differences.iter().map(ToString::to_string).collect()
}

#[test]
fn tables_of_a_listed_schema_are_created_changed_and_compared_there() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    write_config(root, r#"["public", "billing"]"#);
    let db = TestDb::create("schemas");
    db.sql("CREATE SCHEMA reporting; CREATE TABLE reporting.daily (day date PRIMARY KEY, total bigint)")
        .unwrap();

    let first = generate(root, V1, "20990101000000");
    let expand = &first
        .files
        .iter()
        .find(|(n, _)| n == "expand.up.sql")
        .unwrap()
        .1;
    assert!(
        expand.contains(r#"CREATE SCHEMA IF NOT EXISTS "billing""#),
        "{expand}"
    );
    assert!(
        expand.contains(r#"CREATE TABLE "billing"."invoices""#),
        "{expand}"
    );
    assert!(
        expand.contains(r#"REFERENCES "customers" ("id")"#),
        "{expand}"
    );
    assert_eq!(first.snapshot.schemas, ["public", "billing"]);
    apply(&db, root, through_contract());
    assert_schema_matches(&db, &first.snapshot.tables, "after the first migration");
    db.sql(
        "INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 50) g;
         INSERT INTO billing.invoices SELECT g, 1 + g % 50, g FROM generate_series(1, 3000) g;
         INSERT INTO billing.lines SELECT g, g FROM generate_series(1, 3000) g;
         INSERT INTO invoices SELECT g FROM generate_series(1, 10) g;",
    )
    .unwrap();
    assert_eq!(
        drift(&db, root),
        Vec::<String>::new(),
        "reporting.daily is not ours"
    );

    let second = generate(root, &v2(), "20990102000000");
    apply(
        &db,
        root,
        ApplyOptions {
            through: Phase::Expand,
            ..ApplyOptions::default()
        },
    );
    assert_eq!(
        db.value("SELECT string_agg(n.nspname, ',') FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname LIKE 'invoices_amount%'"),
        "billing",
        "the sync trigger's function lives in the table's schema"
    );
    db.sql(&format!(
        "SET search_path = {}, billing, public; INSERT INTO invoices (id, customer_id, amount) VALUES (5000, 1, 300)",
        migrate_core::sql::ident(&migrate_core::plan::version_schema("20990102000000"))
    ))
    .unwrap();
    db.sql("INSERT INTO billing.invoices (id, customer_id, amount) VALUES (5001, 2, 7)")
        .unwrap();
    apply(&db, root, through_contract());
    assert_schema_matches(&db, &second.snapshot.tables, "after the type change");
    assert_eq!(
        db.value("SELECT sum(amount) FROM billing.invoices"),
        (4_501_500 + 300 + 7).to_string()
    );
    assert_eq!(db.value("SELECT count(*) FROM invoices"), "10");
    assert_eq!(drift(&db, root), Vec::<String>::new());

    db.sql("CREATE TABLE billing.stray (id int)").unwrap();
    assert_eq!(
        drift(&db, root),
        ["+ table billing.stray: not expected (found a table of 1 columns)"],
        "a managed schema is compared whole"
    );
    db.sql("DROP TABLE billing.stray").unwrap();
    assert_eq!(db.value("SELECT count(*) FROM reporting.daily"), "0");

    let sources = load_dir(&root.join("migrations")).unwrap();
    let verified = runtime()
        .block_on(
            Migrator::new(sources, ApplyOptions::default()).verify(&migrate_tests::database_url()),
        )
        .unwrap();
    let failed: Vec<String> = verified
        .stages
        .iter()
        .filter(|s| !s.ok())
        .map(|s| format!("{}: {:?} {:?}", s.name, s.error, s.differences))
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
}

#[test]
fn a_model_in_a_schema_the_file_does_not_list_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    write_config(root, r#"["public"]"#);
    std::fs::write(root.join("src/models.rs"), V1).unwrap();
    let err = Project::open(root).unwrap().models().unwrap_err();
    let ProjectError::Sources(errors) = &err else {
        panic!("{err}")
    };
    let text: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.location, e.message))
        .collect();
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(
        text[0].starts_with("src/models.rs:")
            && text[0].contains(r#"struct `Invoice` maps to table "billing"."invoices", in schema "billing", which `schemas` in Migrate.toml does not list (it lists "public")"#),
        "{text:?}"
    );
}
