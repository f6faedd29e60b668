//! What a statement does, read from squawk's PostgreSQL parser (its typed syntax tree),
//! never from the text: one [`Action`] per thing the rules care about (an `ALTER TABLE`
//! with three sub-commands gives three).

use crate::catalogue::{Kind, evaluated_once};
use squawk_syntax::SourceFile;
use squawk_syntax::ast::{self, AstNode, NameLike};

/// One thing a statement does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `TRUNCATE t`: ACCESS EXCLUSIVE, and every row gone (not a catalogue kind: nothing
    /// the project plans truncates, and its new, empty file is no rewrite of the rows).
    Truncate {
        /// The table.
        table: String,
    },
    /// `LOCK TABLE t IN mode MODE`: held until the transaction ends.
    LockTable {
        /// The (first) table.
        table: String,
        /// The mode it asks for.
        mode: crate::catalogue::LockMode,
    },
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
        /// What makes it fill every row, rewriting the table: `serial`, `identity`,
        /// `generated stored` (a volatile default is in `default_calls`).
        fills: Option<&'static str>,
        /// Inline constraints that build an index or check every row under its ACCESS
        /// EXCLUSIVE lock: `UNIQUE`, `PRIMARY KEY`, `CHECK`, `REFERENCES` (with a default,
        /// so existing rows have a value to check).
        inline: Vec<&'static str>,
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
        /// The table a foreign key references.
        references: Option<String>,
        /// The column a `CHECK (c IS NOT NULL)` or `NOT NULL c` constraint is about.
        not_null_of: Option<String>,
    },
    /// `ALTER TABLE … VALIDATE CONSTRAINT`.
    ValidateConstraint {
        /// The table.
        table: String,
        /// The constraint.
        name: String,
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
    /// A statement the rules need nothing more of than its catalogue kind (a function, a
    /// trigger, a view, a schema, a grant, `UPDATE` / `DELETE`, an index rename, a default,
    /// dropping NOT NULL or a constraint).
    Catalogued {
        /// Its kind.
        kind: Kind,
        /// The table it is about, when it names one.
        table: Option<String>,
    },
    /// Anything else (`SET`, `SELECT`, `INSERT`, `DO`, …).
    Other,
}

impl Action {
    /// Its kind in the statement catalogue (`None`: not a statement the catalogue knows —
    /// a transaction boundary, DML other than UPDATE / DELETE, a function, a `SET` …).
    pub fn kind(&self) -> Option<Kind> {
        Some(match self {
            Action::CreateTable { .. } => Kind::CreateTable,
            Action::CreateIndex { concurrently, .. } => {
                if *concurrently {
                    Kind::CreateIndexConcurrently
                } else {
                    Kind::CreateIndex
                }
            }
            Action::DropIndex { concurrently, .. } => {
                if *concurrently {
                    Kind::DropIndexConcurrently
                } else {
                    Kind::DropIndex
                }
            }
            Action::AddColumn {
                default_calls,
                fills,
                inline,
                ..
            } => {
                if fills.is_some() || !default_calls.iter().all(|f| evaluated_once(f)) {
                    Kind::AddColumnRewrite
                } else if inline
                    .iter()
                    .any(|c| matches!(*c, "UNIQUE" | "PRIMARY KEY"))
                {
                    Kind::AddKey
                } else if inline.contains(&"CHECK") {
                    Kind::AddCheck
                } else if inline.contains(&"REFERENCES") {
                    Kind::AddForeignKey
                } else {
                    Kind::AddColumn
                }
            }
            Action::AddConstraint {
                kind,
                not_valid,
                using_index,
                ..
            } => match (*kind, *not_valid, *using_index) {
                ("CHECK", true, _) => Kind::AddCheckNotValid,
                ("CHECK", false, _) => Kind::AddCheck,
                ("FOREIGN KEY", true, _) => Kind::AddForeignKeyNotValid,
                ("FOREIGN KEY", false, _) => Kind::AddForeignKey,
                ("UNIQUE" | "PRIMARY KEY", _, true) => Kind::AddKeyUsingIndex,
                ("UNIQUE" | "PRIMARY KEY" | "EXCLUDE", _, false) => Kind::AddKey,
                ("NOT NULL", true, _) => Kind::AddCheckNotValid,
                ("NOT NULL", false, _) => Kind::SetNotNull,
                _ => return None,
            },
            Action::ValidateConstraint { .. } => Kind::ValidateConstraint,
            Action::SetNotNull { .. } => Kind::SetNotNull,
            Action::AlterType { .. } => Kind::AlterColumnType,
            Action::DropDefault { .. } => Kind::DropDefault,
            Action::DropColumn { .. } => Kind::DropColumn,
            Action::RenameColumn { .. } => Kind::RenameColumn,
            Action::RenameTable { .. } => Kind::RenameTable,
            Action::DropTable { .. } => Kind::DropTable,
            Action::Vacuum { full: true } => Kind::VacuumFull,
            Action::Vacuum { full: false } => Kind::Vacuum,
            Action::Cluster => Kind::Cluster,
            Action::Reindex { concurrently: true } => Kind::ReindexConcurrently,
            Action::Reindex {
                concurrently: false,
            } => Kind::Reindex,
            Action::Catalogued { kind, .. } => *kind,
            Action::Begin
            | Action::Commit
            | Action::Other
            | Action::LockTable { .. }
            | Action::Truncate { .. } => {
                return None;
            }
        })
    }

