//! The operations. Names (tables, columns, indexes, constraints) are quoted when rendered;
//! SQL types, defaults, check expressions, index predicates, backfill expressions and
//! conditions are SQL fragments the developer writes, pasted as written.

use super::render::Statement;
use super::sealed::Lower;
use crate::model::{FkAction, Index, IndexMethod};
use crate::plan::Batch;
use crate::sql::{ident, qualified_columns, shorten_name};

fn names(items: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    items.into_iter().map(Into::into).collect()
}

fn brief(table: &str) -> String {
    format!("ACCESS EXCLUSIVE on {}, brief (catalog only)", ident(table))
}

fn alter_column(table: &str, column: &str, action: &str) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} {action}",
        ident(table),
        ident(column)
    )
}

fn non_blocking(table: &str) -> String {
    format!(
        "SHARE UPDATE EXCLUSIVE on {} (reads and writes continue)",
        ident(table)
    )
}

/// `ALTER TABLE t ADD COLUMN c type`: a new nullable column, without default (catalog only).
/// A NOT NULL column is a recipe, not one statement: `AddColumn` in expand,
/// [`BackfillColumn`] in backfill, [`SetNotNull`] in contract; a default for new rows is
/// [`SetDefault`].
#[derive(Debug, Clone)]
pub struct AddColumn {
    table: String,
    column: String,
    sql_type: String,
}

impl AddColumn {
    /// Adds `column` of SQL type `sql_type` (a fragment: `text`, `timestamptz`, …) to
    /// `table`, nullable.
    pub fn new(
        table: impl Into<String>,
        column: impl Into<String>,
        sql_type: impl Into<String>,
    ) -> Self {
        AddColumn {
            table: table.into(),
            column: column.into(),
            sql_type: sql_type.into(),
        }
    }
}

impl Lower for AddColumn {
    fn lower(self) -> Vec<Statement> {
        vec![Statement::new(
            format!(
                "Add nullable column {} to {}.",
                ident(&self.column),
                ident(&self.table)
            ),
            format!(
                "ALTER TABLE {} ADD COLUMN {} {}",
                ident(&self.table),
                ident(&self.column),
                self.sql_type
            ),
            brief(&self.table),
        )]
    }
}

/// `ALTER TABLE t ALTER COLUMN c SET DEFAULT expr`: the value new rows get (catalog only;
/// existing rows keep theirs).
#[derive(Debug, Clone)]
pub struct SetDefault {
    table: String,
    column: String,
    expr: String,
}

impl SetDefault {
    /// Sets the default of `table`.`column` to `expr` (an SQL fragment: `now()`, `0`, …).
    pub fn new(
        table: impl Into<String>,
        column: impl Into<String>,
        expr: impl Into<String>,
    ) -> Self {
        SetDefault {
            table: table.into(),
            column: column.into(),
            expr: expr.into(),
        }
    }
}

impl Lower for SetDefault {
    fn lower(self) -> Vec<Statement> {
        vec![Statement::new(
            format!(
                "Set the default of {} for new rows (existing rows keep their values).",
                ident(&self.column)
            ),
            alter_column(
                &self.table,
                &self.column,
                &format!("SET DEFAULT {}", self.expr),
            ),
            brief(&self.table),
        )]
    }
}

/// `ALTER TABLE t ALTER COLUMN c DROP NOT NULL` (catalog only): in expand, so the new code
/// may stop writing a column that contract then drops.
#[derive(Debug, Clone)]
pub struct DropNotNull {
    table: String,
    column: String,
}

impl DropNotNull {
    /// Allows NULL in `table`.`column`.
    pub fn new(table: impl Into<String>, column: impl Into<String>) -> Self {
        DropNotNull {
            table: table.into(),
            column: column.into(),
        }
    }
}

impl Lower for DropNotNull {
    fn lower(self) -> Vec<Statement> {
        vec![Statement::new(
            format!("Allow NULL in {}.", ident(&self.column)),
            alter_column(&self.table, &self.column, "DROP NOT NULL"),
            brief(&self.table),
        )]
    }
}

