//! Which operation runs in which phase. [`AllowedIn`] is the bound of
//! [`PhaseBuilder::add`](super::PhaseBuilder::add); each operation implements it through one
//! rule trait, implemented by the phases that accept the operation, so a misplaced operation
//! fails to compile with the message of its rule (the safe recipe), not a generic one.

use super::ops::{
    AddCheck, AddCheckNotValid, AddColumn, AddForeignKey, AddForeignKeyNotValid, BackfillColumn,
    CreateIndex, CreateIndexConcurrently, DropColumn, DropIndex, DropIndexConcurrently,
    DropNotNull, DropTable, RenameColumn, SetDefault, SetNotNull, Sql, ValidateConstraint,
};
use super::{Backfill, Contract, Expand, PhaseKind, sealed};

/// Operations that phase `P` accepts; the bound of
/// [`PhaseBuilder::add`](super::PhaseBuilder::add).
///
/// | operation | expand | backfill | contract |
/// |---|---|---|---|
/// | [`AddColumn`], [`SetDefault`], [`DropNotNull`], [`AddCheckNotValid`], [`AddForeignKeyNotValid`] | ✓ | | |
/// | [`CreateIndexConcurrently`] | ✓ | ✓ | |
/// | [`BackfillColumn`] | | ✓ | |
/// | [`ValidateConstraint`] | | ✓ | ✓ |
/// | [`SetNotNull`], [`DropColumn`], [`DropTable`], [`RenameColumn`], [`DropIndexConcurrently`] | | | ✓ |
/// | [`Sql`] | ✓ | ✓ | ✓ |
/// | [`CreateIndex`], [`DropIndex`] (use `.concurrently()`), [`AddCheck`], [`AddForeignKey`] (use `.not_valid()`) | | | |
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an operation that can run in the `{P}` phase",
    label = "not an operation for `{P}`",
    note = "operations are the types of `migrate_core::typed`; for anything else use `Sql::new(reason, sql)`"
)]
pub trait AllowedIn<P: PhaseKind>: sealed::Lower {}

/// Phases that accept operation `O` when it must exist before the new code is deployed:
/// expand only.
#[diagnostic::on_unimplemented(
    message = "`{O}` runs in expand only",
    label = "move this into `.expand(..)`",
    note = "expand prepares the schema while the old code still runs, before the new code is deployed: new columns, defaults, relaxed NOT NULLs and NOT VALID constraints go there, so the new code finds them when it starts"
)]
pub trait ExpandOnly<O>: PhaseKind {}
impl<O> ExpandOnly<O> for Expand {}

/// Phases that accept a concurrent index build `O`: expand and backfill.
#[diagnostic::on_unimplemented(
    message = "`{O}` cannot run in contract: build indexes in expand or backfill",
    label = "move this into `.backfill(..)` (or `.expand(..)`)",
    note = "build an index before deploying the code whose queries need it; a concurrent build blocks no reads or writes, so backfill is the usual place"
)]
pub trait IndexBuildPhase<O>: PhaseKind {}
impl<O> IndexBuildPhase<O> for Expand {}
impl<O> IndexBuildPhase<O> for Backfill {}

/// Phases that accept a batched backfill `O`: backfill only.
#[diagnostic::on_unimplemented(
    message = "`{O}` runs in backfill only",
    label = "move this into `.backfill(..)`",
    note = "a batched backfill fills what expand added, while old and new code both run. A new NOT NULL column: `AddColumn` (nullable) in `.expand(..)`, `BackfillColumn` in `.backfill(..)`, `SetNotNull` in `.contract(..)`"
)]
pub trait BackfillOnly<O>: PhaseKind {}
impl<O> BackfillOnly<O> for Backfill {}

