//! Column renames by expand/contract, and the schema of views new code reads through.
//!
//! Expand adds the new column and a trigger keeping old and new in sync on every write, from
//! old code (which writes the old name) and new code (the new name) alike; backfill copies
//! the existing rows in batches; contract drops the trigger and the old column. The old
//! column's default moves into the trigger during the transition: a default would fill the
//! old column on an insert by new code before the trigger could copy the new value over.

use super::columns;
use super::ddl::column_def;
use super::{Phase, Reversible, Step};
use crate::model::{Column, Index, Table};
use crate::sql::{ident, literal, shorten_name};

/// Name of the sync trigger (per table).
pub fn sync_name(table: &str, from: &str, to: &str) -> String {
    shorten_name(&format!("{table}_{from}_{to}_sync"))
}

/// Name of the sync trigger's function: functions share the schema's namespace, so it
/// carries a hash of the exact (table, columns) — "a_b"."c" and "a"."b_c" stay apart.
pub fn sync_function_name(table: &str, from: &str, to: &str) -> String {
    columns::unique_function_name(&[table, from, to], "sync")
}

fn is_string(ty: &str) -> bool {
    ty == "text" || ty.starts_with("character varying") || ty.starts_with("character(")
}

/// `x` converted from `from` to `to`. Between string types no explicit cast: an explicit
/// `::varchar(n)` silently truncates a longer value, while an assignment raises "value too
/// long" — a shrink must fail loudly, never cut data.
fn cast(x: &str, from: &str, to: &str) -> String {
    if from == to || (is_string(from) && is_string(to)) {
        x.to_owned()
    } else {
        format!("({x})::{to}")
    }
}

fn sync_function_sql(table: &str, from: &Column, to: &Column, p: &str) -> String {
    let (o, n) = (ident(&from.name), ident(p));
    let fwd = cast(&format!("NEW.{o}"), &from.sql_type, &to.sql_type);
    let back = cast(&format!("NEW.{n}"), &to.sql_type, &from.sql_type);
    let both_null = match &from.default {
        Some(d) => format!(
            "    IF NEW.{n} IS NULL AND NEW.{o} IS NULL THEN\n      NEW.{o} := {d};\n    END IF;\n"
        ),
        None => String::new(),
    };
    let body = format!(
        "BEGIN\n  IF TG_OP = 'INSERT' THEN\n{both_null}    IF NEW.{n} IS NULL THEN\n      NEW.{n} := {fwd};\n    ELSIF NEW.{o} IS NULL THEN\n      NEW.{o} := {back};\n    END IF;\n  ELSIF NEW.{o} IS DISTINCT FROM OLD.{o} THEN\n    NEW.{n} := {fwd};\n  ELSIF NEW.{n} IS DISTINCT FROM OLD.{n} AND NEW.{n} IS DISTINCT FROM {fwd} THEN\n    NEW.{o} := {back};\n  ELSIF NEW.{n} IS NULL THEN\n    NEW.{n} := {fwd};\n  END IF;\n  RETURN NEW;\nEND"
    );
    let tag = if body.contains("$migrate$") {
        "$migrate_sync$"
    } else {
        "$migrate$"
    };
    format!(
        "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {tag}\n{body}\n{tag}",
        ident(&sync_function_name(table, &from.name, p))
    )
}

fn sync_trigger_sql(table: &str, from: &str, to: &str) -> String {
    format!(
        "CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {}()",
        ident(&sync_name(table, from, to)),
        ident(table),
        ident(&sync_function_name(table, from, to))
    )
}

fn drop_trigger_sql(table: &str, from: &str, to: &str) -> String {
    format!(
        "DROP TRIGGER IF EXISTS {} ON {}",
        ident(&sync_name(table, from, to)),
        ident(table)
    )
}

fn drop_function_sql(table: &str, from: &str, to: &str) -> String {
    format!(
        "DROP FUNCTION IF EXISTS {}()",
        ident(&sync_function_name(table, from, to))
    )
}

fn alter(table: &str, column: &str, action: &str) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} {action}",
        ident(table),
        ident(column)
    )
}

fn brief(table: &str) -> String {
    format!("ACCESS EXCLUSIVE on {}, brief (catalog only)", ident(table))
}

/// Name of the temporary column holding a column's values in its new type.
pub fn temp_name(column: &str) -> String {
    shorten_name(&format!("{column}_migrate_new"))
}

