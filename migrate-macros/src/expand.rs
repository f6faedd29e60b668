//! Model → tokens: an `impl migrate_core::Schema` whose `table()` rebuilds the exact model
//! the parser produced. On invalid input, the errors plus a fallback impl, so the user sees
//! our errors and not a cascade of "trait not implemented" ones.

use migrate_shared::model::{
    Check, Column, EnumType, FkAction, ForeignKey, Index, IndexMethod, PrimaryKey, Table,
};
use proc_macro2::TokenStream;
use quote::quote;

pub fn derive(input: &syn::DeriveInput) -> TokenStream {
    if let syn::Data::Enum(_) = input.data {
        return derive_enum(input);
    }
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let (body, errors) =
        body_or_errors(migrate_shared::schema::table_from_derive(input).map(|t| table_tokens(&t)));
    quote! {
        #errors
        #[automatically_derived]
        impl #impl_generics ::migrate_core::Schema for #ident #ty_generics #where_clause {
            fn table() -> ::migrate_core::model::Table {
                #body
            }
        }
    }
}

/// An enum: `impl migrate_core::SchemaEnum`, or the errors plus a fallback impl.
fn derive_enum(input: &syn::DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let parsed = migrate_shared::schema::enum_from_derive(input);
    let name = parsed.as_ref().map(|e| e.name.clone()).unwrap_or_default();
    let (body, errors) = body_or_errors(parsed.map(|e| enum_tokens(&e)));
    quote! {
        #errors
        #[automatically_derived]
        impl #impl_generics ::migrate_core::SchemaEnum for #ident #ty_generics #where_clause {
            const TYPE_NAME: &'static str = #name;
            fn enum_type() -> ::migrate_core::model::EnumType {
                #body
            }
        }
    }
}

/// The impl's body and no errors, or a body that is never run and the errors to show.
fn body_or_errors(parsed: Result<TokenStream, syn::Error>) -> (TokenStream, TokenStream) {
    match parsed {
        Ok(body) => (body, TokenStream::new()),
        Err(e) => (
            quote!(::core::unreachable!(
                "`#[derive(Schema)]` failed to compile"
            )),
            e.to_compile_error(),
        ),
    }
}

