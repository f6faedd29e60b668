//! One statement per kind of the statement catalogue, on tables with rows, with the
//! relations its claims are about: run on a server by `catalogue_e2e`, linted in every phase
//! by `catalogue_lint`.

use migrate_core::catalogue::Kind;

/// Two tables with rows: `t` (indexed on `a`) and `parent`, which `t.parent_id` matches.
pub const BASE: &str = r#"
CREATE TABLE parent (id int PRIMARY KEY, v int);
CREATE TABLE t (id int PRIMARY KEY, a int, b text, parent_id int, n int);
CREATE INDEX t_a_idx ON t (a);
INSERT INTO parent SELECT g, g FROM generate_series(1, 3000) g;
INSERT INTO t SELECT g, g, 'x' || g, g, NULLIF(g % 2, 0) FROM generate_series(1, 3000) g;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
"#;

/// One statement of a kind, with the relations its claims are about.
pub struct Case {
    /// Its kind.
    pub kind: Kind,
    /// Run first (after [`BASE`]).
    pub setup: &'static str,
    /// The statement.
    pub sql: &'static str,
    /// `Target::Table` (`t` unless said).
    pub table: &'static str,
    /// `Target::Referenced`, `Target::Index` or `Target::View`.
    pub other: Option<&'static str>,
    /// `Target::Created`.
    pub created: Option<&'static str>,
    /// A row the statement changes, by `t.id` (checked for a row lock).
    pub changes_row: Option<i32>,
}

const fn case(kind: Kind, sql: &'static str) -> Case {
    Case {
        kind,
        setup: "",
        sql,
        table: "t",
        other: None,
        created: None,
        changes_row: None,
    }
}

const FK_NOT_VALID: &str = "ALTER TABLE t ADD CONSTRAINT t_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id) NOT VALID";

/// A table partitioned in two, with rows in each.
const PARTITIONED: &str = "CREATE TABLE pt (id int, a int) PARTITION BY RANGE (id); CREATE TABLE pt_1 PARTITION OF pt FOR VALUES FROM (0) TO (1500); CREATE TABLE pt_2 PARTITION OF pt FOR VALUES FROM (1500) TO (3001); INSERT INTO pt SELECT id, a FROM t";

