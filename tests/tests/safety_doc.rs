//! `docs/safety.md`'s part "Every change" is generated here: for each change the planner
//! knows, an example (models before and after) is planned and its steps listed with the
//! locks, rewrites and scans the statement catalogue gives them; for each refusal, the
//! planner's own message. So the document cannot drift from the planner or the catalogue:
//! this test fails when it would (`UPDATE_DOCS=1 cargo test -p migrate-tests --test
//! safety_doc` rewrites it). No database: planning is pure.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on setup errors")]

use migrate_core::plan::Plan;
use migrate_core::project::{GenerateOptions, Project};
use migrate_tests::at;

/// One change, planned from `v1` to `v2`.
struct Change {
    title: &'static str,
    /// Why the plan is what it is.
    why: &'static str,
    v1: &'static str,
    v2: &'static str,
    allow_drop: &'static [&'static str],
}

const USERS: &str = r#"
#[derive(Schema)]
#[schema(table = "users")]
pub struct User {
    #[schema(primary_key)]
    pub id: i64,
    pub email: String,
    pub age: Option<i32>,
}
"#;

fn with_users_field(field: &'static str) -> &'static str {
    leak(USERS.replace(
        "    pub age: Option<i32>,\n",
        &format!("    pub age: Option<i32>,\n{field}\n"),
    ))
}

fn users_with(from: &str, to: &str) -> &'static str {
    assert!(USERS.contains(from), "{from}");
    leak(USERS.replacen(from, to, 1))
}

/// `users` keyed on `email` instead of `id`, with `extra` in its table attribute.
fn users_keyed_on_email(extra: &str) -> &'static str {
    USERS
        .replace(
            "#[schema(table = \"users\")]",
            &format!("#[schema(table = \"users\", primary_key(email){extra})]"),
        )
        .replacen("#[schema(primary_key)]\n    ", "", 1)
        .leak()
}

/// `users` with a `plan` column of enum type `plan` whose variants are `variants`.
fn users_with_plan(variants: &str) -> &'static str {
    leak(format!(
        "{}\n#[derive(Schema)]\n#[schema(type_name = \"plan\", rename_all = \"snake_case\")]\npub enum Plan {{\n{variants}\n}}\n",
        with_users_field("    #[schema(sql_type = \"plan\")]\n    pub plan: Option<Plan>,")
    ))
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

const POSTS: &str = r#"
#[derive(Schema)]
#[schema(table = "posts")]
pub struct Post {
    #[schema(primary_key)]
    pub id: i64,
    #[schema(references = "users(id)")]
    pub author_id: i64,
    pub title: String,
}
"#;

