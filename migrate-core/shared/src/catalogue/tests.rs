use super::*;

/// Every variant, by an exhaustive match: a new kind without a row fails to compile here.
fn variant_index(k: Kind) -> usize {
    match k {
        Kind::CreateTable
        | Kind::CreateIndex
        | Kind::CreateIndexConcurrently
        | Kind::DropIndex
        | Kind::DropIndexConcurrently
        | Kind::RenameIndex
        | Kind::AddColumn
        | Kind::AddColumnRewrite
        | Kind::AddCheck
        | Kind::AddCheckNotValid
        | Kind::AddForeignKey
        | Kind::AddForeignKeyNotValid
        | Kind::ValidateConstraint
        | Kind::AddKey
        | Kind::AddKeyUsingIndex
        | Kind::SetNotNull
        | Kind::SetNotNullProven
        | Kind::DropNotNull
        | Kind::SetDefault
        | Kind::DropDefault
        | Kind::AlterColumnType
        | Kind::DropColumn
        | Kind::RenameColumn
        | Kind::RenameTable
        | Kind::RenameConstraint
        | Kind::DropConstraint
        | Kind::DropForeignKey
        | Kind::DropTable
        | Kind::CreateFunction
        | Kind::DropFunction
        | Kind::CreateTrigger
        | Kind::DropTrigger
        | Kind::CreateView
        | Kind::DropView
        | Kind::CreateSchema
        | Kind::DropSchema
        | Kind::Grant
        | Kind::BackfillBatch
        | Kind::Update
        | Kind::Vacuum
        | Kind::VacuumFull
        | Kind::Cluster
        | Kind::Reindex
        | Kind::ReindexConcurrently
        | Kind::SetLogged
        | Kind::UpdateFew
        | Kind::SetSchema
        | Kind::DropIdentity
        | Kind::RenameEnumValue
        | Kind::RefreshMaterializedView
        | Kind::DetachPartition
        | Kind::DetachPartitionConcurrently
        | Kind::AlterSequence
        | Kind::AddIdentity
        | Kind::SetSequenceValue
        | Kind::RenameSequence
        | Kind::Comment
        | Kind::CreateExtension
        | Kind::CreateType
        | Kind::AddEnumValue
        | Kind::DropType => k as usize,
    }
}

#[test]
fn every_kind_has_its_own_row_in_order() {
    let all: Vec<Kind> = Kind::all().collect();
    assert_eq!(all.len(), Kind::DropType as usize + 1);
    for (i, k) in all.iter().enumerate() {
        assert_eq!(variant_index(*k), i, "{k:?} is out of order");
        assert_eq!(k.facts().kind, *k);
    }
}

/// What the old code cannot live with never runs while it does.
#[test]
fn phases_follow_backward_compatibility() {
    for k in Kind::all() {
        let f = k.facts();
        if !f.backward_compatible {
            for phase in [Phase::Expand, Phase::Backfill] {
                assert!(
                    !matches!(f.phases[phase as usize], Allowance::Yes),
                    "{k:?} breaks the old code but {phase} allows it"
                );
            }
        }
        // A statement that blocks traffic for a scan or a rewrite is only for new tables.
        let long_and_blocking = (f.rewrites_a_table()
            || !matches!(f.scan, Scan::None | Scan::Batched | Scan::Keyed))
            && f.blocks_traffic()
            && f.row_locks == RowLocks::None;
        if long_and_blocking {
            for phase in Phase::ALL {
                assert!(
                    !f.allowed_in(phase, false),
                    "{k:?} blocks traffic for a scan or rewrite, yet {phase} allows it on a table in use"
                );
            }
        }
    }
}

#[test]
fn lock_lines_read_as_the_headers_say() {
    let t = "\"t\"";
    assert_eq!(
        Kind::AddColumn.facts().lock_text(&On::table(t)),
        "ACCESS EXCLUSIVE on \"t\", brief (catalog only)"
    );
    assert_eq!(
        Kind::ValidateConstraint
            .facts()
            .lock_text(&On::with(t, "\"r\"")),
        "SHARE UPDATE EXCLUSIVE on \"t\" (reads and writes continue), ROW SHARE on \"r\""
    );
    assert_eq!(
        Kind::AddForeignKeyNotValid
            .facts()
            .lock_text(&On::with(t, "\"r\"")),
        "SHARE ROW EXCLUSIVE on \"t\" and \"r\", brief (catalog only)"
    );
    assert_eq!(
        Kind::DropForeignKey
            .facts()
            .lock_text(&On::with(t, "\"r\"")),
        "ACCESS EXCLUSIVE on \"t\" and \"r\", brief"
    );
    assert_eq!(
        Kind::CreateFunction.facts().lock_text(&On::table(t)),
        "none (a function touches no table)"
    );
    assert_eq!(
        Kind::BackfillBatch.facts().lock_text(&On::table(t)),
        "ROW EXCLUSIVE on \"t\"; row locks on one batch at a time"
    );
    assert_eq!(
        Kind::CreateIndexConcurrently.facts().scan_text().as_deref(),
        Some("two full scans, not blocking writes")
    );
    assert_eq!(
        Kind::AddCheck.facts().scan_text().as_deref(),
        Some("full scan, blocking reads and writes")
    );
}

#[test]
fn only_the_long_quiet_statements_wait_without_a_timeout() {
    let waiting: Vec<Kind> = Kind::all()
        .filter(|k| k.facts().waits_without_timeout())
        .collect();
    assert_eq!(
        waiting,
        [
            Kind::CreateIndexConcurrently,
            Kind::DropIndexConcurrently,
            Kind::RenameIndex,
            Kind::ValidateConstraint,
            Kind::Vacuum,
            Kind::ReindexConcurrently,
            Kind::DetachPartitionConcurrently,
            Kind::Comment,
        ]
    );
    assert!(!Kind::CreateView.facts().blocks_traffic());
    assert!(!Kind::CreateView.facts().waits_without_timeout());
}

/// `docs/catalogue.md` is the catalogue as it is (`UPDATE_DOCS=1 cargo test` rewrites it).
#[test]
fn the_reference_page_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/catalogue.md");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let (head, _) = text.split_once("<!-- table -->").unwrap_or((&text, ""));
    let fresh = format!("{head}<!-- table -->\n{}", markdown());
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &fresh).unwrap_or_else(|e| panic!("{path}: {e}"));
    } else {
        assert!(
            text == fresh,
            "{path} is not the catalogue: run `UPDATE_DOCS=1 cargo test -p migrate-shared --lib catalogue`"
        );
    }
}

/// What the planner and the linter rely on holds from the versions the catalogue names, and
/// on the server the suite runs (PostgreSQL 15) every row holds.
#[test]
fn versions_are_the_ones_postgres_introduced() {
    assert_eq!(Kind::AddColumn.facts().since, 11);
    assert_eq!(Kind::SetNotNullProven.facts().since, 12);
    assert_eq!(Kind::RenameIndex.facts().since, 12);
    assert_eq!(Kind::ReindexConcurrently.facts().since, 12);
    assert!(Kind::all().all(|k| k.facts().since <= 15 && k.facts().since >= MIN_SUPPORTED));
}