    /// The table it is about, when the statement names it.
    pub fn table(&self) -> Option<&str> {
        match self {
            Action::CreateTable { table }
            | Action::CreateIndex { table, .. }
            | Action::AddColumn { table, .. }
            | Action::AddConstraint { table, .. }
            | Action::ValidateConstraint { table, .. }
            | Action::SetNotNull { table, .. }
            | Action::AlterType { table, .. }
            | Action::DropDefault { table, .. }
            | Action::DropColumn { table, .. }
            | Action::RenameColumn { table, .. }
            | Action::RenameTable { table }
            | Action::LockTable { table, .. }
            | Action::Truncate { table } => Some(table),
            Action::DropTable { tables } => tables.first().map(String::as_str),
            Action::Catalogued { table, .. } => table.as_deref(),
            _ => None,
        }
    }

    /// The lock it takes, as the catalogue says it (`ACCESS EXCLUSIVE on "t", brief
    /// (catalog only)`).
    pub fn lock(&self) -> Option<String> {
        let quoted = |t: &str| format!("\"{t}\"");
        let table = self.table().map_or("its table".to_owned(), quoted);
        let on = match self {
            Action::AddConstraint {
                references: Some(r),
                ..
            } => crate::catalogue::On::with(table, quoted(r)),
            _ => crate::catalogue::On::table(table),
        };
        self.kind().map(|k| k.facts().lock_text(&on))
    }

    /// Whether PostgreSQL refuses to run it inside a transaction block (the catalogue
    /// says so).
    pub fn needs_no_transaction(&self) -> bool {
        self.kind().is_some_and(|k| !k.facts().transactional)
    }
}

