//! The rows of the catalogue: one [`Facts`] per [`Kind`], measured on PostgreSQL 12 to 18 (see
//! `tests/tests/catalogue_e2e.rs`, which checks every row against a server).

use super::Allowance::{self, If, No, Yes};
use super::Condition::NewTable;
use super::LockMode::*;
use super::{Facts, Lock, LockMode, MIN_SUPPORTED, RowLocks, Scan, Target, Why};

/// A kind of statement the project emits or meets in hand-written migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(usize)]
pub enum Kind {
    /// `CREATE TABLE`.
    CreateTable,
    /// `CREATE INDEX` (without `CONCURRENTLY`).
    CreateIndex,
    /// `CREATE INDEX CONCURRENTLY`.
    CreateIndexConcurrently,
    /// `DROP INDEX` (without `CONCURRENTLY`).
    DropIndex,
    /// `DROP INDEX CONCURRENTLY`.
    DropIndexConcurrently,
    /// `ALTER INDEX … RENAME TO`.
    RenameIndex,
    /// `ADD COLUMN` nullable, or with a constant default (kept in the catalog).
    AddColumn,
    /// `ADD COLUMN` that fills every row: a volatile default, serial, identity, or
    /// `GENERATED … STORED`.
    AddColumnRewrite,
    /// `ADD CONSTRAINT … CHECK` (validating).
    AddCheck,
    /// `ADD CONSTRAINT … CHECK … NOT VALID`.
    AddCheckNotValid,
    /// `ADD CONSTRAINT … FOREIGN KEY` (validating).
    AddForeignKey,
    /// `ADD CONSTRAINT … FOREIGN KEY … NOT VALID`.
    AddForeignKeyNotValid,
    /// `VALIDATE CONSTRAINT`.
    ValidateConstraint,
    /// `ADD PRIMARY KEY` / `ADD UNIQUE` building its index.
    AddKey,
    /// `ADD PRIMARY KEY` / `ADD UNIQUE` `USING INDEX`.
    AddKeyUsingIndex,
    /// `SET NOT NULL` with nothing proving it.
    SetNotNull,
    /// `SET NOT NULL` proven by a valid `CHECK (c IS NOT NULL)` (PostgreSQL ≥ 12).
    SetNotNullProven,
    /// `DROP NOT NULL`.
    DropNotNull,
    /// `SET DEFAULT`.
    SetDefault,
    /// `DROP DEFAULT`.
    DropDefault,
    /// `ALTER COLUMN … TYPE`.
    AlterColumnType,
    /// `DROP COLUMN`.
    DropColumn,
    /// `RENAME COLUMN`.
    RenameColumn,
    /// `ALTER TABLE … RENAME TO`.
    RenameTable,
    /// `RENAME CONSTRAINT`.
    RenameConstraint,
    /// `DROP CONSTRAINT` of a check (dropping a unique or primary key breaks what relies
    /// on it: the planner refuses it).
    DropConstraint,
    /// `DROP CONSTRAINT` of a foreign key.
    DropForeignKey,
    /// `DROP TABLE`.
    DropTable,
    /// `CREATE [OR REPLACE] FUNCTION`.
    CreateFunction,
    /// `DROP FUNCTION`.
    DropFunction,
    /// `CREATE TRIGGER`.
    CreateTrigger,
    /// `DROP TRIGGER`.
    DropTrigger,
    /// `CREATE [OR REPLACE] VIEW` (a new view).
    CreateView,
    /// `DROP VIEW`.
    DropView,
    /// `CREATE SCHEMA`.
    CreateSchema,
    /// `DROP SCHEMA`.
    DropSchema,
    /// `GRANT` (on a table, view or schema).
    Grant,
    /// `UPDATE … WHERE …` that a runner runs in keyset batches (`-- migrate:batch`).
    BackfillBatch,
    /// `UPDATE` / `DELETE` of an existing table in one statement.
    Update,
    /// `VACUUM` (without `FULL`).
    Vacuum,
    /// `VACUUM FULL`.
    VacuumFull,
    /// `CLUSTER`.
    Cluster,
    /// `REINDEX` (without `CONCURRENTLY`).
    Reindex,
    /// `REINDEX CONCURRENTLY`.
    ReindexConcurrently,
    /// `ALTER TABLE … SET LOGGED` / `SET UNLOGGED`.
    SetLogged,
    /// `UPDATE` / `DELETE` of a few rows: named by key or value (`WHERE id = 7`,
    /// `IN (…)` of literals), a short `BETWEEN` range, or a `LIMIT`-ed batch.
    UpdateFew,
    /// `ALTER TABLE … SET SCHEMA`.
    SetSchema,
    /// `ALTER COLUMN … DROP IDENTITY` or `SET GENERATED ALWAYS`.
    DropIdentity,
    /// `ALTER TYPE … RENAME VALUE`.
    RenameEnumValue,
    /// `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY`.
    RefreshMaterializedView,
    /// `ALTER TABLE … DETACH PARTITION` without `CONCURRENTLY`.
    DetachPartition,
    /// `ALTER TABLE … DETACH PARTITION … CONCURRENTLY`.
    DetachPartitionConcurrently,
    /// `ALTER SEQUENCE … AS` / `OWNED BY` (a serial column's sequence following the
    /// column that replaces it).
    AlterSequence,
}