/// A plain `CREATE INDEX`: it blocks writes to the table while it builds, so no phase
/// accepts it; [`CreateIndex::concurrently`] gives the operation to add.
#[derive(Debug, Clone)]
pub struct CreateIndex {
    table: String,
    index: Index,
}

impl CreateIndex {
    /// An index `name` on `table` over `columns`, in order.
    pub fn new(
        table: impl Into<String>,
        name: impl Into<String>,
        columns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        CreateIndex {
            table: table.into(),
            index: Index {
                name: name.into(),
                columns: names(columns),
                unique: false,
                method: IndexMethod::Btree,
                predicate: None,
            },
        }
    }

    /// `UNIQUE`.
    pub fn unique(mut self) -> Self {
        self.index.unique = true;
        self
    }

    /// `USING method` (btree when not called).
    pub fn using(mut self, method: IndexMethod) -> Self {
        self.index.method = method;
        self
    }

    /// A partial index: `WHERE predicate` (an SQL fragment).
    pub fn predicate(mut self, predicate: impl Into<String>) -> Self {
        self.index.predicate = Some(predicate.into());
        self
    }

    /// `CREATE INDEX CONCURRENTLY`: built without blocking reads or writes, outside a
    /// transaction.
    pub fn concurrently(self) -> CreateIndexConcurrently {
        CreateIndexConcurrently(self)
    }
}

impl Lower for CreateIndex {
    fn lower(self) -> Vec<Statement> {
        vec![Statement::new(
            format!(
                "Build index {} while blocking writes.",
                ident(&self.index.name)
            ),
            crate::plan::create_index(&self.table, &self.index, false),
            format!("SHARE on {} until the build ends", ident(&self.table)),
        )]
    }
}

/// `CREATE INDEX CONCURRENTLY`, from [`CreateIndex::concurrently`]: two scans that block no
/// reads or writes, outside a transaction.
#[derive(Debug, Clone)]
pub struct CreateIndexConcurrently(CreateIndex);

impl Lower for CreateIndexConcurrently {
    fn lower(self) -> Vec<Statement> {
        let CreateIndex { table, index } = self.0;
        vec![Statement {
            cost: "rewrite: no · scan: two full scans, not blocking writes".into(),
            blocks_traffic: false,
            transactional: false,
            ..Statement::new(
                format!(
                    "Build index {} without blocking writes. If it fails it leaves an INVALID index: drop it with DROP INDEX CONCURRENTLY and run again.",
                    ident(&index.name)
                ),
                crate::plan::create_index(&table, &index, true),
                non_blocking(&table),
            )
        }]
    }
}

/// A plain `DROP INDEX`: it blocks reads and writes of the table while it waits for its
/// lock, so no phase accepts it; [`DropIndex::concurrently`] gives the operation to add.
#[derive(Debug, Clone)]
pub struct DropIndex {
    name: String,
}

impl DropIndex {
    /// Drops the index `name`.
    pub fn new(name: impl Into<String>) -> Self {
        DropIndex { name: name.into() }
    }

    /// `DROP INDEX CONCURRENTLY`: blocks no reads or writes, outside a transaction.
    pub fn concurrently(self) -> DropIndexConcurrently {
        DropIndexConcurrently(self)
    }
}

impl Lower for DropIndex {
    fn lower(self) -> Vec<Statement> {
        vec![Statement::new(
            format!("Drop index {}.", ident(&self.name)),
            format!("DROP INDEX IF EXISTS {}", ident(&self.name)),
            "ACCESS EXCLUSIVE on the index's table".into(),
        )]
    }
}

/// `DROP INDEX CONCURRENTLY IF EXISTS`, from [`DropIndex::concurrently`].
#[derive(Debug, Clone)]
pub struct DropIndexConcurrently(DropIndex);

impl Lower for DropIndexConcurrently {
    fn lower(self) -> Vec<Statement> {
        let name = self.0.name;
        vec![Statement {
            blocks_traffic: false,
            transactional: false,
            ..Statement::new(
                format!("Drop index {} without blocking writes.", ident(&name)),
                format!("DROP INDEX CONCURRENTLY IF EXISTS {}", ident(&name)),
                "SHARE UPDATE EXCLUSIVE on the index's table (reads and writes continue)".into(),
            )
        }]
    }
}

