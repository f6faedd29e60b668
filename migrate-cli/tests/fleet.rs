//! `apply --targets` on a fleet of 20 databases of the local server and one of a server of
//! another major version: the canary first, then waves; a failing target stops its wave
//! and every later one; a fleet run killed with SIGKILL mid-wave resumes each target where
//! it stopped (no backfilled row updated twice); `status --targets` shows the matrix;
//! contract runs only with `--through contract`.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

mod common;

use common::{V1, V2, cli, generate, output};
use migrate_tests::TestDb;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

const ROWS: i64 = 20_000;

/// The fleet's databases: `t01` … `t20` on the local server, `other` on the other one.
struct Fleet {
    dbs: Vec<(String, TestDb)>,
    /// The older of the two servers' major versions, which the plans target.
    oldest: u32,
}

impl Fleet {
    fn create() -> Fleet {
        let (other_url, other) = migrate_tests::other_server();
        let oldest = other.min(migrate_tests::major_of(&migrate_tests::database_url()));
        let mut dbs: Vec<(String, TestDb)> = (1..=20)
            .map(|i| (format!("t{i:02}"), TestDb::create("fleet")))
            .collect();
        // The other version's database in the first wave after the canary.
        dbs.insert(1, ("other".into(), TestDb::create_on(&other_url, "fleet")));
        Fleet { dbs, oldest }
    }

    /// A targets file listing them (and `extra` targets first after the canary).
    fn write(&self, path: &Path, extra: &[(&str, String)]) {
        let mut text = String::from("[fleet]\ncanary = \"t01\"\nwave_size = 8\nparallel = 4\n");
        let mut listed: Vec<(String, String)> = self
            .dbs
            .iter()
            .map(|(n, db)| (n.clone(), db.url.clone()))
            .collect();
        for (i, (name, url)) in extra.iter().enumerate() {
            listed.insert(1 + i, ((*name).to_owned(), url.clone()));
        }
        for (name, url) in listed {
            text.push_str(&format!(
                "\n[[targets]]\nname = \"{name}\"\nurl = \"{url}\"\n"
            ));
        }
        std::fs::write(path, text).unwrap();
    }

    /// Targets whose backfill (of any migration) has finished.
    fn backfilled(&self) -> usize {
        self.dbs
            .iter()
            .filter(|(_, db)| {
                db.value(
                    "SELECT count(*) FROM cargo_migrate.history WHERE phase = 'backfill' AND finished_at IS NOT NULL",
                ) == "1"
            })
            .count()
    }
}

fn fleet_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let (code, out, err) = output(dir, "", args);
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, json, err)
}

/// Runs a fleet `apply … --json`, asserting exit 0 and every target applied.
fn applied_everywhere(dir: &Path, args: &[&str]) {
    let (code, report, err) = fleet_json(dir, args);
    assert_eq!(code, 0, "{err}");
    assert!(
        outcomes(&report).iter().all(|(_, o)| o == "applied"),
        "{report}"
    );
}

