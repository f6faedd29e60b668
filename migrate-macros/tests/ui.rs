//! Compile-fail tests: every misuse of `#[derive(Schema)]` is an error on the narrowest
//! token, all reported at once. The `.stderr` files are the messages users read; they are
//! pinned to the workspace's toolchain (rust-version in Cargo.toml), since rustc's
//! rendering changes between releases.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
    t.pass("tests/pass/*.rs");
}

/// `migrations!` fails the build naming the file (and line and statement) for each broken
/// fixture folder under `tests/embed/fixtures/`, and embeds the good one.
#[test]
fn embed() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/embed/fail/*.rs");
    t.pass("tests/embed/pass/*.rs");
}
