//! `generate` over the example's three model versions: every file is snapshotted (insta,
//! reviewed like code) and equals the committed migration byte for byte, so the example
//! can never drift from what the generator writes.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::migrations;
use migrate_core::project::{GenerateOptions, Project};
use std::path::{Path, PathBuf};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/blog")
}

#[test]
fn replaying_the_model_versions_reproduces_the_committed_migrations() {
    let committed = migrations::load(&example().join("migrations")).unwrap();
    let sources = ["versions/v1.rs", "versions/v2.rs", "src/models.rs"];
    assert_eq!(committed.migrations.len(), sources.len());

    let scratch = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(scratch.path().join("src")).unwrap();
    std::fs::copy(
        example().join("Migrate.toml"),
        scratch.path().join("Migrate.toml"),
    )
    .unwrap();
    let project = Project::open(scratch.path()).unwrap();

    for (n, (source, expected)) in sources.iter().zip(&committed.migrations).enumerate() {
        std::fs::copy(example().join(source), scratch.path().join("src/models.rs")).unwrap();
        let opts = GenerateOptions {
            name: Some(expected.id[15..].to_owned()),
            allow_drop: vec!["sessions".into()],
            timestamp: Some(expected.id[..14].to_owned()),
        };
        let pending = project
            .pending(&opts)
            .unwrap()
            .expect("each version changes the schema");
        assert_eq!(pending.id, expected.id);
        let written = project.write(&pending).unwrap();
        migrate_tests::assert_lint_clean(&written);
        let mut names: Vec<String> = std::fs::read_dir(&written)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in &names {
            let ours = std::fs::read_to_string(written.join(name)).unwrap();
            let theirs = std::fs::read_to_string(expected.path.join(name))
                .unwrap_or_else(|_| panic!("{}: {name} is not committed", expected.id));
            insta::assert_snapshot!(format!("v{}_{name}", n + 1), ours);
            assert_eq!(
                ours, theirs,
                "{}/{name} differs from the committed file",
                expected.id
            );
        }
        let mut committed_names: Vec<String> = std::fs::read_dir(&expected.path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        committed_names.sort();
        assert_eq!(names, committed_names);
    }
    // Same input again: nothing to generate.
    assert!(
        project
            .pending(&GenerateOptions::default())
            .unwrap()
            .is_none()
    );
}