/// The index a `CREATE [UNIQUE] INDEX CONCURRENTLY name …` statement builds, quoted and
/// qualified as written (`"public"."Ix"`) or by its table's schema (`"ix" ON "billing"."t"`
/// → `"billing"."ix"`); `None` for any other statement or an unnamed
/// index.
pub fn concurrent_index(sql: &str) -> Option<String> {
    let parse = SourceFile::parse(sql);
    if !parse.errors().is_empty() {
        return None;
    }
    parse.tree().stmts().find_map(|stmt| match stmt {
        ast::Stmt::CreateIndex(i) if i.concurrently_token().is_some() => {
            let mut parts = path_parts(i.index().and_then(|i| i.path()));
            let table = path_ref_parts(
                i.table_relation_name()
                    .and_then(|r| r.table_name_ref())
                    .and_then(|t| t.path_ref()),
            );
            // An index lives in its table's schema.
            if parts.len() == 1 && table.len() == 2 {
                parts.insert(0, table[0].clone());
            }
            let quoted: Vec<String> = parts.iter().map(|p| crate::sql::ident(p)).collect();
            (!parts.is_empty()).then(|| quoted.join("."))
        }
        _ => None,
    })
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
        ast::Stmt::CreateTableAs(t) => out.push(Action::CreateTable {
            table: path(t.table_name().and_then(|n| n.path())),
        }),
        ast::Stmt::SelectInto(s) => out.push(Action::CreateTable {
            table: path(
                s.into_clause()
                    .and_then(|i| i.table_name())
                    .and_then(|n| n.path()),
            ),
        }),
        ast::Stmt::CreateMaterializedView(v) => out.push(Action::CreateTable {
            table: path(v.view().and_then(|v| v.path())),
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
        // The statements inside a DO block are judged like top-level ones.
        ast::Stmt::Do(d) => {
            let body = d
                .body()
                .and_then(|b| super::plpgsql::unquote(&b.syntax().text().to_string()));
            // A loop of "batches" inside the block is still one transaction.
            let looped = body
                .as_deref()
                .is_some_and(|b| b.to_ascii_uppercase().contains("LOOP"));
            let inner: Vec<Action> = body
                .iter()
                .flat_map(|b| super::plpgsql::statements(b))
                .filter_map(|sql| classify(&sql).ok())
                .flatten()
                .map(|a| match a {
                    Action::Catalogued {
                        kind: Kind::UpdateFew,
                        table,
                    } if looped => catalogued(Kind::Update, table),
                    a => a,
                })
                .collect();
            if inner.is_empty() {
                out.push(Action::Other);
            }
            out.extend(inner);
        }
        ast::Stmt::AlterIndex(a) => out.push(match a.action() {
            Some(ast::AlterIndexAction::IndexRenameTo(_)) => catalogued(Kind::RenameIndex, None),
            _ => Action::Other,
        }),
        ast::Stmt::CreateFunction(_) => out.push(catalogued(Kind::CreateFunction, None)),
        ast::Stmt::DropFunction(_) => out.push(catalogued(Kind::DropFunction, None)),
        ast::Stmt::CreateTrigger(t) => out.push(catalogued(
            Kind::CreateTrigger,
            t.on_relation()
                .and_then(|r| r.relation_name_ref())
                .map(|r| path_ref(r.path_ref())),
        )),
        ast::Stmt::DropTrigger(_) => out.push(catalogued(Kind::DropTrigger, None)),
        ast::Stmt::CreateView(_) => out.push(catalogued(Kind::CreateView, None)),
        ast::Stmt::DropView(_) => out.push(catalogued(Kind::DropView, None)),
        ast::Stmt::CreateSchema(_) => out.push(catalogued(Kind::CreateSchema, None)),
        ast::Stmt::DropSchema(_) => out.push(catalogued(Kind::DropSchema, None)),
        ast::Stmt::Grant(_) => out.push(catalogued(Kind::Grant, None)),
        ast::Stmt::Update(u) => {
            out.push(catalogued(changes(u.syntax()), relation(u.relation_name())))
        }
        ast::Stmt::Delete(d) => {
            out.push(catalogued(changes(d.syntax()), relation(d.relation_name())))
        }
        ast::Stmt::Lock(l) => out.extend(lock_table(l)),
        ast::Stmt::Truncate(t) => out.extend(
            t.table_list()
                .into_iter()
                .flat_map(|l| l.table_relation_names())
                .map(|r| Action::Truncate {
                    table: path_ref(r.table_name_ref().and_then(|t| t.path_ref())),
                }),
        ),
        ast::Stmt::Refresh(r) if r.concurrently_token().is_none() => out.push(catalogued(
            Kind::RefreshMaterializedView,
            Some(path_ref(r.view_ref().and_then(|v| v.path_ref()))),
        )),
        ast::Stmt::AlterSequence(a) => out.push(alter_sequence(a)),
        ast::Stmt::CommentOn(_) => out.push(catalogued(Kind::Comment, None)),
        ast::Stmt::CreateExtension(_) => out.push(catalogued(Kind::CreateExtension, None)),
        ast::Stmt::Select(s) => out.push(set_sequence_value(s).unwrap_or(Action::Other)),
        ast::Stmt::AlterType(t) => out.push(match t.action() {
            Some(ast::AlterTypeAction::RenameValue(_)) => catalogued(Kind::RenameEnumValue, None),
            Some(ast::AlterTypeAction::AddValue(_)) => catalogued(Kind::AddEnumValue, None),
            _ => Action::Other,
        }),
        ast::Stmt::CreateType(_) => out.push(catalogued(Kind::CreateType, None)),
        ast::Stmt::DropType(_) => out.push(catalogued(Kind::DropType, None)),
        ast::Stmt::AlterMaterializedView(v) => {
            let view = path_ref(v.view_ref().and_then(|r| r.path_ref()));
            for action in v.action() {
                out.push(match action {
                    ast::AlterMaterializedViewAction::ViewRenameTo(_) => Action::RenameTable {
                        table: view.clone(),
                    },
                    ast::AlterMaterializedViewAction::SetSchema(_) => {
                        catalogued(Kind::SetSchema, Some(view.clone()))
                    }
                    _ => Action::Other,
                });
            }
        }
        ast::Stmt::Commit(_) | ast::Stmt::Rollback(_) => out.push(Action::Commit),
        _ => out.push(Action::Other),
    }
}

/// An `UPDATE` or `DELETE`: of a few rows, or of every row that matches.
fn changes(stmt: &squawk_syntax::SyntaxNode) -> Kind {
    if super::bounded::few_rows(stmt) {
        Kind::UpdateFew
    } else {
        Kind::Update
    }
}

/// `LOCK [TABLE] t, … [IN mode MODE]`: one action per table (ACCESS EXCLUSIVE when no mode
/// is named, as PostgreSQL does).
fn lock_table(l: &ast::Lock) -> Vec<Action> {
    use crate::catalogue::LockMode as M;
    use ast::LockMode as L;
    let mode = match l.lock_mode_clause().and_then(|c| c.lock_mode()) {
        None | Some(L::AccessExclusive(_)) => M::AccessExclusive,
        Some(L::AccessShare(_)) => M::AccessShare,
        Some(L::RowShare(_)) => M::RowShare,
        Some(L::RowExclusive(_)) => M::RowExclusive,
        Some(L::ShareUpdateExclusive(_)) => M::ShareUpdateExclusive,
        Some(L::Share(_)) => M::Share,
        Some(L::ShareRowExclusive(_)) => M::ShareRowExclusive,
        Some(L::Exclusive(_)) => M::Exclusive,
    };
    l.relation_list()
        .into_iter()
        .flat_map(|r| r.relation_names())
        .filter_map(|r| relation(Some(r)))
        .map(|table| Action::LockTable { table, mode })
        .collect()
}

fn catalogued(kind: Kind, table: Option<String>) -> Action {
    Action::Catalogued { kind, table }
}

fn relation(r: Option<ast::RelationName>) -> Option<String> {
    r.and_then(|r| r.relation_name_ref())
        .map(|r| path_ref(r.path_ref()))
}

/// `ALTER SEQUENCE` of options only (`AS`, `OWNED BY`, `RESTART` …) is catalogued; a
/// rename, a schema or owner change is not.
fn alter_sequence(a: &ast::AlterSequence) -> Action {
    use ast::AlterSequenceAction as A;
    let sequence = path_ref(a.sequence_ref().and_then(|r| r.path_ref()));
    let actions: Vec<A> = a.actions().collect();
    if actions.iter().all(|x| matches!(x, A::SequenceOption(_))) {
        catalogued(Kind::AlterSequence, Some(sequence))
    } else if let [A::SequenceRenameTo(_)] = actions.as_slice() {
        catalogued(Kind::RenameSequence, Some(sequence))
    } else {
        Action::Other
    }
}

/// `SELECT setval(…)` reading no table: catalogued; any other query is not.
fn set_sequence_value(s: &ast::Select) -> Option<Action> {
    use squawk_syntax::SyntaxKind as K;
    let tokens: Vec<_> = s
        .syntax()
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| !matches!(t.kind(), K::WHITESPACE | K::COMMENT))
        .collect();
    let setval = matches!(tokens.as_slice(), [select, name, open, ..]
        if select.kind() == K::SELECT_KW
            && name.text().eq_ignore_ascii_case("setval")
            && open.kind() == K::L_PAREN);
    let reads = tokens.iter().any(|t| t.kind() == K::FROM_KW);
    (setval && !reads).then(|| catalogued(Kind::SetSequenceValue, None))
}