fn changes() -> Vec<Change> {
    let plain = |title, why, v1, v2| Change {
        title,
        why,
        v1,
        v2,
        allow_drop: &[],
    };
    vec![
        plain(
            "New table",
            "A new table is empty and nobody uses it: plain statements, in one transaction. A foreign key to an existing table is added `NOT VALID` (validating it would lock the referenced table's writes while it scans) and validated in backfill.",
            USERS,
            leak(format!("{USERS}{POSTS}")),
        ),
        plain(
            "New nullable column",
            "`ADD COLUMN` without a default only writes the catalog.",
            USERS,
            with_users_field("    pub bio: Option<String>,"),
        ),
        plain(
            "New NOT NULL column with a constant default",
            "PostgreSQL ≥ 11 keeps a constant default in the catalog: no rewrite.",
            USERS,
            with_users_field("    #[schema(default = \"0\")]\n    pub score: i32,"),
        ),
        plain(
            "New column with a volatile default",
            "`ADD COLUMN … DEFAULT random()` fills every row under ACCESS EXCLUSIVE (a rewrite). Added empty, then the default for new rows, then the existing rows in batches, and NOT NULL by a validated check (which makes SET NOT NULL skip its scan).",
            USERS,
            with_users_field(
                "    #[schema(default = \"md5(random()::text)\")]\n    pub token: String,",
            ),
        ),
        plain(
            "New NOT NULL column filled from the row",
            "Old code does not know the column and inserts rows without it: a trigger fills them; the batches fill the rest; NOT NULL comes at contract, when old code is gone.",
            USERS,
            with_users_field(
                "    #[schema(backfill = \"lower(email)\")]\n    pub email_lower: String,",
            ),
        ),
        plain(
            "`Option<T>` → `T`",
            "`SET NOT NULL` alone scans the table under ACCESS EXCLUSIVE; a validated `CHECK (c IS NOT NULL)` proves it without the scan. Old code may still write NULLs until contract: the fill trigger gives them the value.",
            USERS,
            users_with(
                "    pub age: Option<i32>,",
                "    #[schema(backfill = \"0\")]\n    pub age: i32,",
            ),
        ),
        plain(
            "`Option<T>` → `T` with `no_nulls`",
            "The team knows no row is NULL: `VALIDATE` proves it (or fails naming the check), no `UPDATE`, no trigger.",
            USERS,
            users_with(
                "    pub age: Option<i32>,",
                "    #[schema(no_nulls)]\n    pub age: i32,",
            ),
        ),
        plain(
            "`T` → `Option<T>`",
            "Relaxing: catalog only, and old code keeps working.",
            USERS,
            users_with("    pub email: String,", "    pub email: Option<String>,"),
        ),
        plain(
            "Default set",
            "Catalog only; it applies to rows inserted from then on.",
            USERS,
            users_with(
                "    pub email: String,",
                "    #[schema(default = \"''\")]\n    pub email: String,",
            ),
        ),
        plain(
            "Default dropped",
            "Old code may insert rows relying on the default until it is gone: contract.",
            users_with(
                "    pub email: String,",
                "    #[schema(default = \"''\")]\n    pub email: String,",
            ),
            USERS,
        ),
        plain(
            "New index",
            "`CREATE INDEX` blocks writes for the whole build; `CONCURRENTLY` does not (it cannot run in a transaction).",
            USERS,
            users_with(
                "    pub email: String,",
                "    #[schema(index)]\n    pub email: String,",
            ),
        ),
        plain(
            "New index with key order, INCLUDE columns and storage parameters",
            "The same concurrent build, with the whole definition: a storage parameter left out would be silently lost (BRIN's `pages_per_range`, a `fillfactor`).",
            USERS,
            users_with(
                "#[schema(table = \"users\")]",
                "#[schema(table = \"users\", index(name = \"users_recent_idx\", columns(age(desc, nulls_last), id(desc)), include(email), with(fillfactor = 70)))]",
            ),
        ),
        plain(
            "Index removed",
            "Old code's queries may rely on it until the deploy; `DROP INDEX CONCURRENTLY` waits for them instead of blocking.",
            users_with(
                "    pub email: String,",
                "    #[schema(index)]\n    pub email: String,",
            ),
            USERS,
        ),
        plain(
            "Index redefined under the same name",
            "The new index is built beside the old one, which is dropped once the new one is valid, so the table always has one of them.",
            users_with(
                "    pub email: String,",
                "    #[schema(index)]\n    pub email: String,",
            ),
            users_with(
                "#[schema(table = \"users\")]",
                "#[schema(table = \"users\", index(name = \"users_email_idx\", columns(email), unique))]",
            ),
        ),
        plain(
            "New UNIQUE constraint",
            "`ADD CONSTRAINT … UNIQUE (c)` builds its index under a lock that blocks writes; the index built concurrently, then attached (`USING INDEX`), is catalog only.",
            USERS,
            users_with(
                "    pub email: String,",
                "    #[schema(unique_constraint)]\n    pub email: String,",
            ),
        ),
        plain(
            "Unique index → UNIQUE constraint",
            "The same index becomes the constraint's, in place: no rebuild.",
            users_with(
                "    pub email: String,",
                "    #[schema(unique)]\n    pub email: String,",
            ),
            users_with(
                "    pub email: String,",
                "    #[schema(unique_constraint)]\n    pub email: String,",
            ),
        ),
        plain(
            "UNIQUE constraint removed",
            "`DROP INDEX` fails on an index a constraint owns: `DROP CONSTRAINT` takes both, in contract (old code's `ON CONFLICT` may rely on it).",
            users_with(
                "    pub email: String,",
                "    #[schema(unique_constraint)]\n    pub email: String,",
            ),
            USERS,
        ),
        plain(
            "New CHECK",
            "A validating `ADD CONSTRAINT` scans under a lock that blocks writes; `NOT VALID` then `VALIDATE` scans under SHARE UPDATE EXCLUSIVE, which blocks neither reads nor writes.",
            USERS,
            users_with(
                "    pub age: Option<i32>,",
                "    #[schema(check = \"age >= 0\")]\n    pub age: Option<i32>,",
            ),
        ),
        plain(
            "CHECK removed",
            "Relaxing: old code keeps working.",
            users_with(
                "    pub age: Option<i32>,",
                "    #[schema(check = \"age >= 0\")]\n    pub age: Option<i32>,",
            ),
            USERS,
        ),
        plain(
            "New foreign key on an existing table",
            "As a CHECK: `NOT VALID`, then `VALIDATE`, which locks neither table's writes.",
            leak(format!(
                "{USERS}{}",
                POSTS.replace("    #[schema(references = \"users(id)\")]\n", "")
            )),
            leak(format!("{USERS}{POSTS}")),
        ),
        plain(
            "New composite, named, deferrable foreign key",
            "The same `NOT VALID` then `VALIDATE` as any foreign key; `foreign_key(...)` on the struct names it and its columns.",
            leak(format!("{USERS}{}", POSTS.replace("    #[schema(references = \"users(id)\")]\n", ""))),
            leak(format!("{USERS}{}", POSTS.replace("    #[schema(references = \"users(id)\")]\n", "").replace("#[schema(table = \"posts\")]", "#[schema(table = \"posts\", foreign_key(name = \"posts_author_fk\", columns(author_id), references = \"users(id)\", deferrable, initially_deferred))]"))),
        ),
        plain(
            "Foreign key redefined (e.g. made immediate)",
            "The new definition is added beside the old one under a temporary name (`NOT VALID`, then validated), and in contract the old one dropped and the new one renamed in one transaction: every write is checked throughout.",
            leak(format!("{USERS}{}", POSTS.replace("    #[schema(references = \"users(id)\")]\n", "").replace("#[schema(table = \"posts\")]", "#[schema(table = \"posts\", foreign_key(name = \"posts_author_fk\", columns(author_id), references = \"users(id)\", deferrable, initially_deferred))]"))),
            leak(format!("{USERS}{}", POSTS.replace("    #[schema(references = \"users(id)\")]\n", "").replace("#[schema(table = \"posts\")]", "#[schema(table = \"posts\", foreign_key(name = \"posts_author_fk\", columns(author_id), references = \"users(id)\"))]"))),
        ),
        plain(
            "Column renamed",
            "Old code uses the old name until the deploy, new code the new name from the deploy on (through its version schema's view): a second column kept equal by a trigger, filled in batches, and the old one dropped at contract. Never `RENAME COLUMN` under running code.",
            USERS,
            users_with(
                "    pub email: String,",
                "    #[schema(renamed_from = \"email\")]\n    pub login: String,",
            ),
        ),
        plain(
            "Column type changed",
            "`ALTER COLUMN … TYPE` rewrites the table under ACCESS EXCLUSIVE, and even a change that rewrites nothing changes the result type under every prepared statement. A new column of the new type, kept in sync by a trigger with casts both ways, converted in batches, swapped in at contract.",
            USERS,
            users_with("    pub age: Option<i32>,", "    pub age: Option<i64>,"),
        ),
        plain(
            "Type change and a new index on the column, in one migration",
            "The new index is built on the new column in backfill, like the column's other indexes, and named in the swap.",
            USERS,
            users_with("    pub age: Option<i32>,", "    #[schema(index)]\n    pub age: Option<i64>,"),
        ),
        plain(
            "Type change with conversion expressions",
            "The same swap, with the field's `convert` (new from old) in the trigger and the batched copy, and `convert_back` (old from new) in the trigger for old code and in the down.",
            with_users_field("    pub token: String,"),
            with_users_field("    #[schema(sql_type = \"bytea\", convert = \"convert_to(token, 'UTF8')\", convert_back = \"convert_from(token, 'UTF8')\")]\n    pub token: Vec<u8>,"),
        ),
        plain(
            "`integer` → `bigint` on a key that foreign keys reference",
            "The column swap, plus the key's unique index built concurrently on the new column, the foreign keys added on it `NOT VALID` and validated, and in contract the key swapped by `PRIMARY KEY USING INDEX` (no build, no scan). Every foreign key is enforced in every phase.",
            leak(
                format!("{}{POSTS}", USERS.replace("pub id: i64", "pub id: i32"))
                    .replace("pub author_id: i64", "pub author_id: i32"),
            ),
            leak(format!("{USERS}{POSTS}")),
        ),
        plain(
            "Type change of an identity key",
            "An identity's sequence cannot change hands: the old one numbers every insert until contract, where the new column gets its own, set to the old one's next value in the swap's transaction.",
            users_with(
                "#[schema(primary_key)]\n    pub id: i64,",
                "#[schema(primary_key, identity)]\n    pub id: i32,",
            ),
            users_with(
                "#[schema(primary_key)]\n    pub id: i64,",
                "#[schema(primary_key, identity)]\n    pub id: i64,",
            ),
        ),
        plain(
            "Type change of a serial column",
            "The sequence belongs to the old column, whose drop would take it: it moves to the new column, and takes the new type.",
            users_with(
                "    pub age: Option<i32>,",
                "    pub age: Option<i32>,\n    #[schema(default = \"nextval('users_number_seq'::regclass)\")]\n    pub number: i32,",
            ),
            users_with(
                "    pub age: Option<i32>,",
                "    pub age: Option<i32>,\n    #[schema(default = \"nextval('users_number_seq'::regclass)\")]\n    pub number: i64,",
            ),
        ),
        plain(
            "Primary key moved to other columns",
            "The new key's unique index is built concurrently in backfill (under a temporary name while the old key holds the name); in contract, in one short transaction, the old key is dropped and the index attached as the key (`PRIMARY KEY USING INDEX`: no build, no scan). Before contract old code keeps the old key's rules.",
            USERS,
            users_with(
                "#[schema(table = \"users\")]",
                "#[schema(table = \"users\", primary_key(id, email))]",
            )
            .replacen("#[schema(primary_key)]\n", "", 1)
            .leak(),
        ),
        plain(
            "Primary key moved off columns that foreign keys reference",
            "PostgreSQL ties a foreign key to the unique index it found when it was created — for key columns, the key's — so the key cannot be dropped under it. With the columns unique by another index made in an earlier migration, the foreign key is dropped in the key's contract transaction and added back `NOT VALID` (it finds that index), then validated: every write is checked throughout.",
            leak(format!("{}{POSTS}", users_with(
                "#[schema(table = \"users\")]",
                "#[schema(table = \"users\", index(name = \"users_id_key\", columns(id), unique))]",
            ))),
            leak(format!("{}{POSTS}", users_keyed_on_email(", index(name = \"users_id_key\", columns(id), unique)"))),
        ),
        plain(
            "Primary key removed",
            "Dropped in contract (old code may rely on it until then); the down builds its index concurrently and attaches it again.",
            USERS,
            users_with("#[schema(primary_key)]\n", ""),
        ),
        Change {
            title: "Generated column removed",
            why: "Needs `--allow-drop`. Like any column: dropped at contract; its down adds it back computed (for `STORED`, a rewrite the file marks).",
            v1: with_users_field("    #[schema(generated = \"lower(email)\")]\n    pub email_key: String,"),
            v2: USERS,
            allow_drop: &["users.email_key"],
        },
        plain(
            "Extension a model needs",
            "Installed first in expand, before the columns, types and defaults that use it; it locks no table. Never dropped: other objects may use it.",
            USERS,
            users_with("#[schema(table = \"users\")]", "#[schema(table = \"users\", extensions(\"citext\"))]")
                .replacen("    pub email: String,", "    pub email: String,\n    #[schema(sql_type = \"citext\")]\n    pub handle: Option<String>,", 1)
                .leak(),
        ),
        plain(
            "Enum type a model needs",
            "A `#[derive(Schema)]` enum a column names in `sql_type`: `CREATE TYPE … AS ENUM` first in expand, before the tables and columns that have it; it locks no table. The down drops it after them.",
            USERS,
            users_with_plan("    Free,\n    Pro,"),
        ),
        plain(
            "Enum labels added",
            "One `ALTER TYPE … ADD VALUE IF NOT EXISTS` per label, in its place (`BEFORE` / `AFTER` its neighbour), each committed on its own: a label is unusable in the transaction that adds it. No table is locked and old code never writes the new label. PostgreSQL cannot remove a label, so the down leaves it (said in the file). A type the database already had, now declared by an enum, gets its missing labels the same way.",
            users_with_plan("    Free,\n    Pro,"),
            users_with_plan("    Free,\n    Team,\n    Pro,\n    Enterprise,"),
        ),
        Change {
            title: "Enum type no column has any more",
            why: "Dropped last in contract, after the columns that had it (`DROP TYPE` locks no table); the down creates it again.",
            v1: users_with_plan("    Free,\n    Pro,"),
            v2: USERS,
            allow_drop: &["users.plan"],
        },
        plain(
            "Comments from doc comments",
            "`COMMENT ON` takes SHARE UPDATE EXCLUSIVE and changes the catalog only: reads and writes go on, and old code never sees it.",
            USERS,
            users_with("#[schema(table = \"users\")]", "/// People who sign in.\n#[schema(table = \"users\", comments)]")
                .replacen("    pub email: String,", "    /// Where mail goes.\n    pub email: String,", 1)
                .leak(),
        ),
        plain(
            "Table renamed",
            "Renamed in expand, with a view under the old name that old code reads and writes through; the view goes at contract.",
            USERS,
            users_with(
                "#[schema(table = \"users\")]",
                "#[schema(table = \"accounts\", renamed_from = \"users\")]",
            ),
        ),
        Change {
            title: "Column removed",
            why: "Needs `--allow-drop`. New code stops writing it: NOT NULL goes in expand; the column goes at contract, marked destructive.",
            v1: USERS,
            v2: users_with("    pub age: Option<i32>,\n", ""),
            allow_drop: &["users.age"],
        },
        Change {
            title: "Table removed",
            why: "Needs `--allow-drop`. Old code uses it until the deploy: contract, marked destructive.",
            v1: leak(format!("{USERS}{POSTS}")),
            v2: USERS,
            allow_drop: &["posts"],
        },
    ]
}

