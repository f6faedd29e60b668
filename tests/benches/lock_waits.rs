//! What a DDL statement waiting for its lock costs the writers queued behind it. A table
//! with rows takes writes from `--clients` clients while a reporting job keeps opening
//! transactions that read it (each holds ACCESS SHARE for `--hold-ms`, then pauses
//! `--gap-ms`);
//! the engine applies a migration adding a column (a brief ACCESS EXCLUSIVE) with a fixed
//! lock timeout (every attempt waits the 2 s cap) and with escalating ones (50 ms doubling
//! to the cap), `--runs` times each, alternating. Per mode: the writers' worst latency
//! while the migration ran and how many of their queries stalled (over 100 ms), the
//! migration's wall time and its retries.
//!
//! ```text
//! . scripts/pg-env.sh
//! cargo bench -p migrate-tests --bench lock_waits -- [--runs N] [--hold-ms MS] [--gap-ms MS] [--clients C] [--json]
//! ```
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark fails loudly on setup errors"
)]

use migrate_core::apply::{ApplyOptions, Event, Migrator, load_dir};
use migrate_core::plan::Phase;
use migrate_tests::traffic::{NextQuery, Rng, Stats, Traffic};
use migrate_tests::{Scenario, at};
use sqlx::Connection as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "events")]
pub struct Event {
    #[schema(primary_key)]
    pub id: i64,
    pub body: String,
}
"#;

struct Args {
    runs: u32,
    hold_ms: u64,
    gap_ms: u64,
    clients: u64,
    json: bool,
}

fn args() -> Args {
    let a = migrate_tests::bench_args::BenchArgs::parse(&["runs", "hold-ms", "gap-ms", "clients"]);
    Args {
        runs: u32::try_from(a.number("runs", 5)).expect("--runs fits u32"),
        hold_ms: a.number("hold-ms", 1000),
        gap_ms: a.number("gap-ms", 1000),
        clients: a.number("clients", 3),
        json: a.json,
    }
}

/// One writer: inserts and updates, its new keys apart from every other writer's.
fn writer(client: u64) -> NextQuery {
    let mut rng = Rng::new(client * 7919 + 1);
    let own = 1_000_000_000 + client * 1_000_000_000;
    Box::new(move |n| match n % 2 {
        0 => sqlx::query("INSERT INTO events (id, body) VALUES ($1, 'w')").bind((own + n) as i64),
        _ => sqlx::query("UPDATE events SET body = 'u' WHERE id = $1")
            .bind(1 + rng.upto(100_000) as i64),
    })
}

/// A reporting job: transactions reading the table, each holding its lock `hold`, `gap`
/// apart.
fn reporter(
    url: String,
    (hold, gap): (Duration, Duration),
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        migrate_tests::runtime().block_on(async move {
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            while !stop.load(Ordering::SeqCst) {
                sqlx::raw_sql("BEGIN; SELECT count(*) FROM events")
                    .execute(&mut c)
                    .await
                    .unwrap();
                tokio::time::sleep(hold).await;
                sqlx::raw_sql("COMMIT").execute(&mut c).await.unwrap();
                tokio::time::sleep(gap).await;
            }
        })
    })
}

