//! The schema of views exposing a migration's new shape: new code sets
//! `search_path = "<schema>", public` to read and write the new column names and types
//! while the old ones are still in place. Expand creates it last (every column exists
//! then); contract drops it last (the views follow the swapped columns).

use super::grants::grant_like;
use crate::catalogue::{Kind, On};
use crate::model::Table;
use crate::phase::Phase;
use crate::plan::step::{Down, Step};
use crate::sql::{full_table_ref, ident, split_table, table_ref};

/// A column of a table whose values live in another physical column until contract:
/// `(table, column, physical column)`.
pub type Physical = (String, String, String);

/// Every step of the version schema `schema` over `tables`.
pub fn steps(schema: &str, tables: &[&Table], physical: &[Physical]) -> Vec<Step> {
    let s = ident(schema);
    let first = tables.first().map(|t| t.name.as_str()).unwrap_or_default();
    let mut steps = vec![Step {
        down: vec![Down::new(
            Kind::DropSchema,
            format!("DROP SCHEMA IF EXISTS {s}"),
        )],
        ..Step::new(
            Phase::Expand,
            Kind::CreateSchema,
            first,
            format!(
                "Create the schema {s} where new code finds the new shape (search_path = {}).",
                search_path(schema, tables.iter().map(|t| t.name.as_str()))
            ),
            format!("CREATE SCHEMA IF NOT EXISTS {s}"),
        )
    }];
    for t in tables {
        steps.extend(view_steps(schema, t, physical));
    }
    steps.push(Step {
        down: vec![Down::new(
            Kind::CreateSchema,
            format!("CREATE SCHEMA IF NOT EXISTS {s}"),
        )],
        ..Step::new(
            Phase::Contract,
            Kind::DropSchema,
            first,
            format!("Drop the schema {s}."),
            format!("DROP SCHEMA IF EXISTS {s}"),
        )
    });
    steps
}

/// The `search_path` new code runs with: the version schema, then the schemas of `tables` (keys)
/// (`public` last), e.g. `"v_…", "billing", public`.
pub fn search_path<'a>(schema: &str, tables: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = vec![ident(schema)];
    for t in tables {
        let own = split_table(t).0;
        if own != "public" && !out.contains(&ident(own)) {
            out.push(ident(own));
        }
    }
    out.push("public".into());
    out.join(", ")
}

/// A table's view (expand), its grants, and its drop (contract).
fn view_steps(schema: &str, t: &Table, physical: &[Physical]) -> Vec<Step> {
    let s = ident(schema);
    let cols: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            match physical
                .iter()
                .find(|(tb, col, _)| *tb == t.name && *col == c.name)
            {
                Some((_, _, p)) => format!("{} AS {}", ident(p), ident(&c.name)),
                None => ident(&c.name),
            }
        })
        .collect();
    let view = format!("{s}.{}", ident(split_table(&t.name).1));
    let select = |cols: &[String]| {
        format!(
            "CREATE OR REPLACE VIEW {view} AS SELECT {} FROM {}",
            cols.join(", "),
            full_table_ref(&t.name)
        )
    };
    // Undone at the start of contract.down.sql, when the swapped columns already have
    // their final names; the view then follows them back as the swap is undone.
    let swapped: Vec<String> = t.columns.iter().map(|c| ident(&c.name)).collect();
    vec![
        Step {
            down: vec![Down::new(
                Kind::DropView,
                format!("DROP VIEW IF EXISTS {view}"),
            )],
            ..Step::new(
                Phase::Expand,
                Kind::CreateView,
                &t.name,
                format!(
                    "Expose {} as new code sees it: a simple view, so it takes inserts and updates.",
                    table_ref(&t.name)
                ),
                select(&cols),
            )
        },
        grant_like(&t.name, &view, Some(schema)),
        Step {
            down: vec![Down::new(Kind::CreateView, select(&swapped))],
            ..Step::on(
                Phase::Contract,
                Kind::DropView,
                &t.name,
                On::with(table_ref(&t.name), view.clone()),
                format!(
                    "Drop the view {view}: the table has the new shape now, and new code reaches it through {}.",
                    match split_table(&t.name).0 {
                        "public" => "public".to_owned(),
                        other => ident(other),
                    }
                ),
                format!("DROP VIEW IF EXISTS {view}"),
            )
        },
    ]
}
