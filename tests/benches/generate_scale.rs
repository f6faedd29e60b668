//! `generate` on a large schema: `--tables` structs of 20 columns each (an index, a
//! foreign key to the previous table), 100 to a source file as a big crate keeps them,
//! first from nothing, then again after one column was added to every tenth table; each
//! `generate` in a process of its own, as the CLI runs it, so its peak memory is its own.
//! Wall time of scanning the sources, diffing against the snapshot, planning and writing
//! the migration, and the process's peak resident memory.
//!
//! ```text
//! cargo bench -p migrate-tests --bench generate_scale -- [--tables N ...] [--json]
//! ```
//! Without `--tables`: 1,000 and 10,000.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark fails loudly on setup errors"
)]

use migrate_core::project::{GenerateOptions, Project};

// The allocator `cargo migrate` runs with, so the memory measured is the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// The models of tables `from..to`; every tenth table gets an extra column when `grown`.
fn models(from: usize, to: usize, grown: bool) -> String {
    let mut s = String::new();
    for t in from..to {
        let _ = writeln!(
            s,
            "#[derive(Schema)]\n#[schema(table = \"t{t}\", index(columns(c1, c2)))]\npub struct T{t} {{\n    #[schema(primary_key)]\n    pub id: i64,"
        );
        if t > 0 {
            let _ = writeln!(
                s,
                "    #[schema(references = \"t{}(id)\")]\n    pub parent_id: Option<i64>,",
                t - 1
            );
        }
        for c in 1..=18 {
            let ty = ["i32", "String", "Option<i64>", "bool"][c % 4];
            let _ = writeln!(s, "    pub c{c}: {ty},");
        }
        if grown && t % 10 == 0 {
            let _ = writeln!(s, "    pub extra: Option<String>,");
        }
        s.push_str("}\n\n");
    }
    s
}

/// Structs per source file.
const PER_FILE: usize = 100;

/// Peak resident memory of this process, in MiB (Linux `VmHWM`).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// One `generate` in this process, as the CLI runs it: in `dir`, the models of `n` tables
/// (`grown`: every tenth with one column more) written first; its wall time.
fn measure(dir: &std::path::Path, n: usize, grown: bool) -> Duration {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let project = Project::open(dir).unwrap();
    let ts = if grown {
        "29990101000000"
    } else {
        "29980101000000"
    };
    for from in (0..n).step_by(PER_FILE) {
        let file = dir.join(format!("src/models_{}.rs", from / PER_FILE));
        std::fs::write(&file, models(from, (from + PER_FILE).min(n), grown)).unwrap();
    }
    let started = Instant::now();
    let pending = project
        .pending(&GenerateOptions {
            timestamp: Some(ts.to_owned()),
            ..GenerateOptions::default()
        })
        .unwrap()
        .expect("the models changed");
    project.write(&pending).unwrap();
    started.elapsed()
}

/// Runs one step in a child process of its own: (seconds, peak MiB).
fn child(me: &std::path::Path, dir: &std::path::Path, n: usize, step: &str) -> (f64, f64) {
    let out = std::process::Command::new(me)
        .args(["--tables", &n.to_string(), "--step", step, "--dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let v: Vec<f64> = text
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    (v[0], v[1])
}

fn main() {
    let mut sizes: Vec<usize> = Vec::new();
    let mut json = false;
    let mut step: Option<String> = None;
    let mut dir: Option<std::path::PathBuf> = None;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--tables" => sizes.push(it.next().and_then(|v| v.parse().ok()).expect("--tables N")),
            "--step" => step = it.next(),
            "--dir" => dir = it.next().map(Into::into),
            "--json" => json = true,
            "--bench" => {}
            other => panic!("unknown argument {other}; use --tables N, --json"),
        }
    }
    if let (Some(step), Some(dir), [n]) = (&step, &dir, &sizes[..]) {
        // A child: one generate, its own peak memory.
        let took = measure(dir, *n, step == "grown");
        println!("{} {}", took.as_secs_f64(), peak_mib());
        return;
    }
    if sizes.is_empty() {
        sizes = vec![1_000, 10_000];
    }
    let me = std::env::current_exe().unwrap();
    // (tables, first s, first MiB, grown s, grown MiB)
    let rows: Vec<(usize, f64, f64, f64, f64)> = sizes
        .iter()
        .map(|n| {
            eprintln!("generate for {n} tables …");
            let dir = tempfile::tempdir().unwrap();
            let (a, am) = child(&me, dir.path(), *n, "first");
            let (b, bm) = child(&me, dir.path(), *n, "grown");
            (*n, a, am, b, bm)
        })
        .collect();
    if json {
        let out: Vec<serde_json::Value> = rows
            .iter()
            .map(|(n, a, am, b, bm)| {
                serde_json::json!({"tables": n, "columns_per_table": 20, "first_s": a, "first_peak_mib": am, "second_s": b, "second_peak_mib": bm})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out).unwrap());
        return;
    }
    println!(
        "generate, 20 columns a table (an index, a foreign key each), each in a process of its own\n"
    );
    println!(
        "{:>8} {:>16} {:>10} {:>22} {:>10}",
        "tables", "from nothing s", "peak MiB", "one column in 10% s", "peak MiB"
    );
    for (n, a, am, b, bm) in &rows {
        println!("{n:>8} {a:>16.2} {am:>10.0} {b:>22.2} {bm:>10.0}");
    }
}