/// A change the planner refuses.
struct Refusal {
    title: &'static str,
    v1: &'static str,
    v2: &'static str,
    allow_drop: &'static [&'static str],
}

fn refusals() -> Vec<Refusal> {
    vec![
        Refusal {
            title: "A new NOT NULL column with nothing to fill it",
            allow_drop: &[],
            v1: USERS,
            v2: with_users_field("    pub score: i32,"),
        },
        Refusal {
            title: "Adding an identity",
            allow_drop: &[],
            v1: USERS,
            v2: users_with("#[schema(primary_key)]", "#[schema(primary_key, identity)]"),
        },
        Refusal {
            title: "Moving a primary key that foreign keys reference off its columns",
            allow_drop: &[],
            v1: leak(format!("{USERS}{POSTS}")),
            v2: leak(format!("{}{POSTS}", users_keyed_on_email(""))),
        },
        Refusal {
            title: "Dropping a key column that nothing fills for new code",
            allow_drop: &["users.id"],
            v1: USERS
                .replace(
                    "pub email: String,",
                    "pub email: String,\n    pub handle: String,",
                )
                .leak(),
            v2: USERS
                .replace(
                    "#[schema(table = \"users\")]",
                    "#[schema(table = \"users\", primary_key(handle))]",
                )
                .replace("    #[schema(primary_key)]\n    pub id: i64,\n", "")
                .replace(
                    "pub email: String,",
                    "pub email: String,\n    pub handle: String,",
                )
                .leak(),
        },
        Refusal {
            title: "A `STORED` generated column added to a table with rows",
            v1: USERS,
            v2: with_users_field(
                "    #[schema(generated = \"lower(email)\")]\n    pub email_key: String,",
            ),
            allow_drop: &[],
        },
        Refusal {
            title: "A generated column's expression changed",
            v1: with_users_field(
                "    #[schema(generated = \"lower(email)\")]\n    pub email_key: String,",
            ),
            v2: with_users_field(
                "    #[schema(generated = \"upper(email)\")]\n    pub email_key: String,",
            ),
            allow_drop: &[],
        },
        Refusal {
            title: "A column removed without `--allow-drop`",
            allow_drop: &[],
            v1: USERS,
            v2: users_with("    pub age: Option<i32>,\n", ""),
        },
        Refusal {
            title: "Renaming a primary key column",
            allow_drop: &[],
            v1: USERS,
            v2: users_with(
                "#[schema(primary_key)]\n    pub id: i64,",
                "#[schema(primary_key, renamed_from = \"id\")]\n    pub user_id: i64,",
            ),
        },
        Refusal {
            title: "A table rename with column changes in one migration",
            allow_drop: &[],
            v1: USERS,
            v2: users_with(
                "#[schema(table = \"users\")]",
                "#[schema(table = \"accounts\", renamed_from = \"users\")]",
            )
            .replacen("    pub age: Option<i32>,", "    pub age: Option<i64>,", 1)
            .leak(),
        },
        Refusal {
            title: "A type change with a default change",
            allow_drop: &[],
            v1: USERS,
            v2: users_with(
                "    pub age: Option<i32>,",
                "    #[schema(default = \"1\")]\n    pub age: Option<i64>,",
            ),
        },
        Refusal {
            title: "An enum label removed or renamed",
            allow_drop: &[],
            v1: users_with_plan("    Free,\n    Pro,"),
            v2: users_with_plan("    Free,\n    Premium,"),
        },
        Refusal {
            title: "Enum labels reordered",
            allow_drop: &[],
            v1: users_with_plan("    Free,\n    Pro,"),
            v2: users_with_plan("    Pro,\n    Free,"),
        },
        Refusal {
            title: "A `numeric` scale reduction",
            allow_drop: &[],
            v1: with_users_field(
                "    #[schema(sql_type = \"numeric(10,4)\")]\n    pub balance: rust_decimal::Decimal,",
            ),
            v2: with_users_field(
                "    #[schema(sql_type = \"numeric(10,2)\")]\n    pub balance: rust_decimal::Decimal,",
            ),
        },
    ]
}