/// A plain `ADD CONSTRAINT … CHECK`: it checks every row while holding a lock that blocks
/// reads and writes, so no phase accepts it; [`AddCheck::not_valid`] gives the operation
/// to add.
#[derive(Debug, Clone)]
pub struct AddCheck {
    table: String,
    name: String,
    expr: String,
}

impl AddCheck {
    /// A check `name` on `table` requiring `expr` (an SQL fragment: `price >= 0`).
    pub fn new(table: impl Into<String>, name: impl Into<String>, expr: impl Into<String>) -> Self {
        AddCheck {
            table: table.into(),
            name: name.into(),
            expr: expr.into(),
        }
    }

    /// `NOT VALID`: rows written from now on are checked, existing ones only by a
    /// [`ValidateConstraint`] in backfill. The rows the old code writes must pass it.
    pub fn not_valid(self) -> AddCheckNotValid {
        AddCheckNotValid(self)
    }

    fn sql(&self) -> String {
        format!(
            "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})",
            ident(&self.table),
            ident(&self.name),
            self.expr
        )
    }
}

impl Lower for AddCheck {
    fn lower(self) -> Vec<Statement> {
        vec![Statement {
            cost: "rewrite: no · scan: full scan, blocking".into(),
            ..Statement::new(
                format!("Add check {} and check every row.", ident(&self.name)),
                self.sql(),
                format!("ACCESS EXCLUSIVE on {} during the scan", ident(&self.table)),
            )
        }]
    }
}

/// `ADD CONSTRAINT … CHECK (…) NOT VALID`, from [`AddCheck::not_valid`] (catalog only).
#[derive(Debug, Clone)]
pub struct AddCheckNotValid(AddCheck);

impl Lower for AddCheckNotValid {
    fn lower(self) -> Vec<Statement> {
        let check = self.0;
        vec![Statement::new(
            format!(
                "Add check {} without checking existing rows; new and updated rows are checked from now on.",
                ident(&check.name)
            ),
            format!("{} NOT VALID", check.sql()),
            brief(&check.table),
        )]
    }
}

/// A plain `ADD CONSTRAINT … FOREIGN KEY`: it checks every row while holding a lock that
/// blocks writes, so no phase accepts it; [`AddForeignKey::not_valid`] gives the operation
/// to add.
#[derive(Debug, Clone)]
pub struct AddForeignKey {
    table: String,
    name: String,
    columns: Vec<String>,
    ref_table: String,
    ref_columns: Vec<String>,
    on_delete: FkAction,
    on_update: FkAction,
}

impl AddForeignKey {
    /// A foreign key `name` from `table` (`columns`) to `ref_table` (`ref_columns`).
    pub fn new(
        table: impl Into<String>,
        name: impl Into<String>,
        columns: impl IntoIterator<Item = impl Into<String>>,
        ref_table: impl Into<String>,
        ref_columns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        AddForeignKey {
            table: table.into(),
            name: name.into(),
            columns: names(columns),
            ref_table: ref_table.into(),
            ref_columns: names(ref_columns),
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
        }
    }

    /// `ON DELETE action`.
    pub fn on_delete(mut self, action: FkAction) -> Self {
        self.on_delete = action;
        self
    }

    /// `ON UPDATE action`.
    pub fn on_update(mut self, action: FkAction) -> Self {
        self.on_update = action;
        self
    }

    /// `NOT VALID`: rows written from now on are checked, existing ones only by a
    /// [`ValidateConstraint`] in backfill. The rows the old code writes must pass it.
    pub fn not_valid(self) -> AddForeignKeyNotValid {
        AddForeignKeyNotValid(self)
    }

    fn sql(&self) -> String {
        let mut sql = format!(
            "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY {} REFERENCES {} {}",
            ident(&self.table),
            ident(&self.name),
            qualified_columns(&self.columns),
            ident(&self.ref_table),
            qualified_columns(&self.ref_columns)
        );
        if self.on_delete != FkAction::NoAction {
            sql.push_str(&format!(" ON DELETE {}", self.on_delete.as_sql()));
        }
        if self.on_update != FkAction::NoAction {
            sql.push_str(&format!(" ON UPDATE {}", self.on_update.as_sql()));
        }
        sql
    }
}

