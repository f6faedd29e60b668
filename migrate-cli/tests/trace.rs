//! `cargo migrate trace`: the generated plan traced on a scratch database with rows keeps
//! within every budget (no rewrite, no scan under a lock that makes writes wait); a
//! hand-written naive migration is caught on each count and exits 1; `--max-lock-ms`
//! names the lock and how long it was held.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

mod common;

use common::{V1, V2, V3, generate, output};
use migrate_tests::database_url;

fn trace(dir: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value) {
    let all = [&["trace", "--json", "--rows", "20000"][..], args].concat();
    let (code, out, err) = output(dir, &database_url(), &all);
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, json)
}

/// The statements of `json` as (phase, sql, locks as `MODE relation`, rewrote, scanned).
fn statements(json: &serde_json::Value) -> Vec<(String, String, Vec<String>, String, String)> {
    json["trace"]["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let locks = s["locks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    format!(
                        "{} {}",
                        l["mode"].as_str().unwrap(),
                        l["relation"].as_str().unwrap()
                    )
                })
                .collect();
            (
                s["phase"].as_str().unwrap().to_owned(),
                s["sql"].as_str().unwrap().to_owned(),
                locks,
                s["rewrote"].to_string(),
                s["scanned"].to_string(),
            )
        })
        .collect()
}

fn violations(json: &serde_json::Value) -> Vec<String> {
    json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["what"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_generated_plan_keeps_within_budget_and_a_naive_one_does_not() {
    let tmp = common::project();
    let dir = tmp.path();
    generate(dir, V1);
    generate(dir, V2);
    let strict = [
        "--forbid-rewrite",
        "--forbid-scan-under-lock",
        "--max-lock-ms",
        "1000",
    ];
    let (code, json) = trace(dir, &strict);
    assert_eq!(code, 0, "{json:#}");
    assert!(violations(&json).is_empty(), "{json:#}");
    assert_eq!(json["trace"]["rows"], 20000);
    let all = statements(&json);
    let add = all
        .iter()
        .find(|s| s.0 == "expand" && s.1.contains("ADD COLUMN"))
        .unwrap_or_else(|| panic!("{all:?}"));
    assert!(
        add.2.contains(&"ACCESS_EXCLUSIVE public.events".to_owned()),
        "{add:?}"
    );
    assert_eq!(add.3, "[]", "adding a column rewrites nothing: {add:?}");
    let validate = all
        .iter()
        .find(|s| s.1.contains("VALIDATE CONSTRAINT"))
        .unwrap_or_else(|| panic!("{all:?}"));
    assert!(
        validate.4.contains("public.events"),
        "VALIDATE scans the table: {validate:?}"
    );
    assert!(
        validate
            .2
            .contains(&"SHARE_UPDATE_EXCLUSIVE public.events".to_owned()),
        "under a lock that lets writes through: {validate:?}"
    );
    let backfill = all.iter().find(|s| s.0 == "backfill").unwrap();
    assert!(
        backfill
            .2
            .contains(&"ROW_EXCLUSIVE public.events".to_owned()),
        "{backfill:?}"
    );

    let (code, json) = trace(dir, &["--max-lock-ms", "0"]);
    assert_eq!(code, 1, "{json:#}");
    assert!(
        violations(&json).iter().any(|v| v
            .starts_with("held ACCESS EXCLUSIVE on public.events for")
            && v.ends_with("(over --max-lock-ms 0)")),
        "{:?}",
        violations(&json)
    );

    // The same index, written by hand the naive way, with a CHECK and a type change.
    generate(dir, V3);
    let newest = std::fs::read_dir(dir.join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max()
        .unwrap();
    std::fs::write(
        newest.join("expand.up.sql"),
        "CREATE INDEX \"events_n_idx\" ON \"events\" (\"n\");\n\
         ALTER TABLE \"events\" ADD CONSTRAINT \"events_n_check\" CHECK (\"n\" >= 0);\n\
         ALTER TABLE \"events\" ALTER COLUMN \"doubled\" TYPE numeric;\n",
    )
    .unwrap();
    let (code, json) = trace(dir, &strict[..2]);
    assert_eq!(code, 1, "{json:#}");
    let found = violations(&json);
    for expected in [
        "scanned public.events holding SHARE on it (--forbid-scan-under-lock)",
        "scanned public.events holding ACCESS EXCLUSIVE on it (--forbid-scan-under-lock)",
        "rewrote public.events (--forbid-rewrite)",
    ] {
        assert!(found.iter().any(|v| v == expected), "{expected}: {found:?}");
    }
    let (code, text, err) = output(dir, &database_url(), &["trace", "--rows", "100"]);
    assert_eq!(code, 0, "no budget given: {err}");
    assert!(text.contains("ACCESS EXCLUSIVE public.events"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("expand") && l.contains("CREATE INDEX")),
        "{text}"
    );
}

/// A uuid key the server defaults and a foreign key to it, and a small `numeric`: the
/// generated rows find their parents and fit their columns.
const KEYED_BY_UUID: &str = r#"
#[derive(Schema)]
#[schema(table = "accounts")]
pub struct Account {
    #[schema(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[schema(sql_type = "numeric(5,2)")]
    pub balance: Decimal,
}

#[derive(Schema)]
#[schema(table = "payments")]
pub struct Payment {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(references = "accounts(id)", index)]
    pub account_id: Uuid,
}
"#;

#[test]
fn rows_are_generated_for_defaulted_keys_their_foreign_keys_and_small_numerics() {
    let tmp = common::project();
    let dir = tmp.path();
    std::fs::write(dir.join("Migrate.toml"), "postgres = 15\n").unwrap();
    generate(dir, KEYED_BY_UUID);
    generate(
        dir,
        &KEYED_BY_UUID.replace(
            "pub account_id: Uuid,",
            "pub account_id: Uuid,\n    pub note: Option<String>,",
        ),
    );
    let (code, json) = trace(dir, &["--forbid-rewrite"]);
    assert_eq!(code, 0, "{json:#}");
    assert!(
        statements(&json)
            .iter()
            .any(|s| s.1.contains("ADD COLUMN \"note\"")),
        "{json:#}"
    );
}
