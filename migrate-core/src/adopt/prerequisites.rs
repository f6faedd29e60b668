//! What the adopted tables need that the models do not make: extensions installed in the
//! schema, enum types and the sequences behind serial columns, read from the catalog as statements (printed by the server, so
//! every name and label is quoted by it) that the baseline runs before its tables, and
//! undoes after them.

use sqlx::PgConnection;

/// A statement the baseline runs first, and its undo.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Prerequisite {
    /// `enum type order_state`, `extension citext`, `sequence t_id_seq` (as the findings
    /// name it).
    pub object: String,
    /// `CREATE TYPE … AS ENUM (…)`.
    pub up: String,
    /// `DROP TYPE IF EXISTS …`.
    pub down: String,
    /// A statement to run once the tables exist (a serial column's `ALTER SEQUENCE …
    /// OWNED BY`), or empty.
    pub after: String,
}

/// Extensions of `schema` first, then its enum types, then the sequences of its serial
/// columns, by name; qualified with the schema outside `public`.
pub async fn find(conn: &mut PgConnection, schema: &str) -> Result<Vec<Prerequisite>, sqlx::Error> {
    // $2: the quoted prefix of the statements' names, $3: the prefix of the objects'.
    let (quoted, plain) = if schema == "public" {
        (String::new(), String::new())
    } else {
        (
            format!("{}.", crate::sql::ident(schema)),
            format!("{schema}."),
        )
    };
    // language=SQL
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        r#"SELECT object, up, down, after FROM (
             SELECT 0 AS ord, 'extension ' || e.extname AS object,
                    format('CREATE EXTENSION IF NOT EXISTS %I', e.extname)
                      || CASE WHEN $1 = 'public' THEN '' ELSE ' SCHEMA ' || quote_ident($1) END AS up,
                    format('DROP EXTENSION IF EXISTS %I', e.extname) AS down, '' AS after
             FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
             WHERE n.nspname = $1 AND e.extname <> 'plpgsql'
             UNION ALL
             SELECT 1, 'enum type ' || $3 || t.typname,
                    format('CREATE TYPE %s%I AS ENUM (%s)', $2, t.typname,
                      (SELECT string_agg(quote_literal(l.enumlabel), ', ' ORDER BY l.enumsortorder)
                         FROM pg_enum l WHERE l.enumtypid = t.oid)),
                    format('DROP TYPE IF EXISTS %s%I', $2, t.typname), ''
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = $1 AND t.typtype = 'e'
               AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                               AND d.objid = t.oid AND d.deptype = 'e')
             UNION ALL
             -- The sequence behind each serial column (owned by it, not an identity).
             SELECT 2, 'sequence ' || $3 || c.relname,
                    format('CREATE SEQUENCE IF NOT EXISTS %s%I AS %s', $2, c.relname, format_type(q.seqtypid, NULL)),
                    format('DROP SEQUENCE IF EXISTS %s%I', $2, c.relname),
                    format('ALTER SEQUENCE %s%I OWNED BY %s%I.%I', $2, c.relname, $2, t.relname, a.attname)
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_sequence q ON q.seqrelid = c.oid
             JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
             JOIN pg_class t ON t.oid = d.refobjid
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
             WHERE n.nspname = $1 AND c.relkind = 'S'
           ) p ORDER BY ord, object"#,
    )
    .bind(schema)
    .bind(quoted)
    .bind(plain)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(object, up, down, after)| Prerequisite {
            object,
            up,
            down,
            after,
        })
        .collect())
}

/// The baseline's `expand.up.sql` makes `prerequisites` first in its transaction (after
/// the schemas it creates), and its `expand.down.sql` drops them last; other files are
/// left as they are.
pub fn add_to_baseline(files: &mut [(String, String)], prerequisites: &[Prerequisite]) {
    if prerequisites.is_empty() {
        return;
    }
    let header = "-- Prerequisites read from the database by `cargo migrate init` (the models do not\n-- describe them; the tables below use them).\n";
    for (name, text) in files.iter_mut() {
        if name == "expand.up.sql" {
            let block: String = prerequisites
                .iter()
                .map(|p| format!("{};\n", p.up))
                .collect();
            let at = after_schemas(text);
            *text = format!("{}\n{header}{block}{}", &text[..at], &text[at..]);
            let after: String = prerequisites
                .iter()
                .filter(|p| !p.after.is_empty())
                .map(|p| format!("{};\n", p.after))
                .collect();
            if !after.is_empty() {
                let note = "-- The serial columns' sequences belong to their columns, as in the database.\n";
                *text = insert_before_last(text, "COMMIT;", &format!("{note}{after}\n"));
            }
        } else if name == "expand.down.sql" {
            let block: String = prerequisites
                .iter()
                .rev()
                .map(|p| format!("{};\n", p.down))
                .collect();
            *text = insert_before_last(text, "COMMIT;", &format!("{header}{block}\n"));
        }
    }
}