impl Lower for AddForeignKey {
    fn lower(self) -> Vec<Statement> {
        vec![Statement {
            cost: "rewrite: no · scan: full scan, blocking writes".into(),
            ..Statement::new(
                format!("Add foreign key {} and check every row.", ident(&self.name)),
                self.sql(),
                format!(
                    "SHARE ROW EXCLUSIVE on {} and {} during the scan",
                    ident(&self.table),
                    ident(&self.ref_table)
                ),
            )
        }]
    }
}

/// `ADD CONSTRAINT … FOREIGN KEY … NOT VALID`, from [`AddForeignKey::not_valid`] (catalog
/// only).
#[derive(Debug, Clone)]
pub struct AddForeignKeyNotValid(AddForeignKey);

impl Lower for AddForeignKeyNotValid {
    fn lower(self) -> Vec<Statement> {
        let fk = self.0;
        vec![Statement::new(
            format!(
                "Add foreign key {} ({} → {}) without checking existing rows; new rows are checked from now on.",
                ident(&fk.name),
                ident(&fk.table),
                ident(&fk.ref_table)
            ),
            format!("{} NOT VALID", fk.sql()),
            format!(
                "SHARE ROW EXCLUSIVE on {} and {}, brief (catalog only)",
                ident(&fk.table),
                ident(&fk.ref_table)
            ),
        )]
    }
}

/// `ALTER TABLE t VALIDATE CONSTRAINT c`: checks the existing rows against a `NOT VALID`
/// check or foreign key; the scan blocks no reads or writes.
#[derive(Debug, Clone)]
pub struct ValidateConstraint {
    table: String,
    name: String,
}

impl ValidateConstraint {
    /// Validates the constraint `name` of `table`.
    pub fn new(table: impl Into<String>, name: impl Into<String>) -> Self {
        ValidateConstraint {
            table: table.into(),
            name: name.into(),
        }
    }
}

impl Lower for ValidateConstraint {
    fn lower(self) -> Vec<Statement> {
        let mut statement = validate(&self.table, &self.name);
        statement
            .lock
            .push_str("; a foreign key also takes ROW SHARE on the referenced table");
        vec![statement]
    }
}

fn validate(table: &str, name: &str) -> Statement {
    Statement {
        cost: "rewrite: no · scan: full scan, not blocking writes".into(),
        blocks_traffic: false,
        ..Statement::new(
            format!(
                "Validate constraint {} against the existing rows.",
                ident(name)
            ),
            format!(
                "ALTER TABLE {} VALIDATE CONSTRAINT {}",
                ident(table),
                ident(name)
            ),
            non_blocking(table),
        )
    }
}

/// Rows per backfill batch unless [`BackfillColumn::batch_size`] says otherwise.
pub const DEFAULT_BATCH_SIZE: u32 = 1000;

/// `UPDATE t SET c = (expr) WHERE condition`, which the apply engine runs in keyset batches
/// along `key`, each its own short transaction (psql runs it as one statement).
#[derive(Debug, Clone)]
pub struct BackfillColumn {
    table: String,
    column: String,
    expr: String,
    key: Vec<String>,
    condition: Option<String>,
    batch_size: u32,
}

impl BackfillColumn {
    /// Sets `column` of `table` to `expr` (an SQL fragment over the row: `lower(email)`),
    /// batch by batch along `key`, the table's primary key columns.
    pub fn new(
        table: impl Into<String>,
        column: impl Into<String>,
        expr: impl Into<String>,
        key: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        BackfillColumn {
            table: table.into(),
            column: column.into(),
            expr: expr.into(),
            key: names(key),
            condition: None,
            batch_size: DEFAULT_BATCH_SIZE,
        }
    }