impl Kind {
    /// Every kind, in catalogue order.
    pub fn all() -> impl Iterator<Item = Kind> {
        CATALOGUE.iter().map(|f| f.kind)
    }
}

const fn on(mode: LockMode, on: Target) -> Lock {
    Lock {
        mode,
        on,
        since: MIN_SUPPORTED,
    }
}

/// A lock the statement takes only from PostgreSQL `since` on.
const fn on_from(since: u32, mode: LockMode, on: Target) -> Lock {
    Lock { mode, on, since }
}

const ACCESS_EXCLUSIVE_ON_TABLE: &[Lock] = &[on(AccessExclusive, Target::Table)];

const BRIEF_CATALOG: &str = ", brief (catalog only)";
const BRIEF: &str = ", brief";

const OLD_CODE_RUNS: Why = Why::OldCodeRuns;
const SCHEMA_IN_BACKFILL: Why = Why::SchemaInBackfill;
const BLOCKS_EXISTING: Why = Why::BlocksTraffic;
const DATA_IN_BACKFILL: Why = Why::DataInBackfill;

/// A statement that takes a brief ACCESS EXCLUSIVE lock on the table to change the catalog.
const fn brief_alter(kind: Kind, form: &'static str, compatible: bool) -> Facts {
    Facts {
        kind,
        form,
        locks: ACCESS_EXCLUSIVE_ON_TABLE,
        row_locks: RowLocks::None,
        rewrite: false,
        scan: Scan::None,
        transactional: true,
        backward_compatible: compatible,
        hold: BRIEF_CATALOG,
        no_lock_note: "",
        since: MIN_SUPPORTED,
        phases: if compatible {
            [Yes, No(SCHEMA_IN_BACKFILL), Yes]
        } else {
            [No(OLD_CODE_RUNS), No(OLD_CODE_RUNS), Yes]
        },
    }
}

/// A statement that holds ACCESS EXCLUSIVE on the table while it scans or rewrites it:
/// only on a table nobody uses yet.
const fn blocking(kind: Kind, form: &'static str, rewrite: bool, scan: Scan) -> Facts {
    Facts {
        kind,
        form,
        locks: ACCESS_EXCLUSIVE_ON_TABLE,
        row_locks: RowLocks::None,
        rewrite,
        scan,
        transactional: true,
        backward_compatible: true,
        hold: "",
        no_lock_note: "",
        since: MIN_SUPPORTED,
        phases: [If(NewTable), No(BLOCKS_EXISTING), If(NewTable)],
    }
}

/// A statement that takes no table lock.
const fn lock_free(
    kind: Kind,
    form: &'static str,
    note: &'static str,
    phases: [Allowance; 3],
) -> Facts {
    Facts {
        kind,
        form,
        locks: &[],
        row_locks: RowLocks::None,
        rewrite: false,
        scan: Scan::None,
        transactional: true,
        backward_compatible: true,
        hold: "",
        no_lock_note: note,
        since: MIN_SUPPORTED,
        phases,
    }
}

/// A statement that blocks no reads or writes (SHARE UPDATE EXCLUSIVE) while it does long
/// work.
const fn quiet(
    kind: Kind,
    form: &'static str,
    locks: &'static [Lock],
    scan: Scan,
    transactional: bool,
    phases: [Allowance; 3],
) -> Facts {
    Facts {
        kind,
        form,
        locks,
        row_locks: RowLocks::None,
        rewrite: false,
        scan,
        transactional,
        backward_compatible: true,
        hold: "",
        no_lock_note: "",
        since: MIN_SUPPORTED,
        phases,
    }
}

