//! Index steps on existing tables: concurrent builds and drops, renames, and an index built
//! under a temporary name and renamed once the index holding its name is gone. A UNIQUE
//! constraint is its unique index built concurrently, then attached (`ADD CONSTRAINT …
//! UNIQUE USING INDEX`, catalog only), and dropped with `DROP CONSTRAINT` (which takes the
//! index along).

use super::names;
use crate::catalogue::{Kind, On};
use crate::model::Index;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Step};
use crate::sql::{ident, table_ref};

/// Backfill: a new index built without blocking writes.
pub fn build(table: &str, ix: &Index) -> Step {
    Step {
        down: vec![Down::new(
            Kind::DropIndexConcurrently,
            ddl::drop_index_concurrently(table, &ix.name),
        )],
        ..Step::new(
            Phase::Backfill,
            Kind::CreateIndexConcurrently,
            table,
            format!(
                "Build index {} without blocking writes. If it fails it leaves an INVALID index: drop it with DROP INDEX CONCURRENTLY and run again.",
                ident(&ix.name)
            ),
            ddl::create_index(table, ix, true),
        )
    }
}

/// An index taking over a name still in use (redefined, or moved from another table):
/// built concurrently under a temporary name in backfill, renamed in contract once the
/// old index is dropped, so the table is never without one of them.
pub fn build_then_rename(table: &str, ix: &Index) -> [Step; 2] {
    let temp = names::temp_name(&ix.name);
    let built = build(
        table,
        &Index {
            name: temp.clone(),
            ..ix.clone()
        },
    );
    if ix.constraint {
        return [built, attach(table, ix, &temp)];
    }
    let renamed = Step {
        phase: Phase::Contract,
        ..rename(table, &temp, &ix.name)
    };
    [built, renamed]
}

/// Contract: the UNIQUE constraint `ix` made from the valid unique index `index` (which
/// takes the constraint's name).
pub fn attach(table: &str, ix: &Index, index: &str) -> Step {
    let bare = Index {
        name: index.to_owned(),
        constraint: false,
        ..ix.clone()
    };
    attach_key(
        table,
        &ix.name,
        &bare,
        ddl::add_unique_using_index(table, &ix.name, index),
        format!(
            "Make {} the UNIQUE constraint {} (catalog only: the index already enforces it).",
            ident(index),
            ident(&ix.name)
        ),
    )
}

/// Contract: the key constraint `constraint` made from the valid unique index `index` by
/// `sql` (`ADD CONSTRAINT … PRIMARY KEY | UNIQUE USING INDEX`); the down drops the
/// constraint and builds the bare index again under its name.
pub fn attach_key(
    table: &str,
    constraint: &str,
    index: &Index,
    sql: String,
    summary: String,
) -> Step {
    Step {
        down: vec![
            Down::new(
                Kind::DropConstraint,
                ddl::drop_constraint(table, constraint, true),
            ),
            Down::new(
                Kind::CreateIndexConcurrently,
                ddl::create_index(table, index, true),
            ),
        ],
        down_atomic: false,
        ..Step::new(Phase::Contract, Kind::AddKeyUsingIndex, table, summary, sql)
    }
}

/// Contract: an index removed from the models, dropped without blocking writes once no
/// deployed code relies on it.
pub fn drop(table: &str, ix: &Index) -> Step {
    if ix.constraint {
        return drop_constraint(table, ix);
    }
    Step {
        down: vec![Down::new(
            Kind::CreateIndexConcurrently,
            ddl::create_index(table, ix, true),
        )],
        ..Step::new(
            Phase::Contract,
            Kind::DropIndexConcurrently,
            table,
            format!("Drop index {} without blocking writes.", ident(&ix.name)),
            ddl::drop_index_concurrently(table, &ix.name),
        )
    }
}

/// Contract: a UNIQUE constraint removed, with its index (brief ACCESS EXCLUSIVE: dropping
/// the constraint cannot be done concurrently); the down builds the index concurrently and
/// attaches it again.
fn drop_constraint(table: &str, ix: &Index) -> Step {
    let bare = Index {
        constraint: false,
        ..ix.clone()
    };
    Step {
        down: vec![
            Down::new(
                Kind::CreateIndexConcurrently,
                ddl::create_index(table, &bare, true),
            ),
            Down::new(
                Kind::AddKeyUsingIndex,
                ddl::add_unique_using_index(table, &ix.name, &ix.name),
            ),
        ],
        down_atomic: false,
        ..Step::new(
            Phase::Contract,
            Kind::DropConstraint,
            table,
            format!(
                "Drop the UNIQUE constraint {} and its index.",
                ident(&ix.name)
            ),
            ddl::drop_constraint(table, &ix.name, true),
        )
    }
}

/// Expand: an index keeps its definition under a new name (catalog only; SHARE UPDATE
/// EXCLUSIVE on the index since PostgreSQL 12, so reads and writes go on).
pub fn rename(table: &str, from: &str, to: &str) -> Step {
    Step {
        down: vec![Down::new(
            Kind::RenameIndex,
            ddl::rename_index(table, to, from, true),
        )],
        ..Step::on(
            Phase::Expand,
            Kind::RenameIndex,
            table,
            On::with(table_ref(table), ident(from)),
            format!("Rename index {} to {}.", ident(from), ident(to)),
            ddl::rename_index(table, from, to, true),
        )
    }
}
