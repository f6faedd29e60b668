//! A new table: `CREATE TABLE` with its indexes in expand, in one transaction (the table is
//! new and empty: plain index builds). Its foreign keys come with the others, once every
//! column exists (see `add_foreign_key`).

use crate::catalogue::{Kind, On};
use crate::model::Table;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Reversible, Step};
use crate::sql::ident;

/// The table and its indexes, in expand.
pub fn plan(t: &Table) -> Vec<Step> {
    let mut steps = vec![Step {
        down: vec![Down::new(
            Kind::DropTable,
            format!("DROP TABLE {}", ident(&t.name)),
        )],
        reversible: Reversible::LosesData(
            "expand.down.sql drops the table, with any rows written since".into(),
        ),
        shares_transaction: true,
        ..Step::on(
            Phase::Expand,
            Kind::CreateTable,
            &t.name,
            On::new_table(),
            format!("Create table {}.", ident(&t.name)),
            ddl::create_table(t),
        )
    }];
    for ix in &t.indexes {
        steps.push(Step {
            down: vec![Down::new(
                Kind::DropIndex,
                format!("DROP INDEX {}", ident(&ix.name)),
            )],
            shares_transaction: true,
            ..Step::on(
                Phase::Expand,
                Kind::CreateIndex,
                &t.name,
                On::new_table(),
                format!(
                    "Create index {} on the new table {} (empty, so no CONCURRENTLY needed).",
                    ident(&ix.name),
                    ident(&t.name)
                ),
                ddl::create_index(&t.name, ix, false),
            )
        });
    }
    steps
}
