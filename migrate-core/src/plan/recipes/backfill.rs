//! Batched backfills: `UPDATE … SET c = expr WHERE condition`, which a runner runs in
//! keyset batches along the primary key, each its own short transaction.

use crate::catalogue::Kind;
use crate::phase::Phase;
use crate::plan::step::{Batch, Reversible, Step};
use crate::sql::{ident, table_ref};

/// Rows per backfill batch: a few thousand keeps row-lock waits of the traffic in the tens
/// of milliseconds (docs/safety.md, invariant 4).
pub const BATCH_SIZE: u32 = 1000;

/// `"c" IS NULL`: the rows a NOT NULL backfill still has to fill.
pub fn is_null(column: &str) -> String {
    format!("{} IS NULL", ident(column))
}

/// Backfill: `column = expr` on the rows where `condition` holds, in keyset batches.
pub fn backfill(
    table: &str,
    key: &[String],
    column: &str,
    expr: &str,
    condition: String,
    reversible: Reversible,
) -> Step {
    Step {
        batch: Some(Batch {
            table: table.to_owned(),
            key: key.to_vec(),
            set: vec![(column.to_owned(), expr.to_owned())],
            condition: condition.clone(),
            batch_size: BATCH_SIZE,
        }),
        reversible,
        ..Step::new(
            Phase::Backfill,
            Kind::BackfillBatch,
            table,
            format!(
                "Backfill {} on existing rows, in batches of {BATCH_SIZE} (safe to re-run: done rows are skipped).",
                ident(column)
            ),
            format!(
                "UPDATE {} SET {} = ({expr}) WHERE {condition}",
                table_ref(table),
                ident(column)
            ),
        )
    }
}
