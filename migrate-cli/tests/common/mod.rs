//! What the CLI's end-to-end tests share: the `events` models and running `cargo migrate`.
#![allow(dead_code, reason = "each test crate uses a part")]
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use assert_cmd::cargo::CommandCargoExt as _;
use std::path::Path;
use std::process::Command;

/// An `events` table.
pub const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "events")]
pub struct Event {
    #[schema(primary_key, identity)]
    pub id: i64,
    pub n: i32,
}
"#;

/// V1 and a NOT NULL column filled by a backfill.
pub const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "events")]
pub struct Event {
    #[schema(primary_key, identity)]
    pub id: i64,
    pub n: i32,
    #[schema(backfill = "n::int8 * 2")]
    pub doubled: i64,
}
"#;

/// V2 and an index on `n`.
pub const V3: &str = r#"
#[derive(Schema)]
#[schema(table = "events")]
pub struct Event {
    #[schema(primary_key, identity)]
    pub id: i64,
    #[schema(index)]
    pub n: i32,
    #[schema(backfill = "n::int8 * 2")]
    pub doubled: i64,
}
"#;

/// A crate folder with an empty `src/`, removed when dropped.
pub fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("src")).unwrap();
    tmp
}

/// `cargo migrate ARGS --dir DIR` with DATABASE_URL set to `url`.
pub fn cli(dir: &Path, url: &str, args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("cargo-migrate").unwrap();
    c.arg("migrate")
        .args(args)
        .arg("--dir")
        .arg(dir)
        .env("DATABASE_URL", url);
    c
}

/// Makes `models` the crate's models and generates their migration.
pub fn generate(dir: &Path, models: &str) {
    std::fs::write(dir.join("src/models.rs"), models).unwrap();
    let out = cli(dir, "", &["generate"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `cargo migrate ARGS`, asserting success; its stderr.
pub fn run(dir: &Path, url: &str, args: &[&str]) -> String {
    let out = cli(dir, url, args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{}\n{err}",
        String::from_utf8_lossy(&out.stdout)
    );
    err
}

/// Runs `cargo migrate ARGS` and returns (exit code, stdout, stderr).
pub fn output(dir: &Path, url: &str, args: &[&str]) -> (i32, String, String) {
    let out = cli(dir, url, args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
