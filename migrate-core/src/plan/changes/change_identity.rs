//! A column's identity added or dropped (its type and name unchanged).
//!
//! - Serial → identity (the default `nextval('<sequence>')` replaced by `identity`): in
//!   contract, one transaction: the default dropped, the serial's sequence renamed out of
//!   the way, the identity added under the sequence's old name and set to its next value.
//!   Inserts get numbers from one or the other throughout; the old sequence is kept for the
//!   down, detached from the column, as `<name>_migrate_old`.
//! - Identity dropped: in contract (old code's inserts rely on it until then), catalog only;
//!   the down adds it back, counting on from the column's highest value.
//! - Identity added to a column that has values: refused — old code still supplies its own
//!   values, which the identity would hand out again to new code.

use crate::catalogue::Kind;
use crate::model::Column;
use crate::phase::Phase;
use crate::plan::ddl;
use crate::plan::recipes::names;
use crate::plan::recipes::sequence::{
    add_identity, nextval_sequence, serial_sequence, set_to_next,
};
use crate::plan::step::{Down, Reversible, Step};
use crate::sql::{ident, in_schema_of, literal, table_ref};

/// The steps of the identity change of `from` → `to` on `table`, or why it is refused.
pub fn plan(table: &str, from: &Column, to: &Column) -> Result<Vec<Step>, String> {
    if from.identity {
        if to.default.is_some() {
            return Err(
                "drop the identity in one migration, and set the default in the next".into(),
            );
        }
        return Ok(vec![drop_identity(table, &to.name)]);
    }
    if to.default.is_some() {
        return Err("an identity column has no default: remove `default` from the field".into());
    }
    let Some(default) = from.default.as_deref() else {
        return Err("adding an identity to a column that has values is not planned: old code keeps supplying its own values, which the identity would hand out again to new code. Give the column a sequence default (`nextval`) in one migration, deploy code that stops supplying values, then make it `identity` (serial → identity is planned)".into());
    };
    let Some(parts) = nextval_sequence(default) else {
        return Err("the column's default is not `nextval('<sequence>')`: drop it in one migration, and add the identity in the next".into());
    };
    Ok(serial_to_identity(table, &to.name, default, &parts))
}

/// Contract: `DROP IDENTITY`; the down adds it back past the column's highest value.
fn drop_identity(table: &str, column: &str) -> Step {
    Step {
        down: vec![
            Down::new(Kind::AddIdentity, add_identity(table, column, None)),
            Down::new(
                Kind::SetSequenceValue,
                format!(
                    "SELECT setval({}, coalesce(max({}), 0) + 1, false) FROM {}",
                    serial_sequence(table, column),
                    ident(column),
                    table_ref(table)
                ),
            ),
        ],
        reversible: Reversible::Caveat(
            "the identity comes back counting on from the column's highest value".into(),
        ),
        ..Step::new(
            Phase::Contract,
            Kind::DropIdentity,
            table,
            format!(
                "Drop the identity of {} (no running code relies on it any more; its sequence goes with it).",
                ident(column)
            ),
            ddl::alter_column(table, column, "DROP IDENTITY IF EXISTS"),
        )
    }
}

/// Contract, one transaction: the serial's default and sequence replaced by an identity
/// under the sequence's name, counting on from it.
fn serial_to_identity(table: &str, column: &str, default: &str, parts: &[String]) -> Vec<Step> {
    let name = parts.last().map(String::as_str).unwrap_or_default();
    let old = in_schema_of(table, name);
    let kept = names::temp_old_name(name);
    let kept_ref = in_schema_of(table, &kept);
    let rename = |from: &str, to: &str| format!("ALTER SEQUENCE {from} RENAME TO {}", ident(to));
    let owned_by = |owner: &str| format!("ALTER SEQUENCE {kept_ref} OWNED BY {owner}");
    let shared = |s: Step| Step {
        shares_transaction: true,
        ..s
    };
    vec![
        shared(Step {
            down: vec![Down::new(
                Kind::SetDefault,
                ddl::alter_column(table, column, &format!("SET DEFAULT {default}")),
            )],
            ..Step::new(
                Phase::Contract,
                Kind::DropDefault,
                table,
                format!(
                    "Drop the serial default of {}: the identity below takes over.",
                    ident(column)
                ),
                ddl::alter_column(table, column, "DROP DEFAULT"),
            )
        }),
        shared(Step {
            down: vec![Down::new(Kind::RenameSequence, rename(&kept_ref, name))],
            ..Step::on(
                Phase::Contract,
                Kind::RenameSequence,
                table,
                crate::catalogue::On::table(old.clone()),
                format!(
                    "Keep the serial's sequence as {} (for the down; drop it once nothing calls it).",
                    ident(&kept)
                ),
                rename(&old, &kept),
            )
        }),
        shared(Step {
            down: vec![Down::new(
                Kind::AlterSequence,
                owned_by(&format!("{}.{}", table_ref(table), ident(column))),
            )],
            ..Step::on(
                Phase::Contract,
                Kind::AlterSequence,
                table,
                crate::catalogue::On::table(kept_ref.clone()),
                format!(
                    "Detach {} from the column (the column's sequence is the identity's from now on).",
                    ident(&kept)
                ),
                owned_by("NONE"),
            )
        }),
        shared(Step {
            down: vec![Down::new(
                Kind::DropIdentity,
                ddl::alter_column(table, column, "DROP IDENTITY IF EXISTS"),
            )],
            ..Step::new(
                Phase::Contract,
                Kind::AddIdentity,
                table,
                format!(
                    "Make {} an identity, its sequence named as the serial's was.",
                    ident(column)
                ),
                add_identity(table, column, Some(&old)),
            )
        }),
        shared(Step {
            down: vec![Down::new(
                Kind::SetSequenceValue,
                set_to_next(&literal(&kept_ref), &literal(&old)),
            )],
            ..Step::on(
                Phase::Contract,
                Kind::SetSequenceValue,
                table,
                crate::catalogue::On::table(old.clone()),
                "Count on from the serial's next value.".into(),
                set_to_next(&literal(&old), &literal(&kept_ref)),
            )
        }),
    ]
}
