//! `migrations!`: the folder is checked by `migrate_core::lint::check_folder` (the macro
//! only resolves the path and turns the result into tokens or errors).

use proc_macro2::TokenStream;
use quote::quote;
use std::path::PathBuf;

/// Expands `migrations!("path")`, the path relative to the file that invokes it (like
/// `include_str!`).
pub fn migrations(lit: &syn::LitStr) -> TokenStream {
    let shown = lit.value();
    let base = proc_macro::Span::call_site()
        .local_file()
        .and_then(|f| f.parent().map(PathBuf::from))
        // rustc names the file relative to its working directory; include_str! would read
        // a relative path from the invoking file's folder instead.
        .map(|d| std::env::current_dir().map(|cwd| cwd.join(&d)).unwrap_or(d))
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from))
        .unwrap_or_default();
    let dir = base.join(&shown);
    match migrate_shared::lint::check_folder(&dir, &shown) {
        Ok(migrations) => {
            let items = migrations.iter().map(|m| {
                let id = &m.id;
                let path = format!("{shown}/{id}");
                let files = m.files.iter().map(|(name, file)| {
                    let file = file.to_string_lossy();
                    // include_str! makes the build depend on the file: an edit rebuilds.
                    quote! { (#name, ::core::include_str!(#file)) }
                });
                quote! {
                    ::migrate_core::migrations::EmbeddedMigration {
                        id: #id,
                        path: #path,
                        files: &[#(#files),*],
                    }
                }
            });
            quote! {
                {
                    const MIGRATIONS: &[::migrate_core::migrations::EmbeddedMigration] = &[#(#items),*];
                    MIGRATIONS
                }
            }
        }
        Err(problems) => {
            let errors = problems
                .iter()
                .map(|p| syn::Error::new(lit.span(), p).to_compile_error());
            quote! {
                {
                    #(#errors)*
                    const MIGRATIONS: &[::migrate_core::migrations::EmbeddedMigration] = &[];
                    MIGRATIONS
                }
            }
        }
    }
}
