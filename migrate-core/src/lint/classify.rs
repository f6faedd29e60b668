//! What a statement does, read from squawk's PostgreSQL parser (its typed syntax tree),
//! never from the text: one [`Action`] per thing the rules care about (an `ALTER TABLE`
//! with three sub-commands gives three).

use squawk_syntax::SourceFile;
use squawk_syntax::ast::{self, AstNode, NameLike};

/// One thing a statement does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `CREATE TABLE`.
    CreateTable {
        /// The table.
        table: String,
    },
    /// `CREATE INDEX`.
    CreateIndex {
        /// The table.
        table: String,
        /// The index (empty when unnamed).
        name: String,
        /// With `CONCURRENTLY`.
        concurrently: bool,
    },
    /// `DROP INDEX`.
    DropIndex {
        /// The indexes.
        names: Vec<String>,
        /// With `CONCURRENTLY`.
        concurrently: bool,
    },
    /// `ALTER TABLE … ADD COLUMN`.
    AddColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Functions its `DEFAULT` calls (lower-case, without schema).
        default_calls: Vec<String>,
        /// Declared `NOT NULL`.
        not_null: bool,
        /// Has a `DEFAULT`.
        has_default: bool,
    },
    /// `ALTER TABLE … ADD CONSTRAINT` (or an unnamed table constraint).
    AddConstraint {
        /// The table.
        table: String,
        /// `CHECK`, `FOREIGN KEY`, `UNIQUE`, `PRIMARY KEY`, `EXCLUDE`, …
        kind: &'static str,
        /// The constraint (empty when unnamed).
        name: String,
        /// With `NOT VALID`.
        not_valid: bool,
        /// With `USING INDEX`.
        using_index: bool,
    },
    /// `ALTER TABLE … VALIDATE CONSTRAINT`.
    ValidateConstraint {
        /// The table.
        table: String,
    },
    /// `ALTER COLUMN … SET NOT NULL`.
    SetNotNull {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// `ALTER COLUMN … TYPE`.
    AlterType {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// `ALTER COLUMN … DROP DEFAULT`.
    DropDefault {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// `ALTER TABLE … DROP COLUMN`.
    DropColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// `ALTER TABLE … RENAME COLUMN`.
    RenameColumn {
        /// The table.
        table: String,
        /// The column's old name.
        column: String,
    },
    /// `ALTER TABLE … RENAME TO`.
    RenameTable {
        /// The table's old name.
        table: String,
    },
    /// `DROP TABLE`.
    DropTable {
        /// The tables.
        tables: Vec<String>,
    },
    /// `VACUUM`.
    Vacuum {
        /// With `FULL`.
        full: bool,
    },
    /// `CLUSTER`.
    Cluster,
    /// `REINDEX`.
    Reindex {
        /// With `CONCURRENTLY`.
        concurrently: bool,
    },
    /// `BEGIN` / `START TRANSACTION`.
    Begin,
    /// `COMMIT` / `END` / `ROLLBACK`.
    Commit,
    /// Anything else (DML, functions, triggers, views, `SET`, …).
    Other,
}

impl Action {
    /// Whether PostgreSQL refuses to run it inside a transaction block.
    pub fn needs_no_transaction(&self) -> bool {
        matches!(
            self,
            Action::CreateIndex {
                concurrently: true,
                ..
            } | Action::DropIndex {
                concurrently: true,
                ..
            } | Action::Reindex { concurrently: true }
                | Action::Vacuum { .. }
        )
    }
}

/// A statement that does not parse: the parser's message and the byte offset in the
/// statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The parser's message.
    pub message: String,
    /// Byte offset in the statement text.
    pub offset: usize,
}

/// The actions of one statement (its text without the semicolon).
pub fn classify(sql: &str) -> Result<Vec<Action>, SyntaxError> {
    let parse = SourceFile::parse(sql);
    if let Some(e) = parse.errors().first() {
        return Err(SyntaxError {
            message: e.message().to_string(),
            offset: usize::from(e.range().start()),
        });
    }
    let mut out = Vec::new();
    for stmt in parse.tree().stmts() {
        statement(&stmt, &mut out);
    }
    Ok(out)
}

fn statement(stmt: &ast::Stmt, out: &mut Vec<Action>) {
    match stmt {
        ast::Stmt::CreateTable(t) => out.push(Action::CreateTable {
            table: path(t.table_name().and_then(|n| n.path())),
        }),
        ast::Stmt::CreateIndex(i) => out.push(Action::CreateIndex {
            table: path_ref(
                i.table_relation_name()
                    .and_then(|r| r.table_name_ref())
                    .and_then(|t| t.path_ref()),
            ),
            name: path(i.index().and_then(|i| i.path())),
            concurrently: i.concurrently_token().is_some(),
        }),
        ast::Stmt::DropIndex(d) => out.push(Action::DropIndex {
            names: d.index_refs().map(|r| path_ref(r.path_ref())).collect(),
            concurrently: d.concurrently_token().is_some(),
        }),
        ast::Stmt::AlterTable(a) => {
            let table = path_ref(
                a.table_relation_name()
                    .and_then(|r| r.table_name_ref())
                    .and_then(|t| t.path_ref()),
            );
            for action in a.actions() {
                alter_table(&table, &action, out);
            }
        }
        ast::Stmt::DropTable(d) => out.push(Action::DropTable {
            tables: d
                .table_name_refs()
                .map(|t| path_ref(t.path_ref()))
                .collect(),
        }),
        ast::Stmt::Vacuum(v) => out.push(Action::Vacuum { full: v.is_full() }),
        ast::Stmt::Cluster(_) => out.push(Action::Cluster),
        ast::Stmt::Reindex(r) => out.push(Action::Reindex {
            concurrently: r.is_concurrently(),
        }),
        ast::Stmt::Begin(_) => out.push(Action::Begin),
        ast::Stmt::Commit(_) | ast::Stmt::Rollback(_) => out.push(Action::Commit),
        _ => out.push(Action::Other),
    }
}

fn alter_table(table: &str, action: &ast::AlterTableAction, out: &mut Vec<Action>) {
    use ast::AlterColumnOption as O;
    use ast::AlterTableAction as A;
    let table = table.to_owned();
    let action = match action {
        A::AddColumn(c) => {
            let mut default_calls = Vec::new();
            let (mut not_null, mut has_default) = (false, false);
            for constraint in c.constraints() {
                match constraint {
                    ast::Constraint::DefaultConstraint(d) => {
                        has_default = true;
                        if let Some(e) = d.expr() {
                            default_calls.extend(calls(e.syntax()));
                        }
                    }
                    ast::Constraint::NotNullConstraint(_)
                    | ast::Constraint::PrimaryKeyConstraint(_) => not_null = true,
                    _ => {}
                }
            }
            Action::AddColumn {
                table,
                column: c.column_name().map(|n| n.text()).unwrap_or_default(),
                default_calls,
                not_null,
                has_default,
            }
        }
        A::AddConstraint(c) => {
            let Some(c) = c.constraint() else { return };
            let using_index = match &c {
                ast::Constraint::UniqueConstraint(u) => u.using_index().is_some(),
                ast::Constraint::PrimaryKeyConstraint(p) => p.using_index().is_some(),
                _ => false,
            };
            Action::AddConstraint {
                table,
                kind: constraint_kind(&c),
                name: c.constraint_name().map(|n| n.text()).unwrap_or_default(),
                not_valid: c.is_not_valid(),
                using_index,
            }
        }
        A::ValidateConstraint(_) => Action::ValidateConstraint { table },
        A::AlterColumn(c) => {
            let column = c.column_name_ref().map(|n| n.text()).unwrap_or_default();
            match c.option() {
                Some(O::SetNotNull(_)) => Action::SetNotNull { table, column },
                Some(O::SetType(_)) => Action::AlterType { table, column },
                Some(O::DropDefault(_)) => Action::DropDefault { table, column },
                _ => Action::Other,
            }
        }
        A::DropColumn(c) => Action::DropColumn {
            table,
            column: c.column_name_ref().map(|n| n.text()).unwrap_or_default(),
        },
        A::RenameColumn(c) => Action::RenameColumn {
            table,
            column: c.column_name_ref().map(|n| n.text()).unwrap_or_default(),
        },
        A::TableRenameTo(_) => Action::RenameTable { table },
        _ => Action::Other,
    };
    out.push(action);
}

fn constraint_kind(c: &ast::Constraint) -> &'static str {
    match c {
        ast::Constraint::CheckConstraint(_) => "CHECK",
        ast::Constraint::ForeignKeyConstraint(_) | ast::Constraint::ReferencesConstraint(_) => {
            "FOREIGN KEY"
        }
        ast::Constraint::UniqueConstraint(_) => "UNIQUE",
        ast::Constraint::PrimaryKeyConstraint(_) => "PRIMARY KEY",
        ast::Constraint::ExcludeConstraint(_) => "EXCLUDE",
        ast::Constraint::NotNullConstraint(_) => "NOT NULL",
        _ => "other",
    }
}