/// One case per kind of the catalogue.
pub fn cases() -> Vec<Case> {
    use Kind::*;
    vec![
        Case {
            table: "fresh",
            ..case(CreateTable, "CREATE TABLE fresh (id int PRIMARY KEY)")
        },
        Case {
            created: Some("t_b_idx"),
            ..case(CreateIndex, "CREATE INDEX t_b_idx ON t (b)")
        },
        case(
            CreateIndexConcurrently,
            "CREATE INDEX CONCURRENTLY t_b_idx ON t (b)",
        ),
        Case {
            other: Some("t_a_idx"),
            ..case(DropIndex, "DROP INDEX t_a_idx")
        },
        Case {
            other: Some("t_a_idx"),
            ..case(DropIndexConcurrently, "DROP INDEX CONCURRENTLY t_a_idx")
        },
        Case {
            other: Some("t_a_idx"),
            ..case(RenameIndex, "ALTER INDEX t_a_idx RENAME TO t_a_idx2")
        },
        case(
            AddColumn,
            "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0",
        ),
        case(
            AddColumnRewrite,
            "ALTER TABLE t ADD COLUMN c float8 DEFAULT random()",
        ),
        case(
            AddCheck,
            "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0)",
        ),
        case(
            AddCheckNotValid,
            "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID",
        ),
        Case {
            other: Some("parent"),
            ..case(
                AddForeignKey,
                "ALTER TABLE t ADD CONSTRAINT t_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id)",
            )
        },
        Case {
            other: Some("parent"),
            ..case(AddForeignKeyNotValid, FK_NOT_VALID)
        },
        Case {
            setup: FK_NOT_VALID,
            other: Some("parent"),
            ..case(
                ValidateConstraint,
                "ALTER TABLE t VALIDATE CONSTRAINT t_parent_fk",
            )
        },
        Case {
            created: Some("t_b_key"),
            ..case(AddKey, "ALTER TABLE t ADD CONSTRAINT t_b_key UNIQUE (b)")
        },
        Case {
            setup: "CREATE UNIQUE INDEX t_b_key ON t (b)",
            ..case(
                AddKeyUsingIndex,
                "ALTER TABLE t ADD CONSTRAINT t_b_key UNIQUE USING INDEX t_b_key",
            )
        },
        case(SetNotNull, "ALTER TABLE t ALTER COLUMN a SET NOT NULL"),
        Case {
            setup: "ALTER TABLE t ADD CONSTRAINT t_a_not_null CHECK (a IS NOT NULL)",
            ..case(
                SetNotNullProven,
                "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
            )
        },
        Case {
            setup: "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
            ..case(DropNotNull, "ALTER TABLE t ALTER COLUMN a DROP NOT NULL")
        },
        case(SetDefault, "ALTER TABLE t ALTER COLUMN a SET DEFAULT 7"),
        Case {
            setup: "ALTER TABLE t ALTER COLUMN a SET DEFAULT 7",
            ..case(DropDefault, "ALTER TABLE t ALTER COLUMN a DROP DEFAULT")
        },
        case(AlterColumnType, "ALTER TABLE t ALTER COLUMN a TYPE bigint"),
        case(DropColumn, "ALTER TABLE t DROP COLUMN b"),
        case(RenameColumn, "ALTER TABLE t RENAME COLUMN b TO c"),
        case(RenameTable, "ALTER TABLE t RENAME TO t2"),
        Case {
            setup: "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0)",
            ..case(
                RenameConstraint,
                "ALTER TABLE t RENAME CONSTRAINT t_a_pos TO t_a_positive",
            )
        },
        Case {
            setup: "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0)",
            ..case(DropConstraint, "ALTER TABLE t DROP CONSTRAINT t_a_pos")
        },
        Case {
            setup: FK_NOT_VALID,
            other: Some("parent"),
            ..case(DropForeignKey, "ALTER TABLE t DROP CONSTRAINT t_parent_fk")
        },
        Case {
            setup: FK_NOT_VALID,
            other: Some("parent"),
            ..case(DropTable, "DROP TABLE t")
        },
        case(
            CreateFunction,
            "CREATE OR REPLACE FUNCTION touch2() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
        ),
        case(DropFunction, "DROP FUNCTION touch()"),
        case(
            CreateTrigger,
            "CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()",
        ),
        Case {
            setup: "CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()",
            ..case(DropTrigger, "DROP TRIGGER t_touch ON t")
        },
        Case {
            created: Some("t_view"),
            ..case(CreateView, "CREATE VIEW t_view AS SELECT id, a FROM t")
        },
        Case {
            setup: "CREATE VIEW t_view AS SELECT id, a FROM t",
            other: Some("t_view"),
            ..case(DropView, "DROP VIEW t_view")
        },
        case(CreateSchema, "CREATE SCHEMA extra"),
        Case {
            setup: "CREATE SCHEMA extra",
            ..case(DropSchema, "DROP SCHEMA extra")
        },
        Case {
            setup: "CREATE VIEW t_view AS SELECT id, a FROM t",
            other: Some("t_view"),
            ..case(Grant, "GRANT SELECT ON t_view TO PUBLIC")
        },
        Case {
            changes_row: Some(2),
            ..case(
                BackfillBatch,
                "UPDATE t SET n = id WHERE n IS NULL AND id BETWEEN 1 AND 1000",
            )
        },
        Case {
            changes_row: Some(2),
            ..case(Update, "UPDATE t SET b = b || '!'")
        },
        case(Vacuum, "VACUUM t"),
        case(VacuumFull, "VACUUM FULL t"),
        case(Cluster, "CLUSTER t USING t_pkey"),
        Case {
            other: Some("t_a_idx"),
            ..case(Reindex, "REINDEX INDEX t_a_idx")
        },
        Case {
            other: Some("t_a_idx"),
            ..case(ReindexConcurrently, "REINDEX INDEX CONCURRENTLY t_a_idx")
        },
        case(SetLogged, "ALTER TABLE t SET UNLOGGED"),
        Case {
            changes_row: Some(7),
            ..case(UpdateFew, "UPDATE t SET a = 0 WHERE id = 7")
        },
        Case {
            setup: "CREATE SCHEMA archive",
            ..case(SetSchema, "ALTER TABLE t SET SCHEMA archive")
        },
        Case {
            setup: "ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY",
            ..case(
                DropIdentity,
                "ALTER TABLE t ALTER COLUMN id DROP IDENTITY IF EXISTS",
            )
        },
        Case {
            setup: "CREATE TYPE mood AS ENUM ('ok', 'canceled')",
            ..case(
                RenameEnumValue,
                "ALTER TYPE mood RENAME VALUE 'canceled' TO 'cancelled'",
            )
        },
        Case {
            setup: "CREATE MATERIALIZED VIEW t_mv AS SELECT id, a FROM t",
            table: "t_mv",
            ..case(RefreshMaterializedView, "REFRESH MATERIALIZED VIEW t_mv")
        },
        Case {
            setup: PARTITIONED,
            table: "pt",
            ..case(DetachPartition, "ALTER TABLE pt DETACH PARTITION pt_1")
        },
        Case {
            setup: PARTITIONED,
            table: "pt",
            ..case(
                DetachPartitionConcurrently,
                "ALTER TABLE pt DETACH PARTITION pt_1 CONCURRENTLY",
            )
        },
        Case {
            setup: "CREATE SEQUENCE t_n_seq AS integer OWNED BY t.n",
            table: "t_n_seq",
            ..case(
                AlterSequence,
                "ALTER SEQUENCE t_n_seq AS bigint OWNED BY t.id",
            )
        },
        case(
            AddIdentity,
            "ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY",
        ),
        Case {
            setup: "CREATE SEQUENCE t_n_seq",
            table: "t_n_seq",
            ..case(SetSequenceValue, "SELECT setval('t_n_seq', 5000, false)")
        },
        Case {
            setup: "CREATE SEQUENCE t_n_seq",
            table: "t_n_seq",
            ..case(RenameSequence, "ALTER SEQUENCE t_n_seq RENAME TO t_n_seq2")
        },
        case(Comment, "COMMENT ON COLUMN t.a IS 'the a'"),
        case(CreateExtension, "CREATE EXTENSION IF NOT EXISTS pg_trgm"),
        case(CreateType, "CREATE TYPE mood AS ENUM ('ok', 'sad')"),
        Case {
            setup: "CREATE TYPE mood AS ENUM ('ok', 'sad')",
            ..case(
                AddEnumValue,
                "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' AFTER 'ok'",
            )
        },
        Case {
            setup: "CREATE TYPE mood AS ENUM ('ok', 'sad')",
            ..case(DropType, "DROP TYPE IF EXISTS mood")
        },
    ]
}
