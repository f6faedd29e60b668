//! Tables removed from the models: acknowledged (`--allow-drop`), referenced by no
//! surviving table, and dropped together in one statement (PostgreSQL resolves the foreign
//! keys among them) first in contract, before any index their foreign keys rely on.
//! Destructive: the down recreates them empty.

use crate::catalogue::Kind;
use crate::model::Table;
use crate::phase::Phase;
use crate::plan::context::{Context, Planned};
use crate::plan::ddl;
use crate::plan::settings::PlanError;
use crate::plan::step::{Down, Reversible, Step};
use crate::sql::table_ref;

/// Files the drop of every dropped table, or refuses them.
pub fn plan(ctx: &Context<'_>, out: &mut Planned<'_>) {
    let dropped: Vec<&Table> = ctx.dropped().collect();
    let mut ok = true;
    for t in &dropped {
        if !ctx.opts.allow_drop.iter().any(|a| a == &t.name) {
            out.errors.push(PlanError::DropNotAcknowledged {
                what: format!("table \"{}\"", t.name),
                flag: t.name.clone(),
            });
            ok = false;
        }
        for other in ctx.new {
            if let Some(fk) = other.foreign_keys.iter().find(|f| f.ref_table == t.name) {
                out.errors.push(PlanError::Unsupported {
                    table: t.name.clone(),
                    change: format!("table \"{}\" removed from the models", t.name),
                    reason: format!(
                        "foreign key \"{}\" of table \"{}\" still references it; remove that reference first",
                        fk.name, other.name
                    ),
                });
                ok = false;
            }
        }
    }
    if ok && !dropped.is_empty() {
        out.table_drops.push(drop_tables(&dropped));
    }
}

fn drop_tables(tables: &[&Table]) -> Step {
    let names: Vec<String> = tables.iter().map(|t| table_ref(&t.name)).collect();
    let (many, all) = if names.len() > 1 {
        ("s", "them")
    } else {
        ("", "it")
    };
    Step {
        down: recreate(tables),
        reversible: Reversible::SchemaOnly(
            "contract.down.sql recreates the tables empty; their rows are not restored".into(),
        ),
        destroys: tables
            .iter()
            .map(|t| format!("table {}", table_ref(&t.name)))
            .collect(),
        ..Step::on(
            Phase::Contract,
            Kind::DropTable,
            &tables.first().map(|t| t.name.clone()).unwrap_or_default(),
            crate::catalogue::On::table(names.join(", ")),
            format!(
                "DESTRUCTIVE: drop table{many} {} and every row in {all}.",
                names.join(", ")
            ),
            format!("DROP TABLE {}", names.join(", ")),
        )
    }
}

/// The tables created from nothing (tables, then indexes, then foreign keys), empty.
fn recreate(tables: &[&Table]) -> Vec<Down> {
    let mut out: Vec<Down> = tables
        .iter()
        .map(|t| Down::new(Kind::CreateTable, ddl::create_table(t)))
        .collect();
    for t in tables {
        out.extend(
            ddl::comments_of(t)
                .into_iter()
                .map(|sql| Down::new(Kind::Comment, sql)),
        );
        out.extend(
            t.indexes
                .iter()
                .map(|ix| Down::new(Kind::CreateIndex, ddl::create_index(&t.name, ix, false))),
        );
    }
    for t in tables {
        out.extend(
            t.foreign_keys
                .iter()
                .map(|fk| Down::new(Kind::AddForeignKey, ddl::add_foreign_key(&t.name, fk))),
        );
    }
    out
}