/// Plans `v1` → `v2` in a scratch crate: the plan, or the planner's message.
fn plan(v1: &str, v2: &str, allow_drop: &[&str]) -> Result<Plan, String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    let project = Project::open(dir.path()).unwrap();
    let models = dir.path().join("src/models.rs");
    std::fs::write(&models, v1).unwrap();
    let first = project.pending(&at("20270101000000")).unwrap().unwrap();
    project.write(&first).unwrap();
    std::fs::write(&models, v2).unwrap();
    let opts = GenerateOptions {
        allow_drop: allow_drop.iter().map(|s| (*s).to_owned()).collect(),
        ..at("20270102000000")
    };
    match project.pending(&opts) {
        Ok(Some(p)) => Ok(p.plan),
        Ok(None) => Err("the models did not change".into()),
        Err(e) => Err(e.to_string()),
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn section(c: &Change) -> String {
    let plan = plan(c.v1, c.v2, c.allow_drop).unwrap_or_else(|e| panic!("{}: {e}", c.title));
    let mut out = format!(
        "### {}\n\n{}\n\n| phase | step | lock | rewrite · scan |\n|---|---|---|---|\n",
        c.title, c.why
    );
    for s in &plan.steps {
        out.push_str(&format!(
            "| {} | {} | {} | {} · {} |\n",
            s.phase,
            cell(&s.summary),
            cell(&s.lock()),
            if s.rewrites() { "rewrite" } else { "no" },
            s.scan().as_deref().map_or("no".into(), cell),
        ));
    }
    out.push('\n');
    out
}

fn generated() -> String {
    let mut out = String::from(
        "## Every change\n\nGenerated from the planner by `tests/tests/safety_doc.rs`: each change planned on an example, its steps in the order they run, with the locks the statement catalogue gives them.\n\n",
    );
    for c in changes() {
        out.push_str(&section(&c));
    }
    out.push_str("## Refused, and what to do instead\n\nThe planner's own messages (the change and its table are named in each):\n\n");
    for r in refusals() {
        let err = match plan(r.v1, r.v2, r.allow_drop) {
            Ok(_) => panic!("{}: planned, not refused", r.title),
            Err(e) => e,
        };
        out.push_str(&format!("- **{}**: {}\n", r.title, cell(err.trim())));
    }
    out
}

const MARK: &str = "<!-- Everything below is generated by tests/tests/safety_doc.rs. -->\n";

#[test]
fn the_safety_doc_lists_every_change_as_the_planner_plans_it() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/safety.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let head = doc.split(MARK).next().unwrap();
    let want = format!("{head}{MARK}\n{}", generated());
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
    } else {
        assert!(
            doc == want,
            "docs/safety.md is not what the planner plans: run `UPDATE_DOCS=1 cargo test -p migrate-tests --test safety_doc` and review the diff"
        );
    }
}
