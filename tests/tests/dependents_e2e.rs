//! Objects outside the models that depend on what a migration drops or retypes, on a real
//! server: `apply` refuses before the first phase, naming each object and what the
//! statement would do to it (an expression index dropped silently with the column; a view
//! and an `UPDATE OF` trigger on which contract's `DROP COLUMN` would fail after expand
//! and backfill ran); modelled objects are not reported; `allow_dependents` runs anyway.
//! (Indexes made by hand on a managed table are also drift, which the test acknowledges.)
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::apply::{ApplyError, ApplyOptions, Migrator, load_dir};
use migrate_core::project::GenerateOptions;
use migrate_tests::through_contract;
use migrate_tests::{Scenario, at};

const V1: &str = r#"
#[derive(Schema)]
#[schema(table = "keywords")]
pub struct Keyword {
    #[schema(primary_key, identity)]
    pub id: i64,
    pub keyword: String,
    #[schema(index)]
    pub rank: i32,
    pub note: Option<String>,
}
"#;

/// `note` dropped, `rank` widened to bigint.
const V2: &str = r#"
#[derive(Schema)]
#[schema(table = "keywords")]
pub struct Keyword {
    #[schema(primary_key, identity)]
    pub id: i64,
    pub keyword: String,
    #[schema(index)]
    pub rank: i64,
}
"#;

fn apply(s: &Scenario, options: ApplyOptions) -> Result<(), ApplyError> {
    let sources = load_dir(&s.project.migrations_dir()).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(Migrator::new(sources, options).apply(s.db.url.as_str()))
        .map(|_| ())
}

#[test]
fn dependents_made_by_hand_stop_apply_before_the_first_phase() {
    let s = Scenario::new("dependents");
    s.generate(V1, &at("20261201000000"));
    apply(&s, through_contract()).unwrap();
    s.db.sql(
        "INSERT INTO keywords (keyword, rank, note) SELECT 'k' || g, g % 3, 'n' FROM generate_series(1, 100) g;
         CREATE INDEX keywords_lower_note ON keywords (lower(note));
         CREATE INDEX keywords_ranked ON keywords (keyword) WHERE rank <> 0;
         CREATE VIEW keyword_notes AS SELECT id, note FROM keywords;
         CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE TRIGGER keywords_note_changed BEFORE UPDATE OF note ON keywords
           FOR EACH ROW EXECUTE FUNCTION keep();",
    )
    .unwrap();
    let opts = GenerateOptions {
        allow_drop: vec!["keywords.note".into()],
        ..at("20261202000000")
    };
    let (_, path) = s.generate(V2, &opts);
    let id = path.file_name().unwrap().to_string_lossy().into_owned();
    let history = "SELECT count(*) FROM cargo_migrate.history";
    let before = s.db.value(history);

    // The indexes made by hand are drift too (a separate check, acknowledged here).
    let drifted = ApplyOptions {
        allow_drift: true,
        ..through_contract()
    };
    let err = apply(&s, drifted).unwrap_err();
    let text = err.to_string();
    let ApplyError::Dependents { dependents } = &err else {
        panic!("{text}");
    };
    let objects: Vec<&str> = dependents.iter().map(|d| d.object.as_str()).collect();
    assert_eq!(
        objects,
        [
            // `rank` is swapped for a bigint column: the old one is dropped, and with it
            // the partial index whose predicate names it.
            "index keywords.keywords_ranked",
            "index keywords.keywords_lower_note",
            "trigger keywords.keywords_note_changed",
            "view keyword_notes",
        ],
        "{text}"
    );
    assert!(
        text.contains(&format!("{id}/contract.up.sql")),
        "names the statement: {text}"
    );
    assert!(
        text.contains("DROP COLUMN keywords.note drops it with the column or table, silently"),
        "{text}"
    );
    assert!(
        text.contains("DROP COLUMN keywords.note fails on it"),
        "{text}"
    );
    assert!(text.contains("--allow-dependents"), "{text}");
    assert!(
        !text.contains("keywords_rank_idx"),
        "the modelled index is the plan's: {text}"
    );
    assert_eq!(s.db.value(history), before, "nothing ran");

    let allowed = ApplyOptions {
        allow_dependents: true,
        allow_drift: true,
        ..ApplyOptions::default()
    };
    apply(&s, allowed).unwrap();
    assert_eq!(
        s.db.value(&format!(
            "SELECT count(*) FROM cargo_migrate.history WHERE migration = '{id}'"
        )),
        "2",
        "expand and backfill ran once acknowledged"
    );
}
