//! Column changes on existing tables: the NOT NULL check route (fill trigger, batched
//! backfill, `CHECK … NOT VALID`, `VALIDATE`, `SET NOT NULL`), defaults, dropping NOT NULL
//! and in-place type changes. Each function returns the steps of one concern; `mod.rs`
//! decides which apply.

use super::ddl::validate;
use super::{Batch, Phase, Reversible, Step};
use crate::model::Column;
use crate::sql::{ident, shorten_name};

/// Rows per backfill batch: a few thousand keeps row-lock waits of the traffic in the tens
/// of milliseconds (SAFETY.md, invariant 4).
pub const BATCH_SIZE: u32 = 1000;

fn brief(table: &str) -> String {
    format!("ACCESS EXCLUSIVE on {}, brief (catalog only)", ident(table))
}

fn alter(table: &str, column: &str, action: &str) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} {action}",
        ident(table),
        ident(column)
    )
}

/// Name of the temporary `CHECK (c IS NOT NULL)`.
pub fn check_name(table: &str, column: &str) -> String {
    shorten_name(&format!("{table}_{column}_not_null"))
}

/// Name of the fill trigger (per table).
pub fn fill_name(table: &str, column: &str) -> String {
    shorten_name(&format!("{table}_{column}_fill"))
}

/// Name of the fill trigger's function (schema-wide, so disambiguated by a hash).
pub fn fill_function_name(table: &str, column: &str) -> String {
    unique_function_name(&[table, column], "fill")
}

/// `<parts joined by _>_<suffix>_<8 hex of the exact parts>`, at most 63 bytes: function
/// names share the schema's namespace, and `a_b`.`c` must not collide with `a`.`b_c`.
pub fn unique_function_name(parts: &[&str], suffix: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(parts.join("\u{0}").as_bytes());
    let hex: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
    let base = shorten_name(&format!("{}_{suffix}", parts.join("_")));
    let room = crate::sql::MAX_IDENT_BYTES - 1 - hex.len();
    let mut cut = base.len().min(room);
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{hex}", &base[..cut])
}

/// A dollar-quote tag that does not occur in `body`.
fn dollar_tag(body: &str) -> String {
    let mut n = 0;
    loop {
        let tag = if n == 0 {
            "$migrate$".to_owned()
        } else {
            format!("$migrate{n}$")
        };
        if !body.contains(&tag) {
            return tag;
        }
        n += 1;
    }
}

fn fill_function_sql(table: &str, column: &str, expr: &str) -> String {
    let body = format!(
        "BEGIN\n  IF NEW.{c} IS NULL THEN\n    NEW.{c} := (SELECT ({expr}) FROM (SELECT NEW.*) AS {t});\n  END IF;\n  RETURN NEW;\nEND",
        c = ident(column),
        t = ident(table),
    );
    let tag = dollar_tag(&body);
    format!(
        "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {tag}\n{body}\n{tag}",
        ident(&fill_function_name(table, column))
    )
}

fn fill_trigger_sql(table: &str, column: &str) -> String {
    format!(
        "CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {}()",
        ident(&fill_name(table, column)),
        ident(table),
        ident(&fill_function_name(table, column))
    )
}

fn drop_trigger_sql(table: &str, column: &str) -> String {
    format!(
        "DROP TRIGGER IF EXISTS {} ON {}",
        ident(&fill_name(table, column)),
        ident(table)
    )
}

fn drop_function_sql(table: &str, column: &str) -> String {
    format!(
        "DROP FUNCTION IF EXISTS {}()",
        ident(&fill_function_name(table, column))
    )
}