    /// Which rows still need the value (an SQL fragment); the others are skipped, so a
    /// re-run after an interruption only does what is left. Default: `"column" IS NULL`.
    pub fn condition(mut self, condition: impl Into<String>) -> Self {
        self.condition = Some(condition.into());
        self
    }

    /// Rows per batch (at least 1; default [`DEFAULT_BATCH_SIZE`]). A few thousand keeps
    /// the row-lock waits of the traffic short.
    pub fn batch_size(mut self, rows: u32) -> Self {
        self.batch_size = rows.max(1);
        self
    }
}

impl Lower for BackfillColumn {
    fn lower(self) -> Vec<Statement> {
        let condition = self
            .condition
            .unwrap_or_else(|| format!("{} IS NULL", ident(&self.column)));
        vec![Statement {
            cost: "rewrite: no · scan: every row once, batch by batch along the key".into(),
            batch: Some(Batch {
                table: self.table.clone(),
                key: self.key,
                set: vec![(self.column.clone(), self.expr.clone())],
                condition: condition.clone(),
                batch_size: self.batch_size,
            }),
            ..Statement::new(
                format!(
                    "Backfill {} on existing rows, in batches of {} (safe to re-run: done rows are skipped).",
                    ident(&self.column),
                    self.batch_size
                ),
                format!(
                    "UPDATE {} SET {} = ({}) WHERE {condition}",
                    ident(&self.table),
                    ident(&self.column),
                    self.expr
                ),
                format!(
                    "ROW EXCLUSIVE on {}; row locks on one batch at a time",
                    ident(&self.table)
                ),
            )
        }]
    }
}

/// Makes a column NOT NULL without a scan under a blocking lock (PostgreSQL ≥ 12):
/// `CHECK (c IS NOT NULL) NOT VALID`, `VALIDATE` (scans without blocking reads or writes),
/// `SET NOT NULL` (the valid check proves it: no scan), and the check dropped.
#[derive(Debug, Clone)]
pub struct SetNotNull {
    table: String,
    column: String,
}

impl SetNotNull {
    /// Makes `table`.`column` NOT NULL. Every running instance must write it by then, and
    /// existing rows must have a value (backfill them first).
    pub fn new(table: impl Into<String>, column: impl Into<String>) -> Self {
        SetNotNull {
            table: table.into(),
            column: column.into(),
        }
    }
}

impl Lower for SetNotNull {
    fn lower(self) -> Vec<Statement> {
        let (table, column) = (&self.table, &self.column);
        let check = shorten_name(&format!("{table}_{column}_not_null"));
        vec![
            Statement::new(
                format!(
                    "Require {} on new and updated rows, without checking existing ones yet.",
                    ident(column)
                ),
                format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
                    ident(table),
                    ident(&check),
                    ident(column)
                ),
                brief(table),
            ),
            validate(table, &check),
            Statement::new(
                format!(
                    "Make {} NOT NULL; the validated check proves it, so no scan.",
                    ident(column)
                ),
                alter_column(table, column, "SET NOT NULL"),
                brief(table),
            ),
            Statement::new(
                format!("Drop the check {}, now redundant.", ident(&check)),
                format!(
                    "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
                    ident(table),
                    ident(&check)
                ),
                brief(table),
            ),
        ]
    }
}

/// `ALTER TABLE t DROP COLUMN IF EXISTS c`: destructive, its values are gone.
#[derive(Debug, Clone)]
pub struct DropColumn {
    table: String,
    column: String,
}

impl DropColumn {
    /// Drops `table`.`column`. If it is NOT NULL without a default, add a [`DropNotNull`]
    /// in expand, so the new code can insert rows without it.
    pub fn new(table: impl Into<String>, column: impl Into<String>) -> Self {
        DropColumn {
            table: table.into(),
            column: column.into(),
        }
    }
}

impl Lower for DropColumn {
    fn lower(self) -> Vec<Statement> {
        vec![Statement {
            destroys: Some(format!(
                "column {}.{}",
                ident(&self.table),
                ident(&self.column)
            )),
            ..Statement::new(
                format!(
                    "DESTRUCTIVE: drop column {} and its values (no deployed code uses it any more).",
                    ident(&self.column)
                ),
                format!(
                    "ALTER TABLE {} DROP COLUMN IF EXISTS {}",
                    ident(&self.table),
                    ident(&self.column)
                ),
                brief(&self.table),
            )
        }]
    }
}

