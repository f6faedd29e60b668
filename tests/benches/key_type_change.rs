//! `integer` → `bigint` on a primary key that foreign keys of two tables reference, applied
//! by the engine phase by phase on `--rows` rows per table (1,000,000 by default) while the
//! application keeps running: old code until the deploy, old and new code together for a
//! while, new code alone through contract. Per phase: the migration's wall time and the
//! traffic's queries, failures, p50, p99 and max, against a baseline of the same traffic
//! before the migration.
//!
//! ```text
//! . scripts/pg-env.sh
//! cargo bench -p migrate-tests --bench key_type_change -- [--rows N] [--seconds S] [--clients C] [--json]
//! ```
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark fails loudly on setup errors"
)]

use migrate_core::apply::{ApplyOptions, Migrator, load_dir};
use migrate_core::plan::{Phase, version_schema};
use migrate_tests::traffic::{NextQuery, Rng, Sample, Stats, Traffic};
use migrate_tests::{Scenario, at};
use std::time::Duration;

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
    #[schema(references = "accounts(id)", index)]
    pub account_id: i32,
    pub total: i64,
}

#[derive(Schema)]
#[schema(table = "notes")]
pub struct Note {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(references = "accounts(id)", on_delete = "cascade", index)]
    pub account_id: Option<i32>,
    pub body: String,
}
"#;

const TS: &str = "29990101000000";

struct Args {
    rows: u64,
    seconds: u64,
    clients: u64,
    json: bool,
}

fn args() -> Args {
    let a = migrate_tests::bench_args::BenchArgs::parse(&["rows", "seconds", "clients"]);
    Args {
        rows: a.number("rows", 1_000_000),
        seconds: a.number("seconds", 10),
        clients: a.number("clients", 3),
        json: a.json,
    }
}

fn v2() -> String {
    V1.replacen("pub id: i32,", "pub id: i64,", 1).replacen(
        "pub account_id: i32,",
        "pub account_id: i64,",
        1,
    )
}

/// One client's traffic: reads and writes on all three tables, new rows keyed apart from
/// every other client's. Old code binds `integer` keys, new code `bigint`.
fn code(new_code: bool, client: u64, rows: u64) -> NextQuery {
    let mut rng = Rng::new(client * 7919 + 1);
    let own = rows + 1 + client * 1_000_000;
    Box::new(move |n| {
        let account = rng.upto(rows) as i64;
        let key = |id: i64| -> sqlx::postgres::PgArguments {
            let mut args = sqlx::postgres::PgArguments::default();
            if new_code {
                sqlx::Arguments::add(&mut args, id).unwrap();
            } else {
                sqlx::Arguments::add(&mut args, id as i32).unwrap();
            }
            args
        };
        let fresh = (own + n) as i64;
        match n % 6 {
            0 => sqlx::query_with("SELECT name FROM accounts WHERE id = $1", key(account)),
            1 => sqlx::query_with(
                "INSERT INTO accounts (id, name) VALUES ($1, 'w')",
                key(fresh),
            ),
            2 => sqlx::query_with(
                "INSERT INTO invoices (account_id, id, total) VALUES ($1, $2, 1)",
                key(account),
            )
            .bind(fresh * 10),
            3 => sqlx::query("UPDATE invoices SET total = total + 1 WHERE id = $1")
                .bind(rng.upto(rows) as i64),
            4 => sqlx::query_with(
                "INSERT INTO notes (account_id, id, body) VALUES ($1, $2, 'w')",
                key(account),
            )
            .bind(fresh * 10),
            _ => sqlx::query_with(
                "SELECT count(*) FROM invoices WHERE account_id = $1",
                key(account),
            ),
        }
    })
}

/// A stretch of the run: what ran, from when to when.
struct Stretch {
    name: &'static str,
    from: Duration,
    to: Duration,
    /// The migration ran in it (its wall time is the stretch's).
    migration: bool,
}