/// Expand: a trigger that gives `column` the value of `expr` (evaluated on the written row)
/// whenever an insert or update leaves it NULL, so rows written by code that does not know
/// the column — or still writes NULL into it — never break the NOT NULL to come.
pub fn fill_trigger(table: &str, column: &str, expr: &str) -> Vec<Step> {
    vec![
        Step {
            down: vec![drop_function_sql(table, column)],
            ..Step::new(
                Phase::Expand,
                table,
                format!(
                    "Create the function of the trigger that fills {} on writes that leave it NULL.",
                    ident(column)
                ),
                fill_function_sql(table, column, expr),
                "none (a function touches no table)".into(),
            )
        },
        Step {
            down: vec![drop_trigger_sql(table, column)],
            ..Step::new(
                Phase::Expand,
                table,
                format!(
                    "Fill {} on every insert and update that leaves it NULL (old code does not write it).",
                    ident(column)
                ),
                fill_trigger_sql(table, column),
                format!("SHARE ROW EXCLUSIVE on {}, brief", ident(table)),
            )
        },
    ]
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
        scan: Some("every row once, batch by batch along the primary key".into()),
        reversible,
        ..Step::new(
            Phase::Backfill,
            table,
            format!(
                "Backfill {} on existing rows, in batches of {BATCH_SIZE} (safe to re-run: done rows are skipped).",
                ident(column)
            ),
            format!(
                "UPDATE {} SET {} = ({expr}) WHERE {condition}",
                ident(table),
                ident(column)
            ),
            format!(
                "ROW EXCLUSIVE on {}; row locks on one batch at a time",
                ident(table)
            ),
        )
    }
}

/// `"c" IS NULL`: the rows a NOT NULL backfill still has to fill.
pub fn is_null(column: &str) -> String {
    format!("{} IS NULL", ident(column))
}

/// `CHECK (c IS NOT NULL) NOT VALID` (catalog only) and its `VALIDATE` (a scan that
/// blocks no reads or writes).
pub fn not_null_check_sql(table: &str, column: &str) -> [String; 2] {
    let name = check_name(table, column);
    [
        format!(
            "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
            ident(table),
            ident(&name),
            ident(column)
        ),
        format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {}",
            ident(table),
            ident(&name)
        ),
    ]
}

/// The whole check route as statements run one by one (for down files): the check, its
/// validation, `SET NOT NULL` (proven, no scan), the check dropped.
pub fn set_not_null_sql(table: &str, column: &str) -> Vec<String> {
    let mut out = not_null_check_sql(table, column).to_vec();
    out.push(alter(table, column, "SET NOT NULL"));
    out.push(format!(
        "ALTER TABLE {} DROP CONSTRAINT {}",
        ident(table),
        ident(&check_name(table, column))
    ));
    out
}

/// Backfill: `CHECK (c IS NOT NULL) NOT VALID`, then `VALIDATE` (no blocking scan).
pub fn not_null_check(table: &str, column: &str) -> Vec<Step> {
    let name = check_name(table, column);
    vec![
        Step {
            down: vec![format!(
                "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
                ident(table),
                ident(&name)
            )],
            ..Step::new(
                Phase::Backfill,
                table,
                format!(
                    "Require {} on new and updated rows, without checking existing ones yet.",
                    ident(column)
                ),
                not_null_check_sql(table, column)[0].clone(),
                brief(table),
            )
        },
        validate(table, &name, "check", None),
    ]
}

/// Contract: `SET NOT NULL` (the valid check proves it: no scan), then the check, the
/// trigger and its function go.
pub fn set_not_null(table: &str, column: &str, expr: Option<&str>) -> Vec<Step> {
    let name = check_name(table, column);
    let mut steps = vec![
        Step {
            down: vec![alter(table, column, "DROP NOT NULL")],
            ..Step::new(
                Phase::Contract,
                table,
                format!(
                    "Make {} NOT NULL; the validated check proves it, so no scan.",
                    ident(column)
                ),
                alter(table, column, "SET NOT NULL"),
                brief(table),
            )
        },
        Step {
            down: not_null_check_sql(table, column).to_vec(),
            down_atomic: false,
            ..Step::new(
                Phase::Contract,
                table,
                format!("Drop the check {}, now redundant.", ident(&name)),
                format!(
                    "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
                    ident(table),
                    ident(&name)
                ),
                brief(table),
            )
        },
    ];
    if let Some(expr) = expr {
        steps.push(Step {
            down: vec![fill_trigger_sql(table, column)],
            ..Step::new(
                Phase::Contract,
                table,
                format!(
                    "Drop the trigger filling {}: every running instance writes it now.",
                    ident(column)
                ),
                drop_trigger_sql(table, column),
                format!("ACCESS EXCLUSIVE on {}, brief", ident(table)),
            )
        });
        steps.push(Step {
            down: vec![fill_function_sql(table, column, expr)],
            ..Step::new(
                Phase::Contract,
                table,
                "Drop the trigger's function.".into(),
                drop_function_sql(table, column),
                "none (a function touches no table)".into(),
            )
        });
    }
    steps
}

