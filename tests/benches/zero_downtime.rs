//! The zero-downtime benchmark: one change — `integer` → `bigint` on a column, a new NOT
//! NULL column filled from the row, a new index on the retyped column — made two ways on
//! two copies of the same `--rows`-row table (1,000,000 by default), under the same live
//! traffic: old code (server-side prepared statements, as sqlx runs them) until the
//! deploy, new code from the deploy on.
//!
//! - **naive**: the statements a hand-written migration would hold (`ALTER COLUMN … TYPE`,
//!   `ADD COLUMN`, one `UPDATE` of the whole table, `SET NOT NULL`, `CREATE INDEX`), run
//!   one after the other while old code runs, then the new code deployed;
//! - **generated**: the plan `generate` writes, applied by the engine phase by phase
//!   (expand, backfill, the deploy with old and new code together, contract), new code on
//!   the plan's version schema.
//!
//! Per phase of each: the traffic's queries, failures, p50, p99 and max, and the phase's
//! wall time; the backfill's rows/s against the naive single `UPDATE`'s. A table, `--json`,
//! and with `--plot FILE` (relative to the workspace) an SVG of the worst latency per
//! 250 ms over time, with the phase boundaries and failed queries, one panel per way.
//!
//! ```text
//! . scripts/pg-env.sh
//! cargo bench -p migrate-tests --bench zero_downtime -- [--rows N] [--seconds S] [--clients C] [--json] [--plot docs/zero-downtime.svg]
//! ```
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark fails loudly on setup errors"
)]

use migrate_core::apply::{ApplyOptions, Event, Migrator, load_dir};
use migrate_core::plan::Phase;
use migrate_tests::traffic::{NextQuery, Rng, Sample, Stats, Traffic};
use migrate_tests::{Scenario, at};
use std::time::{Duration, Instant};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "orders")]
pub struct Order {
    #[schema(primary_key)]
    pub id: i64,
    pub account: i32,
    pub qty: i32,
}
"#;

const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "orders")]
pub struct Order {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(index)]
    pub account: i64,
    pub qty: i32,
    #[schema(backfill = "qty::int8 * 100")]
    pub cents: i64,
}
"#;

/// What a hand-written migration for the same change holds, run statement by statement.
const NAIVE: [&str; 5] = [
    "ALTER TABLE orders ALTER COLUMN account TYPE bigint",
    "ALTER TABLE orders ADD COLUMN cents bigint",
    "UPDATE orders SET cents = qty::int8 * 100",
    "ALTER TABLE orders ALTER COLUMN cents SET NOT NULL",
    "CREATE INDEX orders_account_idx ON orders (account)",
];

struct Args {
    rows: u64,
    seconds: u64,
    clients: u64,
    json: bool,
    plot: Option<String>,
}

fn args() -> Args {
    let a = migrate_tests::bench_args::BenchArgs::parse_with(
        &["rows", "seconds", "clients"],
        &["plot"],
    );
    Args {
        rows: a.number("rows", 1_000_000),
        seconds: a.number("seconds", 5),
        clients: a.number("clients", 3),
        json: a.json,
        plot: a.text("plot"),
    }
}

/// One client's traffic on `orders`: point reads, inserts and updates. Old code binds
/// `account` as `integer` and knows no `cents`; new code binds `bigint` and writes it.
fn code(new_code: bool, client: u64, rows: u64) -> NextQuery {
    let mut rng = Rng::new(client * 7919 + 1);
    let own = rows + 1 + client * 10_000_000;
    Box::new(move |n| {
        let id = rng.upto(rows) as i64;
        let fresh = (own + n) as i64;
        match (n % 4, new_code) {
            (0 | 1, _) => sqlx::query("SELECT account, qty FROM orders WHERE id = $1").bind(id),
            (2, false) => sqlx::query("INSERT INTO orders (id, account, qty) VALUES ($1, $2, 1)")
                .bind(fresh)
                .bind(id as i32),
            (2, true) => {
                sqlx::query("INSERT INTO orders (id, account, qty, cents) VALUES ($1, $2, 1, 100)")
                    .bind(fresh)
                    .bind(id)
            }
            _ => sqlx::query("UPDATE orders SET qty = qty + 1 WHERE id = $1").bind(id),
        }
    })
}

