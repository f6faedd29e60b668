//! `generate` on a large schema: `--tables` structs of 20 columns each (an index, a
//! foreign key to the previous table), 100 to a source file as a big crate keeps them,
//! first from nothing, then again after one column was added to every tenth table, in a
//! fresh process per size so peak memory is that size's.
//! Wall time of scanning the sources, diffing against the snapshot, planning and writing
//! the migration, and the process's peak resident memory.
//!
//! ```text
//! cargo bench -p migrate-tests --bench generate_scale -- [--tables N ...] [--json]
//! ```
//! Without `--tables`: 1,000 and 10,000, each in a child process of its own.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark fails loudly on setup errors"
)]

use migrate_core::project::{GenerateOptions, Project};
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

/// Generates for `n` tables in this process: (first migration, second migration).
fn measure(n: usize) -> (Duration, Duration) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    let project = Project::open(dir.path()).unwrap();
    let mut times = Vec::new();
    for (grown, ts) in [(false, "29980101000000"), (true, "29990101000000")] {
        for from in (0..n).step_by(PER_FILE) {
            let file = dir
                .path()
                .join(format!("src/models_{}.rs", from / PER_FILE));
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
        times.push(started.elapsed());
    }
    (times[0], times[1])
}

fn main() {
    let mut sizes: Vec<usize> = Vec::new();
    let mut json = false;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--tables" => sizes.push(it.next().and_then(|v| v.parse().ok()).expect("--tables N")),
            "--json" => json = true,
            "--bench" => {}
            other => panic!("unknown argument {other}; use --tables N, --json"),
        }
    }
    if sizes.len() == 1 {
        // A child: one size, its own peak memory.
        let (first, second) = measure(sizes[0]);
        println!(
            "{} {} {} {}",
            sizes[0],
            first.as_secs_f64(),
            second.as_secs_f64(),
            peak_mib()
        );
        return;
    }
    if sizes.is_empty() {
        sizes = vec![1_000, 10_000];
    }
    let me = std::env::current_exe().unwrap();
    let rows: Vec<(usize, f64, f64, f64)> = sizes
        .iter()
        .map(|n| {
            eprintln!("generate for {n} tables …");
            let out = std::process::Command::new(&me)
                .args(["--tables", &n.to_string()])
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
            (*n, v[1], v[2], v[3])
        })
        .collect();
    if json {
        let out: Vec<serde_json::Value> = rows
            .iter()
            .map(|(n, a, b, m)| {
                serde_json::json!({"tables": n, "columns_per_table": 20, "first_s": a, "second_s": b, "peak_mib": m})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out).unwrap());
        return;
    }
    println!("generate, 20 columns a table (an index, a foreign key each)\n");
    println!(
        "{:>8} {:>16} {:>22} {:>10}",
        "tables", "from nothing s", "one column in 10% s", "peak MiB"
    );
    for (n, a, b, m) in &rows {
        println!("{n:>8} {a:>16.2} {b:>22.2} {m:>10.0}");
    }
}
