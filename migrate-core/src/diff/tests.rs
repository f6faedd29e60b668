use super::*;
use crate::model::{Column, Index, IndexMethod, Table};

fn users(columns: Vec<Column>) -> Table {
    Table::new("users", columns)
}

#[test]
fn identical_schemas_have_no_changes() {
    let t = users(vec![Column::new("id", "bigint", false)]);
    assert!(diff(std::slice::from_ref(&t), std::slice::from_ref(&t)).is_empty());
}

#[test]
fn detects_table_and_column_changes() {
    let old = users(vec![
        Column::new("id", "bigint", false),
        Column::new("a", "text", true),
    ]);
    let mut new = users(vec![
        Column::new("id", "integer", false),
        Column::new("b", "text", true),
    ]);
    new.indexes.push(Index {
        name: "users_b_idx".into(),
        columns: vec!["b".into()],
        unique: false,
        method: IndexMethod::Btree,
        predicate: None,
        constraint: false,
        order: Vec::new(),
        include: Vec::new(),
        with: Vec::new(),
        ops: Vec::new(),
        collations: Vec::new(),
    });
    let mut posts = users(vec![Column::new("id", "bigint", false)]);
    posts.name = "posts".into();
    let changes = diff(&[old], &[new, posts]);
    let described: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        described,
        [
            "new table \"posts\"",
            "column \"users\".\"id\" changed: type bigint → integer",
            "new column \"users\".\"b\" text",
            "column \"users\".\"a\" removed",
            "new index \"users_b_idx\" on \"users\"",
        ]
    );
}

#[test]
fn renames_need_the_old_name_in_the_old_schema() {
    let old = users(vec![Column::new("name", "text", true)]);
    let mut new = users(vec![Column {
        renamed_from: Some("name".into()),
        ..Column::new("full_name", "text", true)
    }]);
    new.name = "accounts".into();
    new.renamed_from = Some("users".into());
    let changes = diff(std::slice::from_ref(&old), std::slice::from_ref(&new));
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(
        matches!(&changes[0], Change::RenameTable { from, to } if from == "users" && to == "accounts")
    );
    assert!(matches!(&changes[1], Change::RenameColumn { from, .. } if from == "name"));
    // Hint for a name the old schema never had: a plain new table.
    new.renamed_from = Some("nobody".into());
    assert!(matches!(
        diff(&[old], &[new])[0],
        Change::CreateTable { .. }
    ));
}

#[test]
fn slugs() {
    assert_eq!(slugify("Add users.Bio!"), "add_users_bio");
    assert!(slugify(&"x".repeat(100)).len() <= 60);
}

#[test]
fn physical_order_appends_added_columns() {
    let old = users(vec![
        Column::new("id", "bigint", false),
        Column::new("b", "text", true),
    ]);
    let new = users(vec![
        Column::new("id", "bigint", false),
        Column::new("a", "text", true),
        Column::new("b", "text", true),
    ]);
    let ordered = physical_order(&[old], vec![new]);
    let names: Vec<&str> = ordered[0].columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "b", "a"]);
}
