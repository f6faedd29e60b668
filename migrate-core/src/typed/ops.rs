//! The operations. Names (tables, columns, indexes, constraints) are quoted when rendered;
//! SQL types, defaults, check expressions, index predicates, backfill expressions and
//! conditions are SQL fragments the developer writes, pasted as written.

use super::render::{Facts, Statement};
use super::sealed::Lower;
use crate::catalogue::{Kind, On};
use crate::model::{FkAction, Index, IndexMethod};
use crate::plan::Batch;
use crate::sql::{ident, qualified_columns, table_ref};

/// How a lock line names the table of an index known only by its name.
const INDEX_TABLE: &str = "the index's table";

fn names(items: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    items.into_iter().map(Into::into).collect()
}

/// A planner recipe's steps as statements of a typed phase.
fn statements(steps: Vec<crate::plan::Step>) -> Vec<Statement> {
    steps.iter().map(Statement::from).collect()
}

fn alter_column(table: &str, column: &str, action: &str) -> String {
    crate::plan::ddl::alter_column(table, column, action)
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
    const KINDS: &'static [Kind] = &[Kind::AddColumn];

    fn lower(self) -> Vec<Statement> {
        vec![Statement::new(
            Kind::AddColumn,
            &self.table,
            format!(
                "Add nullable column {} to {}.",
                ident(&self.column),
                table_ref(&self.table)
            ),
            format!(
                "ALTER TABLE {} ADD COLUMN {} {}",
                table_ref(&self.table),
                ident(&self.column),
                self.sql_type
            ),
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
    const KINDS: &'static [Kind] = &[Kind::SetDefault];

    fn lower(self) -> Vec<Statement> {
        vec![Statement::new(
            Kind::SetDefault,
            &self.table,
            format!(
                "Set the default of {} for new rows (existing rows keep their values).",
                ident(&self.column)
            ),
            alter_column(
                &self.table,
                &self.column,
                &format!("SET DEFAULT {}", self.expr),
            ),
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
    const KINDS: &'static [Kind] = &[Kind::DropNotNull];

    fn lower(self) -> Vec<Statement> {
        vec![Statement::new(
            Kind::DropNotNull,
            &self.table,
            format!("Allow NULL in {}.", ident(&self.column)),
            alter_column(&self.table, &self.column, "DROP NOT NULL"),
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
                constraint: false,
                order: Vec::new(),
                include: Vec::new(),
                with: Vec::new(),
                ops: Vec::new(),
                collations: Vec::new(),
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
    const KINDS: &'static [Kind] = &[Kind::CreateIndex];

    fn lower(self) -> Vec<Statement> {
        vec![Statement::new(
            Kind::CreateIndex,
            &self.table,
            format!(
                "Build index {} while blocking writes.",
                ident(&self.index.name)
            ),
            crate::plan::create_index(&self.table, &self.index, false),
        )]
    }
}

/// `CREATE INDEX CONCURRENTLY`, from [`CreateIndex::concurrently`]: two scans that block no
/// reads or writes, outside a transaction.
#[derive(Debug, Clone)]
pub struct CreateIndexConcurrently(CreateIndex);

impl Lower for CreateIndexConcurrently {
    const KINDS: &'static [Kind] = &[Kind::CreateIndexConcurrently];

    fn lower(self) -> Vec<Statement> {
        let CreateIndex { table, index } = self.0;
        vec![Statement::new(
            Kind::CreateIndexConcurrently,
            &table,
            format!(
                "Build index {} without blocking writes. If it fails it leaves an INVALID index: drop it with DROP INDEX CONCURRENTLY and run again.",
                ident(&index.name)
            ),
            crate::plan::create_index(&table, &index, true),
        )]
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
    const KINDS: &'static [Kind] = &[Kind::DropIndex];

    fn lower(self) -> Vec<Statement> {
        vec![Statement::on(
            Kind::DropIndex,
            On::table(INDEX_TABLE),
            format!("Drop index {}.", ident(&self.name)),
            format!("DROP INDEX IF EXISTS {}", ident(&self.name)),
        )]
    }
}

/// `DROP INDEX CONCURRENTLY IF EXISTS`, from [`DropIndex::concurrently`].
#[derive(Debug, Clone)]
pub struct DropIndexConcurrently(DropIndex);

impl Lower for DropIndexConcurrently {
    const KINDS: &'static [Kind] = &[Kind::DropIndexConcurrently];

    fn lower(self) -> Vec<Statement> {
        let name = self.0.name;
        vec![Statement::on(
            Kind::DropIndexConcurrently,
            On::table(INDEX_TABLE),
            format!("Drop index {} without blocking writes.", ident(&name)),
            format!("DROP INDEX CONCURRENTLY IF EXISTS {}", ident(&name)),
        )]
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
            table_ref(&self.table),
            ident(&self.name),
            self.expr
        )
    }
}

impl Lower for AddCheck {
    const KINDS: &'static [Kind] = &[Kind::AddCheck];

    fn lower(self) -> Vec<Statement> {
        vec![Statement::new(
            Kind::AddCheck,
            &self.table,
            format!("Add check {} and check every row.", ident(&self.name)),
            self.sql(),
        )]
    }
}

/// `ADD CONSTRAINT … CHECK (…) NOT VALID`, from [`AddCheck::not_valid`] (catalog only).
#[derive(Debug, Clone)]
pub struct AddCheckNotValid(AddCheck);

impl Lower for AddCheckNotValid {
    const KINDS: &'static [Kind] = &[Kind::AddCheckNotValid];

    fn lower(self) -> Vec<Statement> {
        let check = self.0;
        vec![Statement::new(
            Kind::AddCheckNotValid,
            &check.table,
            format!(
                "Add check {} without checking existing rows; new and updated rows are checked from now on.",
                ident(&check.name)
            ),
            format!("{} NOT VALID", check.sql()),
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
            table_ref(&self.table),
            ident(&self.name),
            qualified_columns(&self.columns),
            table_ref(&self.ref_table),
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
    const KINDS: &'static [Kind] = &[Kind::AddForeignKey];

    fn lower(self) -> Vec<Statement> {
        vec![Statement::on(
            Kind::AddForeignKey,
            On::with(table_ref(&self.table), table_ref(&self.ref_table)),
            format!("Add foreign key {} and check every row.", ident(&self.name)),
            self.sql(),
        )]
    }
}

/// `ADD CONSTRAINT … FOREIGN KEY … NOT VALID`, from [`AddForeignKey::not_valid`] (catalog
/// only).
#[derive(Debug, Clone)]
pub struct AddForeignKeyNotValid(AddForeignKey);

impl Lower for AddForeignKeyNotValid {
    const KINDS: &'static [Kind] = &[Kind::AddForeignKeyNotValid];

    fn lower(self) -> Vec<Statement> {
        let fk = self.0;
        vec![Statement::on(
            Kind::AddForeignKeyNotValid,
            On::with(table_ref(&fk.table), table_ref(&fk.ref_table)),
            format!(
                "Add foreign key {} ({} → {}) without checking existing rows; new rows are checked from now on.",
                ident(&fk.name),
                table_ref(&fk.table),
                table_ref(&fk.ref_table)
            ),
            format!("{} NOT VALID", fk.sql()),
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
    const KINDS: &'static [Kind] = &[Kind::ValidateConstraint];

    fn lower(self) -> Vec<Statement> {
        vec![Statement::on(
            Kind::ValidateConstraint,
            On::with(
                table_ref(&self.table),
                "the referenced table of a foreign key",
            ),
            format!(
                "Validate constraint {} against the existing rows.",
                ident(&self.name)
            ),
            crate::plan::ddl::validate_constraint(&self.table, &self.name),
        )]
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
    const KINDS: &'static [Kind] = &[Kind::BackfillBatch];

    fn lower(self) -> Vec<Statement> {
        let condition = self
            .condition
            .unwrap_or_else(|| format!("{} IS NULL", ident(&self.column)));
        vec![Statement {
            batch: Some(Batch {
                table: self.table.clone(),
                key: self.key,
                set: vec![(self.column.clone(), self.expr.clone())],
                condition: condition.clone(),
                batch_size: self.batch_size,
            }),
            ..Statement::new(
                Kind::BackfillBatch,
                &self.table,
                format!(
                    "Backfill {} on existing rows, in batches of {} (safe to re-run: done rows are skipped).",
                    ident(&self.column),
                    self.batch_size
                ),
                format!(
                    "UPDATE {} SET {} = ({}) WHERE {condition}",
                    table_ref(&self.table),
                    ident(&self.column),
                    self.expr
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
    const KINDS: &'static [Kind] = &[
        Kind::AddCheckNotValid,
        Kind::ValidateConstraint,
        Kind::SetNotNullProven,
        Kind::DropConstraint,
    ];

    fn lower(self) -> Vec<Statement> {
        let (table, column) = (self.table, self.column);
        let mut out = ProveNotNull {
            table: table.clone(),
            column: column.clone(),
        }
        .lower();
        out.extend(SetNotNullProven { table, column }.lower());
        out
    }
}

impl SetNotNull {
    /// Only the last half of the route, for a column a [`ProveNotNull`] in an earlier
    /// phase proved (as `cargo migrate generate` plans it): `SET NOT NULL`, which the
    /// validated check proves without a scan, and the check dropped.
    pub fn proven(self) -> SetNotNullProven {
        SetNotNullProven {
            table: self.table,
            column: self.column,
        }
    }
}

/// `SET NOT NULL` proven by the validated check of a [`ProveNotNull`], then the check
/// dropped; made by [`SetNotNull::proven`].
#[derive(Debug, Clone)]
pub struct SetNotNullProven {
    table: String,
    column: String,
}

impl Lower for SetNotNullProven {
    const KINDS: &'static [Kind] = &[Kind::SetNotNullProven, Kind::DropConstraint];

    fn lower(self) -> Vec<Statement> {
        statements(crate::plan::recipes::not_null::set(
            &self.table,
            &self.column,
            None,
            crate::plan::recipes::not_null::Route::Check,
        ))
    }
}

/// The first half of the NOT NULL route, usually in backfill once the column is filled:
/// `CHECK (c IS NOT NULL) NOT VALID` (catalog only) and its `VALIDATE` (a scan that blocks
/// no reads or writes). [`SetNotNull::proven`] in contract then needs no scan.
#[derive(Debug, Clone)]
pub struct ProveNotNull {
    table: String,
    column: String,
}

impl ProveNotNull {
    /// Proves that no row of `table` has `column` NULL, and that no new row may.
    pub fn new(table: impl Into<String>, column: impl Into<String>) -> Self {
        ProveNotNull {
            table: table.into(),
            column: column.into(),
        }
    }
}

impl Lower for ProveNotNull {
    const KINDS: &'static [Kind] = &[Kind::AddCheckNotValid, Kind::ValidateConstraint];

    fn lower(self) -> Vec<Statement> {
        statements(crate::plan::recipes::not_null::check(
            &self.table,
            &self.column,
            crate::plan::recipes::not_null::Route::Check,
        ))
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
    const KINDS: &'static [Kind] = &[Kind::DropColumn];

    fn lower(self) -> Vec<Statement> {
        vec![Statement {
            destroys: vec![format!(
                "column {}.{}",
                table_ref(&self.table),
                ident(&self.column)
            )],
            ..Statement::new(
                Kind::DropColumn,
                &self.table,
                format!(
                    "DESTRUCTIVE: drop column {} and its values (no deployed code uses it any more).",
                    ident(&self.column)
                ),
                crate::plan::ddl::drop_column(&self.table, &self.column),
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
    const KINDS: &'static [Kind] = &[Kind::DropTable];

    fn lower(self) -> Vec<Statement> {
        let table = table_ref(&self.table);
        vec![Statement {
            destroys: vec![format!("table {table}")],
            ..Statement::new(
                Kind::DropTable,
                &self.table,
                format!("DESTRUCTIVE: drop table {table} and every row in it."),
                format!("DROP TABLE IF EXISTS {table}"),
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
    const KINDS: &'static [Kind] = &[Kind::RenameColumn];

    fn lower(self) -> Vec<Statement> {
        vec![Statement::new(
            Kind::RenameColumn,
            &self.table,
            format!(
                "Rename column {} of {} to {}.",
                ident(&self.from),
                table_ref(&self.table),
                ident(&self.to)
            ),
            crate::plan::ddl::rename_column(&self.table, &self.from, &self.to),
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
    const KINDS: &'static [Kind] = &[];

    fn lower(self) -> Vec<Statement> {
        vec![Statement {
            summary: format!("Custom SQL: {}", self.reason),
            sql: self.sql,
            facts: Facts::Custom {
                transactional: self.transactional,
                short_lock_timeout: self.blocks_traffic,
            },
            batch: None,
            destroys: self.destroys.into_iter().collect(),
        }]
    }
}