fn alter_table(table: &str, action: &ast::AlterTableAction, out: &mut Vec<Action>) {
    use ast::AlterColumnOption as O;
    use ast::AlterTableAction as A;
    let table = table.to_owned();
    let action = match action {
        A::AddColumn(c) => add_column(table, c),
        A::AddConstraint(c) => {
            let Some(c) = c.constraint() else { return };
            add_constraint(table, &c)
        }
        A::ValidateConstraint(v) => Action::ValidateConstraint {
            table,
            name: path_ref(v.constraint_name_ref().and_then(|n| n.path_ref())),
        },
        A::SetLogged(_) | A::SetUnlogged(_) => catalogued(Kind::SetLogged, Some(table)),
        A::AlterColumn(c) => {
            let column = c.column_name_ref().map(|n| n.text()).unwrap_or_default();
            match c.option() {
                Some(O::SetNotNull(_)) => Action::SetNotNull { table, column },
                Some(O::SetType(_)) => Action::AlterType { table, column },
                Some(O::DropDefault(_)) => Action::DropDefault { table, column },
                Some(O::DropNotNull(_)) => catalogued(Kind::DropNotNull, Some(table)),
                Some(O::SetDefault(_)) => catalogued(Kind::SetDefault, Some(table)),
                Some(O::DropIdentity(_)) => catalogued(Kind::DropIdentity, Some(table)),
                Some(O::AddGenerated(g)) if always(g.syntax()) => {
                    catalogued(Kind::DropIdentity, Some(table))
                }
                Some(O::AddGenerated(_)) => catalogued(Kind::AddIdentity, Some(table)),
                Some(O::SetGenerated(g)) if always(g.syntax()) => {
                    catalogued(Kind::DropIdentity, Some(table))
                }
                Some(O::SetGeneratedOptions(g)) if always(g.syntax()) => {
                    catalogued(Kind::DropIdentity, Some(table))
                }
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
        A::SetSchema(_) => catalogued(Kind::SetSchema, Some(table)),
        A::DetachPartition(d) => match d.detach_partition_option() {
            None => catalogued(Kind::DetachPartition, Some(table)),
            Some(ast::DetachPartitionOption::DetachConcurrently(_)) => {
                catalogued(Kind::DetachPartitionConcurrently, Some(table))
            }
            // FINALIZE completes an interrupted concurrent detach (SHARE UPDATE EXCLUSIVE,
            // in a transaction): no catalogue row yet, so no claim.
            Some(ast::DetachPartitionOption::DetachFinalize(_)) => Action::Other,
        },
        A::RenameConstraint(_) => catalogued(Kind::RenameConstraint, Some(table)),
        A::DropConstraint(_) => catalogued(Kind::DropConstraint, Some(table)),
        _ => Action::Other,
    };
    out.push(action);
}

/// `SET GENERATED ALWAYS`: inserts that give the column a value now fail.
fn always(node: &squawk_syntax::SyntaxNode) -> bool {
    node.text()
        .to_string()
        .to_ascii_uppercase()
        .contains("ALWAYS")
}

fn add_column(table: String, c: &ast::AddColumn) -> Action {
    let mut default_calls = Vec::new();
    let (mut not_null, mut has_default) = (false, false);
    let mut inline = Vec::new();
    let mut fills = c
        .ty()
        .map(|t| t.syntax().text().to_string().to_ascii_lowercase())
        .filter(|t| {
            matches!(
                t.as_str(),
                "serial" | "bigserial" | "smallserial" | "serial2" | "serial4" | "serial8"
            )
        })
        .map(|_| "serial");
    for constraint in c.constraints() {
        match &constraint {
            ast::Constraint::DefaultConstraint(d) => {
                has_default = true;
                if let Some(e) = d.expr() {
                    default_calls.extend(calls(e.syntax()));
                }
            }
            ast::Constraint::NotNullConstraint(_) => not_null = true,
            ast::Constraint::PrimaryKeyConstraint(_) => {
                not_null = true;
                inline.push("PRIMARY KEY");
            }
            ast::Constraint::UniqueConstraint(_) => inline.push("UNIQUE"),
            ast::Constraint::CheckConstraint(_) => inline.push("CHECK"),
            ast::Constraint::ReferencesConstraint(_) => inline.push("REFERENCES"),
            ast::Constraint::GeneratedConstraint(g) => {
                // By its keywords, not its expression (which may say anything).
                let upper = g.syntax().text().to_string().to_ascii_uppercase();
                let words: Vec<&str> = upper.split_whitespace().collect();
                let text = words.join(" ");
                if text.starts_with("GENERATED ALWAYS AS IDENTITY")
                    || text.starts_with("GENERATED BY DEFAULT AS IDENTITY")
                {
                    fills = Some("identity");
                } else if words.last() == Some(&"STORED") {
                    fills = Some("generated stored");
                }
            }
            _ => {}
        }
    }
    // A reference on a column without a default checks nothing: every value is NULL.
    if !has_default || default_is_null(c) {
        inline.retain(|i| *i != "REFERENCES");
    }
    Action::AddColumn {
        table,
        column: c.column_name().map(|n| n.text()).unwrap_or_default(),
        default_calls,
        not_null,
        has_default,
        fills,
        inline,
    }
}

fn default_is_null(c: &ast::AddColumn) -> bool {
    c.constraints().any(|k| match k {
        ast::Constraint::DefaultConstraint(d) => d
            .expr()
            .is_some_and(|e| e.syntax().text().to_string().eq_ignore_ascii_case("null")),
        _ => false,
    })
}

fn add_constraint(table: String, c: &ast::Constraint) -> Action {
    let using_index = match c {
        ast::Constraint::UniqueConstraint(u) => u.using_index().is_some(),
        ast::Constraint::PrimaryKeyConstraint(p) => p.using_index().is_some(),
        _ => false,
    };
    let references = match c {
        ast::Constraint::ForeignKeyConstraint(f) => f.table_name_ref(),
        ast::Constraint::ReferencesConstraint(r) => r.table(),
        _ => None,
    }
    .map(|t| path_ref(t.path_ref()));
    let not_null_of = match c {
        ast::Constraint::CheckConstraint(k) => k
            .expr()
            .and_then(|e| is_not_null_of(&e.syntax().text().to_string())),
        ast::Constraint::NotNullConstraint(n) => n.column_name_ref().map(|c| c.text()),
        _ => None,
    };
    Action::AddConstraint {
        table,
        kind: constraint_kind(c),
        name: c.constraint_name().map(|n| n.text()).unwrap_or_default(),
        not_valid: c.is_not_valid(),
        using_index,
        references,
        not_null_of,
    }
}

/// The column of a `c IS NOT NULL` expression (parenthesised or not, `c` quoted or not,
/// alone or as one term of a top-level `AND`), normalized as PostgreSQL folds it.
fn is_not_null_of(expr: &str) -> Option<String> {
    conjuncts(strip_parens(expr))
        .into_iter()
        .find_map(one_is_not_null)
}

fn strip_parens(expr: &str) -> &str {
    let mut e = expr.trim();
    while let Some(inner) = e.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        if !balanced(inner) {
            break;
        }
        e = inner.trim();
    }
    e
}

fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    for ch in s.chars() {
        depth += match ch {
            '(' => 1,
            ')' => -1,
            _ => 0,
        };
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

/// The terms of a top-level `AND` (outside parentheses and quotes).
pub(super) fn conjuncts(expr: &str) -> Vec<&str> {
    let (mut out, mut depth, mut quoted, mut start) = (Vec::new(), 0i32, None, 0);
    let bytes = expr.as_bytes();
    for (i, ch) in expr.char_indices() {
        match (quoted, ch) {
            (Some(q), c) if c == q => quoted = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quoted = Some(ch),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, c) if depth == 0 && c.is_whitespace() => {
                let rest = &expr[i + 1..];
                let is_and = rest.get(..3).is_some_and(|w| w.eq_ignore_ascii_case("and"))
                    && bytes.get(i + 4).is_some_and(u8::is_ascii_whitespace);
                if is_and {
                    out.push(&expr[start..i]);
                    start = i + 4;
                }
            }
            _ => {}
        }
    }
    out.push(&expr[start..]);
    out
}

fn one_is_not_null(expr: &str) -> Option<String> {
    let e = strip_parens(expr);
    let words: Vec<&str> = e.split_whitespace().collect();
    let [column, is, not, null] = words.as_slice() else {
        return None;
    };
    let keywords = [is, not, null].map(|w| w.to_ascii_uppercase());
    if keywords != ["IS", "NOT", "NULL"] {
        return None;
    }
    match column.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
        Some(quoted) if !quoted.contains('"') => Some(quoted.to_owned()),
        Some(_) => None,
        None => column
            .chars()
            .all(|ch| ch.is_alphanumeric() || ch == '_')
            .then(|| column.to_lowercase()),
    }
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

/// The parts of a reference (a table or index a statement uses), normalized.
fn path_ref_parts(p: Option<ast::PathRef>) -> Vec<String> {
    let Some(p) = p else { return Vec::new() };
    let mut parts = path_ref_parts(p.qualifier());
    parts.push(p.segment().map(|s| s.text()).unwrap_or_default());
    parts
}

/// The parts of a definition (a table or index a statement creates), normalized.
fn path_parts(p: Option<ast::Path>) -> Vec<String> {
    let Some(p) = p else { return Vec::new() };
    let mut parts = path_ref_parts(p.qualifier());
    parts.push(p.segment().map(|s| s.text()).unwrap_or_default());
    parts
}

/// `schema.name` of a reference.
fn path_ref(p: Option<ast::PathRef>) -> String {
    path_ref_parts(p).join(".")
}

/// `schema.name` of a definition.
fn path(p: Option<ast::Path>) -> String {
    path_parts(p).join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_not_null_check_is_read_alone_or_as_a_term_of_and() {
        for (expr, column) in [
            ("a IS NOT NULL", Some("a")),
            ("((\"A\" is not null))", Some("A")),
            ("a IS NOT NULL AND a <> ''", Some("a")),
            ("(a <> 'x and y') AND (b IS NOT NULL)", Some("b")),
            ("a IS NOT NULL OR b IS NOT NULL", None),
            ("(a IS NOT NULL) OR (b > 0)", None),
            ("a > 0 AND é IS NULL", None),
        ] {
            assert_eq!(is_not_null_of(expr).as_deref(), column, "{expr}");
        }
    }

    fn one(sql: &str) -> Action {
        let mut a = classify(sql).unwrap();
        assert_eq!(a.len(), 1, "{sql}: {a:?}");
        a.remove(0)
    }

    #[test]
    fn a_partition_detach_is_read_by_its_option_not_its_text() {
        let of = |sql: &str| match one(sql) {
            Action::Catalogued { kind, .. } => Some(kind),
            _ => None,
        };
        assert_eq!(
            of("ALTER TABLE m DETACH PARTITION m_2025"),
            Some(Kind::DetachPartition)
        );
        assert_eq!(
            of("ALTER TABLE m DETACH PARTITION m_2025 concurrently"),
            Some(Kind::DetachPartitionConcurrently)
        );
        // A partition whose name merely contains the word is not a concurrent detach.
        assert_eq!(
            of("ALTER TABLE m DETACH PARTITION \"concurrently\""),
            Some(Kind::DetachPartition)
        );
        assert_eq!(of("ALTER TABLE m DETACH PARTITION m_2025 FINALIZE"), None);
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
                fills: None,
                inline: vec![],
            }
        );
        assert_eq!(
            one("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) NOT VALID"),
            Action::AddConstraint {
                table: "t".into(),
                kind: "FOREIGN KEY",
                name: "f".into(),
                not_valid: true,
                using_index: false,
                references: Some("u".into()),
                not_null_of: None,
            }
        );
        assert_eq!(
            one("ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i"),
            Action::AddConstraint {
                table: "t".into(),
                kind: "UNIQUE",
                name: "u".into(),
                not_valid: false,
                using_index: true,
                references: None,
                not_null_of: None,
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
    fn names_the_index_a_concurrent_build_creates_and_the_kind() {
        assert_eq!(
            concurrent_index(r#"CREATE UNIQUE INDEX CONCURRENTLY "a ""b""" ON "t" ("c")"#)
                .as_deref(),
            Some(r#""a ""b""""#)
        );
        assert_eq!(
            concurrent_index("create index concurrently if not exists Ix on s.t (c)").as_deref(),
            Some(r#""s"."ix""#),
            "an index lives in its table's schema"
        );
        assert_eq!(
            concurrent_index("CREATE INDEX CONCURRENTLY s.ix ON s.t (c)").as_deref(),
            Some(r#""s"."ix""#)
        );
        assert_eq!(concurrent_index("CREATE INDEX CONCURRENTLY ON t (c)"), None);
        assert_eq!(concurrent_index("CREATE INDEX ix ON t (c)"), None);
        assert_eq!(concurrent_index("DROP INDEX CONCURRENTLY ix"), None);
        assert_eq!(
            one("ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()").kind(),
            Some(Kind::AddColumnRewrite)
        );
        assert_eq!(
            one("ALTER TABLE t ADD COLUMN c timestamptz DEFAULT statement_timestamp()").kind(),
            Some(Kind::AddColumn)
        );
        assert!(one("VACUUM t").needs_no_transaction());
    }

    /// What the planner emits, read back with the kind the planner gave it.
    #[test]
    fn reads_the_kind_of_every_statement_the_planner_emits() {
        let cases = [
            ("ALTER INDEX IF EXISTS a RENAME TO b", Kind::RenameIndex),
            (
                "CREATE OR REPLACE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
                Kind::CreateFunction,
            ),
            ("DROP FUNCTION IF EXISTS f()", Kind::DropFunction),
            (
                "CREATE TRIGGER g BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()",
                Kind::CreateTrigger,
            ),
            ("DROP TRIGGER IF EXISTS g ON t", Kind::DropTrigger),
            (
                "CREATE OR REPLACE VIEW s.v AS SELECT a FROM public.t",
                Kind::CreateView,
            ),
            ("DROP VIEW IF EXISTS s.v", Kind::DropView),
            ("CREATE SCHEMA IF NOT EXISTS s", Kind::CreateSchema),
            ("DROP SCHEMA IF EXISTS s", Kind::DropSchema),
            ("GRANT SELECT ON s.v TO PUBLIC", Kind::Grant),
            (
                "ALTER SEQUENCE s.t_id_seq AS bigint OWNED BY s.t.id",
                Kind::AlterSequence,
            ),
            ("ALTER SEQUENCE s RENAME TO s2", Kind::RenameSequence),
            ("COMMENT ON COLUMN t.c IS 'it''s'", Kind::Comment),
            ("COMMENT ON TABLE s.t IS NULL", Kind::Comment),
            ("CREATE TYPE s.e AS ENUM ('a')", Kind::CreateType),
            (
                "ALTER TYPE e ADD VALUE IF NOT EXISTS 'b' BEFORE 'a'",
                Kind::AddEnumValue,
            ),
            ("DROP TYPE IF EXISTS e", Kind::DropType),
            (
                "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"",
                Kind::CreateExtension,
            ),
            (
                "ALTER TABLE t ADD COLUMN c boolean GENERATED ALWAYS AS (stored_at IS NOT NULL) VIRTUAL",
                Kind::AddColumn,
            ),
            (
                "ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 2) STORED",
                Kind::AddColumnRewrite,
            ),
            (
                "ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY",
                Kind::AddIdentity,
            ),
            (
                "SELECT setval(pg_get_serial_sequence('t', 'id'), nextval('s'), false)",
                Kind::SetSequenceValue,
            ),
            ("UPDATE t SET a = (1) WHERE a IS NULL", Kind::Update),
            ("DELETE FROM t WHERE a IS NULL", Kind::Update),
            (
                "ALTER TABLE t ALTER COLUMN a DROP NOT NULL",
                Kind::DropNotNull,
            ),
            (
                "ALTER TABLE t ALTER COLUMN a SET DEFAULT 0",
                Kind::SetDefault,
            ),
            (
                "ALTER TABLE t RENAME CONSTRAINT a TO b",
                Kind::RenameConstraint,
            ),
            (
                "ALTER TABLE t DROP CONSTRAINT IF EXISTS a",
                Kind::DropConstraint,
            ),
        ];
        for (sql, kind) in cases {
            assert_eq!(one(sql).kind(), Some(kind), "{sql}");
        }
        assert_eq!(
            one("CREATE TRIGGER g BEFORE INSERT ON s.t FOR EACH ROW EXECUTE FUNCTION f()").table(),
            Some("s.t")
        );
    }

    #[test]
    fn a_statement_that_does_not_parse_says_where() {
        let e = classify("ALTER TABLE t ADD COLUMN").unwrap_err();
        assert_eq!(e.offset, 24);
        assert!(!e.message.is_empty());
    }
}
