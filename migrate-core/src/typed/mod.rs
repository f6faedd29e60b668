//! Custom migrations written in Rust, checked by the compiler.
//!
//! The phases are types: [`Migration::new`] starts a migration, [`Migration::expand`] must
//! come first, [`Migration::backfill`] may follow it, [`Migration::contract`] comes last,
//! each at most once. Every operation is a type too, and [`PhaseBuilder::add`] accepts it
//! only in the phases where it is safe during a rolling deploy ([`AllowedIn`]). A wrong
//! order or an operation in the wrong phase does not compile, and the error names the safe
//! recipe.
//!
//! ```
//! use migrate_core::typed::*;
//!
//! let m = Migration::new("20261125120000_require_display_name")
//!     .expand(|p| {
//!         p.add(AddColumn::new("users", "display_name", "text"));
//!     })
//!     .backfill(|p| {
//!         p.add(CreateIndex::new("users", "users_display_name_idx", ["display_name"]).concurrently())
//!             .add(BackfillColumn::new("users", "display_name", "username", ["id"]))
//!             .add(ProveNotNull::new("users", "display_name"));
//!     })
//!     .contract(|p| {
//!         p.add(SetNotNull::new("users", "display_name").proven())
//!             .add(DropColumn::new("users", "nickname"));
//!     });
//! let names: Vec<String> = m.files().into_iter().map(|(name, _)| name).collect();
//! assert_eq!(names, ["expand.up.sql", "backfill.up.sql", "contract.up.sql"]);
//! ```
//!
//! [`Migration::files`] renders the phase files in the shape `cargo migrate generate`
//! writes, so the apply engine runs them the same way: a `lock_timeout` before every
//! statement, `CONCURRENTLY` statements marked to run outside a transaction, batched
//! backfills and destructive statements marked. Identifiers are always quoted; SQL types,
//! defaults, check expressions, index predicates and backfill expressions are SQL fragments
//! the developer writes, pasted as written.
//!
//! Typed migrations have no down files: undo one with a new migration.
//!
//! [`Migration::new`]: crate::typed::Migration::new
//! [`Migration::expand`]: crate::typed::Migration::expand
//! [`Migration::backfill`]: crate::typed::Migration::backfill
//! [`Migration::contract`]: crate::typed::Migration::contract
//! [`Migration::files`]: crate::typed::Migration::files
//! [`PhaseBuilder::add`]: crate::typed::PhaseBuilder::add
//! [`AllowedIn`]: crate::typed::AllowedIn

mod ops;
mod render;
mod rules;

pub use ops::{
    AddCheck, AddCheckNotValid, AddColumn, AddForeignKey, AddForeignKeyNotValid, BackfillColumn,
    CreateIndex, CreateIndexConcurrently, DEFAULT_BATCH_SIZE, DropColumn, DropIndex,
    DropIndexConcurrently, DropNotNull, DropTable, ProveNotNull, RenameColumn, SetDefault,
    SetNotNull, SetNotNullProven, Sql, ValidateConstraint,
};
pub use rules::{
    AllowedIn, BackfillOnly, ContractOnly, NeedsConcurrently, NeedsNotValid, SchemaPhase,
};

use crate::plan::Phase;
use render::Statement;
use std::marker::PhantomData;

mod sealed {
    /// Implemented only by this module's phase and state markers.
    pub trait Sealed {}

    /// How an operation becomes statements: implemented only by the operations here.
    pub trait Lower {
        /// The catalogue kinds of its statements (none: custom SQL, not analysed).
        const KINDS: &'static [crate::catalogue::Kind];

        /// The operation's statements, in run order.
        fn lower(self) -> Vec<super::Statement>;
    }
}

/// A phase marker: [`Expand`], [`Backfill`] or [`Contract`].
pub trait PhaseKind: sealed::Sealed {
    /// The phase it stands for.
    const PHASE: Phase;
}

/// Phase marker: backward compatible changes, run before the new code is deployed while
/// the old code still runs.
#[derive(Debug, Clone, Copy)]
pub struct Expand;

/// Phase marker: long, non-blocking work (batched backfills, validation, concurrent index
/// builds), run after expand while old and new code both run.
#[derive(Debug, Clone, Copy)]
pub struct Backfill;

/// Phase marker: removes what only the old code needed, run after every instance runs
/// the new code.
#[derive(Debug, Clone, Copy)]
pub struct Contract;

impl sealed::Sealed for Expand {}
impl sealed::Sealed for Backfill {}
impl sealed::Sealed for Contract {}
impl PhaseKind for Expand {
    const PHASE: Phase = Phase::Expand;
}
impl PhaseKind for Backfill {
    const PHASE: Phase = Phase::Backfill;
}
impl PhaseKind for Contract {
    const PHASE: Phase = Phase::Contract;
}

/// Migration state: nothing added yet; [`Migration::expand`] comes next.
#[derive(Debug, Clone, Copy)]
pub struct Start;

/// Migration state: expand is written; backfill or contract may follow.
#[derive(Debug, Clone, Copy)]
pub struct Expanded;

/// Migration state: expand and backfill are written; contract may follow.
#[derive(Debug, Clone, Copy)]
pub struct Backfilled;

