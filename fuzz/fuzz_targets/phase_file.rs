//! The phase-file reader (units, markers, batch JSON): never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = migrate_core::sql::phase_file::parse(text);
});
