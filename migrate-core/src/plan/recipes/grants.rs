//! Views get the privileges of their table: an application running under another role than
//! the migration's keeps its access through the view.

use crate::catalogue::{Kind, On};
use crate::phase::Phase;
use crate::plan::step::{Reversible, Step};
use crate::sql::{full_table_ref, ident, literal, table_ref};

/// Expand: a `DO` block granting `view` what `table` grants (and, for a view in a version
/// schema, USAGE on that schema) to every grantee but the owner.
pub fn grant_like(table: &str, view: &str, schema: Option<&str>) -> Step {
    let usage = match schema {
        Some(s) => format!(
            "\n    EXECUTE format('GRANT USAGE ON SCHEMA %s TO %s', {}, who);",
            literal(&ident(s))
        ),
        None => String::new(),
    };
    let body = format!(
        "DECLARE\n  g record;\n  who text;\nBEGIN\n  FOR g IN\n    SELECT a.grantee, a.privilege_type\n    FROM pg_class c, aclexplode(c.relacl) a\n    WHERE c.oid = {}::regclass AND a.grantee <> c.relowner\n  LOOP\n    who := CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END;\n    EXECUTE format('GRANT %s ON %s TO %s', g.privilege_type, {}, who);{usage}\n  END LOOP;\nEND",
        literal(&full_table_ref(table)),
        literal(view),
    );
    let tag = if body.contains("$migrate$") {
        "$migrate_grant$"
    } else {
        "$migrate$"
    };
    Step {
        reversible: Reversible::NothingToUndo,
        ..Step::on(
            Phase::Expand,
            Kind::Grant,
            table,
            On::with(table_ref(table), view),
            format!(
                "Give {view} the privileges {} grants, for applications under other roles.",
                table_ref(table)
            ),
            format!("DO {tag}\n{body}\n{tag}"),
        )
    }
}
