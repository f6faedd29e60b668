#![allow(clippy::unwrap_used, reason = "tests")]

use super::*;

fn rules_hit(sql: &str, phase: Option<Phase>) -> Vec<&'static str> {
    lint(
        sql,
        &LintOptions {
            phase,
            ..LintOptions::default()
        },
    )
    .unwrap()
    .into_iter()
    .map(|f| f.rule)
    .collect()
}

#[track_caller]
fn flags(sql: &str, phase: Option<Phase>, rule: &str) {
    let hit = rules_hit(sql, phase);
    assert!(hit.contains(&rule), "{sql}: expected {rule}, got {hit:?}");
}

#[track_caller]
fn clean(sql: &str, phase: Option<Phase>) {
    let hit = rules_hit(sql, phase);
    assert!(hit.is_empty(), "{sql}: expected nothing, got {hit:?}");
}

const ANY: Option<Phase> = None;
const EXPAND: Option<Phase> = Some(Phase::Expand);
const BACKFILL: Option<Phase> = Some(Phase::Backfill);
const CONTRACT: Option<Phase> = Some(Phase::Contract);

#[test]
fn unsafe_in_any_phase() {
    for phase in [ANY, EXPAND, BACKFILL, CONTRACT] {
        flags("CREATE INDEX i ON t (a);", phase, "index-concurrently");
        flags(
            "CREATE UNIQUE INDEX i ON t (a);",
            phase,
            "index-concurrently",
        );
        flags("DROP INDEX i;", phase, "index-concurrently");
        flags(
            "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);",
            phase,
            "constraint-not-valid",
        );
        flags(
            "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id);",
            phase,
            "constraint-not-valid",
        );
        flags(
            "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a);",
            phase,
            "unique-using-index",
        );
        flags(
            "ALTER TABLE t ADD PRIMARY KEY (a);",
            phase,
            "unique-using-index",
        );
        flags(
            "ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid();",
            phase,
            "volatile-default",
        );
        flags(
            "ALTER TABLE t ADD COLUMN c int NOT NULL;",
            phase,
            "volatile-default",
        );
        flags(
            "ALTER TABLE t ALTER COLUMN a TYPE bigint;",
            phase,
            "type-change",
        );
        flags("VACUUM FULL t;", phase, "vacuum-full");
        flags("VACUUM (FULL, ANALYZE) t;", phase, "vacuum-full");
        flags("CLUSTER t USING i;", phase, "cluster");
        flags("REINDEX INDEX i;", phase, "reindex-concurrently");
        flags("REINDEX TABLE t;", phase, "reindex-concurrently");
    }
}

#[test]
fn safe_forms_pass() {
    clean("CREATE INDEX CONCURRENTLY i ON t (a);", ANY);
    clean("DROP INDEX CONCURRENTLY IF EXISTS i;", CONTRACT);
    clean(
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;",
        EXPAND,
    );
    clean(
        "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID;",
        EXPAND,
    );
    clean("ALTER TABLE t VALIDATE CONSTRAINT c;", BACKFILL);
    clean(
        "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i;",
        CONTRACT,
    );
    clean(
        "ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now();",
        EXPAND,
    );
    clean("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;", EXPAND);
    clean(
        "ALTER TABLE t ADD COLUMN c jsonb DEFAULT '{}'::jsonb;",
        EXPAND,
    );
    clean(
        "ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT a_nn;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        CONTRACT,
    );
    clean("ALTER TABLE t DROP COLUMN a;", CONTRACT);
    clean("ALTER TABLE t RENAME COLUMN a TO b;", CONTRACT);
    clean("ALTER TABLE t ALTER COLUMN a DROP DEFAULT;", CONTRACT);
    clean("VACUUM t;", ANY);
    clean("REINDEX INDEX CONCURRENTLY i;", ANY);
    clean("UPDATE t SET a = 1 WHERE id BETWEEN 1 AND 1000;", BACKFILL);
}

#[test]
fn tables_created_in_the_migration_are_not_in_use() {
    clean(
        "CREATE TABLE n (id bigint PRIMARY KEY, a int);\nCREATE INDEX n_a ON n (a);\nALTER TABLE n ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id);\nALTER TABLE n ADD COLUMN c uuid DEFAULT gen_random_uuid();\nDROP INDEX n_a;",
        EXPAND,
    );
    for create in [
        "CREATE TABLE n AS SELECT id, a FROM t",
        "SELECT id, a INTO n FROM t",
        "CREATE MATERIALIZED VIEW n AS SELECT id, a FROM t",
    ] {
        clean(
            &format!(
                "{create};\nCREATE INDEX n_a ON n (a);\nALTER TABLE n ADD CONSTRAINT k CHECK (a > 0);"
            ),
            EXPAND,
        );
    }
    let new = LintOptions {
        phase: BACKFILL,
        known: Known {
            new_tables: ["n".to_owned()].into(),
            ..Known::default()
        },
        ..LintOptions::default()
    };
    assert!(
        lint("CREATE INDEX n_b ON n (b);", &new).unwrap().is_empty(),
        "created by the migration's expand"
    );
}

