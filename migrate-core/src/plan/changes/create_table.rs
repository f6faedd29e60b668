//! A new table: `CREATE TABLE` with its indexes in expand, in one transaction (the table is
//! new and empty: plain index builds). Its foreign keys come with the others, once every
//! column exists (see `add_foreign_key`).

use crate::catalogue::{Kind, On};
use crate::model::Table;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Reversible, Step};
use crate::sql::{ident, in_schema_of, split_table, table_ref};

/// Expand, first: `CREATE SCHEMA IF NOT EXISTS` for each schema other than `public` that a
/// new table lives in and no table had before. Never dropped by a down: the schema may hold
/// objects the models do not know.
pub fn schemas(created: &[&Table], old: &[Table]) -> Vec<Step> {
    let mut seen: Vec<&str> = old.iter().map(|t| split_table(&t.name).0).collect();
    seen.push("public");
    let mut steps = Vec::new();
    for t in created {
        let schema = split_table(&t.name).0;
        if seen.contains(&schema) {
            continue;
        }
        seen.push(schema);
        steps.push(Step {
            reversible: Reversible::Caveat(format!(
                "expand.down.sql leaves the schema {} in place (it may hold objects the models do not know)",
                ident(schema)
            )),
            ..Step::on(
                Phase::Expand,
                Kind::CreateSchema,
                &t.name,
                On::new_table(),
                format!("Create the schema {} the new tables live in.", ident(schema)),
                format!("CREATE SCHEMA IF NOT EXISTS {}", ident(schema)),
            )
        });
    }
    steps
}

/// The table and its indexes, in expand.
pub fn plan(t: &Table) -> Vec<Step> {
    let mut steps = vec![Step {
        down: vec![Down::new(
            Kind::DropTable,
            format!("DROP TABLE {}", table_ref(&t.name)),
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
            format!("Create table {}.", table_ref(&t.name)),
            ddl::create_table(t),
        )
    }];
    steps.extend(
        ddl::comments_of(t)
            .into_iter()
            .map(|sql| crate::plan::recipes::comment::with_new(&t.name, sql)),
    );
    // By name, as a snapshot keeps them: the SQL does not depend on declaration order.
    let mut indexes: Vec<_> = t.indexes.iter().collect();
    indexes.sort_by(|a, b| a.name.cmp(&b.name));
    for ix in indexes {
        steps.push(Step {
            // A constraint's index goes with the constraint.
            down: vec![if ix.constraint {
                Down::new(
                    Kind::DropConstraint,
                    ddl::drop_constraint(&t.name, &ix.name, true),
                )
            } else {
                Down::new(
                    Kind::DropIndex,
                    format!("DROP INDEX {}", in_schema_of(&t.name, &ix.name)),
                )
            }],
            shares_transaction: true,
            ..Step::on(
                Phase::Expand,
                Kind::CreateIndex,
                &t.name,
                On::new_table(),
                format!(
                    "Create index {} on the new table {} (empty, so no CONCURRENTLY needed).",
                    ident(&ix.name),
                    table_ref(&t.name)
                ),
                ddl::create_index(&t.name, ix, false),
            )
        });
        if ix.constraint {
            steps.push(unique_constraint(&t.name, ix));
        }
    }
    steps
}

/// The UNIQUE constraint made from the new table's index.
fn unique_constraint(table: &str, ix: &crate::model::Index) -> Step {
    Step {
        shares_transaction: true,
        ..Step::on(
            Phase::Expand,
            Kind::AddKeyUsingIndex,
            table,
            On::new_table(),
            format!(
                "Make {} a UNIQUE constraint of the new table.",
                ident(&ix.name)
            ),
            ddl::add_unique_using_index(table, &ix.name, &ix.name),
        )
    }
}
