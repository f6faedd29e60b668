//! Column defaults: set or changed in expand (new rows get it), dropped in contract (old
//! code may still insert rows relying on it, and a NOT NULL column would then reject them).
//! Catalog only: existing rows keep their values.

use crate::catalogue::Kind;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Step};
use crate::sql::ident;

fn action(d: Option<&str>) -> (Kind, String) {
    match d {
        Some(d) => (Kind::SetDefault, format!("SET DEFAULT {d}")),
        None => (Kind::DropDefault, "DROP DEFAULT".to_owned()),
    }
}

/// The default of `column` going from `from` to `to` (`None`: no default).
pub fn set(table: &str, column: &str, from: Option<&str>, to: Option<&str>) -> Step {
    let (undo_kind, undo) = action(from);
    let (kind, act) = action(to);
    Step {
        down: vec![Down::new(
            undo_kind,
            ddl::alter_column(table, column, &undo),
        )],
        ..Step::new(
            if to.is_some() {
                Phase::Expand
            } else {
                Phase::Contract
            },
            kind,
            table,
            match to {
                Some(_) => format!("Set the default of {} for new rows.", ident(column)),
                None => format!(
                    "Drop the default of {} (no running code relies on it any more).",
                    ident(column)
                ),
            },
            ddl::alter_column(table, column, &act),
        )
    }
}
