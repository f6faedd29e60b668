//! `#[derive(Schema)]`. The parser lives in `migrate-core` (feature `parse`), shared with
//! the CLI's source scanner; this crate only turns its result into tokens.

mod expand;

use proc_macro::TokenStream;

/// Derives `migrate_core::Schema` for a struct with named fields: the struct describes a
/// table, its fields the columns. See the README for every `#[schema(...)]` attribute.
#[proc_macro_derive(Schema, attributes(schema))]
pub fn derive_schema(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}