fn enum_tokens(e: &EnumType) -> TokenStream {
    let (name, values) = (string(&e.name), strings(&e.values));
    quote!(::migrate_core::model::EnumType { name: #name, values: #values })
}

fn string(s: &str) -> TokenStream {
    quote!(::std::string::String::from(#s))
}

fn opt_string(s: &Option<String>) -> TokenStream {
    match s {
        Some(s) => {
            let s = string(s);
            quote!(::core::option::Option::Some(#s))
        }
        None => quote!(::core::option::Option::None),
    }
}

fn strings(v: &[String]) -> TokenStream {
    let items = v.iter().map(|s| string(s));
    quote!(::std::vec![#(#items),*])
}

fn table_tokens(t: &Table) -> TokenStream {
    let name = string(&t.name);
    let renamed_from = opt_string(&t.renamed_from);
    let columns = t.columns.iter().map(column_tokens);
    let primary_key = match &t.primary_key {
        Some(PrimaryKey { name, columns }) => {
            let (name, columns) = (string(name), strings(columns));
            quote!(::core::option::Option::Some(::migrate_core::model::PrimaryKey { name: #name, columns: #columns }))
        }
        None => quote!(::core::option::Option::None),
    };
    let indexes = t.indexes.iter().map(index_tokens);
    let checks = t.checks.iter().map(|Check { name, expr }| {
        let (name, expr) = (string(name), string(expr));
        quote!(::migrate_core::model::Check { name: #name, expr: #expr })
    });
    let foreign_keys = t.foreign_keys.iter().map(fk_tokens);
    let comment = opt_string(&t.comment);
    let extensions = strings(&t.extensions);
    let enums = t.enums.iter().map(enum_tokens);
    quote! {
        ::migrate_core::model::Table {
            name: #name,
            renamed_from: #renamed_from,
            columns: ::std::vec![#(#columns),*],
            primary_key: #primary_key,
            indexes: ::std::vec![#(#indexes),*],
            checks: ::std::vec![#(#checks),*],
            foreign_keys: ::std::vec![#(#foreign_keys),*],
            comment: #comment,
            extensions: #extensions,
            enums: ::std::vec![#(#enums),*],
        }
    }
}

fn column_tokens(c: &Column) -> TokenStream {
    let name = string(&c.name);
    let sql_type = string(&c.sql_type);
    let nullable = c.nullable;
    let default = opt_string(&c.default);
    let identity = c.identity;
    let backfill = opt_string(&c.backfill);
    let no_nulls = c.no_nulls;
    let convert = opt_string(&c.convert);
    let convert_back = opt_string(&c.convert_back);
    let renamed_from = opt_string(&c.renamed_from);
    let comment = opt_string(&c.comment);
    let generated = match &c.generated {
        Some(g) => {
            let (expr, is_virtual) = (string(&g.expr), g.is_virtual);
            quote!(::core::option::Option::Some(::migrate_core::model::Generated { expr: #expr, is_virtual: #is_virtual }))
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        ::migrate_core::model::Column {
            name: #name,
            sql_type: #sql_type,
            nullable: #nullable,
            default: #default,
            identity: #identity,
            backfill: #backfill,
            no_nulls: #no_nulls,
            convert: #convert,
            convert_back: #convert_back,
            renamed_from: #renamed_from,
            comment: #comment,
            generated: #generated,
        }
    }
}

fn index_tokens(ix: &Index) -> TokenStream {
    let name = string(&ix.name);
    let columns = strings(&ix.columns);
    let unique = ix.unique;
    let method = match ix.method {
        IndexMethod::Btree => quote!(Btree),
        IndexMethod::Hash => quote!(Hash),
        IndexMethod::Gist => quote!(Gist),
        IndexMethod::Spgist => quote!(Spgist),
        IndexMethod::Gin => quote!(Gin),
        IndexMethod::Brin => quote!(Brin),
    };
    let predicate = opt_string(&ix.predicate);
    let constraint = ix.constraint;
    let order = ix.order.iter().map(|o| {
        let desc = o.desc;
        let nulls_first = match o.nulls_first {
            Some(b) => quote!(::core::option::Option::Some(#b)),
            None => quote!(::core::option::Option::None),
        };
        quote!(::migrate_core::model::KeyOrder { desc: #desc, nulls_first: #nulls_first })
    });
    let include = strings(&ix.include);
    let with = strings(&ix.with);
    let ops = strings(&ix.ops);
    let collations = strings(&ix.collations);
    quote! {
        ::migrate_core::model::Index {
            name: #name,
            columns: #columns,
            unique: #unique,
            method: ::migrate_core::model::IndexMethod::#method,
            predicate: #predicate,
            constraint: #constraint,
            order: ::std::vec![#(#order),*],
            include: #include,
            with: #with,
            ops: #ops,
            collations: #collations,
        }
    }
}

fn action(a: FkAction) -> TokenStream {
    let v = match a {
        FkAction::NoAction => quote!(NoAction),
        FkAction::Restrict => quote!(Restrict),
        FkAction::Cascade => quote!(Cascade),
        FkAction::SetNull => quote!(SetNull),
        FkAction::SetDefault => quote!(SetDefault),
    };
    quote!(::migrate_core::model::FkAction::#v)
}

fn fk_tokens(fk: &ForeignKey) -> TokenStream {
    let name = string(&fk.name);
    let columns = strings(&fk.columns);
    let ref_table = string(&fk.ref_table);
    let ref_columns = strings(&fk.ref_columns);
    let (on_delete, on_update) = (action(fk.on_delete), action(fk.on_update));
    let (deferrable, initially_deferred) = (fk.deferrable, fk.initially_deferred);
    quote! {
        ::migrate_core::model::ForeignKey {
            name: #name,
            columns: #columns,
            ref_table: #ref_table,
            ref_columns: #ref_columns,
            on_delete: #on_delete,
            on_update: #on_update,
            deferrable: #deferrable,
            initially_deferred: #initially_deferred,
        }
    }
}
