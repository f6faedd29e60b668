//! The snapshot reader: never a panic, whatever the JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = migrate_core::snapshot::Snapshot::from_json(text);
});
