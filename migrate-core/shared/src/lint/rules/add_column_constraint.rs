//! `add-column-constraint`: an `ADD COLUMN` with an inline constraint works on every row
//! under the ADD's ACCESS EXCLUSIVE lock: `UNIQUE` / `PRIMARY KEY` build their index,
//! `CHECK` checks every row, and `REFERENCES` with a default checks every row's value.

use super::{Action, Context, Rule, Violation, violation};

pub const RULE: Rule = Rule {
    name: "add-column-constraint",
    summary: "ADD COLUMN with an inline UNIQUE, PRIMARY KEY, CHECK or REFERENCES (with a default) on a table in use",
    check,
};

fn check(action: &Action, ctx: &Context<'_>) -> Option<Violation> {
    let Action::AddColumn {
        table,
        column,
        inline,
        ..
    } = action
    else {
        return None;
    };
    let what = inline.first().filter(|_| ctx.existing(table))?;
    let (work, recipe) = match *what {
        "UNIQUE" | "PRIMARY KEY" => (
            "builds its index",
            "add the column alone, CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … UNIQUE (or PRIMARY KEY) USING INDEX",
        ),
        "CHECK" => (
            "checks every row",
            "add the column alone, then ADD CONSTRAINT … CHECK (…) NOT VALID and VALIDATE CONSTRAINT in a later statement",
        ),
        _ => (
            "checks every row's default against the referenced table",
            "add the column alone (no default), then ADD CONSTRAINT … FOREIGN KEY … NOT VALID, VALIDATE CONSTRAINT later, and SET DEFAULT",
        ),
    };
    violation(
        format!(
            "ADD COLUMN \"{table}\".\"{column}\" … {what} {work} while reads and writes of the table wait"
        ),
        recipe,
    )
}

#[cfg(test)]
mod tests {
    use super::super::check::{finds, passes};

    #[test]
    fn err() {
        for sql in [
            "ALTER TABLE t ADD COLUMN c int UNIQUE",
            "ALTER TABLE t ADD COLUMN id bigint PRIMARY KEY",
            "ALTER TABLE t ADD COLUMN c int CHECK (c > 0)",
            "ALTER TABLE t ADD COLUMN c int DEFAULT 1 REFERENCES u (id)",
        ] {
            finds("add-column-constraint", sql, None);
        }
    }

    #[test]
    fn ok() {
        for sql in [
            "ALTER TABLE t ADD COLUMN c int REFERENCES u (id)",
            "ALTER TABLE t ADD COLUMN c int DEFAULT NULL REFERENCES u (id)",
            "ALTER TABLE t ADD COLUMN c int",
            "CREATE TABLE n (id int); ALTER TABLE n ADD COLUMN c int UNIQUE",
        ] {
            passes("add-column-constraint", sql, None);
        }
    }
}