/// Migration state: contract is written; nothing may follow.
#[derive(Debug, Clone, Copy)]
pub struct Contracted;

impl sealed::Sealed for Start {}
impl sealed::Sealed for Expanded {}
impl sealed::Sealed for Backfilled {}
impl sealed::Sealed for Contracted {}

/// States in which [`Migration::expand`] may be called: only [`Start`].
#[diagnostic::on_unimplemented(
    message = "`.expand(..)` must come first, and only once",
    label = "this migration already has its expand phase",
    note = "phases run in order: `.expand(..)` first, while the old code still runs; then `.backfill(..)`; `.contract(..)` last, only after the new code is deployed everywhere. Put every expand operation into the one `.expand(..)`"
)]
pub trait CanExpand: sealed::Sealed {}
impl CanExpand for Start {}

/// States in which [`Migration::backfill`] may be called: only [`Expanded`].
#[diagnostic::on_unimplemented(
    message = "`.backfill(..)` must come right after `.expand(..)`, and only once",
    label = "backfill needs `.expand(..)` right before it",
    note = "phases run in order: expand first, while the old code still runs; backfill after it, while old and new code both run; contract last, only after the new code is deployed everywhere. With nothing to expand, call `.expand(|_| {{}})` first"
)]
pub trait CanBackfill: sealed::Sealed {}
impl CanBackfill for Expanded {}

/// States in which [`Migration::contract`] may be called: [`Expanded`] and [`Backfilled`].
#[diagnostic::on_unimplemented(
    message = "`.contract(..)` must come after `.expand(..)` (or `.backfill(..)`), and only once",
    label = "contract must follow `.expand(..)` or `.backfill(..)`",
    note = "expand runs first, while the old code still runs; contract runs only after the new code is deployed everywhere. Call `.expand(..)` first (`.expand(|_| {{}})` if there is nothing to add), and put every contract operation into the one `.contract(..)`"
)]
pub trait CanContract: sealed::Sealed {}
impl CanContract for Expanded {}
impl CanContract for Backfilled {}

/// The operations of one phase, collected by the closure given to [`Migration::expand`],
/// [`Migration::backfill`] or [`Migration::contract`].
#[derive(Debug)]
pub struct PhaseBuilder<P> {
    statements: Vec<Statement>,
    phase: PhantomData<P>,
}

impl<P: PhaseKind> PhaseBuilder<P> {
    /// Adds an operation; it runs after the ones added before it. Compiles only when the
    /// operation is safe in phase `P` (see [`AllowedIn`]).
    pub fn add<O: AllowedIn<P>>(&mut self, op: O) -> &mut Self {
        self.statements.extend(sealed::Lower::lower(op));
        self
    }

    fn run(f: impl FnOnce(&mut Self)) -> (Phase, Vec<Statement>) {
        let mut builder = PhaseBuilder {
            statements: Vec::new(),
            phase: PhantomData,
        };
        f(&mut builder);
        (P::PHASE, builder.statements)
    }
}

/// A migration in state `S` ([`Start`], [`Expanded`], [`Backfilled`] or [`Contracted`]).
#[derive(Debug)]
pub struct Migration<S> {
    id: String,
    phases: Vec<(Phase, Vec<Statement>)>,
    state: PhantomData<S>,
}

impl Migration<Start> {
    /// Starts a migration. `id` is its folder name, `<yyyymmddhhmmss>_<name>` (e.g.
    /// `20261125120000_add_flags`), which orders it among the generated ones.
    pub fn new(id: impl Into<String>) -> Self {
        Migration {
            id: id.into(),
            phases: Vec::new(),
            state: PhantomData,
        }
    }
}

impl<S> Migration<S> {
    /// The migration's id (its folder name).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The phase files, `(file name, content)`: `expand.up.sql`, `backfill.up.sql`,
    /// `contract.up.sql`, for each phase that has operations, in run order.
    pub fn files(&self) -> Vec<(String, String)> {
        render::files(&self.id, &self.phases)
    }

    fn then<T, P: PhaseKind>(mut self, f: impl FnOnce(&mut PhaseBuilder<P>)) -> Migration<T> {
        self.phases.push(PhaseBuilder::run(f));
        Migration {
            id: self.id,
            phases: self.phases,
            state: PhantomData,
        }
    }

    /// The expand phase: backward compatible changes (new nullable columns, defaults,
    /// `NOT VALID` constraints), run before the new code is deployed.
    pub fn expand(self, f: impl FnOnce(&mut PhaseBuilder<Expand>)) -> Migration<Expanded>
    where
        S: CanExpand,
    {
        self.then(f)
    }

    /// The backfill phase: batched backfills, validation and concurrent index builds, run
    /// after expand while old and new code both run.
    pub fn backfill(self, f: impl FnOnce(&mut PhaseBuilder<Backfill>)) -> Migration<Backfilled>
    where
        S: CanBackfill,
    {
        self.then(f)
    }

    /// The contract phase: NOT NULL, drops and renames, run after every instance runs the
    /// new code.
    pub fn contract(self, f: impl FnOnce(&mut PhaseBuilder<Contract>)) -> Migration<Contracted>
    where
        S: CanContract,
    {
        self.then(f)
    }
}

#[cfg(test)]
mod tests;