/// Phases that accept a constraint validation `O`: backfill and contract.
#[diagnostic::on_unimplemented(
    message = "`{O}` cannot run in expand: validate in backfill, after expand added the constraint `.not_valid()`",
    label = "move this into `.backfill(..)`",
    note = "add the constraint with `.not_valid()` in `.expand(..)` (new rows are checked from then on), then check the existing rows with `ValidateConstraint` in `.backfill(..)`: VALIDATE scans without blocking reads or writes"
)]
pub trait ValidationPhase<O>: PhaseKind {}
impl<O> ValidationPhase<O> for Backfill {}
impl<O> ValidationPhase<O> for Contract {}

/// Phases that accept an operation `O` the old code cannot live with (NOT NULL, drops,
/// renames): contract only.
#[diagnostic::on_unimplemented(
    message = "`{O}` cannot run before contract: the old code still runs during expand and backfill, and relies on what this removes or forbids",
    label = "move this into `.contract(..)`",
    note = "contract runs only after every instance runs the new code, so NOT NULL, drops and renames go there. A new NOT NULL column: `AddColumn` (nullable) in `.expand(..)`, `BackfillColumn` in `.backfill(..)`, `SetNotNull` in `.contract(..)`"
)]
pub trait ContractOnly<O>: PhaseKind {}
impl<O> ContractOnly<O> for Contract {}

/// Implemented by no phase: a plain index build or drop `O` blocks the table's traffic.
#[diagnostic::on_unimplemented(
    message = "a plain `{O}` blocks writes to the table until it finishes (a DROP INDEX blocks reads too)",
    label = "call `.concurrently()` on it",
    note = "`.concurrently()` builds or drops the index without blocking reads or writes, outside a transaction: build indexes in `.expand(..)` or `.backfill(..)`, drop them in `.contract(..)`"
)]
pub trait NeedsConcurrently<O>: PhaseKind {}

/// Implemented by no phase: a plain check or foreign key `O` scans the table under a lock
/// that blocks writes.
#[diagnostic::on_unimplemented(
    message = "a plain `{O}` checks every existing row while holding a lock that blocks writes",
    label = "call `.not_valid()` on it",
    note = "`.not_valid()` adds the constraint in `.expand(..)` without checking existing rows (new rows are checked at once); then `ValidateConstraint` in `.backfill(..)` checks the existing rows without blocking reads or writes"
)]
pub trait NeedsNotValid<O>: PhaseKind {}

// Each operation is allowed in the phases that implement its rule.
impl<P: ExpandOnly<Self>> AllowedIn<P> for AddColumn {}
impl<P: ExpandOnly<Self>> AllowedIn<P> for SetDefault {}
impl<P: ExpandOnly<Self>> AllowedIn<P> for DropNotNull {}
impl<P: ExpandOnly<Self>> AllowedIn<P> for AddCheckNotValid {}
impl<P: ExpandOnly<Self>> AllowedIn<P> for AddForeignKeyNotValid {}
impl<P: IndexBuildPhase<Self>> AllowedIn<P> for CreateIndexConcurrently {}
impl<P: BackfillOnly<Self>> AllowedIn<P> for BackfillColumn {}
impl<P: ValidationPhase<Self>> AllowedIn<P> for ValidateConstraint {}
impl<P: ContractOnly<Self>> AllowedIn<P> for SetNotNull {}
impl<P: ContractOnly<Self>> AllowedIn<P> for DropColumn {}
impl<P: ContractOnly<Self>> AllowedIn<P> for DropTable {}
impl<P: ContractOnly<Self>> AllowedIn<P> for RenameColumn {}
impl<P: ContractOnly<Self>> AllowedIn<P> for DropIndexConcurrently {}
impl<P: NeedsConcurrently<Self>> AllowedIn<P> for CreateIndex {}
impl<P: NeedsConcurrently<Self>> AllowedIn<P> for DropIndex {}
impl<P: NeedsNotValid<Self>> AllowedIn<P> for AddCheck {}
impl<P: NeedsNotValid<Self>> AllowedIn<P> for AddForeignKey {}
impl<P: PhaseKind> AllowedIn<P> for Sql {}
