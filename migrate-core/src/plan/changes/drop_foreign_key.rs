//! A foreign key removed from the models: dropped in expand (relaxing). It takes ACCESS
//! EXCLUSIVE on both tables, briefly. Its down puts it back `NOT VALID`, then `VALIDATE`.

use crate::catalogue::{Kind, On};
use crate::model::ForeignKey;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::step::{Down, Reversible, Step};
use crate::sql::{ident, table_ref};

/// The step dropping `fk` from `table`.
pub fn plan(table: &str, fk: &ForeignKey) -> Step {
    let (t, r) = (table_ref(table), table_ref(&fk.ref_table));
    Step {
        down: vec![
            Down::new(
                Kind::AddForeignKeyNotValid,
                format!("{} NOT VALID", ddl::add_foreign_key(table, fk)),
            ),
            Down::new(
                Kind::ValidateConstraint,
                ddl::validate_constraint(table, &fk.name),
            ),
        ],
        down_atomic: false,
        reversible: Reversible::LosesData(
            "the down fails if rows without a match were written since".into(),
        ),
        ..Step::on(
            Phase::Expand,
            Kind::DropForeignKey,
            table,
            On::with(t.clone(), r.clone()),
            format!("Drop foreign key {} ({t} → {r}).", ident(&fk.name)),
            ddl::drop_constraint(table, &fk.name, true),
        )
    }
}