/// `DROP TABLE IF EXISTS t`: destructive, its rows are gone.
#[derive(Debug, Clone)]
pub struct DropTable {
    table: String,
}

impl DropTable {
    /// Drops `table` (it fails while another table's foreign key references it).
    pub fn new(table: impl Into<String>) -> Self {
        DropTable {
            table: table.into(),
        }
    }
}

impl Lower for DropTable {
    fn lower(self) -> Vec<Statement> {
        let table = ident(&self.table);
        vec![Statement {
            destroys: Some(format!("table {table}")),
            ..Statement::new(
                format!("DESTRUCTIVE: drop table {table} and every row in it."),
                format!("DROP TABLE IF EXISTS {table}"),
                format!("ACCESS EXCLUSIVE on {table} (and briefly on the tables referenced)"),
            )
        }]
    }
}

/// `ALTER TABLE t RENAME COLUMN a TO b` (catalog only). Code reading either name breaks
/// the moment it runs: only in contract, and only when the deployed code reads the column
/// by neither name (or through a view). Otherwise add the new column, backfill it, and
/// drop the old one in a later migration.
#[derive(Debug, Clone)]
pub struct RenameColumn {
    table: String,
    from: String,
    to: String,
}

impl RenameColumn {
    /// Renames `table`.`from` to `to`.
    pub fn new(table: impl Into<String>, from: impl Into<String>, to: impl Into<String>) -> Self {
        RenameColumn {
            table: table.into(),
            from: from.into(),
            to: to.into(),
        }
    }
}

impl Lower for RenameColumn {
    fn lower(self) -> Vec<Statement> {
        vec![Statement::new(
            format!(
                "Rename column {} of {} to {}.",
                ident(&self.from),
                ident(&self.table),
                ident(&self.to)
            ),
            format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                ident(&self.table),
                ident(&self.from),
                ident(&self.to)
            ),
            brief(&self.table),
        )]
    }
}

/// One raw SQL statement, with the reason it is needed: the escape hatch, accepted in every
/// phase and not analysed. By default it runs in a transaction under the short lock
/// timeout; say so when it must not.
#[derive(Debug, Clone)]
pub struct Sql {
    reason: String,
    sql: String,
    transactional: bool,
    blocks_traffic: bool,
    destroys: Option<String>,
}

impl Sql {
    /// `sql` is one statement (a trailing semicolon is dropped); `reason` tells the
    /// reviewer why no typed operation fits.
    pub fn new(reason: impl Into<String>, sql: impl Into<String>) -> Self {
        let sql: String = sql.into();
        Sql {
            reason: reason.into(),
            sql: sql.trim().trim_end_matches(';').trim_end().to_owned(),
            transactional: true,
            blocks_traffic: true,
            destroys: None,
        }
    }

    /// The statement cannot run inside a transaction (e.g. `CONCURRENTLY`).
    pub fn no_transaction(mut self) -> Self {
        self.transactional = false;
        self
    }

    /// Its locks block no reads or writes: it waits for them as long as needed
    /// (`lock_timeout = 0`) instead of failing after the short timeout.
    pub fn non_blocking(mut self) -> Self {
        self.blocks_traffic = false;
        self
    }

    /// It destroys data (`what`, e.g. `rows of "audit_log" older than a year`): the apply
    /// engine runs it only with explicit acknowledgement.
    pub fn destructive(mut self, what: impl Into<String>) -> Self {
        self.destroys = Some(what.into());
        self
    }
}

impl Lower for Sql {
    fn lower(self) -> Vec<Statement> {
        vec![Statement {
            cost: "rewrite, scan: not analysed (custom SQL)".into(),
            transactional: self.transactional,
            blocks_traffic: self.blocks_traffic,
            destroys: self.destroys,
            ..Statement::new(
                format!("Custom SQL: {}", self.reason),
                self.sql,
                "not analysed (custom SQL)".into(),
            )
        }]
    }
}