/// The functions an expression calls, lower-case, without their schema.
fn calls(node: &squawk_syntax::SyntaxNode) -> Vec<String> {
    node.descendants()
        .filter_map(ast::CallExpr::cast)
        .filter_map(|c| c.expr())
        .map(|callee| {
            let text = callee.syntax().text().to_string();
            let name = text.rsplit('.').next().unwrap_or(&text);
            name.trim_matches('"').to_ascii_lowercase()
        })
        .collect()
}

/// `schema.name` of a reference (a table or index a statement uses).
fn path_ref(p: Option<ast::PathRef>) -> String {
    let Some(p) = p else { return String::new() };
    let segment = p.segment().map(|s| s.text()).unwrap_or_default();
    match p.qualifier() {
        Some(q) => format!("{}.{segment}", path_ref(Some(q))),
        None => segment,
    }
}

/// `schema.name` of a definition (a table or index a statement creates).
fn path(p: Option<ast::Path>) -> String {
    let Some(p) = p else { return String::new() };
    let segment = p.segment().map(|s| s.text()).unwrap_or_default();
    match p.qualifier() {
        Some(q) => format!("{}.{segment}", path_ref(Some(q))),
        None => segment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &str) -> Action {
        let mut a = classify(sql).unwrap();
        assert_eq!(a.len(), 1, "{sql}: {a:?}");
        a.remove(0)
    }

    #[test]
    fn reads_what_the_rules_need() {
        assert_eq!(
            one("CREATE INDEX CONCURRENTLY \"I\" ON public.t (a)"),
            Action::CreateIndex {
                table: "public.t".into(),
                name: "I".into(),
                concurrently: true
            }
        );
        assert_eq!(
            one("DROP INDEX i"),
            Action::DropIndex {
                names: vec!["i".into()],
                concurrently: false
            }
        );
        assert_eq!(
            one("ALTER TABLE T ADD COLUMN c int NOT NULL DEFAULT pg_catalog.random()"),
            Action::AddColumn {
                table: "t".into(),
                column: "c".into(),
                default_calls: vec!["random".into()],
                not_null: true,
                has_default: true,
            }
        );
        assert_eq!(
            one("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID"),
            Action::AddConstraint {
                table: "t".into(),
                kind: "FOREIGN KEY",
                name: "f".into(),
                not_valid: true,
                using_index: false
            }
        );
        assert_eq!(
            one("ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i"),
            Action::AddConstraint {
                table: "t".into(),
                kind: "UNIQUE",
                name: "u".into(),
                not_valid: false,
                using_index: true
            }
        );
        assert_eq!(one("VACUUM (FULL) t"), Action::Vacuum { full: true });
        assert_eq!(
            one("REINDEX INDEX CONCURRENTLY i"),
            Action::Reindex { concurrently: true }
        );
        let a = classify(
            "ALTER TABLE t ALTER COLUMN a SET NOT NULL, ALTER COLUMN b TYPE bigint, DROP COLUMN c",
        )
        .unwrap();
        assert!(matches!(a[0], Action::SetNotNull { .. }));
        assert!(matches!(a[1], Action::AlterType { .. }));
        assert!(matches!(a[2], Action::DropColumn { .. }));
        assert_eq!(a.len(), 3, "{a:?}");
    }

    #[test]
    fn a_statement_that_does_not_parse_says_where() {
        let e = classify("ALTER TABLE t ADD COLUMN").unwrap_err();
        assert_eq!(e.offset, 24);
        assert!(!e.message.is_empty());
    }
}
