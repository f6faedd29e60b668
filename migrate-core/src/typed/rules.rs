//! Which operation runs in which phase: what the statement catalogue
//! ([`crate::catalogue`]) allows for the operation's statements, as trait impls the
//! compiler checks. [`AllowedIn`] is the bound of
//! [`PhaseBuilder::add`](super::PhaseBuilder::add); an operation allowed in some phases only
//! implements it through one rule trait, implemented by those phases, so a misplaced
//! operation fails to compile with the message of its rule (the safe recipe), not a generic
//! one. `typed::tests` checks every operation in every phase against the catalogue.

use super::ops::{
    AddCheck, AddCheckNotValid, AddColumn, AddForeignKey, AddForeignKeyNotValid, BackfillColumn,
    CreateIndex, CreateIndexConcurrently, DropColumn, DropIndex, DropIndexConcurrently,
    DropNotNull, DropTable, ProveNotNull, RenameColumn, SetDefault, SetNotNull, SetNotNullProven,
    Sql, ValidateConstraint,
};
use super::{Backfill, Contract, Expand, PhaseKind, sealed};

/// Operations that phase `P` accepts; the bound of
/// [`PhaseBuilder::add`](super::PhaseBuilder::add).
///
/// | operation | expand | backfill | contract |
/// |---|---|---|---|
/// | [`CreateIndexConcurrently`], [`AddCheckNotValid`], [`AddForeignKeyNotValid`], [`ValidateConstraint`], [`ProveNotNull`], [`Sql`] | ✓ | ✓ | ✓ |
/// | [`AddColumn`], [`SetDefault`], [`DropNotNull`] | ✓ | | ✓ |
/// | [`BackfillColumn`] | | ✓ | |
/// | [`SetNotNull`], [`SetNotNullProven`], [`DropColumn`], [`DropTable`], [`RenameColumn`], [`DropIndexConcurrently`] | | | ✓ |
/// | [`CreateIndex`], [`DropIndex`] (use `.concurrently()`), [`AddCheck`], [`AddForeignKey`] (use `.not_valid()`) | | | |
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an operation that can run in the `{P}` phase",
    label = "not an operation for `{P}`",
    note = "operations are the types of `migrate_core::typed`; for anything else use `Sql::new(reason, sql)`"
)]
pub trait AllowedIn<P: PhaseKind>: sealed::Lower {}

/// Phases that accept a schema change `O` the old code can live with: expand (before the
/// deploy) and contract (after it), not backfill.
#[diagnostic::on_unimplemented(
    message = "`{O}` is a schema change: it goes in expand (or contract), not in backfill",
    label = "move this into `.expand(..)`",
    note = "backfill runs between expand and the deploy, for data and for work that blocks no traffic (batched backfills, validation, concurrent index builds); new columns, defaults and relaxed NOT NULLs go in expand, so the new code finds them when it starts"
)]
pub trait SchemaPhase<O>: PhaseKind {}
impl<O> SchemaPhase<O> for Expand {}
impl<O> SchemaPhase<O> for Contract {}

/// Phases that accept a batched backfill `O`: backfill only.
#[diagnostic::on_unimplemented(
    message = "`{O}` runs in backfill only",
    label = "move this into `.backfill(..)`",
    note = "a batched backfill fills what expand added, while old and new code both run. A new NOT NULL column: `AddColumn` (nullable) in `.expand(..)`, `BackfillColumn` and `ProveNotNull` in `.backfill(..)`, `SetNotNull::proven()` in `.contract(..)`"
)]
pub trait BackfillOnly<O>: PhaseKind {}
impl<O> BackfillOnly<O> for Backfill {}

/// Phases that accept an operation `O` the old code cannot live with (NOT NULL, drops,
/// renames): contract only.
#[diagnostic::on_unimplemented(
    message = "`{O}` cannot run before contract: the old code still runs during expand and backfill, and relies on what this removes or forbids",
    label = "move this into `.contract(..)`",
    note = "contract runs only after every instance runs the new code, so NOT NULL, drops and renames go there. A new NOT NULL column: `AddColumn` (nullable) in `.expand(..)`, `BackfillColumn` and `ProveNotNull` in `.backfill(..)`, `SetNotNull::proven()` in `.contract(..)`"
)]
pub trait ContractOnly<O>: PhaseKind {}
impl<O> ContractOnly<O> for Contract {}

/// Implemented by no phase: a plain index build or drop `O` blocks the table's traffic.
#[diagnostic::on_unimplemented(
    message = "a plain `{O}` blocks writes to the table until it finishes (a DROP INDEX blocks reads too)",
    label = "call `.concurrently()` on it",
    note = "`.concurrently()` builds or drops the index without blocking reads or writes, outside a transaction: build indexes in any phase, drop them in `.contract(..)`"
)]
pub trait NeedsConcurrently<O>: PhaseKind {}

/// Implemented by no phase: a plain check or foreign key `O` scans the table under a lock
/// that blocks writes.
#[diagnostic::on_unimplemented(
    message = "a plain `{O}` checks every existing row while holding a lock that blocks writes",
    label = "call `.not_valid()` on it",
    note = "`.not_valid()` adds the constraint without checking existing rows (new rows are checked at once); then `ValidateConstraint` checks the existing rows without blocking reads or writes, in a later statement (usually in `.backfill(..)`)"
)]
pub trait NeedsNotValid<O>: PhaseKind {}

// Each operation is allowed in the phases that implement its rule.
impl<P: PhaseKind> AllowedIn<P> for CreateIndexConcurrently {}
impl<P: PhaseKind> AllowedIn<P> for AddCheckNotValid {}
impl<P: PhaseKind> AllowedIn<P> for AddForeignKeyNotValid {}
impl<P: PhaseKind> AllowedIn<P> for ValidateConstraint {}
impl<P: PhaseKind> AllowedIn<P> for ProveNotNull {}
impl<P: PhaseKind> AllowedIn<P> for Sql {}
impl<P: SchemaPhase<Self>> AllowedIn<P> for AddColumn {}
impl<P: SchemaPhase<Self>> AllowedIn<P> for SetDefault {}
impl<P: SchemaPhase<Self>> AllowedIn<P> for DropNotNull {}
impl<P: BackfillOnly<Self>> AllowedIn<P> for BackfillColumn {}
impl<P: ContractOnly<Self>> AllowedIn<P> for SetNotNull {}
impl<P: ContractOnly<Self>> AllowedIn<P> for SetNotNullProven {}
impl<P: ContractOnly<Self>> AllowedIn<P> for DropColumn {}
impl<P: ContractOnly<Self>> AllowedIn<P> for DropTable {}
impl<P: ContractOnly<Self>> AllowedIn<P> for RenameColumn {}
impl<P: ContractOnly<Self>> AllowedIn<P> for DropIndexConcurrently {}
impl<P: NeedsConcurrently<Self>> AllowedIn<P> for CreateIndex {}
impl<P: NeedsConcurrently<Self>> AllowedIn<P> for DropIndex {}
impl<P: NeedsNotValid<Self>> AllowedIn<P> for AddCheck {}
impl<P: NeedsNotValid<Self>> AllowedIn<P> for AddForeignKey {}