/// Expand: NOT NULL dropped (catalog only). Its down puts it back by the check route.
pub fn drop_not_null(table: &str, column: &str) -> Step {
    Step {
        down: set_not_null_sql(table, column),
        down_atomic: false,
        reversible: Reversible::Caveat(
            "the down fails if NULLs were written since; set them first".into(),
        ),
        ..Step::new(
            Phase::Expand,
            table,
            format!("Allow NULL in {}.", ident(column)),
            alter(table, column, "DROP NOT NULL"),
            brief(table),
        )
    }
}

/// A default set or changed (expand), or dropped (contract: old code may still insert
/// rows relying on it, and a NOT NULL column would then reject them). Catalog only:
/// existing rows keep their values.
pub fn set_default(table: &str, column: &str, from: Option<&str>, to: Option<&str>) -> Step {
    let action = |d: Option<&str>| match d {
        Some(d) => format!("SET DEFAULT {d}"),
        None => "DROP DEFAULT".to_owned(),
    };
    Step {
        down: vec![alter(table, column, &action(from))],
        ..Step::new(
            if to.is_some() {
                Phase::Expand
            } else {
                Phase::Contract
            },
            table,
            match to {
                Some(_) => format!("Set the default of {} for new rows.", ident(column)),
                None => format!(
                    "Drop the default of {} (no running code relies on it any more).",
                    ident(column)
                ),
            },
            alter(table, column, &action(to)),
            brief(table),
        )
    }
}

/// A column removed from the models. Expand relaxes it (DROP NOT NULL) so new code, which
/// no longer writes it, keeps inserting while old code still reads it; contract drops it
/// (destructive: its values are gone, the down brings the column back empty).
pub fn drop_column(table: &str, column: &Column) -> Vec<Step> {
    let mut steps = Vec::new();
    if !column.nullable && column.default.is_none() {
        steps.push(drop_not_null(table, &column.name));
    }
    // Back without its default first (a volatile default or identity would fill, even
    // rewrite, the table), then the default for new rows.
    let restored = Column {
        nullable: true,
        default: None,
        identity: false,
        ..column.clone()
    };
    let mut down = vec![format!(
        "ALTER TABLE {} ADD COLUMN {}",
        ident(table),
        super::ddl::column_def(&restored)
    )];
    if let Some(d) = column
        .default
        .as_deref()
        .filter(|d| !d.contains("nextval("))
    {
        down.push(alter(table, &column.name, &format!("SET DEFAULT {d}")));
    }
    steps.push(Step {
        down,
        reversible: Reversible::SchemaOnly(
            "contract.down.sql adds the column back, nullable and empty; its values are not restored"
                .into(),
        ),
        destroys: vec![format!("column {}.{}", ident(table), ident(&column.name))],
        ..Step::new(
            Phase::Contract,
            table,
            format!(
                "DESTRUCTIVE: drop column {} and its values (no deployed code uses it any more).",
                ident(&column.name)
            ),
            format!(
                "ALTER TABLE {} DROP COLUMN IF EXISTS {}",
                ident(table),
                ident(&column.name)
            ),
            brief(table),
        )
    });
    steps
}