/// Where the prerequisites go: after the last `CREATE SCHEMA` line, or after `BEGIN;`
/// (the start when neither is there).
fn after_schemas(text: &str) -> usize {
    let line_end = |i: usize| text[i..].find('\n').map_or(text.len(), |n| i + n + 1);
    if let Some(i) = text.rfind("\nCREATE SCHEMA ") {
        return line_end(i + 1);
    }
    text.find("BEGIN;\n").map_or(0, |i| i + "BEGIN;\n".len())
}

fn insert_before_last(text: &str, marker: &str, block: &str) -> String {
    match text.rfind(marker) {
        Some(i) => format!("{}{block}{}", &text[..i], &text[i..]),
        None => format!("{text}\n{block}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_makes_them_first_and_drops_them_last() {
        let mut files = vec![
            (
                "expand.up.sql".to_owned(),
                "SET lock_timeout = '2s';\n\nBEGIN;\n\nCREATE TABLE \"t\" ();\n\nCOMMIT;\n"
                    .to_owned(),
            ),
            (
                "expand.down.sql".to_owned(),
                "BEGIN;\n\nDROP TABLE \"t\";\n\nCOMMIT;\n".to_owned(),
            ),
        ];
        let p = |o: &str, up: &str, down: &str| Prerequisite {
            object: o.into(),
            up: up.into(),
            down: down.into(),
            after: if o.starts_with("sequence") {
                "ALTER SEQUENCE s OWNED BY t.id".into()
            } else {
                String::new()
            },
        };
        add_to_baseline(
            &mut files,
            &[
                p(
                    "extension citext",
                    "CREATE EXTENSION IF NOT EXISTS citext",
                    "DROP EXTENSION IF EXISTS citext",
                ),
                p(
                    "enum type mood",
                    "CREATE TYPE mood AS ENUM ('ok')",
                    "DROP TYPE IF EXISTS mood",
                ),
                p(
                    "sequence s",
                    "CREATE SEQUENCE IF NOT EXISTS s AS integer",
                    "DROP SEQUENCE IF EXISTS s",
                ),
            ],
        );
        let up = &files[0].1;
        let down = &files[1].1;
        assert!(
            up.find("CREATE TABLE").unwrap() < up.find("OWNED BY").unwrap()
                && up.find("OWNED BY").unwrap() < up.find("COMMIT;").unwrap(),
            "{up}"
        );
        assert!(
            up.find("CREATE TYPE mood").unwrap() < up.find("CREATE TABLE").unwrap()
                && up.find("BEGIN;").unwrap() < up.find("CREATE EXTENSION").unwrap(),
            "{up}"
        );
        assert!(
            down.find("DROP TABLE").unwrap() < down.find("DROP TYPE IF EXISTS mood").unwrap()
                && down.find("DROP TYPE").unwrap() < down.find("DROP EXTENSION").unwrap()
                && down.find("DROP EXTENSION").unwrap() < down.find("COMMIT;").unwrap(),
            "{down}"
        );
    }

    #[test]
    fn they_come_after_the_schemas_the_baseline_creates() {
        let mut files = vec![(
            "expand.up.sql".to_owned(),
            "BEGIN;\n\n-- Create the schema.\nCREATE SCHEMA IF NOT EXISTS \"b\";\n\nCREATE TABLE \"b\".\"t\" ();\n\nCOMMIT;\n"
                .to_owned(),
        )];
        let p = Prerequisite {
            object: "enum type b.mood".into(),
            up: "CREATE TYPE \"b\".mood AS ENUM ('ok')".into(),
            down: "DROP TYPE IF EXISTS \"b\".mood".into(),
            after: String::new(),
        };
        add_to_baseline(&mut files, &[p]);
        let up = &files[0].1;
        let (schema, ty, table) = (
            up.find("CREATE SCHEMA").unwrap(),
            up.find("CREATE TYPE").unwrap(),
            up.find("CREATE TABLE").unwrap(),
        );
        assert!(schema < ty && ty < table, "{up}");
    }
}
