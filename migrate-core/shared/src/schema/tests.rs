use super::table_from_derive;
use crate::model::{FkAction, IndexMethod};

fn parse(input: syn::DeriveInput) -> crate::model::Table {
    match table_from_derive(&input) {
        Ok(t) => t,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn errors(input: syn::DeriveInput) -> Vec<String> {
    match table_from_derive(&input) {
        Ok(t) => panic!("expected errors, got {t:?}"),
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn full_model() {
    let t = parse(syn::parse_quote! {
        #[schema(table = "posts", index(columns(author_id, published_at), name = "posts_by_author"))]
        #[schema(index(columns(tags), using = "gin"), index(columns(slug), unique, where = "deleted_at IS NULL"))]
        #[schema(check(name = "posts_title_not_blank", expr = "title <> ''"))]
        struct Post {
            #[schema(primary_key, identity)]
            id: i64,
            #[schema(references = "users(id)", on_delete = "cascade", index)]
            author_id: i64,
            #[schema(max_length = 200, check = "char_length(title) > 2")]
            title: String,
            #[schema(column = "url_slug")]
            slug: String,
            #[schema(default = "'{}'")]
            tags: Vec<String>,
            published_at: Option<chrono::DateTime<chrono::Utc>>,
            deleted_at: Option<chrono::DateTime<chrono::Utc>>,
            #[schema(default = "0", backfill = "0")]
            views: i32,
            #[schema(skip)]
            cache: std::collections::HashMap<String, String>,
        }
    });
    insta::assert_json_snapshot!(t);
}

#[test]
fn defaults_and_composite_key() {
    let t = parse(syn::parse_quote! {
        #[schema(primary_key(post_id, tag_id))]
        struct PostTag {
            #[schema(references = "posts(id)", on_delete = "set null", on_update = "restrict")]
            post_id: i64,
            tag_id: i64,
        }
    });
    assert_eq!(t.name, "post_tag");
    let pk = t.primary_key.as_ref().unwrap();
    assert_eq!(pk.name, "post_tag_pkey");
    assert_eq!(pk.columns, ["post_id", "tag_id"]);
    assert_eq!(t.foreign_keys[0].on_delete, FkAction::SetNull);
    assert_eq!(t.foreign_keys[0].on_update, FkAction::Restrict);
    assert_eq!(t.indexes.len(), 0);
}

#[test]
fn raw_identifiers_and_reserved_words() {
    let t = parse(syn::parse_quote! {
        #[schema(table = "Order Items")]
        struct OrderItem {
            #[schema(primary_key)]
            id: i64,
            r#type: String,
            #[schema(sql_type = "VARCHAR(20)", unique)]
            code: String,
        }
    });
    assert_eq!(t.name, "Order Items");
    assert_eq!(t.columns[1].name, "type");
    assert_eq!(t.columns[2].sql_type, "character varying(20)");
    assert_eq!(t.indexes[0].name, "Order Items_code_key");
    assert_eq!(t.indexes[0].method, IndexMethod::Btree);
}

#[test]
fn long_generated_names_are_shortened() {
    let t = parse(syn::parse_quote! {
        #[schema(table = "a_table_name_that_is_long_enough_to_matter_in_postgres")]
        struct T {
            #[schema(primary_key)]
            id: i64,
            #[schema(unique)]
            another_rather_long_column_name: String,
        }
    });
    let name = &t.indexes[0].name;
    assert!(name.len() <= 63, "{name}");
    assert!(name.starts_with("a_table_name_that_is_long"), "{name}");
}

#[test]
fn reports_every_error_at_once() {
    let errs = errors(syn::parse_quote! {
        #[schema(tabel = "x")]
        struct T {
            #[schema(primary_kye)]
            id: i64,
            n: u32,
            #[schema(backfill = "1")]
            m: Option<i32>,
        }
    });
    assert_eq!(errs.len(), 4, "{errs:#?}");
    assert!(errs[0].contains("did you mean `table`"), "{errs:#?}");
    assert!(errs[1].contains("did you mean `primary_key`"), "{errs:#?}");
}

#[test]
fn doc_comments_are_comments_only_with_the_flag() {
    let t = parse(syn::parse_quote! {
        /// People who buy.
        ///
        ///   Indented, kept.
        #[schema(table = "customers", comments)]
        struct Customer {
            /// Where receipts go; it's unique.
            email: String,
            name: String,
            #[doc = "  two spaces: one is rustdoc's"]
            note: Option<String>,
        }
    });
    assert_eq!(
        t.comment.as_deref(),
        Some("People who buy.\n\n  Indented, kept.")
    );
    let comments: Vec<Option<&str>> = t.columns.iter().map(|c| c.comment.as_deref()).collect();
    assert_eq!(
        comments,
        [
            Some("Where receipts go; it's unique."),
            None,
            Some(" two spaces: one is rustdoc's")
        ]
    );
    let plain = parse(syn::parse_quote! {
        /// A developer's note, not the database's.
        struct Customer {
            /// Also a note.
            email: String,
        }
    });
    assert_eq!(plain.comment, None);
    assert_eq!(plain.columns[0].comment, None);
}

#[test]
fn generated_columns_take_no_other_value() {
    let t = parse(syn::parse_quote! {
        struct Line {
            price: i64,
            #[schema(generated = " price * 2 ")]
            twice: i64,
            #[schema(generated = "price * 3", virtual)]
            thrice: Option<i64>,
        }
    });
    let g: Vec<Option<(&str, bool)>> = t
        .columns
        .iter()
        .map(|c| {
            c.generated
                .as_ref()
                .map(|g| (g.expr.as_str(), g.is_virtual))
        })
        .collect();
    assert_eq!(
        g,
        [None, Some(("price * 2", false)), Some(("price * 3", true))]
    );
    let errs = errors(syn::parse_quote! {
        struct Line {
            #[schema(generated = "1", default = "2")]
            a: i64,
            #[schema(virtual)]
            b: i64,
        }
    });
    assert_eq!(
        errs,
        [
            "`default` and `generated` both give the column its value: keep one",
            "`virtual` is for a generated column: add `generated = \"…\"` (an expression over the row)",
        ]
    );
}

#[test]
fn extensions_are_named_by_strings_sorted_once() {
    let t = parse(syn::parse_quote! {
        #[schema(extensions("pgcrypto", "citext"), extensions("uuid-ossp", "citext"))]
        struct Member {
            id: i64,
        }
    });
    assert_eq!(t.extensions, ["citext", "pgcrypto", "uuid-ossp"]);
    let errs = errors(syn::parse_quote! {
        #[schema(extensions("pg trgm"))]
        struct Member {
            id: i64,
        }
    });
    assert_eq!(
        errs,
        ["`pg trgm` is not an extension name (letters, digits, `_` and `-`, at most 63 bytes)"]
    );
}

#[test]
fn index_keys_take_expressions_operator_classes_and_collations() {
    let t = parse(syn::parse_quote! {
        #[schema(index(name = "people_search", columns(expr = "lower(email)", name(ops = "gin_trgm_ops"), code(collate = "C")), using = "gin"))]
        struct Person {
            email: String,
            name: String,
            code: String,
        }
    });
    let ix = &t.indexes[0];
    assert_eq!(ix.columns, ["(lower(email))", "name", "code"]);
    assert_eq!(ix.ops, ["", "gin_trgm_ops", ""]);
    assert_eq!(ix.collations, ["", "", "C"]);
    let errs = errors(syn::parse_quote! {
        #[schema(index(columns(expr = "lower(email)"), unique, constraint))]
        #[schema(index(name = "x", columns(email(ops = "not an opclass"))))]
        struct Person {
            email: String,
        }
    });
    assert_eq!(
        errs,
        [
            "`ops` is a name: letters, digits, `_`, `.` and `-`",
            "an index with an `expr` key needs `name = \"…\"`",
            "a UNIQUE constraint is on columns only: drop `constraint` (a unique index can have an `expr` key)",
        ]
    );
}

fn enum_errors(input: syn::DeriveInput) -> Vec<String> {
    match super::enum_from_derive(&input) {
        Ok(e) => panic!("expected errors, got {e:?}"),
        Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn enum_types_follow_sqlx_keys_and_ours_win() {
    let e = super::enum_from_derive(&syn::parse_quote! {
        #[derive(sqlx::Type, Schema)]
        #[sqlx(type_name = "post_status", rename_all = "snake_case", no_pg_array)]
        enum PostStatus {
            Draft,
            InReview,
            #[sqlx(rename = "live")]
            Published,
            #[schema(rename = "gone")]
            #[sqlx(rename = "ignored")]
            Archived,
        }
    })
    .unwrap();
    assert_eq!(e.name, "post_status");
    assert_eq!(e.values, ["draft", "in_review", "live", "gone"]);
    assert_eq!(e.sql_type(), "post_status");

    let e = super::enum_from_derive(&syn::parse_quote! {
        #[schema(type_name = "billing.State")]
        #[sqlx(type_name = "state")]
        enum State { Open, Closed }
    })
    .unwrap();
    assert_eq!(e.name, "billing.State");
    assert_eq!(e.values, ["Open", "Closed"], "verbatim, as sqlx");
    assert_eq!(e.sql_type(), "billing.\"State\"");
    assert!(e.types("billing.\"State\"[]"));
}

#[test]
fn enum_type_errors_name_the_token() {
    let errs = enum_errors(syn::parse_quote! {
        #[schema(type_nme = "s")]
        #[sqlx(rename_all = "Title Case")]
        enum Status {
            Active(u8),
            #[schema(rename = "b")]
            A,
            B,
            #[schema(renamed = "x")]
            C,
        }
    });
    let want = [
        "unknown schema attribute `type_nme` on an enum; did you mean `type_name`?",
        "name the PostgreSQL type of enum `Status`",
    ];
    assert_eq!(errs.len(), 5, "every mistake at once: {errs:#?}");
    for w in want {
        assert!(errs.iter().any(|e| e.contains(w)), "{w}: {errs:#?}");
    }
    let errs = enum_errors(syn::parse_quote! {
        #[schema(type_name = "status", rename_all = "lowercase")]
        enum Status {
            Active(u8),
            #[schema(rename = "b")]
            A,
            B,
            #[schema(renamed = "x")]
            C,
        }
    });
    let want = [
        "this one carries data",
        "the label 'b' is already an earlier variant's",
        "unknown schema attribute `renamed` on an enum variant; did you mean `rename`?",
    ];
    for w in want {
        assert!(errs.iter().any(|e| e.contains(w)), "{w}: {errs:#?}");
    }
    let errs = enum_errors(syn::parse_quote! {
        #[schema(type_name = "status")]
        enum Status {}
    });
    assert!(errs[0].contains("at least one variant"), "{errs:?}");
}