/// A stretch of one way's run.
#[derive(Debug, Clone, serde::Serialize)]
struct Stretch {
    name: &'static str,
    from_s: f64,
    to_s: f64,
    /// The migration ran in it (its wall time is the stretch's).
    migration: bool,
    traffic: Stats,
    /// What the migration reported, when it failed in this stretch.
    error: Option<String>,
}

/// One way's run: its stretches and every query's sample.
struct Run {
    name: &'static str,
    stretches: Vec<Stretch>,
    samples: Vec<Sample>,
    /// Rows per second of its backfill (the generated plan's batches, the naive UPDATE).
    backfill_rows_per_s: Option<f64>,
}

/// Marks stretches of a run on its traffic's clock.
struct Stretches {
    marks: Vec<(&'static str, Duration, Duration, bool, Option<String>)>,
}

impl Stretches {
    fn time(
        &mut self,
        traffic: &mut Traffic,
        name: &'static str,
        migration: bool,
        work: impl FnOnce(&mut Traffic) -> Option<String>,
    ) {
        eprintln!("  {name} …");
        let from = traffic.now();
        let error = work(traffic);
        self.marks
            .push((name, from, traffic.now(), migration, error));
    }

    fn finish(self, name: &'static str, samples: Vec<Sample>, backfill: Option<f64>) -> Run {
        let stretches = self
            .marks
            .into_iter()
            .map(|(n, from, to, migration, error)| Stretch {
                name: n,
                from_s: from.as_secs_f64(),
                to_s: to.as_secs_f64(),
                migration,
                traffic: Stats::of(&samples, from, to),
                error,
            })
            .collect();
        Run {
            name,
            stretches,
            samples,
            backfill_rows_per_s: backfill,
        }
    }
}

/// Old code's clients started on `url`, and the baseline stretch timed.
fn baseline(a: &Args, url: &str) -> (Traffic, Stretches) {
    let mut traffic = Traffic::new(Duration::from_millis(2));
    let mut marks = Stretches { marks: Vec::new() };
    for c in 0..a.clients {
        traffic.spawn(url, "", "old code", code(false, c, a.rows));
    }
    marks.time(&mut traffic, "baseline", false, |_| {
        std::thread::sleep(Duration::from_secs(a.seconds));
        None
    });
    (traffic, marks)
}

fn seed(db: &migrate_tests::TestDb, rows: u64) {
    db.sql(&format!(
        "INSERT INTO orders SELECT g, 1 + g % 100000, 1 + g % 7 FROM generate_series(1, {rows}) g"
    ))
    .unwrap();
    db.sql("VACUUM ANALYZE orders").unwrap();
}

fn naive(a: &Args) -> Run {
    eprintln!("naive: seeding {} rows …", a.rows);
    let sc = Scenario::new("bench_zero_downtime_naive");
    sc.generate(V1, &at("29980101000000"));
    let sources = load_dir(&sc.project.migrations_dir()).unwrap();
    apply(&sc, sources, Phase::Contract);
    seed(&sc.db, a.rows);
    let window = Duration::from_secs(a.seconds);
    let (mut traffic, mut marks) = baseline(a, &sc.db.url);
    let mut update_s = None;
    marks.time(&mut traffic, "migration", true, |_| {
        for sql in NAIVE {
            let started = Instant::now();
            if let Err(e) = sc.db.sql(sql) {
                return Some(format!("{sql}: {}", e.trim()));
            }
            if sql.starts_with("UPDATE") {
                update_s = Some(started.elapsed().as_secs_f64());
            }
        }
        None
    });
    marks.time(&mut traffic, "deploy (new code)", false, |traffic| {
        for c in 0..a.clients {
            traffic.spawn(
                &sc.db.url,
                "",
                "new code",
                code(true, a.clients + c, a.rows),
            );
        }
        traffic.stop("old code");
        std::thread::sleep(window);
        None
    });
    let samples = traffic.finish();
    let rate = update_s.map(|s| a.rows as f64 / s);
    marks.finish("naive", samples, rate)
}

/// Applies `sources` through `through`; the wall time of each batched backfill statement
/// that ran (from its start to the start of the next unit or the phase's end).
fn apply(
    sc: &Scenario,
    sources: Vec<migrate_core::apply::MigrationSource>,
    through: Phase,
) -> Vec<Duration> {
    let options = ApplyOptions {
        through,
        allow_destructive: true,
        ..ApplyOptions::default()
    };
    let marks = std::sync::Arc::new(std::sync::Mutex::new((None::<Instant>, Vec::new())));
    let seen = marks.clone();
    let mut migrator = Migrator::new(sources, options).on_event(move |e| {
        let mut m = seen.lock().unwrap();
        let ended = |m: &mut (Option<Instant>, Vec<Duration>)| {
            if let Some(start) = m.0.take() {
                m.1.push(start.elapsed());
            }
        };
        match e {
            Event::Statement { sql, .. } => {
                ended(&mut m);
                if sql.starts_with("UPDATE") {
                    m.0 = Some(Instant::now());
                }
            }
            Event::PhaseFinished { .. } => ended(&mut m),
            _ => {}
        }
    });
    migrate_tests::runtime()
        .block_on(migrator.apply(sc.db.url.as_str()))
        .unwrap_or_else(|e| panic!("{through}: {e}"));
    std::mem::take(&mut marks.lock().unwrap().1)
}

fn generated(a: &Args) -> Run {
    eprintln!("generated: seeding {} rows …", a.rows);
    let sc = Scenario::new("bench_zero_downtime_generated");
    sc.generate(V1, &at("29980101000000"));
    let (v2, _) = sc.generate(V2, &at("29990101000000"));
    let sources = load_dir(&sc.project.migrations_dir()).unwrap();
    apply(&sc, sources[..1].to_vec(), Phase::Contract);
    seed(&sc.db, a.rows);
    let new_path = v2
        .plan
        .search_path()
        .map(|p| format!("SET search_path = {p}"))
        .unwrap_or_default();
    let window = Duration::from_secs(a.seconds);
    let (mut traffic, mut marks) = baseline(a, &sc.db.url);
    marks.time(&mut traffic, "expand", true, |_| {
        apply(&sc, sources.clone(), Phase::Expand);
        None
    });
    let mut backfill = Vec::new();
    marks.time(&mut traffic, "backfill", true, |_| {
        backfill = apply(&sc, sources.clone(), Phase::Backfill);
        None
    });
    marks.time(&mut traffic, "deploy (old + new)", false, |traffic| {
        for c in 0..a.clients {
            traffic.spawn(
                &sc.db.url,
                &new_path,
                "new code",
                code(true, a.clients + c, a.rows),
            );
        }
        std::thread::sleep(window);
        traffic.stop("old code");
        None
    });
    marks.time(&mut traffic, "contract", true, |_| {
        apply(&sc, sources.clone(), Phase::Contract);
        None
    });
    marks.time(&mut traffic, "after", false, |_| {
        std::thread::sleep(window);
        None
    });
    let samples = traffic.finish();
    migrate_tests::assert_schema_matches(&sc.db, &v2.snapshot.tables, "after contract");
    eprintln!("  ({} batched statements in the backfill)", backfill.len());
    // Each batched statement updates every row once.
    let took: f64 = backfill.iter().map(Duration::as_secs_f64).sum();
    let rate = (took > 0.0).then(|| (a.rows * backfill.len() as u64) as f64 / took);
    marks.finish("generated", samples, rate)
}

fn main() {
    let a = args();
    let runs = [generated(&a), naive(&a)];
    if let Some(path) = &a.plot {
        // cargo runs a bench in its package's folder: a relative path is the workspace's.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(path);
        let shown = path.display().to_string();
        plot::write(&shown, &runs).unwrap_or_else(|e| panic!("{shown}: {e}"));
        eprintln!("wrote {shown}");
    }
    if a.json {
        let out: Vec<serde_json::Value> = runs
            .iter()
            .map(|r| {
                serde_json::json!({
                    "plan": r.name,
                    "backfill_rows_per_s": r.backfill_rows_per_s,
                    "stretches": r.stretches,
                })
            })
            .collect();
        let out = serde_json::json!({
            "rows": a.rows, "clients_per_version": a.clients, "runs": out,
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap());
        return;
    }
    report(&a, &runs);
}

fn report(a: &Args, runs: &[Run]) {
    println!(
        "integer → bigint + a NOT NULL backfill + a new index on {} rows, {} clients per code version\n",
        a.rows, a.clients
    );
    println!(
        "{:<10} {:<20} {:>8} {:>8} {:>7} {:>8} {:>8} {:>9}",
        "plan", "stretch", "wall s", "queries", "failed", "p50 ms", "p99 ms", "max ms"
    );
    for r in runs {
        for s in &r.stretches {
            let wall = if s.migration {
                format!("{:.2}", s.to_s - s.from_s)
            } else {
                "-".to_owned()
            };
            let t = &s.traffic;
            println!(
                "{:<10} {:<20} {:>8} {:>8} {:>7} {:>8.2} {:>8.2} {:>9.2}",
                r.name, s.name, wall, t.queries, t.failures, t.p50_ms, t.p99_ms, t.max_ms
            );
            if let Some(e) = &s.error {
                println!("    the migration failed: {e}");
            }
            for e in &t.errors {
                println!("    query error: {e}");
            }
        }
    }
    if let [generated, naive] = runs
        && let (Some(g), Some(n)) = (generated.backfill_rows_per_s, naive.backfill_rows_per_s)
    {
        println!(
            "\nbackfill: {g:.0} rows/s in paced batches, against {n:.0} rows/s for one UPDATE of the table ({:.2})",
            g / n
        );
    }
}

mod plot {
    //! The worst latency per 250 ms over time, one panel per way on the same time axis:
    //! the migration's stretches shaded, every failed query a red dot, the stretches named.
    use super::Run;
    use plotters::prelude::*;

    const BUCKET_S: f64 = 0.25;

    fn worst_per_bucket(r: &Run) -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = Vec::new();
        for s in &r.samples {
            let t = (s.at.as_secs_f64() / BUCKET_S).floor() * BUCKET_S;
            let ms = s.took.as_secs_f64() * 1000.0;
            match out.last_mut() {
                Some((at, worst)) if *at == t => *worst = worst.max(ms),
                _ => out.push((t, ms)),
            }
        }
        out
    }

    fn ms(d: std::time::Duration) -> f64 {
        d.as_secs_f64() * 1000.0
    }

    /// Writes the SVG.
    pub fn write(path: &str, runs: &[Run]) -> Result<(), Box<dyn std::error::Error>> {
        let root = SVGBackend::new(path, (1000, 300 * runs.len() as u32)).into_drawing_area();
        root.fill(&WHITE)?;
        let panels = root.split_evenly((runs.len(), 1));
        let top = runs
            .iter()
            .flat_map(|r| r.samples.iter().map(|s| ms(s.took)))
            .fold(1.0_f64, f64::max)
            * 3.0;
        let end = runs
            .iter()
            .filter_map(|r| r.stretches.last().map(|s| s.to_s))
            .fold(1.0_f64, f64::max);
        for (r, area) in runs.iter().zip(&panels) {
            let failed = r.samples.iter().filter(|s| s.error.is_some()).count();
            let caption = format!(
                "{} plan: worst query latency per 250 ms; {failed} failed queries (red)",
                r.name
            );
            let mut chart = ChartBuilder::on(area)
                .caption(caption, ("sans-serif", 18))
                .margin(10)
                .x_label_area_size(30)
                .y_label_area_size(60)
                .build_cartesian_2d(0.0..end, (0.1..top).log_scale())?;
            chart
                .configure_mesh()
                .light_line_style(WHITE)
                .x_desc("seconds")
                .y_desc("ms (log)")
                .draw()?;
            let shade = RGBColor(255, 190, 100).mix(0.35).filled();
            for s in r.stretches.iter().filter(|s| s.migration) {
                let to = s.to_s.max(s.from_s + 0.05);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(s.from_s, 0.1), (to, top)],
                    shade,
                )))?;
            }
            chart.draw_series(LineSeries::new(worst_per_bucket(r), &BLUE))?;
            let failures = r.samples.iter().filter(|s| s.error.is_some());
            chart.draw_series(failures.map(|s| {
                Circle::new((s.at.as_secs_f64(), ms(s.took).max(0.11)), 2, RED.filled())
            }))?;
            for (i, s) in r.stretches.iter().enumerate() {
                let y = top / 3f64.powi(1 + (i % 3) as i32);
                chart.draw_series(std::iter::once(Text::new(
                    s.name.to_owned(),
                    (s.from_s + 0.05, y),
                    ("sans-serif", 12),
                )))?;
            }
        }
        root.present()?;
        Ok(())
    }
}