fn main() {
    let a = args();
    let sc = Scenario::new("bench_key_type_change");
    sc.generate(V1, &at("29980101000000"));
    let (v2, _) = sc.generate(&v2(), &at(TS));
    let sources = load_dir(&sc.project.migrations_dir()).unwrap();
    let rt = migrate_tests::runtime();
    let run = |through: Phase, sources: Vec<_>| {
        let options = ApplyOptions {
            through,
            allow_destructive: true,
            ..ApplyOptions::default()
        };
        rt.block_on(Migrator::new(sources, options).apply(sc.db.url.as_str()))
            .unwrap_or_else(|e| panic!("{through}: {e}"));
    };
    run(Phase::Contract, sources[..1].to_vec());
    let n = a.rows;
    eprintln!("seeding {n} rows in each of accounts, invoices, notes …");
    sc.db
        .sql(&format!(
            "INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, {n}) g;
             INSERT INTO invoices SELECT g, 1 + g % {n}, g FROM generate_series(1, {n}) g;
             INSERT INTO notes SELECT g, 1 + g % {n}, 'n' || g FROM generate_series(1, {n}) g"
        ))
        .unwrap();
    sc.db.sql("VACUUM ANALYZE").unwrap();

    let mut traffic = Traffic::new(Duration::from_millis(2));
    let window = Duration::from_secs(a.seconds);
    let mut stretches = Vec::new();
    let mut stretch =
        |traffic: &mut Traffic, name, migration, work: &mut dyn FnMut(&mut Traffic)| {
            let from = traffic.now();
            eprintln!("{name} …");
            work(traffic);
            stretches.push(Stretch {
                name,
                from,
                to: traffic.now(),
                migration,
            });
        };
    let new_path = format!("SET search_path = {}, public", version_schema(TS));
    for c in 0..a.clients {
        traffic.spawn(&sc.db.url, "", "old code", code(false, c, n));
    }
    stretch(&mut traffic, "baseline", false, &mut |_| {
        std::thread::sleep(window)
    });
    stretch(&mut traffic, "expand", true, &mut |_| {
        run(Phase::Expand, sources.clone())
    });
    stretch(&mut traffic, "backfill", true, &mut |_| {
        run(Phase::Backfill, sources.clone())
    });
    stretch(&mut traffic, "deploy (old + new)", false, &mut |traffic| {
        for c in 0..a.clients {
            traffic.spawn(
                &sc.db.url,
                &new_path,
                "new code",
                code(true, a.clients + c, n),
            );
        }
        std::thread::sleep(window);
        traffic.stop("old code");
    });
    stretch(&mut traffic, "contract", true, &mut |_| {
        run(Phase::Contract, sources.clone())
    });
    stretch(&mut traffic, "after", false, &mut |_| {
        std::thread::sleep(window)
    });
    let samples = traffic.finish();
    migrate_tests::assert_schema_matches(&sc.db, &v2.snapshot.tables, "after contract");
    report(&a, &stretches, &samples, v2.plan.steps.len());
}

fn report(a: &Args, stretches: &[Stretch], samples: &[Sample], steps: usize) {
    let stats: Vec<(&Stretch, Stats)> = stretches
        .iter()
        .map(|s| (s, Stats::of(samples, s.from, s.to)))
        .collect();
    let base = stats[0].1.clone();
    if a.json {
        let phases: Vec<serde_json::Value> = stats
            .iter()
            .map(|(s, st)| {
                serde_json::json!({
                    "phase": s.name,
                    "seconds": (s.to - s.from).as_secs_f64(),
                    "migration": s.migration,
                    "traffic": st,
                })
            })
            .collect();
        let out = serde_json::json!({
            "rows_per_table": a.rows, "clients_per_version": a.clients,
            "plan_steps": steps, "phases": phases,
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap());
        return;
    }
    println!(
        "integer → bigint primary key, {} rows in each of 3 tables, {} clients per code version, {steps} plan steps\n",
        a.rows, a.clients
    );
    println!(
        "{:<20} {:>9} {:>8} {:>8} {:>8} {:>8} {:>9} {:>10} {:>10}",
        "stretch",
        "wall s",
        "queries",
        "failed",
        "p50 ms",
        "p99 ms",
        "max ms",
        "p99/base",
        "max/base"
    );
    for (s, st) in &stats {
        let wall = if s.migration {
            format!("{:.2}", (s.to - s.from).as_secs_f64())
        } else {
            "-".to_owned()
        };
        println!(
            "{:<20} {:>9} {:>8} {:>8} {:>8.2} {:>8.2} {:>9.2} {:>10.2} {:>10.2}",
            s.name,
            wall,
            st.queries,
            st.failures,
            st.p50_ms,
            st.p99_ms,
            st.max_ms,
            st.p99_ms / base.p99_ms.max(f64::EPSILON),
            st.max_ms / base.max_ms.max(f64::EPSILON),
        );
        for e in &st.errors {
            println!("    error: {e}");
        }
    }
}