/// Every step of replacing column `from` by `to` on `table` (whose primary key is `key`):
/// a rename (`to` has another name, same type), or a type change (same name, the new
/// values live in the temporary column `p` until contract swaps it in; `indexes` on the
/// column are built on `p` in backfill and take their names back in the swap).
pub fn replace_column(
    table: &str,
    key: &[String],
    from: &Column,
    to: &Column,
    p: &str,
    indexes: &[Index],
) -> Vec<Step> {
    let (o, n) = (from.name.as_str(), p);
    let swap = p != to.name;
    let mut steps = Vec::new();
    // Expand: the new column, empty and without a default; the old default moves into
    // the trigger; the trigger.
    let empty = Column {
        name: p.to_owned(),
        nullable: true,
        default: None,
        identity: false,
        ..to.clone()
    };
    steps.push(Step {
        down: vec![format!(
            "ALTER TABLE {} DROP COLUMN IF EXISTS {}",
            ident(table),
            ident(n)
        )],
        reversible: Reversible::Caveat(
            "values written only through the new name since are kept in the old column by the trigger"
                .into(),
        ),
        ..Step::new(
            Phase::Expand,
            table,
            if swap {
                format!(
                    "Add {} to hold {} as {}, filled by the sync trigger below.",
                    ident(n),
                    ident(o),
                    to.sql_type
                )
            } else {
                format!(
                    "Add {} (the new name of {}), filled by the sync trigger below.",
                    ident(n),
                    ident(o)
                )
            },
            format!("ALTER TABLE {} ADD COLUMN {}", ident(table), column_def(&empty)),
            brief(table),
        )
    });
    steps.push(Step {
        down: vec![drop_function_sql(table, o, n)],
        ..Step::new(
            Phase::Expand,
            table,
            format!(
                "Create the function keeping {} and {} equal on every write.",
                ident(o),
                ident(n)
            ),
            sync_function_sql(table, from, to, p),
            "none (a function touches no table)".into(),
        )
    });
    steps.push(Step {
        down: vec![drop_trigger_sql(table, o, n)],
        shares_transaction: true,
        ..Step::new(
            Phase::Expand,
            table,
            format!(
                "Sync {} and {} on every insert and update, from old and new code alike.",
                ident(o),
                ident(n)
            ),
            sync_trigger_sql(table, o, n),
            format!("SHARE ROW EXCLUSIVE on {}, brief", ident(table)),
        )
    });
    // The default moves into the trigger in the trigger's own transaction: in between, an
    // insert by old code that omits the column would find neither.
    if let Some(d) = &from.default {
        steps.push(Step {
            down: vec![alter(table, o, &format!("SET DEFAULT {d}"))],
            shares_transaction: true,
            allow: vec![(
                "expand-drop-default".into(),
                "the sync trigger created just before supplies it from now on".into(),
            )],
            ..Step::new(
                Phase::Expand,
                table,
                format!(
                    "Move the default of {} into the sync trigger (a column default would hide inserts by new code from it).",
                    ident(o)
                ),
                alter(table, o, "DROP DEFAULT"),
                brief(table),
            )
        });
    }
    // Backfill: copy, then NOT NULL by the check route.
    steps.push(columns::backfill(
        table,
        key,
        n,
        &cast(&ident(o), &from.sql_type, &to.sql_type),
        format!("{} IS NULL AND {} IS NOT NULL", ident(n), ident(o)),
        Reversible::NothingToUndo,
    ));
    if !to.nullable {
        steps.extend(columns::not_null_check(table, n));
    }
    // The column's indexes, built on the new column without blocking writes; the swap
    // drops the old ones with the old column and gives the new ones their names.
    let on_new = |ix: &Index| Index {
        name: super::ddl::temp_index_name(&ix.name),
        columns: ix
            .columns
            .iter()
            .map(|c| if c == o { n.to_owned() } else { c.clone() })
            .collect(),
        ..ix.clone()
    };
    for ix in indexes {
        steps.push(super::ddl::create_index_concurrently(table, &on_new(ix)));
    }
    // Contract: the new column takes over NOT NULL and the default; then the trigger and
    // the old column go in one transaction (with the swap's rename): between the two, an
    // insert by new code would leave the old, still NOT NULL, column empty.
    if !to.nullable {
        steps.extend(columns::set_not_null(table, n, None));
    }
    if let Some(d) = &to.default {
        steps.push(Step {
            phase: Phase::Contract,
            ..columns::set_default(table, n, None, Some(d))
        });
    }
    let mut restore = vec![
        format!(
            "ALTER TABLE {} ADD COLUMN {}",
            ident(table),
            column_def(&Column {
                nullable: true,
                default: None,
                ..from.clone()
            })
        ),
        format!(
            "UPDATE {} SET {} = {}",
            ident(table),
            ident(o),
            cast(&ident(n), &to.sql_type, &from.sql_type)
        ),
    ];
    if !from.nullable {
        restore.extend(columns::set_not_null_sql(table, o));
    }
    restore.extend(
        indexes
            .iter()
            .map(|ix| super::ddl::create_index(table, ix, true)),
    );
    steps.push(Step {
        down: vec![sync_trigger_sql(table, o, n)],
        shares_transaction: true,
        ..Step::new(
            Phase::Contract,
            table,
            format!(
                "Drop the sync trigger: no running code writes {} any more.",
                ident(o)
            ),
            drop_trigger_sql(table, o, n),
            format!("ACCESS EXCLUSIVE on {}, brief", ident(table)),
        )
    });
    steps.push(Step {
        down: restore,
        down_atomic: false,
        shares_transaction: true,
        reversible: Reversible::Caveat(
            "contract.down.sql adds the old column back (at the end of the table: PostgreSQL cannot reorder columns) and copies the values in one UPDATE".into(),
        ),
        ..Step::new(
            Phase::Contract,
            table,
            format!(
                "Drop the old column {} (its values live on in {}).",
                ident(o),
                ident(n)
            ),
            format!(
                "ALTER TABLE {} DROP COLUMN IF EXISTS {}",
                ident(table),
                ident(o)
            ),
            brief(table),
        )
    });
    if swap {
        // The rename joins that transaction: no query sees the table without the column.
        steps.push(Step {
            down: vec![format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                ident(table),
                ident(&to.name),
                ident(n)
            )],
            shares_transaction: true,
            ..Step::new(
                Phase::Contract,
                table,
                format!(
                    "Swap in {} under the name {}, with the new type {}.",
                    ident(n),
                    ident(&to.name),
                    to.sql_type
                ),
                format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}",
                    ident(table),
                    ident(n),
                    ident(&to.name)
                ),
                brief(table),
            )
        });
    }
    for ix in indexes {
        let temp = on_new(ix).name;
        let rename = |a: &str, b: &str| format!("ALTER INDEX {} RENAME TO {}", ident(a), ident(b));
        steps.push(Step {
            down: vec![rename(&ix.name, &temp)],
            shares_transaction: true,
            ..Step::new(
                Phase::Contract,
                table,
                format!(
                    "Give the index on the swapped column the name {}.",
                    ident(&ix.name)
                ),
                rename(&temp, &ix.name),
                brief(table),
            )
        });
    }
    steps.push(Step {
        down: vec![sync_function_sql(table, from, to, p)],
        ..Step::new(
            Phase::Contract,
            table,
            "Drop the sync trigger's function.".into(),
            drop_function_sql(table, o, n),
            "none (a function touches no table)".into(),
        )
    });
    steps
}

