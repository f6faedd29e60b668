//! Compile-fail tests of `migrate_core::typed`: a phase out of order, or an operation in a
//! phase where it is unsafe, does not compile, and the message names the safe recipe. The
//! `.stderr` files are the messages users read; they are pinned to the workspace's
//! toolchain (rust-version in Cargo.toml), since rustc's rendering changes between releases.

#[test]
fn typed_ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/typed_ui/fail/*.rs");
    t.pass("tests/typed_ui/pass/*.rs");
}