#[test]
fn expand_keeps_the_old_code_working() {
    flags(
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        EXPAND,
        "expand-set-not-null",
    );
    flags("ALTER TABLE t DROP COLUMN a;", EXPAND, "expand-drop");
    flags("DROP TABLE t;", EXPAND, "expand-drop");
    flags(
        "ALTER TABLE t RENAME COLUMN a TO b;",
        EXPAND,
        "expand-rename",
    );
    flags("ALTER TABLE t RENAME TO u;", EXPAND, "expand-rename");
    flags(
        "ALTER TABLE t ALTER COLUMN a DROP DEFAULT;",
        EXPAND,
        "expand-drop-default",
    );
    // A hand-written file with no phase runs while the old code does: expand's rules.
    flags("ALTER TABLE t DROP COLUMN a;", ANY, "expand-drop");
    flags(
        "ALTER TABLE t RENAME COLUMN name TO full_name;",
        ANY,
        "expand-rename",
    );
    flags(
        "ALTER TABLE t ALTER COLUMN email SET NOT NULL;",
        ANY,
        "set-not-null",
    );
    flags(
        "ALTER TABLE t ADD COLUMN n serial;",
        ANY,
        "volatile-default",
    );
    // A down file undoes its up: only the rules for every phase.
    let down = LintOptions {
        down: true,
        ..LintOptions::default()
    };
    assert!(
        lint("ALTER TABLE t DROP COLUMN a;", &down)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn backfill_holds_no_schema_changes() {
    flags(
        "ALTER TABLE t ADD COLUMN c int;",
        BACKFILL,
        "backfill-schema-change",
    );
    flags("DROP TABLE t;", BACKFILL, "backfill-schema-change");
}

#[test]
fn non_transactional_statements_stand_alone() {
    flags(
        "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;",
        ANY,
        "no-transaction",
    );
    flags(
        "ALTER TABLE t ADD COLUMN c int;\nCREATE INDEX CONCURRENTLY i ON t (c);",
        ANY,
        "no-transaction",
    );
    clean(
        "ALTER TABLE t ADD COLUMN c int;\n-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);",
        ANY,
    );
    clean("CREATE INDEX CONCURRENTLY i ON t (c);", ANY);
}

#[test]
fn allow_comments_need_a_known_rule_and_a_reason() {
    clean(
        "-- migrate:allow index-concurrently: t is empty until this release ships\nCREATE INDEX i ON t (a);",
        ANY,
    );
    clean(
        "-- migrate:allow expand-drop, expand-rename: nothing reads it since v41\nALTER TABLE t DROP COLUMN a;",
        EXPAND,
    );
    // The allow names another rule: the finding stays.
    flags(
        "-- migrate:allow cluster: fine\nCREATE INDEX i ON t (a);",
        ANY,
        "index-concurrently",
    );
    let hit = rules_hit(
        "-- migrate:allow index-concurrently\nCREATE INDEX i ON t (a);",
        ANY,
    );
    assert_eq!(hit, ["allow-comment", "index-concurrently"]);
    let f = lint(
        "SELECT 1;\n-- migrate:allow index-concurent: typo\nCREATE INDEX i ON t (a);",
        &LintOptions::default(),
    )
    .unwrap();
    assert_eq!(f[0].rule, "allow-comment");
    assert_eq!(f[0].line, 2);
    assert!(f[0].message.contains("index-concurent"), "{}", f[0].message);
}

#[test]
fn findings_name_the_line_statement_and_fix() {
    let f = lint(
        "-- add the index\nSELECT 1;\n\nCREATE INDEX \"posts_author_idx\"\n  ON posts (author_id);\n",
        &LintOptions::default(),
    )
    .unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].line, 4);
    assert_eq!(f[0].statement, "CREATE INDEX \"posts_author_idx\"");
    assert!(f[0].message.contains("\"posts\""), "{}", f[0].message);
    assert!(f[0].help.contains("CONCURRENTLY"), "{}", f[0].help);
}

#[test]
fn statements_that_do_not_parse_are_findings_at_their_line() {
    let f = lint(
        "SELECT 1;\nALTER TABLE t\n  ADD COLUMN;\nDROP INDEX i;",
        &LintOptions::default(),
    )
    .unwrap();
    assert_eq!(f[0].rule, "syntax");
    assert_eq!(f[0].line, 3);
    assert_eq!(
        f[1].rule, "index-concurrently",
        "the next statement is still checked"
    );
}

#[test]
fn statements_inside_do_blocks_are_judged_like_top_level_ones() {
    flags(
        "DO $$ BEGIN CREATE INDEX i ON t (a); END $$;",
        ANY,
        "index-concurrently",
    );
    flags(
        "DO $$\nBEGIN\n  IF true THEN\n    ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n  END IF;\nEND\n$$;",
        CONTRACT,
        "set-not-null",
    );
    flags(
        "DO LANGUAGE plpgsql $body$ BEGIN EXECUTE 'ALTER TABLE t ADD COLUMN n serial'; END $body$;",
        ANY,
        "volatile-default",
    );
    flags(
        "DO $$ BEGIN UPDATE t SET a = 0; END $$;",
        EXPAND,
        "unbatched-update",
    );
    clean("DO $$ BEGIN RAISE NOTICE 'nothing to judge'; END $$;", ANY);
}