/// A step giving `view` the privileges `table` grants (and, for a view in a version schema,
/// USAGE on that schema): an application running under another role than the migration's
/// keeps its access through the view.
fn grant_like(table: &str, view: &str, schema: Option<&str>) -> Step {
    let usage = match schema {
        Some(s) => format!(
            "\n    EXECUTE format('GRANT USAGE ON SCHEMA %s TO %s', {}, who);",
            literal(&ident(s))
        ),
        None => String::new(),
    };
    let body = format!(
        "DECLARE\n  g record;\n  who text;\nBEGIN\n  FOR g IN\n    SELECT a.grantee, a.privilege_type\n    FROM pg_class c, aclexplode(c.relacl) a\n    WHERE c.oid = {}::regclass AND a.grantee <> c.relowner\n  LOOP\n    who := CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END;\n    EXECUTE format('GRANT %s ON %s TO %s', g.privilege_type, {}, who);{usage}\n  END LOOP;\nEND",
        literal(&format!("public.{}", ident(table))),
        literal(view),
    );
    let tag = if body.contains("$migrate$") {
        "$migrate_grant$"
    } else {
        "$migrate$"
    };
    Step {
        reversible: Reversible::NothingToUndo,
        ..Step::new(
            Phase::Expand,
            table,
            format!(
                "Give {view} the privileges {} grants, for applications under other roles.",
                ident(table)
            ),
            format!("DO {tag}\n{body}\n{tag}"),
            "none (catalog only)".into(),
        )
    }
}

