use super::*;
use crate::model::{Check, Column, FkAction, ForeignKey, Index, IndexMethod, PrimaryKey, Table};

fn users() -> Table {
    Table {
        name: "users".into(),
        renamed_from: None,
        columns: vec![
            Column {
                identity: true,
                ..Column::new("id", "bigint", false)
            },
            Column::new("email", "text", false),
            Column {
                default: Some("now()".into()),
                ..Column::new("created_at", "timestamp with time zone", false)
            },
        ],
        primary_key: Some(PrimaryKey {
            name: "users_pkey".into(),
            columns: vec!["id".into()],
        }),
        indexes: vec![Index {
            name: "users_email_idx".into(),
            columns: vec!["email".into()],
            unique: true,
            method: IndexMethod::Btree,
            predicate: None,
            constraint: false,
            order: Vec::new(),
            include: Vec::new(),
            with: Vec::new(),
            ops: Vec::new(),
            collations: Vec::new(),
        }],
        checks: vec![Check {
            name: "users_email_check".into(),
            expr: "(email <> ''::text)".into(),
        }],
        foreign_keys: vec![],
        comment: None,
        extensions: vec![],
        enums: vec![],
    }
}

fn posts() -> Table {
    Table {
        name: "posts".into(),
        renamed_from: None,
        columns: vec![
            Column::new("id", "bigint", false),
            Column::new("author_id", "bigint", false),
        ],
        primary_key: None,
        indexes: vec![],
        checks: vec![],
        foreign_keys: vec![ForeignKey {
            name: "posts_author_id_fkey".into(),
            columns: vec!["author_id".into()],
            ref_table: "users".into(),
            ref_columns: vec!["id".into()],
            on_delete: FkAction::Cascade,
            on_update: FkAction::NoAction,
            deferrable: false,
            initially_deferred: false,
        }],
        comment: None,
        extensions: vec![],
        enums: vec![],
    }
}

fn shown(d: &[Difference]) -> Vec<String> {
    d.iter().map(ToString::to_string).collect()
}

#[test]
fn equal_schemas_have_no_differences() {
    let s = [users(), posts()];
    assert!(compare(&s, &s, Options::default()).is_empty());
}

#[test]
fn a_missing_or_extra_table_is_one_difference() {
    let d = compare(&[users(), posts()], &[users()], Options::default());
    assert_eq!(
        shown(&d),
        ["- table posts: missing (expected a table of 2 columns)"]
    );
    let d = compare(&[users()], &[users(), posts()], Options::default());
    assert_eq!(
        shown(&d),
        ["+ table posts: not expected (found a table of 2 columns)"]
    );
}

#[test]
fn each_object_that_differs_is_named_with_both_sides() {
    let mut live = users();
    live.columns[1].sql_type = "character varying(255)".into();
    live.columns[2].default = None;
    live.columns.push(Column::new("nickname", "text", true));
    live.indexes[0].predicate = Some("(email IS NOT NULL)".into());
    live.checks.clear();
    let mut fk = posts();
    fk.foreign_keys[0].on_delete = FkAction::Restrict;
    let d = compare(&[users(), posts()], &[live, fk], Options::default());
    assert_eq!(
        shown(&d),
        [
            "~ column order users: expected id, email, created_at, found id, email, created_at, nickname",
            "~ column users.email: expected text NOT NULL, found character varying(255) NOT NULL",
            "~ column users.created_at: expected timestamp with time zone NOT NULL DEFAULT now(), found timestamp with time zone NOT NULL",
            "~ index users.users_email_idx: expected UNIQUE btree (email), found UNIQUE btree (email) WHERE (email IS NOT NULL)",
            "- check users.users_email_check: missing (expected CHECK ((email <> ''::text)))",
            "+ column users.nickname: not expected (found text)",
            "~ foreign key posts.posts_author_id_fkey: expected (author_id) REFERENCES users (id) ON DELETE CASCADE ON UPDATE NO ACTION, found (author_id) REFERENCES users (id) ON DELETE RESTRICT ON UPDATE NO ACTION",
        ]
    );
}

#[test]
fn column_order_is_compared_only_when_asked() {
    let mut live = users();
    live.columns.swap(1, 2);
    let strict = compare(&[users()], std::slice::from_ref(&live), Options::default());
    assert_eq!(strict.len(), 1);
    assert_eq!(strict[0].object, "column order users");
    let loose = Options {
        column_order: false,
    };
    assert!(compare(&[users()], &[live], loose).is_empty());
}

#[test]
fn names_of_keys_and_identity_are_part_of_the_schema() {
    let mut live = users();
    live.primary_key.as_mut().unwrap().name = "users_pk".into();
    live.columns[0].identity = false;
    let d = compare(&[users()], &[live], Options::default());
    assert_eq!(
        shown(&d),
        [
            "~ column users.id: expected bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY, found bigint NOT NULL",
            "~ primary key users: expected users_pkey (id), found users_pk (id)",
        ]
    );
}

#[test]
fn how_an_object_got_its_name_or_data_is_not_compared() {
    let mut model = users();
    model.renamed_from = Some("accounts".into());
    model.columns[1].renamed_from = Some("mail".into());
    model.columns[1].backfill = Some("'x'".into());
    assert!(compare(&[model], &[users()], Options::default()).is_empty());
}

#[test]
fn comments_compare_as_doc_comments_can_say_them() {
    let mut model = users();
    model.comment = Some("People.\nWho buy.".into());
    let mut live = model.clone();
    live.comment = Some("People.  \r\nWho buy.".into());
    assert!(compare(&[model.clone()], &[live.clone()], Options::default()).is_empty());
    live.comment = Some("People.\nWho sell.".into());
    assert_eq!(
        shown(&compare(&[model], &[live], Options::default())),
        ["~ comment on users: expected People.\nWho buy., found People.\nWho sell."]
    );
    // A table whose models keep no comments ignores the database's.
    let mut live = users();
    live.comment = Some("by hand".into());
    assert!(compare(&[users()], &[live], Options::default()).is_empty());
}
