//! The statement splitter, the classifier and every rule, in every phase: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migrate_core::lint::{LintOptions, classify, lint, lint_migration};
use migrate_core::plan::Phase;

fuzz_target!(|text: &str| {
    if let Ok(statements) = migrate_core::sql::phase_file::split(text) {
        for s in &statements {
            if let Ok(actions) = classify(&s.sql) {
                for a in &actions {
                    let _ = (a.kind(), a.lock(), a.table());
                }
            }
        }
    }
    for phase in [None, Some(Phase::Expand), Some(Phase::Backfill), Some(Phase::Contract)] {
        let options = LintOptions {
            phase,
            ..LintOptions::default()
        };
        let _ = lint(text, &options);
    }
    let _ = lint_migration(&[
        ("expand.up.sql".to_owned(), text.to_owned()),
        ("contract.down.sql".to_owned(), text.to_owned()),
    ]);
    let _ = migrate_core::lint::concurrent_index(text);
});
