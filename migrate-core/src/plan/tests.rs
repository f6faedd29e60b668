use super::*;
use crate::diff::diff;
use crate::model::{Column, Table};

fn table(name: &str, columns: Vec<Column>) -> Table {
    Table::new(name, columns)
}

fn plan_of(old: &[Table], new: &[Table], opts: &PlanOptions) -> Result<Plan, Vec<PlanError>> {
    plan(&diff(old, new), old, opts)
}

#[test]
fn not_null_column_without_default_is_refused_with_the_fix() {
    let old = [table("users", vec![Column::new("id", "bigint", false)])];
    let new = [table(
        "users",
        vec![
            Column::new("id", "bigint", false),
            Column::new("age", "integer", false),
        ],
    )];
    let errs = plan_of(&old, &new, &PlanOptions::default()).unwrap_err();
    assert_eq!(errs.len(), 1);
    let msg = errs[0].to_string();
    assert!(msg.contains("table \"users\""), "{msg}");
    assert!(msg.contains("default"), "{msg}");
}

#[test]
fn volatile_defaults_and_old_servers_are_refused() {
    let old = [table("users", vec![Column::new("id", "bigint", false)])];
    let with = |default: &str, nullable: bool| {
        [table(
            "users",
            vec![
                Column::new("id", "bigint", false),
                Column {
                    default: Some(default.into()),
                    ..Column::new("c", "uuid", nullable)
                },
            ],
        )]
    };
    assert!(
        plan_of(
            &old,
            &with("gen_random_uuid()", true),
            &PlanOptions::default()
        )
        .is_err()
    );
    let pg10 = PlanOptions {
        pg_version: 10,
        ..PlanOptions::default()
    };
    assert!(plan_of(&old, &with("'x'", false), &pg10).is_err());
    let ok = plan_of(&old, &with("'x'", false), &PlanOptions::default()).unwrap();
    assert_eq!(ok.steps.len(), 1);
    assert!(!ok.steps[0].rewrites);
}

#[test]
fn dropping_a_table_needs_acknowledgement() {
    let old = [table("users", vec![Column::new("id", "bigint", false)])];
    let errs = plan_of(&old, &[], &PlanOptions::default()).unwrap_err();
    assert!(matches!(&errs[0], PlanError::DropNotAcknowledged { table } if table == "users"));
    let opts = PlanOptions {
        allow_drop: vec!["users".into()],
        ..PlanOptions::default()
    };
    let p = plan_of(&old, &[], &opts).unwrap();
    assert_eq!(p.steps[0].phase, Phase::Contract);
    assert!(p.steps[0].destructive);
}

#[test]
fn every_refused_change_is_reported() {
    let old = [table(
        "users",
        vec![
            Column::new("id", "bigint", false),
            Column::new("a", "text", true),
        ],
    )];
    let new = [table(
        "users",
        vec![
            Column::new("id", "integer", false),
            Column::new("b", "text", false),
        ],
    )];
    let errs = plan_of(&old, &new, &PlanOptions::default()).unwrap_err();
    assert_eq!(errs.len(), 3, "{errs:#?}");
}