/// Every row, in [`Kind`] order.
static CATALOGUE: &[Facts] = &[
    Facts {
        hold: " (no other session uses it yet)",
        phases: [Yes, No(SCHEMA_IN_BACKFILL), Yes],
        ..brief_alter(Kind::CreateTable, "CREATE TABLE t (…)", true)
    },
    Facts {
        locks: &[
            on(Share, Target::Table),
            on(AccessExclusive, Target::Created),
        ],
        scan: Scan::Full(Share),
        hold: "",
        phases: [If(NewTable), If(NewTable), If(NewTable)],
        ..brief_alter(Kind::CreateIndex, "CREATE INDEX i ON t (c)", true)
    },
    quiet(
        Kind::CreateIndexConcurrently,
        "CREATE INDEX CONCURRENTLY i ON t (c)",
        &[on(ShareUpdateExclusive, Target::Table)],
        Scan::TwoFull(ShareUpdateExclusive),
        false,
        [Yes, Yes, Yes],
    ),
    Facts {
        locks: &[
            on(AccessExclusive, Target::Table),
            on(AccessExclusive, Target::Index),
        ],
        hold: "",
        backward_compatible: false,
        phases: [If(NewTable), If(NewTable), If(NewTable)],
        ..brief_alter(Kind::DropIndex, "DROP INDEX i", false)
    },
    // Its last step takes ACCESS EXCLUSIVE on the index itself, once no query can use it
    // any more: nobody waits for that lock.
    Facts {
        backward_compatible: false,
        ..quiet(
            Kind::DropIndexConcurrently,
            "DROP INDEX CONCURRENTLY i",
            &[
                on(ShareUpdateExclusive, Target::Table),
                on(ShareUpdateExclusive, Target::Index),
            ],
            Scan::None,
            false,
            [No(OLD_CODE_RUNS), No(OLD_CODE_RUNS), Yes],
        )
    },
    Facts {
        since: 12,
        ..quiet(
            Kind::RenameIndex,
            "ALTER INDEX i RENAME TO j",
            &[on(ShareUpdateExclusive, Target::Index)],
            Scan::None,
            true,
            [Yes, No(SCHEMA_IN_BACKFILL), Yes],
        )
    },
    Facts {
        since: 11,
        ..brief_alter(
            Kind::AddColumn,
            "ALTER TABLE t ADD COLUMN c T [DEFAULT constant]",
            true,
        )
    },
    blocking(
        Kind::AddColumnRewrite,
        "ALTER TABLE t ADD COLUMN c T DEFAULT volatile() | serial | GENERATED …",
        true,
        Scan::Full(AccessExclusive),
    ),
    blocking(
        Kind::AddCheck,
        "ALTER TABLE t ADD CONSTRAINT k CHECK (…)",
        false,
        Scan::Full(AccessExclusive),
    ),
    Facts {
        phases: [Yes, Yes, Yes],
        ..brief_alter(
            Kind::AddCheckNotValid,
            "ALTER TABLE t ADD CONSTRAINT k CHECK (…) NOT VALID",
            true,
        )
    },
    Facts {
        locks: &[
            on(ShareRowExclusive, Target::Table),
            on(ShareRowExclusive, Target::Referenced),
        ],
        scan: Scan::Full(ShareRowExclusive),
        ..blocking(
            Kind::AddForeignKey,
            "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES r (k)",
            false,
            Scan::None,
        )
    },
    Facts {
        locks: &[
            on(ShareRowExclusive, Target::Table),
            on(ShareRowExclusive, Target::Referenced),
        ],
        phases: [Yes, Yes, Yes],
        ..brief_alter(
            Kind::AddForeignKeyNotValid,
            "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (c) REFERENCES r (k) NOT VALID",
            true,
        )
    },
    quiet(
        Kind::ValidateConstraint,
        "ALTER TABLE t VALIDATE CONSTRAINT k",
        &[
            on(ShareUpdateExclusive, Target::Table),
            on(RowShare, Target::Referenced),
        ],
        Scan::Full(ShareUpdateExclusive),
        true,
        [Yes, Yes, Yes],
    ),
    Facts {
        locks: &[on(AccessExclusive, Target::Table), on(Share, Target::Table)],
        ..blocking(
            Kind::AddKey,
            "ALTER TABLE t ADD PRIMARY KEY (c) | ADD UNIQUE (c)",
            false,
            Scan::Full(AccessExclusive),
        )
    },
    Facts {
        phases: [Yes, No(SCHEMA_IN_BACKFILL), Yes],
        ..brief_alter(
            Kind::AddKeyUsingIndex,
            "ALTER TABLE t ADD CONSTRAINT k PRIMARY KEY | UNIQUE USING INDEX i",
            true,
        )
    },
    Facts {
        backward_compatible: false,
        ..blocking(
            Kind::SetNotNull,
            "ALTER TABLE t ALTER COLUMN c SET NOT NULL",
            false,
            Scan::Full(AccessExclusive),
        )
    },
    Facts {
        since: 12,
        ..brief_alter(
            Kind::SetNotNullProven,
            "ALTER TABLE t ALTER COLUMN c SET NOT NULL (a valid CHECK (c IS NOT NULL) proves it)",
            false,
        )
    },
    brief_alter(
        Kind::DropNotNull,
        "ALTER TABLE t ALTER COLUMN c DROP NOT NULL",
        true,
    ),
    brief_alter(
        Kind::SetDefault,
        "ALTER TABLE t ALTER COLUMN c SET DEFAULT e",
        true,
    ),
    brief_alter(
        Kind::DropDefault,
        "ALTER TABLE t ALTER COLUMN c DROP DEFAULT",
        false,
    ),
    Facts {
        backward_compatible: false,
        ..blocking(
            Kind::AlterColumnType,
            "ALTER TABLE t ALTER COLUMN c TYPE T",
            true,
            Scan::Full(AccessExclusive),
        )
    },
    brief_alter(Kind::DropColumn, "ALTER TABLE t DROP COLUMN c", false),
    brief_alter(
        Kind::RenameColumn,
        "ALTER TABLE t RENAME COLUMN a TO b",
        false,
    ),
    brief_alter(Kind::RenameTable, "ALTER TABLE t RENAME TO u", false),
    brief_alter(
        Kind::RenameConstraint,
        "ALTER TABLE t RENAME CONSTRAINT a TO b",
        true,
    ),
    brief_alter(
        Kind::DropConstraint,
        "ALTER TABLE t DROP CONSTRAINT k (a check)",
        true,
    ),
    Facts {
        locks: &[
            on(AccessExclusive, Target::Table),
            on(AccessExclusive, Target::Referenced),
        ],
        hold: BRIEF,
        ..brief_alter(
            Kind::DropForeignKey,
            "ALTER TABLE t DROP CONSTRAINT f",
            true,
        )
    },
    Facts {
        locks: &[
            on(AccessExclusive, Target::Table),
            on(AccessExclusive, Target::Referenced),
        ],
        hold: " (and briefly on the tables referenced)",
        ..brief_alter(Kind::DropTable, "DROP TABLE t", false)
    },
    lock_free(
        Kind::CreateFunction,
        "CREATE OR REPLACE FUNCTION f() …",
        "(a function touches no table)",
        [Yes, Yes, Yes],
    ),
    lock_free(
        Kind::DropFunction,
        "DROP FUNCTION f()",
        "(a function touches no table)",
        [No(OLD_CODE_RUNS), No(OLD_CODE_RUNS), Yes],
    ),
    Facts {
        locks: &[on(ShareRowExclusive, Target::Table)],
        hold: BRIEF,
        ..brief_alter(Kind::CreateTrigger, "CREATE TRIGGER g … ON t …", true)
    },
    Facts {
        hold: BRIEF,
        ..brief_alter(Kind::DropTrigger, "DROP TRIGGER g ON t", false)
    },
    Facts {
        locks: &[
            on(AccessShare, Target::Table),
            on(AccessExclusive, Target::Created),
        ],
        hold: "",
        ..brief_alter(Kind::CreateView, "CREATE VIEW v AS SELECT … FROM t", true)
    },
    Facts {
        locks: &[on(AccessExclusive, Target::View)],
        ..brief_alter(Kind::DropView, "DROP VIEW v", false)
    },
    lock_free(
        Kind::CreateSchema,
        "CREATE SCHEMA s",
        "",
        [Yes, No(SCHEMA_IN_BACKFILL), Yes],
    ),
    lock_free(
        Kind::DropSchema,
        "DROP SCHEMA s",
        "",
        [No(OLD_CODE_RUNS), No(OLD_CODE_RUNS), Yes],
    ),
    // PostgreSQL 18 locks the relation it grants on (measured: 17 does not).
    Facts {
        locks: &[on_from(18, AccessShare, Target::View)],
        hold: BRIEF_CATALOG,
        ..lock_free(Kind::Grant, "GRANT … ON v TO role", "", [Yes, Yes, Yes])
    },
    Facts {
        kind: Kind::BackfillBatch,
        form: "UPDATE t SET c = e WHERE … (in keyset batches)",
        locks: &[on(RowExclusive, Target::Table)],
        row_locks: RowLocks::Batch,
        rewrite: false,
        scan: Scan::Batched,
        transactional: true,
        backward_compatible: true,
        hold: "; row locks on one batch at a time",
        no_lock_note: "",
        since: MIN_SUPPORTED,
        phases: [No(DATA_IN_BACKFILL), Yes, No(DATA_IN_BACKFILL)],
    },
    Facts {
        kind: Kind::Update,
        form: "UPDATE t SET … | DELETE FROM t … (one statement)",
        locks: &[on(RowExclusive, Target::Table)],
        row_locks: RowLocks::Every,
        rewrite: false,
        scan: Scan::Full(RowExclusive),
        transactional: true,
        backward_compatible: true,
        hold: "; row locks on every row it changes, until it commits",
        no_lock_note: "",
        since: MIN_SUPPORTED,
        phases: [If(NewTable), Yes, If(NewTable)],
    },
    quiet(
        Kind::Vacuum,
        "VACUUM t",
        &[on(ShareUpdateExclusive, Target::Table)],
        Scan::Full(ShareUpdateExclusive),
        false,
        [Yes, Yes, Yes],
    ),
    Facts {
        transactional: false,
        ..blocking(
            Kind::VacuumFull,
            "VACUUM FULL t",
            true,
            Scan::Full(AccessExclusive),
        )
    },
    blocking(
        Kind::Cluster,
        "CLUSTER t USING i",
        true,
        Scan::Full(AccessExclusive),
    ),
    Facts {
        locks: &[on(Share, Target::Table), on(AccessExclusive, Target::Index)],
        ..blocking(
            Kind::Reindex,
            "REINDEX TABLE t | INDEX i",
            false,
            Scan::Full(Share),
        )
    },
    Facts {
        since: 12,
        ..quiet(
            Kind::ReindexConcurrently,
            "REINDEX … CONCURRENTLY",
            &[
                on(ShareUpdateExclusive, Target::Table),
                on(ShareUpdateExclusive, Target::Index),
            ],
            Scan::TwoFull(ShareUpdateExclusive),
            false,
            [Yes, Yes, Yes],
        )
    },
    blocking(
        Kind::SetLogged,
        "ALTER TABLE t SET LOGGED | SET UNLOGGED",
        true,
        Scan::Full(AccessExclusive),
    ),
    Facts {
        kind: Kind::UpdateFew,
        form: "UPDATE t … | DELETE FROM t … WHERE id = 7 (a few rows: by key, a short range, a LIMIT-ed batch)",
        locks: &[on(RowExclusive, Target::Table)],
        row_locks: RowLocks::Batch,
        rewrite: false,
        scan: Scan::Keyed,
        transactional: true,
        backward_compatible: true,
        hold: "; row locks on the rows it changes, until it commits",
        no_lock_note: "",
        since: MIN_SUPPORTED,
        phases: [Yes, Yes, Yes],
    },
    brief_alter(Kind::SetSchema, "ALTER TABLE t SET SCHEMA s", false),
    brief_alter(
        Kind::DropIdentity,
        "ALTER TABLE t ALTER COLUMN c DROP IDENTITY | SET GENERATED ALWAYS",
        false,
    ),
    lock_free(
        Kind::RenameEnumValue,
        "ALTER TYPE e RENAME VALUE 'a' TO 'b'",
        "(a type, no table)",
        [No(OLD_CODE_RUNS), No(OLD_CODE_RUNS), Yes],
    ),
    Facts {
        rewrite: true,
        hold: " on the view, for the whole query",
        phases: [If(NewTable), If(NewTable), If(NewTable)],
        ..brief_alter(
            Kind::RefreshMaterializedView,
            "REFRESH MATERIALIZED VIEW v",
            true,
        )
    },
    brief_alter(
        Kind::DetachPartition,
        "ALTER TABLE p DETACH PARTITION c",
        false,
    ),
    Facts {
        backward_compatible: false,
        since: 14,
        ..quiet(
            Kind::DetachPartitionConcurrently,
            "ALTER TABLE p DETACH PARTITION c CONCURRENTLY",
            &[on(ShareUpdateExclusive, Target::Table)],
            Scan::None,
            false,
            [No(OLD_CODE_RUNS), No(OLD_CODE_RUNS), Yes],
        )
    },
    Facts {
        locks: &[on(ShareRowExclusive, Target::Table)],
        rewrite: true,
        hold: ", brief: the lock is on the sequence (inserts calling nextval wait), AS rewrites its one page, OWNED BY takes ACCESS SHARE on the table",
        ..brief_alter(
            Kind::AlterSequence,
            "ALTER SEQUENCE s AS bigint OWNED BY t.c",
            true,
        )
    },
];

/// The row of `kind` (the rows are in [`Kind`] order: a test checks it).
pub(super) fn facts(kind: Kind) -> &'static Facts {
    &CATALOGUE[kind as usize]
}
