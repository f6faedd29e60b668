//! A column removed from the models (`--allow-drop table.column`). Expand relaxes it (DROP
//! NOT NULL) so new code, which no longer writes it, keeps inserting while old code still
//! reads it; contract drops it, destructive: its values are gone, and the down brings the
//! column back empty.

use crate::catalogue::Kind;
use crate::model::Column;
use crate::phase::Phase;
use crate::plan::context::Context;
use crate::plan::ddl;
use crate::plan::recipes::not_null;
use crate::plan::settings::PlanError;
use crate::plan::step::{Down, Reversible, Step};
use crate::sql::ident;

/// The steps of dropping `table`.`column`, or the missing acknowledgement.
pub fn plan(ctx: &Context<'_>, table: &str, column: &Column) -> Result<Vec<Step>, PlanError> {
    let flag = format!("{table}.{}", column.name);
    if !ctx.opts.allow_drop.contains(&flag) {
        return Err(PlanError::DropNotAcknowledged {
            what: format!("column \"{table}\".\"{}\"", column.name),
            flag,
        });
    }
    let refused = |reason: String| PlanError::Unsupported {
        table: table.to_owned(),
        change: format!("column \"{table}\".\"{}\" removed", column.name),
        reason,
    };
    if let Some(g) = ctx
        .before(table)
        .and_then(|t| super::generated_column::depending_on(t, &column.name))
    {
        return Err(refused(format!(
            "the generated column \"{}\" is computed from it (PostgreSQL refuses the drop, and the rollback would add \"{}\" back before it): drop \"{}\" in one migration and this column in the next",
            g.name, g.name, g.name
        )));
    }
    if let Some(ix) = ctx
        .after(table)
        .and_then(|t| t.indexes.iter().find(|i| i.mentions(&column.name)))
    {
        return Err(refused(format!(
            "index \"{}\" of the models still names it (in an expression or its predicate); contract's DROP COLUMN would take the index along",
            ix.name
        )));
    }
    let mut steps = Vec::new();
    // New code leaves the column out of its inserts: unless a default, an identity or its
    // expression fills it, it must allow NULL from expand on.
    let filled = column.default.is_some() || column.identity || column.generated.is_some();
    if !column.nullable && !filled {
        if ctx.key_of(table).is_some_and(|k| k.contains(&column.name)) {
            return Err(refused("it is in the primary key until contract, so it stays NOT NULL, and new code's inserts leave it out: give it a default in an earlier migration (`default = \"...\"`), then drop it".into()));
        }
        steps.push(not_null::drop(table, &column.name));
    }
    steps.push(drop(table, column));
    Ok(steps)
}

fn drop(table: &str, column: &Column) -> Step {
    // Back without its default first (a volatile default or identity would fill, even
    // rewrite, the table), then the default for new rows.
    // A generated column comes back whole: it computes its values (NOT NULL holds).
    let restored = Column {
        nullable: column.nullable || column.generated.is_none(),
        default: None,
        identity: false,
        ..column.clone()
    };
    let stored = column.generated.as_ref().is_some_and(|g| !g.is_virtual);
    let kind = if stored {
        Kind::AddColumnRewrite
    } else {
        Kind::AddColumn
    };
    let mut down = vec![Down {
        allow: stored.then(|| {
            (
                "volatile-default".to_owned(),
                "the rollback gives the generated column back; PostgreSQL computes it for every row".to_owned(),
            )
        }),
        ..Down::new(kind, ddl::add_column(table, &restored))
    }];
    if let Some(d) = column
        .default
        .as_deref()
        .filter(|d| !d.contains("nextval("))
    {
        down.push(Down::new(
            Kind::SetDefault,
            ddl::alter_column(table, &column.name, &format!("SET DEFAULT {d}")),
        ));
    }
    if let Some(text) = &column.comment {
        down.push(Down::new(
            Kind::Comment,
            ddl::comment_on(table, Some(&column.name), Some(text)),
        ));
    }
    Step {
        down,
        reversible: match &column.generated {
            Some(g) if !g.is_virtual => Reversible::Caveat(
                "contract.down.sql adds the generated column back: computing every row, it rewrites the table under ACCESS EXCLUSIVE".into(),
            ),
            Some(_) if !column.nullable => Reversible::Caveat(
                "contract.down.sql adds the virtual column back NOT NULL, which checks every row under ACCESS EXCLUSIVE".into(),
            ),
            Some(_) => Reversible::Yes,
            None => Reversible::SchemaOnly(
                "contract.down.sql adds the column back, nullable and empty; its values are not restored"
                    .into(),
            ),
        },
        destroys: vec![format!("column {}.{}", crate::sql::table_ref(table), ident(&column.name))],
        ..Step::new(
            Phase::Contract,
            Kind::DropColumn,
            table,
            format!(
                "DESTRUCTIVE: drop column {} and its values (no deployed code uses it any more).",
                ident(&column.name)
            ),
            ddl::drop_column(table, &column.name),
        )
    }
}
