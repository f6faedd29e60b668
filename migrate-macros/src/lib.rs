//! `#[derive(Schema)]` and `migrations!`. The parser and the folder checks live in
//! `migrate-core` (features `parse`, `lint`), shared with the CLI; this crate only turns
//! their results into tokens.

mod embed;
mod expand;

use proc_macro::TokenStream;

/// Derives `migrate_core::Schema` for a struct with named fields: the struct describes a
/// table, its fields the columns. See the README for every `#[schema(...)]` attribute.
#[proc_macro_derive(Schema, attributes(schema))]
pub fn derive_schema(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}

/// Embeds a migrations folder at compile time: `migrations!("../migrations")`, the path
/// relative to the invoking file (like `include_str!`). Expands to a
/// `&'static [migrate_core::migrations::EmbeddedMigration]`
/// (`MigrationSource::embedded` turns it into what `Migrator` runs).
///
/// The build fails, naming the file and the statement, when the folder breaks the parent
/// chain, a timestamp does not rise along it, a phase file is misnamed or malformed, or a
/// statement breaks a lint rule (`cargo migrate lint` explains the same findings) without a
/// `-- migrate:allow RULE: why` comment. Edits to the files rebuild; a new migration
/// folder needs a rebuild of its own (`cargo:rerun-if-changed=migrations` in a build
/// script).
#[proc_macro]
pub fn migrations(input: TokenStream) -> TokenStream {
    let lit = syn::parse_macro_input!(input as syn::LitStr);
    embed::migrations(&lit).into()
}
