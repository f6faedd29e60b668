//! The batched backfill's throughput against one `UPDATE` of the whole table: a new
//! NOT NULL column filled from the row (`backfill = "qty * 2"`) on `--rows` rows
//! (1,000,000 by default). One database runs the engine's expand, then its backfill
//! (timed from its start to its last batch, without the NOT NULL validation after it),
//! paced (batches sized to take 200 ms) and in the file's fixed batches of 1,000 rows;
//! another, with the same rows, runs the naive plan's `ALTER TABLE … ADD COLUMN` and one
//! `UPDATE`. Rows per second of each, and their ratio, in one run.
//!
//! ```text
//! . scripts/pg-env.sh
//! cargo bench -p migrate-tests --bench backfill_rate -- [--rows N] [--json]
//! ```
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark fails loudly on setup errors"
)]

use migrate_core::apply::{ApplyOptions, Event, Migrator, load_dir};
use migrate_core::plan::Phase;
use migrate_tests::{Scenario, at};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "items")]
pub struct Item {
    #[schema(primary_key)]
    pub id: i64,
    pub qty: i32,
    pub note: String,
}
"#;

fn v2() -> String {
    V1.replace(
        "pub note: String,",
        "pub note: String,\n    #[schema(backfill = \"qty * 2\")]\n    pub total: i64,",
    )
}

/// A database with the first models' table and `rows` rows, its migration applied by the
/// engine (`engine`) or by psql.
fn seeded(name: &str, rows: u64, engine: bool) -> Scenario {
    let sc = Scenario::new(name);
    let (_, path) = sc.generate(V1, &at("29980101000000"));
    if engine {
        let sources = load_dir(&sc.project.migrations_dir()).unwrap();
        let all = ApplyOptions {
            through: Phase::Contract,
            ..ApplyOptions::default()
        };
        migrate_tests::runtime()
            .block_on(Migrator::new(sources, all).apply(sc.db.url.as_str()))
            .unwrap();
    } else {
        sc.up(&path);
    }
    sc.db
        .sql(&format!(
            "INSERT INTO items SELECT g, g % 100, 'n' || g FROM generate_series(1, {rows}) g"
        ))
        .unwrap();
    sc.db.sql("VACUUM ANALYZE items").unwrap();
    sc
}

/// The engine's backfill on `rows` rows (batches of `batch_size` rows, or paced): the
/// time from its start to its last batch.
fn engine(rows: u64, batch_size: Option<u32>) -> Duration {
    let sc = seeded("bench_backfill_engine", rows, true);
    sc.generate(&v2(), &at("29990101000000"));
    let sources = load_dir(&sc.project.migrations_dir()).unwrap();
    let rt = migrate_tests::runtime();
    let options = |through| ApplyOptions {
        through,
        batch_size,
        ..ApplyOptions::default()
    };
    rt.block_on(Migrator::new(sources.clone(), options(Phase::Expand)).apply(sc.db.url.as_str()))
        .unwrap();
    sc.db.sql("CHECKPOINT").unwrap(); // no checkpoint of the seeding in the timed part
    let last = Arc::new(Mutex::new(None));
    let seen = last.clone();
    let started = Instant::now();
    let mut m = Migrator::new(sources, options(Phase::Backfill)).on_event(move |e| {
        if let Event::Batch {
            rows,
            batch_size,
            took,
            ..
        } = e
        {
            *seen.lock().unwrap() = Some(Instant::now());
            if std::env::var_os("BENCH_VERBOSE").is_some() {
                eprintln!("  {rows} rows, took {took:?}, next {batch_size}");
            }
        }
    });
    rt.block_on(m.apply(sc.db.url.as_str())).unwrap();
    let done = last.lock().unwrap().expect("batches ran");
    assert_eq!(
        sc.db
            .value("SELECT count(*) FROM items WHERE total IS DISTINCT FROM qty * 2"),
        "0"
    );
    done - started
}

/// The naive plan's one `UPDATE` on `rows` rows.
fn naive(rows: u64) -> Duration {
    let sc = seeded("bench_backfill_naive", rows, false);
    sc.db
        .sql("ALTER TABLE items ADD COLUMN total bigint")
        .unwrap();
    let started = Instant::now();
    sc.db.sql("UPDATE items SET total = qty * 2").unwrap();
    started.elapsed()
}

fn main() {
    let a = migrate_tests::bench_args::BenchArgs::parse(&["rows"]);
    let (rows, json) = (a.number("rows", 1_000_000), a.json);
    eprintln!("the engine's backfill of {rows} rows, paced …");
    let paced = engine(rows, None);
    eprintln!("the engine's backfill of {rows} rows, 1,000 rows a batch …");
    let fixed = engine(rows, Some(1000));
    eprintln!("one UPDATE of {rows} rows …");
    let one = naive(rows);
    let rate = |d: Duration| rows as f64 / d.as_secs_f64();
    let runs = [
        ("batched, paced (200 ms)", paced),
        ("batched, 1,000 rows each", fixed),
        ("one UPDATE (naive plan)", one),
    ];
    if json {
        let out: Vec<serde_json::Value> = runs
            .iter()
            .map(|(name, d)| {
                serde_json::json!({
                    "run": name, "rows": rows, "seconds": d.as_secs_f64(),
                    "rows_per_s": rate(*d), "of_one_update": rate(*d) / rate(one),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out).unwrap());
        return;
    }
    println!("a new NOT NULL column filled from the row, {rows} rows\n");
    println!(
        "{:<28} {:>10} {:>12} {:>14}",
        "", "seconds", "rows/s", "of one UPDATE"
    );
    for (name, d) in runs {
        println!(
            "{name:<28} {:>10.2} {:>12.0} {:>14.2}",
            d.as_secs_f64(),
            rate(d),
            rate(d) / rate(one)
        );
    }
}
