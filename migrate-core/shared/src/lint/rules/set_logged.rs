//! `set-logged`: `SET LOGGED` / `SET UNLOGGED` rewrites the table under an ACCESS
//! EXCLUSIVE lock.

use super::{Action, Context, Rule, Violation, violation};
use crate::catalogue::Kind;

pub const RULE: Rule = Rule {
    name: "set-logged",
    summary: "ALTER TABLE … SET LOGGED / SET UNLOGGED on a table in use",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    match action {
        Action::Catalogued {
            kind: Kind::SetLogged,
            table: Some(table),
        } if ctx.existing(table) => violation(
            format!("SET LOGGED / UNLOGGED rewrites \"{table}\" while blocking reads and writes"),
            "decide at CREATE TABLE; to change it later, copy into a new table in batches and swap, or accept a maintenance window",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};

    #[test]
    fn err() {
        finds("set-logged", "ALTER TABLE t SET UNLOGGED", None);
        finds("set-logged", "ALTER TABLE t SET LOGGED", None);
    }

    #[test]
    fn ok() {
        passes(
            "set-logged",
            "CREATE TABLE n (id int);\nALTER TABLE n SET UNLOGGED",
            None,
        );
    }
}
