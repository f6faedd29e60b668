//! Timed application traffic for benchmarks: each client runs parameterised statements on
//! its own connection (server-side prepared and cached, as sqlx runs queries) at a steady
//! pace, and every query's start and duration is kept, so latency can be cut by phase
//! afterwards. The tests' [`crate::Workload`] counts; this measures.

use sqlx::Connection;
use sqlx::postgres::{PgArguments, Postgres};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A query with its parameters bound, ready to run.
pub type Query = sqlx::query::Query<'static, Postgres, PgArguments>;

/// Builds a client's `n`-th query.
pub type NextQuery = Box<dyn FnMut(u64) -> Query + Send>;

/// One query as the client saw it.
#[derive(Debug, Clone)]
pub struct Sample {
    /// When it started, from the traffic's epoch.
    pub at: Duration,
    /// How long it took.
    pub took: Duration,
    /// The client's label (e.g. `old code`).
    pub client: &'static str,
    /// The error, when it failed.
    pub error: Option<String>,
}

struct Client {
    label: &'static str,
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<Vec<Sample>>,
}

/// Clients running until stopped, by label.
pub struct Traffic {
    epoch: Instant,
    pace: Duration,
    clients: Vec<Client>,
    samples: Vec<Sample>,
}

impl Traffic {
    /// No clients yet; each waits `pace` between two of its queries.
    pub fn new(pace: Duration) -> Traffic {
        Traffic {
            epoch: Instant::now(),
            pace,
            clients: Vec::new(),
            samples: Vec::new(),
        }
    }

    /// Time since the traffic began (the clock of [`Sample::at`]).
    pub fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    /// Connects a client to `url`, runs `setup` (e.g. `SET search_path = …`), and returns
    /// once it runs `next(0)`, `next(1)`, … in a loop.
    pub fn spawn(&mut self, url: &str, setup: &str, label: &'static str, mut next: NextQuery) {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let (url, setup, epoch, pace) = (url.to_owned(), setup.to_owned(), self.epoch, self.pace);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let handle = std::thread::spawn(move || {
            crate::block_on(async move {
                let mut conn = sqlx::PgConnection::connect(&url)
                    .await
                    .expect("traffic connect");
                if !setup.is_empty() {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(setup))
                        .execute(&mut conn)
                        .await
                        .expect("traffic setup");
                }
                let _ = ready_tx.send(());
                let mut samples = Vec::new();
                let mut n = 0;
                while !flag.load(Ordering::SeqCst) {
                    let query = next(n);
                    n += 1;
                    let started = Instant::now();
                    let result = query.execute(&mut conn).await;
                    samples.push(Sample {
                        at: started - epoch,
                        took: started.elapsed(),
                        client: label,
                        error: result.err().map(|e| e.to_string()),
                    });
                    tokio::time::sleep(pace).await;
                }
                conn.close().await.ok();
                samples
            })
        });
        ready_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("traffic client started");
        self.clients.push(Client {
            label,
            stop,
            handle,
        });
    }

    /// Stops the clients labelled `label` and keeps what they saw.
    pub fn stop(&mut self, label: &str) {
        let (stopping, running) = std::mem::take(&mut self.clients)
            .into_iter()
            .partition::<Vec<_>, _>(|c| c.label == label);
        self.clients = running;
        for c in &stopping {
            c.stop.store(true, Ordering::SeqCst);
        }
        for c in stopping {
            self.samples
                .extend(c.handle.join().expect("traffic client thread"));
        }
    }

    /// Stops every client; all samples, in start order.
    pub fn finish(mut self) -> Vec<Sample> {
        let labels: Vec<&'static str> = self.clients.iter().map(|c| c.label).collect();
        for label in labels {
            self.stop(label);
        }
        self.samples.sort_by_key(|s| s.at);
        self.samples
    }
}

/// Latency of the queries that started in one stretch of time.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    /// Queries run.
    pub queries: usize,
    /// Queries that failed.
    pub failures: usize,
    /// Median, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, in milliseconds.
    pub p99_ms: f64,
    /// Slowest, in milliseconds.
    pub max_ms: f64,
    /// The first distinct errors (at most 5).
    pub errors: Vec<String>,
}

impl Stats {
    /// Over the samples that started in `from..to`.
    pub fn of(samples: &[Sample], from: Duration, to: Duration) -> Stats {
        let window: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.at >= from && s.at < to)
            .collect();
        let mut took: Vec<Duration> = window.iter().map(|s| s.took).collect();
        took.sort();
        let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        let rank = |q: f64| took.get(((took.len() as f64 * q).ceil() as usize).saturating_sub(1));
        let mut errors: Vec<String> = Vec::new();
        for e in window.iter().filter_map(|s| s.error.as_ref()) {
            if errors.len() < 5 && !errors.contains(e) {
                errors.push(e.clone());
            }
        }
        Stats {
            queries: window.len(),
            failures: window.iter().filter(|s| s.error.is_some()).count(),
            p50_ms: ms(rank(0.50)),
            p99_ms: ms(rank(0.99)),
            max_ms: ms(took.last()),
            errors,
        }
    }
}

/// A small deterministic generator (xorshift64*), so runs pick the same rows.
pub struct Rng(u64);

impl Rng {
    /// Seeded; a zero seed is replaced (xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// A value in `1..=n`.
    pub fn upto(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        1 + self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}