/// Run `nth`: a fresh table with rows, writers and the reporter on it, the migration
/// applied with `first` as the first lock timeout, at the `nth` place in the job's cycle. The writers' latency while it ran, its
/// wall time, its retries.
fn run(a: &Args, name: &str, first: Duration, nth: u32) -> (Stats, usize, Duration, u32) {
    let sc = Scenario::new(name);
    sc.generate(V1, &at("29980101000000"));
    sc.generate(
        &V1.replace(
            "pub body: String,",
            "pub body: String,\n    pub tag: Option<String>,",
        ),
        &at("29990101000000"),
    );
    let sources = load_dir(&sc.project.migrations_dir()).unwrap();
    let rt = migrate_tests::runtime();
    let options = |first_lock_timeout| ApplyOptions {
        through: Phase::Contract,
        first_lock_timeout,
        ..ApplyOptions::default()
    };
    rt.block_on(Migrator::new(sources[..1].to_vec(), options(first)).apply(sc.db.url.as_str()))
        .unwrap();
    sc.db
        .sql("INSERT INTO events SELECT g, 'e' || g FROM generate_series(1, 100000) g")
        .unwrap();
    let mut traffic = Traffic::new(Duration::from_millis(2));
    for c in 0..a.clients {
        traffic.spawn(&sc.db.url, "", "writer", writer(c));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let pattern = (
        Duration::from_millis(a.hold_ms),
        Duration::from_millis(a.gap_ms),
    );
    let job = reporter(sc.db.url.clone(), pattern, stop.clone());
    // The migration starts anywhere in the job's cycle (the same places for both modes).
    let offset = Rng::new(u64::from(nth) + 1).upto(a.hold_ms + a.gap_ms);
    std::thread::sleep(Duration::from_millis(300 + offset));
    let retries = Arc::new(AtomicU32::new(0));
    let counted = retries.clone();
    let from = traffic.now();
    let started = Instant::now();
    let mut m = Migrator::new(sources, options(first)).on_event(move |e| {
        if matches!(e, Event::Retry { .. }) {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    rt.block_on(m.apply(sc.db.url.as_str())).unwrap();
    let wall = started.elapsed();
    let to = traffic.now();
    stop.store(true, Ordering::SeqCst);
    job.join().unwrap();
    let samples = traffic.finish();
    let stalled = samples
        .iter()
        .filter(|s| s.at >= from && s.at < to && s.took > Duration::from_millis(100))
        .count();
    (
        Stats::of(&samples, from, to),
        stalled,
        wall,
        retries.load(Ordering::SeqCst),
    )
}

fn main() {
    let a = args();
    let modes = [
        ("fixed 2 s", Duration::ZERO),
        ("50 ms doubling to 2 s", Duration::from_millis(50)),
    ];
    let mut results: Vec<Vec<(Stats, usize, Duration, u32)>> = vec![Vec::new(), Vec::new()];
    for r in 0..a.runs {
        for (i, (label, first)) in modes.iter().enumerate() {
            eprintln!("run {} of {}: {label} …", r + 1, a.runs);
            results[i].push(run(&a, &format!("bench_lock_waits_{i}"), *first, r));
        }
    }
    let summary: Vec<serde_json::Value> = modes
        .iter()
        .zip(&results)
        .map(|((label, _), runs)| {
            let worst = runs.iter().map(|r| r.0.max_ms).fold(0.0, f64::max);
            let mut maxes: Vec<f64> = runs.iter().map(|r| r.0.max_ms).collect();
            maxes.sort_by(f64::total_cmp);
            let median = maxes[maxes.len() / 2];
            let stalled: usize = runs.iter().map(|r| r.1).sum();
            let wall: f64 = runs.iter().map(|r| r.2.as_secs_f64()).sum::<f64>() / runs.len() as f64;
            let retries: u32 = runs.iter().map(|r| r.3).sum();
            let failures: usize = runs.iter().map(|r| r.0.failures).sum();
            serde_json::json!({
                "mode": label, "runs": runs.len(), "writers_max_ms": worst,
                "writers_median_run_max_ms": median, "stalled_queries": stalled,
                "migration_mean_s": wall, "retries": retries, "failures": failures,
            })
        })
        .collect();
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary).unwrap());
        return;
    }
    println!(
        "ADD COLUMN behind a reporting job holding ACCESS SHARE {} ms every {} ms, {} writers, {} runs per mode\n",
        a.hold_ms,
        a.hold_ms + a.gap_ms,
        a.clients,
        a.runs
    );
    println!(
        "{:<24} {:>11} {:>17} {:>9} {:>12} {:>8} {:>7}",
        "lock timeouts",
        "worst ms",
        "median worst ms",
        "stalls",
        "migration s",
        "retries",
        "failed"
    );
    for s in &summary {
        println!(
            "{:<24} {:>11.1} {:>17.1} {:>9} {:>12.2} {:>8} {:>7}",
            s["mode"].as_str().unwrap(),
            s["writers_max_ms"].as_f64().unwrap(),
            s["writers_median_run_max_ms"].as_f64().unwrap(),
            s["stalled_queries"],
            s["migration_mean_s"].as_f64().unwrap(),
            s["retries"],
            s["failures"],
        );
    }
    println!("\nstalls: writers' queries over 100 ms while the migration ran");
    let ratio = summary[1]["writers_max_ms"].as_f64().unwrap()
        / summary[0]["writers_max_ms"]
            .as_f64()
            .unwrap()
            .max(f64::EPSILON);
    println!("\nwriters' worst stall, escalating / fixed: {ratio:.2}");
}
