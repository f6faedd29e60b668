//! The `#[derive(Schema)]` parser, through the source scanner the CLI uses (the derive macro
//! runs the same parser): never a panic, whatever the Rust source.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = migrate_core::project::scan_source(std::path::Path::new("src/models.rs"), text);
});