fn outcomes(report: &serde_json::Value) -> Vec<(String, String)> {
    report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["target"].as_str().unwrap().to_owned(),
                t["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_fleet_applies_in_waves_stops_at_a_failure_and_resumes_after_a_kill() {
    let tmp = common::project();
    let dir = tmp.path();
    let fleet = Fleet::create();
    let targets = dir.join("targets.toml");
    let file = targets.to_str().unwrap();
    fleet.write(&targets, &[]);
    std::fs::write(
        dir.join("Migrate.toml"),
        format!("postgres = {}\n", fleet.oldest),
    )
    .unwrap();
    generate(dir, V1);
    let (code, report, err) = fleet_json(dir, &["apply", "--targets", file, "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "fleet: 21 targets; the canary t01 first, then 3 waves of up to 8, 4 at a time"
        ),
        "{err}"
    );
    assert!(
        err.contains("[other] "),
        "each target's lines name it: {err}"
    );
    let all = outcomes(&report);
    assert_eq!(all.len(), 21);
    assert!(all.iter().all(|(_, o)| o == "applied"), "{all:?}");
    assert_eq!(report["targets"][0]["wave"], 0, "the canary is wave 0");
    for (_, db) in &fleet.dbs {
        db.sql(&format!(
            "INSERT INTO events (n) SELECT (g % 1000)::int FROM generate_series(1, {ROWS}) g; ANALYZE events"
        ))
        .unwrap();
    }
    generate(dir, V2);

    // A target that cannot be reached, first in wave 1: the wave stops, later waves never start.
    let missing = fleet.dbs[0].1.url.replace("/fleet_", "/no_such_database_");
    fleet.write(&targets, &[("broken", missing)]);
    let slow = ["--batch-size", "1000", "--batch-pause", "20"];
    let args = [&["apply", "--targets", file, "--json"][..], &slow[..]].concat();
    let (code, report, err) = fleet_json(dir, &args);
    assert_eq!(code, 1, "{err}");
    let all = outcomes(&report);
    assert_eq!(
        all[0],
        ("t01".into(), "applied".into()),
        "the canary ran: {all:?}"
    );
    assert_eq!(all[1], ("broken".into(), "failed".into()), "{all:?}");
    let wave = |w: u64| {
        report["targets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(move |t| t["wave"] == w)
            .map(|t| t["outcome"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert!(
        wave(1).iter().any(|o| o == "not_started"),
        "the failure stopped its wave: {:?}",
        wave(1)
    );
    for w in 2..=3 {
        assert!(
            wave(w).iter().all(|o| o == "not_started"),
            "wave {w}: {:?}",
            wave(w)
        );
    }

    // Killed mid-wave, then run again: every target goes on from where it was.
    fleet.write(&targets, &[]);
    let mut child = cli(
        dir,
        "",
        &[&["apply", "--targets", file][..], &slow[..]].concat(),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while fleet.backfilled() < 8 {
        assert!(Instant::now() < deadline, "the fleet run made no progress");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = fleet.backfilled();
    assert!(
        at_kill < 21,
        "killed before the end ({at_kill} targets backfilled)"
    );
    applied_everywhere(dir, &["apply", "--targets", file, "--json"]);
    for (name, db) in &fleet.dbs {
        assert_eq!(
            db.value("SELECT count(*) FROM events WHERE doubled IS DISTINCT FROM n::int8 * 2"),
            "0",
            "{name}: every row filled"
        );
        assert_eq!(
            db.value(
                "SELECT max(backfill_rows) FROM cargo_migrate.history WHERE phase = 'backfill'"
            ),
            ROWS.to_string(),
            "{name}: no row updated twice"
        );
    }

    // The matrix: both migrations' expand and backfill everywhere, the contract pending.
    let (code, status, err) = fleet_json(dir, &["status", "--targets", file, "--json"]);
    assert_eq!(code, 0, "{err}");
    for t in status.as_array().unwrap() {
        let states: Vec<&str> = t["phases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["state"].as_str().unwrap())
            .collect();
        assert_eq!(states.last(), Some(&"pending"), "{t}");
        assert!(
            states[..states.len() - 1].iter().all(|s| *s == "applied"),
            "{t}"
        );
    }
    let (code, text, err) = output(dir, "", &["status", "--targets", file]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('t') && !l.starts_with("target"))
        .collect();
    assert_eq!(rows.len(), 20, "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("other ") && l.contains("EB.")),
        "{text}"
    );

    applied_everywhere(
        dir,
        &[
            "apply",
            "--targets",
            file,
            "--json",
            "--through",
            "contract",
        ],
    );
    for (name, db) in &fleet.dbs {
        assert_eq!(
            db.value("SELECT count(*) FROM cargo_migrate.history WHERE finished_at IS NULL"),
            "0",
            "{name}: every phase finished"
        );
    }
}

#[test]
fn a_targets_file_that_cannot_run_names_the_problem() {
    let tmp = common::project();
    let dir = tmp.path();
    generate(dir, V1);
    let targets = dir.join("targets.toml");
    let file = targets.to_str().unwrap();
    let cases = [
        ("", "the fleet lists no target"),
        (
            "[[targets]]\nname = \"a\"\nurl_env = \"CARGO_MIGRATE_FLEET_TEST_UNSET\"\n",
            "target \"a\": the environment variable CARGO_MIGRATE_FLEET_TEST_UNSET (its url_env) is not set",
        ),
        (
            "[[targets]]\nname = \"a\"\nurl = \"postgres://x/a\"\n[fleet]\ncanary = \"b\"\n",
            "the canary \"b\" is not one of the targets",
        ),
        (
            "[[targets]]\nname = \"a\"\nuri = \"postgres://x/a\"\n",
            "unknown field `uri`",
        ),
    ];
    for (text, expected) in cases {
        std::fs::write(&targets, text).unwrap();
        let (code, _, err) = output(dir, "", &["apply", "--targets", file]);
        assert_eq!(code, 2, "{text}: {err}");
        assert!(
            err.contains(file) && err.contains(expected),
            "{text}: {err}"
        );
    }
    let (code, _, err) = output(dir, "", &["apply", "--targets"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("Migrate.toml: the fleet lists no target"),
        "{err}"
    );
}

#[test]
fn fifty_tenant_schemas_of_one_database_each_get_the_migrations_and_their_own_history() {
    let tmp = common::project();
    let dir = tmp.path();
    let db = TestDb::create("fleet_tenants");
    let schemas: Vec<String> = (1..=50).map(|i| format!("tenant_{i:02}")).collect();
    let listed: Vec<String> = schemas.iter().map(|s| format!("\"{s}\"")).collect();
    let targets = dir.join("targets.toml");
    let file = targets.to_str().unwrap();
    std::fs::write(
        &targets,
        format!(
            "[fleet]\nwave_size = 10\nparallel = 4\n\n[[targets]]\nname = \"shared\"\nurl = \"{}\"\nschemas = [{}]\n",
            db.url,
            listed.join(", ")
        ),
    )
    .unwrap();
    generate(dir, V1);
    let (code, status, err) = fleet_json(dir, &["status", "--targets", file, "--json"]);
    assert_eq!(
        code, 0,
        "a tenant nothing was applied to reads as pending: {err}"
    );
    assert_eq!(status[0]["phases"][0]["state"], "pending", "{status}");
    assert_eq!(
        db.value("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'"),
        "0",
        "reading makes no schema"
    );
    let (code, report, err) = fleet_json(dir, &["apply", "--targets", file, "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(outcomes(&report).len(), 50);
    assert_eq!(
        outcomes(&report)[0].0,
        "shared/tenant_01",
        "the first schema is the canary"
    );
    for s in &schemas {
        db.sql(&format!(
            "INSERT INTO {s}.events (n) SELECT g FROM generate_series(1, 1000) g"
        ))
        .unwrap();
    }
    assert_eq!(
        db.value("SELECT to_regclass('public.events') IS NULL"),
        "t",
        "nothing went to public"
    );
    generate(dir, V2);

    // Drift is read in each tenant's own schema: a column added by hand in one stops its wave.
    db.sql("ALTER TABLE tenant_07.events ADD COLUMN extra integer")
        .unwrap();
    let through = [
        "apply",
        "--targets",
        file,
        "--json",
        "--through",
        "contract",
    ];
    let (code, report, err) = fleet_json(dir, &through);
    assert_eq!(code, 1, "{err}");
    let all = outcomes(&report);
    assert_eq!(all[6].0, "shared/tenant_07");
    assert_eq!(all[6].1, "failed", "{all:?}");
    let error = report["targets"][6]["error"].as_str().unwrap();
    assert!(
        error.contains("extra"),
        "the drift names the column: {error}"
    );
    assert!(all[11..].iter().all(|(_, o)| o == "not_started"), "{all:?}");
    db.sql("ALTER TABLE tenant_07.events DROP COLUMN extra")
        .unwrap();
    applied_everywhere(dir, &through);
    for s in &schemas {
        assert_eq!(
            db.value(&format!(
                "SELECT count(*) FROM {s}.events WHERE doubled IS DISTINCT FROM n::int8 * 2"
            )),
            "0",
            "{s}: every row filled"
        );
        assert_eq!(
            db.value(&format!(
                "SELECT attnotnull FROM pg_attribute WHERE attrelid = '{s}.events'::regclass AND attname = 'doubled'"
            )),
            "t",
            "{s}: contract ran"
        );
    }
    assert_eq!(
        db.value("SELECT count(*) FROM pg_tables WHERE schemaname = 'cargo_migrate' AND tablename LIKE 'history_tenant_%'"),
        "50",
        "a history per tenant"
    );
    let (code, status, err) = fleet_json(dir, &["status", "--targets", file, "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(status.as_array().unwrap().len(), 50);
    for t in status.as_array().unwrap() {
        assert!(
            t["phases"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["state"] == "applied"),
            "{t}"
        );
    }
}