/// The schema of views exposing a migration's new shape: new code sets
/// `search_path = "<schema>", public` to read and write the new column names while the old
/// ones are still in place.
pub fn view_schema(
    schema: &str,
    tables: &[&Table],
    physical: &[(String, String, String)],
) -> Vec<Step> {
    let s = ident(schema);
    let mut steps = vec![Step {
        down: vec![format!("DROP SCHEMA IF EXISTS {s}")],
        ..Step::new(
            Phase::Expand,
            tables.first().map(|t| t.name.as_str()).unwrap_or_default(),
            format!(
                "Create the schema {s} where new code finds the new shape (search_path = {s}, public)."
            ),
            format!("CREATE SCHEMA IF NOT EXISTS {s}"),
            "none".into(),
        )
    }];
    for t in tables {
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
        let view = format!("{s}.{}", ident(&t.name));
        steps.push(Step {
            down: vec![format!("DROP VIEW IF EXISTS {view}")],
            ..Step::new(
                Phase::Expand,
                &t.name,
                format!(
                    "Expose {} as new code sees it: a simple view, so it takes inserts and updates.",
                    ident(&t.name)
                ),
                format!(
                    "CREATE OR REPLACE VIEW {view} AS SELECT {} FROM public.{}",
                    cols.join(", "),
                    ident(&t.name)
                ),
                "none on the table (a view is catalog only)".into(),
            )
        });
        steps.push(grant_like(&t.name, &view, Some(schema)));
        // Undone at the start of contract.down.sql, when the swapped columns already have
        // their final names; the view then follows them back as the swap is undone.
        let swapped: Vec<String> = t.columns.iter().map(|c| ident(&c.name)).collect();
        steps.push(Step {
            down: vec![format!(
                "CREATE OR REPLACE VIEW {view} AS SELECT {} FROM public.{}",
                swapped.join(", "),
                ident(&t.name)
            )],
            ..Step::new(
                Phase::Contract,
                &t.name,
                format!(
                    "Drop the view {view}: the table has the new shape now, and new code reaches it through public."
                ),
                format!("DROP VIEW IF EXISTS {view}"),
                "none on the table".into(),
            )
        });
    }
    steps.push(Step {
        down: vec![format!("CREATE SCHEMA IF NOT EXISTS {s}")],
        ..Step::new(
            Phase::Contract,
            tables.first().map(|t| t.name.as_str()).unwrap_or_default(),
            format!("Drop the schema {s}."),
            format!("DROP SCHEMA IF EXISTS {s}"),
            "none".into(),
        )
    });
    steps
}

/// Expand: an index keeps its definition under a new name (catalog only; SHARE UPDATE
/// EXCLUSIVE since PostgreSQL 12, so reads and writes go on).
pub fn rename_index(table: &str, from: &str, to: &str) -> Step {
    Step {
        down: vec![format!(
            "ALTER INDEX IF EXISTS {} RENAME TO {}",
            ident(to),
            ident(from)
        )],
        blocks_traffic: false,
        ..Step::new(
            Phase::Expand,
            table,
            format!("Rename index {} to {}.", ident(from), ident(to)),
            format!(
                "ALTER INDEX IF EXISTS {} RENAME TO {}",
                ident(from),
                ident(to)
            ),
            format!(
                "SHARE UPDATE EXCLUSIVE on {} (reads and writes continue)",
                ident(from)
            ),
        )
    }
}

/// Expand: a key or constraint keeps its definition under a new name (catalog only).
pub fn rename_constraint(table: &str, from: &str, to: &str) -> Step {
    let sql = |a: &str, b: &str| {
        format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            ident(table),
            ident(a),
            ident(b)
        )
    };
    Step {
        down: vec![sql(to, from)],
        ..Step::new(
            Phase::Expand,
            table,
            format!("Rename constraint {} to {}.", ident(from), ident(to)),
            sql(from, to),
            brief(table),
        )
    }
}

/// A table rename: expand renames it and, in the same transaction, puts a simple view
/// under the old name, so old code reads and writes on; contract drops that view.
pub fn rename_table(from: &Table, to: &str) -> (Vec<Step>, Step) {
    let cols: Vec<String> = from.columns.iter().map(|c| ident(&c.name)).collect();
    let view = format!(
        "CREATE VIEW {} AS SELECT {} FROM {}",
        ident(&from.name),
        cols.join(", "),
        ident(to)
    );
    let expand = vec![
        Step {
            down: vec![format!(
                "ALTER TABLE {} RENAME TO {}",
                ident(to),
                ident(&from.name)
            )],
            shares_transaction: true,
            allow: vec![(
                "expand-rename".into(),
                "a view under the old name takes its place in the same transaction".into(),
            )],
            ..Step::new(
                Phase::Expand,
                to,
                format!("Rename table {} to {}.", ident(&from.name), ident(to)),
                format!("ALTER TABLE {} RENAME TO {}", ident(&from.name), ident(to)),
                brief(&from.name),
            )
        },
        Step {
            down: vec![format!("DROP VIEW IF EXISTS {}", ident(&from.name))],
            shares_transaction: true,
            ..Step::new(
                Phase::Expand,
                to,
                format!(
                    "Keep the old name {} working for old code: a simple view, so it takes inserts and updates.",
                    ident(&from.name)
                ),
                view.clone(),
                "none on the table (a view is catalog only)".into(),
            )
        },
        grant_like(to, &format!("public.{}", ident(&from.name)), None),
    ];
    let contract = Step {
        down: vec![view],
        ..Step::new(
            Phase::Contract,
            to,
            format!(
                "Drop the view {}: no running code uses the old name any more.",
                ident(&from.name)
            ),
            format!("DROP VIEW IF EXISTS {}", ident(&from.name)),
            "none on the table".into(),
        )
    };
    (expand, contract)
}
